// Reads a book directory (book.toml, src/SUMMARY.md, Markdown chapters) or a single
// Markdown file into the model. The only module that includes cmark-gfm headers.
#pragma once
#include <string>
#include <string_view>

#include "core/diagnostics.h"
#include "model/model.h"

namespace colophon {

// What `colophon build|check|dump` was asked to read.
struct ReadOptions {
  std::string input = ".";  // a book directory or a single .md file, as the user wrote it
  std::string title;        // single-file mode: overrides the title (else its first heading)
  std::string author;       // single-file mode: the author
  std::string lang;         // single-file mode: the language (default "en")
  std::string dead_links;  // "error" or "warning": overrides [book] dead-links
  bool safe = false;  // --safe: includes read only inside the book folder; no command runs
};

// Reads the whole book: configuration, chapter order, and every chapter parsed into
// blocks and inlines with source positions, footnote definitions collected into
// Book::notes. Reports every problem to DIAG; never throws.
Book read_book(const ReadOptions& options, Diagnostics& diag);

// Parses one Markdown text as chapter CHAPTER_INDEX of BOOK (fills its blocks and
// appends its footnotes to book.notes). SOURCE is the chapter's text; diagnostics use
// book.display(book.chapters[chapter_index].source). Used by read_book and by tests.
void parse_chapter(std::string_view source, Book& book, int chapter_index, Diagnostics& diag);

}  // namespace colophon
