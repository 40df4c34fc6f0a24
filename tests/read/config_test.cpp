// book.toml: syntax errors, every agreed key's type and values, unknown keys.
#include <doctest/doctest.h>

#include "test_book.h"

using namespace colophon;
using namespace colophon::test;

namespace {

// Writes a one-chapter book with the given book.toml and reads it.
Book read_with_toml(TempBook& tb, std::string_view toml, Diagnostics& diag) {
  tb.write("book.toml", toml);
  tb.write("src/SUMMARY.md", "- [One](one.md)\n");
  tb.write("src/one.md", "# One\n\nText.\n");
  return tb.read(diag);
}

}  // namespace

TEST_CASE("book.toml: every agreed key is read") {
  TempBook tb;
  tb.write("src/images/cover.jpg", "not really a jpeg");
  tb.write("extra.css", "p{}");
  tb.write("pdf-style.toml", "");
  Diagnostics diag;
  Book book = read_with_toml(tb, R"([book]
title = "Ten Days"
authors = ["John Reed", "Someone Else"]
language = "en-GB"
description = "An account."
src = "src"
subtitle = "A Chronicle"
identifier = "urn:isbn:978-0-306-40615-7"
publisher = "Boni & Liveright"
date = "1919-03"
rights = "Public domain"
subjects = ["History", "Russia"]
cover = "src/images/cover.jpg"

[output.epub]
extra-css = ["extra.css"]
toc-depth = 3
notes = "book"
note-numbering = "chapter"

[output.pdf]
style = "pdf-style.toml"
trim = "148.5x210mm"
notes = "chapter"

[output.html]
anything = "goes"
[preprocessor.links]
[rust]
edition = "2021"
[build]
build-dir = "out"
)",
                             diag);
  INFO(all_diags(diag));
  CHECK(diag.all().empty());
  CHECK(book.config_file == "book.toml");
  CHECK(book.meta.title == "Ten Days");
  CHECK(book.meta.authors == std::vector<std::string>{"John Reed", "Someone Else"});
  CHECK(book.meta.language == "en-GB");
  CHECK(book.meta.description == "An account.");
  CHECK(book.meta.subtitle == "A Chronicle");
  CHECK(book.meta.identifier == "urn:isbn:978-0-306-40615-7");
  CHECK(book.meta.publisher == "Boni & Liveright");
  CHECK(book.meta.date == "1919-03");
  CHECK(book.meta.rights == "Public domain");
  CHECK(book.meta.subjects == std::vector<std::string>{"History", "Russia"});
  CHECK(book.meta.cover == "src/images/cover.jpg");
  CHECK(book.build_time > 0);
  // The [output.NAME] tables are kept, values and positions, for their targets
  // (tests/target checks what the targets make of them).
  REQUIRE(book.outputs.size() == 3);
  const ConfigTable* epub = book.output("epub");
  REQUIRE(epub != nullptr);
  CHECK(epub->pos.line == 15);
  REQUIRE(epub->entries.size() == 4);
  CHECK(epub->entries[0].key == "extra-css");
  CHECK(epub->entries[0].value.type == ConfigValue::Type::Array);
  REQUIRE(epub->entries[0].value.items.size() == 1);
  CHECK(epub->entries[0].value.items[0].string == "extra.css");
  CHECK(epub->entries[0].value.items[0].pos.line == 16);
  CHECK(epub->entries[1].key == "toc-depth");
  CHECK(epub->entries[1].pos.line == 17);
  CHECK(epub->entries[1].value.type == ConfigValue::Type::Integer);
  CHECK(epub->entries[1].value.integer == 3);
  const ConfigTable* pdf = book.output("pdf");
  REQUIRE(pdf != nullptr);
  REQUIRE(pdf->entries.size() == 3);
  CHECK(pdf->entries[1].value.string == "148.5x210mm");
  const ConfigTable* html = book.output("html");
  REQUIRE(html != nullptr);
  CHECK(html->entries.size() == 1);
  CHECK(book.output("kobo") == nullptr);
}

TEST_CASE("book.toml: defaults when keys are absent") {
  TempBook tb;
  Diagnostics diag;
  Book book = read_with_toml(tb, "[book]\ntitle = \"T\"\n", diag);
  CHECK(diag.all().empty());
  CHECK(book.meta.language == "en");
  CHECK(book.src_dir == "src");
  CHECK(book.epub.toc_depth == 2);
  CHECK(book.note_options.epub_placement == NoteOptions::Placement::Chapter);
  CHECK(book.note_options.pdf_placement == NoteOptions::Placement::Page);
  CHECK(book.note_options.numbering == NoteOptions::Numbering::Continuous);
  CHECK(book.meta.identifier.empty());
}

