#include "pdf/writer.h"

#include <hpdf.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <ctime>
#include <deque>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "core/paths.h"
#include "core/utf8.h"
#include "core/work.h"
#include "pdf/cid_fonts.h"
#include "pdf/deflate_queue.h"
#include "pdf/haru.h"
#include "pdf/images.h"

namespace colophon {

namespace {

// The longest string a PDF may hold (PDF 1.7, Annex C implementation limits); libharu
// fails the whole document on a longer one. Link addresses and the document's metadata
// (title, author ...) are held to it.
constexpr size_t kMaxUriBytes = 32767;
constexpr size_t kMaxInfoBytes = 32767;
// Bookmarks (the outline) show a heading's first words: a heading is cut there, with
// an ellipsis, in the outline only.
constexpr size_t kMaxBookmarkBytes = 1000;
// The most pages a PDF from colophon has: far beyond any printed volume (libharu itself
// stops at 32,767 pages in one page tree), and about 300 MB of memory to lay out.
constexpr size_t kMaxPdfPages = 30000;

// libharu's own name for the UTF-8 encoder that HPDF_UseUTFEncodings registers.
constexpr const char* kUtf8Encoder = "UTF-8";

// The CMYK printer profile (a press on coated paper) embedded in a print PDF's output
// intent: Ghostscript's, from Debian's libgs-common.
constexpr const char* kPrinterProfile = "/usr/share/color/icc/ghostscript/default_cmyk.icc";

// What libharu's error handler saw; the first error ends the document.
struct HaruError {
  bool failed = false;
  HPDF_STATUS code = 0;
  HPDF_STATUS detail = 0;
};

// Records the first libharu error; does nothing else, so nothing unwinds through C.
void on_haru_error(HPDF_STATUS code, HPDF_STATUS detail, void* user) noexcept {
  auto* e = static_cast<HaruError*>(user);
  if (e->failed) return;
  e->failed = true;
  e->code = code;
  e->detail = detail;
}

// Frees a libharu document when it goes out of scope.
struct DocFree {
  void operator()(HPDF_Doc pdf) const { HPDF_Free(pdf); }
};
using DocPtr = std::unique_ptr<std::remove_pointer_t<HPDF_Doc>, DocFree>;

// A run that starts this far (ems) left of where the previous run on its line ended
// still joins its line; anything further back starts a new text position.
constexpr double kJoinToleranceEm = 0.01;
// A gap between runs on a line at least this wide (ems) gets a space character, so
// text extraction sees two words; justified word spaces never shrink this far.
constexpr double kWordSpaceMinEm = 0.1;
// The PDF's glyph widths are whole thousandths of an em; drift smaller than this
// between the viewer's pen and HarfBuzz's is not worth a number in the TJ array.
constexpr double kDrawDriftToleranceEm = 0.0005;

// Appends V with at most DECIMALS digits after the point, trailing zeros dropped,
// independent of the locale ("-12.5", "3", "0.25").
void append_number(std::string& out, double v, int decimals) {
  char buf[64];
  if (std::fabs(v) < 0.5 * std::pow(10.0, -decimals)) v = 0;  // no "-0"
  auto result = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
  char* end = result.ptr;
  if (decimals > 0) {
    while (end[-1] == '0') --end;
    if (end[-1] == '.') --end;
  }
  out.append(buf, end);
}

// zlib level for page contents, compressed on a worker thread: on the 2 MB generated
// book's 13 MB of contents, level 4 took 70% of the CPU time of libharu's level 6 for
// 3.5% more bytes.
constexpr int kContentZlibLevel = 4;

// /DecodeParms /Predictor value for rows that each name their own PNG filter.
constexpr int kPngPredictors = 15;

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Returns TEXT (UTF-8) with its code points in reverse order.
std::string reversed_letters(std::string_view text) {
  std::vector<std::string_view> letters;
  for (size_t i = 0; i < text.size();) {
    size_t at = i;
    next_code_point(text, i);
    letters.push_back(text.substr(at, i - at));
  }
  std::string out;
  for (size_t k = letters.size(); k-- > 0;) out += letters[k];
  return out;
}

// Draws one laid-out document with libharu.
class Renderer {
 public:
  Renderer(const Document& document, const Book& book, const RealFontMetrics& fonts,
           ImageEncoder& encoder, const std::string& out_name, Diagnostics& diag)
      : doc_(document),
        book_(book),
        fonts_(fonts),
        encoder_(encoder),
        out_name_(out_name),
        diag_(diag) {}

