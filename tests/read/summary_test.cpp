// SUMMARY.md (prefix, numbered, nested, parts, suffix, drafts, errors), books without
// one, single files, and inputs that do not exist.
#include <doctest/doctest.h>

#include "test_book.h"

using namespace colophon;
using namespace colophon::test;

namespace {

// Writes book.toml and an empty chapter for each name.
void write_chapters(TempBook& tb, std::initializer_list<const char*> names) {
  tb.write("book.toml", "[book]\ntitle = \"T\"\n");
  for (const char* n : names) tb.write(std::string("src/") + n, std::string("# ") + n + "\n");
}

}  // namespace

TEST_CASE("SUMMARY.md: title, prefix, numbered and nested, parts, separators, suffix") {
  TempBook tb;
  write_chapters(tb, {"intro.md", "a.md", "a1.md", "a2.md", "a2x.md", "b.md", "c.md", "d.md",
                      "appendix.md", "colophon.md"});
  tb.write("src/SUMMARY.md", R"(# Summary

[Introduction](intro.md)

---

- [Alpha *one*](a.md)
  - [Alpha.1](a1.md)
  - [Alpha.2](./a2.md)
    - [Deep](a2x.md)
- [Beta `code`](b.md)

# Part Two

- [Gamma](c.md)

---

# Part Three

1. [Delta](d.md)

[Appendix](appendix.md)
[Colophon](colophon.md)
)");
  Diagnostics diag;
  Book book = tb.read(diag);
  INFO(all_diags(diag));
  CHECK(diag.all().empty());
  REQUIRE(book.chapters.size() == 10);
  auto& ch = book.chapters;
  CHECK(ch[0].source == "src/intro.md");
  CHECK(ch[0].role == ChapterRole::Prefix);
  CHECK(ch[0].number.empty());
  CHECK(ch[0].part == -1);
  CHECK(ch[0].title == "Introduction");

  CHECK(ch[1].title == "Alpha one");
  CHECK(ch[1].role == ChapterRole::Numbered);
  CHECK(ch[1].number == std::vector<int>{1});
  CHECK(ch[1].depth == 0);
  CHECK(ch[2].number == std::vector<int>{1, 1});
  CHECK(ch[2].depth == 1);
  CHECK(ch[3].number == std::vector<int>{1, 2});
  CHECK(ch[3].source == "src/a2.md");
  CHECK(ch[4].number == std::vector<int>{1, 2, 1});
  CHECK(ch[4].depth == 2);
  CHECK(ch[5].title == "Beta code");
  CHECK(ch[5].number == std::vector<int>{2});
  CHECK(ch[5].part == -1);

  REQUIRE(book.parts == std::vector<std::string>{"Part Two", "Part Three"});
  CHECK(ch[6].title == "Gamma");
  CHECK(ch[6].number == std::vector<int>{3});  // numbering continues across parts
  CHECK(ch[6].part == 0);
  CHECK(ch[7].number == std::vector<int>{4});
  CHECK(ch[7].part == 1);

  CHECK(ch[8].role == ChapterRole::Suffix);
  CHECK(ch[8].title == "Appendix");
  CHECK(ch[8].part == -1);
  CHECK(ch[9].role == ChapterRole::Suffix);
  CHECK(ch[9].source == "src/colophon.md");
  // Every chapter was parsed.
  for (const Chapter& c : ch) CHECK_FALSE(c.blocks.empty());
}

TEST_CASE("SUMMARY.md: draft chapters are warnings and left out") {
  TempBook tb;
  write_chapters(tb, {"a.md", "c.md"});
  tb.write("src/SUMMARY.md", "- [A](a.md)\n- [Not yet]()\n- [C](c.md)\n");
  Diagnostics diag;
  Book book = tb.read(diag);
  CHECK_FALSE(diag.has_errors());
  std::optional<Diagnostic> d = find_diag(diag.all(), Severity::Warning, "draft chapter 'Not yet'");
  REQUIRE(d.has_value());
  CHECK(d->pos.line == 2);
  CHECK(d->pos.col == 3);
  CHECK(d->file.find("src/SUMMARY.md") != std::string::npos);
  REQUIRE(book.chapters.size() == 2);
  CHECK(book.chapters[1].number == std::vector<int>{3});  // numbered as mdBook shows it
}

