// Tests of the Kobo target's markup: sentences split by language (English, German,
// Russian, with abbreviations and quotes), and every text of every document of a book
// with every node kind in exactly one koboSpan, none inside pre, code, svg or math, the
// ids unique and in reading order, the wrappers and the style block there.
#include <doctest/doctest.h>
#include <tinyxml2.h>

#include <algorithm>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "kobo/sentences.h"
#include "read/read.h"
#include "kobo/spans.h"
#include "sample_book.h"
#include "xhtml/xhtml.h"

using namespace colophon;
using namespace colophon::testing;

namespace {

// Returns TEXT cut into its sentences in LANGUAGE, a '|' after each.
std::string sentences(std::string_view text, std::string_view language) {
  SentenceSplitter splitter;
  std::string out;
  size_t start = 0;
  for (size_t end : splitter.ends(text, language)) {
    out.append(text.substr(start, end - start)).append("|");
    start = end;
  }
  return out;
}

// What a walk over one document found.
struct Walk {
  std::vector<std::pair<int, int>> ids;  // (P, S) of every koboSpan, in document order
  std::vector<std::string> problems;
};

// Tells whether E is a koboSpan.
bool is_kobo_span(const tinyxml2::XMLElement* e) {
  const char* cls = e->Attribute("class");
  return std::string(e->Name()) == "span" && cls != nullptr && std::string(cls) == "koboSpan";
}

// Walks NODE: SPANS koboSpans above it, QUIET when inside pre, code, svg, math or head.
void walk(const tinyxml2::XMLNode* node, int spans, bool quiet, Walk& w) {
  for (const tinyxml2::XMLNode* n = node->FirstChild(); n; n = n->NextSibling()) {
    if (const tinyxml2::XMLText* t = n->ToText()) {
      std::string text = t->Value();
      if (text.find_first_not_of(" \n\t\r") == std::string::npos) continue;
      if (quiet && spans != 0) w.problems.push_back("span around code, SVG or math: " + text);
      if (!quiet && spans != 1)
        w.problems.push_back(std::to_string(spans) + " koboSpans around: " + text);
      continue;
    }
    const tinyxml2::XMLElement* e = n->ToElement();
    if (e == nullptr) continue;
    std::string name = e->Name();
    bool kobo = is_kobo_span(e);
    if (kobo) {
      if (quiet) w.problems.push_back("a koboSpan inside " + name);
      std::string id = e->Attribute("id") ? e->Attribute("id") : "";
      int p = 0, s = 0;
      if (std::sscanf(id.c_str(), "kobo.%d.%d", &p, &s) != 2)
        w.problems.push_back("bad koboSpan id '" + id + "'");
      w.ids.emplace_back(p, s);
    }
    if (name == "img" && spans == 0 && !quiet) w.problems.push_back("an image not in a span");
    bool q = quiet || name == "pre" || name == "code" || name == "svg" || name == "math" ||
             name == "head";
    walk(e, spans + (kobo ? 1 : 0), q, w);
  }
}

// Checks one Kobo document XHTML.
void check_document(const std::string& xhtml) {
  INFO(xhtml);
  tinyxml2::XMLDocument doc;
  REQUIRE(doc.Parse(xhtml.data(), xhtml.size()) == tinyxml2::XML_SUCCESS);
  Walk w;
  walk(&doc, 0, false, w);
  CHECK(w.problems == std::vector<std::string>{});
  CHECK(!w.ids.empty());
  for (size_t i = 1; i < w.ids.size(); ++i) CHECK(w.ids[i - 1] < w.ids[i]);  // in order, unique
  const tinyxml2::XMLElement* body = doc.RootElement()->FirstChildElement("body");
  REQUIRE(body != nullptr);
  const tinyxml2::XMLElement* columns = body->FirstChildElement("div");
  REQUIRE(columns != nullptr);
  CHECK(std::string(columns->Attribute("id")) == "book-columns");
  CHECK(columns->NextSiblingElement() == nullptr);
  const tinyxml2::XMLElement* inner = columns->FirstChildElement("div");
  REQUIRE(inner != nullptr);
  CHECK(std::string(inner->Attribute("id")) == "book-inner");
  CHECK(xhtml.find("<style type=\"text/css\">div#book-inner {") != std::string::npos);
}

}  // namespace

