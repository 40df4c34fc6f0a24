// The EPUB 3 backend: packages the XHTML chapters, OPF, nav and NCX with libzip.
// The only module that includes zip.h.
#pragma once
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/diagnostics.h"
#include "model/model.h"

namespace colophon {

// What one EPUB target changes in the package it writes, as data: the packager knows no
// target by name, and the plain "epub" target uses the defaults.
struct EpubProfile {
  int toc_levels = 0;     // when > 0, the contents (nav.xhtml, toc.ncx) keep this many
                          // levels: deeper chapters are lifted, deeper sections left out
  std::string extra_css;  // appended to the book's stylesheet
  // Files added to the archive as they are: (path in the archive, bytes).
  std::vector<std::pair<std::string, std::string>> extra_files;
};

// Writes BOOK as an EPUB 3 file at OUT, changed as PROFILE says: to a temporary file in
// the same directory, renamed over OUT only when complete. Returns false (with a
// diagnostic) on failure, leaving any previous OUT untouched.
bool write_epub(const Book& book, const std::filesystem::path& out, const EpubProfile& profile,
                Diagnostics& diag);

// Writes BOOK as the plain EPUB 3 (the default profile).
bool write_epub(const Book& book, const std::filesystem::path& out, Diagnostics& diag);

// Returns the EPUB media type of a font file named PATH (by its extension), or "".
std::string font_media_type(const std::string& path);

}  // namespace colophon