TEST_CASE("SUMMARY.md: missing, repeated, escaping and non-Markdown files are errors") {
  TempBook tb;
  write_chapters(tb, {"a.md"});
  tb.write("outside.md", "# Outside the src folder but inside the book\n");
  tb.write("src/notes.txt", "text\n");
  tb.write("src/SUMMARY.md",
           "- [A](a.md)\n"
           "- [Missing](missing.md)\n"
           "- [Again](a.md)\n"
           "- [Escape](../../etc/passwd.md)\n"
           "- [Text](notes.txt)\n"
           "- [Up one](../outside.md)\n");
  Diagnostics diag;
  Book book = tb.read(diag);
  auto all = diag.all();
  INFO(all_diags(diag));
  std::optional<Diagnostic> d = find_diag(all, Severity::Error, "'missing.md' not found");
  REQUIRE(d.has_value());
  CHECK(d->pos.line == 2);
  CHECK(d->pos.col == 3);
  CHECK(d->hint == "create it or fix the name");
  d = find_diag(all, Severity::Error, "listed twice (first at line 1)");
  REQUIRE(d.has_value());
  CHECK(d->pos.line == 3);
  d = find_diag(all, Severity::Error, "outside the book folder");
  REQUIRE(d.has_value());
  CHECK(d->pos.line == 4);
  d = find_diag(all, Severity::Error, "not a Markdown file");
  REQUIRE(d.has_value());
  CHECK(d->pos.line == 5);
  CHECK(diag.count(Severity::Error) == 4);
  // A file outside src/ but inside the book is allowed.
  REQUIRE(book.chapters.size() == 2);
  CHECK(book.chapters[1].source == "outside.md");
}

TEST_CASE("SUMMARY.md: link text with brackets and parentheses, as in the corpus") {
  TempBook tb;
  write_chapters(tb, {"14-chapter-11.md"});
  tb.write("src/SUMMARY.md",
           "# Summary\n\n- [XI: The Conquest of PowerA11.1(26-appendix-11.md#appendix-11-1)]"
           "(14-chapter-11.md)\n");
  Diagnostics diag;
  Book book = tb.read(diag);
  INFO(all_diags(diag));
  CHECK(diag.all().empty());
  REQUIRE(book.chapters.size() == 1);
  CHECK(book.chapters[0].source == "src/14-chapter-11.md");
  CHECK(book.chapters[0].title ==
        "XI: The Conquest of PowerA11.1(26-appendix-11.md#appendix-11-1)");
}

TEST_CASE("SUMMARY.md: a list after suffix chapters and entries without links are errors") {
  TempBook tb;
  write_chapters(tb, {"a.md", "b.md", "c.md"});
  tb.write("src/SUMMARY.md", "- [A](a.md)\n\n[B](b.md)\n\n- [C](c.md)\n- Just text\n");
  Diagnostics diag;
  tb.read(diag);
  auto all = diag.all();
  std::optional<Diagnostic> d = find_diag(all, Severity::Error, "after suffix chapters");
  REQUIRE(d.has_value());
  CHECK(d->pos.line == 5);
  d = find_diag(all, Severity::Error, "'Just text' is not a link");
  REQUIRE(d.has_value());
  CHECK(d->pos.line == 6);
}

TEST_CASE("SUMMARY.md listing nothing is an error") {
  TempBook tb;
  write_chapters(tb, {});
  tb.write("src/SUMMARY.md", "# Summary\n");
  Diagnostics diag;
  Book book = tb.read(diag);
  std::optional<Diagnostic> d = find_diag(diag.all(), Severity::Error, "lists no chapters");
  REQUIRE(d.has_value());
  CHECK(d->hint.find("add chapters to") != std::string::npos);
  CHECK(d->pos.line == 2);  // the end of the file, where the first chapter line would go
  CHECK(d->pos.col == 1);
  CHECK(book.chapters.empty());
}

TEST_CASE("no SUMMARY.md: every .md under src/, sorted by path bytes, is a chapter") {
  TempBook tb;
  tb.write("book.toml", "[book]\ntitle = \"T\"\n");
  tb.write("src/b.md", "Some text without a heading.\n");
  tb.write("src/a.md", "# Alpha\n");
  tb.write("src/B2.md", "# Upper\n");
  tb.write("src/sub/c.md", "## Sub *C*\n");
  tb.write("src/.hidden/x.md", "# hidden\n");
  tb.write("src/image.png", "png");
  Diagnostics diag;
  Book book = tb.read(diag);
  INFO(all_diags(diag));
  CHECK(diag.all().empty());
  REQUIRE(book.chapters.size() == 4);
  CHECK(book.chapters[0].source == "src/B2.md");
  CHECK(book.chapters[1].source == "src/a.md");
  CHECK(book.chapters[2].source == "src/b.md");
  CHECK(book.chapters[3].source == "src/sub/c.md");
  CHECK(book.chapters[0].title == "Upper");
  CHECK(book.chapters[1].title == "Alpha");
  CHECK(book.chapters[2].title == "b");
  CHECK(book.chapters[3].title == "Sub C");
  CHECK(book.chapters[3].number == std::vector<int>{4});
  CHECK(book.chapters[3].role == ChapterRole::Numbered);
}

