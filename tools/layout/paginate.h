// Stage "paginate": the vertical list is cut into pages, footnotes placed at the foot
// of the page that holds their reference.
#pragma once
#include <deque>
#include <vector>

#include "layout/flow.h"

namespace colophon::layout {

// One item placed on a page; y is the top of the item in the text block.
struct Placed {
  const VItem* item = nullptr;
  double y = 0;
};

// One page of the body before running heads and margins are added.
struct BodyPage {
  std::vector<Placed> body;
  std::vector<Placed> notes;  // footnote lines; y from the top of the text block
  bool blank = false;         // a verso left empty so the next chapter starts recto
  bool opening = false;       // a chapter or part starts here: no running head
  int chapter = -1;           // chapter of the first item (running head)
  double foot_top = 0;        // y of the footnote separator rule (when notes exist)
};

// Geometry and rules of pagination.
struct PageSpec {
  double height = 500;        // text block height
  double measure = 300;
  double foot_separator = 12; // space for the rule above footnotes
  bool two_sided = true;
};

// Cuts FLOW into pages; NOTE_LINES[i] are the footnote lines of note i (empty = note
// not placed at the foot). Items made for the pages (scaled figures) go to OWNED.
std::vector<BodyPage> paginate(const FlowResult& flow,
                               const std::vector<std::vector<VItem>>& note_lines,
                               const PageSpec& spec, std::deque<VItem>& owned);

}  // namespace colophon::layout
