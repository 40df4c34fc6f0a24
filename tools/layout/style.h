// The PDF style: page size, margins, fonts, sizes, leading, indents (styles/pdf.toml,
// overridable per book).
#pragma once
#include <string>

#include "core/diagnostics.h"
#include "layout/metrics.h"
#include "model/model.h"

namespace colophon {

// Everything about the look of the PDF.
struct Style {
  double page_width = 419.53;   // points (A5)
  double page_height = 595.28;
  double margin_top = 56, margin_bottom = 64, margin_inner = 50, margin_outer = 56;
  double font_size = 10.5;      // body text, points
  double leading = 13.5;        // baseline to baseline, points
  FontSet fonts;
};

// Loads the built-in style (styles/pdf.toml), then the book's own style file and
// [output.pdf] overrides; reports bad keys and values at their line.
Style load_style(const Book& book, Diagnostics& diag);

}  // namespace colophon
