// Book -> Book passes that run after reading and before any backend.
#pragma once
#include "core/diagnostics.h"
#include "model/model.h"

namespace colophon {

// Replaces every character XML forbids (a control, a noncharacter such as U+FFFE, bytes
// that are not UTF-8) in the text the backends write (chapters, notes, raw HTML, titles,
// metadata) by U+FFFD, with one warning per file naming the first. The one validation
// point for text that reaches XML; runs first.
void clean_xml_text(Book& book, Diagnostics& diag);

// Removes each soft line break that falls between two East Asian wide characters
// (Chinese, Japanese; see line_end_joins): in both outputs such a line end is no space,
// as CSS Text has it for a browser.
void join_wide_lines(Book& book);

// Gives every heading a GitHub-style id, unique across the whole book (ids from raw
// HTML and note ids count as taken; slugs that are not XML names get a '_' in front),
// every chapter a unique output id from its file name ("01-intro.md" -> "ch-01-intro"),
// and fills Chapter::raw_ids. Colliding raw HTML ids are errors.
void assign_ids(Book& book, Diagnostics& diag);

// Fills each chapter's mdbook-toc contents (the Div the reader leaves where the marker
// stood) with a list of links to the headings after it, down to the toc's max-level, and
// drops a marker no heading follows. Needs the heading ids.
void fill_chapter_tocs(Book& book);

// Numbers notes (continuous or per chapter) in the order of their first reference,
// gives them ids (note-N, noteref-N with N = index in Book::notes + 1) and lists each
// chapter's notes in number order. Undefined, unused and duplicate notes are reported
// by the reader, not here.
void number_notes(Book& book, Diagnostics& diag);

// Resolves every link: `other.md`, `other.md#frag`, `#frag`, `../dir/x.md` to
// chapters and anchors; external URLs kept; missing or non-chapter files are errors; a
// fragment no id of the target chapter has is a warning and the link opens the chapter.
// A fragment may name a real id or a heading's GitHub slug (`#1` finds id `_1`);
// javascript:/vbscript:/data: links stay Unresolved (written as their text) with a warning.
void resolve_links(Book& book, Diagnostics& diag);

// Finds every image (and the cover), checks it stays inside the book, exists and is
// PNG/JPEG/GIF/SVG by its bytes, and records it once in Book::assets (href
// "media/<path under src>"); sets Inline::asset and rewrites Metadata::cover to the
// cover asset's Asset::source.
void collect_assets(Book& book, Diagnostics& diag);

// Runs every pass above in order.
void run_passes(Book& book, Diagnostics& diag);

}  // namespace colophon