TEST_CASE("book.toml: a syntax error is reported at its line and column") {
  TempBook tb;
  Diagnostics diag;
  read_with_toml(tb, "[book]\ntitle = \"Unclosed\nauthors = [\"A\"]\n", diag);
  auto all = diag.all();
  REQUIRE(all.size() >= 1);
  const Diagnostic& d = all.front();
  CHECK(d.severity == Severity::Error);
  CHECK(d.file.find("book.toml") != std::string::npos);
  CHECK(d.pos.line == 2);
  CHECK(d.pos.col > 0);
  CHECK_FALSE(d.hint.empty());
}

TEST_CASE("book.toml: unknown keys are warnings at their line:col; output tables are kept") {
  TempBook tb;
  Diagnostics diag;
  Book book = read_with_toml(tb, R"([book]
title = "T"
  tittle = "typo"

[output.epub]
toc-dept = 2

[output.pdf]
paper = "a4"

[output.html]
mathjax-support = true

[colophon]
x = 1
)",
                             diag);
  auto all = diag.all();
  CHECK_FALSE(diag.has_errors());
  std::optional<Diagnostic> d = find_diag(all, Severity::Warning, "'tittle'");
  REQUIRE(d.has_value());
  CHECK(d->pos.line == 3);
  CHECK(d->pos.col == 3);
  CHECK(d->hint.find("title") != std::string::npos);
  d = find_diag(all, Severity::Warning, "'colophon'");
  REQUIRE(d.has_value());
  CHECK(d->pos.line == 14);
  // The keys of [output.*] are their targets' to check (tests/target).
  CHECK(count_diag(all, Severity::Warning, "unknown") == 2);
  CHECK(book.meta.title == "T");
}

TEST_CASE("book.toml: wrong types are errors at the key") {
  TempBook tb;
  Diagnostics diag;
  read_with_toml(tb, R"([book]
title = 3
authors = "Jane Doe"
subjects = ["a", 2]
[output]
epub = "yes"
)",
                 diag);
  auto all = diag.all();
  std::optional<Diagnostic> d = find_diag(all, Severity::Error, "'title' must be a string");
  REQUIRE(d.has_value());
  CHECK(d->pos.line == 2);
  CHECK(d->pos.col == 1);
  d = find_diag(all, Severity::Error, "'authors' must be an array of strings");
  REQUIRE(d.has_value());
  CHECK(d->pos.line == 3);
  CHECK(d->hint.find("[\"Jane Doe\"") != std::string::npos);
  d = find_diag(all, Severity::Error, "'subjects' must be an array of strings");
  REQUIRE(d.has_value());
  CHECK(d->pos.line == 4);
  d = find_diag(all, Severity::Error, "'output.epub' must be a table");
  REQUIRE(d.has_value());
  CHECK(d->pos.line == 6);
}

TEST_CASE("book.toml: values outside the allowed set are errors listing the allowed ones") {
  TempBook tb;
  Diagnostics diag;
  read_with_toml(tb, R"([book]
title = "T"
language = "english language"
date = "2026-02-30"
identifier = "urn:isbn:9780306406158"
)",
                 diag);
  auto all = diag.all();
  INFO(all_diags(diag));
  std::optional<Diagnostic> d = find_diag(all, Severity::Error, "'language'");
  REQUIRE(d.has_value());
  CHECK(d->pos.line == 3);
  d = find_diag(all, Severity::Error, "'date'");
  REQUIRE(d.has_value());
  CHECK(d->pos.line == 4);
  d = find_diag(all, Severity::Error, "'identifier'");
  REQUIRE(d.has_value());
  CHECK(d->pos.line == 5);
  CHECK(d->message.find("check digit") != std::string::npos);
  CHECK(diag.count(Severity::Error) == 3);
}

TEST_CASE("book.toml: dates and identifiers in their accepted forms") {
  struct Case {
    const char* line;
    bool ok;
  };
  const Case cases[] = {
      {"date = \"2026\"", true},
      {"date = \"2024-02-29\"", true},
      {"date = \"2023-02-29\"", false},
      {"date = 2026-11-27", true},
      {"date = \"27.11.2026\"", false},
      {"identifier = \"urn:uuid:123e4567-e89b-12d3-a456-426614174000\"", true},
      {"identifier = \"urn:uuid:not-a-uuid\"", false},
      {"identifier = \"urn:isbn:0-306-40615-2\"", true},
      {"identifier = \"isbn 12345\"", false},
  };
  for (const Case& c : cases) {
    TempBook tb;
    Diagnostics diag;
    Book book = read_with_toml(tb, std::string("[book]\ntitle = \"T\"\n") + c.line + "\n", diag);
    INFO(c.line);
    INFO(all_diags(diag));
    CHECK(diag.has_errors() == !c.ok);
    if (std::string(c.line) == "date = 2026-11-27") CHECK(book.meta.date == "2026-11-27");
  }
}

