// book.toml: the book's metadata, every agreed key checked; each [output.NAME] table is
// kept as plain values (Book::outputs) for the target of that name to check and read.
#pragma once
#include <string>
#include <string_view>

#include "core/diagnostics.h"
#include "model/model.h"

namespace colophon {

// Reads the book.toml TEXT (shown as FILE in messages) into BOOK's metadata, source
// folder and output tables. Syntax errors, wrong types and values are errors at their
// line:col; unknown keys are warnings. Paths are checked against book.root.
void read_config(std::string_view text, const std::string& file, Book& book, Diagnostics& diag);

// Tells whether TAG looks like a BCP 47 language tag ("en", "en-GB", "zh-Hant-TW").
bool is_language_tag(std::string_view tag);

}  // namespace colophon
