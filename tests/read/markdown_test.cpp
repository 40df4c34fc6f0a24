// cmark-gfm tree -> model: every node kind, its fields and its source position.
#include <doctest/doctest.h>

#include "test_book.h"

using namespace colophon;
using namespace colophon::test;

namespace {

// Returns "line:col" for compact position checks.
std::string at(SourcePos p) { return std::to_string(p.line) + ":" + std::to_string(p.col); }

}  // namespace

TEST_CASE("blocks: paragraph, headings, quote, lists, code, break, raw HTML") {
  Diagnostics diag;
  Book book = parse_one(R"(# Title *x*

Para one
continues.

Setext
------

> quoted
> - item

3. three
4. four

- loose

- list

```rust ignore
fn main() {}
```

    indented

***

<div id="box" class="c">
raw
</div>
)",
                        diag);
  INFO(all_diags(diag));
  CHECK(diag.all().empty());
  const auto& b = book.chapters[0].blocks;
  REQUIRE(b.size() == 10);
  CHECK(b[0].kind == BlockKind::Heading);
  CHECK(b[0].level == 1);
  CHECK(at(b[0].pos) == "1:1");
  REQUIRE(b[0].inlines.size() == 2);
  CHECK(b[0].inlines[0].text == "Title ");
  CHECK(at(b[0].inlines[0].pos) == "1:3");
  CHECK(b[0].inlines[1].kind == InlineKind::Emph);
  CHECK(at(b[0].inlines[1].pos) == "1:9");

  CHECK(b[1].kind == BlockKind::Paragraph);
  CHECK(at(b[1].pos) == "3:1");
  REQUIRE(b[1].inlines.size() == 3);
  CHECK(b[1].inlines[1].kind == InlineKind::SoftBreak);
  CHECK(at(b[1].inlines[1].pos) == "3:9");  // just after "Para one"
  CHECK(at(b[1].inlines[2].pos) == "4:1");

  CHECK(b[2].kind == BlockKind::Heading);
  CHECK(b[2].level == 2);
  CHECK(at(b[2].pos) == "6:1");

  CHECK(b[3].kind == BlockKind::BlockQuote);
  CHECK(at(b[3].pos) == "9:1");
  REQUIRE(b[3].children.size() == 2);
  CHECK(b[3].children[0].kind == BlockKind::Paragraph);
  CHECK(at(b[3].children[0].pos) == "9:3");
  CHECK(b[3].children[1].kind == BlockKind::BulletList);
  CHECK(b[3].children[1].children[0].kind == BlockKind::ListItem);
  CHECK(at(b[3].children[1].children[0].pos) == "10:3");

  CHECK(b[4].kind == BlockKind::OrderedList);
  CHECK(b[4].start == 3);
  CHECK(b[4].tight);
  CHECK(b[4].children.size() == 2);
  CHECK(at(b[4].children[1].pos) == "13:1");

  CHECK(b[5].kind == BlockKind::BulletList);
  CHECK_FALSE(b[5].tight);
  CHECK(b[5].start == 1);

  CHECK(b[6].kind == BlockKind::CodeBlock);
  CHECK(b[6].text == "fn main() {}\n");
  CHECK(b[6].info == "rust");
  CHECK(at(b[6].pos) == "19:1");

  CHECK(b[7].kind == BlockKind::CodeBlock);
  CHECK(b[7].text == "indented\n");
  CHECK(b[7].info.empty());

  CHECK(b[8].kind == BlockKind::ThematicBreak);
  CHECK(at(b[8].pos) == "25:1");

  CHECK(b[9].kind == BlockKind::Div);
  CHECK(b[9].element == "div");
  CHECK(b[9].attr.id == "box");
  CHECK(at(b[9].pos) == "27:1");
}

