// Walking the model for the passes: every block list, block and inline of a book.
#pragma once
#include <string>
#include <vector>

#include "core/work.h"
#include "model/model.h"

namespace colophon {

// Calls F(Inline&) on every inline of LIST and of its children, in document order.
template <typename F>
void for_each_inline(std::vector<Inline>& list, F& f) {
  for (Inline& in : list) {
    work::add();
    f(in);
    for_each_inline(in.children, f);
  }
}

// Calls F(std::vector<Inline>&) on every inline list directly held by block B (paragraph,
// heading, figure, table cells), not descending into child blocks.
template <typename F>
void for_each_own_inline_list(Block& b, F& f) {
  if (!b.inlines.empty()) f(b.inlines);
  for (auto& row : b.table.rows)
    for (auto& cell : row) f(cell);
}

// Calls F(Block&) on every block of LIST and of its children, in document order.
template <typename F>
void for_each_block(std::vector<Block>& list, F& f) {
  for (Block& b : list) {
    work::add();
    f(b);
    for_each_block(b.children, f);
  }
}

// Calls F(Inline&) on every inline anywhere inside the blocks of LIST.
template <typename F>
void for_each_inline_in_blocks(std::vector<Block>& list, F& f) {
  auto per_block = [&](Block& b) {
    auto per_list = [&](std::vector<Inline>& inlines) { for_each_inline(inlines, f); };
    for_each_own_inline_list(b, per_list);
  };
  for_each_block(list, per_block);
}


}  // namespace colophon
