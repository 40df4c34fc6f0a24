// Tests of the PDF backend: real font metrics, PNG decoding, and PDFs drawn from
// hand-built pages, checked with qpdf, poppler and mupdf when they are installed.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "core/paths.h"
#include "core/work.h"
#include "layout/style.h"
#include "pdf/cid_fonts.h"
#include "pdf/deflate_queue.h"
#include "pdf/fonts.h"
#include "pdf/images.h"
#include "pdf/jpeg.h"
#include "pdf/writer.h"
#include "cmyk_jpeg.h"
#include "sample_jpeg.h"

namespace colophon {
namespace {

namespace fs = std::filesystem;

const FaceId kRegular{FaceFamily::Text, FaceStyle::Regular};
const FaceId kItalic{FaceFamily::Text, FaceStyle::Italic};
const FaceId kBold{FaceFamily::Text, FaceStyle::Bold};
const FaceId kMono{FaceFamily::Mono, FaceStyle::Regular};

std::unique_ptr<RealFontMetrics> load_default_fonts() {
  Diagnostics diag;
  auto m = RealFontMetrics::load(FontSet{}, "pdf-style.toml", diag);
  REQUIRE_MESSAGE(m, "the default fonts (fonts-noto-core, fonts-dejavu-core) must be installed");
  CHECK(diag.all().empty());
  return m;
}

// A fresh, empty directory under the build tree for one test.
fs::path scratch_dir(const std::string& name) {
  fs::path dir = fs::path(COLOPHON_BINARY_DIR) / "test-scratch" / "pdf" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// Output of a shell command (stdout only) and its exit status.
struct Run {
  int status = -1;
  std::string out;
};

Run run(const std::string& command) {
  Run r;
  FILE* p = popen(command.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  r.status = pclose(p);
  return r;
}

bool have_tool(const std::string& tool) {
  return run("command -v " + tool + " >/dev/null 2>&1").status == 0;
}

// Tells whether the tool is there; says loudly that the check is skipped when not.
bool need_tool(const std::string& tool) {
  if (have_tool(tool)) return true;
  MESSAGE("SKIPPED: " << tool << " is not installed, so its check of the PDF does not run");
  return false;
}

// ---- PNG files written by hand with zlib, so any bit depth can be tested.

void put_u32(std::string& s, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) s += static_cast<char>((v >> shift) & 0xFF);
}

void put_chunk(std::string& png, const char* type, const std::string& data) {
  put_u32(png, static_cast<uint32_t>(data.size()));
  std::string body = std::string(type, 4) + data;
  png += body;
  put_u32(png, static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(body.data()),
                                           static_cast<uInt>(body.size()))));
}

// Makes a PNG file from its IHDR fields, the raw (inflated) image data RAW and the
// chunks EXTRA (PLTE, tRNS ...) placed before the IDAT.
std::string png_file(int w, int h, int depth, int color_type, const std::string& raw,
                     const std::string& extra = "", int interlace = 0) {
  std::string png = "\x89PNG\r\n\x1a\n";
  std::string ihdr;
  put_u32(ihdr, static_cast<uint32_t>(w));
  put_u32(ihdr, static_cast<uint32_t>(h));
  ihdr += static_cast<char>(depth);
  ihdr += static_cast<char>(color_type);
  ihdr += std::string(2, '\0');
  ihdr += static_cast<char>(interlace);
  put_chunk(png, "IHDR", ihdr);
  png += extra;
  uLongf size = compressBound(static_cast<uLong>(raw.size()));
  std::string z(size, '\0');
  compress2(reinterpret_cast<Bytef*>(z.data()), &size, reinterpret_cast<const Bytef*>(raw.data()),
            static_cast<uLong>(raw.size()), 9);
  z.resize(size);
  put_chunk(png, "IDAT", z);
  put_chunk(png, "IEND", "");
  return png;
}

// Makes a PNG of W x H pixels; SAMPLES holds each row's bytes (samples packed as the
// depth says, big-endian) without filter bytes, which are all 0 (none).
std::string make_png(int w, int h, int depth, int color_type, const std::string& samples,
                     const std::string& extra = "") {
  size_t row = samples.size() / static_cast<size_t>(h);
  std::string raw;
  for (int y = 0; y < h; ++y) raw += '\0' + samples.substr(static_cast<size_t>(y) * row, row);
  return png_file(w, h, depth, color_type, raw, extra);
}

// A 4x2 RGB image with 16-bit samples: sample value v * 257, so 8 bits give back v.
std::string png16_rgb() {
  std::string s;
  for (int i = 0; i < 4 * 2 * 3; ++i) {
    unsigned v = static_cast<unsigned>(i * 10) * 257;
    s += static_cast<char>(v >> 8);
    s += static_cast<char>(v & 0xFF);
  }
  return make_png(4, 2, 16, 2, s);
}

// A 3x3 RGBA image with 8-bit samples and alpha going from clear to opaque.
std::string png8_rgba() {
  std::string s;
  for (int i = 0; i < 9; ++i) {
    s += static_cast<char>(200);
    s += static_cast<char>(i * 20);
    s += static_cast<char>(40);
    s += static_cast<char>(i * 31);
  }
  return make_png(3, 3, 8, 6, s);
}

// ---- A book and a hand-built layout that exercise everything the writer draws.

Book sample_book(const fs::path& dir) {
  Book book;
  book.root = dir.string();
  book.root_display = dir.string();
  book.meta.title = "Test Book";
  book.meta.subtitle = "With a Subtitle";
  book.meta.authors = {"Ann Author", "Ben Writer"};
  book.meta.description = "A book for testing the PDF writer";
  book.meta.subjects = {"typesetting", "testing"};
  book.build_time = 1700000000;  // 2023-11-14T22:13:20Z
  Asset png8;
  png8.source = "src/images/rgba.png";
  png8.media_type = "image/png";
  png8.data = png8_rgba();
  Asset png16;
  png16.source = "src/images/deep.png";
  png16.media_type = "image/png";
  png16.data = png16_rgb();
  Asset jpeg;
  jpeg.source = "src/images/photo.jpg";
  jpeg.media_type = "image/jpeg";
  jpeg.path = (dir / "photo.jpg").string();
  write_file_atomic(
      jpeg.path, std::string_view(reinterpret_cast<const char*>(kSampleJpeg), sizeof kSampleJpeg));
  book.assets = {png8, png16, jpeg};
  return book;
}

TextRun text(double x, double y, FaceId face, double size, std::string s) {
  TextRun r;
  r.x = x;
  r.y = y;
  r.face = face;
  r.size = size;
  r.text = std::move(s);
  return r;
}

Document sample_document() {
  Document doc;
  doc.width = 420;
  doc.height = 595;
  Page contents;
  contents.label = "i";
  contents.texts.push_back(text(50, 80, kBold, 16, "Contents"));
  contents.texts.push_back(text(50, 110, kRegular, 10.5, "Chapter One"));
  LinkArea toc_link;
  toc_link.x = 50;
  toc_link.y = 100;
  toc_link.width = 100;
  toc_link.height = 13;
  toc_link.dest = "ch1";
  contents.links.push_back(toc_link);
  doc.pages.push_back(contents);

  Page one;
  one.label = "1";
  one.anchors.push_back({"ch1", 60});
  one.texts.push_back(text(50, 80, kBold, 16, "Chapter One"));
  one.texts.push_back(text(50, 120, kRegular, 10.5, "AVATAR"));
  one.texts.push_back(text(100, 120, kRegular, 10.5, "To"));
  one.texts.push_back(text(120, 120, kRegular, 10.5, "Wave,"));
  one.texts.push_back(text(150, 120, kRegular, 10.5, "quick brown fox."));
  one.texts.push_back(text(50, 134, kRegular, 10.5, "Привет, мир — съешь же ещё."));
  one.texts.push_back(text(50, 148, kRegular, 10.5, "Καλημέρα κόσμε, ἀρχή."));
  one.texts.push_back(text(50, 162, kItalic, 10.5, "italic words"));
  one.texts.push_back(text(150, 162, kMono, 9, "code_sample()"));
  one.texts.push_back(text(50, 176, kRegular, 10.5, "web link"));
  one.rules.push_back({50, 185, 320, 0.5});
  one.images.push_back({50, 200, 60, 60, 0, {}, {}});
  one.images.push_back({120, 200, 80, 40, 1, {}, {}});
  one.images.push_back({210, 200, 80, 40, 2, {}, {}});
  LinkArea web;
  web.x = 50;
  web.y = 167;
  web.width = 40;
  web.height = 12;
  web.uri = "https://example.com/a b?q=\xC3\xBC";
  one.links.push_back(web);
  LinkArea to_section;
  to_section.x = 50;
  to_section.y = 115;
  to_section.width = 40;
  to_section.height = 12;
  to_section.dest = "ch1#sec";
  one.links.push_back(to_section);
  doc.pages.push_back(one);

  Page two;
  two.label = "2";
  two.anchors.push_back({"ch1#sec", 100});
  two.texts.push_back(text(50, 110, kBold, 12, "Section Two"));
  two.texts.push_back(text(50, 130, kRegular, 10.5, "final words"));
  doc.pages.push_back(two);

  doc.outline = {{"Contents", 0, 0, 50},
                 {"Chapter One", 0, 1, 60},
                 {"Section Two", 1, 2, 100},
                 {"Глава два", 0, 2, 300}};
  doc.labels = {{0, PageLabelRange::Style::LowerRoman, 1}, {1, PageLabelRange::Style::Decimal, 1}};
  return doc;
}

// Tells whether every word of WORDS occurs in TEXT, in this order.
bool in_order(const std::string& text, const std::vector<std::string>& words,
              std::string& missing) {
  size_t at = 0;
  for (const std::string& w : words) {
    size_t found = text.find(w, at);
    if (found == std::string::npos) {
      missing = w;
      return false;
    }
    at = found + w.size();
  }
  return true;
}

}  // namespace