  std::optional<std::string> run() {
    if (doc_.pages.size() > kMaxPdfPages) {
      diag_.error(book_.config_display(), {},
                  "the PDF would have " + std::to_string(doc_.pages.size()) +
                      " pages; colophon writes at most " + std::to_string(kMaxPdfPages),
                  "split the book into volumes (a book each), or build only the EPUB with "
                  "--format epub");
      return std::nullopt;
    }
    pdf_.reset(HPDF_New(on_haru_error, &error_));
    if (!pdf_) return fail("cannot start libharu");
    HPDF_Doc pdf = pdf_.get();
    HPDF_UseUTFEncodings(pdf);
    HPDF_SetCurrentEncoder(pdf, kUtf8Encoder);
    HPDF_SetCompressionMode(pdf, HPDF_COMP_ALL);
    fonts_pdf_.emplace(pdf, fonts_);
    set_info();
    set_language();
    collect_anchors();
    DeflateQueue contents(kContentZlibLevel);
    for (size_t i = 0; i < doc_.pages.size() && !error_.failed; ++i) {
      draw_page(doc_.pages[i]);
      queue_content(contents);
    }
    // A printed book has no links or bookmarks (KDP refuses annotations and outlines).
    if (!book_.pdf.print)
      for (size_t i = 0; i < doc_.pages.size() && !error_.failed; ++i) add_links(i);
    if (!error_.failed) add_outline();
    if (!error_.failed) add_page_labels();
    if (!error_.failed) {
      std::string font_error = fonts_pdf_->finish();
      if (!font_error.empty() && !error_.failed) {
        error_.failed = true;
        fail_note_ = font_error;
      }
    }
    if (!error_.failed && book_.pdf.print) set_pdfx();
    if (!error_.failed) install_contents(contents);
    if (error_.failed) {
      return fail(fail_note_.empty() ? "libharu failed while drawing the document" : fail_note_);
    }
    return save();
  }

 private:
  std::optional<std::string> fail(const std::string& what) {
    char code[64] = "";
    if (error_.failed) {
      std::snprintf(code, sizeof code, " (libharu error 0x%04X, detail %u)",
                    static_cast<unsigned>(error_.code), static_cast<unsigned>(error_.detail));
    }
    // The limits colophon knows are checked before libharu sees them; one that is still
    // reached is a limit of the book's size, not a bug.
    bool limit = error_.failed &&
                 (error_.code == HPDF_ARRAY_COUNT_ERR || error_.code == HPDF_DICT_COUNT_ERR ||
                  error_.code == HPDF_XREF_COUNT_ERR || error_.code == HPDF_STRING_OUT_OF_RANGE ||
                  error_.code == HPDF_NAME_OUT_OF_RANGE || error_.code == HPDF_REAL_OUT_OF_RANGE);
    if (limit)
      diag_.error(out_name_, {}, "cannot write the PDF: the book passes a limit of the PDF writer" +
                                     std::string(code),
                  "see the Limits table of the guide (Errors and diagnostics); make the book "
                  "smaller, or build only the EPUB with --format epub");
    else
      diag_.error(out_name_, {}, "cannot write the PDF: " + what + code,
                  "this is a bug in colophon's PDF writer; please report it with the book");
    return std::nullopt;
  }

  // Converts a y measured down from the page top to PDF's y measured up from the bottom.
  double pdf_y(double y) const { return doc_.height - y; }

  void set_info() {
    HPDF_Doc pdf = pdf_.get();
    const Metadata& m = book_.meta;
    // Sets one entry, cut to the longest string a PDF holds (with a warning: the EPUB
    // keeps the whole value).
    auto set = [&](HPDF_InfoType type, const std::string& value, const char* key = nullptr) {
      if (value.empty()) return;
      std::string_view kept = utf8_prefix(value, kMaxInfoBytes);
      if (kept.size() < value.size() && key)
        diag_.warning(book_.config_display(), {},
                      std::string("'") + key + "' is " + std::to_string(value.size()) +
                          " bytes long; the PDF keeps its first " + std::to_string(kept.size()),
                      std::string("shorten '") + key + "' in [book]");
      HPDF_SetInfoAttr(pdf, type, std::string(kept).c_str());
    };
    auto join = [](const std::vector<std::string>& items) {
      std::string s;
      for (const std::string& item : items) s += (s.empty() ? "" : ", ") + item;
      return s;
    };
    std::string title = m.title;
    if (!m.subtitle.empty()) title += ": " + m.subtitle;
    set(HPDF_INFO_TITLE, title, "title");
    set(HPDF_INFO_AUTHOR, join(m.authors), "authors");
    set(HPDF_INFO_SUBJECT, m.description, "description");
    set(HPDF_INFO_KEYWORDS, join(m.subjects), "subjects");
    set(HPDF_INFO_CREATOR, "colophon");
    // The book's language in the catalog (/Lang), for screen readers and text tools;
    // libharu has no call for it, so it goes into the catalog dictionary directly.
    if (!m.language.empty()) {
      HPDF_String lang = HPDF_String_New(pdf->mmgr, m.language.c_str(), nullptr);
      if (lang != nullptr) HPDF_Dict_Add(pdf->catalog, "Lang", lang);
    }
    std::time_t t = static_cast<std::time_t>(book_.build_time);
    std::tm tm{};
    gmtime_r(&t, &tm);
    HPDF_Date date{};
    date.year = tm.tm_year + 1900;
    date.month = tm.tm_mon + 1;
    date.day = tm.tm_mday;
    date.hour = tm.tm_hour;
    date.minutes = tm.tm_min;
    date.seconds = tm.tm_sec;
    date.ind = 'Z';
    HPDF_SetInfoDateAttr(pdf, HPDF_INFO_CREATION_DATE, date);
    HPDF_SetInfoDateAttr(pdf, HPDF_INFO_MOD_DATE, date);
  }

