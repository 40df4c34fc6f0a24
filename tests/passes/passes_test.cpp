// Unit tests of tools/passes on hand-built Book models (and files in a temporary book).
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "passes/passes.h"

using namespace colophon;
namespace fs = std::filesystem;

namespace {

Inline text(std::string s) {
  Inline in;
  in.kind = InlineKind::Text;
  in.text = std::move(s);
  return in;
}

Inline link(std::string url, SourcePos pos = {3, 5}) {
  Inline in;
  in.kind = InlineKind::Link;
  in.url = std::move(url);
  in.pos = pos;
  in.children.push_back(text("x"));
  return in;
}

Inline image(std::string url, SourcePos pos = {4, 1}) {
  Inline in;
  in.kind = InlineKind::Image;
  in.url = std::move(url);
  in.pos = pos;
  return in;
}

Inline noteref(int note) {
  Inline in;
  in.kind = InlineKind::NoteRef;
  in.note = note;
  return in;
}

// A raw HTML inline element as the reader makes it: a Span.
Inline span_el(std::string element, std::string id, SourcePos pos) {
  Inline in;
  in.kind = InlineKind::Span;
  in.element = std::move(element);
  in.attr.id = std::move(id);
  in.pos = pos;
  return in;
}

Block para(std::vector<Inline> inlines) {
  Block b;
  b.kind = BlockKind::Paragraph;
  b.inlines = std::move(inlines);
  return b;
}

Block heading(std::string title, SourcePos pos = {1, 1}) {
  Block b;
  b.kind = BlockKind::Heading;
  b.level = 2;
  b.pos = pos;
  b.inlines.push_back(text(std::move(title)));
  return b;
}

// A raw HTML block element as the reader makes it: a Div.
Block div_el(std::string element, std::string id, SourcePos pos, std::vector<Block> children = {}) {
  Block b;
  b.kind = BlockKind::Div;
  b.element = std::move(element);
  b.attr.id = std::move(id);
  b.pos = pos;
  b.children = std::move(children);
  return b;
}

// Inlines outside a paragraph, as raw HTML text.
Block plain(std::vector<Inline> inlines) {
  Block b;
  b.kind = BlockKind::Plain;
  b.inlines = std::move(inlines);
  return b;
}

Block quote(std::vector<Block> children) {
  Block b;
  b.kind = BlockKind::BlockQuote;
  b.children = std::move(children);
  return b;
}

// A book in a fresh temporary directory, deleted at the end of the test.
struct TempBook {
  fs::path root;
  Book book;
  Diagnostics diag;

  explicit TempBook(std::vector<std::string> chapters) {
    static int counter = 0;
    root = fs::path(COLOPHON_BINARY_DIR) / "test-passes-tmp" /
           (std::to_string(::getpid()) + "-" + std::to_string(++counter));
    fs::remove_all(root);
    fs::create_directories(root / "src");
    book.root = root.string();
    book.root_display = "book";
    book.config_file = "book.toml";
    for (const std::string& source : chapters) {
      write(source, "# x\n");
      Chapter ch;
      ch.source = source;
      book.chapters.push_back(ch);
    }
  }
  ~TempBook() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }

  void write(const std::string& rel, const std::string& bytes) {
    fs::create_directories((root / rel).parent_path());
    std::ofstream(root / rel, std::ios::binary) << bytes;
  }

  // Adds a note defined in chapter C and returns its index.
  int add_note(int c, std::vector<Block> blocks = {}) {
    Note n;
    n.chapter = c;
    n.label = "n" + std::to_string(book.notes.size());
    n.blocks = std::move(blocks);
    book.notes.push_back(n);
    int i = static_cast<int>(book.notes.size()) - 1;
    book.chapters[c].notes.push_back(i);
    return i;
  }

  size_t errors() const { return diag.count(Severity::Error); }
  size_t warnings() const { return diag.count(Severity::Warning); }
  // Returns every diagnostic as "file:line:col: message" lines.
  std::string messages() const {
    std::string out;
    for (const Diagnostic& d : diag.all())
      out += d.file + ":" + std::to_string(d.pos.line) + ":" + std::to_string(d.pos.col) + ": " +
             d.message + "\n";
    return out;
  }
  std::string hints() const {
    std::string out;
    for (const Diagnostic& d : diag.all()) out += d.hint + "\n";
    return out;
  }
};

// Big-endian 32-bit value as 4 bytes.
std::string be32(uint32_t v) {
  std::string s(4, '\0');
  for (int i = 0; i < 4; ++i) s[i] = static_cast<char>((v >> (24 - 8 * i)) & 0xFF);
  return s;
}