TEST_CASE("metrics: widths of known strings in Noto Serif") {
  auto m = load_default_fonts();
  CHECK(m->width(kRegular, "") == 0);
  double a = m->width(kRegular, "a");
  CHECK(a > 0.3);
  CHECK(a < 0.7);
  CHECK(m->width(kRegular, "aaaa") == doctest::Approx(4 * a));
  CHECK(m->width(kRegular, " ") == doctest::Approx(0.26).epsilon(0.1));
  // Bold is wider than regular; the mono face gives every character the same advance.
  CHECK(m->width(kBold, "minimum") > m->width(kRegular, "minimum"));
  CHECK(m->width(kMono, "iiii") == doctest::Approx(m->width(kMono, "MMMM")));
  // Cached and fresh measurements agree.
  double first = m->width(kRegular, "Привет");
  CHECK(m->width(kRegular, "Привет") == first);
  CHECK(first > 2);
  CHECK(m->ascender(kRegular) > 0.8);
  CHECK(m->descender(kRegular) < -0.2);
}

TEST_CASE("metrics: kerning from GPOS is negative for AV and To") {
  auto m = load_default_fonts();
  CHECK(m->kern(kRegular, U'A', U'V') < -0.01);
  CHECK(m->kern(kRegular, U'T', U'o') < -0.01);
  CHECK(m->kern(kRegular, U'o', U'o') == 0);
  double av = m->width(kRegular, "AV");
  CHECK(av == doctest::Approx(m->width(kRegular, "A") + m->width(kRegular, "V") +
                              m->kern(kRegular, U'A', U'V')));
  CHECK(av < m->width(kRegular, "A") + m->width(kRegular, "V"));
}

TEST_CASE("metrics: has_glyph covers Latin, Cyrillic and Greek but not emoji") {
  auto m = load_default_fonts();
  for (char32_t cp : {U'a', U'Z', U'é', U'Ж', U'ё', U'λ', U'Ω', U'ά', U'ἀ'}) {
    CHECK_MESSAGE(m->has_glyph(kRegular, cp), "U+" << std::hex << static_cast<unsigned>(cp));
  }
  CHECK_FALSE(m->has_glyph(kRegular, U'\U0001F600'));  // grinning face
  CHECK_FALSE(m->has_glyph(kRegular, U'\u2603'));      // snowman
  CHECK(m->has_glyph(FaceId{FaceFamily::Fallback, FaceStyle::Regular}, U'\u2603'));
}