  // Names the book's language in the catalog (/Lang, PDF 1.4), for screen readers and
  // for viewers that pick a hyphenation or a voice by it.
  void set_language() {
    if (book_.meta.language.empty()) return;
    haru::set_version(pdf_.get(), 14);
    haru::set_string(haru::catalog(pdf_.get()), "Lang", book_.meta.language);
  }

  // Sizes the page just added for the printer: the trim plus the bleed on its three
  // outer edges (the right of a recto, the left of a verso), with its TrimBox and
  // BleedBox, and moves what is drawn onto the trim.
  void set_print_boxes(HPDF_Page page) {
    const double bleed = book_.pdf.bleed;
    const bool verso = pages_.size() % 2 == 0;  // pages_ ends with this page
    const double dx = verso ? bleed : 0;
    const double width = doc_.width + bleed, height = doc_.height + 2 * bleed;
    HPDF_Page_SetWidth(page, static_cast<HPDF_REAL>(width));
    HPDF_Page_SetHeight(page, static_cast<HPDF_REAL>(height));
    haru::set_numbers(page, "BleedBox", {0, 0, width, height});
    haru::set_numbers(page, "TrimBox", {dx, bleed, dx + doc_.width, bleed + doc_.height});
    if (bleed > 0)
      HPDF_Page_Concat(page, 1, 0, 0, 1, static_cast<HPDF_REAL>(dx), static_cast<HPDF_REAL>(bleed));
  }

  // Warns once per image placed at under 300 dots per inch, which prints soft. (Colour
  // images are already grey: the encoder made them so for print.)
  void check_print_image(const ImageBox& box) {
    if (box.asset < 0 || box.asset >= static_cast<int>(book_.assets.size()) || box.width <= 0)
      return;
    const EncodedImage& e = encoder_.get(static_cast<size_t>(box.asset));
    if (e.kind == EncodedImage::Kind::Missing) return;
    const Asset& a = book_.assets[static_cast<size_t>(box.asset)];
    const std::string file = box.file.empty() ? book_.display(a.source) : box.file;
    const double dpi = e.width / (box.width / 72.0);
    if (dpi < 299.5 && low_dpi_warned_.insert(box.asset).second)
      diag_.warning(file, box.pos,
                    "image '" + a.source + "' prints at " + std::to_string(std::lround(dpi)) +
                        " dpi (" + std::to_string(e.width) + " pixels across " +
                        std::to_string(std::lround(box.width / 72.0 * 25.4)) +
                        " mm); printers ask for 300",
                    "use an image of at least " +
                        std::to_string(std::lround(box.width / 72.0 * 300)) +
                        " pixels across, or place it smaller");
  }