// The start of a PNG file: signature and IHDR (CRC not checked by the pass).
std::string png(uint32_t w, uint32_t h, int depth = 8, int color = 6) {
  std::string s = "\x89PNG\r\n\x1A\n";
  s += be32(13) + "IHDR" + be32(w) + be32(h);
  s += static_cast<char>(depth);
  s += static_cast<char>(color);
  s += std::string(3, '\0');  // compression, filter, interlace
  s += be32(0);               // CRC placeholder
  return s;
}

// A minimal JPEG header: SOI, an APP0 segment, then SOF0 with the size.
std::string jpeg(int w, int h) {
  std::string s = "\xFF\xD8";
  s += "\xFF\xE0";
  s += std::string("\x00\x10", 2) + "JFIF" + std::string("\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", 10);
  s += "\xFF\xC0";
  s += std::string("\x00\x11\x08", 3);
  s += static_cast<char>(h >> 8);
  s += static_cast<char>(h & 0xFF);
  s += static_cast<char>(w >> 8);
  s += static_cast<char>(w & 0xFF);
  s += std::string(10, '\x01');
  s += "\xFF\xD9";
  return s;
}

std::string gif(int w, int h) {
  std::string s = "GIF89a";
  s += static_cast<char>(w & 0xFF);
  s += static_cast<char>(w >> 8);
  s += static_cast<char>(h & 0xFF);
  s += static_cast<char>(h >> 8);
  s += std::string("\x00\x00\x00;", 4);
  return s;
}

}  // namespace

TEST_CASE("chapter ids come from file names, unique and valid") {
  TempBook t({"src/01-intro.md", "src/a/intro.md", "src/b/intro.md", "src/nav.md",
              "src/Caf\u00e9 Life.md", "src/\u0413\u043b\u0430\u0432\u0430 2.md"});
  assign_ids(t.book, t.diag);
  CHECK(t.book.chapters[0].id == "ch-01-intro");
  CHECK(t.book.chapters[1].id == "intro");
  CHECK(t.book.chapters[2].id == "intro-2");
  CHECK(t.book.chapters[3].id == "nav-2");  // nav.xhtml belongs to the EPUB writer
  CHECK(t.book.chapters[4].id == "cafe-life");  // file_slug: an accent keeps its letter
  CHECK(t.book.chapters[5].id == "ch-2");  // names inside the EPUB keep ASCII letters only
  CHECK(t.errors() == 0);
}

TEST_CASE("heading ids are unique across the whole book, GitHub style") {
  TempBook t({"src/a.md", "src/b.md"});
  t.book.chapters[0].blocks = {heading("Intro"), heading("Intro"), heading("1"), heading("!!!")};
  t.book.chapters[1].blocks = {heading("Intro"), quote({heading("Getting Started!")})};
  assign_ids(t.book, t.diag);
  auto& a = t.book.chapters[0].blocks;
  auto& b = t.book.chapters[1].blocks;
  CHECK(a[0].attr.id == "intro");
  CHECK(a[1].attr.id == "intro-1");
  CHECK(a[2].attr.id == "_1");  // an XML id cannot start with a digit
  CHECK(a[3].attr.id == "section");
  CHECK(b[0].attr.id == "intro-2");
  CHECK(b[1].children[0].attr.id == "getting-started");
  CHECK(t.errors() == 0);
}

TEST_CASE("raw HTML ids and note ids are reserved before headings") {
  TempBook t({"src/a.md"});
  t.book.chapters[0].blocks = {
      div_el("div", "intro", {1, 1}, {heading("Intro"), heading("Note 1"), para({noteref(0)})})};
  t.add_note(0);
  assign_ids(t.book, t.diag);
  CHECK(t.book.chapters[0].blocks[0].children[0].attr.id == "intro-1");
  CHECK(t.book.chapters[0].blocks[0].children[1].attr.id == "note-1-1");
  REQUIRE(t.book.chapters[0].raw_ids.size() == 1);
  CHECK(t.book.chapters[0].raw_ids[0] == "intro");
  CHECK(t.errors() == 0);
}

TEST_CASE("colliding raw HTML ids are errors at the second id") {
  TempBook t({"src/a.md", "src/b.md"});
  t.book.chapters[0].blocks = {div_el("div", "x", {2, 6})};
  t.book.chapters[1].blocks = {div_el("p", "", {7, 1}, {plain({span_el("span", "x", {8, 7})})}),
                               plain({span_el("a", "note-1", {9, 4})})};
  t.add_note(1);
  assign_ids(t.book, t.diag);
  CHECK(t.messages() ==
        "book/src/b.md:8:7: id 'x' is already defined at book/src/a.md:2:6\n"
        "book/src/b.md:9:4: id 'note-1' is reserved for footnotes\n");
}

