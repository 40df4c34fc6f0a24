// [output.epub]: the options every EPUB target (epub, kobo, kindle) shares.
#pragma once
#include "core/config_table.h"
#include "core/diagnostics.h"
#include "model/model.h"

namespace colophon {

// Returns the keys of [output.epub], in the order the guide lists them.
const std::vector<std::string>& epub_option_keys();

// Reads [output.epub] (TABLE null when book.toml has none) into BOOK's EPUB and note
// options: extra CSS, fonts to embed, contents depth, note placement and numbering, and
// the page list.
void read_epub_options(const ConfigTable* table, Book& book, Diagnostics& diag);

}  // namespace colophon
