// The layout engine: model + style + font metrics -> pages of positioned boxes.
#pragma once
#include <string>

#include "core/diagnostics.h"
#include "layout/metrics.h"
#include "layout/pages.h"
#include "layout/style.h"
#include "model/model.h"

namespace colophon {

// Lays out BOOK in STYLE, measuring text with METRICS. Reports characters no face has,
// over-long words and the like to DIAG.
Document layout_book(const Book& book, const Style& style, const FontMetrics& metrics,
                     Diagnostics& diag);

// Prints DOCUMENT as text, positions rounded (for `colophon dump --pages` and tests).
std::string dump_document(const Document& document);

}  // namespace colophon