TEST_CASE("notes are numbered continuously or per chapter, in order of first reference") {
  for (bool per_chapter : {false, true}) {
    TempBook t({"src/a.md", "src/b.md"});
    t.book.note_options.numbering =
        per_chapter ? NoteOptions::Numbering::PerChapter : NoteOptions::Numbering::Continuous;
    t.add_note(0);
    t.add_note(0);
    t.add_note(1);
    t.add_note(1);  // never referenced
    t.book.chapters[0].blocks = {para({text("a"), noteref(1), text("b"), noteref(0), noteref(1)})};
    t.book.chapters[1].blocks = {para({noteref(2)})};
    run_passes(t.book, t.diag);
    CHECK(t.book.notes[1].number == 1);
    CHECK(t.book.notes[0].number == 2);
    CHECK(t.book.notes[2].number == (per_chapter ? 1 : 3));
    CHECK(t.book.notes[3].number == (per_chapter ? 2 : 4));
    CHECK(t.book.notes[0].id == "note-1");
    CHECK(t.book.notes[0].ref_id == "noteref-1");
    CHECK(t.book.notes[3].id == "note-4");
    CHECK(t.book.chapters[0].notes == std::vector<int>{1, 0});
    CHECK(t.book.chapters[1].notes == std::vector<int>{2, 3});
    CHECK(t.errors() == 0);
    CHECK(t.warnings() == 0);  // unused notes are the reader's to report
  }
}

TEST_CASE("a note cited only from another note is numbered after it") {
  TempBook t({"src/a.md"});
  t.add_note(0);                            // 0: cited by note 1
  t.add_note(0, {para({noteref(0)})});      // 1
  t.book.chapters[0].blocks = {para({noteref(1)})};
  number_notes(t.book, t.diag);
  CHECK(t.book.notes[1].number == 1);
  CHECK(t.book.notes[0].number == 2);
}

TEST_CASE("links resolve in every form") {
  TempBook t({"src/a.md", "src/sub/b.md", "src/c d.md", "src/16-appendix-1.md"});
  t.write("src/orphan.md", "# orphan\n");
  t.write("src/img.png", png(1, 1));
  t.book.chapters[1].blocks = {heading("Intro"), heading("1")};
  t.book.chapters[0].blocks = {
      heading("Intro"),
      heading("1"),
      para({link("sub/b.md", {10, 1}), link("sub/b.md#intro", {11, 1}),
            link("#1", {12, 1}), link("./sub/b.md#1", {13, 1}), link("c%20d.md", {14, 1}),
            link("https://example.com/a?b#c", {15, 1}), link("mailto:a@b.c", {16, 1}),
            link("16-appendix-1.md#appendix-1-1", {17, 1}), link("#intro", {18, 1}),
            link("sub/b.md#intro-1", {19, 1}), link("sub/b.html", {20, 1}),
            link("c%20d.md#", {21, 1})}),
  };
  t.book.chapters[1].blocks.push_back(para({link("../a.md#1", {5, 2})}));
  t.book.chapters[3].blocks = {div_el("div", "appendix-1-1", {5, 1}, {heading("1")})};
  t.book.chapters[3].blocks[0].attr.classes = {"section"};
  run_passes(t.book, t.diag);
  CHECK(t.messages() == "");
  auto& l = t.book.chapters[0].blocks[2].inlines;
  auto is = [&](int k, int chapter, const std::string& anchor) {
    INFO("link " << k << " " << l[k].url);
    CHECK(l[k].target.kind == LinkTarget::Kind::Internal);
    CHECK(l[k].target.chapter == chapter);
    CHECK(l[k].target.anchor == anchor);
  };
  is(0, 1, "");
  is(1, 1, "intro-1");  // b's "intro" became intro-1 book-wide; the mdBook spelling still works
  is(2, 0, "_1");
  is(3, 1, "_1-1");
  is(4, 2, "");
  CHECK(l[5].target.kind == LinkTarget::Kind::External);
  CHECK(l[6].target.kind == LinkTarget::Kind::External);
  is(7, 3, "appendix-1-1");
  is(8, 0, "intro");
  is(9, 1, "intro-1");
  is(10, 1, "");
  is(11, 2, "");
  auto& back = t.book.chapters[1].blocks[2].inlines[0];
  CHECK(back.target.kind == LinkTarget::Kind::Internal);
  CHECK(back.target.chapter == 0);
  CHECK(back.target.anchor == "_1");
}