TEST_CASE("English sentences: abbreviations, initials, quotes") {
  CHECK(sentences("Mr. Smith met Dr. Jones at noon. They talked. \"Is it over?\" she asked. "
                  "\"Yes.\" Then J. R. R. Tolkien left, e.g. at once. See Fig. 3 now.",
                  "en-GB") ==
        "Mr. Smith met Dr. Jones at noon. |They talked. |\"Is it over?\" she asked. |\"Yes.\" |Then J. R. R. Tolkien left, e.g. at once. |See Fig. 3 now.|");
  CHECK(sentences("“Stop!” he cried. “Why?” She smiled… and left. Then the PDF. It ends.", "en") ==
        "“Stop!” he cried. |“Why?” |She smiled… and left. |Then the PDF. |It ends.|");
  // A line end inside a paragraph is a soft break, not a sentence's end.
  CHECK(sentences("one line\nand the next. Another.", "en") ==
        "one line\nand the next. |Another.|");
}

TEST_CASE("German sentences: abbreviations, ordinals, low quotes") {
  CHECK(sentences("Dr. Müller kam z. B. um 8 Uhr, d. h. pünktlich. Er sagte: „Guten Tag.“ "
                  "Dann ging er. Am 3. Mai war Prof. Weber da, vgl. Kap. 2 im Buch. Ende.",
                  "de") ==
        "Dr. Müller kam z. B. um 8 Uhr, d. h. pünktlich. |Er sagte: „Guten Tag.“ |Dann ging er. |Am 3. Mai war Prof. Weber da, vgl. Kap. 2 im Buch. |Ende.|");
}

TEST_CASE("Russian sentences: abbreviations, initials, guillemets") {
  CHECK(sentences("Я пришёл в 5 ч. вечера. Он сказал: «Привет!» Потом ушёл. Т. е. всё "
                  "хорошо. Проф. Иванов и А. С. Пушкин, см. рис. 3. «Идём?» — спросил он.",
                  "ru") ==
        "Я пришёл в 5 ч. вечера. |Он сказал: «Привет!» |Потом ушёл. |Т. е. всё хорошо. |Проф. Иванов и А. С. Пушкин, см. рис. 3. |«Идём?» — спросил он.|");
}

TEST_CASE("sentences follow the language of the text, and never lose a byte") {
  std::string text = "Nr. 5 ist da. Prof. X kommt.";
  CHECK(sentences(text, "de") == "Nr. 5 ist da. |Prof. X kommt.|");
  std::string joined = sentences(text, "xx-unknown");
  joined.erase(std::remove(joined.begin(), joined.end(), '|'), joined.end());
  CHECK(joined == text);
  CHECK(sentences("", "en").empty());
  CHECK(sentences("no full stop", "en") == "no full stop|");
}

TEST_CASE("every text of every chapter is in exactly one koboSpan, ids in reading order") {
  Book book = sample_book(fresh_dir("kobo"));
  XhtmlOptions options;
  options.markup = [] { return make_kobo_markup(); };
  for (int i = 0; i < static_cast<int>(book.chapters.size()); ++i) {
    std::string x = chapter_xhtml(book, i, options);
    check_document(x);
    // The plain EPUB has none of it.
    std::string plain = chapter_xhtml(book, i, XhtmlOptions{});
    CHECK(plain.find("koboSpan") == std::string::npos);
    CHECK(plain.find("book-columns") == std::string::npos);
  }
  book.note_options.epub_placement = NoteOptions::Placement::Book;
  options.notes_file = "notes.xhtml";
  check_document(notes_xhtml(book, options));
}

