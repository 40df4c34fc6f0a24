#include "cover/cover.h"

#include <ft2build.h>
#include FT_FREETYPE_H
#include <harfbuzz/hb-ft.h>
#include <harfbuzz/hb.h>
#include <png.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <system_error>
#include <vector>

#include "core/paths.h"
#include "core/text.h"
#include "core/utf8.h"
#include "core/work.h"

namespace colophon {

namespace {

// Palette of the cover: index 0 is the background, 1..kTextLevels the text colour
// blended over it (antialiased edges), kAccentIndex the accent.
constexpr int kTextLevels = 254;
constexpr uint8_t kAccentIndex = 255;

// Sizes in pixels: the largest each text is tried at, and the smallest it shrinks to.
constexpr int kTitleMax = 168, kTitleMin = 64, kTitleLines = 5;
constexpr int kSubtitleMax = 76, kSubtitleMin = 40, kSubtitleLines = 4;
constexpr int kAuthorMax = 84, kAuthorMin = 40, kAuthorLines = 3;
constexpr int kSmallestSize = 24;                  // below this, words are cut between letters
constexpr size_t kMaxTextBytes = 4096;             // of a title, subtitle or author line
constexpr double kSizeStep = 0.94;                 // each try is this much smaller than the last
constexpr double kLineSpacing = 1.2;               // baseline to baseline, in sizes
constexpr int kTitleTop = 520;                     // top of the title block
constexpr int kAuthorBottom = kCoverHeight - 330;  // last author baseline
constexpr int kGap = 72;                           // between title, rule and subtitle
constexpr int kFrameInset = 80;                    // the frame's outer edge from the cover's edge
constexpr int kFrameWidth = 6;
constexpr int kRuleWidth = 260, kRuleHeight = 8;

// Glyphs are loaded unhinted: at cover sizes hinting changes nothing one can see, and
// it was most of the rendering time.
constexpr FT_Int32 kLoadFlags = FT_LOAD_NO_HINTING;

// One font file loaded for shaping (HarfBuzz) and rendering (FreeType).
class Face {
 public:
  Face(FT_Library library, const std::string& path) {
    // FreeType opens the file itself: only a regular file (a named pipe would block).
    if (path.empty() || !regular_file_problem(path).empty() ||
        FT_New_Face(library, path.c_str(), 0, &ft_) != 0)
      ft_ = nullptr;
    if (ft_) hb_ = hb_ft_font_create_referenced(ft_);
  }
  ~Face() {
    if (hb_) hb_font_destroy(hb_);
    if (ft_) FT_Done_Face(ft_);
  }
  Face(const Face&) = delete;
  Face& operator=(const Face&) = delete;

  bool ok() const { return ft_ != nullptr && hb_ != nullptr; }
  // Sets the size in pixels per em.
  void set_size(int px) {
    if (px == size_) return;
    size_ = px;
    FT_Set_Pixel_Sizes(ft_, 0, static_cast<FT_UInt>(px));
    hb_ft_font_changed(hb_);
  }
  bool has(char32_t cp) const { return FT_Get_Char_Index(ft_, cp) != 0; }
  FT_Face ft() const { return ft_; }
  hb_font_t* hb() const { return hb_; }