TEST_CASE("with dead-links = error, broken links are errors at the link's line:col") {
  TempBook t({"src/a.md", "src/c.md"});
  t.book.dead_links_are_errors = true;
  t.write("src/orphan.md", "# orphan\n");
  t.write("src/img.png", png(1, 1));
  t.book.chapters[1].blocks = {heading("Getting started")};
  t.book.chapters[0].blocks = {para({
      link("missing.md", {10, 3}),
      link("orphan.md", {11, 3}),
      link("c.md#getting-startd", {12, 3}),
      link("img.png", {13, 3}),
      link("/abs.md", {15, 3}),
      link("#getting-started", {16, 3}),
      link("c.md?x=1", {17, 3}),
      link("c%zz.md", {18, 3}),
      link("//example.com/x", {19, 3}),
  })};
  run_passes(t.book, t.diag);
  CHECK(t.messages() ==
        "book/src/a.md:10:3: link target 'missing.md' not found (looked for src/missing.md)\n"
        "book/src/a.md:11:3: link to 'src/orphan.md', which is not in the book\n"
        "book/src/a.md:12:3: no heading or id '#getting-startd' in src/c.md\n"
        "book/src/a.md:13:3: link to 'src/img.png', which is not a chapter\n"
        "book/src/a.md:15:3: link '/abs.md' is an absolute path\n"
        "book/src/a.md:16:3: no heading or id '#getting-started' in src/a.md\n"
        "book/src/a.md:17:3: link 'c.md?x=1' has a query string, which a book file cannot use\n"
        "book/src/a.md:18:3: link 'c%zz.md' has a malformed %-escape\n"
        "book/src/a.md:19:3: link '//example.com/x' has no scheme\n");
  std::string hints = t.hints();
  CHECK(hints.find("add it to SUMMARY.md") != std::string::npos);
  CHECK(hints.find("the closest id in src/c.md is '#getting-started'") != std::string::npos);
  CHECK(hints.find("'#getting-started' is in src/c.md") != std::string::npos);
  CHECK(t.errors() == 9);  // dead fragments too
  CHECK(t.warnings() == 0);
  auto& l = t.book.chapters[0].blocks[0].inlines;
  for (int k : {0, 1, 3, 4, 6, 7, 8}) CHECK(l[k].target.kind == LinkTarget::Kind::Unresolved);
}

TEST_CASE("by default a dead link is a warning, as mdBook builds such a book") {
  // The links a book can carry without being wrong (mdBook renders them, leading
  // nowhere): the file is missing, not in SUMMARY.md, no chapter, or a folder; or the
  // fragment names no id. The link's text stays, unlinked; a fragment opens its chapter.
  // A link that cannot be meant (absolute, a query, a bad escape, no scheme) stays an
  // error.
  TempBook t({"src/a.md", "src/c.md"});
  t.write("src/orphan.md", "# orphan\n");
  t.write("src/img.png", png(1, 1));
  t.write("src/dir/x.md", "x\n");
  t.book.chapters[1].blocks = {heading("Getting started")};
  t.book.chapters[0].blocks = {para({
      link("missing.md", {10, 3}),
      link("orphan.md", {11, 3}),
      link("c.md#getting-startd", {12, 3}),
      link("img.png", {13, 3}),
      link("dir", {14, 3}),
      link("/abs.md", {15, 3}),
  })};
  run_passes(t.book, t.diag);
  CHECK(t.messages() ==
        "book/src/a.md:10:3: link target 'missing.md' not found (looked for src/missing.md); "
        "its text is kept, unlinked\n"
        "book/src/a.md:11:3: link to 'src/orphan.md', which is not in the book; its text is "
        "kept, unlinked\n"
        "book/src/a.md:12:3: no heading or id '#getting-startd' in src/c.md; the link goes to "
        "the start of the chapter\n"
        "book/src/a.md:13:3: link to 'src/img.png', which is not a chapter; its text is kept, "
        "unlinked\n"
        "book/src/a.md:14:3: link 'dir' points at a directory; its text is kept, unlinked\n"
        "book/src/a.md:15:3: link '/abs.md' is an absolute path\n");
  CHECK(t.errors() == 1);
  CHECK(t.warnings() == 5);
  auto& l = t.book.chapters[0].blocks[0].inlines;
  for (int k : {0, 1, 3, 4, 5}) CHECK(l[k].target.kind == LinkTarget::Kind::Unresolved);
  CHECK(l[2].target.kind == LinkTarget::Kind::Internal);
  CHECK(l[2].target.chapter == 1);
}

