// Footnotes: definitions become Book::notes, references point at them; undefined
// references are errors, unused and repeated definitions warnings, code is left alone.
#include <doctest/doctest.h>

#include "test_book.h"

using namespace colophon;
using namespace colophon::test;

namespace {

// Collects the NoteRef inlines of a block list, depth first.
void note_refs(const std::vector<Inline>& inlines, std::vector<const Inline*>& out) {
  for (const Inline& in : inlines) {
    if (in.kind == InlineKind::NoteRef) out.push_back(&in);
    note_refs(in.children, out);
  }
}
void note_refs(const std::vector<Block>& blocks, std::vector<const Inline*>& out) {
  for (const Block& b : blocks) {
    note_refs(b.inlines, out);
    note_refs(b.children, out);
  }
}

}  // namespace

TEST_CASE("footnotes: definitions become notes and references point at them") {
  Diagnostics diag;
  Book book = parse_one(R"(First[^a] and second[^long-label] and first again[^a].

> Quoted[^q].

[^long-label]: The *long* one.

    With a second paragraph.

[^a]: Note a, which cites[^q].

> [^q]: In a quote.
)",
                        diag);
  INFO(all_diags(diag));
  CHECK(diag.all().empty());
  REQUIRE(book.notes.size() == 3);
  const Chapter& ch = book.chapters[0];
  CHECK(ch.notes == std::vector<int>{0, 1, 2});
  // cmark numbers notes by first reference: a, long-label, q.
  CHECK(book.notes[0].label == "a");
  CHECK(book.notes[0].pos.line == 9);
  CHECK(book.notes[0].pos.col == 1);
  CHECK(book.notes[0].ref_count == 2);
  CHECK(book.notes[0].chapter == 0);
  CHECK(book.notes[1].label == "long-label");
  CHECK(book.notes[1].pos.line == 5);
  CHECK(book.notes[1].ref_count == 1);
  REQUIRE(book.notes[1].blocks.size() == 2);
  CHECK(book.notes[1].blocks[0].kind == BlockKind::Paragraph);
  CHECK(book.notes[1].blocks[0].pos.line == 5);
  CHECK(book.notes[1].blocks[1].pos.line == 7);
  CHECK(book.notes[2].label == "q");
  CHECK(book.notes[2].pos.line == 11);
  CHECK(book.notes[2].pos.col == 3);
  CHECK(book.notes[2].ref_count == 2);

  std::vector<const Inline*> refs;
  note_refs(ch.blocks, refs);
  REQUIRE(refs.size() == 4);
  CHECK(refs[0]->note == 0);
  CHECK(refs[0]->pos.line == 1);
  CHECK(refs[0]->pos.col == 6);
  CHECK(refs[1]->note == 1);
  CHECK(refs[2]->note == 0);
  CHECK(refs[3]->note == 2);
  CHECK(refs[3]->pos.line == 3);
  CHECK(refs[3]->pos.col == 9);
  refs.clear();
  note_refs(book.notes[0].blocks, refs);
  REQUIRE(refs.size() == 1);
  CHECK(refs[0]->note == 2);
  // Definitions do not stay in the chapter's blocks.
  CHECK(ch.blocks.size() == 2);
}

TEST_CASE("footnotes: containers that held only a definition are dropped, not left empty") {
  Diagnostics diag;
  Book book =
      parse_one("- [^a]: In a list.\n\nRef[^a][^b].\n\n> [^b]: In a quote.\n\n-\n\n>\n", diag);
  INFO(all_diags(diag));
  CHECK(diag.all().empty());
  const auto& b = book.chapters[0].blocks;
  REQUIRE(b.size() == 3);
  CHECK(b[0].kind == BlockKind::Paragraph);
  CHECK(b[1].kind == BlockKind::BulletList);  // an empty item written as such stays
  CHECK(b[2].kind == BlockKind::BlockQuote);
  REQUIRE(book.notes.size() == 2);
  CHECK(book.notes[0].pos.line == 1);
  CHECK(book.notes[0].pos.col == 3);
}

