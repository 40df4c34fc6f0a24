// STUB: replaced by the reader implementation.
#include "read/read.h"

namespace colophon {
Book read_book(const ReadOptions& options, Diagnostics& diag) {
  Book book;
  diag.error(options.input, {}, "reader not implemented yet");
  return book;
}
void parse_chapter(std::string_view, Book&, int, Diagnostics&) {}
}  // namespace colophon