TEST_CASE("inlines: every kind, merged text, smart punctuation") {
  Diagnostics diag;
  Book book = parse_one(
      "A \"quote\" -- and... *em* **strong** ~~gone~~ `co de` [link](other.md#x \"T\") "
      "![alt *t*](i.png) <span id=\"s\">raw</span> https://example.org end  \nnext\n",
      diag);
  INFO(all_diags(diag));
  CHECK(diag.all().empty());
  const auto& p = book.chapters[0].blocks.at(0);
  REQUIRE(p.kind == BlockKind::Paragraph);
  const auto& in = p.inlines;
  auto kinds = [&] {
    std::string s;
    for (const Inline& i : in) s += std::to_string(static_cast<int>(i.kind)) + ",";
    return s;
  };
  INFO(kinds());
  size_t k = 0;
  REQUIRE(in.size() > 10);
  CHECK(in[k].kind == InlineKind::Text);
  CHECK(in[k].text == "A “quote” – and… ");
  CHECK(at(in[k].pos) == "1:1");
  ++k;
  CHECK(in[k].kind == InlineKind::Emph);
  CHECK(at(in[k].pos) == "1:21");  // source columns: `--` and `...` are two and three
  CHECK(in[k].children.at(0).text == "em");
  CHECK(at(in[k].children.at(0).pos) == "1:22");
  k += 2;
  CHECK(in[k].kind == InlineKind::Strong);
  k += 2;
  CHECK(in[k].kind == InlineKind::Strikethrough);
  CHECK(in[k].children.at(0).text == "gone");
  k += 2;
  CHECK(in[k].kind == InlineKind::Code);
  CHECK(in[k].text == "co de");
  k += 2;
  CHECK(in[k].kind == InlineKind::Link);
  CHECK(in[k].url == "other.md#x");
  CHECK(in[k].title == "T");
  CHECK(in[k].children.at(0).text == "link");
  CHECK(in[k].target.kind == LinkTarget::Kind::Unresolved);
  k += 2;
  CHECK(in[k].kind == InlineKind::Image);
  CHECK(in[k].url == "i.png");
  REQUIRE(in[k].children.size() == 2);
  CHECK(in[k].children[1].kind == InlineKind::Emph);
  k += 2;
  CHECK(in[k].kind == InlineKind::Span);  // raw HTML, read into the model
  CHECK(in[k].element == "span");
  CHECK(in[k].attr.id == "s");
  CHECK(in[k].children.at(0).text == "raw");
  k += 2;
  CHECK(in[k].kind == InlineKind::Link);  // autolink extension
  CHECK(in[k].url == "https://example.org");
  ++k;
  CHECK(in[k].kind == InlineKind::Text);
  CHECK(in[k].text == " end");
  ++k;
  CHECK(in[k].kind == InlineKind::LineBreak);
  CHECK(in[k].pos.line == 1);
  ++k;
  CHECK(in[k].text == "next");
  CHECK(at(in[k].pos) == "2:1");
  // No two Text inlines are adjacent anywhere.
  for (size_t i = 1; i < in.size(); ++i)
    CHECK_FALSE((in[i].kind == InlineKind::Text && in[i - 1].kind == InlineKind::Text));
}

TEST_CASE("escapes and entities merge into one text node") {
  Diagnostics diag;
  Book book = parse_one("a \\* b &amp; c &copy; d\n", diag);
  const auto& in = book.chapters[0].blocks.at(0).inlines;
  REQUIRE(in.size() == 1);
  CHECK(in[0].text == "a * b & c © d");
}

TEST_CASE("figures: an image alone in its paragraph, white space aside") {
  Diagnostics diag;
  Book book = parse_one(
      "![The *map*](map.png \"Map\")\n\n  ![Second](b.svg)  \n\nText ![inline](c.png)\n\n"
      "![one](a.png) ![two](b.png)\n",
      diag);
  const auto& b = book.chapters[0].blocks;
  REQUIRE(b.size() == 4);
  CHECK(b[0].kind == BlockKind::Figure);
  REQUIRE(b[0].inlines.size() == 1);
  CHECK(b[0].inlines[0].kind == InlineKind::Image);
  CHECK(b[0].inlines[0].url == "map.png");
  CHECK(b[0].inlines[0].title == "Map");
  CHECK(b[0].inlines[0].children.size() == 2);  // the caption
  CHECK(at(b[0].pos) == "1:1");
  CHECK(at(b[0].inlines[0].pos) == "1:1");
  CHECK(b[1].kind == BlockKind::Figure);
  CHECK(b[1].inlines.size() == 1);
  CHECK(b[2].kind == BlockKind::Paragraph);
  CHECK(b[3].kind == BlockKind::Paragraph);
}