  // Makes the file a PDF/X-1a:2001 printing file: the PDF/X keys in the info dictionary,
  // not trapped, and an output intent for the standard US press (CGATS TR 001, "SWOP"),
  // with Ghostscript's CMYK printer profile (Debian's libgs-common) when it is installed.
  void set_pdfx() {
    HPDF_Doc pdf = pdf_.get();
    haru::set_version(pdf, 13);  // fonts are TrueType or bare CFF, images grey: PDF 1.3
    HPDF_Dict info = haru::info(pdf);
    if (!info) return;
    haru::set_string(info, "GTS_PDFXVersion", "PDF/X-1:2001");
    haru::set_string(info, "GTS_PDFXConformance", "PDF/X-1a:2001");
    haru::set_name(info, "Trapped", "False");
    HPDF_Dict intent = haru::new_dict(pdf, true);
    if (!intent) return;
    haru::set_name(intent, "Type", "OutputIntent");
    haru::set_name(intent, "S", "GTS_PDFX");
    haru::set_string(intent, "OutputConditionIdentifier", "CGATS TR 001");
    haru::set_string(intent, "RegistryName", "http://www.color.org");
    haru::set_string(intent, "Info", "U.S. Web Coated (SWOP)");
    if (std::optional<std::string> icc = read_file(kPrinterProfile)) {
      if (HPDF_Dict profile = haru::new_stream(pdf, *icc, true)) {
        haru::set_int(profile, "N", 4);
        haru::set_dict(intent, "DestOutputProfile", profile);
      }
    }
    haru::set_dicts(haru::catalog(pdf), "OutputIntents", {intent});
    // PDF/X wants the file identifier: 16 bytes from the book's title, authors and build
    // time (FNV-1a), so the same book gives the same file.
    std::string id(16, '\0');
    uint64_t h = 14695981039346656037ull;
    std::string seed = book_.meta.title + '\n' + std::to_string(book_.build_time);
    for (const std::string& a : book_.meta.authors) seed += '\n' + a;
    for (size_t i = 0; i < id.size(); ++i) {
      for (char c : seed) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
      h = (h ^ i) * 1099511628211ull;
      id[i] = static_cast<char>(h >> 56);
    }
    haru::set_trailer_id(pdf, id);
  }

  void collect_anchors() {
    for (size_t p = 0; p < doc_.pages.size(); ++p) {
      for (const Anchor& a : doc_.pages[p].anchors) {
        anchors_.try_emplace(a.name, static_cast<int>(p), a.y);  // first one wins
      }
    }
  }

  HPDF_Image image(const ImageBox& box) {
    int asset = box.asset;
    if (asset < 0 || asset >= static_cast<int>(book_.assets.size())) return nullptr;
    if (auto it = images_.find(asset); it != images_.end()) return it->second;
    HPDF_Image img = load_image(static_cast<size_t>(asset), box);
    images_[asset] = img;
    return img;
  }

  // Loads ASSET, first drawn as BOX. An image that cannot be decoded is an error at its
  // first reference: the EPUB would carry the same broken file.
  HPDF_Image load_image(size_t asset, const ImageBox& box) {
    const EncodedImage& e = encoder_.get(asset);
    switch (e.kind) {
      case EncodedImage::Kind::Missing: {
        const Asset& a = book_.assets[asset];
        bool at_ref = !box.file.empty();
        std::string file = at_ref ? box.file : book_.display(a.source);
        std::string what = at_ref ? "image '" + a.source + "': " + e.problem : e.problem;
        // A PNG or JPEG that cannot be decoded is broken in the EPUB too: an error. Other
        // types (SVG, GIF) are fine in the EPUB; the PDF only leaves them out.
        if (a.media_type == "image/png" || a.media_type == "image/jpeg")
          diag_.error(file, box.pos, what, e.hint);
        else
          diag_.add({Severity::Warning, file, box.pos, what + "; it is left out", e.hint,
                     "images are left out of the PDF, which cannot show them",
                     "'" + a.source + "'"});
        return nullptr;
      }
      case EncodedImage::Kind::Jpeg:
        return HPDF_LoadJpegImageFromMem(pdf_.get(),
                                         reinterpret_cast<const HPDF_BYTE*>(e.data.data()),
                                         static_cast<HPDF_UINT>(e.data.size()));
      case EncodedImage::Kind::Flate:
        break;
    }
    HPDF_Dict img = haru::image_stream(pdf_.get(), e.data, e.width, e.height, e.bits, sources_);
    if (!img) return nullptr;
    if (e.palette.empty()) {
      haru::set_name(img, "ColorSpace", e.colors == 3 ? "DeviceRGB" : "DeviceGray");
    } else {
      haru::Array space = haru::new_array_in(img, "ColorSpace");
      haru::array_add_name(space, "Indexed");
      haru::array_add_name(space, "DeviceRGB");
      haru::array_add_number(space, static_cast<double>(e.palette.size() / 3) - 1);
      haru::array_add_binary(space, e.palette);
    }
    if (e.png_rows) add_png_predictors(img, e.colors, e.bits, e.width);
    if (!e.color_key.empty()) {
      haru::Array key = haru::new_array_in(img, "Mask");
      for (int v : e.color_key) haru::array_add_number(key, v);
    }
    if (!e.alpha.empty()) {
      HPDF_Dict mask = haru::image_stream(pdf_.get(), e.alpha, e.width, e.height, 8, sources_);
      if (!mask) return nullptr;
      haru::set_name(mask, "ColorSpace", "DeviceGray");
      if (e.alpha_png_rows) add_png_predictors(mask, 1, 8, e.width);
      if (e.alpha_inverted) haru::set_numbers(mask, "Decode", {1, 0});
      haru::set_dict(img, "SMask", mask);
    }
    return error_.failed ? nullptr : img;
  }

