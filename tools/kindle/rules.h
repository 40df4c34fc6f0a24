// What Amazon's Send to Kindle and KDP are known to refuse an EPUB for (most often with
// the bare "E999" error), as checks over the model and the written file. The Kindle
// target avoids what it can by how it writes the book; these report the rest.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "core/diagnostics.h"
#include "model/model.h"

namespace colophon {

// Largest file Send to Kindle takes by e-mail, and through its app or web page.
constexpr uint64_t kKindleEmailLimit = 50ull * 1000 * 1000;
constexpr uint64_t kKindleUploadLimit = 200ull * 1000 * 1000;

// Tells whether Amazon takes books in LANGUAGE (a BCP 47 tag; its primary subtag counts).
bool kindle_language(std::string_view language);

// Reports what in BOOK Send to Kindle or KDP would refuse (errors) or show badly
// (warnings): a language Amazon does not take, an <img> without a source in raw HTML,
// no cover, and CSS in the book's extra stylesheets that Kindle cuts off or ignores.
void check_kindle_book(const Book& book, Diagnostics& diag);

// Reports CSS in TEXT (shown as FILE) that Kindle cuts off or ignores: negative
// margins, offsets and line heights, a negative indent with no padding to hold it, and
// absolute or fixed positions.
void check_kindle_css(std::string_view text, const std::string& file, Diagnostics& diag);

// Reports a written book of BYTES bytes (FILE) too large to send: over the e-mail limit
// a warning, over the upload limit an error.
void check_kindle_size(uint64_t bytes, const std::string& file, Diagnostics& diag);

}  // namespace colophon