TEST_CASE("tables: alignment per column, header row first, short rows padded") {
  Diagnostics diag;
  Book book = parse_one(
      "Before.\n\n| Left | Centre | Right | None |\n|:-----|:------:|------:|------|\n"
      "| a *b* | c | d | e |\n| only |\n",
      diag);
  const auto& b = book.chapters[0].blocks;
  REQUIRE(b.size() == 2);
  const Block& t = b[1];
  CHECK(t.kind == BlockKind::Table);
  CHECK(at(t.pos) == "3:1");
  CHECK(t.table.align == std::vector<Align>{Align::Left, Align::Center, Align::Right, Align::None});
  CHECK(t.table.header_rows == 1);
  REQUIRE(t.table.rows.size() == 3);
  for (const auto& row : t.table.rows) CHECK(row.size() == 4);
  CHECK(t.table.rows[0][1].at(0).text == "Centre");
  CHECK(at(t.table.rows[0][1].at(0).pos) == "3:10");
  REQUIRE(t.table.rows[1][0].size() == 2);
  CHECK(t.table.rows[1][0][1].kind == InlineKind::Emph);
  CHECK(at(t.table.rows[1][0][1].pos) == "5:5");
  CHECK(t.table.rows[2][0].at(0).text == "only");
  CHECK(t.table.rows[2][3].empty());
}

TEST_CASE("positions: continuation lines in quotes, lazy lines, lists, non-ASCII columns") {
  Diagnostics diag;
  Book book = parse_one(
      "> first *a*\n>    second *b*\nlazy *c*\n\n- item\n  cont *d*\n\n"
      "Ünïcödé *e* and “q” *f*\n",
      diag);
  const auto& b = book.chapters[0].blocks;
  REQUIRE(b.size() == 3);
  const auto& q = b[0].children.at(0).inlines;
  // first *a* / second *b* / lazy *c*
  std::vector<std::string> emph;
  for (const Inline& in : q)
    if (in.kind == InlineKind::Emph) emph.push_back(at(in.pos));
  CHECK(emph == std::vector<std::string>{"1:9", "2:13", "3:6"});
  const auto& item = b[1].children.at(0).children.at(0).inlines;
  CHECK(at(item.back().pos) == "6:8");
  const auto& u = b[2].inlines;
  emph.clear();
  for (const Inline& in : u)
    if (in.kind == InlineKind::Emph) emph.push_back(at(in.pos));
  CHECK(emph == std::vector<std::string>{"8:9", "8:21"});  // code points, not bytes
}

TEST_CASE("raw HTML inlines and blocks are read into the model with their position") {
  Diagnostics diag;
  Book book = parse_one("Text <b>bold</b>.\n\n<p id=\"one\">x</p>\n<hr id=\"two\">\n", diag);
  const auto& b = book.chapters[0].blocks;
  REQUIRE(b.size() == 3);
  CHECK(b[0].inlines.at(1).kind == InlineKind::Span);
  CHECK(b[0].inlines.at(1).element == "b");
  CHECK(at(b[0].inlines.at(1).pos) == "1:6");
  CHECK(b[1].kind == BlockKind::Div);
  CHECK(b[1].attr.id == "one");
  CHECK(at(b[1].pos) == "3:1");
  CHECK(b[2].kind == BlockKind::ThematicBreak);
  CHECK(at(b[2].pos) == "4:1");
}

TEST_CASE("deep nesting: 20,000 block quotes is an error, not a stack overflow") {
  Diagnostics diag;
  std::string deep(20000, '>');
  deep += " bottom\n\nAfter.\n";
  Book book = parse_one(deep, diag);
  std::optional<Diagnostic> d = find_diag(diag.all(), Severity::Error, "nested blocks and inlines");
  REQUIRE(d.has_value());
  CHECK(d->pos.line == 1);
  CHECK(diag.count(Severity::Error) == 1);
  const auto& b = book.chapters[0].blocks;
  REQUIRE_FALSE(b.empty());
  CHECK(b.back().kind == BlockKind::Paragraph);  // the text after the deep part survives
  CHECK(b.back().inlines.at(0).text == "After.");
}

TEST_CASE("deep nesting: lists, emphasis and brackets do not crash") {
  std::string lists;
  for (int i = 0; i < 5000; ++i) lists += std::string(static_cast<size_t>(i) * 2, ' ') + "- x\n";
  std::string emph = std::string(20000, '*') + "x" + std::string(20000, '*') + "\n";
  std::string links = std::string(20000, '[') + "x" + std::string(20000, ']') + "\n";
  for (const std::string* text : {&lists, &emph, &links}) {
    Diagnostics diag;
    Book book = parse_one(*text, diag);
    CHECK_FALSE(book.chapters[0].blocks.empty());
  }
}
