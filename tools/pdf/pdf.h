// The PDF backend: lays the book out (tools/layout) with real font metrics and writes
// it with libharu. The only module that includes hpdf.h.
#pragma once
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "core/diagnostics.h"
#include "model/model.h"

namespace colophon {

// Takes the print edition's page map once the book is laid out (before the PDF is
// written, so the EPUB targets waiting for it need not wait for the writing too).
using PageMapSink = std::function<void(std::shared_ptr<const PageMap>)>;

// Writes BOOK as a PDF file at OUT (temporary file, then rename), handing PAGES the page
// map as soon as the layout is done. Returns false, with a diagnostic, on failure,
// leaving any previous OUT untouched. With OUT empty, only lays the book out for PAGES.
bool write_pdf(const Book& book, const std::filesystem::path& out, Diagnostics& diag,
               const PageMapSink& pages = {});

// Lays the book out and makes the whole PDF in memory, reporting what write_pdf would
// (missing glyphs, images it cannot show, placeholders ...), and writes nothing.
// OUT_NAME names the PDF in messages about the file itself. Returns false on an error.
bool check_pdf(const Book& book, const std::string& out_name, Diagnostics& diag);

// Lays the book out with the real fonts and returns the pages as text
// (`colophon dump --pages`).
std::string dump_pages(const Book& book, Diagnostics& diag);

}  // namespace colophon
