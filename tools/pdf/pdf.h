// The PDF backend: lays the book out (tools/layout) with real font metrics and writes
// it with libharu. The only module that includes hpdf.h.
#pragma once
#include <filesystem>
#include <string>

#include "core/diagnostics.h"
#include "model/model.h"

namespace colophon {

// Writes BOOK as a PDF file at OUT (temporary file, then rename). Returns false, with
// a diagnostic, on failure, leaving any previous OUT untouched.
bool write_pdf(const Book& book, const std::filesystem::path& out, Diagnostics& diag);

// Lays the book out and makes the whole PDF in memory, reporting what write_pdf would
// (missing glyphs, images it cannot show, placeholders ...), and writes nothing.
// OUT_NAME names the PDF in messages about the file itself. Returns false on an error.
bool check_pdf(const Book& book, const std::string& out_name, Diagnostics& diag);

// Lays the book out with the real fonts and returns the pages as text
// (`colophon dump --pages`).
std::string dump_pages(const Book& book, Diagnostics& diag);

}  // namespace colophon
