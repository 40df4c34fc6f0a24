// Book -> Book passes that run after reading and before any backend.
#pragma once
#include "core/diagnostics.h"
#include "model/model.h"

namespace colophon {

// Gives every heading a GitHub-style id, unique across the whole book (ids from raw
// HTML count as taken), and every chapter a unique output id.
void assign_ids(Book& book, Diagnostics& diag);

// Numbers notes (continuous or per chapter), gives them ids, links references to
// definitions; reports undefined (error), unused and duplicate (warning) notes.
void number_notes(Book& book, Diagnostics& diag);

// Resolves every link: `other.md`, `other.md#frag`, `#frag`, `../dir/x.md` to
// chapters and anchors; external URLs kept; missing files or fragments are errors.
void resolve_links(Book& book, Diagnostics& diag);

// Finds every image (and the cover), checks it stays inside the book, exists and is
// PNG/JPEG/GIF/SVG, and records it once in Book::assets.
void collect_assets(Book& book, Diagnostics& diag);

// Runs every pass above in order.
void run_passes(Book& book, Diagnostics& diag);

}  // namespace colophon
