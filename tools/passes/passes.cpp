// STUB: replaced by the passes implementation.
#include "passes/passes.h"

namespace colophon {
void assign_ids(Book&, Diagnostics&) {}
void number_notes(Book&, Diagnostics&) {}
void resolve_links(Book&, Diagnostics&) {}
void collect_assets(Book&, Diagnostics&) {}
void run_passes(Book& book, Diagnostics& diag) {
  assign_ids(book, diag);
  number_notes(book, diag);
  resolve_links(book, diag);
  collect_assets(book, diag);
}
}  // namespace colophon