TEST_CASE("metrics: fallback fonts: the style's list first, then an installed font for the script") {
  FontSet fonts = default_font_set();
  fonts.fallback = {};
  fonts.fallback_list = {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"};
  Diagnostics diag;
  auto m = RealFontMetrics::load(fonts, "s.toml", diag);
  REQUIRE(m);
  CHECK(diag.all().empty());
  // The check mark is in the list's DejaVu Sans: that is the font used.
  std::optional<FaceId> check = m->fallback_face(kRegular, U'\u2713', "");
  REQUIRE(check);
  CHECK(check->family == FaceFamily::Fallback);
  CHECK(check->font > 0);
  CHECK(m->file(*check) == fonts.fallback_list[0]);
  // A Chinese character is in no listed font: fontconfig finds a CJK font, in Noto's
  // serif like the text face, and the face for the language's letter forms.
  if (!fs::exists("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")) {
    MESSAGE("SKIPPED: fonts-noto-cjk is not installed");
    return;
  }
  std::optional<FaceId> han = m->fallback_face(kRegular, U'\u6F22', "zh-cn");
  REQUIRE(han);
  CHECK(m->file(*han).find("NotoSerifCJK") != std::string::npos);
  CHECK(m->font_info(m->font_of(*han)).ps_name == "NotoSerifCJKsc-Regular");
  std::optional<FaceId> kanji = m->fallback_face(kRegular, U'\u6F22', "ja-jp");
  REQUIRE(kanji);
  CHECK(m->font_info(m->font_of(*kanji)).ps_name == "NotoSerifCJKjp-Regular");
  // Bold text borrows bold.
  std::optional<FaceId> bold = m->fallback_face(kBold, U'\u6F22', "zh-cn");
  REQUIRE(bold);
  CHECK(m->font_info(m->font_of(*bold)).ps_name == "NotoSerifCJKsc-Bold");
  // The same font asked for again is the same face.
  CHECK(*m->fallback_face(kRegular, U'\u5B57', "zh-cn") == *han);
  // Hebrew is in the listed DejaVu Sans; without the list it comes from Noto Serif
  // Hebrew. A private-use character comes from nowhere.
  std::optional<FaceId> alef = m->fallback_face(kRegular, U'\u05D0', "he-il");
  REQUIRE(alef);
  CHECK(m->file(*alef) == fonts.fallback_list[0]);
  fonts.fallback_list.clear();
  auto plain = RealFontMetrics::load(fonts, "s.toml", diag);
  REQUIRE(plain);
  alef = plain->fallback_face(kRegular, U'\u05D0', "he-il");
  REQUIRE(alef);
  CHECK(plain->font_info(plain->font_of(*alef)).ps_name.rfind("NotoSerifHebrew", 0) == 0);
  CHECK_FALSE(plain->fallback_face(kRegular, U'\uE000', ""));
}

TEST_CASE("metrics: Chinese in code comes from a monospaced CJK font in the language's forms") {
  if (!fs::exists("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")) {
    MESSAGE("SKIPPED: fonts-noto-cjk is not installed");
    return;
  }
  auto m = load_default_fonts();
  auto ps_name = [&](FaceId face, char32_t cp, const char* language) -> std::string {
    std::optional<FaceId> f = m->fallback_face(face, cp, language);
    return f ? m->font_info(m->font_of(*f)).ps_name : std::string("(none)");
  };
  const FaceId mono{FaceFamily::Mono, FaceStyle::Regular};
  const FaceId mono_bold{FaceFamily::Mono, FaceStyle::Bold};
  // Kin to the text's Noto Serif, a comment in a zh-CN book's code took the first
  // serif CJK face, Japanese: other letter forms, and double the width of no column.
  CHECK(ps_name(mono, U'\u6F22', "zh-cn") == "NotoSansMonoCJKsc-Regular");
  CHECK(ps_name(mono, U'\u6F22', "ja-jp") == "NotoSansMonoCJKjp-Regular");
  CHECK(ps_name(mono_bold, U'\u6F22', "zh-cn") == "NotoSansMonoCJKsc-Bold");
  // The text keeps the serif of its own kin.
  CHECK(ps_name(kRegular, U'\u6F22', "zh-cn") == "NotoSerifCJKsc-Regular");
}

TEST_CASE("metrics: characters no installed font has cost one fontconfig sort, not one each") {
  Diagnostics diag;
  auto m = RealFontMetrics::load(default_font_set(), "s.toml", diag);
  REQUIRE(m);
  // Supplementary private use area B: in no font Debian ships.
  work::Meter first;
  CHECK_FALSE(m->fallback_face(kRegular, U'\U00100000', ""));
  const uint64_t sort = first.units();  // the installed fonts, sorted once
  constexpr char32_t kMissing = 2000;
  work::Meter rest;
  for (char32_t cp = 0x100001; cp <= 0x100000 + kMissing; ++cp)
    CHECK_FALSE(m->fallback_face(kRegular, cp, ""));
  CHECK(sort > 0);
  // A fontconfig query per character went through every installed font for each.
  CHECK(rest.units() < kMissing);
}

TEST_CASE("metrics: a fallback family that is not installed is an error naming it") {
  FontSet fonts = default_font_set();
  fonts.fallback_list = {"No Such Family Anywhere"};
  Diagnostics diag;
  auto m = RealFontMetrics::load(fonts, "book/book.toml", diag);
  CHECK(m == nullptr);
  REQUIRE(diag.count(Severity::Error) == 1);
  CHECK(diag.all()[0].message.find("No Such Family Anywhere") != std::string::npos);
  CHECK(diag.all()[0].hint.find("fc-list") != std::string::npos);
}

TEST_CASE("metrics: a missing font file names the file and the style key") {
  FontSet fonts = default_font_set();
  fonts.text.italic = "/nonexistent/NoSuchFont-Italic.ttf";
  Diagnostics diag;
  auto m = RealFontMetrics::load(fonts, "book/pdf-style.toml", diag);
  CHECK(m == nullptr);
  REQUIRE(diag.count(Severity::Error) == 1);
  Diagnostic d = diag.all()[0];
  CHECK(d.file == "book/pdf-style.toml");
  CHECK(d.message.find("/nonexistent/NoSuchFont-Italic.ttf") != std::string::npos);
  CHECK(d.message.find("fonts.text.italic") != std::string::npos);
  CHECK(d.hint.find("install the font") != std::string::npos);  // no package known for it
  CHECK(d.hint.find("fonts.text.italic") != std::string::npos);
}

TEST_CASE("metrics: a missing default font is reported once, with the package that ships it") {
  struct Case {
    const char* file;
    const char* package;
  };
  const Case cases[] = {{"NotoSerif-Italic.ttf", "fonts-noto-core"},
                        {"DejaVuSansMono.ttf", "fonts-dejavu-core"},
                        {"DejaVuSansMono-Oblique.ttf", "fonts-dejavu-extra"},
                        {"NotoSansMono-Regular.ttf", "fonts-noto-mono"}};
  for (const Case& c : cases) {
    CAPTURE(c.file);
    FontSet fonts = default_font_set();
    fonts.mono.italic = std::string("/nonexistent/") + c.file;
    Diagnostics diag;
    auto m = RealFontMetrics::load(fonts, "book/book.toml", diag);
    CHECK(m == nullptr);
    REQUIRE(diag.count(Severity::Error) == 1);
    Diagnostic d = diag.all()[0];
    CHECK(d.hint.find(std::string("install the Debian package ") + c.package) != std::string::npos);
    CHECK(d.hint.find("fonts.mono.italic") != std::string::npos);
  }
  // Every file the built-in style names maps to the package dpkg -S names for it.
  CHECK(debian_font_package("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf") ==
        "fonts-dejavu-core");
  CHECK(debian_font_package("/usr/share/fonts/truetype/dejavu/DejaVuSansMono-BoldOblique.ttf") ==
        "fonts-dejavu-extra");
  CHECK(debian_font_package("/usr/share/fonts/truetype/noto/NotoSerif-BoldItalic.ttf") ==
        "fonts-noto-core");
  CHECK(debian_font_package("/home/me/fonts/Garamond.ttf").empty());
}

TEST_CASE("metrics: a style without italic uses the regular face") {
  FontSet fonts = default_font_set();
  fonts.text.italic.clear();
  Diagnostics diag;
  auto m = RealFontMetrics::load(fonts, "s.toml", diag);
  REQUIRE(m);
  CHECK(m->file(kItalic) == fonts.text.regular);
  CHECK(m->width(kItalic, "word") == m->width(kRegular, "word"));
}

TEST_CASE("metrics: shaping draws fi as one glyph that stands for both letters") {
  auto m = load_default_fonts();
  const ShapedText& fi = m->shape(kRegular, "fine");
  REQUIRE(fi.glyphs.size() == 3);  // the fi ligature, n, e
  CHECK(fi.glyphs[0].text_begin == 0);
  CHECK(fi.glyphs[0].text_end == 2);
  CHECK(fi.glyphs[1].text_begin == 2);
  CHECK(fi.glyphs[1].text_end == 3);
  CHECK(fi.glyphs[0].gid != m->glyph_of(m->font_of(kRegular), U'f'));
  // The width is the sum of the shaped advances, as drawn.
  int64_t sum = 0;
  for (const ShapedGlyph& g : fi.glyphs) sum += g.x_advance;
  CHECK(m->width(kRegular, "fine") == doctest::Approx(sum / m->font_info(m->font_of(kRegular)).upem));
  // Kerning is in the advances: A before V comes closer than A's own advance.
  const ShapedText& av = m->shape(kRegular, "AV");
  REQUIRE(av.glyphs.size() == 2);
  CHECK(av.glyphs[0].x_advance < m->glyph_advance(m->font_of(kRegular), av.glyphs[0].gid));
}

TEST_CASE("metrics: a combining accent keeps its own character; text above U+FFFF is shaped") {
  auto m = load_default_fonts();
  const ShapedText& e = m->shape(kRegular, "e\u0301");  // e + combining acute
  REQUIRE(!e.glyphs.empty());
  size_t covered = 0;
  for (const ShapedGlyph& g : e.glyphs) covered += g.text_end - g.text_begin;
  CHECK(covered == 3);  // every byte of the text belongs to exactly one glyph
  const FaceId fallback{FaceFamily::Fallback, FaceStyle::Regular};
  // DejaVu Sans has the grinning face (U+1F600), above the BMP.
  CHECK(m->has_glyph(fallback, U'\U0001F600'));
  const ShapedText& face = m->shape(fallback, "\U0001F600");
  REQUIRE(face.glyphs.size() == 1);
  CHECK(face.glyphs[0].gid != 0);
  CHECK(face.glyphs[0].text_end == 4);
}

TEST_CASE("to-unicode: a ligature maps to its letters, a character above U+FFFF to a surrogate pair") {
  std::map<uint32_t, std::string> text = {{3, " "}, {0x856, "fi"}, {0x1234, "\U0001D400"}};
  std::string cmap = to_unicode_cmap(text);
  CHECK(cmap.find("3 beginbfchar") != std::string::npos);
  CHECK(cmap.find("<0003> <0020>") != std::string::npos);
  CHECK(cmap.find("<0856> <00660069>") != std::string::npos);
  CHECK(cmap.find("<1234> <D835DC00>") != std::string::npos);
}

TEST_CASE("metrics: a cached word measures the same as the first time") {
  // How fast the cache is, the benchmark measures; here: it never changes an answer.
  auto m = load_default_fonts();
  std::vector<std::string> words;
  for (int i = 0; i < 20000; ++i) words.push_back("word" + std::to_string(i));
  std::vector<double> first;
  for (const std::string& w : words) first.push_back(m->width(kRegular, w));
  int differ = 0;
  for (int round = 0; round < 3; ++round)
    for (size_t i = 0; i < words.size(); ++i)
      if (m->width(kRegular, words[i]) != first[i]) ++differ;
  CHECK(differ == 0);
  CHECK(first[0] > 0);
  CHECK(first[19999] > first[0]);  // "word19999" is longer than "word0"
}

TEST_CASE("png: a 16-bit image becomes 8-bit with the same values") {
  RawImage img;
  std::string error;
  REQUIRE(decode_png(png16_rgb(), img, error));
  CHECK(img.width == 4);
  CHECK(img.height == 2);
  CHECK(img.channels == 3);
  CHECK(img.alpha.empty());
  REQUIRE(img.color.size() == 24);
  for (int i = 0; i < 24; ++i) CHECK(static_cast<unsigned char>(img.color[i]) == i * 10);
}

TEST_CASE("png: alpha becomes a separate channel; garbage is refused") {
  RawImage img;
  std::string error;
  REQUIRE(decode_png(png8_rgba(), img, error));
  CHECK(img.channels == 3);
  REQUIRE(img.alpha.size() == 9);
  CHECK(static_cast<unsigned char>(img.alpha[0]) == 0);
  CHECK(static_cast<unsigned char>(img.alpha[8]) == 248);
  CHECK(static_cast<unsigned char>(img.color[3 * 4 + 1]) == 80);
  CHECK_FALSE(decode_png("not a png at all", img, error));
  CHECK_FALSE(error.empty());
}

TEST_CASE("uri: unsafe bytes are percent-encoded, reserved ones kept") {
  CHECK(percent_encode_uri("https://example.com/a b?q=\xC3\xBC") ==
        "https://example.com/a%20b?q=%C3%BC");
  CHECK(percent_encode_uri("https://x.org/p%20q#frag") == "https://x.org/p%20q#frag");
  CHECK(percent_encode_uri("https://x.org/100%") == "https://x.org/100%25");
  CHECK(percent_encode_uri("mailto:a@b.c?subject=\"hi\"") == "mailto:a@b.c?subject=%22hi%22");
}

TEST_CASE("writer: a hand-built document passes qpdf, pdffonts, pdftotext and mutool") {
  fs::path dir = scratch_dir("hand-built");
  Book book = sample_book(dir);
  auto fonts = load_default_fonts();
  Diagnostics diag;
  fs::path out = dir / "out.pdf";
  REQUIRE(write_document(sample_document(), book, *fonts, out, diag));
  CHECK(diag.all().empty());
  std::string pdf = read_file(out).value_or("");
  REQUIRE(pdf.rfind("%PDF-", 0) == 0);
  CHECK(pdf.find("PDF/A") == std::string::npos);
  CHECK(pdf.find("/FlateDecode") != std::string::npos);
  const std::string file = "'" + out.string() + "'";

  if (need_tool("qpdf")) {
    Run check = run("qpdf --check " + file + " 2>&1");
    CHECK_MESSAGE(check.status == 0, check.out);
    CHECK(check.out.find("No syntax or stream encoding errors") != std::string::npos);
    fs::path qdf = dir / "out.qdf";
    REQUIRE(run("qpdf --qdf --object-streams=disable " + file + " '" + qdf.string() + "'").status ==
            0);
    std::string q = read_file(qdf).value_or("");
    CHECK(q.find("https://example.com/a%20b?q=%C3%BC") != std::string::npos);
    size_t links = 0;
    for (size_t at = q.find("/Subtype /Link"); at != std::string::npos;
         at = q.find("/Subtype /Link", at + 1)) {
      ++links;
    }
    CHECK(links == 3);
    CHECK(q.find("/PageLabels") != std::string::npos);
    CHECK(q.find("/S /r") != std::string::npos);
    CHECK(q.find("/S /D") != std::string::npos);
    CHECK(q.find("/SMask") != std::string::npos);
    // "AVATAR" is one TJ of glyph ids with kerning numbers between A and V.
    char av[64];
    const int text_font = fonts->font_of(kRegular);
    std::snprintf(av, sizeof av, "<%04X> -?[0-9.]+ <%04X", fonts->glyph_of(text_font, U'A'),
                  fonts->glyph_of(text_font, U'V'));
    CHECK_MESSAGE(std::regex_search(q, std::regex(av)), av);
    CHECK(q.find("/CreationDate (D:20231114221320Z") != std::string::npos);
  }
  if (need_tool("pdffonts")) {
    Run fonts_out = run("pdffonts " + file + " 2>/dev/null");
    REQUIRE(fonts_out.status == 0);
    int count = 0;
    size_t line_start = fonts_out.out.find("----");
    REQUIRE(line_start != std::string::npos);
    std::string rest = fonts_out.out.substr(fonts_out.out.find('\n', line_start) + 1);
    size_t pos = 0;
    while (pos < rest.size()) {
      size_t end = rest.find('\n', pos);
      if (end == std::string::npos) end = rest.size();
      std::string line = rest.substr(pos, end - pos);
      pos = end + 1;
      if (line.empty()) continue;
      std::vector<std::string> cols;
      size_t i = 0;
      while (i < line.size()) {
        while (i < line.size() && line[i] == ' ') ++i;
        size_t j = line.find(' ', i);
        if (j == std::string::npos) j = line.size();
        if (j > i) cols.push_back(line.substr(i, j - i));
        i = j;
      }
      REQUIRE(cols.size() >= 5);
      CHECK_MESSAGE(cols[cols.size() - 5] == "yes", "not embedded: " << line);
      ++count;
    }
    CHECK(count == 4);  // regular, bold, italic, mono
  }
  if (need_tool("pdftotext")) {
    Run t = run("pdftotext -enc UTF-8 " + file + " - 2>/dev/null");
    REQUIRE(t.status == 0);
    // libharu 2.3.0's own ToUnicode CMap made poppler warn; ours must not.
    Run warnings = run("pdftotext " + file + " - 2>&1 >/dev/null");
    CHECK_MESSAGE(warnings.out.empty(), warnings.out);
    std::string missing;
    CHECK_MESSAGE(
        in_order(t.out,
                 {"Contents", "Chapter One", "Chapter One", "AVATAR", "To", "Wave,",
                  "quick brown fox.", "Привет, мир", "съешь же ещё.", "Καλημέρα κόσμε, ἀρχή.",
                  "italic words", "code_sample()", "web link", "Section Two", "final words"},
                 missing),
        "missing or out of order: " << missing << "\n"
                                    << t.out);
  }
  if (need_tool("pdfinfo")) {
    Run info = run("pdfinfo " + file + " 2>/dev/null");
    CHECK(info.out.find("Test Book: With a Subtitle") != std::string::npos);
    CHECK(info.out.find("Ann Author, Ben Writer") != std::string::npos);
    CHECK(info.out.find("typesetting, testing") != std::string::npos);
    CHECK(info.out.find("Pages:           3") != std::string::npos);
    CHECK(info.out.find("Creator:         colophon") != std::string::npos);
  }
  if (need_tool("mutool")) {
    Run outline = run("mutool show " + file + " outline 2>/dev/null");
    CHECK_MESSAGE(outline.out.find("\"Chapter One\"\t#page=2") != std::string::npos, outline.out);
    CHECK(outline.out.find("\"Section Two\"\t#page=3") != std::string::npos);
    CHECK(outline.out.find("\"Глава два\"\t#page=3") != std::string::npos);
    // "Section Two" hangs under "Chapter One": one more indent.
    CHECK(outline.out.find("\t\"Section Two\"") != std::string::npos);
  }
}

TEST_CASE("writer: a book-sized document is drawn whole") {
  // About the corpus book: 400 pages of 38 lines of 9 words, one run per word.
  auto fonts = load_default_fonts();
  Document doc;
  const char* words[] = {"The",   "quick",  "brown",  "fox",      "jumps", "over", "lazy",
                         "dogs,", "AVATAR", "Привет", "Καλημέρα", "Tower", "of",   "Babel"};
  int n = 0;
  for (int p = 0; p < 400; ++p) {
    Page page;
    for (int line = 0; line < 38; ++line) {
      double x = 50;
      for (int w = 0; w < 9; ++w) {
        std::string word = words[n % 14] + std::to_string(n % 977);
        ++n;
        page.texts.push_back(text(x, 60 + line * 13.5, kRegular, 10.5, word));
        x += (fonts->width(kRegular, word) + 0.3) * 10.5;
      }
    }
    doc.pages.push_back(std::move(page));
  }
  Book book;
  Diagnostics diag;
  // Its speed is the benchmark's to measure; here: every page is written.
  auto bytes = render_document(doc, book, *fonts, "big.pdf", diag);
  REQUIRE(bytes);
  CHECK_FALSE(diag.has_errors());
  size_t pages = 0;
  for (size_t at = bytes->find("/Type /Page"); at != std::string::npos;
       at = bytes->find("/Type /Page", at + 1))
    if (bytes->compare(at, 12, "/Type /Pages") != 0) ++pages;
  CHECK(pages == 400);
}

TEST_CASE("writer: the same document gives the same bytes") {
  fs::path dir = scratch_dir("determinism");
  Book book = sample_book(dir);
  auto fonts = load_default_fonts();
  Diagnostics diag;
  auto a = render_document(sample_document(), book, *fonts, "a.pdf", diag);
  auto fonts2 = load_default_fonts();  // fresh caches and libharu state
  auto b = render_document(sample_document(), book, *fonts2, "b.pdf", diag);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->size() == b->size());
  CHECK(*a == *b);
  book.build_time += 86400;
  auto c = render_document(sample_document(), book, *fonts, "c.pdf", diag);
  REQUIRE(c);
  CHECK(*a != *c);  // the dates do come from the book
}