 private:
  FT_Face ft_ = nullptr;
  hb_font_t* hb_ = nullptr;
  int size_ = 0;
};

// One glyph of a shaped line: its face, glyph id and pen position (26.6 pixels).
struct Glyph {
  Face* face = nullptr;
  unsigned id = 0;
  int64_t x = 0, y = 0;
  uint32_t cluster = 0;  // byte offset of its text in the line
};

// A shaped line and the horizontal extent of its ink, in pixels from the pen's start.
struct Line {
  std::vector<Glyph> glyphs;
  int ink_left = 0, ink_right = 0;
  int width() const { return ink_right - ink_left; }
};

// Shapes TEXT at PX pixels with MAIN, taking each character MAIN lacks from FALLBACK.
// A text whose advance passes GIVE_UP pixels by more than any overhang could take back
// is not measured glyph by glyph: its ink is taken as its advance (it is too wide).
Line shape(std::string_view text, int px, Face& main, Face* fallback,
           int give_up = std::numeric_limits<int>::max()) {
  work::add(text.size());
  main.set_size(px);
  if (fallback) fallback->set_size(px);
  Line line;
  int64_t pen = 0;
  size_t i = 0;
  while (i < text.size()) {
    // A run of characters that one face sets.
    size_t start = i, probe = i;
    bool use_main = main.has(next_code_point(text, probe)) || fallback == nullptr;
    size_t end = start;
    while (end < text.size()) {
      size_t next = end;
      char32_t cp = next_code_point(text, next);
      bool in_main = main.has(cp) || fallback == nullptr || cp == ' ';
      if (in_main != use_main && end > start) break;
      end = next;
    }
    Face& face = use_main ? main : *fallback;
    hb_buffer_t* buffer = hb_buffer_create();
    hb_buffer_add_utf8(buffer, text.data(), static_cast<int>(text.size()),
                       static_cast<unsigned>(start), static_cast<int>(end - start));
    hb_buffer_guess_segment_properties(buffer);
    hb_shape(face.hb(), buffer, nullptr, 0);
    unsigned n = 0;
    hb_glyph_info_t* info = hb_buffer_get_glyph_infos(buffer, &n);
    hb_glyph_position_t* pos = hb_buffer_get_glyph_positions(buffer, &n);
    for (unsigned g = 0; g < n; ++g) {
      line.glyphs.push_back(
          {&face, info[g].codepoint, pen + pos[g].x_offset, pos[g].y_offset, info[g].cluster});
      pen += pos[g].x_advance;
    }
    hb_buffer_destroy(buffer);
    i = end;
  }
  if (pen / 64 > static_cast<int64_t>(give_up) + 2 * px) {
    line.ink_left = 0;
    line.ink_right = static_cast<int>(std::min<int64_t>(pen / 64, std::numeric_limits<int>::max()));
    return line;
  }
  // The ink: each glyph's bounding box, so no overhang (an italic f) crosses a margin.
  bool any = false;
  for (const Glyph& g : line.glyphs) {
    if (FT_Load_Glyph(g.face->ft(), g.id, kLoadFlags) != 0) continue;
    const FT_Glyph_Metrics& m = g.face->ft()->glyph->metrics;
    if (m.width == 0) continue;
    int left = static_cast<int>(std::floor((g.x + m.horiBearingX) / 64.0));
    int right = static_cast<int>(std::ceil((g.x + m.horiBearingX + m.width) / 64.0));
    line.ink_left = any ? std::min(line.ink_left, left) : left;
    line.ink_right = any ? std::max(line.ink_right, right) : right;
    any = true;
  }
  return line;
}

// Breaks TEXT into at most MAX_LINES lines whose ink is at most WIDTH pixels at PX, at
// spaces; a word wider than WIDTH is cut between letters when CUT. Returns nothing when
// the text needs more lines (or, without CUT, has a word too wide), unless TRUNCATED is
// given: then the lines that fit are kept, the last one ending in an ellipsis, and
// *TRUNCATED says whether text was left out. Stops at the first line too many, so a
// title of 70,000 characters costs what MAX_LINES lines cost (it took a minute).
std::vector<Line> break_lines(std::string_view text, int px, int width, Face& main, Face* fallback,
                              bool cut, size_t max_lines, bool* truncated = nullptr) {
  std::vector<std::string> texts;  // the lines' text, as they are decided
  std::string current;
  bool too_many = false;
  // Ends the line CURRENT; false when it is one too many.
  auto end_line = [&]() {
    if (texts.size() == max_lines) {
      too_many = true;
      return false;
    }
    texts.push_back(std::move(current));
    current.clear();
    return true;
  };
  auto fits = [&](std::string_view t) {
    return shape(t, px, main, fallback, width).width() <= width;
  };
  size_t i = 0;
  while (i < text.size() && !too_many) {
    while (i < text.size() && text[i] == ' ') ++i;
    size_t end = std::min(text.find(' ', i), text.size());
    if (end == i) break;
    std::string_view word = text.substr(i, end - i);
    i = end;
    std::string candidate = current.empty() ? std::string(word) : current + " " + std::string(word);
    if (fits(candidate)) {
      current = std::move(candidate);
      continue;
    }
    if (!current.empty() && !end_line()) break;
    if (fits(word)) {
      current = std::string(word);
      continue;
    }
    if (!cut) return {};
    // Cut the word: as many characters as fit on each line.
    std::string_view rest = word;
    while (!rest.empty()) {
      size_t fit = 0, k = 0;
      while (k < rest.size()) {
        size_t next = k;
        next_code_point(rest, next);
        if (fit > 0 && !fits(rest.substr(0, next))) break;
        fit = k = next;
      }
      current = std::string(rest.substr(0, fit));
      rest.remove_prefix(fit);
      if (rest.empty() || !end_line()) break;
    }
  }
  if (!too_many && !current.empty()) end_line();
  if (too_many && !truncated) return {};
  if (truncated) *truncated = too_many;
  if (too_many && !texts.empty()) {
    // The last line keeps as much as fits before the ellipsis.
    std::string& last = texts.back();
    while (!last.empty() && !fits(last + "\u2026")) {
      size_t cut_at = last.size() - 1;
      while (cut_at > 0 && (static_cast<unsigned char>(last[cut_at]) & 0xC0) == 0x80) --cut_at;
      last.resize(cut_at);
    }
    last += "\u2026";
  }
  std::vector<Line> lines;
  for (const std::string& t : texts) lines.push_back(shape(t, px, main, fallback));
  return lines;
}

// A text set for the cover: its lines and size.
struct TextBlock {
  std::vector<Line> lines;
  int size = 0;
  bool truncated = false;  // it did not fit even at kSmallestSize: its end is left out
};

// Sets TEXT as large as it goes from MAX down, within WIDTH and MAX_LINES lines. From MIN
// down a word wider than WIDTH is cut between letters rather than shrunk further; at
// kSmallestSize what does not fit in MAX_LINES lines is left out, with an ellipsis.
TextBlock fit(std::string_view text, int max, int min, int max_lines, int width, Face& main,
              Face* fallback) {
  TextBlock b;
  if (trim(text).empty()) return b;
  // Five lines at the smallest size hold a few hundred characters: what lies past this
  // is never shown, and is not shaped at every size tried.
  if (text.size() > kMaxTextBytes) {
    text = utf8_prefix(text, kMaxTextBytes);
    b.truncated = true;
  }
  const size_t most = static_cast<size_t>(max_lines);
  for (double px = max;; px *= kSizeStep) {
    int size = std::max(static_cast<int>(px), kSmallestSize);
    bool last = size == kSmallestSize;
    bool cut_short = false;
    std::vector<Line> lines = break_lines(text, size, width, main, fallback, size <= min, most,
                                          last ? &cut_short : nullptr);
    b.truncated = b.truncated || cut_short;
    if (!lines.empty() || last) {
      b.lines = std::move(lines);
      b.size = size;
      return b;
    }
  }
}

// The cover's pixels as palette indexes, row by row.
class Canvas {
 public:
  Canvas() : pixels_(static_cast<size_t>(kCoverWidth) * kCoverHeight, 0) {}

