// STUB: replaced by the EPUB packager.
#include "epub/epub.h"

namespace colophon {
bool write_epub(const Book&, const std::filesystem::path& out, Diagnostics& diag) {
  diag.error(out.string(), {}, "EPUB backend not implemented yet");
  return false;
}
}  // namespace colophon
