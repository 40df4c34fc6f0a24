// The pass pipeline, in the order the passes depend on each other.
#include "passes/passes.h"

#include "passes/common.h"

namespace colophon {

void run_passes(Book& book, Diagnostics& diag) {
  clean_xml_text(book, diag);  // text XML forbids becomes U+FFFD, before ids are made of it
  join_wide_lines(book);       // no space where a line ends between two CJK characters
  assign_ids(book, diag);      // chapter names, heading ids (raw HTML and note ids reserved)
  fill_chapter_tocs(book);     // mdbook-toc's lists of links to the headings (needs their ids)
  number_notes(book, diag);    // note numbers and ids
  AnchorTable anchors = build_anchor_table(book);
  resolve_links(book, diag, anchors);   // needs every id
  collect_assets(book, diag);           // images and cover (changes no id)
}

}  // namespace colophon