TEST_CASE("book.toml: files it names must exist inside the book") {
  TempBook tb;
  Diagnostics diag;
  read_with_toml(tb, R"([book]
title = "T"
cover = "images/missing.jpg"
)",
                 diag);
  auto all = diag.all();
  std::optional<Diagnostic> d =
      find_diag(all, Severity::Error, "'cover': file 'images/missing.jpg' not found");
  REQUIRE(d.has_value());
  CHECK(d->pos.line == 3);
}

TEST_CASE("book.toml: a custom src folder is used; a missing one is an error at the key") {
  {
    TempBook tb;
    tb.write("book.toml", "[book]\ntitle = \"T\"\nsrc = \"text\"\n");
    tb.write("text/SUMMARY.md", "- [A](a.md)\n");
    tb.write("text/a.md", "# A\n");
    Diagnostics diag;
    Book book = tb.read(diag);
    INFO(all_diags(diag));
    CHECK(diag.all().empty());
    CHECK(book.src_dir == "text");
    REQUIRE(book.chapters.size() == 1);
    CHECK(book.chapters[0].source == "text/a.md");
  }
  {
    TempBook tb;
    tb.write("book.toml", "[book]\ntitle = \"T\"\nsrc = \"nowhere\"\n");
    Diagnostics diag;
    Book book = tb.read(diag);
    auto all = diag.all();
    std::optional<Diagnostic> d =
        find_diag(all, Severity::Error, "'src': folder 'nowhere' not found");
    REQUIRE(d.has_value());
    CHECK(d->pos.line == 3);
    CHECK(diag.count(Severity::Error) == 1);
    CHECK(book.chapters.empty());
  }
}

TEST_CASE("book.toml: a missing title is a warning and the book is \"Untitled\"") {
  TempBook tb;
  Diagnostics diag;
  Book book = read_with_toml(tb, "[book]\nauthors = [\"A\"]\n", diag);
  CHECK_FALSE(diag.has_errors());
  CHECK(find_diag(diag.all(), Severity::Warning, "no title").has_value());
  CHECK(book.meta.title == "Untitled");
}

TEST_CASE("no book.toml: a warning, and the title comes from the first chapter's heading") {
  TempBook tb;
  tb.write("src/SUMMARY.md", "- [One](one.md)\n- [Two](two.md)\n");
  tb.write("src/one.md", "Intro text.\n\n## The *Real* Title\n\n# Later\n");
  tb.write("src/two.md", "# Two\n");
  Diagnostics diag;
  Book book = tb.read(diag);
  CHECK_FALSE(diag.has_errors());
  std::optional<Diagnostic> d = find_diag(diag.all(), Severity::Warning, "no book.toml");
  REQUIRE(d.has_value());
  CHECK(d->file.find("book.toml") != std::string::npos);
  CHECK(book.config_file.empty());
  CHECK(book.meta.title == "The Real Title");
}

TEST_CASE("book.toml: cover = false asks for no cover; cover = true is a mistake") {
  TempBook tb;
  Diagnostics diag;
  Book book = read_with_toml(tb, "[book]\ntitle = \"T\"\ncover = false\n", diag);
  CHECK(diag.all().empty());
  CHECK(book.meta.no_cover);
  CHECK(book.meta.cover.empty());
  TempBook tb2;
  Diagnostics diag2;
  Book book2 = read_with_toml(tb2, "[book]\ntitle = \"T\"\ncover = true\n", diag2);
  std::optional<Diagnostic> d = find_diag(diag2.all(), Severity::Error, "'cover' must be a string");
  REQUIRE(d.has_value());
  CHECK(d->pos.line == 3);
  CHECK(d->hint.find("false") != std::string::npos);
  CHECK_FALSE(book2.meta.no_cover);
}

