#include "pdf/writer.h"

#include <hpdf.h>
#include <hpdf_catalog.h>
#include <hpdf_conf.h>
#include <hpdf_doc.h>
#include <hpdf_font.h>
#include <hpdf_fontdef.h>
#include <hpdf_objects.h>
#include <hpdf_page_label.h>
#include <hpdf_pages.h>
#include <hpdf_streams.h>

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
#include "pdf/deflate_queue.h"
#include "pdf/images.h"

namespace colophon {

namespace {

// The longest string a PDF may hold (PDF 1.7, Annex C implementation limits); libharu
// fails the whole document on a longer one.
constexpr size_t kMaxUriBytes = 32767;

// libharu's own name for the UTF-8 encoder that HPDF_UseUTFEncodings registers.
constexpr const char* kUtf8Encoder = "UTF-8";

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

// Returns TEXT without code points outside the Basic Multilingual Plane, which
// libharu's two-byte UTF-8 encoding cannot draw (the layout reports them).
std::string_view drawable_text(std::string_view text, std::string& storage) {
  bool wide = std::any_of(text.begin(), text.end(),
                          [](char c) { return (static_cast<unsigned char>(c) & 0xF8) == 0xF0; });
  if (!wide) return text;
  storage.clear();
  for (size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
    len = std::min(len, text.size() - i);
    if (len < 4) storage.append(text.substr(i, len));
    i += len;
  }
  return storage;
}

// Builds a ToUnicode CMap for libharu's UTF-8 fonts, whose two-byte codes are the
// characters' own code points: every BMP code maps to itself except surrogates.
// (libharu 2.3.0 writes a cidrange there, which PDF text extraction must not trust.)
std::string identity_to_unicode_cmap() {
  static constexpr int kRangesPerBlock = 100;  // the CMap format's limit per block
  std::vector<int> high_bytes;
  for (int hi = 0; hi < 256; ++hi) {
    if (hi < 0xD8 || hi > 0xDF) high_bytes.push_back(hi);
  }
  std::string s =
      "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
      "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
      "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
      "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n";
  char line[64];
  for (size_t i = 0; i < high_bytes.size(); i += kRangesPerBlock) {
    size_t n = std::min(high_bytes.size() - i, static_cast<size_t>(kRangesPerBlock));
    s += std::to_string(n) + " beginbfrange\n";
    for (size_t k = i; k < i + n; ++k) {
      int hi = high_bytes[k];
      std::snprintf(line, sizeof line, "<%02X00> <%02XFF> <%02X00>\n", hi, hi, hi);
      s += line;
    }
    s += "endbfrange\n";
  }
  s += "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";
  return s;
}

// A run that starts this far (ems) left of where the previous run on its line ended
// still joins its line; anything further back starts a new text position.
constexpr double kJoinToleranceEm = 0.01;
// A gap between runs on a line at least this wide (ems) gets a space character, so
// text extraction sees two words; justified word spaces never shrink this far.
constexpr double kWordSpaceMinEm = 0.1;

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

// Adds the /Filter entry of a stream that holds zlib data already (libharu calls this
// while writing the stream's dictionary).
HPDF_STATUS write_flate_filter(HPDF_Dict, HPDF_Stream stream) {
  return HPDF_Stream_WriteStr(stream, "/Filter /FlateDecode\012");
}

// zlib level for page contents, compressed on a worker thread: on the 2 MB generated
// book's 13 MB of contents, level 4 took 70% of the CPU time of libharu's level 6 for
// 3.5% more bytes.
constexpr int kContentZlibLevel = 4;

// A libharu input stream over a string that someone else owns.
struct StringReader {
  const std::string* data;
  size_t pos;

