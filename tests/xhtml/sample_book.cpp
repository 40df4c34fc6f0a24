#include "sample_book.h"

#include <fstream>

namespace colophon::testing {

namespace fs = std::filesystem;

std::string tiny_png() {
  static const unsigned char kPng[] = {
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
      0x52, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x08, 0x02, 0x00, 0x00, 0x00, 0xfd,
      0xd4, 0x9a, 0x73, 0x00, 0x00, 0x00, 0x10, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0xf8,
      0xcf, 0x00, 0x04, 0xff, 0x19, 0x20, 0x14, 0x00, 0x1b, 0xf2, 0x03, 0xfd, 0x3e, 0x97, 0x5d,
      0xa4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
  return std::string(reinterpret_cast<const char*>(kPng), sizeof kPng);
}

fs::path fresh_dir(const std::string& name) {
  fs::path dir = fs::path(COLOPHON_BINARY_DIR) / "test-output" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

Inline text(std::string s) {
  Inline x;
  x.kind = InlineKind::Text;
  x.text = std::move(s);
  return x;
}

Inline span(InlineKind kind, std::vector<Inline> children) {
  Inline x;
  x.kind = kind;
  x.children = std::move(children);
  return x;
}

Block para(std::vector<Inline> inlines) {
  Block b;
  b.kind = BlockKind::Paragraph;
  b.inlines = std::move(inlines);
  return b;
}

Block heading(int level, std::string id, std::string title) {
  Block b;
  b.kind = BlockKind::Heading;
  b.level = level;
  b.attr.id = std::move(id);
  b.inlines = {text(std::move(title))};
  return b;
}

namespace {

Inline kind_only(InlineKind kind) {
  Inline x;
  x.kind = kind;
  return x;
}

Inline code(std::string s) {
  Inline x;
  x.kind = InlineKind::Code;
  x.text = std::move(s);
  return x;
}

// A raw HTML inline element as the reader makes it.
Inline raw_span(std::string element, std::string cls, std::vector<Inline> children) {
  Inline x = span(InlineKind::Span, std::move(children));
  x.element = std::move(element);
  x.attr.classes = {std::move(cls)};
  return x;
}

Inline note_ref(int n) {
  Inline x;
  x.kind = InlineKind::NoteRef;
  x.note = n;
  return x;
}

Inline external(std::string url, std::string label) {
  Inline x = span(InlineKind::Link, {text(std::move(label))});
  x.url = url;
  x.target.kind = LinkTarget::Kind::External;
  return x;
}

Inline internal(std::string url, int chapter, std::string anchor, std::string label) {
  Inline x = span(InlineKind::Link, {text(std::move(label))});
  x.url = std::move(url);
  x.target.kind = LinkTarget::Kind::Internal;
  x.target.chapter = chapter;
  x.target.anchor = std::move(anchor);
  return x;
}

Inline image(int asset, std::vector<Inline> alt) {
  Inline x = span(InlineKind::Image, std::move(alt));
  x.asset = asset;
  x.url = "images/dot.png";
  return x;
}

// A raw HTML block element as the reader makes it, around CHILDREN.
Block raw_div(std::string element, std::string id, std::string cls, std::vector<Block> children) {
  Block b;
  b.kind = BlockKind::Div;
  b.element = std::move(element);
  b.attr.id = std::move(id);
  b.attr.classes = {std::move(cls)};
  b.children = std::move(children);
  return b;
}

Block list(BlockKind kind, bool tight, std::vector<std::vector<Block>> items, int start = 1) {
  Block b;
  b.kind = kind;
  b.tight = tight;
  b.start = start;
  for (auto& item : items) {
    Block li;
    li.kind = BlockKind::ListItem;
    li.children = std::move(item);
    b.children.push_back(std::move(li));
  }
  return b;
}

Block code_block(std::string info, std::string body) {
  Block b;
  b.kind = BlockKind::CodeBlock;
  b.info = std::move(info);
  b.text = std::move(body);
  return b;
}

Block kind_block(BlockKind kind) {
  Block b;
  b.kind = kind;
  return b;
}

Block table() {
  Block b;
  b.kind = BlockKind::Table;
  b.table.align = {Align::Left, Align::Center, Align::Right, Align::None};
  b.table.rows = {
      {{text("Trade")}, {text("1914")}, {text("1916")}, {text("Note")}},
      {{text("Carpenter")}, {text("1.60")}, {text("4.00")}, {span(InlineKind::Emph, {text("rising")})}},
      {{text("Smith & son")}, {text("2.00")}, {text("5.50")}, {note_ref(1)}},
  };
  return b;
}

}  // namespace

Book sample_book(const fs::path& root) {
  Book book;
  book.root = root.string();
  book.root_display = "book";
  book.config_file = "book.toml";
  book.meta.title = "The <Test> & \"Book\"";
  book.meta.subtitle = "A Subtitle";
  book.meta.authors = {"Ann Author", "Bob Writer"};
  book.meta.language = "en-GB";
  book.meta.description = "A book that covers every construct.";
  book.meta.publisher = "Colophon Press";
  book.meta.date = "2026-11-27";
  book.meta.rights = "Public domain";
  book.meta.subjects = {"Testing", "Typography"};
  book.meta.cover = "src/images/cover.png";
  book.build_time = 1700000000;  // 2023-11-14T22:13:20Z
  book.parts = {"Part One: Basics"};

  fs::create_directories(root / "src" / "images");
  {
    std::ofstream f(root / "src" / "images" / "dot.png", std::ios::binary);
    f << tiny_png();
  }
  {
    std::ofstream f(root / "src" / "images" / "cover.png", std::ios::binary);
    f << tiny_png();
  }
  Asset dot;
  dot.source = "src/images/dot.png";
  dot.path = (root / "src" / "images" / "dot.png").string();
  dot.href = "images/dot.png";
  dot.media_type = "image/png";
  dot.id = "img-dot-png";
  dot.width = 2;
  dot.height = 2;
  Asset cover = dot;
  cover.source = "src/images/cover.png";
  cover.path = (root / "src" / "images" / "cover.png").string();
  cover.href = "images/cover.png";
  cover.id = "img-cover-png";
  Asset svg;
  svg.source = "src/images/shape.svg";
  svg.path = (root / "src" / "images" / "missing-on-disk.svg").string();
  svg.href = "images/shape.svg";
  svg.media_type = "image/svg+xml";
  svg.id = "img-shape-svg";
  svg.data =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"20\" height=\"10\" viewBox=\"0 0 20 10\">"
      "<title>A shape</title><rect width=\"20\" height=\"10\" fill=\"#888\"/></svg>\n";
  book.assets = {dot, cover, svg};

  // Chapter 0: a prefix chapter with every inline kind.
  Chapter pre;
  pre.source = "src/preface.md";
  pre.title = "Preface";
  pre.role = ChapterRole::Prefix;
  pre.id = "preface";
  pre.blocks.push_back(heading(1, "preface", "Preface"));
  pre.blocks.push_back(para({text("Plain & <odd> \"text\" "), span(InlineKind::Emph, {text("emph")}),
                             text(" "), span(InlineKind::Strong, {text("strong")}), text(" "),
                             span(InlineKind::Strikethrough, {text("gone")}), text(" "),
                             code("a<b && c"), kind_only(InlineKind::SoftBreak), text("next line"),
                             kind_only(InlineKind::LineBreak), text("after break "),
                             raw_span("span", "raw", {text("raw inline")}), text(" "),
                             external("https://example.com/?a=1&b=2", "external"), text(" "),
                             internal("ch01.md#section-a", 1, "section-a", "to section A"),
                             text(" "), image(0, {text("a dot")}), text(" ctrl\x01" "char")}));
  book.chapters.push_back(pre);

  // Chapter 1: numbered, in part 0, with every block kind.
  Chapter one;
  one.source = "src/ch01.md";
  one.title = "Chapter One";
  one.role = ChapterRole::Numbered;
  one.number = {1};
  one.part = 0;
  one.id = "ch01-one";
  one.blocks.push_back(heading(2, "chapter-one", "Chapter One"));
  one.blocks.push_back(para({text("A note"), note_ref(0), text(" and again"), note_ref(0),
                             text(" and another"), note_ref(1), text(".")}));
  one.blocks.push_back(heading(3, "section-a", "Section A"));
  Block quote = kind_block(BlockKind::BlockQuote);
  quote.children = {para({text("Quoted words.")})};
  one.blocks.push_back(quote);
  one.blocks.push_back(list(BlockKind::BulletList, true,
                            {{para({text("tight one")})},
                             {para({text("tight two")}),
                              list(BlockKind::BulletList, true, {{para({text("nested")})}})}}));
  one.blocks.push_back(list(BlockKind::OrderedList, false,
                            {{para({text("loose three")})}, {para({text("loose four")})}}, 3));
  one.blocks.push_back(code_block("c++ linenos", "int main() { return a < b && c > d; }\n"));
  one.blocks.push_back(kind_block(BlockKind::ThematicBreak));
  one.blocks.push_back(table());
  Block fig = kind_block(BlockKind::Figure);
  fig.inlines = {image(0, {text("A "), span(InlineKind::Emph, {text("fine")}), text(" dot")})};
  one.blocks.push_back(fig);
  Block fig2 = kind_block(BlockKind::Figure);
  fig2.inlines = {image(2, {text("A grey shape")})};
  one.blocks.push_back(fig2);
  one.blocks.push_back(heading(4, "deep", "Deep Heading"));
  one.blocks.push_back(para({internal("#section-a", 1, "section-a", "same file"), text(" "),
                             internal("ch02.md#sub-b", 2, "sub-b", "other file"), text(" "),
                             internal("ch02.md", 2, "", "chapter start")}));
  one.blocks = {raw_div("div", "chapter-1", "section", std::move(one.blocks))};
  one.notes = {0, 1};
  book.chapters.push_back(one);

  // Chapter 2: nested under chapter 1, with an aside and a note whose first block is
  // not a paragraph.
  Chapter two;
  two.source = "src/ch02.md";
  two.title = "Chapter Two";
  two.number = {1, 1};
  two.depth = 1;
  two.part = 0;
  two.id = "ch02-two";
  two.blocks.push_back(heading(1, "chapter-two", "Chapter Two"));
  two.blocks.push_back(heading(2, "sub-b", "Sub B"));
  two.blocks.push_back(para({text("See"), note_ref(2), text(".")}));
  two.blocks.push_back(raw_div("div", "", "sidebar", {para({text("A side note.")})}));
  two.notes = {2};
  book.chapters.push_back(two);

  // Chapter 3: a suffix appendix without a heading of its own.
  Chapter app;
  app.source = "src/appendix.md";
  app.title = "Appendix: Sources";
  app.role = ChapterRole::Suffix;
  app.part = 0;
  app.id = "appendix";
  app.blocks.push_back(para({text("Back to "), internal("ch01.md", 1, "", "chapter one"),
                             text(".")}));
  book.chapters.push_back(app);

  Note n0;
  n0.label = "first";
  n0.chapter = 1;
  n0.blocks = {para({text("First note with "), span(InlineKind::Emph, {text("emphasis")}), text(".")})};
  n0.number = 1;
  n0.id = "note-1";
  n0.ref_id = "noteref-1";
  n0.ref_count = 2;
  Note n1;
  n1.label = "second";
  n1.chapter = 1;
  n1.blocks = {para({text("Second note.")}), code_block("", "x < y\n")};
  n1.number = 2;
  n1.id = "note-2";
  n1.ref_id = "noteref-2";
  n1.ref_count = 2;
  Note n2;
  n2.label = "third";
  n2.chapter = 2;
  Block q = kind_block(BlockKind::BlockQuote);
  q.children = {para({text("A quoted note.")})};
  n2.blocks = {q};
  n2.number = 3;
  n2.id = "note-3";
  n2.ref_id = "noteref-3";
  n2.ref_count = 1;
  book.notes = {n0, n1, n2};
  return book;
}

}  // namespace colophon::testing