TEST_CASE("writer: a failed write leaves the old file") {
  fs::path dir = scratch_dir("atomic");
  Book book = sample_book(dir);
  auto fonts = load_default_fonts();
  Diagnostics diag;
  CHECK_FALSE(write_document(sample_document(), book, *fonts, dir / "missing" / "out.pdf", diag));
  CHECK(diag.count(Severity::Error) == 1);
  CHECK_FALSE(fs::exists(dir / "missing"));

  // A directory in the way: the rename fails, the temporary file is removed.
  fs::create_directories(dir / "taken.pdf" / "inside");
  Diagnostics diag3;
  CHECK_FALSE(write_document(sample_document(), book, *fonts, dir / "taken.pdf", diag3));
  CHECK(diag3.count(Severity::Error) == 1);
  CHECK(fs::is_directory(dir / "taken.pdf" / "inside"));
  for (const auto& entry : fs::directory_iterator(dir)) {
    CHECK_MESSAGE(entry.path().filename().string().rfind(".taken.pdf", 0) != 0,
                  "temporary file left behind: " << entry.path());
  }

  fs::path ro = dir / "readonly";
  fs::create_directories(ro);
  REQUIRE(write_file_atomic(ro / "out.pdf", "old contents").empty());
  chmod(ro.c_str(), 0555);
  if (::access(ro.c_str(), W_OK) == 0) {
    MESSAGE("SKIPPED: running as root, a read-only directory is still writable");
  } else {
    Diagnostics diag2;
    CHECK_FALSE(write_document(sample_document(), book, *fonts, ro / "out.pdf", diag2));
    CHECK(diag2.count(Severity::Error) == 1);
    CHECK(read_file(ro / "out.pdf").value_or("") == "old contents");
    CHECK(std::distance(fs::directory_iterator(ro), fs::directory_iterator{}) == 1);
  }
  chmod(ro.c_str(), 0755);
}

TEST_CASE("writer: an unknown link target and an SVG image are warnings, not failures") {
  fs::path dir = scratch_dir("warnings");
  Book book = sample_book(dir);
  Asset svg;
  svg.source = "src/images/map.svg";
  svg.media_type = "image/svg+xml";
  svg.data = "<svg xmlns='http://www.w3.org/2000/svg'/>";
  book.assets.push_back(svg);
  Document doc = sample_document();
  doc.pages[1].images.push_back({300, 300, 50, 50, 3, {}, {}});
  doc.pages[1].links[1].dest = "nowhere";
  auto fonts = load_default_fonts();
  Diagnostics diag;
  auto bytes = render_document(doc, book, *fonts, "out.pdf", diag);
  CHECK(bytes);
  CHECK(diag.count(Severity::Warning) == 2);
  CHECK(diag.count(Severity::Error) == 0);
}

// ---- Image encoding: which PNGs keep their data, and how each kind renders.

