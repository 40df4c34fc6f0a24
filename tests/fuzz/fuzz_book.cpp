#include "fuzz_book.h"

#include <algorithm>

#include "passes/passes.h"
#include "read/read.h"

namespace colophon::fuzz {

Book one_chapter_book(std::string_view text, Diagnostics& diag) {
  Book book;
  book.root = "/nonexistent-colophon-fuzz";
  book.root_display = "book";
  book.meta.title = "Fuzz";
  book.markdown.admonish.enabled = true;  // ```admonish blocks too (read/admonish.h)
  Chapter chapter;
  chapter.source = "src/ch.md";
  chapter.title = "Fuzz";
  book.chapters.push_back(chapter);
  parse_chapter(text, book, 0, diag);
  run_passes(book, diag);
  return book;
}

std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), std::min(size, kMaxInputBytes)};
}

}  // namespace colophon::fuzz
