// Walking the model for the passes: every block list, block and inline of a book.
// Each walk takes the model as it is given, changeable or const.
#pragma once
#include <string>
#include <vector>

#include "core/work.h"
#include "model/model.h"

namespace colophon {

// Calls F(Inline&) on every inline of LIST (a std::vector<Inline>, const or not) and of
// its children, in document order.
template <typename Inlines, typename F>
void for_each_inline(Inlines& list, F& f) {
  for (auto& in : list) {
    work::add();
    f(in);
    for_each_inline(in.children, f);
  }
}

// Calls F(std::vector<Inline>&) on every inline list directly held by block B (paragraph,
// heading, figure, table cells), not descending into child blocks.
template <typename B, typename F>
void for_each_own_inline_list(B& b, F& f) {
  if (!b.inlines.empty()) f(b.inlines);
  for (auto& row : b.table.rows)
    for (auto& cell : row) f(cell);
}

// Calls F(Block&) on every block of LIST (a std::vector<Block>, const or not) and of its
// children, in document order.
template <typename Blocks, typename F>
void for_each_block(Blocks& list, F& f) {
  for (auto& b : list) {
    work::add();
    f(b);
    for_each_block(b.children, f);
  }
}

// Calls F(Inline&) on every inline anywhere inside the blocks of LIST.
template <typename Blocks, typename F>
void for_each_inline_in_blocks(Blocks& list, F& f) {
  auto per_block = [&](auto& b) {
    auto per_list = [&](auto& inlines) { for_each_inline(inlines, f); };
    for_each_own_inline_list(b, per_list);
  };
  for_each_block(list, per_block);
}

}  // namespace colophon