TEST_CASE("footnotes: labels are per chapter; indexes continue through the book") {
  Book book;
  book.root_display = "book";
  book.chapters.resize(2);
  book.chapters[0].source = "src/a.md";
  book.chapters[1].source = "src/b.md";
  Diagnostics diag;
  parse_chapter("A[^1].\n\n[^1]: In a.\n", book, 0, diag);
  parse_chapter("B[^1].\n\n[^1]: In b.\n", book, 1, diag);
  CHECK(diag.all().empty());
  REQUIRE(book.notes.size() == 2);
  CHECK(book.notes[1].chapter == 1);
  CHECK(book.chapters[1].notes == std::vector<int>{1});
  std::vector<const Inline*> refs;
  note_refs(book.chapters[1].blocks, refs);
  REQUIRE(refs.size() == 1);
  CHECK(refs[0]->note == 1);
}

TEST_CASE("footnotes: labels with spaces are not footnotes; both ends say so") {
  Diagnostics diag;
  Book book = parse_one("Text[^two words].\n\n[^two words]: Note.\n", diag);
  auto all = diag.all();
  REQUIRE(all.size() == 2);
  CHECK(all[0].severity == Severity::Error);
  CHECK(all[0].message.find("contains white space") != std::string::npos);
  CHECK(all[0].pos.line == 1);
  CHECK(all[0].pos.col == 5);
  CHECK(all[0].hint.find("[^two-words]") != std::string::npos);
  CHECK(all[1].severity == Severity::Warning);
  CHECK(all[1].pos.line == 3);
  CHECK(book.notes.empty());
}

TEST_CASE("footnotes: an undefined reference is an error at its line:col") {
  Diagnostics diag;
  Book book = parse_one("Intro.\n\nSee “this”[^missing] and [^ok].\n\n[^ok]: Fine.\n", diag);
  auto all = diag.all();
  REQUIRE(all.size() == 1);
  CHECK(all[0].severity == Severity::Error);
  CHECK(all[0].file == "book/src/ch.md");
  CHECK(all[0].message == "footnote [^missing] is not defined");
  CHECK(all[0].pos.line == 3);
  CHECK(all[0].pos.col == 11);
  CHECK(all[0].hint.find("[^missing]: ") != std::string::npos);
}

TEST_CASE("footnotes: [^x] in code, escaped, or in raw HTML is not a reference") {
  Diagnostics diag;
  Book book = parse_one(
      "Code `[^a]` and ``x [^b] y`` here.\n\n```\n[^c]\n```\n\n    [^d] indented\n\n"
      "Escaped \\[^e] text.\n\n<div title=\"[^f]\">\n[^g]\n</div>\n",
      diag);
  INFO(all_diags(diag));
  CHECK(diag.all().empty());
  CHECK(book.notes.empty());
}

TEST_CASE("footnotes: an undefined label reported everywhere it is used, not in code") {
  Diagnostics diag;
  parse_one("One[^x], `[^x]`, two[^x].\n", diag);
  auto all = diag.all();
  REQUIRE(all.size() == 2);
  CHECK(all[0].pos.col == 4);
  CHECK(all[1].pos.col == 21);
}

TEST_CASE("footnotes: an unused definition is a warning at its line and is left out") {
  Diagnostics diag;
  Book book = parse_one("Text[^used].\n\n[^used]: Used.\n\n[^spare]: Never cited.\n", diag);
  auto all = diag.all();
  REQUIRE(all.size() == 1);
  CHECK(all[0].severity == Severity::Warning);
  CHECK(all[0].message.find("[^spare] is never referenced") != std::string::npos);
  CHECK(all[0].pos.line == 5);
  CHECK(all[0].pos.col == 1);
  REQUIRE(book.notes.size() == 1);
  CHECK(book.notes[0].label == "used");
}

TEST_CASE("footnotes: a repeated label is a warning at the second definition") {
  Diagnostics diag;
  Book book = parse_one("Text[^n].\n\n[^n]: First.\n\n[^n]: Second.\n", diag);
  auto all = diag.all();
  REQUIRE(all.size() == 1);
  CHECK(all[0].severity == Severity::Warning);
  CHECK(all[0].message.find("defined twice (first at line 3)") != std::string::npos);
  CHECK(all[0].pos.line == 5);
  REQUIRE(book.notes.size() == 1);
  REQUIRE(book.notes[0].blocks.size() == 1);
  CHECK(book.notes[0].blocks[0].inlines.at(0).text == "First.");
}
