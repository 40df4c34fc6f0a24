// The drawing half of the PDF backend: a laid-out Document becomes PDF bytes through
// libharu. Separate from write_pdf so tests can draw hand-built pages.
#pragma once
#include <filesystem>
#include <optional>
#include <string>

#include "core/diagnostics.h"
#include "layout/pages.h"
#include "model/model.h"
#include "pdf/fonts.h"
#include "pdf/images.h"

namespace colophon {

// Draws DOCUMENT (laid out from BOOK with FONTS) and returns the PDF file's bytes, or
// nullopt after reporting the failure at OUT_NAME; any libharu error ends the document.
// IMAGES, when given, holds BOOK's assets encoded (or being encoded) already.
std::optional<std::string> render_document(const Document& document, const Book& book,
                                           const RealFontMetrics& fonts,
                                           const std::string& out_name, Diagnostics& diag,
                                           ImageEncoder* images = nullptr);

// Draws DOCUMENT and writes it to OUT through a temporary file and a rename; returns
// false with a diagnostic on failure, leaving any previous OUT untouched.
bool write_document(const Document& document, const Book& book, const RealFontMetrics& fonts,
                    const std::filesystem::path& out, Diagnostics& diag,
                    ImageEncoder* images = nullptr);

// Percent-encodes URI bytes that may not appear in a PDF URI action (space, non-ASCII,
// quotes, angle brackets ...), keeping reserved characters and valid %XX escapes.
std::string percent_encode_uri(std::string_view uri);

}  // namespace colophon