namespace {

struct Rgb {
  int r = 0, g = 0, b = 0;
};

std::string bytes_of(std::initializer_list<int> values) {
  std::string s;
  for (int v : values) s += static_cast<char>(v);
  return s;
}

// Returns the zlib data of a PNG's IDAT chunks, joined.
std::string idat_of(const std::string& png) {
  std::string data;
  for (size_t at = 8; at + 12 <= png.size();) {
    uint32_t length = 0;
    for (int i = 0; i < 4; ++i) length = length << 8 | static_cast<unsigned char>(png[at + i]);
    if (png.compare(at + 4, 4, "IDAT") == 0) data += png.substr(at + 8, length);
    at += 12 + length;
  }
  return data;
}

std::string chunk(const char* type, const std::string& data) {
  std::string s;
  put_chunk(s, type, data);
  return s;
}

// The 2x2 test picture: red, green / blue, gray (top row first).
const Rgb kQuad[4] = {{255, 0, 0}, {0, 200, 0}, {0, 0, 255}, {128, 128, 128}};

std::string quad_rgb_samples() {
  std::string s;
  for (const Rgb& c : kQuad) s += bytes_of({c.r, c.g, c.b});
  return s;
}

// A palette of the four quad colours, in order.
std::string quad_palette() { return chunk("PLTE", quad_rgb_samples()); }

// Lays the Adam7 passes of an RGB image (3 bytes a pixel, rows top to bottom) out as
// the raw data of an interlaced PNG, every pass row with filter byte 0.
std::string adam7_raw(int w, int h, const std::string& pixels) {
  static constexpr int kPass[7][4] = {{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4},
                                      {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}};
  std::string raw;
  for (const auto& p : kPass) {  // x0, y0, x step, y step
    for (int y = p[1]; y < h; y += p[3]) {
      std::string row;
      for (int x = p[0]; x < w; x += p[2])
        row += pixels.substr(static_cast<size_t>(y * w + x) * 3, 3);
      if (!row.empty()) raw += '\0' + row;
    }
  }
  return raw;
}

// Draws PNG as a 100 x 100 pt square at (50, 50) on a 200 x 200 pt page, checks the PDF
// with qpdf, renders it at 72 dpi with pdftoppm and returns the colours at the centres
// of the image's four quarters (top left, top right, bottom left, bottom right), or
// nothing when the tools are missing.
std::vector<Rgb> render_quarters(const std::string& name, const std::string& png,
                                 const std::string& media_type = "image/png") {
  fs::path dir = scratch_dir("image-" + name);
  Book book;
  Asset asset;
  asset.source = "src/images/" + name;
  asset.media_type = media_type;
  asset.data = png;
  book.assets.push_back(asset);
  book.build_time = 1700000000;
  Document doc;
  doc.width = 200;
  doc.height = 200;
  Page page;
  page.images.push_back({50, 50, 100, 100, 0, {}, {}});
  doc.pages.push_back(page);
  auto fonts = load_default_fonts();
  Diagnostics diag;
  fs::path out = dir / "out.pdf";
  REQUIRE(write_document(doc, book, *fonts, out, diag));
  CHECK_MESSAGE(diag.all().empty(), format_diagnostic(diag.all().front()));
  if (!need_tool("qpdf") || !need_tool("pdftoppm")) return {};
  Run check = run("qpdf --check '" + out.string() + "' 2>&1");
  CHECK_MESSAGE(check.status == 0, check.out);
  CHECK_MESSAGE(check.out.find("No syntax or stream encoding errors") != std::string::npos,
                check.out);
  REQUIRE(run("pdftoppm -r 72 '" + out.string() + "' '" + (dir / "page").string() + "'").status ==
          0);
  std::string ppm = read_file(dir / "page-1.ppm").value_or("");
  // P6, width, height, maxval, then the pixels.
  int width = 0, height = 0, maxval = 0, header = 0;
  REQUIRE(std::sscanf(ppm.c_str(), "P6 %d %d %d%n", &width, &height, &maxval, &header) == 3);
  REQUIRE(width == 200);
  REQUIRE(height == 200);
  const size_t pixels = static_cast<size_t>(header) + 1;
  REQUIRE(ppm.size() >= pixels + 200 * 200 * 3);
  std::vector<Rgb> out_colors;
  for (auto [x, y] : {std::pair{75, 75}, {125, 75}, {75, 125}, {125, 125}}) {
    const unsigned char* p =
        reinterpret_cast<const unsigned char*>(ppm.data()) + pixels + (y * 200 + x) * 3;
    out_colors.push_back({p[0], p[1], p[2]});
  }
  return out_colors;
}

// Checks that COLOR is EXPECTED over white at ALPHA (0-255), within rounding.
void check_color(const Rgb& color, const Rgb& expected, int alpha = 255) {
  auto over_white = [alpha](int c) { return (c * alpha + 255 * (255 - alpha) + 127) / 255; };
  constexpr int kTolerance = 3;  // poppler's compositing rounds differently
  CHECK_MESSAGE(std::abs(color.r - over_white(expected.r)) <= kTolerance,
                "red " << color.r << ", expected " << over_white(expected.r));
  CHECK_MESSAGE(std::abs(color.g - over_white(expected.g)) <= kTolerance,
                "green " << color.g << ", expected " << over_white(expected.g));
  CHECK_MESSAGE(std::abs(color.b - over_white(expected.b)) <= kTolerance,
                "blue " << color.b << ", expected " << over_white(expected.b));
}

}  // namespace

TEST_CASE("image: an opaque RGB PNG keeps its own zlib data and renders its colours") {
  std::string png = make_png(2, 2, 8, 2, quad_rgb_samples());
  EncodedImage e = encode_image(png, "image/png");
  REQUIRE(e.kind == EncodedImage::Kind::Flate);
  CHECK(e.data == idat_of(png));  // not decoded, not compressed again
  CHECK(e.png_rows);
  CHECK(e.colors == 3);
  CHECK(e.bits == 8);
  CHECK(e.palette.empty());
  CHECK(e.alpha.empty());
  CHECK(e.color_key.empty());
  std::vector<Rgb> px = render_quarters("rgb.png", png);
  for (size_t i = 0; i < px.size(); ++i) check_color(px[i], kQuad[i]);
}

// Returns PIXELS (H rows of W pixels of BPP bytes) as raw PNG data, row y filtered
// with filter type y % 5 (None, Sub, Up, Average, Paeth).
std::string filter_rows(const std::string& pixels, int w, int h, int bpp) {
  const long row = static_cast<long>(w) * bpp;
  auto at = [&](long y, long x) -> int {
    if (y < 0 || x < 0) return 0;
    return static_cast<unsigned char>(pixels[static_cast<size_t>(y * row + x)]);
  };
  std::string raw;
  for (long y = 0; y < h; ++y) {
    const int type = static_cast<int>(y % 5);
    raw += static_cast<char>(type);
    for (long x = 0; x < row; ++x) {
      const int a = at(y, x - bpp), b = at(y - 1, x), c = at(y - 1, x - bpp);
      int pred = 0;
      if (type == 1) pred = a;
      if (type == 2) pred = b;
      if (type == 3) pred = (a + b) / 2;
      if (type == 4) {
        const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
        pred = (pa <= pb && pa <= pc) ? a : pb <= pc ? b : c;
      }
      raw += static_cast<char>((at(y, x) - pred) & 0xFF);
    }
  }
  return raw;
}

TEST_CASE("image: rows with every PNG filter are undone as libpng undoes them") {
  const int w = 9, h = 10;
  std::string rgb, rgba;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      std::string px = bytes_of({x * 29, 255 - y * 23, (x * y * 37 + 11) % 256});
      rgb += px;
      rgba += px + static_cast<char>((x * 17 + y * 40) % 256);
    }
  }
  std::string png = png_file(w, h, 8, 2, filter_rows(rgb, w, h, 3));
  RawImage decoded;
  std::string error;
  REQUIRE(decode_png(png, decoded, error));
  REQUIRE(decoded.color == rgb);                               // the test's filtering is right
  CHECK(encode_image(png, "image/png").data == idat_of(png));  // passed through, filtered

  // RGBA goes through our own unfiltering: colour and alpha come out as libpng's.
  std::string rgba_png = png_file(w, h, 8, 6, filter_rows(rgba, w, h, 4));
  REQUIRE(decode_png(rgba_png, decoded, error));
  EncodedImage e = encode_image(rgba_png, "image/png");
  REQUIRE(e.kind == EncodedImage::Kind::Flate);
  CHECK_FALSE(e.png_rows);
  auto inflate_all = [](const std::string& z, size_t size) {
    std::string out(size, '\0');
    uLongf n = static_cast<uLongf>(size);
    CHECK(uncompress(reinterpret_cast<Bytef*>(out.data()), &n,
                     reinterpret_cast<const Bytef*>(z.data()),
                     static_cast<uLong>(z.size())) == Z_OK);
    return out;
  };
  CHECK(inflate_all(e.data, decoded.color.size()) == decoded.color);
  CHECK(inflate_all(e.alpha, decoded.alpha.size()) == decoded.alpha);

  // A palette with partial alpha: the soft mask is read from the unfiltered indices.
  std::string palette, trns, indices;
  for (int i = 0; i < 256; ++i) {
    palette += bytes_of({i, 255 - i, i / 2});
    trns += static_cast<char>((i * 7) % 256);
  }
  for (int i = 0; i < w * h; ++i) indices += static_cast<char>((i * 13) % 256);
  std::string pal_png = png_file(w, h, 8, 3, filter_rows(indices, w, h, 1),
                                 chunk("PLTE", palette) + chunk("tRNS", trns));
  REQUIRE(decode_png(pal_png, decoded, error));
  EncodedImage p = encode_image(pal_png, "image/png");
  REQUIRE(p.kind == EncodedImage::Kind::Flate);
  CHECK(p.data == idat_of(pal_png));  // 256 colours: the palette stays
  CHECK(inflate_all(p.alpha, decoded.alpha.size()) == decoded.alpha);
}

