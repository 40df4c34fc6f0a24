// Tests of the EPUB packager on the hand-built book: archive layout (mimetype first,
// stored, no extra field), OPF metadata, manifest and spine, nav nesting, determinism
// across time zones, atomic writes, golden files and epubcheck.
#include <doctest/doctest.h>
#include <tinyxml2.h>
#include <zip.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <regex>

#include "core/clock.h"
#include "core/paths.h"
#include "epub/epub.h"
#include "epub/package.h"
#include "epub_test_util.h"
#include "sample_book.h"

using namespace colophon;
using namespace colophon::testing;
namespace fs = std::filesystem;

namespace {

bool has(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Writes the sample book (possibly changed by CHANGE) and returns the archive's entries.
struct Built {
  fs::path file;
  std::vector<ZipFileEntry> entries;
  std::string get(const std::string& name) const {
    for (const ZipFileEntry& e : entries)
      if (e.name == name) return e.data;
    FAIL("no entry " << name);
    return {};
  }
  bool contains(const std::string& name) const {
    for (const ZipFileEntry& e : entries)
      if (e.name == name) return true;
    return false;
  }
};

template <typename Change>
Built build(const std::string& name, Change change) {
  fs::path dir = fresh_dir("epub-" + name);
  Book book = sample_book(dir / "book");
  change(book);
  Diagnostics diag;
  Built b;
  b.file = dir / "out" / "book.epub";
  fs::create_directories(b.file.parent_path());
  bool ok = write_epub(book, b.file, diag);
  for (const Diagnostic& d : diag.all()) MESSAGE(format_diagnostic(d));
  REQUIRE(ok);
  CHECK(diag.all().empty());
  b.entries = read_zip(b.file);
  return b;
}

Built build(const std::string& name) {
  return build(name, [](Book&) {});
}

std::string parse_error(const std::string& xml) {
  tinyxml2::XMLDocument doc;
  if (doc.Parse(xml.data(), xml.size()) == tinyxml2::XML_SUCCESS) return {};
  return doc.ErrorStr();
}

}  // namespace

TEST_CASE("mimetype comes first, stored, without extra field") {
  Built b = build("mimetype");
  REQUIRE(!b.entries.empty());
  CHECK(b.entries[0].name == "mimetype");
  CHECK(b.entries[0].data == "application/epub+zip");
  CHECK(b.entries[0].method == ZIP_CM_STORE);
  // The raw local header: signature, method 0, no extra field, then the bytes.
  std::string raw = read_file(b.file).value();
  REQUIRE(raw.size() > 58);
  CHECK(raw.compare(0, 4, "PK\x03\x04") == 0);
  CHECK(raw[8] == 0);
  CHECK(raw[9] == 0);
  CHECK(raw[28] == 0);  // extra field length
  CHECK(raw[29] == 0);
  CHECK(raw.compare(30, 28, "mimetypeapplication/epub+zip") == 0);
  for (const ZipFileEntry& e : b.entries) {
    INFO(e.name);
    CHECK(e.extra_fields == 0);
    if (e.name.ends_with(".xhtml") || e.name.ends_with(".css") || e.name.ends_with(".opf"))
      CHECK(e.method == ZIP_CM_DEFLATE);
    if (e.name.ends_with(".png")) CHECK(e.method == ZIP_CM_STORE);
  }
}

TEST_CASE("the archive holds every file in a fixed order, all XML well-formed") {
  Built b = build("layout");
  std::vector<std::string> names;
  for (const ZipFileEntry& e : b.entries) names.push_back(e.name);
  // mimetype first (OCF); then the stored images, the generated documents, the deflated
  // images, the chapters, and the package document last (it is made last).
  std::vector<std::string> expected = {
      "mimetype",             "EPUB/images/dot.png",   "EPUB/images/cover.png",
      "META-INF/container.xml", "EPUB/nav.xhtml",      "EPUB/toc.ncx",
      "EPUB/css/epub.css",    "EPUB/cover.xhtml",      "EPUB/titlepage.xhtml",
      "EPUB/images/shape.svg", "EPUB/preface.xhtml",   "EPUB/ch01-one.xhtml",
      "EPUB/ch02-two.xhtml",  "EPUB/appendix.xhtml",   "EPUB/package.opf"};
  CHECK(names == expected);
  for (const ZipFileEntry& e : b.entries) {
    if (e.name.ends_with(".xhtml") || e.name.ends_with(".opf") || e.name.ends_with(".ncx") ||
        e.name.ends_with(".xml") || e.name.ends_with(".svg")) {
      INFO(e.name);
      CHECK(parse_error(e.data) == "");
    }
  }
  CHECK(b.get("EPUB/images/dot.png") == tiny_png());
  CHECK(has(b.get("EPUB/images/shape.svg"), "<title>A shape</title>"));  // from Asset::data
  CHECK(has(b.get("META-INF/container.xml"), "full-path=\"EPUB/package.opf\""));
  CHECK(b.get("EPUB/css/epub.css").rfind("/* colophon: book typography", 0) == 0);
}

TEST_CASE("package document metadata") {
  Built b = build("opf");
  std::string opf = b.get("EPUB/package.opf");
  INFO(opf);
  CHECK(has(opf, "<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\" "
                 "unique-identifier=\"bookid\" xml:lang=\"en-GB\">"));
  std::smatch m;
  REQUIRE(std::regex_search(opf, m, std::regex("<dc:identifier id=\"bookid\">urn:uuid:"
                                               "([0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                                               "[0-9a-f]{12})</dc:identifier>")));
  CHECK(has(opf, "<dc:title>The &lt;Test&gt; &amp; \"Book\"</dc:title>"));
  CHECK(has(opf, "<dc:creator id=\"creator-1\">Ann Author</dc:creator>\n<meta refines=\"#creator-1\" "
                 "property=\"role\" scheme=\"marc:relators\">aut</meta>"));
  CHECK(has(opf, "<dc:creator id=\"creator-2\">Bob Writer</dc:creator>"));
  CHECK(has(opf, "<dc:language>en-GB</dc:language>"));
  CHECK(has(opf, "<dc:description>A book that covers every construct.</dc:description>"));
  CHECK(has(opf, "<dc:publisher>Colophon Press</dc:publisher>"));
  CHECK(has(opf, "<dc:date>2026-11-27</dc:date>"));
  CHECK(has(opf, "<dc:rights>Public domain</dc:rights>"));
  CHECK(has(opf, "<dc:subject>Testing</dc:subject>\n<dc:subject>Typography</dc:subject>"));
  CHECK(has(opf, "<meta property=\"dcterms:modified\">2023-11-14T22:13:20Z</meta>"));
  CHECK(has(opf, "<meta property=\"schema:accessMode\">textual</meta>"));
  CHECK(has(opf, "<meta property=\"schema:accessMode\">visual</meta>"));
  CHECK(has(opf, "<meta property=\"schema:accessModeSufficient\">textual</meta>"));
  CHECK(has(opf, "<meta property=\"schema:accessibilityFeature\">alternativeText</meta>"));
  CHECK(has(opf, "<meta property=\"schema:accessibilityFeature\">structuralNavigation</meta>"));
  CHECK(has(opf, "<meta property=\"schema:accessibilityHazard\">none</meta>"));
  CHECK(has(opf, "<meta property=\"schema:accessibilitySummary\">"));
  CHECK(has(opf, "<meta name=\"cover\" content=\"img-cover-png\"/>"));
  // Manifest and spine.
  CHECK(has(opf, "<item id=\"nav\" href=\"nav.xhtml\" media-type=\"application/xhtml+xml\" "
                 "properties=\"nav\"/>"));
  CHECK(has(opf, "<item id=\"ncx\" href=\"toc.ncx\" media-type=\"application/x-dtbncx+xml\"/>"));
  CHECK(has(opf, "<item id=\"css\" href=\"css/epub.css\" media-type=\"text/css\"/>"));
  CHECK(has(opf, "<item id=\"c3\" href=\"ch02-two.xhtml\" media-type=\"application/xhtml+xml\"/>"));
  CHECK(has(opf, "<item id=\"c2\" href=\"ch01-one.xhtml\" media-type=\"application/xhtml+xml\"/>"));
  CHECK(has(opf, "<item id=\"img-cover-png\" href=\"images/cover.png\" media-type=\"image/png\" "
                 "properties=\"cover-image\"/>"));
  CHECK(has(opf, "<item id=\"img-shape-svg\" href=\"images/shape.svg\" "
                 "media-type=\"image/svg+xml\"/>"));
  CHECK(has(opf, "<spine toc=\"ncx\">\n<itemref idref=\"cover\"/>\n<itemref idref=\"titlepage\"/>\n"
                 "<itemref idref=\"nav\"/>\n<itemref idref=\"c1\"/>\n<itemref idref=\"c2\"/>\n<itemref idref=\"c3\"/>\n"
                 "<itemref idref=\"c4\"/>\n</spine>"));
  CHECK(has(opf, "<reference type=\"text\" title=\"Start\" href=\"ch01-one.xhtml\"/>"));
  CHECK(has(opf, "<reference type=\"cover\" title=\"Cover\" href=\"cover.xhtml\"/>"));
  CHECK(has(b.get("EPUB/cover.xhtml"), "<img role=\"doc-cover\" src=\"images/cover.png\""));
  std::string title = b.get("EPUB/titlepage.xhtml");
  CHECK(has(title, "<h1 class=\"title\">The &lt;Test&gt; &amp; \"Book\"</h1>\n<p class=\"subtitle\">A "
                   "Subtitle</p>\n<p class=\"author\">Ann Author</p>\n<p class=\"author\">Bob "
                   "Writer</p>\n<p class=\"publisher\">Colophon Press</p>"));
}

TEST_CASE("text-direction: every document and the spine take the book's direction") {
  Built rtl = build("rtl", [](Book& book) { book.meta.direction = "rtl"; });
  CHECK(has(rtl.get("EPUB/package.opf"), "<spine toc=\"ncx\" page-progression-direction=\"rtl\">"));
  for (const char* doc : {"EPUB/cover.xhtml", "EPUB/titlepage.xhtml", "EPUB/nav.xhtml",
                          "EPUB/ch01-one.xhtml", "EPUB/ch02-two.xhtml"}) {
    INFO(doc);
    CHECK(has(rtl.get(doc), "lang=\"en-GB\" dir=\"rtl\">\n<head>"));
  }
  // Unset: each paragraph's own direction, nothing written.
  Built plain = build("direction-unset");
  CHECK_FALSE(has(plain.get("EPUB/package.opf"), "page-progression-direction"));
  CHECK(has(plain.get("EPUB/ch01-one.xhtml"), "lang=\"en-GB\">\n<head>"));
}

TEST_CASE("identifier: configured, else a UUID derived from title and authors") {
  Book a = sample_book(fresh_dir("epub-id") / "book");
  std::string derived = book_identifier(a);
  CHECK(derived.rfind("urn:uuid:", 0) == 0);
  CHECK(book_identifier(a) == derived);
  a.meta.authors.push_back("Cy");
  CHECK(book_identifier(a) != derived);
  a.meta.identifier = "urn:isbn:9780000000000";
  CHECK(book_identifier(a) == "urn:isbn:9780000000000");
  CHECK(sha1_hex("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(sha1_hex("") == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

TEST_CASE("optional metadata is left out when empty; a bad date is a warning") {
  fs::path dir = fresh_dir("epub-meta");
  Book book = sample_book(dir / "book");
  book.meta.description.clear();
  book.meta.publisher.clear();
  book.meta.rights.clear();
  book.meta.subjects.clear();
  book.meta.date = "next spring";
  Diagnostics diag;
  REQUIRE(write_epub(book, dir / "b.epub", diag));
  REQUIRE(diag.count(Severity::Warning) == 1);
  CHECK(diag.all()[0].file == "book/book.toml");
  std::string opf;
  for (const ZipFileEntry& e : read_zip(dir / "b.epub"))
    if (e.name == "EPUB/package.opf") opf = e.data;
  CHECK_FALSE(has(opf, "dc:description"));
  CHECK_FALSE(has(opf, "dc:publisher"));
  CHECK_FALSE(has(opf, "dc:date"));
  CHECK_FALSE(has(opf, "dc:rights"));
  CHECK_FALSE(has(opf, "dc:subject"));
}

TEST_CASE("nav: parts, SUMMARY nesting, headings to toc depth, landmarks") {
  Built b = build("nav");
  std::string nav = b.get("EPUB/nav.xhtml");
  INFO(nav);
  CHECK(has(nav, "<nav epub:type=\"toc\" role=\"doc-toc\" id=\"toc\">\n<h1>Contents</h1>\n<ol>\n"
                 "<li><a href=\"preface.xhtml\">Preface</a></li>\n"
                 "<li><span>Part One: Basics</span>\n<ol>\n"
                 "<li><a href=\"ch01-one.xhtml\">Chapter One</a>\n<ol>\n"
                 "<li><a href=\"ch01-one.xhtml#section-a\">Section A</a></li>\n"
                 "<li><a href=\"ch02-two.xhtml\">Chapter Two</a>\n<ol>\n"
                 "<li><a href=\"ch02-two.xhtml#sub-b\">Sub B</a></li>\n</ol>\n</li>\n</ol>\n</li>\n"
                 "</ol>\n</li>\n"
                 "<li><a href=\"appendix.xhtml\">Appendix: Sources</a></li>\n</ol>\n</nav>"));
  CHECK_FALSE(has(nav, "#chapter-one"));  // the chapter's own heading is its title
  CHECK_FALSE(has(nav, "#deep"));
  CHECK(has(nav, "<nav epub:type=\"landmarks\" id=\"landmarks\" hidden=\"hidden\">"));
  CHECK(has(nav, "<li><a epub:type=\"cover\" href=\"cover.xhtml\">Cover</a></li>"));
  CHECK(has(nav, "<li><a epub:type=\"titlepage\" href=\"titlepage.xhtml\">Title page</a></li>"));
  CHECK(has(nav, "<li><a epub:type=\"toc\" href=\"nav.xhtml#toc\">Contents</a></li>"));
  CHECK(has(nav, "<li><a epub:type=\"bodymatter\" href=\"ch01-one.xhtml\">Start</a></li>"));

  std::string ncx = b.get("EPUB/toc.ncx");
  CHECK(has(ncx, "<meta name=\"dtb:depth\" content=\"4\"/>"));
  CHECK(has(ncx, "<navPoint id=\"navpoint-2\" playOrder=\"2\">\n<navLabel><text>Part One: "
                 "Basics</text></navLabel>\n<content src=\"ch01-one.xhtml\"/>"));
  // The part and its first chapter point at the same file: same play order.
  CHECK(has(ncx, "<navPoint id=\"navpoint-3\" playOrder=\"2\">\n<navLabel><text>Chapter One"));
  CHECK(has(ncx, "<navPoint id=\"navpoint-4\" playOrder=\"3\">"));
  CHECK(parse_error(ncx) == "");
}

TEST_CASE("toc depth 1 lists chapters only; depth 3 adds deeper headings") {
  Built one = build("nav-depth1", [](Book& b) { b.epub.toc_depth = 1; });
  std::string nav1 = one.get("EPUB/nav.xhtml");
  CHECK_FALSE(has(nav1, "#section-a"));
  CHECK(has(nav1, "ch02-two.xhtml\">Chapter Two"));
  Built three = build("nav-depth3", [](Book& b) { b.epub.toc_depth = 3; });
  std::string nav3 = three.get("EPUB/nav.xhtml");
  CHECK(has(nav3, "<li><a href=\"ch01-one.xhtml#section-a\">Section A</a>\n<ol>\n"
                  "<li><a href=\"ch01-one.xhtml#deep\">Deep Heading</a></li>\n</ol>\n</li>"));
}

TEST_CASE("book-level notes get their own file in manifest, spine and links") {
  Built b = build("notes", [](Book& book) {
    book.note_options.epub_placement = NoteOptions::Placement::Book;
  });
  CHECK(b.contains("EPUB/notes.xhtml"));
  std::string opf = b.get("EPUB/package.opf");
  CHECK(has(opf, "<item id=\"notes\" href=\"notes.xhtml\" media-type=\"application/xhtml+xml\"/>"));
  CHECK(has(opf, "<itemref idref=\"c4\"/>\n<itemref idref=\"notes\"/>\n</spine>"));
  CHECK(has(b.get("EPUB/ch01-one.xhtml"), "href=\"notes.xhtml#note-1\""));
  CHECK(has(b.get("EPUB/notes.xhtml"), "href=\"ch01-one.xhtml#noteref-1\""));
}

TEST_CASE("generated file names never collide with chapter files") {
  Built b = build("collide", [](Book& book) {
    book.chapters[3].id = "nav";
    book.note_options.epub_placement = NoteOptions::Placement::Book;
    book.chapters[2].id = "notes";
  });
  CHECK(b.contains("EPUB/nav.xhtml"));
  CHECK(b.contains("EPUB/nav-2.xhtml"));
  CHECK(b.contains("EPUB/notes-2.xhtml"));
  CHECK(has(b.get("EPUB/package.opf"), "href=\"nav-2.xhtml\" media-type=\"application/xhtml+xml\" "
                                        "properties=\"nav\""));
}

TEST_CASE("no cover: no cover page, no cover-image") {
  Built b = build("nocover", [](Book& book) { book.meta.cover.clear(); });
  CHECK_FALSE(b.contains("EPUB/cover.xhtml"));
  std::string opf = b.get("EPUB/package.opf");
  CHECK_FALSE(has(opf, "cover-image"));
  CHECK(has(opf, "<spine toc=\"ncx\">\n<itemref idref=\"titlepage\"/>"));
}

TEST_CASE("a cover the asset pass did not record is packed from the book") {
  Built b = build("cover-fallback", [](Book& book) { book.assets.erase(book.assets.begin() + 1); });
  CHECK(b.contains("EPUB/images/cover.png"));
  CHECK(has(b.get("EPUB/package.opf"), "properties=\"cover-image\""));
}

TEST_CASE("extra CSS is appended; a missing one is an error with a hint") {
  fs::path dir = fresh_dir("epub-css");
  Book book = sample_book(dir / "book");
  {
    std::ofstream(dir / "book" / "extra.css") << "p { color: #222; }\n";
  }
  book.epub.extra_css = {"extra.css"};
  Diagnostics diag;
  REQUIRE(write_epub(book, dir / "a.epub", diag));
  std::string css;
  for (const ZipFileEntry& e : read_zip(dir / "a.epub"))
    if (e.name == "EPUB/css/epub.css") css = e.data;
  CHECK(has(css, "\n/* extra.css */\np { color: #222; }\n"));

  book.epub.extra_css = {"missing.css"};
  Diagnostics diag2;
  CHECK_FALSE(write_epub(book, dir / "b.epub", diag2));
  REQUIRE(diag2.count(Severity::Error) == 1);
  Diagnostic d = diag2.all()[0];
  CHECK(d.file == "book/book.toml");
  CHECK(has(d.message, "missing.css"));
  CHECK(has(d.hint, "extra-css"));
  CHECK_FALSE(fs::exists(dir / "b.epub"));
}

TEST_CASE("a failed build leaves the old EPUB untouched and no temporary file") {
  fs::path dir = fresh_dir("epub-atomic");
  fs::path out = dir / "out" / "book.epub";
  fs::create_directories(out.parent_path());
  std::ofstream(out) << "OLD";
  Book book = sample_book(dir / "book");
  book.assets[0].path = (dir / "gone.png").string();
  Diagnostics diag;
  CHECK_FALSE(write_epub(book, out, diag));
  REQUIRE(diag.has_errors());
  CHECK(diag.all()[0].file == "book/src/images/dot.png");
  CHECK(read_file(out).value() == "OLD");
  int files = 0;
  for (const auto& e : fs::directory_iterator(out.parent_path())) {
    (void)e;
    ++files;
  }
  CHECK(files == 1);
  // An output directory that does not exist.
  Diagnostics diag3;
  CHECK_FALSE(write_epub(sample_book(dir / "book"), dir / "nowhere" / "x.epub", diag3));
  CHECK(diag3.has_errors());
}

TEST_CASE("same input, same bytes: SOURCE_DATE_EPOCH, any time zone") {
  setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
  std::string first;
  for (const char* tz : {"UTC", "America/New_York", "Asia/Tokyo", "Pacific/Chatham"}) {
    setenv("TZ", tz, 1);
    tzset();
    fs::path dir = fresh_dir(std::string("epub-det-") + (tz[0] == 'U' ? "utc" : "zone"));
    Book book = sample_book(dir / "book");
    book.build_time = build_time();
    Diagnostics diag;
    REQUIRE(write_epub(book, dir / "x.epub", diag));
    std::string bytes = read_file(dir / "x.epub").value();
    if (first.empty()) {
      first = bytes;
      // DOS date and time of the first local header are 2023-11-14 22:13:20 UTC.
      auto u16 = [&](size_t at) {
        return static_cast<unsigned>(static_cast<unsigned char>(bytes[at])) |
               (static_cast<unsigned>(static_cast<unsigned char>(bytes[at + 1])) << 8);
      };
      CHECK(u16(10) == ((22u << 11) | (13u << 5) | 10u));
      CHECK(u16(12) == (((2023u - 1980u) << 9) | (11u << 5) | 14u));
    } else {
      INFO(tz);
      CHECK(bytes == first);
    }
  }
  unsetenv("TZ");
  tzset();
  unsetenv("SOURCE_DATE_EPOCH");
}

TEST_CASE("DOS times are computed in UTC and clamped to the DOS range") {
  uint16_t d = 0, t = 0;
  dos_date_time_utc(0, d, t);  // before 1980
  CHECK(d == ((0 << 9) | (1 << 5) | 1));
  CHECK(t == 0);
  dos_date_time_utc(951782400 + 86399, d, t);  // 2000-02-29T23:59:59Z
  CHECK(d == ((20 << 9) | (2 << 5) | 29));
  CHECK(t == ((23 << 11) | (59 << 5) | 29));
}

TEST_CASE("golden: the hand-built book's package files") {
  Built b = build("golden");
  check_golden("sample", b.entries);
}

TEST_CASE("epubcheck: zero errors and zero warnings on every construct") {
  Built b = build("epubcheck");
  Built notes = build("epubcheck-notes", [](Book& book) {
    book.note_options.epub_placement = NoteOptions::Placement::Book;
    book.epub.toc_depth = 3;
  });
  for (const fs::path& file : {b.file, notes.file}) {
    EpubcheckResult r = run_epubcheck(file);
    if (r.skipped) {
      MESSAGE("SKIPPED: epubcheck or java is not installed; install epubcheck to run this test");
      return;
    }
    INFO(r.output);
    CHECK(r.ran);
    CHECK(r.fatals == 0);
    CHECK(r.errors == 0);
    CHECK(r.warnings == 0);
  }
}

TEST_CASE("a book the size of the corpus packs whole") {
  fs::path dir = fresh_dir("epub-speed");
  Book book = sample_book(dir / "book");
  Block p = para({text(std::string(400, 'x') + " & some <escaped> text, "),
                  span(InlineKind::Emph, {text("emphasis")}), text(std::string(300, 'y'))});
  for (int c = 0; c < 4; ++c)
    book.chapters[c].blocks.insert(book.chapters[c].blocks.begin(), 280, p);
  Diagnostics diag;
  REQUIRE(write_epub(book, dir / "big.epub", diag));
  CHECK_FALSE(diag.has_errors());
  // Each grown chapter is in the archive with all 280 of its new paragraphs.
  std::vector<ZipFileEntry> entries = read_zip(dir / "big.epub");
  for (int c = 0; c < 4; ++c) {
    std::string name = book.chapters[c].id + ".xhtml";
    auto e = std::find_if(entries.begin(), entries.end(), [&](const ZipFileEntry& z) {
      return z.name.size() >= name.size() && z.name.ends_with("/" + name);
    });
    REQUIRE_MESSAGE(e != entries.end(), name);
    size_t count = 0;
    for (size_t at = e->data.find(std::string(300, 'y')); at != std::string::npos;
         at = e->data.find(std::string(300, 'y'), at + 300))
      ++count;
    CHECK(count == 280);
  }
}