TEST_CASE("a book with no chapters at all is an error") {
  TempBook tb;
  tb.write("book.toml", "[book]\ntitle = \"T\"\n");
  tb.write("src/readme.txt", "x");
  Diagnostics diag;
  Book book = tb.read(diag);
  std::optional<Diagnostic> d = find_diag(diag.all(), Severity::Error, "no chapters");
  REQUIRE(d.has_value());
  CHECK(d->hint.find("SUMMARY.md") != std::string::npos);
}

TEST_CASE("a folder without src/ is an error naming it") {
  TempBook tb;
  tb.write("book.toml", "[book]\ntitle = \"T\"\n");
  Diagnostics diag;
  tb.read(diag);
  CHECK(find_diag(diag.all(), Severity::Error, "no src folder").has_value());
}

TEST_CASE("a missing input is an error naming it") {
  Diagnostics diag;
  ReadOptions options;
  options.input = "/nonexistent/colophon/book";
  Book book = read_book(options, diag);
  auto all = diag.all();
  REQUIRE(all.size() == 1);
  CHECK(all[0].severity == Severity::Error);
  CHECK(all[0].file == "/nonexistent/colophon/book");
  CHECK(book.chapters.empty());
}

TEST_CASE("single file: root is its folder, one chapter, title from flag, heading or stem") {
  TempBook tb;
  tb.write("essay.md", "Preamble.\n\n# The *Essay*\n\nText.\n");
  tb.write("plain.md", "No heading here.\n");
  {
    Diagnostics diag;
    ReadOptions options;
    options.input = (tb.dir() / "essay.md").string();
    Book book = read_book(options, diag);
    CHECK(diag.all().empty());
    CHECK(book.root == std::filesystem::weakly_canonical(tb.dir()).string());
    CHECK(book.root_display == tb.dir().string());
    CHECK(book.src_dir == ".");
    REQUIRE(book.chapters.size() == 1);
    CHECK(book.chapters[0].source == "essay.md");
    CHECK(book.chapters[0].title == "The Essay");
    CHECK(book.meta.title == "The Essay");
    CHECK(book.meta.language == "en");
    CHECK(book.meta.authors.empty());
    CHECK(book.chapters[0].blocks.size() == 3);
  }
  {
    Diagnostics diag;
    ReadOptions options;
    options.input = (tb.dir() / "essay.md").string();
    options.title = "Given";
    options.author = "A. Writer";
    options.lang = "de-CH";
    Book book = read_book(options, diag);
    CHECK(diag.all().empty());
    CHECK(book.meta.title == "Given");
    CHECK(book.chapters[0].title == "Given");
    CHECK(book.meta.authors == std::vector<std::string>{"A. Writer"});
    CHECK(book.meta.language == "de-CH");
  }
  {
    Diagnostics diag;
    ReadOptions options;
    options.input = (tb.dir() / "plain.md").string();
    Book book = read_book(options, diag);
    CHECK(book.meta.title == "plain");
  }
  {
    Diagnostics diag;
    ReadOptions options;
    options.input = (tb.dir() / "essay.md").string();
    options.lang = "not a language";
    read_book(options, diag);
    CHECK(find_diag(diag.all(), Severity::Error, "BCP 47").has_value());
  }
}

TEST_CASE("single file: diagnostics name the file as the user wrote it") {
  TempBook tb;
  tb.write("bad.md", "Text[^nope].\n");
  Diagnostics diag;
  ReadOptions options;
  options.input = (tb.dir() / "bad.md").string();
  read_book(options, diag);
  auto all = diag.all();
  REQUIRE(all.size() == 1);
  CHECK(all[0].file == (tb.dir() / "bad.md").string());
  CHECK(all[0].pos.line == 1);
  CHECK(all[0].pos.col == 5);
}
