// The EPUB 3 backend: packages the XHTML chapters, OPF, nav and NCX with libzip.
// The only module that includes zip.h.
#pragma once
#include <filesystem>

#include "core/diagnostics.h"
#include "model/model.h"

namespace colophon {

// Writes BOOK as an EPUB 3 file at OUT: to a temporary file in the same directory,
// renamed over OUT only when complete. Returns false (with a diagnostic) on failure,
// leaving any previous OUT untouched.
bool write_epub(const Book& book, const std::filesystem::path& out, Diagnostics& diag);

}  // namespace colophon