TEST_CASE("links that leave the book: unlinked with one warning per folder, or absolute") {
  TempBook t({"src/a.md", "src/sub/README.md", "src/b.md"});
  t.book.chapters[2].blocks = {heading("Far")};
  t.book.chapters[0].blocks = {para({
      link("../std/option/enum.Option.html", {3, 1}),
      link("../std/result/index.html#ok", {4, 1}),
      link("../reference/index.html", {5, 1}),
      link("sub/index.html", {6, 1}),   // mdBook's index preprocessor: README.md
      link("print.html", {7, 1}),       // mdBook's one-page book: the start
      link("print.html#far", {8, 1}),   // ... or the chapter with the id
      link("b.html", {9, 1}),           // a chapter's web page name
  })};
  run_passes(t.book, t.diag);
  CHECK(t.messages() ==
        "book/src/a.md:3:1: 2 links lead outside the book, to ../std/ (first: "
        "'../std/option/enum.Option.html'); written as plain text\n"
        "book/src/a.md:5:1: 1 link leads outside the book, to ../reference/ (first: "
        "'../reference/index.html'); written as plain text\n");
  CHECK(t.errors() == 0);
  CHECK(t.warnings() == 2);
  auto& l = t.book.chapters[0].blocks[0].inlines;
  for (int k : {0, 1, 2}) CHECK(l[k].target.kind == LinkTarget::Kind::Unresolved);
  CHECK(l[3].target.kind == LinkTarget::Kind::Internal);
  CHECK(l[3].target.chapter == 1);
  CHECK(l[4].target.chapter == 0);
  CHECK(l[5].target.chapter == 2);
  CHECK(l[5].target.anchor == "far");
  CHECK(l[6].target.chapter == 2);

  // With the book's web address they become absolute links, resolved against it.
  TempBook u({"src/a.md", "src/sub/c.md"});
  u.book.site_url = "https://doc.example.org/book/";
  u.book.chapters[1].blocks = {para({link("../../std/option/enum.Option.html#none", {2, 1})})};
  u.book.chapters[0].blocks = {para({link("../reference/", {2, 1})})};
  run_passes(u.book, u.diag);
  CHECK(u.diag.all().empty());
  const Inline& deep = u.book.chapters[1].blocks[0].inlines[0];
  CHECK(deep.target.kind == LinkTarget::Kind::External);
  CHECK(deep.url == "https://doc.example.org/std/option/enum.Option.html#none");
  CHECK(u.book.chapters[0].blocks[0].inlines[0].url == "https://doc.example.org/reference/");
}

TEST_CASE("README.md answers to index.html while mdBook's index preprocessor runs") {
  // use-default-preprocessors = false turns it off, as in mdBook (the link's file is
  // then missing); a [preprocessor.index] table turns it back on.
  for (int variant = 0; variant < 3; ++variant) {
    CAPTURE(variant);
    TempBook t({"src/a.md", "src/sub/README.md"});
    t.book.source.default_preprocessors = variant == 0;
    if (variant == 2) t.book.source.preprocessors.emplace_back().name = "index";
    t.book.chapters[0].blocks = {para({link("sub/index.html", {3, 1})})};
    run_passes(t.book, t.diag);
    const Inline& l = t.book.chapters[0].blocks[0].inlines[0];
    if (variant == 1) {
      CHECK(t.warnings() == 1);
      CHECK(t.messages().find("link target 'sub/index.html' not found") != std::string::npos);
      CHECK(l.target.kind == LinkTarget::Kind::Unresolved);
    } else {
      CHECK(t.messages() == "");
      CHECK(l.target.kind == LinkTarget::Kind::Internal);
      CHECK(l.target.chapter == 1);
    }
  }
}

TEST_CASE("with dead-links = warning a dead fragment opens its chapter") {
  TempBook t({"src/a.md", "src/c.md"});
  t.book.dead_links_are_errors = false;
  t.book.chapters[1].blocks = {heading("Getting started")};
  t.book.chapters[0].blocks = {para({link("c.md#getting-startd", {12, 3}), link("#nope", {13, 3})})};
  run_passes(t.book, t.diag);
  CHECK(t.messages() ==
        "book/src/a.md:12:3: no heading or id '#getting-startd' in src/c.md; the link goes to "
        "the start of the chapter\n"
        "book/src/a.md:13:3: no heading or id '#nope' in src/a.md; the link goes to "
        "the start of the chapter\n");
  CHECK(t.errors() == 0);
  CHECK(t.warnings() == 2);
  auto& l = t.book.chapters[0].blocks[0].inlines;
  CHECK(l[0].target.kind == LinkTarget::Kind::Internal);
  CHECK(l[0].target.chapter == 1);
  CHECK(l[0].target.anchor.empty());
  CHECK(l[1].target.chapter == 0);
}

TEST_CASE("javascript: and data: links become text with a warning") {
  TempBook t({"src/a.md"});
  t.book.chapters[0].blocks = {para({link("JavaScript:alert(1)", {2, 2}),
                                     link("data:text/html,x", {3, 2})})};
  resolve_links(t.book, t.diag);
  CHECK(t.errors() == 0);
  CHECK(t.warnings() == 2);
  CHECK(t.book.chapters[0].blocks[0].inlines[0].target.kind == LinkTarget::Kind::Unresolved);
}