  // Tells the reader of IMG's stream that each row starts with a PNG filter byte.
  void add_png_predictors(HPDF_Dict img, int colors, int bits, int width) {
    HPDF_Dict parms = haru::new_dict(pdf_.get(), false);
    if (!parms) return;
    haru::set_int(parms, "Predictor", kPngPredictors);
    haru::set_int(parms, "Colors", colors);
    haru::set_int(parms, "BitsPerComponent", bits);
    haru::set_int(parms, "Columns", width);
    haru::set_dict(img, "DecodeParms", parms);
  }

  // Hands the content stream of the page just drawn to CONTENTS for compression on
  // the worker thread, unless libharu might still add to it; then libharu compresses it.
  void queue_content(DeflateQueue& contents) {
    HPDF_Page page = pages_.empty() ? nullptr : pages_.back();
    if (!page) return;
    std::optional<std::string> bytes = haru::take_content(page);
    if (bytes) queued_contents_.emplace_back(page, contents.add(std::move(*bytes)));
  }

  // Puts the compressed page contents back into their streams, which libharu then
  // writes as they are. Takes them last page first, so that this thread and the
  // worker compress the rest from both ends.
  void install_contents(DeflateQueue& contents) {
    for (size_t i = queued_contents_.size(); i-- > 0 && !error_.failed;) {
      auto [page, ticket] = queued_contents_[i];
      std::string z = contents.take(ticket);
      if (z.empty() || !haru::put_deflated_content(page, z)) {
        error_.failed = true;
        fail_note_ = z.empty() ? "out of memory while compressing the pages"
                               : "a page was drawn on after its contents were compressed";
        return;
      }
    }
  }

  void draw_page(const Page& p) {
    HPDF_Page page = HPDF_AddPage(pdf_.get());
    pages_.push_back(page);
    if (!page) return;
    if (book_.pdf.print) {
      set_print_boxes(page);
    } else {
      HPDF_Page_SetWidth(page, static_cast<HPDF_REAL>(doc_.width));
      HPDF_Page_SetHeight(page, static_cast<HPDF_REAL>(doc_.height));
    }
    for (const ImageBox& box : p.images) {
      if (book_.pdf.print) check_print_image(box);
      if (HPDF_Image img = image(box)) {
        HPDF_Page_DrawImage(page, img, static_cast<HPDF_REAL>(box.x),
                            static_cast<HPDF_REAL>(pdf_y(box.y + box.height)),
                            static_cast<HPDF_REAL>(box.width), static_cast<HPDF_REAL>(box.height));
      }
    }
    if (!p.rules.empty()) {
      for (const Rule& r : p.rules) {
        HPDF_Page_Rectangle(page, static_cast<HPDF_REAL>(r.x),
                            static_cast<HPDF_REAL>(pdf_y(r.y + r.height)),
                            static_cast<HPDF_REAL>(r.width), static_cast<HPDF_REAL>(r.height));
      }
      HPDF_Page_Fill(page);
    }
    if (p.texts.empty()) return;
    draw_texts(page, p.texts);
  }

