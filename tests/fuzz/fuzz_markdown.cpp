// libFuzzer target: Markdown bytes -> one-chapter book -> passes -> chapter XHTML.
// Crashes are findings; so is XHTML that tinyxml2 cannot parse when the book has no
// errors (a book with errors is never written, so only then must the XHTML be sound).
#include <tinyxml2.h>

#include <cstdio>
#include <cstdlib>

#include "fuzz_book.h"
#include "xhtml/xhtml.h"

using namespace colophon;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Diagnostics diag;
  Book book = fuzz::one_chapter_book(fuzz::as_text(data, size), diag);
  std::string xhtml = chapter_xhtml(book, 0, XhtmlOptions{});
  if (diag.has_errors()) return 0;
  tinyxml2::XMLDocument doc;
  if (doc.Parse(xhtml.data(), xhtml.size()) != tinyxml2::XML_SUCCESS) {
    std::fprintf(stderr, "fuzz_markdown: XHTML not well-formed: %s\n----\n%s\n----\n",
                 doc.ErrorStr(), xhtml.c_str());
    std::abort();
  }
  return 0;
}