TEST_CASE("links in notes, headings and table cells resolve relative to their chapter") {
  TempBook t({"src/sub/a.md", "src/b.md"});
  Block tbl;
  tbl.kind = BlockKind::Table;
  tbl.table.rows = {{{link("../b.md", {7, 3})}}};
  Block h = heading("See");
  h.inlines.push_back(link("../b.md", {8, 3}));
  t.book.chapters[0].blocks = {tbl, h, para({noteref(0)})};
  t.add_note(0, {para({link("../b.md#nope", {20, 5})})});
  t.book.dead_links_are_errors = false;
  run_passes(t.book, t.diag);
  CHECK(t.book.chapters[0].blocks[0].table.rows[0][0][0].target.chapter == 1);
  CHECK(t.book.chapters[0].blocks[1].inlines[1].target.chapter == 1);
  CHECK(t.messages() ==
        "book/src/sub/a.md:20:5: no heading or id '#nope' in src/b.md; the link goes to the "
        "start of the chapter\n");
}

TEST_CASE("note ids are link targets in their chapter") {
  TempBook t({"src/a.md"});
  t.book.chapters[0].blocks = {para({noteref(0), link("#note-1"), link("#noteref-1")})};
  t.add_note(0);
  run_passes(t.book, t.diag);
  CHECK(t.errors() == 0);
  CHECK(t.book.chapters[0].blocks[0].inlines[1].target.anchor == "note-1");
}

TEST_CASE("a JPEG whose frame header lies past the first 64 KiB is still measured") {
  TempBook t({"src/a.md"});
  std::string j = jpeg(300, 200);
  // Three 40,000-byte APP1 (metadata) segments between the start marker and the frame.
  std::string app;
  for (int k = 0; k < 3; ++k) {
    app += "\xFF\xE1";
    app += static_cast<char>(40000 >> 8);
    app += static_cast<char>(40000 & 0xFF);
    app += std::string(40000 - 2, 'x');
  }
  j.insert(2, app);
  REQUIRE(j.size() > 64 * 1024);
  t.write("src/big.jpg", j);
  t.book.chapters[0].blocks = {para({image("big.jpg")})};
  Diagnostics d;
  collect_assets(t.book, d);
  CHECK_FALSE(d.has_errors());
  REQUIRE(t.book.assets.size() == 1);
  CHECK(t.book.assets[0].media_type == "image/jpeg");
  CHECK(t.book.assets[0].width == 300);
  CHECK(t.book.assets[0].height == 200);
}

TEST_CASE("an SVG's width and height in any CSS unit are its size in CSS pixels") {
  // 96 px to the inch; a side that is missing or a percentage follows the viewBox.
  struct Case {
    const char* attributes;
    int width, height;
  };
  const Case cases[] = {
      {"width=\"120\" height=\"60px\"", 120, 60},
      {"width=\"5cm\" height=\"2.54cm\"", 189, 96},
      {"width='50mm' height='1in'", 189, 96},
      {"width=\"72pt\" height=\"6pc\"", 96, 96},
      {"width=\" 1.5IN \" height=\"0.5in\"", 144, 48},
      {"width=\"100%\" height=\"100%\" viewBox=\"0 0 300 150\"", 300, 150},
      {"width=\"10cm\" viewBox=\"0,0,200,100\"", 378, 189},
      {"height=\"1in\" viewBox=\"0 0 200 100\"", 192, 96},
      {"width=\"50%\" height=\"2in\" viewBox=\"0 0 30 60\"", 96, 192},
      {"width=\"3furlongs\" height=\"2\" viewBox=\"0 0 40 20\"", 4, 2},
      {"width=\"3furlongs\" height=\"2furlongs\"", 0, 0},
  };
  for (const Case& c : cases) {
    CAPTURE(c.attributes);
    TempBook t({"src/a.md"});
    t.write("src/d.svg", std::string("<svg xmlns=\"http://www.w3.org/2000/svg\" ") +
                             c.attributes + "/>");
    t.book.chapters[0].blocks = {para({image("d.svg")})};
    collect_assets(t.book, t.diag);
    REQUIRE(t.book.assets.size() == 1);
    CHECK(t.book.assets[0].width == c.width);
    CHECK(t.book.assets[0].height == c.height);
  }
}

