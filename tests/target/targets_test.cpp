// The output targets' interface: the registry, each target's [output.NAME] table, and
// the exchange through which one target hands data to another.
#include <doctest/doctest.h>

#include <set>
#include <thread>

#include "cli/driver.h"
#include "target/target.h"
#include "test_book.h"

using namespace colophon;
using namespace colophon::test;

namespace {

// Writes a one-chapter book with the given book.toml, reads it and lets every target
// read its table, as a build does.
Book configured(TempBook& tb, std::string_view toml, Diagnostics& diag) {
  tb.write("book.toml", toml);
  tb.write("src/SUMMARY.md", "- [One](one.md)\n");
  tb.write("src/one.md", "# One\n\nText.\n");
  Book book = tb.read(diag);
  configure_targets(book, diag);
  return book;
}

}  // namespace

TEST_CASE("targets: every registered target has a distinct name and output file") {
  std::set<std::string> names, extensions;
  int defaults = 0;
  for (const auto& t : make_targets()) {
    INFO(t->name());
    CHECK(names.insert(t->name()).second);
    CHECK(extensions.insert(t->extension()).second);
    CHECK(t->extension().front() == '.');
    CHECK_FALSE(t->summary().empty());
    defaults += t->default_on() ? 1 : 0;
  }
  CHECK(names.count("epub") == 1);
  CHECK(names.count("pdf") == 1);
  CHECK(defaults == 2);  // a book without [output.*] tables gets its EPUB and PDF
}

TEST_CASE("targets: [output.epub] and [output.pdf] keys reach the book") {
  TempBook tb;
  tb.write("extra.css", "p{}");
  tb.write("pdf-style.toml", "");
  Diagnostics diag;
  Book book = configured(tb, R"([book]
title = "T"

[output.epub]
extra-css = ["extra.css"]
toc-depth = 3
notes = "book"
note-numbering = "chapter"

[output.pdf]
style = "pdf-style.toml"
trim = "148.5x210mm"
notes = "chapter"
cover-page = true

[output.html]
anything = "goes"
)",
                         diag);
  INFO(all_diags(diag));
  CHECK(diag.all().empty());
  CHECK(book.epub.extra_css == std::vector<std::string>{"extra.css"});
  CHECK(book.epub.toc_depth == 3);
  CHECK(book.note_options.epub_placement == NoteOptions::Placement::Book);
  CHECK(book.note_options.numbering == NoteOptions::Numbering::PerChapter);
  CHECK(book.note_options.pdf_placement == NoteOptions::Placement::Chapter);
  CHECK(book.pdf.style == "pdf-style.toml");
  CHECK(book.pdf.trim == "148.5x210mm");
  CHECK(book.pdf.cover_page);
}

TEST_CASE("targets: unknown keys of a target's table are warnings at their line:col") {
  TempBook tb;
  Diagnostics diag;
  configured(tb, R"([book]
title = "T"

[output.epub]
toc-dept = 2

[output.pdf]
paper = "a4"

[output.html]
mathjax-support = true
)",
             diag);
  auto all = diag.all();
  CHECK_FALSE(diag.has_errors());
  std::optional<Diagnostic> d = find_diag(all, Severity::Warning, "'toc-dept' in [output.epub]");
  REQUIRE(d.has_value());
  CHECK(d->pos.line == 5);
  CHECK(d->pos.col == 1);
  CHECK(d->hint.find("toc-depth") != std::string::npos);
  d = find_diag(all, Severity::Warning, "'paper' in [output.pdf]");
  REQUIRE(d.has_value());
  CHECK(d->pos.line == 8);
  // mdBook's own renderers' tables are theirs: not a word about them.
  CHECK(count_diag(all, Severity::Warning, "unknown") == 2);
}

TEST_CASE("targets: wrong types and values are errors at the key, listing the allowed ones") {
  TempBook tb;
  Diagnostics diag;
  configured(tb, R"([book]
title = "T"
[output.epub]
notes = "page"
note-numbering = "roman"
toc-depth = 9
extra-css = "extra.css"
[output.pdf]
notes = "endnotes"
trim = "c7"
style = 3
)",
             diag);
  auto all = diag.all();
  INFO(all_diags(diag));
  std::optional<Diagnostic> d = find_diag(all, Severity::Error, "'notes': 'page'");
  REQUIRE(d.has_value());
  CHECK(d->pos.line == 4);
  CHECK(d->hint == "allowed values: \"chapter\", \"book\"");
  d = find_diag(all, Severity::Error, "'note-numbering'");
  REQUIRE(d.has_value());
  CHECK(d->hint == "allowed values: \"continuous\", \"chapter\"");
  d = find_diag(all, Severity::Error, "'toc-depth': 9");
  REQUIRE(d.has_value());
  CHECK(d->pos.line == 6);
  d = find_diag(all, Severity::Error, "'extra-css' must be an array of strings");
  REQUIRE(d.has_value());
  CHECK(d->pos.line == 7);
  d = find_diag(all, Severity::Error, "'notes': 'endnotes'");
  REQUIRE(d.has_value());
  CHECK(d->pos.line == 9);
  CHECK(d->hint == "allowed values: \"footnotes\", \"chapter\", \"book\"");
  d = find_diag(all, Severity::Error, "'trim'");
  REQUIRE(d.has_value());
  CHECK(d->pos.line == 10);
  CHECK(d->hint.find("\"a5\", \"6x9in\", \"a4\", \"letter\"") != std::string::npos);
  d = find_diag(all, Severity::Error, "'style' must be a string");
  REQUIRE(d.has_value());
  CHECK(d->pos.line == 11);
  CHECK(diag.count(Severity::Error) == 7);
}