  // Fills a rectangle with the accent.
  void fill(int x, int y, int w, int h) {
    for (int row = std::max(0, y); row < std::min(kCoverHeight, y + h); ++row)
      for (int col = std::max(0, x); col < std::min(kCoverWidth, x + w); ++col)
        pixels_[static_cast<size_t>(row) * kCoverWidth + col] = kAccentIndex;
  }

  // Draws LINE centred, with its baseline at BASELINE.
  void draw(const Line& line, int px, int baseline) {
    int origin = (kCoverWidth - line.width()) / 2 - line.ink_left;
    for (const Glyph& g : line.glyphs) {
      g.face->set_size(px);
      if (FT_Load_Glyph(g.face->ft(), g.id, kLoadFlags | FT_LOAD_RENDER) != 0) continue;
      const FT_GlyphSlot slot = g.face->ft()->glyph;
      const FT_Bitmap& bm = slot->bitmap;
      if (bm.pixel_mode != FT_PIXEL_MODE_GRAY) continue;
      int left = origin + static_cast<int>(std::lround(g.x / 64.0)) + slot->bitmap_left;
      int top = baseline - static_cast<int>(std::lround(g.y / 64.0)) - slot->bitmap_top;
      for (unsigned r = 0; r < bm.rows; ++r) {
        int y = top + static_cast<int>(r);
        if (y < 0 || y >= kCoverHeight) continue;
        for (unsigned c = 0; c < bm.width; ++c) {
          int x = left + static_cast<int>(c);
          if (x < 0 || x >= kCoverWidth) continue;
          int coverage = bm.buffer[r * static_cast<unsigned>(bm.pitch) + c];
          if (coverage == 0) continue;
          uint8_t& p = pixels_[static_cast<size_t>(y) * kCoverWidth + x];
          int level = (coverage * kTextLevels + 127) / 255;
          if (p != kAccentIndex && level > p) p = static_cast<uint8_t>(level);
        }
      }
    }
  }