TEST_CASE("images are found, typed by their bytes and packed once") {
  TempBook t({"src/a.md", "src/sub/b.md"});
  t.write("src/images/map.png", png(640, 480));
  t.write("src/images/deep.png", png(10, 20, 16, 2));
  t.write("src/images/photo.png", jpeg(300, 200));  // a JPEG with the wrong extension
  t.write("src/images/anim.gif", gif(32, 16));
  t.write("src/images/draw.svg",
          "<?xml version=\"1.0\"?>\n<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" "
          "\"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n"
          "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 200 78\"><title>t</title>"
          "<!-- a <script> here would be refused; in a comment it is nothing --></svg>");
  t.write("src/images/plain.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"12px\" "
                                  "height=\"7\"/>");
  t.write("cover.jpg", jpeg(1600, 2400));
  t.write("src/my map!.png", png(2, 2));
  t.write("src/h\u00f4tel.png", png(2, 2));          // composed (NFC)
  t.write("src/cafe\u0301 \u043a.png", png(2, 2));  // decomposed (NFD), and Cyrillic
  t.book.meta.cover = "./cover.jpg";
  t.book.chapters[0].blocks = {
      para({image("images/map.png"), image("images/deep.png"), image("images/photo.png")}),
      para({image("images/anim.gif"), image("images/draw.svg"), image("images/plain.svg")}),
      para({image("my%20map!.png")}),
      para({image("h\u00f4tel.png"), image("cafe\u0301%20\u043a.png")})};
  t.book.chapters[1].blocks = {para({image("../images/map.png")})};
  collect_assets(t.book, t.diag);
  CHECK(t.messages() == "");
  auto& as = t.book.assets;
  REQUIRE(as.size() == 10);
  // An accented letter keeps its letter in the packed name, in either normal form.
  CHECK(as[8].href == "media/hotel.png");
  CHECK(as[9].href == "media/cafe---.png");
  CHECK(as[0].source == "cover.jpg");
  CHECK(as[0].href == "media/cover.jpg");
  CHECK(as[0].media_type == "image/jpeg");
  CHECK(as[0].width == 1600);
  CHECK(as[0].height == 2400);
  CHECK(t.book.meta.cover == "cover.jpg");
  CHECK(as[1].source == "src/images/map.png");
  CHECK(as[1].href == "media/images/map.png");
  CHECK(as[1].id == "img-images-map-png");
  CHECK(as[1].media_type == "image/png");
  CHECK(as[1].width == 640);
  CHECK(as[1].height == 480);
  CHECK(as[1].bit_depth == 8);
  CHECK(as[2].bit_depth == 16);
  CHECK(as[3].media_type == "image/jpeg");
  CHECK(as[3].width == 300);
  CHECK(as[3].height == 200);
  CHECK(as[4].media_type == "image/gif");
  CHECK(as[4].width == 32);
  CHECK(as[5].media_type == "image/svg+xml");
  CHECK(as[5].width == 200);
  CHECK(as[5].height == 78);
  CHECK(as[5].data.find("DOCTYPE") == std::string::npos);
  CHECK(as[5].data.find("<svg") != std::string::npos);
  // An SVG keeps its bytes as rebuilt from the allow-list (html/svg.h), so the EPUB
  // need not read it again.
  CHECK(as[6].data.find("<svg xmlns=\"http://www.w3.org/2000/svg\"") != std::string::npos);
  CHECK(as[6].data.find(" width=\"12px\"") != std::string::npos);
  CHECK(as[0].data.empty());  // raster images are only sniffed; the backends read them
  CHECK(as[1].data.empty());
  CHECK(as[6].width == 12);
  CHECK(as[6].height == 7);
  CHECK(as[7].href == "media/my-map-.png");
  CHECK(as[7].id == "img-my-map--png");
  CHECK(t.book.chapters[0].blocks[0].inlines[0].asset == 1);
  CHECK(t.book.chapters[1].blocks[0].inlines[0].asset == 1);  // same file, one asset
  CHECK(t.book.chapters[0].blocks[2].inlines[0].asset == 7);
}

TEST_CASE("an SVG is printed from a PNG or JPEG of the same name beside it") {
  TempBook t({"src/a.md"});
  const std::string svg =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" height=\"20\"/>";
  t.write("src/images/with-png.svg", svg);
  t.write("src/images/with-png.png", png(800, 400));
  t.write("src/images/with-jpeg.svg", svg);
  t.write("src/images/with-jpeg.jpg", jpeg(300, 150));
  t.write("src/images/broken.svg", svg);
  t.write("src/images/broken.png", "not a png at all");
  t.write("src/images/alone.svg", svg);
  t.book.chapters[0].blocks = {para({image("images/with-png.svg"), image("images/with-jpeg.svg"),
                                     image("images/broken.svg"), image("images/alone.svg")})};
  collect_assets(t.book, t.diag);
  CHECK(t.messages() == "");
  auto& as = t.book.assets;
  REQUIRE(as.size() == 4);
  for (const Asset& a : as) CHECK(a.media_type == "image/svg+xml");  // the EPUB keeps the SVG
  CHECK(as[0].print_path == (fs::path(t.book.root) / "src/images/with-png.png").string());
  CHECK(as[0].print_media_type == "image/png");
  CHECK(as[0].print_width == 800);
  CHECK(as[0].print_height == 400);
  CHECK(as[1].print_media_type == "image/jpeg");
  CHECK(as[1].print_width == 300);
  CHECK(as[2].print_path.empty());  // not an image: passed over, the PDF prints a placeholder
  CHECK(as[3].print_path.empty());
}