TEST_CASE("book.toml: syntax errors in plain words at their line:col, and no 'no title'") {
  // What the TOML parser says, and what the author is told instead.
  struct Case {
    const char* toml;
    uint32_t line;
    const char* says;
  };
  const Case cases[] = {
      {"[book]\ntitle = My Book\n", 2, "this value is not text, a number, true or false"},
      {"[book]\ntitle = \"Unclosed\nauthors = [\"A\"]\n", 2, "this text has no closing quote"},
      {"[book]\ntitle = \"Unclosed", 2, "this text has no closing quote"},
      {"[book\ntitle = \"T\"\n", 1, "this table name has no closing ]"},
      {"[book]\nauthors = [\"A\", \"B\"\n", 2, "this [list] has no closing ]"},
      {"[book]\ntitle = \"A\"\ntitle = \"B\"\n", 3, "'title' is set twice"},
      {"[book]\ntitle = \"A\"\n[book]\n", 3, "[book] appears twice"},
      {"[book]\ntitle \"A\"\n", 2, "an '=' is missing after the key"},
      {"[book]\ntitle = \"A\" x\n", 2, "something follows the value on its line"},
      {"[book]\ntitle = \"a\\qb\"\n", 2, "is not an escape TOML knows"},
  };
  for (const Case& c : cases) {
    INFO(std::string(c.toml));
    TempBook tb;
    Diagnostics diag;
    read_with_toml(tb, c.toml, diag);
    auto all = diag.all();
    REQUIRE(all.size() == 1);  // no "book.toml has no title" after it
    CHECK(all[0].severity == Severity::Error);
    CHECK(all[0].pos.line == c.line);
    CHECK(all[0].pos.col > 0);
    CHECK_MESSAGE(all[0].message.find(c.says) != std::string::npos, all[0].message);
    CHECK(all[0].message.find("Error while parsing") == std::string::npos);
    CHECK_FALSE(all[0].hint.empty());
  }
}

TEST_CASE("book.toml: a key in the wrong table is an error naming its table") {
  TempBook tb;
  Diagnostics diag;
  Book book = read_with_toml(tb, "title = \"Above\"\nauthors = [\"A\"]\n\n[book]\nlanguage = \"en\"\n"
                                 "build-dir = \"out\"\n",
                             diag);
  auto all = diag.all();
  REQUIRE(all.size() == 3);
  CHECK(all[0].severity == Severity::Error);
  CHECK(all[0].pos.line == 1);
  CHECK(all[0].message == "'title' belongs in [book], not above the first [table] of book.toml");
  CHECK(all[0].hint.find("under [book]") != std::string::npos);
  CHECK(all[1].pos.line == 2);
  CHECK(all[1].message.find("'authors' belongs in [book]") == 0);
  CHECK(all[2].pos.line == 6);
  CHECK(all[2].message == "'build-dir' belongs in [build], not in [book]");
  CHECK(book.meta.title == "Untitled");  // and no warning says so: the error does
}

TEST_CASE("book.toml: unknown keys get a 'did you mean', and messages come in file order") {
  TempBook tb;
  Diagnostics diag;
  read_with_toml(tb, "[book]\ntitle = \"T\"\nzebra = 1\nautors = [\"A\"]\nlanguage = 7\n"
                     "descripton = \"d\"\n[buidl]\n",
                 diag);
  auto all = diag.all();
  REQUIRE(all.size() == 5);
  std::vector<uint32_t> lines;
  for (const Diagnostic& d : all) lines.push_back(d.pos.line);
  CHECK(lines == std::vector<uint32_t>{3, 4, 5, 6, 7});  // toml++ would give them by key
  CHECK(all[0].message == "unknown key 'zebra' in [book]");
  CHECK(all[0].hint.find("the known keys are title, authors") == 0);
  CHECK(all[1].hint == "did you mean 'authors'?");
  CHECK(all[2].severity == Severity::Error);  // language = 7
  CHECK(all[3].hint == "did you mean 'description'?");
  CHECK(all[4].message == "unknown table 'buidl' in book.toml");
  CHECK(all[4].hint == "did you mean 'build'?");
}

TEST_CASE("book.toml: [build] build-dir and extra-watch-dirs") {
  TempBook tb;
  Diagnostics diag;
  Book book = read_with_toml(tb, "[book]\ntitle = \"T\"\n[build]\nbuild-dir = \"../proofs\"\n"
                                 "extra-watch-dirs = [\"examples\"]\ncreate-missing = false\n",
                             diag);
  CHECK(diag.all().empty());
  CHECK(book.build_dir == "../proofs");
  CHECK(book.watch_dirs == std::vector<std::string>{"examples"});
  Book plain = read_with_toml(tb, "[book]\ntitle = \"T\"\n", diag);
  CHECK(plain.build_dir == "book");  // as mdBook
}
