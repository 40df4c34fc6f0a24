// The pass pipeline, in the order the passes depend on each other.
#include "passes/passes.h"

namespace colophon {

void run_passes(Book& book, Diagnostics& diag) {
  assign_ids(book, diag);      // chapter names, heading ids (raw HTML and note ids reserved)
  number_notes(book, diag);    // note numbers and ids
  resolve_links(book, diag);   // needs every id
  collect_assets(book, diag);  // images and cover
  check_raw_html(book, diag);  // needs every id (raw fragment links)
}

}  // namespace colophon