TEST_CASE("image: a gray PNG keeps its data; a transparent gray is a colour key") {
  std::string gray = make_png(2, 2, 8, 0, bytes_of({0, 255, 100, 200}));
  EncodedImage e = encode_image(gray, "image/png");
  REQUIRE(e.kind == EncodedImage::Kind::Flate);
  CHECK(e.data == idat_of(gray));
  CHECK(e.colors == 1);
  CHECK(e.palette.empty());
  std::vector<Rgb> px = render_quarters("gray.png", gray);
  const int expected[4] = {0, 255, 100, 200};
  for (size_t i = 0; i < px.size(); ++i)
    check_color(px[i], {expected[i], expected[i], expected[i]});

  // A 1-bit gray image with white (1) transparent: black pixels only.
  std::string bits = make_png(2, 2, 1, 0, bytes_of({0x40, 0x80}), chunk("tRNS", bytes_of({0, 1})));
  EncodedImage k = encode_image(bits, "image/png");
  REQUIRE(k.kind == EncodedImage::Kind::Flate);
  CHECK(k.bits == 1);
  CHECK(k.color_key == std::vector<int>{1, 1});
  CHECK(k.alpha.empty());
  px = render_quarters("gray1.png", bits);
  if (!px.empty()) {
    check_color(px[0], {0, 0, 0});
    check_color(px[1], {255, 255, 255});  // clear: the page shows
    check_color(px[2], {255, 255, 255});
    check_color(px[3], {0, 0, 0});
  }
}

TEST_CASE("image: an RGB PNG with a transparent colour gets a colour-key mask") {
  std::string trns = chunk("tRNS", bytes_of({0, 0, 0, 200, 0, 0}));  // green (0,200,0)
  std::string png = make_png(2, 2, 8, 2, quad_rgb_samples(), trns);
  EncodedImage e = encode_image(png, "image/png");
  REQUIRE(e.kind == EncodedImage::Kind::Flate);
  CHECK(e.data == idat_of(png));
  CHECK(e.color_key == std::vector<int>{0, 0, 200, 200, 0, 0});
  std::vector<Rgb> px = render_quarters("rgb-key.png", png);
  if (!px.empty()) {
    check_color(px[0], kQuad[0]);
    check_color(px[1], {255, 255, 255});
    check_color(px[2], kQuad[2]);
    check_color(px[3], kQuad[3]);
  }
}

TEST_CASE("image: a palette PNG becomes /Indexed with its own data") {
  std::string png = make_png(2, 2, 8, 3, bytes_of({0, 1, 2, 3}), quad_palette());
  EncodedImage e = encode_image(png, "image/png");
  REQUIRE(e.kind == EncodedImage::Kind::Flate);
  CHECK(e.data == idat_of(png));
  CHECK(e.palette == quad_rgb_samples());
  CHECK(e.alpha.empty());
  std::vector<Rgb> px = render_quarters("palette.png", png);
  for (size_t i = 0; i < px.size(); ++i) check_color(px[i], kQuad[i]);

  // 2-bit indices, reversed order.
  std::string png2 = make_png(2, 2, 2, 3, bytes_of({0xC0, 0x40}), quad_palette());
  EncodedImage e2 = encode_image(png2, "image/png");
  CHECK(e2.bits == 2);
  CHECK(e2.data == idat_of(png2));
  px = render_quarters("palette2.png", png2);
  if (!px.empty()) {
    check_color(px[0], kQuad[3]);
    check_color(px[1], kQuad[0]);
    check_color(px[2], kQuad[1]);
    check_color(px[3], kQuad[0]);
  }
}

TEST_CASE("image: palette transparency: all-or-nothing is a colour key, partial a soft mask") {
  // Entry 1 (green) fully clear, the rest opaque: a colour key on index 1.
  std::string key_png = make_png(2, 2, 8, 3, bytes_of({0, 1, 2, 3}),
                                 quad_palette() + chunk("tRNS", bytes_of({255, 0})));
  EncodedImage key = encode_image(key_png, "image/png");
  REQUIRE(key.kind == EncodedImage::Kind::Flate);
  CHECK(key.data == idat_of(key_png));
  CHECK(key.color_key == std::vector<int>{1, 1});
  CHECK(key.alpha.empty());
  std::vector<Rgb> px = render_quarters("palette-key.png", key_png);
  if (!px.empty()) {
    check_color(px[0], kQuad[0]);
    check_color(px[1], {255, 255, 255});
    check_color(px[2], kQuad[2]);
    check_color(px[3], kQuad[3]);
  }

  // Partial alpha over four distinct colours: kept palette, soft mask from the indices.
  const int alpha[4] = {255, 128, 64, 0};
  std::string soft_png =
      make_png(2, 2, 8, 3, bytes_of({0, 1, 2, 3}),
               quad_palette() + chunk("tRNS", bytes_of({alpha[0], alpha[1], alpha[2], alpha[3]})));
  EncodedImage soft = encode_image(soft_png, "image/png");
  REQUIRE(soft.kind == EncodedImage::Kind::Flate);
  CHECK_FALSE(soft.alpha.empty());
  CHECK(soft.color_key.empty());
  px = render_quarters("palette-alpha.png", soft_png);
  for (size_t i = 0; i < px.size(); ++i) check_color(px[i], kQuad[i], alpha[i]);
}

TEST_CASE("image: line art in one ink with alpha by index (the corpus's palettes)") {
  // 256 entries: white then black ink; alpha = index, as the corpus's scans have it.
  std::string palette = bytes_of({255, 255, 255});
  for (int i = 1; i < 256; ++i) palette += bytes_of({0, 0, 0});
  std::string trns;
  for (int i = 0; i < 255; ++i) trns += static_cast<char>(i);  // entry 255: opaque
  const int index[4] = {0, 255, 128, 30};
  std::string png = make_png(2, 2, 8, 3, bytes_of({index[0], index[1], index[2], index[3]}),
                             chunk("PLTE", palette) + chunk("tRNS", trns));
  EncodedImage e = encode_image(png, "image/png");
  REQUIRE(e.kind == EncodedImage::Kind::Flate);
  CHECK(e.alpha == idat_of(png));  // the indices are the soft mask, as they are
  CHECK(e.alpha_png_rows);
  CHECK_FALSE(e.alpha_inverted);
  CHECK(e.bits == 1);  // two colours: one bit each
  CHECK(e.palette == bytes_of({255, 255, 255, 0, 0, 0}));
  std::vector<Rgb> px = render_quarters("ink.png", png);
  if (!px.empty()) {
    check_color(px[0], {255, 255, 255}, 0);
    check_color(px[1], {0, 0, 0}, 255);
    check_color(px[2], {0, 0, 0}, 128);
    check_color(px[3], {0, 0, 0}, 30);
  }

  // The same with alpha = 255 - index: an inverted /Decode.
  std::string inverted_trns;
  for (int i = 0; i < 256; ++i) inverted_trns += static_cast<char>(255 - i);
  std::string inv = make_png(2, 2, 8, 3, bytes_of({index[0], index[1], index[2], index[3]}),
                             chunk("PLTE", palette) + chunk("tRNS", inverted_trns));
  EncodedImage ei = encode_image(inv, "image/png");
  CHECK(ei.alpha == idat_of(inv));
  CHECK(ei.alpha_inverted);
  px = render_quarters("ink-inverted.png", inv);
  if (!px.empty()) {
    check_color(px[0], {255, 255, 255}, 255);
    check_color(px[1], {0, 0, 0}, 0);
    check_color(px[2], {0, 0, 0}, 127);
    check_color(px[3], {0, 0, 0}, 225);
  }
}

TEST_CASE("image: an interlaced PNG is decoded and renders its colours") {
  std::string png = png_file(2, 2, 8, 2, adam7_raw(2, 2, quad_rgb_samples()), "", 1);
  RawImage raw;
  std::string error;
  REQUIRE(decode_png(png, raw, error));
  REQUIRE(raw.color == quad_rgb_samples());  // the test's interlacing is right
  EncodedImage e = encode_image(png, "image/png");
  REQUIRE(e.kind == EncodedImage::Kind::Flate);
  CHECK_FALSE(e.png_rows);  // decoded samples, compressed anew
  CHECK(e.data != idat_of(png));
  std::vector<Rgb> px = render_quarters("interlaced.png", png);
  for (size_t i = 0; i < px.size(); ++i) check_color(px[i], kQuad[i]);
}