TEST_CASE("targets: trims in their accepted forms") {
  for (const char* trim : {"a5", "a4", "letter", "6x9in", "5.5x8.5in", "130x200mm"}) {
    TempBook tb;
    Diagnostics diag;
    Book book = configured(
        tb, std::string("[book]\ntitle = \"T\"\n[output.pdf]\ntrim = \"") + trim + "\"\n", diag);
    INFO(trim);
    CHECK_FALSE(diag.has_errors());
    CHECK(book.pdf.trim == trim);
  }
  for (const char* trim : {"0x200mm", "130x200", "130x200cm", "x200mm", "c7"}) {
    TempBook tb;
    Diagnostics diag;
    configured(tb, std::string("[book]\ntitle = \"T\"\n[output.pdf]\ntrim = \"") + trim + "\"\n",
               diag);
    INFO(trim);
    CHECK(diag.has_errors());
  }
}

TEST_CASE("targets: files a target's table names must exist inside the book") {
  TempBook tb;
  Diagnostics diag;
  configured(tb, R"([book]
title = "T"
[output.epub]
extra-css = ["../outside.css"]
[output.pdf]
style = "/etc/passwd"
)",
             diag);
  auto all = diag.all();
  std::optional<Diagnostic> d =
      find_diag(all, Severity::Error, "'extra-css': '../outside.css' is outside the book");
  REQUIRE(d.has_value());
  CHECK(d->pos.line == 4);
  CHECK(d->pos.col == 14);  // the array element
  d = find_diag(all, Severity::Error, "'style': '/etc/passwd' is outside the book");
  REQUIRE(d.has_value());
  CHECK(d->pos.line == 6);
}

TEST_CASE("exchange: a value published on one thread is received on another") {
  Exchange x;
  x.expect("pages");
  CHECK(x.expected("pages"));
  std::shared_ptr<const std::vector<int>> got;
  std::thread waiter([&] { got = x.wait<std::vector<int>>("pages"); });
  x.publish("pages", std::make_shared<const std::vector<int>>(std::vector<int>{1, 2, 3}));
  waiter.join();
  REQUIRE(got != nullptr);
  CHECK(*got == std::vector<int>{1, 2, 3});
  // Asked for with the wrong type: nothing, not a bad cast.
  CHECK(x.wait<std::string>("pages") == nullptr);
}

TEST_CASE("exchange: an unannounced or abandoned key never blocks") {
  Exchange x;
  CHECK_FALSE(x.expected("pages"));
  CHECK(x.wait<int>("pages") == nullptr);  // nobody will publish it: at once
  x.expect("pages");
  std::thread waiter([&] { CHECK(x.wait<int>("pages") == nullptr); });
  x.abandon("pages");
  waiter.join();
  // Abandoned stays abandoned; a late publish changes nothing.
  x.publish("pages", std::make_shared<const int>(7));
  CHECK(x.wait<int>("pages") == nullptr);
}

TEST_CASE("targets: a key of another table in [output.NAME] says where it belongs") {
  set_key_catalogue(config_catalogue());  // as the driver does before reading a book
  TempBook tb;
  Diagnostics diag;
  configured(tb, R"([book]
title = "T"
toc-depth = 3

[output.epub]
style = "x.toml"
toc-dept = 1

[output.pdf]
margins = 3
)",
             diag);
  auto all = diag.all();
  auto d = find_diag(all, Severity::Error, "'toc-depth'");
  REQUIRE(d.has_value());
  CHECK(d->message == "'toc-depth' belongs in [output.epub], not in [book]");
  d = find_diag(all, Severity::Error, "'style'");
  REQUIRE(d.has_value());
  CHECK(d->message == "'style' belongs in [output.pdf], not in [output.epub]");
  d = find_diag(all, Severity::Warning, "'toc-dept'");
  REQUIRE(d.has_value());
  CHECK(d->hint == "did you mean 'toc-depth'?");
  d = find_diag(all, Severity::Error, "'margins'");
  REQUIRE(d.has_value());
  CHECK(d->message == "'margins' belongs in the PDF style file, not in [output.pdf]");
}

TEST_CASE("targets: every key a target lists is one its configure reads") {
  for (const auto& t : make_targets()) {
    for (const std::string& key : t->keys()) {
      INFO(t->name() << ": " << key);
      TempBook tb;
      Diagnostics diag;
      Book book = tb.read(diag);  // no book.toml: an empty book to configure
      ConfigTable table;
      table.name = t->name();
      table.file = "book.toml";
      ConfigEntry& e = table.entries.emplace_back();
      e.key = key;
      e.pos = {2, 1};
      Diagnostics found;
      t->configure(&table, book, found);
      // A wrong value may be an error; an unknown key would be a warning naming it.
      for (const Diagnostic& d : found.all())
        CHECK(d.message.find("unknown key") == std::string::npos);
    }
  }
}