  // Draws every run of a page in one text object, written straight into the page's
  // content stream: each run is drawn as the glyphs HarfBuzz shaped for it, two bytes
  // a glyph id (the fonts are CID fonts with Identity-H), and each line becomes one TJ
  // with the kerning and word spaces as numbers. Runs that continue a line (same font,
  // size and baseline) join its TJ, with a space glyph in gaps wide enough to be word
  // spaces, so text extraction sees the words.
  void draw_texts(HPDF_Page page, const std::vector<TextRun>& runs) {
    HPDF_Page_BeginText(page);
    std::string out;
    Tj tj{out};
    CidFont* current = nullptr;
    double current_size = 0;
    double line_y = 0, pen_x = 0;  // the open TJ's baseline and where its pen stands
    for (const TextRun& run : runs) {
      work::add(run.text.size() + 1);
      if (run.text.empty()) continue;
      CidFont* f = fonts_pdf_->get(run.face);
      if (!f) {
        error_.failed = true;
        fail_note_ = "cannot embed font '" + fonts_.file(run.face) + "'";
        break;
      }
      // The layout resolved each run's direction (bidi levels): a left-to-right run is
      // shaped so, never by the guess from its script, which takes Arabic-Indic and
      // Persian digits (Arabic script, yet numbers, read left to right) as right to left.
      const ShapedText& shaped =
          fonts_.shape(run.face, run.text, run.rtl ? ShapeDirection::Rtl : ShapeDirection::Ltr);
      if (shaped.glyphs.empty()) continue;
      const double size = run.size;
      const bool same_font = f == current && size == current_size;
      const double gap = run.x - pen_x;
      if (tj.open && same_font && run.y == line_y && gap > -kJoinToleranceEm * size) {
        double shift_em = gap / size;
        if (shift_em >= kWordSpaceMinEm && run.spaced && f->space_glyph() != 0) {
          tj.glyph(f->space_glyph());
          f->use(f->space_glyph(), " ");
          shift_em -= f->width_em(f->space_glyph());
        }
        tj.shift(shift_em);
      } else {
        tj.close();
        if (!same_font) {
          const char* name = haru::font_resource(page, f->dict());
          if (!name) break;
          out += '/';
          out += name;
          out += ' ';
          append_number(out, size, 3);
          out += " Tf\n";
          current = f;
          current_size = size;
        }
        out += "1 0 0 1 ";
        append_number(out, run.x, 3);
        out += ' ';
        append_number(out, pdf_y(run.y), 3);
        out += " Tm\n";
        tj.start();
        line_y = run.y;
      }
      pen_x = run.x + append_glyphs(tj, *f, shaped, run.text, size, run.rtl) * size;
    }
    tj.close();
    haru::append_content(page, out);
    HPDF_Page_EndText(page);
  }

  // Writes a TJ operator's array: strings of glyph codes with numbers between them.
  struct Tj {
    std::string& out;
    bool open = false;       // inside [ ... ]
    bool in_string = false;  // inside ( ... )

    void start() {
      out += '[';
      open = true;
    }
    void close() {
      if (!open) return;
      end_string();
      out += "] TJ\n";
      open = false;
    }
    void end_string() {
      if (in_string) out += ')';
      in_string = false;
    }
    // Moves the next glyph SHIFT_EM ems to the right.
    void shift(double shift_em) {
      end_string();
      out += ' ';
      append_number(out, -shift_em * 1000, 2);
      out += ' ';
    }
    void glyph(uint32_t gid) {
      if (!in_string) out += '(';
      in_string = true;
      append_string_byte(out, static_cast<unsigned char>(gid >> 8));
      append_string_byte(out, static_cast<unsigned char>(gid & 0xFF));
    }
    // Starts a stretch of glyphs that text extraction reads as TEXT, whatever the
    // glyphs' own text (a reordered or split cluster, a glyph the font lacks).
    void begin_actual_text(std::string_view text) {
      close();
      out += "/Span<</ActualText<FEFF";
      out += utf16_hex(text);
      out += ">>>BDC\n";
      start();
    }
    void end_actual_text() {
      close();
      out += "EMC\n";
      start();
    }
    // Raises the baseline by RISE points from here on (a mark placed above its base).
    void rise(double points) {
      close();
      append_number(out, points, 3);
      out += " Ts\n";
      start();
    }
  };