TEST_CASE("image: RGBA and gray+alpha PNGs get a soft mask with the right alpha") {
  const int alpha[4] = {255, 0, 128, 64};
  std::string rgba;
  for (int i = 0; i < 4; ++i) rgba += bytes_of({kQuad[i].r, kQuad[i].g, kQuad[i].b, alpha[i]});
  std::string png = make_png(2, 2, 8, 6, rgba);
  EncodedImage e = encode_image(png, "image/png");
  REQUIRE(e.kind == EncodedImage::Kind::Flate);
  CHECK(e.colors == 3);
  CHECK_FALSE(e.alpha.empty());
  std::vector<Rgb> px = render_quarters("rgba.png", png);
  for (size_t i = 0; i < px.size(); ++i) check_color(px[i], kQuad[i], alpha[i]);

  std::string ga = make_png(2, 2, 8, 4, bytes_of({0, 255, 0, 0, 200, 128, 50, 64}));
  EncodedImage g = encode_image(ga, "image/png");
  REQUIRE(g.kind == EncodedImage::Kind::Flate);
  CHECK(g.colors == 1);
  px = render_quarters("gray-alpha.png", ga);
  if (!px.empty()) {
    check_color(px[0], {0, 0, 0}, 255);
    check_color(px[1], {0, 0, 0}, 0);
    check_color(px[2], {200, 200, 200}, 128);
    check_color(px[3], {50, 50, 50}, 64);
  }

  // Fully opaque alpha needs no mask.
  std::string opaque;
  for (int i = 0; i < 4; ++i) opaque += bytes_of({kQuad[i].r, kQuad[i].g, kQuad[i].b, 255});
  CHECK(encode_image(make_png(2, 2, 8, 6, opaque), "image/png").alpha.empty());
}

TEST_CASE("image: a 16-bit PNG is decoded to 8 bits and renders its colours") {
  std::string s;
  for (const Rgb& c : kQuad) {
    for (int v : {c.r, c.g, c.b}) s += bytes_of({v, v});  // v * 257
  }
  std::string png = make_png(2, 2, 16, 2, s);
  EncodedImage e = encode_image(png, "image/png");
  REQUIRE(e.kind == EncodedImage::Kind::Flate);
  CHECK(e.bits == 8);
  std::vector<Rgb> px = render_quarters("deep.png", png);
  for (size_t i = 0; i < px.size(); ++i) check_color(px[i], kQuad[i]);
}

TEST_CASE("image: damaged files are left out with a reason, never drawn wrong") {
  std::string good = make_png(2, 2, 8, 2, quad_rgb_samples());
  std::string bad_crc = good;
  bad_crc[8 + 8 + 13] ^= 0x01;  // the IHDR CRC
  EncodedImage e = encode_image(bad_crc, "image/png");
  CHECK(e.kind == EncodedImage::Kind::Missing);
  CHECK(e.problem.find("CRC") != std::string::npos);

  // IDAT data cut short (its CRC recomputed, so only the zlib stream is wrong).
  std::string raw;
  for (int y = 0; y < 2; ++y)
    raw += '\0' + quad_rgb_samples().substr(static_cast<size_t>(y) * 6, 6);
  std::string z(64, '\0');
  uLongf size = 64;
  compress2(reinterpret_cast<Bytef*>(z.data()), &size, reinterpret_cast<const Bytef*>(raw.data()),
            static_cast<uLong>(raw.size()), 9);
  z.resize(size - 6);
  std::string cut = "\x89PNG\r\n\x1a\n" + good.substr(8, 25);
  put_chunk(cut, "IDAT", z);
  put_chunk(cut, "IEND", "");
  EncodedImage c = encode_image(cut, "image/png");
  CHECK(c.kind == EncodedImage::Kind::Missing);
  CHECK(c.problem.find("cannot decode PNG image") == 0);

  CHECK(encode_image("GIF89a", "image/png").kind == EncodedImage::Kind::Missing);
  EncodedImage jpeg = encode_image("\xFF\xD8\xFF\xE0\x00\x02garbage", "image/jpeg");
  CHECK(jpeg.kind == EncodedImage::Kind::Missing);
  CHECK(jpeg.problem.find("JPEG") != std::string::npos);
  EncodedImage svg = encode_image("<svg/>", "image/svg+xml");
  CHECK(svg.problem == "the PDF cannot show image/svg+xml images");
}

TEST_CASE("image: a damaged JPEG is an error at its reference and the document is still rendered") {
  fs::path dir = scratch_dir("bad-jpeg");
  Book book = sample_book(dir);
  Asset bad;
  bad.source = "src/images/broken.jpg";
  bad.media_type = "image/jpeg";
  bad.data = std::string("\xFF\xD8\xFF\xDB\x00\x04\x00\x00\x12\x34", 10);
  book.assets.push_back(bad);
  Document doc = sample_document();
  doc.pages[1].images.push_back({300, 300, 50, 50, 3, "book/src/ch.md", {9, 1}});
  auto fonts = load_default_fonts();
  Diagnostics diag;
  auto bytes = render_document(doc, book, *fonts, "out.pdf", diag);
  CHECK(bytes);  // the writer goes on; the error keeps the CLI from replacing dist/
  REQUIRE(diag.count(Severity::Error) == 1);
  Diagnostic d = diag.all()[0];
  CHECK(d.file == "book/src/ch.md");  // the reference's place
  CHECK(d.pos.line == 9);
  CHECK(d.pos.col == 1);
  CHECK(d.message.find("src/images/broken.jpg") != std::string::npos);
  CHECK(!d.hint.empty());
  // The good JPEG still passes through unchanged.
  EncodedImage jpeg = encode_asset(book.assets[2]);
  REQUIRE(jpeg.kind == EncodedImage::Kind::Jpeg);
  CHECK(jpeg.data == std::string(reinterpret_cast<const char*>(kSampleJpeg), sizeof kSampleJpeg));
}

namespace {

// Returns the mean grey of columns [X0, X1) of grey samples G of WIDTH.
double mean_grey(const GreyJpeg& g, int x0, int x1) {
  double sum = 0;
  int n = 0;
  for (int y = 0; y < g.height; ++y)
    for (int x = x0; x < x1; ++x, ++n)
      sum += static_cast<unsigned char>(g.data[static_cast<size_t>(y * g.width + x)]);
  return n ? sum / n : 0;
}

Asset jpeg_asset(std::string_view bytes) {
  Asset a;
  a.source = "src/images/photo.jpg";
  a.media_type = "image/jpeg";
  a.data = std::string(bytes);
  return a;
}

}  // namespace

TEST_CASE("print: a colour JPEG becomes a greyscale JPEG whose luma is the original's, coefficient for coefficient") {
  const std::string colour(reinterpret_cast<const char*>(kSampleJpeg), sizeof kSampleJpeg);
  REQUIRE(encode_image(colour, "image/jpeg").colors == 3);
  EncodedImage e = encode_asset(jpeg_asset(colour), true);
  REQUIRE(e.kind == EncodedImage::Kind::Jpeg);
  CHECK(e.colors == 1);
  CHECK(e.width == 16);
  CHECK(e.height == 8);
  // The file itself says one component (libharu takes its colour space from it).
  EncodedImage again = encode_image(e.data, "image/jpeg");
  REQUIRE(again.kind == EncodedImage::Kind::Jpeg);
  CHECK(again.colors == 1);
  // Decoded, the grey JPEG gives exactly the luma libjpeg decodes from the colour one:
  // the coefficients were copied, not decoded and compressed again.
  GreyJpeg from_colour, from_grey;
  std::string error;
  REQUIRE(decode_jpeg_grey(colour, 1 << 20, from_colour, error));
  REQUIRE(decode_jpeg_grey(e.data, 1 << 20, from_grey, error));
  CHECK(from_grey.data == from_colour.data);
  // Red on the left, blue on the right: libjpeg decodes them as RGB (201, 61, 36) and
  // (30, 61, 178), whose Rec. 601 luma is 100 and 65.
  CHECK(mean_grey(from_grey, 0, 6) == doctest::Approx(100).epsilon(0.03));
  CHECK(mean_grey(from_grey, 10, 16) == doctest::Approx(65).epsilon(0.03));
  // A grey JPEG is left as it is; the screen PDF keeps the colour one.
  CHECK(encode_asset(jpeg_asset(e.data), true).data == e.data);
  CHECK(encode_asset(jpeg_asset(colour)).data == colour);
}

TEST_CASE("print: a CMYK JPEG becomes grey samples, ink for ink") {
  const std::string cmyk(reinterpret_cast<const char*>(kCmykJpeg), sizeof kCmykJpeg);
  REQUIRE(encode_image(cmyk, "image/jpeg").colors == 4);
  EncodedImage e = encode_asset(jpeg_asset(cmyk), true);
  REQUIRE(e.kind == EncodedImage::Kind::Flate);
  CHECK(e.colors == 1);
  CHECK(e.bits == 8);
  CHECK(e.palette.empty());
  CHECK(e.alpha.empty());
  std::string samples(16 * 8, '\0');
  uLongf size = static_cast<uLongf>(samples.size());
  REQUIRE(uncompress(reinterpret_cast<Bytef*>(samples.data()), &size,
                     reinterpret_cast<const Bytef*>(e.data.data()),
                     static_cast<uLong>(e.data.size())) == Z_OK);
  GreyJpeg g;
  g.width = 16;
  g.height = 8;
  g.data = samples;
  CHECK(mean_grey(g, 0, 6) > 240);   // no ink: paper white
  CHECK(mean_grey(g, 10, 16) < 15);  // full black ink
}

