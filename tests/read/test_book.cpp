#include "test_book.h"

#include <stdlib.h>

#include <fstream>
#include <stdexcept>

namespace colophon::test {

TempBook::TempBook() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "colophon-read-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
}

TempBook::~TempBook() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void TempBook::write(const std::string& rel, std::string_view content) const {
  std::filesystem::path p = dir_ / rel;
  std::filesystem::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
}

Book TempBook::read(Diagnostics& diag) const {
  ReadOptions options;
  options.input = dir_.string();
  return read_book(options, diag);
}

Book parse_one(std::string_view text, Diagnostics& diag) {
  Book book;
  book.root = "/nonexistent";
  book.root_display = "book";
  Chapter ch;
  ch.source = "src/ch.md";
  book.chapters.push_back(ch);
  parse_chapter(text, book, 0, diag);
  return book;
}

std::optional<Diagnostic> find_diag(const std::vector<Diagnostic>& all, Severity severity,
                                    std::string_view needle) {
  for (const Diagnostic& d : all)
    if (d.severity == severity && d.message.find(needle) != std::string::npos) return d;
  return std::nullopt;
}

size_t count_diag(const std::vector<Diagnostic>& all, Severity severity, std::string_view needle) {
  size_t n = 0;
  for (const Diagnostic& d : all)
    n += d.severity == severity && d.message.find(needle) != std::string::npos;
  return n;
}

std::string all_diags(const Diagnostics& diag) {
  std::string s;
  for (const Diagnostic& d : diag.all()) s += format_diagnostic(d);
  return s;
}

}  // namespace colophon::test