  // Encodes the canvas as an indexed PNG in the three colours (0xRRGGBB).
  std::optional<std::string> png(uint32_t background, uint32_t text, uint32_t accent) const {
    std::vector<png_byte> colormap(256 * 3);
    auto channel = [](uint32_t rgb, int shift) { return static_cast<int>((rgb >> shift) & 0xff); };
    for (int i = 0; i < 256; ++i) {
      for (int ch = 0; ch < 3; ++ch) {
        int shift = 16 - 8 * ch;
        int v = i == kAccentIndex
                    ? channel(accent, shift)
                    : channel(background, shift) +
                          (channel(text, shift) - channel(background, shift)) * i / kTextLevels;
        colormap[static_cast<size_t>(i) * 3 + static_cast<size_t>(ch)] = static_cast<png_byte>(v);
      }
    }
    // libpng's full interface, for the zlib settings: the canvas is long runs of one
    // index, which run-length deflate packs as small as the default and many times faster.
    std::string out;
    std::vector<png_color> palette(256);
    for (size_t i = 0; i < palette.size(); ++i)
      palette[i] = {colormap[i * 3], colormap[i * 3 + 1], colormap[i * 3 + 2]};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png ? png_create_info_struct(png) : nullptr;
    if (!info) {
      png_destroy_write_struct(&png, nullptr);
      return std::nullopt;
    }
    // libpng reports errors by longjmp: nothing with a destructor is made below this.
    if (setjmp(png_jmpbuf(png))) {
      png_destroy_write_struct(&png, &info);
      return std::nullopt;
    }
    png_set_write_fn(
        png, &out,
        [](png_structp p, png_bytep data, png_size_t n) {
          static_cast<std::string*>(png_get_io_ptr(p))->append(reinterpret_cast<char*>(data), n);
        },
        nullptr);
    png_set_IHDR(png, info, kCoverWidth, kCoverHeight, 8, PNG_COLOR_TYPE_PALETTE,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_PLTE(png, info, palette.data(), static_cast<int>(palette.size()));
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
    png_set_compression_strategy(png, Z_RLE);
    png_set_compression_level(png, Z_BEST_COMPRESSION);
    png_write_info(png, info);
    for (int row = 0; row < kCoverHeight; ++row)
      png_write_row(png, pixels_.data() + static_cast<size_t>(row) * kCoverWidth);
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    return out;
  }

 private:
  std::vector<uint8_t> pixels_;
};

// Returns FILES' face for STYLE, falling back to regular.
const std::string& face_file(const FontFiles& files, FaceStyle style) {
  const std::string* f = style == FaceStyle::Bold     ? &files.bold
                         : style == FaceStyle::Italic ? &files.italic
                                                      : &files.regular;
  return f->empty() ? files.regular : *f;
}

// Returns the height above the baseline of PX-pixel text in FACE.
int ascent(Face& face, int px) {
  face.set_size(px);
  return static_cast<int>(face.ft()->size->metrics.ascender / 64);
}

}  // namespace

std::optional<std::string> render_cover(const Metadata& meta, const Style& style,
                                        const std::string& file, Diagnostics& diag) {
  FT_Library library = nullptr;
  if (FT_Init_FreeType(&library) != 0) {
    diag.warning(file, {}, "no cover made: FreeType did not start",
                 "name a cover image in book.toml (cover = \"...\"), or cover = false");
    return std::nullopt;
  }
  std::unique_ptr<FT_LibraryRec_, void (*)(FT_Library)> keep(
      library, [](FT_Library l) { FT_Done_FreeType(l); });
  Face bold(library, face_file(style.fonts.text, FaceStyle::Bold));
  Face italic(library, face_file(style.fonts.text, FaceStyle::Italic));
  Face regular(library, face_file(style.fonts.text, FaceStyle::Regular));
  Face fallback_face(library, style.fonts.fallback.regular);
  Face* fallback = fallback_face.ok() ? &fallback_face : nullptr;
  if (!bold.ok() || !italic.ok() || !regular.ok()) {
    diag.warning(file, {},
                 "no cover made: the PDF style's text fonts cannot be loaded (" +
                     style.fonts.text.regular + ")",
                 missing_font_hint(style.fonts.text.regular, "fonts.text.regular") +
                     "; or name a cover image in book.toml");
    return std::nullopt;
  }

  constexpr int kMeasure = kCoverWidth - 2 * kCoverMargin;
  std::string authors;
  for (const std::string& a : meta.authors) authors.append(authors.empty() ? "" : ", ").append(a);
  TextBlock title = fit(meta.title.empty() ? "Untitled" : meta.title, kTitleMax, kTitleMin,
                        kTitleLines, kMeasure, bold, fallback);
  TextBlock subtitle =
      fit(meta.subtitle, kSubtitleMax, kSubtitleMin, kSubtitleLines, kMeasure, italic, fallback);
  TextBlock author =
      fit(authors, kAuthorMax, kAuthorMin, kAuthorLines, kMeasure, regular, fallback);
  // Said at the key in book.toml (line 0 when the text came from elsewhere).
  struct Cut {
    const TextBlock* block;
    const char* key;
    const char* what;
    SourcePos pos;
  };
  for (const Cut& c : {Cut{&title, "title", "the title is", meta.title_pos},
                       Cut{&subtitle, "subtitle", "the subtitle is", meta.subtitle_pos},
                       Cut{&author, "authors", "the list of authors is", meta.authors_pos}})
    if (c.block->truncated)
      diag.warning(file, c.pos,
                   std::string(c.what) + " too long for the generated cover; its end is left "
                   "out there",
                   std::string("shorten '") + c.key + "' in [book], or name a cover image "
                   "(cover = \"...\")");

  Canvas canvas;
  // The frame, inside the margins.
  constexpr int kFrameOuter = kCoverWidth - 2 * kFrameInset;
  constexpr int kFrameTall = kCoverHeight - 2 * kFrameInset;
  canvas.fill(kFrameInset, kFrameInset, kFrameOuter, kFrameWidth);
  canvas.fill(kFrameInset, kCoverHeight - kFrameInset - kFrameWidth, kFrameOuter, kFrameWidth);
  canvas.fill(kFrameInset, kFrameInset, kFrameWidth, kFrameTall);
  canvas.fill(kCoverWidth - kFrameInset - kFrameWidth, kFrameInset, kFrameWidth, kFrameTall);

  auto step = [](const TextBlock& b) {
    return static_cast<int>(std::lround(b.size * kLineSpacing));
  };
  int baseline = kTitleTop + ascent(bold, title.size);
  for (size_t i = 0; i < title.lines.size(); ++i) {
    if (i > 0) baseline += step(title);
    canvas.draw(title.lines[i], title.size, baseline);
  }
  int y = baseline + kGap;
  canvas.fill((kCoverWidth - kRuleWidth) / 2, y, kRuleWidth, kRuleHeight);
  y += kRuleHeight + kGap;
  if (!subtitle.lines.empty()) {
    baseline = y + ascent(italic, subtitle.size);
    for (size_t i = 0; i < subtitle.lines.size(); ++i) {
      if (i > 0) baseline += step(subtitle);
      canvas.draw(subtitle.lines[i], subtitle.size, baseline);
    }
  }
  if (!author.lines.empty()) {
    baseline = kAuthorBottom - step(author) * static_cast<int>(author.lines.size() - 1);
    for (const Line& line : author.lines) {
      canvas.draw(line, author.size, baseline);
      baseline += step(author);
    }
  }
  std::optional<std::string> png =
      canvas.png(style.cover_background, style.cover_text, style.cover_accent);
  if (!png) {
    diag.warning(file, {}, "no cover made: the PNG could not be written",
                 "name a cover image in book.toml (cover = \"...\"), or cover = false");
  }
  return png;
}

namespace {

// Makes PNG, the generated cover, BOOK's own asset.
void attach_cover(Book& book, std::string png) {
  Asset& a = book.assets.emplace_back();
  a.source = kGeneratedCoverSource;
  a.href = kGeneratedCoverHref;
  for (int n = 2;; ++n) {  // clear of the book's own images
    bool taken = false;
    for (size_t i = 0; i + 1 < book.assets.size(); ++i)
      taken = taken || book.assets[i].href == a.href;
    if (!taken) break;
    a.href = "images/cover-" + std::to_string(n) + ".png";
  }
  a.media_type = "image/png";
  a.id = "cover-image";
  a.width = kCoverWidth;
  a.height = kCoverHeight;
  a.bit_depth = 8;
  a.data = std::move(png);
  book.meta.cover = a.source;
}

}  // namespace

void add_generated_cover(Book& book, Diagnostics& diag) {
  CoverDrawing drawing(book, false);
  drawing.finish(book, diag);
}

CoverDrawing::CoverDrawing(const Book& book, bool thread) {
  wanted_ = book.meta.cover.empty() && !book.meta.no_cover;
  if (!wanted_) return;
  meta_ = book.meta;
  config_ = book.config_display();
  // The style's own mistakes are the PDF's to report; the cover takes what it can.
  Diagnostics style_diag;
  style_ = load_style(book, style_diag);
  if (!thread) return;
  try {
    thread_ = std::thread([this] { draw(); });
  } catch (const std::system_error&) {
    // No thread to spare: finish draws it.
  }
}

CoverDrawing::~CoverDrawing() {
  if (thread_.joinable()) thread_.join();
}

void CoverDrawing::draw() {
  work::Charge charge(&units_);
  png_ = render_cover(meta_, style_, config_, found_);
}

void CoverDrawing::finish(Book& book, Diagnostics& diag) {
  if (!wanted_) return;
  wanted_ = false;
  if (thread_.joinable())
    thread_.join();  // it has drawn
  else
    draw();  // no thread was started
  for (Diagnostic& d : found_.all()) diag.add(std::move(d));
  if (png_) attach_cover(book, std::move(*png_));
}

}  // namespace colophon