TEST_CASE("print: a colour JPEG libjpeg cannot read is an error at its reference, not a colour image") {
  std::string colour(reinterpret_cast<const char*>(kSampleJpeg), sizeof kSampleJpeg);
  // The first component's sampling factors (in the SOF0 segment) set to 0: the frame
  // header still names three components, which is all the PDF's own check reads.
  size_t sof = colour.find("\xFF\xC0");
  REQUIRE(sof != std::string::npos);
  colour[sof + 11] = 0x00;
  EncodedImage e = encode_asset(jpeg_asset(colour), true);
  CHECK(e.kind == EncodedImage::Kind::Missing);
  CHECK(e.problem.find("cannot turn colour JPEG image grey for print") == 0);
  CHECK(!e.hint.empty());
}

TEST_CASE("image encoder: every asset once, whatever order the drawing asks in") {
  std::vector<Asset> assets;
  for (int i = 0; i < 12; ++i) {
    Asset a;
    a.source = "src/images/" + std::to_string(i) + ".png";
    a.media_type = i % 3 == 2 ? "image/svg+xml" : "image/png";
    std::string s;
    for (int k = 0; k < 64 * 64; ++k) s += bytes_of({i * 20, k % 256, 255 - i, (k * i) % 256});
    a.data = make_png(64, 64, 8, 6, s);
    assets.push_back(a);
  }
  ImageEncoder encoder(assets);
  for (size_t i = assets.size(); i-- > 0;) {
    const EncodedImage& got = encoder.get(i);
    EncodedImage expected = encode_asset(assets[i]);
    CHECK(got.kind == expected.kind);
    CHECK(got.data == expected.data);
    CHECK(got.alpha == expected.alpha);
  }
  CHECK(&encoder.get(3) == &encoder.get(3));  // the same result, not a new one
  { ImageEncoder abandoned(assets); }         // stopping early neither hangs nor crashes
}

TEST_CASE("deflate queue: every item comes back compressed, in any order, once") {
  DeflateQueue queue(4);
  std::vector<std::string> inputs;
  std::vector<size_t> tickets;
  for (int i = 0; i < 200; ++i) {
    std::string s;
    for (int k = 0; k < 2000 + i * 37; ++k)
      s += static_cast<char>("BT Tf Tj ET 0123"[(k * i + k / 7) % 16]);
    inputs.push_back(s);
    tickets.push_back(queue.add(s));
  }
  for (size_t n = 0; n < inputs.size(); ++n) {
    const size_t i = (n * 7919) % inputs.size();  // a scrambled order
    std::string z = queue.take(tickets[i]);
    REQUIRE_FALSE(z.empty());
    CHECK(z.size() < inputs[i].size());
    std::string back(inputs[i].size(), '\0');
    uLongf size = static_cast<uLongf>(back.size());
    REQUIRE(uncompress(reinterpret_cast<Bytef*>(back.data()), &size,
                       reinterpret_cast<const Bytef*>(z.data()),
                       static_cast<uLong>(z.size())) == Z_OK);
    CHECK(back == inputs[i]);
    CHECK(z == deflate_bytes(inputs[i], 4, Z_DEFAULT_STRATEGY));  // the same bytes every time
  }
  CHECK(queue.take(tickets[0]).empty());  // taken already
  CHECK(queue.take(9999).empty());        // never given
  {
    DeflateQueue abandoned(6);
    abandoned.add(inputs[0]);
  }  // dropped work neither hangs nor leaks
}

TEST_CASE("image: a PNG whose gamma is not sRGB's is converted by libpng, as before") {
  std::string linear, srgb;
  put_u32(linear, 100000);  // gamma 1.0: libpng converts the samples for sRGB output
  put_u32(srgb, 45455);
  std::string converted = make_png(2, 2, 8, 2, quad_rgb_samples(), chunk("gAMA", linear));
  EncodedImage e = encode_image(converted, "image/png");
  REQUIRE(e.kind == EncodedImage::Kind::Flate);
  CHECK_FALSE(e.png_rows);  // decoded by libpng
  RawImage raw;
  std::string error;
  REQUIRE(decode_png(converted, raw, error));
  std::string color(raw.color.size(), '\0');
  uLongf size = static_cast<uLongf>(color.size());
  REQUIRE(uncompress(reinterpret_cast<Bytef*>(color.data()), &size,
                     reinterpret_cast<const Bytef*>(e.data.data()),
                     static_cast<uLong>(e.data.size())) == Z_OK);
  CHECK(color == raw.color);
  std::string plain = make_png(2, 2, 8, 2, quad_rgb_samples(), chunk("gAMA", srgb));
  CHECK(encode_image(plain, "image/png").data == idat_of(plain));  // sRGB gamma: as it is
}

namespace {

// Returns zlib DATA inflated (EXPECTED bytes).
std::string inflate_all(const std::string& data, size_t expected) {
  std::string out(expected, '\0');
  uLongf size = static_cast<uLongf>(expected);
  int rc = uncompress(reinterpret_cast<Bytef*>(out.data()), &size,
                      reinterpret_cast<const Bytef*>(data.data()), static_cast<uLong>(data.size()));
  REQUIRE(rc == Z_OK);
  out.resize(size);
  return out;
}

Asset svg_asset(const std::string& svg, int width, int height) {
  Asset a;
  a.source = "src/shape.svg";
  a.media_type = "image/svg+xml";
  a.data = svg;
  a.width = width;
  a.height = height;
  return a;
}

}  // namespace

TEST_CASE("an SVG is drawn for the PDF at print resolution, its transparency a soft mask") {
  // 16 by 8 CSS pixels: red on the left half, nothing on the right.
  const std::string svg =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"16\" height=\"8\">"
      "<rect x=\"0\" y=\"0\" width=\"8\" height=\"8\" fill=\"#ff0000\"/></svg>";
  EncodedImage e = encode_asset(svg_asset(svg, 16, 8));
  REQUIRE(e.kind == EncodedImage::Kind::Flate);
  CHECK(e.width == 50);  // 16 px at 300 dpi over 96: 50 pixels
  CHECK(e.height == 25);
  CHECK(e.colors == 3);
  REQUIRE(!e.alpha.empty());
  std::string rgb = inflate_all(e.data, 50 * 25 * 3);
  std::string alpha = inflate_all(e.alpha, 50 * 25);
  auto px = [&](int x, int y) { return static_cast<size_t>(y * 50 + x); };
  CHECK(static_cast<unsigned char>(rgb[px(5, 10) * 3]) == 255);      // red
  CHECK(static_cast<unsigned char>(rgb[px(5, 10) * 3 + 1]) == 0);
  CHECK(static_cast<unsigned char>(alpha[px(5, 10)]) == 255);        // opaque
  CHECK(static_cast<unsigned char>(alpha[px(45, 10)]) == 0);         // clear
  // For print: grey, over white, no mask.
  EncodedImage grey = encode_asset(svg_asset(svg, 16, 8), true);
  REQUIRE(grey.kind == EncodedImage::Kind::Flate);
  CHECK(grey.colors == 1);
  CHECK(grey.alpha.empty());
  std::string g = inflate_all(grey.data, 50 * 25);
  CHECK(static_cast<unsigned char>(g[px(45, 10)]) == 255);
  CHECK(static_cast<unsigned char>(g[px(5, 10)]) == 76);  // red's luma
  // Not an SVG librsvg can read: left out with the reason.
  EncodedImage bad = encode_asset(svg_asset("<svg", 16, 8));
  CHECK(bad.kind == EncodedImage::Kind::Missing);
  CHECK(bad.problem.find("cannot draw SVG image") != std::string::npos);
}

TEST_CASE("images: each is charged its decoded bytes before decoding, within the budget at once") {
  // Eight RGBA images of 200 x 200 pixels: 200 rows of 801 bytes decoded, each.
  const std::string rgba(200 * 200 * 4, '\x7f');
  std::vector<Asset> assets(8);
  for (Asset& a : assets) {
    a.media_type = "image/png";
    a.width = a.height = 200;
    a.data = make_png(200, 200, 8, 6, rgba);
  }
  const uint64_t one = 200 * (200 * 4 + 1);
  CHECK(decoded_image_bytes(assets[0], false) == one);
  CHECK(decoded_image_bytes(assets[0], true) == one);
  // Room for one and a half: the layout thread (get) and the worker take turns.
  ImageEncoder encoder(assets, false, one + one / 2);
  for (size_t i = assets.size(); i-- > 0;) {
    const EncodedImage& e = encoder.get(i);
    CHECK(e.kind == EncodedImage::Kind::Flate);
    CHECK(e.width == 200);
    CHECK_FALSE(e.alpha.empty());
  }
  CHECK(encoder.peak_decoding() == one);
  // A JPEG is kept as its file is; a grey interior decodes it (at most three samples).
  Asset jpeg;
  jpeg.media_type = "image/jpeg";
  jpeg.width = 100;
  jpeg.height = 50;
  CHECK(decoded_image_bytes(jpeg, false) == 0);
  CHECK(decoded_image_bytes(jpeg, true) == 100 * 50 * 3);
}

}  // namespace colophon