  // Appends the glyphs of SHAPED (TEXT shaped in F) to TJ: each glyph where HarfBuzz
  // put it, with a number before it wherever the viewer's pen, advancing by the
  // widths the PDF gives, would stand elsewhere. Returns where the viewer's pen ends,
  // in ems from the run's origin.
  static double append_glyphs(Tj& tj, CidFont& f, const ShapedText& shaped, std::string_view text,
                              double size, bool rtl) {
    const double upem = f.upem();
    const std::vector<ShapedGlyph>& glyphs = shaped.glyphs;
    int64_t pen = 0;     // font units: where HarfBuzz puts the next glyph's origin
    double viewer = 0;   // ems: where the viewer's pen stands
    for (size_t i = 0; i < glyphs.size();) {
      // One cluster: the glyphs that stand for one stretch of the text together.
      size_t j = i + 1;
      while (j < glyphs.size() && glyphs[j].text_begin == glyphs[i].text_begin) ++j;
      std::string_view cluster;
      for (size_t k = i; k < j; ++k)
        if (glyphs[k].text_end > glyphs[k].text_begin)
          cluster = text.substr(glyphs[k].text_begin, glyphs[k].text_end - glyphs[k].text_begin);
      // A glyph that stands for its cluster alone is found through ToUnicode; anything
      // else (a reordered Devanagari vowel sign, a box for a missing character, a glyph
      // that already stands for other text) is wrapped in /ActualText.
      // In right-to-left text, a glyph for several letters (Arabic's lam-alef) too: PDF
      // readers would turn its letters around with the rest of the line.
      const bool one_letter = utf8_length(cluster) <= 1;
      const bool simple = j - i == 1 && glyphs[i].gid != 0 && (!rtl || one_letter) &&
                          f.use(glyphs[i].gid, cluster);
      if (!simple && !cluster.empty()) {
        // Extractors spread a span's letters over its width, left to right, then read a
        // right-to-left line from its right end: such a span's letters go in backwards.
        tj.begin_actual_text(rtl ? reversed_letters(cluster) : std::string(cluster));
      }
      for (size_t k = i; k < j; ++k) {
        const ShapedGlyph& g = glyphs[k];
        const double at = static_cast<double>(pen + g.x_offset) / upem;
        if (std::fabs(at - viewer) > kDrawDriftToleranceEm) {
          tj.shift(at - viewer);
          viewer = at;
        }
        if (g.y_offset != 0) tj.rise(g.y_offset / upem * size);
        tj.glyph(g.gid);
        if (g.y_offset != 0) tj.rise(0);
        if (!simple) f.use(g.gid, {});
        viewer += f.width_em(g.gid);
        pen += g.x_advance;
      }
      if (!simple && !cluster.empty()) tj.end_actual_text();
      i = j;
    }
    return viewer;
  }

  // Appends byte B inside a literal string, escaped where PDF would read it otherwise
  // (parentheses, backslash, and line ends, which a reader may normalise).
  static void append_string_byte(std::string& out, unsigned char b) {
    switch (b) {
      case '(':
      case ')':
      case '\\':
        out += '\\';
        out += static_cast<char>(b);
        break;
      case '\r':
        out += "\\r";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += static_cast<char>(b);
    }
  }

  HPDF_Rect rect(const LinkArea& l) const {
    HPDF_Rect r;
    r.left = static_cast<HPDF_REAL>(l.x);
    r.right = static_cast<HPDF_REAL>(l.x + l.width);
    r.bottom = static_cast<HPDF_REAL>(pdf_y(l.y + l.height));
    r.top = static_cast<HPDF_REAL>(pdf_y(l.y));
    return r;
  }

  // Makes a destination that shows page INDEX, fitted to the width, from y down.
  HPDF_Destination destination(int index, double y) {
    HPDF_Destination dst = HPDF_Page_CreateDestination(pages_[static_cast<size_t>(index)]);
    if (dst) HPDF_Destination_SetFitH(dst, static_cast<HPDF_REAL>(pdf_y(y)));
    return dst;
  }

  void add_links(size_t index) {
    HPDF_Page page = pages_[index];
    for (const LinkArea& l : doc_.pages[index].links) {
      work::add();
      HPDF_Annotation annot = nullptr;
      if (!l.uri.empty()) {
        std::string uri = percent_encode_uri(l.uri);
        if (uri.size() > kMaxUriBytes) {
          // libharu refuses longer strings (and ends the document); PDF readers cap
          // strings at this size too. The words stay; only the link is lost.
          if (long_uri_warned_++ == 0)
            diag_.warning(out_name_, {},
                          "a link address of " + std::to_string(uri.size()) +
                              " bytes is too long for a PDF link (limit " +
                              std::to_string(kMaxUriBytes) + "); its text is kept without the link",
                          "shorten the URL (" + uri.substr(0, 60) + "...)");
          continue;
        }
        annot = HPDF_Page_CreateURILinkAnnot(page, rect(l), uri.c_str());
      } else if (auto it = anchors_.find(l.dest); it != anchors_.end()) {
        // One destination object per anchor, shared by every link to it (400,000
        // references to one note made as many destinations).
        HPDF_Destination& dst = link_dests_[l.dest];
        if (!dst) dst = destination(it->second.first, it->second.second);
        if (dst) annot = HPDF_Page_CreateLinkAnnot(page, rect(l), dst);
      } else if (missing_dests_.insert(l.dest).second) {
        diag_.warning(out_name_, {},
                      "a link on page " + std::to_string(index + 1) + " points to '" + l.dest +
                          "', which the layout did not place; the link is left out",
                      "this is a bug in colophon's layout; please report it with the book");
      }
      if (annot) HPDF_LinkAnnot_SetBorderStyle(annot, 0, 0, 0);
      if (error_.failed) return;
    }
  }

