// Stage "flow": blocks become a vertical list of lines, spaces and penalties.
#pragma once
#include <string>
#include <vector>

#include "layout/engine.h"

namespace colophon::layout {

// The vertical list of the body, with what pagination needs beside it.
struct FlowResult {
  std::vector<VItem> items;
  std::vector<PendingOutline> outline;
  std::vector<std::vector<VItem>> table_headers;  // repeated atop pages a table runs onto
};

// Moves every drawing of FROM by (DX, DY) into TO.
void append_content(Page& to, const Page& from, double dx, double dy);
// Moves every drawing of FROM by (DX, DY) into TO, taking its texts (FROM is left empty).
void append_content(Page& to, Page&& from, double dx, double dy);


// Turns chapters, parts and notes into one vertical list.
class Flow {
 public:
  explicit Flow(Context& ctx);

  // Adds the title page of part INDEX (Book::parts).
  void add_part(int index);
  // Adds chapter INDEX: a new page, its title and blocks, and its endnotes if any.
  void add_chapter(int index);
  // Adds the book's endnotes as a final "Notes" chapter (notes = "book").
  void add_book_notes();
  // Lays out note INDEX as footnote lines (for the foot of the page).
  std::vector<VItem> footnote_lines(int index);

  // Returns the result, leaving the flow empty.
  FlowResult take() { return std::move(out_); }

  // Returns the height of the text block (the page minus top and bottom margins).
  double text_height() const;
  // Returns the measure (text block width).
  double measure() const;

 private:
  void blocks(const std::vector<Block>& blocks, const Frame& frame, int depth);
  void block(const Block& b, const Frame& frame, int depth, bool& indent_next);
  void block_body(const Block& b, const Frame& frame, int depth, bool& indent_next);
  void paragraph(const std::vector<Inline>& inlines, const Frame& frame, bool indent,
                 const std::string& anchor = {});
  // Sets heading B; MADE when the layout made it (not the book's text).
  void heading(const Block& b, const Frame& frame, bool made = false);
  void list(const Block& b, const Frame& frame, int depth);
  void code(const Block& b, const Frame& frame);
  void table(const Block& b, const Frame& frame);
  void figure(const Block& b, const Frame& frame);
  void div(const Block& b, const Frame& frame, int depth, bool& indent_next);
  void admonition(const Block& b, const Frame& frame, int depth);
  void definitions(const Block& b, const Frame& frame, int depth);
  bool html_table(const Block& b, const Frame& frame);
  void plain(const Block& b, const Frame& frame);
  void anchor_from(size_t first, const std::string& id);
  void ornament(const Frame& frame);
  void notes_list(const std::vector<int>& notes, const Frame& frame);
  void note_blocks(int index, const Frame& frame, std::vector<VItem>& out, bool footnote);

  void push_lines(std::vector<VItem> lines, bool keep_together = false);
  void space(double h);
  void no_break();
  void forced_break(bool recto);
  void push_box(VItem box);
  Frame body_frame() const;

  Context& ctx_;
  FlowResult out_;
  std::vector<char> warned_assets_;
  const Block* skip_ = nullptr;         // the heading already set as the chapter title
  std::vector<const Block*> lent_ids_;  // containers whose ids the title line carries
};

}  // namespace colophon::layout