  static StringReader& of(HPDF_Stream stream) { return *static_cast<StringReader*>(stream->attr); }
  static HPDF_STATUS read(HPDF_Stream stream, HPDF_BYTE* out, HPDF_UINT* size) {
    StringReader& r = of(stream);
    const size_t n = std::min<size_t>(*size, r.data->size() - r.pos);
    std::memcpy(out, r.data->data() + r.pos, n);
    r.pos += n;
    const bool short_read = n < *size;
    *size = static_cast<HPDF_UINT>(n);
    return short_read ? HPDF_STREAM_EOF : HPDF_OK;
  }
  static HPDF_STATUS seek(HPDF_Stream stream, HPDF_INT pos, HPDF_WhenceMode mode) {
    StringReader& r = of(stream);
    const long base = mode == HPDF_SEEK_CUR   ? static_cast<long>(r.pos)
                      : mode == HPDF_SEEK_END ? static_cast<long>(r.data->size())
                                              : 0;
    const long at = base + pos;
    if (at < 0 || at > static_cast<long>(r.data->size())) return HPDF_STREAM_EOF;
    r.pos = static_cast<size_t>(at);
    return HPDF_OK;
  }
  static HPDF_INT32 tell(HPDF_Stream stream) { return static_cast<HPDF_INT32>(of(stream).pos); }
  static HPDF_UINT32 size(HPDF_Stream stream) {
    return static_cast<HPDF_UINT32>(of(stream).data->size());
  }
};

// Appends what libharu writes to the string its output stream was made for.
HPDF_STATUS append_to_string(HPDF_Stream stream, const HPDF_BYTE* data, HPDF_UINT size) {
  static_cast<std::string*>(stream->attr)->append(reinterpret_cast<const char*>(data), size);
  return HPDF_OK;
}

// /DecodeParms /Predictor value for rows that each name their own PNG filter.
constexpr int kPngPredictors = 15;

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
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
    pdf_.reset(HPDF_New(on_haru_error, &error_));
    if (!pdf_) return fail("cannot start libharu");
    HPDF_Doc pdf = pdf_.get();
    HPDF_UseUTFEncodings(pdf);
    HPDF_SetCurrentEncoder(pdf, kUtf8Encoder);
    HPDF_SetCompressionMode(pdf, HPDF_COMP_ALL);
    set_info();
    collect_anchors();
    DeflateQueue contents(kContentZlibLevel);
    for (size_t i = 0; i < doc_.pages.size() && !error_.failed; ++i) {
      draw_page(doc_.pages[i]);
      queue_content(contents);
    }
    for (size_t i = 0; i < doc_.pages.size() && !error_.failed; ++i) add_links(i);
    if (!error_.failed) add_outline();
    if (!error_.failed) add_page_labels();
    if (!error_.failed) fix_to_unicode_maps();
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
    diag_.error(out_name_, {}, "cannot write the PDF: " + what + code,
                "this is a bug in colophon's PDF writer; please report it with the book");
    return std::nullopt;
  }

  // Converts a y measured down from the page top to PDF's y measured up from the bottom.
  double pdf_y(double y) const { return doc_.height - y; }

