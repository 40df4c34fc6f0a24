// join_wide_lines: a line end between two East Asian wide characters is no space.
#include <vector>

#include "core/text.h"
#include "core/utf8.h"
#include "passes/passes.h"
#include "passes/walk.h"

namespace colophon {

namespace {

// Returns the first character IN shows or, with LAST, its last one, looking into its
// children; 0 when it shows none at that end (an image, a note reference, a break).
char32_t edge_char(const Inline& in, bool last) {
  switch (in.kind) {
    case InlineKind::Text:
    case InlineKind::Code: {
      if (in.text.empty()) return 0;
      size_t i = 0;
      if (last) {
        i = in.text.size() - 1;
        while (i > 0 && (static_cast<unsigned char>(in.text[i]) & 0xC0) == 0x80) --i;
      }
      return next_code_point(in.text, i);
    }
    case InlineKind::Emph:
    case InlineKind::Strong:
    case InlineKind::Strikethrough:
    case InlineKind::Link:
    case InlineKind::Span:
      if (in.children.empty()) return 0;
      return edge_char(last ? in.children.back() : in.children.front(), last);
    default:
      return 0;
  }
}

// Removes from LIST, and from the lists inside it, each soft break between two wide
// characters.
void join_list(std::vector<Inline>& list) {
  for (Inline& in : list) join_list(in.children);
  std::vector<bool> drop(list.size(), false);
  bool any = false;
  for (size_t i = 1; i + 1 < list.size(); ++i)
    if (list[i].kind == InlineKind::SoftBreak &&
        line_end_joins(edge_char(list[i - 1], true), edge_char(list[i + 1], false)))
      drop[i] = any = true;
  if (!any) return;
  std::vector<Inline> kept;
  kept.reserve(list.size());
  for (size_t i = 0; i < list.size(); ++i)
    if (!drop[i]) kept.push_back(std::move(list[i]));
  list = std::move(kept);
}

}  // namespace

void join_wide_lines(Book& book) {
  auto per_list = [](std::vector<Inline>& list) { join_list(list); };
  auto per_block = [&](Block& b) { for_each_own_inline_list(b, per_list); };
  for (Chapter& ch : book.chapters) for_each_block(ch.blocks, per_block);
  for (Note& n : book.notes) for_each_block(n.blocks, per_block);
}

}  // namespace colophon