TEST_CASE("raw HTML, read into the model: its text in spans, its images alone, none in code") {
  Book book = sample_book(fresh_dir("kobo-raw"));
  book.chapters[1].blocks.clear();
  Diagnostics diag;
  parse_chapter(
      "<div class=\"x\">\n\n"
      "<p>First &amp; foremost. Second &#8220;quoted.&#8221; Third.</p>\n\n"
      "<pre>no. spans. here.</pre>\n\n"
      "<p><code>a. b.</code> after code. "
      "<span lang=\"de\">Siehe Nr. Fünf dort. Ende.</span></p>\n\n"
      "<p><img src=\"images/dot.png\" alt=\"a > b\"/><!-- a comment. --></p>\n\n"
      "</div>\n",
      book, 1, diag);
  std::string problems;
  for (const Diagnostic& d : diag.all()) problems += format_diagnostic(d) + "\n";
  INFO(problems);
  REQUIRE(diag.all().empty());
  // The asset pass resolves the image; here it is the sample book's dot.
  std::function<void(std::vector<Inline>&)> resolve = [&](std::vector<Inline>& xs) {
    for (Inline& x : xs) {
      if (x.kind == InlineKind::Image && x.url == "images/dot.png") x.asset = 0;
      resolve(x.children);
    }
  };
  std::function<void(std::vector<Block>&)> walk = [&](std::vector<Block>& bs) {
    for (Block& b : bs) {
      resolve(b.inlines);
      walk(b.children);
    }
  };
  walk(book.chapters[1].blocks);
  XhtmlOptions options;
  options.markup = [] { return make_kobo_markup(); };
  std::string x = chapter_xhtml(book, 1, options);
  check_document(x);
  INFO(x);
  CHECK(x.find(">First &amp; foremost. </span><span class=\"koboSpan\"") != std::string::npos);
  CHECK(x.find(">Second \u201cquoted.\u201d </span>") != std::string::npos);
  CHECK(x.find("<pre>no. spans. here.</pre>") != std::string::npos);
  CHECK(x.find("<code>a. b.</code>") != std::string::npos);
  CHECK(x.find(">Siehe Nr. Fünf dort. </span>") != std::string::npos);
  CHECK(x.find("\"><img src=\"images/dot.png\" alt=\"a &gt; b\"/></span>") != std::string::npos);
  // The same chapter without the hook has no span at all.
  CHECK(chapter_xhtml(book, 1, XhtmlOptions{}).find("koboSpan") == std::string::npos);
}

TEST_CASE("a span's id does not change when text elsewhere does") {
  Book book = sample_book(fresh_dir("kobo-stable"));
  XhtmlOptions options;
  options.markup = [] { return make_kobo_markup(); };
  std::string before = chapter_xhtml(book, 1, options);
  std::string other_before = chapter_xhtml(book, 0, options);
  // A sentence more in the chapter's first paragraph (inside its raw <div>): the later
  // blocks keep their ids, and so does every other chapter.
  std::function<Block*(std::vector<Block>&)> first_paragraph = [&](std::vector<Block>& bs) {
    for (Block& b : bs) {
      if (b.kind == BlockKind::Paragraph) return &b;
      if (Block* p = first_paragraph(b.children)) return p;
    }
    return static_cast<Block*>(nullptr);
  };
  Block* para = first_paragraph(book.chapters[1].blocks);
  REQUIRE(para != nullptr);
  Inline extra;
  extra.kind = InlineKind::Text;
  extra.text = " One sentence more. And another.";
  para->inlines.push_back(extra);
  std::string after = chapter_xhtml(book, 1, options);
  CHECK(after != before);
  CHECK(chapter_xhtml(book, 0, options) == other_before);
  auto tail = [](const std::string& x) {  // from the second paragraph on
    size_t first = x.find("</p>");
    return first == std::string::npos ? std::string() : x.substr(first);
  };
  CHECK(tail(after) == tail(before));
}

TEST_CASE("generic containers: none in pre or code, sentences in the element's language") {
  Book book = sample_book(fresh_dir("kobo-containers"));
  auto text = [](std::string s) {
    Inline x;
    x.kind = InlineKind::Text;
    x.text = std::move(s);
    return x;
  };
  Block plain;
  plain.kind = BlockKind::Plain;
  plain.inlines = {text("int a. b. c;")};
  Block pre;
  pre.kind = BlockKind::Div;
  pre.element = "pre";
  pre.children = {plain};
  Inline code;
  code.kind = InlineKind::Span;
  code.element = "code";
  code.children = {text("x. Y. z.")};
  Inline german;
  german.kind = InlineKind::Span;
  german.element = "span";
  german.attr.attributes = {{"lang", "de"}};
  german.children = {text("Siehe Nr. Fünf dort. Ende.")};
  Block para;
  para.kind = BlockKind::Paragraph;
  para.inlines = {code, text(" In English Nr. Five here. "), german};
  book.chapters[1].blocks.push_back(pre);
  book.chapters[1].blocks.push_back(para);
  XhtmlOptions options;
  options.markup = [] { return make_kobo_markup(); };
  std::string x = chapter_xhtml(book, 1, options);
  check_document(x);
  INFO(x);
  CHECK(x.find("<pre>int a. b. c;</pre>") != std::string::npos);
  CHECK(x.find("<code>x. Y. z.</code>") != std::string::npos);
  CHECK(x.find("> In English Nr. </span>") != std::string::npos);
  CHECK(x.find(">Siehe Nr. Fünf dort. </span>") != std::string::npos);
}
