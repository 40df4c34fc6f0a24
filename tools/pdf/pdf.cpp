// STUB: replaced by the PDF writer.
#include "pdf/pdf.h"

namespace colophon {
bool write_pdf(const Book&, const std::filesystem::path& out, Diagnostics& diag) {
  diag.error(out.string(), {}, "PDF backend not implemented yet");
  return false;
}
std::string dump_pages(const Book&, Diagnostics&) { return {}; }
}  // namespace colophon
