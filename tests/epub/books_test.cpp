// Golden tests of whole small books: read_book + run_passes + write_epub, compared byte
// for byte with tests/epub/golden/<case>/ and checked with epubcheck; plus the generated
// torture book (every construct) through epubcheck.
#include <doctest/doctest.h>

#include <cstdlib>

#include "epub/epub.h"
#include "epub/options.h"
#include "epub_test_util.h"
#include "passes/passes.h"
#include "read/read.h"
#include "sample_book.h"

using namespace colophon;
using namespace colophon::testing;
namespace fs = std::filesystem;

namespace {

// Fixed build time of the golden books (2023-11-14T22:13:20Z).
constexpr int64_t kGoldenTime = 1700000000;

// Builds the book in DIR into OUT; fails the test on any diagnostic.
void build_book(const fs::path& dir, const fs::path& out) {
  Diagnostics diag;
  ReadOptions options;
  options.input = dir.string();
  Book book = read_book(options, diag);
  read_epub_options(book.output("epub"), book, diag);
  run_passes(book, diag);
  book.build_time = kGoldenTime;
  bool ok = !diag.has_errors() && write_epub(book, out, diag);
  for (const Diagnostic& d : diag.all()) MESSAGE(format_diagnostic(d));
  REQUIRE(ok);
  CHECK(diag.all().empty());
}

void check_epubcheck(const fs::path& file) {
  EpubcheckResult r = run_epubcheck(file);
  if (r.skipped) {
    MESSAGE("SKIPPED epubcheck: java or /usr/bin/epubcheck is not installed");
    return;
  }
  INFO(r.output);
  CHECK(r.ran);
  CHECK(r.fatals == 0);
  CHECK(r.errors == 0);
  CHECK(r.warnings == 0);
}

void golden_case(const std::string& name) {
  fs::path dir = fs::path(COLOPHON_SOURCE_DIR) / "tests" / "epub" / "books" / name;
  fs::path out = fresh_dir("books-" + name) / "book.epub";
  build_book(dir, out);
  check_golden(name, read_zip(out));
  check_epubcheck(out);
}

}  // namespace

TEST_CASE("golden book: small (parts, nesting, notes per chapter, table, figure)") {
  golden_case("small");
}

TEST_CASE("golden book: book-notes (one notes file, numbering per chapter, extra CSS)") {
  golden_case("book-notes");
}

TEST_CASE("the generated torture book passes epubcheck") {
  fs::path gen = fs::path(COLOPHON_SOURCE_DIR) / "tests" / "books" / "gen_torture.py";
  if (!fs::exists(gen) || std::system("python3 --version >/dev/null 2>&1") != 0) {
    MESSAGE("SKIPPED: python3 or tests/books/gen_torture.py missing");
    return;
  }
  fs::path dir = fresh_dir("books-torture");
  std::string cmd = "python3 '" + gen.string() + "' '" + (dir / "book").string() + "' >/dev/null";
  REQUIRE(std::system(cmd.c_str()) == 0);
  build_book(dir / "book", dir / "torture.epub");
  check_epubcheck(dir / "torture.epub");
}