  void add_outline() {
    HPDF_Encoder utf8 = HPDF_GetEncoder(pdf_.get(), kUtf8Encoder);
    std::vector<HPDF_Outline> open;  // open[level] = the last entry at that level
    for (const OutlineEntry& e : doc_.outline) {
      if (e.page < 0 || e.page >= static_cast<int>(pages_.size())) continue;
      size_t level = static_cast<size_t>(std::max(0, e.level));
      level = std::min(level, open.size());  // a skipped level hangs under the last one
      HPDF_Outline parent = level == 0 ? nullptr : open[level - 1];
      std::string title(utf8_prefix(e.title, kMaxBookmarkBytes));
      if (title.size() < e.title.size()) title += "\u2026";
      HPDF_Outline o = HPDF_CreateOutline(pdf_.get(), parent, title.c_str(), utf8);
      if (!o) return;
      if (HPDF_Destination dst = destination(e.page, e.y)) HPDF_Outline_SetDestination(o, dst);
      open.resize(level);
      open.push_back(o);
    }
  }

  void add_page_labels() {
    for (const PageLabelRange& r : doc_.labels) {
      if (r.first_page < 0 || r.first_page >= static_cast<int>(pages_.size())) continue;
      auto first = static_cast<HPDF_UINT>(r.first_page);
      switch (r.style) {
        case PageLabelRange::Style::Decimal:
          HPDF_AddPageLabel(pdf_.get(), first, HPDF_PAGE_NUM_STYLE_DECIMAL, r.start, "");
          break;
        case PageLabelRange::Style::LowerRoman:
          HPDF_AddPageLabel(pdf_.get(), first, HPDF_PAGE_NUM_STYLE_LOWER_ROMAN, r.start, "");
          break;
        case PageLabelRange::Style::None:
          haru::add_unnumbered_page_label(pdf_.get(), first, r.start);
          break;
      }
    }
  }

  std::optional<std::string> save() {
    std::optional<std::string> bytes = haru::save(pdf_.get());
    if (!bytes || error_.failed) return fail("libharu failed while saving the document");
    return bytes;
  }

  const Document& doc_;
  const Book& book_;
  const RealFontMetrics& fonts_;
  ImageEncoder& encoder_;
  const std::string& out_name_;
  Diagnostics& diag_;
  std::unordered_set<int> low_dpi_warned_;      // assets told to print soft
  int long_uri_warned_ = 0;  // link addresses too long for a PDF string, reported once
  HaruError error_;
  DocPtr pdf_;
  std::string fail_note_;
  std::vector<HPDF_Page> pages_;
  std::optional<CidFonts> fonts_pdf_;  // the fonts as the PDF embeds them
  std::deque<haru::StreamSource> sources_;  // read positions of image streams (stable addresses)
  std::vector<std::pair<HPDF_Page, size_t>> queued_contents_;  // page, DeflateQueue ticket
  std::unordered_map<int, HPDF_Image> images_;
  std::unordered_map<std::string, std::pair<int, double>> anchors_;
  std::unordered_map<std::string, HPDF_Destination> link_dests_;  // by anchor name
  std::unordered_set<std::string> missing_dests_;
};

}  // namespace

std::string percent_encode_uri(std::string_view uri) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  static constexpr std::string_view kKeep = "-._~:/?#[]@!$&'()*+,;=";
  std::string out;
  for (size_t i = 0; i < uri.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(uri[i]);
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                kKeep.find(static_cast<char>(c)) != std::string_view::npos ||
                (c == '%' && i + 2 < uri.size() && is_hex(uri[i + 1]) && is_hex(uri[i + 2]));
    if (keep) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::optional<std::string> render_document(const Document& document, const Book& book,
                                           const RealFontMetrics& fonts,
                                           const std::string& out_name, Diagnostics& diag,
                                           ImageEncoder* images) {
  std::optional<ImageEncoder> own;
  if (!images) images = &own.emplace(book.assets);
  Renderer renderer(document, book, fonts, *images, out_name, diag);
  return renderer.run();
}

bool write_document(const Document& document, const Book& book, const RealFontMetrics& fonts,
                    const std::filesystem::path& out, Diagnostics& diag, ImageEncoder* images) {
  std::optional<std::string> bytes =
      render_document(document, book, fonts, out.string(), diag, images);
  if (!bytes) return false;
  std::string error = write_file_atomic(out, *bytes);
  if (!error.empty()) {
    diag.error(out.string(), {}, error, "check that the output directory exists and is writable");
    return false;
  }
  return true;
}

}  // namespace colophon
