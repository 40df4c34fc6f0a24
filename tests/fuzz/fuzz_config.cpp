// libFuzzer target: bytes -> the book.toml reader and the SUMMARY.md reader. When the
// input holds a line "%%", the text before it is book.toml and the text after it is
// SUMMARY.md; otherwise both readers get the whole input. Chapter files named by the
// summary are looked up in a small temporary book written once per process.
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "cli/driver.h"
#include "fuzz_book.h"
#include "read/config.h"
#include "read/summary.h"

using namespace colophon;

namespace {

// Creates (once) a book directory with src/a.md, src/b.md and src/sub/c.md.
const std::string& book_dir() {
  static const std::string dir = [] {
    std::string tmpl = (std::filesystem::temp_directory_path() / "colophon-fuzz-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) abort();
    std::filesystem::create_directories(tmpl + "/src/sub");
    for (const char* name : {"/src/a.md", "/src/b.md", "/src/sub/c.md", "/cover.png"})
      std::ofstream(tmpl + name) << "# Title\n";
    return tmpl;
  }();
  return dir;
}

Book empty_book() {
  Book book;
  book.root = book_dir();
  book.root_display = "book";
  return book;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = fuzz::as_text(data, size);
  std::string_view toml = text, summary = text;
  if (size_t split = text.find("\n%%\n"); split != std::string_view::npos) {
    toml = text.substr(0, split);
    summary = text.substr(split + 4);
  }
  Diagnostics diag;
  Book config_book = empty_book();
  read_config(toml, "book.toml", config_book, diag);
  configure_targets(config_book, diag);  // each [output.NAME] table, read by its target
  Book summary_book = empty_book();
  read_summary(summary, summary_book, diag);
  for (const Chapter& chapter : summary_book.chapters)
    if (chapter.part >= static_cast<int>(summary_book.parts.size())) abort();
  return 0;
}
