// Tests of the XHTML writer on a hand-built book: every node kind, notes, links, escaping,
// well-formedness (each output parsed with tinyxml2) and speed.
#include <doctest/doctest.h>
#include <tinyxml2.h>


#include "sample_book.h"
#include "xhtml/xhtml.h"

using namespace colophon;
using namespace colophon::testing;

namespace {

// Parses XML and returns the error text, empty when well-formed.
std::string parse_error(const std::string& xml) {
  tinyxml2::XMLDocument doc;
  if (doc.Parse(xml.data(), xml.size()) == tinyxml2::XML_SUCCESS) return {};
  return doc.ErrorStr();
}

bool has(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

size_t count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1))
    ++n;
  return n;
}

struct Fixture {
  Book book = sample_book(fresh_dir("xhtml"));
  std::string chapter(int i, const XhtmlOptions& options = {}) {
    std::string x = chapter_xhtml(book, i, options);
    INFO(x);
    CHECK(parse_error(x) == "");
    return x;
  }
};

}  // namespace

TEST_CASE_FIXTURE(Fixture, "every chapter is a well-formed XHTML document") {
  for (int i = 0; i < static_cast<int>(book.chapters.size()); ++i) {
    std::string x = chapter(i);
    CHECK(x.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n", 0) == 0);
    CHECK(has(x, "<html xmlns=\"http://www.w3.org/1999/xhtml\" "
                 "xmlns:epub=\"http://www.idpf.org/2007/ops\" xml:lang=\"en-GB\" lang=\"en-GB\">"));
    CHECK(has(x, "<link rel=\"stylesheet\" type=\"text/css\" href=\"css/epub.css\"/>"));
    CHECK(has(x, "</section>\n</body>\n</html>\n"));
  }
  CHECK(has(chapter(1), "<title>Chapter One</title>"));
}

TEST_CASE_FIXTURE(Fixture, "sections carry epub:type and the matching DPUB-ARIA role") {
  CHECK(has(chapter(0), "<section epub:type=\"preface\" role=\"doc-preface\">"));
  CHECK(has(chapter(1), "<section epub:type=\"chapter\" role=\"doc-chapter\">"));
  CHECK(has(chapter(3), "<section epub:type=\"appendix\" role=\"doc-appendix\">"));
  book.chapters[0].title = "Opening words";
  CHECK(has(chapter(0), "<section epub:type=\"frontmatter\">"));
  book.chapters[3].title = "Colophon";
  CHECK(has(chapter(3), "<section epub:type=\"backmatter\">"));
}

TEST_CASE_FIXTURE(Fixture, "inline kinds and escaping") {
  std::string x = chapter(0);
  CHECK(has(x, "<p>Plain &amp; &lt;odd&gt; \"text\" <em>emph</em> <strong>strong</strong> "
               "<del>gone</del> <code>a&lt;b &amp;&amp; c</code>\nnext line<br/>\nafter break "
               "<span class=\"raw\">raw inline</span> "));
  CHECK(has(x, "<a href=\"https://example.com/?a=1&amp;b=2\">external</a>"));
  CHECK(has(x, "<a href=\"ch01-one.xhtml#section-a\">to section A</a>"));
  CHECK(has(x, "<img src=\"images/dot.png\" alt=\"a dot\"/>"));
  CHECK(has(x, " ctrlchar</p>"));  // U+0001 is not allowed in XML: dropped
  CHECK_FALSE(has(x, "\x01"));
}

TEST_CASE_FIXTURE(Fixture, "block kinds") {
  std::string x = chapter(1);
  CHECK(has(x, "<div id=\"chapter-1\" class=\"section\">\n<h2 id=\"chapter-one\">Chapter One</h2>"));
  CHECK(has(x, "<h3 id=\"section-a\">Section A</h3>"));
  CHECK(has(x, "<h4 id=\"deep\">Deep Heading</h4>"));
  CHECK(has(x, "<blockquote>\n<p>Quoted words.</p>\n</blockquote>"));
  CHECK(has(x, "<ul>\n<li>tight one</li>\n<li>tight two\n<ul>\n<li>nested</li>\n</ul>\n</li>\n</ul>"));
  CHECK(has(x, "<ol start=\"3\">\n<li>\n<p>loose three</p>\n</li>"));
  CHECK(has(x, "<pre><code class=\"language-c++\">int main() { return a &lt; b &amp;&amp; c &gt; d; "
               "}</code></pre>"));
  CHECK(has(x, "<hr/>"));
  CHECK(has(x, "<table>\n<thead>\n<tr><th scope=\"col\" class=\"align-left\">Trade</th>"
               "<th scope=\"col\" class=\"align-center\">1914</th>"
               "<th scope=\"col\" class=\"align-right\">1916</th><th scope=\"col\">Note</th></tr>\n"
               "</thead>\n<tbody>\n<tr><td class=\"align-left\">Carpenter</td>"));
  CHECK(has(x, "<td class=\"align-left\">Smith &amp; son</td>"));
  CHECK_FALSE(has(x, " align="));
  CHECK(has(x, "<figure>\n<img src=\"images/dot.png\" alt=\"A fine dot\"/>\n"
               "<figcaption>A <em>fine</em> dot</figcaption>\n</figure>"));
  CHECK(has(x, "<img src=\"images/shape.svg\" alt=\"A grey shape\"/>"));
  CHECK(has(x, "</p>\n</div>\n"));
}

TEST_CASE_FIXTURE(Fixture, "empty header cells are not headers; an empty header row is dropped") {
  // A header row with an empty corner: the corner is a plain cell, the others stay headers.
  Block corner;
  corner.kind = BlockKind::Table;
  corner.table.rows = {{{text(" ")}, {span(InlineKind::Emph, {})}, {text("1917")}},
                       {{text("Bread")}, {text("Fund")}, {text("0.12")}}};
  // A header row with nothing in it at all.
  Block blank;
  blank.kind = BlockKind::Table;
  blank.table.rows = {{{}, {text("  ")}}, {{text("100")}, {text("delegates")}}};
  // A table that is nothing but an empty header row keeps its row (no empty <table>).
  Block only;
  only.kind = BlockKind::Table;
  only.table.rows = {{{}, {}}};
  book.chapters[1].blocks = {corner, blank, only};
  std::string x = chapter(1);
  CHECK(has(x, "<table>\n<thead>\n<tr><td> </td><td><em></em></td><th scope=\"col\">1917</th></tr>\n"
               "</thead>\n<tbody>\n<tr><td>Bread</td>"));
  CHECK(has(x, "<table>\n<tbody>\n<tr><td>100</td><td>delegates</td></tr>\n</tbody>\n</table>"));
  CHECK(has(x, "<table>\n<thead>\n<tr><td></td><td></td></tr>\n</thead>\n</table>"));
  CHECK_FALSE(has(x, "<th scope=\"col\"></th>"));
  CHECK(count(x, "<th ") == 1);
}

TEST_CASE_FIXTURE(Fixture, "links: same file, other file, chapter start") {
  std::string x = chapter(1);
  CHECK(has(x, "<a href=\"#section-a\">same file</a>"));
  CHECK(has(x, "<a href=\"ch02-two.xhtml#sub-b\">other file</a>"));
  CHECK(has(x, "<a href=\"ch02-two.xhtml\">chapter start</a>"));
  CHECK(has(chapter(3), "<a href=\"ch01-one.xhtml\">chapter one</a>"));
  // An unresolved relative link keeps its words and drops the link.
  book.chapters[3].blocks[0].inlines[1].target = LinkTarget{};
  std::string y = chapter(3);
  CHECK(has(y, "Back to chapter one."));
  CHECK_FALSE(has(y, "<a "));
}

TEST_CASE_FIXTURE(Fixture, "links that would run code keep their words only") {
  Inline& link = book.chapters[3].blocks[0].inlines[1];
  link.target = LinkTarget{};
  link.target.kind = LinkTarget::Kind::External;
  for (const char* url : {"javascript:alert(1)", " JavaScript:x", "data:text/html,hi", "vbscript:y"}) {
    link.url = url;
    std::string x = chapter(3);
    CHECK(has(x, "Back to chapter one."));
    CHECK_FALSE(has(x, "<a "));
  }
  link.url = "mailto:someone@example.org";
  CHECK(has(chapter(3), "<a href=\"mailto:someone@example.org\">chapter one</a>"));
}

TEST_CASE_FIXTURE(Fixture, "a chapter without a heading gets its title as h1") {
  CHECK(has(chapter(3), "<h1 class=\"chapter-title\">Appendix: Sources</h1>"));
  CHECK_FALSE(has(chapter(1), "chapter-title"));
}

TEST_CASE_FIXTURE(Fixture, "notes at the end of the chapter, with unique reference ids") {
  std::string x = chapter(1);
  CHECK(has(x, "<a epub:type=\"noteref\" role=\"doc-noteref\" class=\"noteref\" id=\"noteref-1\" "
               "href=\"#note-1\">1</a>"));
  CHECK(has(x, "id=\"noteref-1-2\" href=\"#note-1\">1</a>"));
  CHECK(has(x, "id=\"noteref-2\" href=\"#note-2\">2</a>"));
  CHECK(has(x, "id=\"noteref-2-2\" href=\"#note-2\">2</a>"));  // the one in the table
  CHECK_FALSE(has(x, "<sup"));
  CHECK(has(x, "<div class=\"footnotes\">\n<aside epub:type=\"footnote\" role=\"doc-footnote\" "
               "class=\"note\" id=\"note-1\">\n<p><a role=\"doc-backlink\" class=\"note-backlink\" "
               "href=\"#noteref-1\">1.</a> First note with <em>emphasis</em>.</p>\n</aside>"));
  CHECK(has(x, "<pre><code>x &lt; y</code></pre>\n</aside>"));
  CHECK(count(x, "<aside ") == 2);
  // A note that starts with a block quote gets its number in a paragraph of its own.
  std::string y = chapter(2);
  CHECK(has(y, "<p class=\"note-label\"><a role=\"doc-backlink\" class=\"note-backlink\" "
               "href=\"#noteref-3\">3.</a></p>\n<blockquote>"));
  CHECK(count(y, "<aside ") == 1);
  CHECK_FALSE(has(chapter(3), "footnotes"));
}

TEST_CASE_FIXTURE(Fixture, "a second reference in a later chapter continues the numbering") {
  // Chapter 2 refers to note 1 as well: its reference is the book's second.
  book.chapters[2].blocks[2].inlines.push_back(span(InlineKind::Emph, {}));
  Inline ref;
  ref.kind = InlineKind::NoteRef;
  ref.note = 0;
  book.chapters[2].blocks[2].inlines.back().children.push_back(ref);
  std::string x = chapter(2);
  CHECK(has(x, "id=\"noteref-1-3\" href=\"ch01-one.xhtml#note-1\">1</a>"));
}

TEST_CASE_FIXTURE(Fixture, "notes gathered in one book-level notes file") {
  book.note_options.epub_placement = NoteOptions::Placement::Book;
  XhtmlOptions options;
  options.notes_file = "notes.xhtml";
  std::string x = chapter(1, options);
  CHECK(has(x, "id=\"noteref-1\" href=\"notes.xhtml#note-1\">1</a>"));
  CHECK(has(x, "id=\"noteref-2-2\" href=\"notes.xhtml#note-2\">2</a>"));
  CHECK_FALSE(has(x, "<aside"));
  std::string n = notes_xhtml(book, options);
  INFO(n);
  CHECK(parse_error(n) == "");
  CHECK(has(n, "<title>Notes</title>"));
  CHECK(has(n, "<section epub:type=\"endnotes\" role=\"doc-endnotes\">\n<h1>Notes</h1>\n"
               "<h2>Chapter One</h2>\n<ol class=\"endnotes\">\n"
               "<li epub:type=\"endnote footnote\" class=\"note\" id=\"note-1\">\n"
               "<p><a role=\"doc-backlink\" class=\"note-backlink\" "
               "href=\"ch01-one.xhtml#noteref-1\">1.</a> First note"));
  CHECK(has(n, "<h2>Chapter Two</h2>"));
  CHECK(has(n, "href=\"ch02-two.xhtml#noteref-3\">3.</a>"));
}

TEST_CASE_FIXTURE(Fixture, "Page placement (PDF footnotes) puts EPUB notes in the chapter") {
  book.note_options.epub_placement = NoteOptions::Placement::Page;
  XhtmlOptions options;
  options.notes_file = "notes.xhtml";
  CHECK(has(chapter(1, options), "href=\"#note-1\""));
}

TEST_CASE("escaping helpers") {
  CHECK(encode_href("images/my map#1.png") == "images/my%20map%231.png");
  CHECK(encode_href("images/карта.png") == "images/карта.png");
  CHECK(generated_label("de-DE", "contents") == "Inhalt");
  CHECK(generated_label("xx", "notes") == "Notes");
}

TEST_CASE("a book the size of the corpus renders whole") {
  // Its speed is the benchmark's to measure (tools/bench/bench.py), not a test's.
  Book book = sample_book(fresh_dir("xhtml-speed"));
  // Grow chapter 1 to about 800 KB of text.
  Block p = para({text(std::string(400, 'x') + " & some <escaped> text, "),
                  span(InlineKind::Emph, {text("emphasis")}), text(std::string(300, 'y'))});
  std::vector<Block> body;
  for (int i = 0; i < 1100; ++i) body.push_back(p);
  book.chapters[1].blocks.insert(book.chapters[1].blocks.end() - 1, body.begin(), body.end());
  NoteRefIndex refs = index_note_refs(book);
  size_t bytes = 0;
  for (int i = 0; i < static_cast<int>(book.chapters.size()); ++i)
    bytes += chapter_xhtml(book, i, {}, refs).size();
  CHECK(bytes > 800000);
}

namespace {

// Returns the XHTML of a one-chapter book holding BLOCKS, between <section> and </section>.
std::string body_of(std::vector<Block> blocks) {
  Book book;
  book.meta.title = "T";
  Chapter ch;
  ch.title = "T";
  ch.id = "t";
  ch.blocks = std::move(blocks);
  book.chapters.push_back(std::move(ch));
  std::string x = chapter_xhtml(book, 0, {});
  INFO(x);
  CHECK(parse_error(x) == "");
  size_t from = x.find('>', x.find("<section")) + 1;
  return x.substr(from + 1, x.find("</section>") - from - 1);
}

Block container(std::string element, std::vector<Block> children) {
  Block b;
  b.kind = BlockKind::Div;
  b.element = std::move(element);
  b.children = std::move(children);
  return b;
}

Block plain(std::vector<Inline> inlines) {
  Block b = para(std::move(inlines));
  b.kind = BlockKind::Plain;
  return b;
}

Inline inline_container(std::string element, std::vector<Inline> children) {
  Inline in;
  in.kind = InlineKind::Span;
  in.element = std::move(element);
  in.children = std::move(children);
  return in;
}

}  // namespace

TEST_CASE("generic containers: EPUB elements as themselves, others as a div or span with a class") {
  Block aside = container("aside", {para({text("Careful.")})});
  aside.attr.classes = {"admonition", "warning"};
  aside.attr.attributes = {{"role", "note"}};
  Block listing = container("Listing", {para({text("code")})});
  listing.attr.attributes = {{"number", "1-1"}, {"file-name", "main.rs"}, {"lang", "en"}};
  Block weird = container("my:el\"x>", {plain({text("w")})});
  std::string body = body_of({aside, listing, weird,
                              container("dl", {container("dt", {plain({text("term")})}),
                                               container("dd", {para({text("def")})})})});
  CHECK(body ==
        "<h1 class=\"chapter-title\">T</h1>\n"
        "<aside class=\"admonition warning\" role=\"note\">\n<p>Careful.</p>\n</aside>\n"
        "<div class=\"listing\" data-number=\"1-1\" data-file-name=\"main.rs\" lang=\"en\">\n"
        "<p>code</p>\n</div>\n"
        "<div class=\"my-el-x-\">w</div>\n"
        "<dl>\n<dt>term</dt>\n<dd>\n<p>def</p>\n</dd>\n</dl>\n");
}

TEST_CASE("generic inline containers and attributes on every kind") {
  Inline kbd = inline_container("kbd", {text("Ctrl")});
  Inline sup = inline_container("sup", {text("2")});
  Inline custom = inline_container("Term", {text("t")});
  custom.attr.id = "t1";
  Inline wbr = inline_container("wbr", {});
  Inline em = span(InlineKind::Emph, {text("e")});
  em.attr.classes = {"x"};
  Block p = para({kbd, sup, custom, wbr, em});
  p.attr.id = "p1";
  Block h = heading(2, "h", "Head");
  h.attr.classes = {"c1", "c2"};
  Block block_in_text = container("span", {para({text("blocks")})});
  std::string body = body_of({h, p, block_in_text});
  CHECK(body ==
        "<h2 id=\"h\" class=\"c1 c2\">Head</h2>\n"
        "<p id=\"p1\"><kbd>Ctrl</kbd><sup>2</sup><span id=\"t1\" class=\"term\">t</span><wbr/>"
        "<em class=\"x\">e</em></p>\n"
        "<div class=\"span\">\n<p>blocks</p>\n</div>\n");
}