  void set_info() {
    HPDF_Doc pdf = pdf_.get();
    const Metadata& m = book_.meta;
    auto set = [&](HPDF_InfoType type, const std::string& value) {
      if (!value.empty()) HPDF_SetInfoAttr(pdf, type, value.c_str());
    };
    auto join = [](const std::vector<std::string>& items) {
      std::string s;
      for (const std::string& item : items) s += (s.empty() ? "" : ", ") + item;
      return s;
    };
    std::string title = m.title;
    if (!m.subtitle.empty()) title += ": " + m.subtitle;
    set(HPDF_INFO_TITLE, title);
    set(HPDF_INFO_AUTHOR, join(m.authors));
    set(HPDF_INFO_SUBJECT, m.description);
    set(HPDF_INFO_KEYWORDS, join(m.subjects));
    set(HPDF_INFO_CREATOR, "colophon");
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

  void collect_anchors() {
    for (size_t p = 0; p < doc_.pages.size(); ++p) {
      for (const Anchor& a : doc_.pages[p].anchors) {
        anchors_.try_emplace(a.name, static_cast<int>(p), a.y);  // first one wins
      }
    }
  }

  HPDF_Font font(FaceId face) {
    const std::string& path = fonts_.file(face);
    if (auto it = fonts_by_path_.find(path); it != fonts_by_path_.end()) return it->second;
    HPDF_Font font = nullptr;
    if (const char* name = HPDF_LoadTTFontFromFile(pdf_.get(), path.c_str(), HPDF_TRUE)) {
      font = HPDF_GetFont(pdf_.get(), name, kUtf8Encoder);
    }
    if (!font && !error_.failed) {
      error_.failed = true;  // libharu said nothing, but there is no font to draw with
    }
    if (!font) fail_note_ = "cannot embed font '" + path + "'";
    fonts_by_path_[path] = font;
    return font;
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
          diag_.warning(file, box.pos, what + "; it is left out", e.hint);
        return nullptr;
      }
      case EncodedImage::Kind::Jpeg:
        return HPDF_LoadJpegImageFromMem(pdf_.get(),
                                         reinterpret_cast<const HPDF_BYTE*>(e.data.data()),
                                         static_cast<HPDF_UINT>(e.data.size()));
      case EncodedImage::Kind::Flate:
        break;
    }
    HPDF_Dict img = image_stream(e.data, e.width, e.height, e.bits);
    if (!img) return nullptr;
    HPDF_MMgr mmgr = pdf_.get()->mmgr;
    if (e.palette.empty()) {
      HPDF_Dict_AddName(img, "ColorSpace", e.colors == 3 ? "DeviceRGB" : "DeviceGray");
    } else {
      HPDF_Array space = HPDF_Array_New(mmgr);
      if (!space) return nullptr;
      HPDF_Dict_Add(img, "ColorSpace", space);
      HPDF_Array_AddName(space, "Indexed");
      HPDF_Array_AddName(space, "DeviceRGB");
      HPDF_Array_AddNumber(space, static_cast<HPDF_INT32>(e.palette.size() / 3) - 1);
      std::string palette = e.palette;  // libharu's binary objects take a mutable buffer
      HPDF_Array_Add(space, HPDF_Binary_New(mmgr, reinterpret_cast<HPDF_BYTE*>(palette.data()),
                                            static_cast<HPDF_UINT>(palette.size())));
    }
    if (e.png_rows && !add_png_predictors(img, e.colors, e.bits, e.width)) return nullptr;
    if (!e.color_key.empty()) {
      HPDF_Array key = HPDF_Array_New(mmgr);
      if (!key) return nullptr;
      HPDF_Dict_Add(img, "Mask", key);
      for (int v : e.color_key) HPDF_Array_AddNumber(key, v);
    }
    if (!e.alpha.empty()) {
      HPDF_Dict mask = image_stream(e.alpha, e.width, e.height, 8);
      if (!mask) return nullptr;
      HPDF_Dict_AddName(mask, "ColorSpace", "DeviceGray");
      if (e.alpha_png_rows && !add_png_predictors(mask, 1, 8, e.width)) return nullptr;
      if (e.alpha_inverted) {
        HPDF_Array decode = HPDF_Array_New(mmgr);
        if (!decode) return nullptr;
        HPDF_Dict_Add(mask, "Decode", decode);
        HPDF_Array_AddNumber(decode, 1);
        HPDF_Array_AddNumber(decode, 0);
      }
      HPDF_Dict_Add(img, "SMask", mask);
    }
    return error_.failed ? nullptr : img;
  }

  // Tells the reader of IMG's stream that each row starts with a PNG filter byte.
  bool add_png_predictors(HPDF_Dict img, int colors, int bits, int width) {
    HPDF_Dict parms = HPDF_Dict_New(pdf_.get()->mmgr);
    if (!parms) return false;
    HPDF_Dict_Add(img, "DecodeParms", parms);
    HPDF_Dict_AddNumber(parms, "Predictor", kPngPredictors);
    HPDF_Dict_AddNumber(parms, "Colors", colors);
    HPDF_Dict_AddNumber(parms, "BitsPerComponent", bits);
    HPDF_Dict_AddNumber(parms, "Columns", width);
    return !error_.failed;
  }

  // Makes an image XObject whose stream is DATA, zlib data that libharu must write as
  // it is: the /Filter entry comes from write_flate_filter, because libharu drops any
  // /Filter of a stream it does not compress itself. libharu reads DATA where it lies
  // (it belongs to the image encoder, which outlives the document), not from a copy.
  HPDF_Dict image_stream(const std::string& data, int width, int height, int bits) {
    HPDF_Doc pdf = pdf_.get();
    HPDF_Dict img = HPDF_DictStream_New(pdf->mmgr, pdf->xref);
    if (!img) return nullptr;
    StringReader& reader = readers_.emplace_back(StringReader{&data, 0});
    HPDF_Stream stream = HPDF_CallbackReader_New(pdf->mmgr, StringReader::read, StringReader::seek,
                                                 StringReader::tell, StringReader::size, &reader);
    if (!stream) return nullptr;
    HPDF_Stream_Free(img->stream);
    img->stream = stream;
    img->header.obj_class |= HPDF_OSUBCLASS_XOBJECT;
    img->filter = HPDF_STREAM_FILTER_NONE;
    img->write_fn = write_flate_filter;
    HPDF_Dict_AddName(img, "Type", "XObject");
    HPDF_Dict_AddName(img, "Subtype", "Image");
    HPDF_Dict_AddNumber(img, "Width", width);
    HPDF_Dict_AddNumber(img, "Height", height);
    HPDF_Dict_AddNumber(img, "BitsPerComponent", bits);
    return error_.failed ? nullptr : img;
  }

  // Hands the content stream of the page just drawn to CONTENTS for compression on
  // the worker thread, unless libharu might still add to it (an open text object,
  // path or saved graphics state); then libharu compresses it itself.
  void queue_content(DeflateQueue& contents) {
    HPDF_Page page = pages_.empty() ? nullptr : pages_.back();
    auto* attr = page ? static_cast<HPDF_PageAttr>(page->attr) : nullptr;
    if (!attr || !attr->contents || attr->stream != attr->contents->stream ||
        attr->stream->type != HPDF_STREAM_MEMORY || attr->gmode != HPDF_GMODE_PAGE_DESCRIPTION ||
        (attr->gstate && attr->gstate->prev)) {
      return;
    }
    HPDF_Stream stream = attr->stream;
    std::string bytes;
    bytes.reserve(stream->size);
    const HPDF_UINT chunks = HPDF_MemStream_GetBufCount(stream);
    for (HPDF_UINT i = 0; i < chunks; ++i) {
      HPDF_UINT length = 0;
      const HPDF_BYTE* chunk = HPDF_MemStream_GetBufPtr(stream, i, &length);
      if (chunk) bytes.append(reinterpret_cast<const char*>(chunk), length);
    }
    if (bytes.size() != stream->size) return;  // not as expected: leave it to libharu
    HPDF_MemStream_FreeData(stream);
    queued_contents_.emplace_back(page, contents.add(std::move(bytes)));
  }

  // Puts the compressed page contents back into their streams, which libharu then
  // writes as they are. Takes them last page first, so that this thread and the
  // worker compress the rest from both ends.
  void install_contents(DeflateQueue& contents) {
    for (size_t i = queued_contents_.size(); i-- > 0 && !error_.failed;) {
      auto [page, ticket] = queued_contents_[i];
      auto* attr = static_cast<HPDF_PageAttr>(page->attr);
      std::string z = contents.take(ticket);
      if (z.empty() || attr->stream->size != 0) {
        error_.failed = true;
        fail_note_ = z.empty() ? "out of memory while compressing the pages"
                               : "a page was drawn on after its contents were compressed";
        return;
      }
      HPDF_Stream_Write(attr->stream, reinterpret_cast<const HPDF_BYTE*>(z.data()),
                        static_cast<HPDF_UINT>(z.size()));
      attr->contents->filter = HPDF_STREAM_FILTER_NONE;
      attr->contents->write_fn = write_flate_filter;
    }
  }

  void draw_page(const Page& p) {
    HPDF_Page page = HPDF_AddPage(pdf_.get());
    pages_.push_back(page);
    if (!page) return;
    HPDF_Page_SetWidth(page, static_cast<HPDF_REAL>(doc_.width));
    HPDF_Page_SetHeight(page, static_cast<HPDF_REAL>(doc_.height));
    for (const ImageBox& box : p.images) {
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
  // content stream: libharu's own text calls cost a buffer per call and cannot kern, so
  // each line becomes one TJ with the kerning and word spaces as numbers. Runs that
  // continue a line (same font, size and baseline) join its TJ, with a space character
  // in gaps wide enough to be word spaces, so text extraction sees the words.
  void draw_texts(HPDF_Page page, const std::vector<TextRun>& runs) {
    HPDF_Page_BeginText(page);
    std::string out;
    HPDF_Font current = nullptr;
    double current_size = 0;
    bool in_tj = false;
    double line_y = 0, pen_x = 0;  // the open TJ's baseline and where its pen stands
    std::string storage;
    auto close_tj = [&] {
      if (in_tj) out += "] TJ\n";
      in_tj = false;
    };
    for (const TextRun& run : runs) {
      std::string_view text = drawable_text(run.text, storage);
      if (text.empty()) continue;
      HPDF_Font f = font(run.face);
      if (!f) break;
      const DrawnRun& drawn = fonts_.drawn(run.face, text);
      if (drawn.codes.empty()) continue;
      mark_used(f, drawn.codes);
      const double size = run.size;
      const bool same_font = f == current && size == current_size;
      const double gap = run.x - pen_x;
      if (in_tj && same_font && run.y == line_y && gap > -kJoinToleranceEm * size) {
        double shift_em = gap / size;
        if (shift_em >= kWordSpaceMinEm && fonts_.has_glyph(run.face, U' ')) {
          out += std::string_view("(\0 )", 4);  // U+0020
          shift_em -= fonts_.viewer_advance(run.face, U' ');
          mark_used(f, u" ");
        }
        append_shift(out, shift_em);
      } else {
        close_tj();
        if (!same_font) {
          const char* name = HPDF_Page_GetLocalFontName(page, f);
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
        out += " Tm\n[";
        in_tj = true;
        line_y = run.y;
      }
      append_codes(out, drawn);
      pen_x = run.x + drawn.width_em * size;
    }
    close_tj();
    HPDF_Stream_Write(static_cast<HPDF_PageAttr>(page->attr)->stream,
                      reinterpret_cast<const HPDF_BYTE*>(out.data()),
                      static_cast<HPDF_UINT>(out.size()));
    HPDF_Page_EndText(page);
  }

  // Tells libharu which glyphs the page uses, so its font subset keeps them.
  void mark_used(HPDF_Font f, std::u16string_view codes) {
    std::vector<bool>& used = used_codes_[f];
    if (used.empty()) used.resize(0x10000);
    HPDF_FontDef def = static_cast<HPDF_FontAttr>(f->attr)->fontdef;
    for (char16_t c : codes) {
      if (used[c]) continue;
      used[c] = true;
      HPDF_TTFontDef_GetCharWidth(def, c);  // marks the glyph as used
    }
  }

  // Appends the codes of DRAWN as literal strings, with its kerning shifts between
  // them. Two raw bytes a code instead of four hex digits: half the bytes to compress.
  static void append_codes(std::string& out, const DrawnRun& drawn) {
    size_t next_shift = 0;
    out += '(';
    for (size_t i = 0; i < drawn.codes.size(); ++i) {
      if (next_shift < drawn.shifts.size() && drawn.shifts[next_shift].first == i) {
        out += ')';
        append_shift(out, drawn.shifts[next_shift].second);
        out += '(';
        ++next_shift;
      }
      const char16_t c = drawn.codes[i];
      append_string_byte(out, static_cast<unsigned char>(c >> 8));
      append_string_byte(out, static_cast<unsigned char>(c & 0xFF));
    }
    out += ')';
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

  // Appends a TJ number that moves the next glyph SHIFT_EM ems to the right.
  static void append_shift(std::string& out, double shift_em) {
    out += ' ';
    append_number(out, -shift_em * 1000, 2);
    out += ' ';
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
        HPDF_Destination dst = destination(it->second.first, it->second.second);
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
      HPDF_Outline o = HPDF_CreateOutline(pdf_.get(), parent, e.title.c_str(), utf8);
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
        case PageLabelRange::Style::None: {
          // libharu's public call always names a numbering style; a label without /S
          // shows no number, so build one and drop the style.
          HPDF_Dict label =
              HPDF_PageLabel_New(pdf_.get(), HPDF_PAGE_NUM_STYLE_DECIMAL, r.start, "");
          if (!label) return;
          HPDF_Dict_RemoveElement(label, "S");
          HPDF_Catalog_AddPageLabel(pdf_.get()->catalog, first, label);
          break;
        }
      }
    }
  }

  // Replaces the ToUnicode CMap of every embedded font with a valid one, so copying
  // and searching text works in every viewer (and poppler stops warning).
  void fix_to_unicode_maps() {
    static const std::string cmap = identity_to_unicode_cmap();
    for (const auto& [path, font] : fonts_by_path_) {
      if (!font) continue;
      auto* to_unicode =
          static_cast<HPDF_Dict>(HPDF_Dict_GetItem(font, "ToUnicode", HPDF_OCLASS_DICT));
      if (!to_unicode || !to_unicode->stream) continue;
      HPDF_MemStream_FreeData(to_unicode->stream);
      HPDF_Stream_WriteStr(to_unicode->stream, cmap.c_str());
      for (const char* key : {"Type", "CMapName", "CIDSystemInfo", "WMode"}) {
        HPDF_Dict_RemoveElement(to_unicode, key);
      }
    }
  }

  // Saves the document straight into a string: libharu writes through a stream of
  // ours, instead of into its memory stream (copied byte by byte) that we would then
  // read back (byte by byte again).
  std::optional<std::string> save() {
    HPDF_Doc pdf = pdf_.get();
    std::string bytes;
    if (pdf->stream) HPDF_Stream_Free(pdf->stream);
    pdf->stream = HPDF_CallbackWriter_New(pdf->mmgr, append_to_string, &bytes);
    if (!pdf->stream || HPDF_SaveToStream(pdf) != HPDF_OK || error_.failed) {
      return fail("libharu failed while saving the document");
    }
    HPDF_Stream_Free(pdf->stream);  // its target goes out of scope
    pdf->stream = nullptr;
    return bytes;
  }

  const Document& doc_;
  const Book& book_;
  const RealFontMetrics& fonts_;
  ImageEncoder& encoder_;
  const std::string& out_name_;
  Diagnostics& diag_;
  int long_uri_warned_ = 0;  // link addresses too long for a PDF string, reported once
  HaruError error_;
  DocPtr pdf_;
  std::string fail_note_;
  std::vector<HPDF_Page> pages_;
  std::deque<StringReader> readers_;  // the read positions of image streams (stable addresses)
  std::vector<std::pair<HPDF_Page, size_t>> queued_contents_;  // page, DeflateQueue ticket
  std::unordered_map<std::string, HPDF_Font> fonts_by_path_;
  std::unordered_map<HPDF_Font, std::vector<bool>> used_codes_;
  std::unordered_map<int, HPDF_Image> images_;
  std::unordered_map<std::string, std::pair<int, double>> anchors_;
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
