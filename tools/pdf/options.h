// [output.pdf]: the PDF's style file, trim size and note placement.
#pragma once
#include "core/config_table.h"
#include "core/diagnostics.h"
#include "model/model.h"

namespace colophon {

// Reads [output.pdf] (TABLE null when book.toml has none) into BOOK's PDF and note
// options.
// Returns the keys of [output.pdf], in the order the guide lists them.
const std::vector<std::string>& pdf_option_keys();

void read_pdf_options(const ConfigTable* table, Book& book, Diagnostics& diag);

}  // namespace colophon