TEST_CASE("bad images are errors at the image's line:col") {
  TempBook t({"src/a.md"});
  t.write("src/notes.png", "just some text\n");
  t.write("src/huge.png", png(30000, 10));
  t.write("src/short.png", png(10, 10).substr(0, 20));
  t.write("src/zero.gif", gif(0, 5));
  t.write("src/trunc.jpg", jpeg(10, 10).substr(0, 24));
  t.write("src/ent.svg", "<?xml version=\"1.0\"?><!DOCTYPE svg [<!ENTITY x \"y\">]><svg>&x;</svg>");
  t.write("src/undef.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\">&nbsp;</svg>");
  t.write("src/script.svg", "<svg><script>alert(1)</script></svg>");
  t.write("src/prefixed.svg",
          "<s:svg xmlns:s=\"http://www.w3.org/2000/svg\"><s:g><s:script>alert(1)</s:script>"
          "</s:g></s:svg>");
  t.write("src/bad-depth.png", png(4, 4, 16, 3));
  t.write("../outside-" + std::to_string(::getpid()) + ".png", png(1, 1));
  std::error_code ec;
  fs::create_symlink(fs::absolute(t.root / ".." / ("outside-" + std::to_string(::getpid()) + ".png")),
                     t.root / "src" / "link.png", ec);
  t.book.chapters[0].blocks = {para({
      image("map.png", {2, 1}),
      image("../../x.png", {3, 1}),
      image("link.png", {4, 1}),
      image("notes.png", {5, 1}),
      image("huge.png", {6, 1}),
      image("short.png", {7, 1}),
      image("zero.gif", {8, 1}),
      image("trunc.jpg", {9, 1}),
      image("ent.svg", {10, 1}),
      image("undef.svg", {11, 1}),
      image("script.svg", {12, 1}),
      image("bad-depth.png", {13, 1}),
      image("ftp://example.com/a.png", {14, 1}),
      image("data:image/png;base64,AAAA", {15, 1}),
      image("/etc/passwd", {16, 1}),
      image("prefixed.svg", {19, 1}),
      image("notes.png", {17, 1}),  // a file already found wanting: not reported again
      image("./huge.png", {18, 1}),
  })};
  t.book.meta.cover = "src/nothere.jpg";
  collect_assets(t.book, t.diag);
  fs::remove(t.root / ".." / ("outside-" + std::to_string(::getpid()) + ".png"), ec);
  CHECK(t.messages() ==
        "book/book.toml:0:0: cover image 'src/nothere.jpg' not found (looked in src/)\n"
        "book/src/a.md:2:1: image 'map.png' not found (looked in src/)\n"
        "book/src/a.md:3:1: image '../../x.png' is outside the book\n"
        "book/src/a.md:4:1: image 'link.png' is outside the book\n"
        "book/src/a.md:5:1: image 'notes.png' is not an image\n"
        "book/src/a.md:6:1: image 'huge.png' is 30000x10 pixels, more than 20000 on a side\n"
        "book/src/a.md:7:1: image 'short.png': PNG file is truncated or corrupt (no IHDR header)\n"
        "book/src/a.md:8:1: image 'zero.gif': GIF header is corrupt (size 0)\n"
        "book/src/a.md:9:1: image 'trunc.jpg': JPEG file is truncated or corrupt (no frame "
        "header)\n"
        "book/src/a.md:10:1: image 'ent.svg': SVG has a DOCTYPE with an internal subset (entity "
        "declarations are refused)\n"
        "book/src/a.md:11:1: image 'undef.svg': SVG uses the undefined entity '&nbsp;'\n"
        "book/src/a.md:12:1: image 'script.svg': SVG contains a <script>, which an e-book cannot "
        "run\n"
        "book/src/a.md:13:1: image 'bad-depth.png': PNG header is corrupt (bit depth 16 with "
        "colour type 3)\n"
        "book/src/a.md:14:1: image 'ftp://example.com/a.png' is not a file of the book\n"
        "book/src/a.md:15:1: image written as a data: URL is not allowed\n"
        "book/src/a.md:16:1: image '/etc/passwd' is an absolute path\n"
        "book/src/a.md:19:1: image 'prefixed.svg': SVG contains a <script>, which an e-book "
        "cannot run\n");
  CHECK(t.book.assets.empty());
  for (const Inline& in : t.book.chapters[0].blocks[0].inlines) CHECK(in.asset == -1);
}

TEST_CASE("passes are linear: a big book runs quickly") {
  TempBook t({"src/a.md"});
  std::vector<Inline> inlines;
  for (int i = 0; i < 20000; ++i) {
    t.book.chapters[0].blocks.push_back(heading("Same"));
    inlines.push_back(link("#same-" + std::to_string(i + 1)));
  }
  t.book.chapters[0].blocks.push_back(para(inlines));
  run_passes(t.book, t.diag);
  CHECK(t.warnings() == 1);  // #same-20000 does not exist (the last is same-19999)
  CHECK(t.book.chapters[0].blocks[19999].attr.id == "same-19999");
}
