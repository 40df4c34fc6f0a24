// book.toml: the book's metadata, every agreed key checked; each [output.NAME] table is
// kept as plain values (Book::outputs) for the target of that name to check and read.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/config_table.h"
#include "core/diagnostics.h"
#include "model/model.h"

namespace colophon {

// Reads the book.toml TEXT (shown as FILE in messages) into BOOK's metadata, source
// folder and output tables. Syntax errors, wrong types and values are errors at their
// line:col; unknown keys are warnings, keys of another table errors (see
// report_unknown_key). Paths are checked against book.root. Returns whether it was read
// without an error (after one, a missing key may only be misplaced or unreadable).
bool read_config(std::string_view text, const std::string& file, Book& book, Diagnostics& diag);

// Returns the tables of book.toml this reader takes, with their keys: the top level
// (whose keys are table names), [book] and [build].
std::vector<KeyTable> config_key_tables();

// Returns book.toml's TEXT as JSON, as mdBook hands its configuration to preprocessors
// ([book] src filled in when missing); "{}" when TEXT is not TOML.
std::string config_json(std::string_view text);

// Returns what is wrong with a book identifier (urn:isbn:... with a valid ISBN, or
// urn:uuid:...), or "" when it is allowed.
std::string identifier_problem(std::string_view value);

// The hint for an identifier that identifier_problem refuses.
inline constexpr std::string_view kIdentifierHint =
    "allowed forms: \"urn:isbn:<ISBN-10 or ISBN-13>\", "
    "\"urn:uuid:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx\"; or remove the key and "
    "colophon derives a UUID from the title and authors";

// Tells whether VALUE is a publication date: "2026-11-27", "2026-11" or "2026".
bool is_date(std::string_view value);

// Tells whether TAG looks like a BCP 47 language tag ("en", "en-GB", "zh-Hant-TW").
bool is_language_tag(std::string_view tag);

}  // namespace colophon
