// What the layout engine produces and the PDF writer draws: pages of positioned items.
// Coordinates are in PostScript points, origin at the page's top-left corner, y down.
#pragma once
#include <string>
#include <vector>

#include "core/diagnostics.h"
#include "layout/metrics.h"

namespace colophon {

// A run of text on one baseline in one face; (x, y) is the left end of the baseline.
struct TextRun {
  double x = 0, y = 0;
  FaceId face;
  double size = 10;   // points
  std::string text;   // UTF-8, in reading order
  bool rtl = false;   // set right to left (Hebrew, Arabic): x is the left end all the same
  bool spaced = true;  // a gap before it on its line is a word space (not one between two
                       // Chinese characters), which text extraction should see
};

// A filled rectangle (rules, strike-through lines, table rules); (x, y) is its top-left.
struct Rule {
  double x = 0, y = 0, width = 0, height = 0;
};

// An image scaled into a box; (x, y) is its top-left.
struct ImageBox {
  double x = 0, y = 0, width = 0, height = 0;
  int asset = -1;  // index into Book::assets
  std::string file;  // where the image is referenced, for messages ("book/src/a.md")
  SourcePos pos;     // and at which line:col
};

// A clickable area: either an external URI or a named destination in this document.
struct LinkArea {
  double x = 0, y = 0, width = 0, height = 0;
  std::string uri;   // external link (as written; the writer percent-encodes)
  std::string dest;  // internal link: name of an Anchor
};

// A named place that links and outline entries jump to.
struct Anchor {
  std::string name;  // "<chapter id>" or "<chapter id>#<element id>"
  double y = 0;      // top of the target on the page
};

// One laid-out page.
struct Page {
  std::string label;  // the folio as printed ("vii", "12"); may be empty
  // The first byte of the page's first word in the book's text (an Inline's or a code
  // block's text in the model), or null when the page holds none (title, contents,
  // blank pages): what the EPUB's page list marks (PageStart).
  const char* origin = nullptr;
  std::vector<TextRun> texts;
  std::vector<Rule> rules;
  std::vector<ImageBox> images;
  std::vector<LinkArea> links;
  std::vector<Anchor> anchors;
};

// One bookmark.
struct OutlineEntry {
  std::string title;
  int level = 0;  // 0 = part or chapter, 1 = section ...
  int page = 0;   // index into Document::pages
  double y = 0;
};

// Page numbering style from a page on, as shown by PDF viewers.
struct PageLabelRange {
  enum class Style { Decimal, LowerRoman, None };
  int first_page = 0;  // index into Document::pages
  Style style = Style::Decimal;
  int start = 1;       // number of first_page
};

// The whole laid-out book.
struct Document {
  double width = 420, height = 595;  // page size in points
  std::vector<Page> pages;
  std::vector<OutlineEntry> outline;
  std::vector<PageLabelRange> labels;
};

}  // namespace colophon
