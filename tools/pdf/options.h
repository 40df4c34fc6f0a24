// [output.pdf]: the PDF's style file, trim size and note placement.
#pragma once
#include "core/config_table.h"
#include "core/diagnostics.h"
#include "model/model.h"

namespace colophon {

// Reads [output.pdf] (TABLE null when book.toml has none) into BOOK's PDF and note
// options.
void read_pdf_options(const ConfigTable* table, Book& book, Diagnostics& diag);

}  // namespace colophon
