// End to end: a small book on disk -> reader -> passes -> layout -> PDF, checked with
// the real PDF tools when they are installed.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "core/paths.h"
#include "passes/passes.h"
#include "pdf/pdf.h"
#include "read/read.h"

namespace colophon {
namespace {

namespace fs = std::filesystem;

std::string capture(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

bool tool(const std::string& name) {
  if (std::system(("command -v " + name + " >/dev/null 2>&1").c_str()) == 0) return true;
  MESSAGE("SKIPPED: " << name << " is not installed, so its check of the PDF does not run");
  return false;
}

void put(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  REQUIRE(write_file_atomic(path, text).empty());
}

fs::path small_book() {
  fs::path dir = fs::path(COLOPHON_BINARY_DIR) / "test-scratch" / "pdf" / "e2e-book";
  fs::remove_all(dir);
  put(dir / "book.toml",
      "[book]\ntitle = \"Small Book\"\nauthors = [\"Ann Author\"]\nlanguage = \"en\"\n");
  put(dir / "src" / "SUMMARY.md",
      "# Summary\n\n- [First Steps](first.md)\n- [Второй шаг](second.md)\n");
  put(dir / "src" / "first.md",
      "# First Steps\n\nAlpha bravo charlie delta echo foxtrot golf hotel india juliet "
      "kilo lima mike november oscar papa quebec romeo sierra tango.[^a]\n\n"
      "## A Section\n\nSee [the second chapter](second.md) or "
      "[the web](https://example.com/path).\n\n[^a]: A footnote with its own words.\n");
  put(dir / "src" / "second.md",
      "# Второй шаг\n\nПривет, мир. Καλημέρα κόσμε. Back to [the start](first.md#a-section).\n");
  return dir;
}

}  // namespace

TEST_CASE("end to end: a small book becomes a checked PDF") {
  fs::path dir = small_book();
  Diagnostics diag;
  ReadOptions options;
  options.input = dir.string();
  Book book = read_book(options, diag);
  run_passes(book, diag);
  book.build_time = 1700000000;
  for (const Diagnostic& d : diag.all()) MESSAGE(format_diagnostic(d));
  REQUIRE_FALSE(diag.has_errors());
  fs::path out = dir / "dist" / "small.pdf";
  fs::create_directories(out.parent_path());
  REQUIRE(write_pdf(book, out, diag));
  CHECK_FALSE(diag.has_errors());
  std::string first = read_file(out).value_or("");
  REQUIRE(first.rfind("%PDF-", 0) == 0);

  // Same book, same bytes.
  REQUIRE(write_pdf(book, out, diag));
  CHECK(read_file(out).value_or("") == first);

  // Built by appends: GCC 12 at -O3 warns falsely (-Wrestrict) about "'" + string.
  std::string file = "'";
  file += out.string();
  file += "'";
  if (tool("qpdf")) {
    std::string check = capture("qpdf --check " + file + " 2>&1");
    CHECK_MESSAGE(check.find("No syntax or stream encoding errors") != std::string::npos, check);
  }
  if (tool("pdffonts")) {
    std::string fonts = capture("pdffonts " + file + " 2>&1");
    CHECK(fonts.find("CID TrueType") != std::string::npos);
    CHECK_MESSAGE(fonts.find(" no ") == std::string::npos, fonts);  // every font embedded
    CHECK(fonts.find("Warning") == std::string::npos);
  }
  if (tool("pdftotext")) {
    std::string text = capture("pdftotext -enc UTF-8 " + file + " - 2>/dev/null");
    size_t at = 0;
    for (const char* word : {"First Steps", "Alpha", "bravo", "tango", "A Section", "Второй шаг",
                             "Привет", "Καλημέρα"}) {
      size_t found = text.find(word, at);
      CHECK_MESSAGE(found != std::string::npos, "missing or out of order: " << word << "\n"
                                                                            << text);
      if (found != std::string::npos) at = found;
    }
    CHECK(text.find("A footnote with its own words.") != std::string::npos);
  }
  if (tool("mutool")) {
    std::string outline = capture("mutool show " + file + " outline 2>/dev/null");
    CHECK_MESSAGE(outline.find("First Steps") != std::string::npos, outline);
    CHECK(outline.find("Второй шаг") != std::string::npos);
  }
  if (tool("qpdf")) {
    fs::path qdf = dir / "dist" / "small.qdf";
    capture("qpdf --qdf --object-streams=disable " + file + " '" + qdf.string() + "'");
    std::string q = read_file(qdf).value_or("");
    CHECK(q.find("https://example.com/path") != std::string::npos);
    CHECK(q.find("/PageLabels") != std::string::npos);
    CHECK(q.find("/Dest") != std::string::npos);  // internal links jump somewhere
  }
}

}  // namespace colophon
