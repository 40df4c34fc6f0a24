// fill_chapter_tocs: the contents mdbook-toc writes where its marker stands (the reader
// leaves a Div of class kChapterTocClass there), made from the model: a bulleted list
// of links to the headings of the chapter that follow the marker, down to max-level,
// nested by level. Runs after assign_ids, so each link names the id its heading really
// has (book-wide unique), and before resolve_links, which checks them as any link.
#include <algorithm>

#include "passes/passes.h"
#include "passes/walk.h"

namespace colophon {

namespace {

bool is_toc(const Block& b) {
  return b.kind == BlockKind::Div && b.children.empty() && !b.raw_html &&
         std::find(b.attr.classes.begin(), b.attr.classes.end(), kChapterTocClass) !=
             b.attr.classes.end();
}

// One entry of the list: a link to heading H, its text as plain text (a link in a
// heading cannot sit inside this link).
Block entry(const Block& h) {
  Block item;
  item.kind = BlockKind::ListItem;
  item.pos = h.pos;
  Block& plain = item.children.emplace_back();
  plain.kind = BlockKind::Plain;
  plain.pos = h.pos;
  Inline& link = plain.inlines.emplace_back();
  link.kind = InlineKind::Link;
  link.pos = h.pos;
  link.url = "#" + h.attr.id;
  Inline& text = link.children.emplace_back();
  text.kind = InlineKind::Text;
  text.pos = h.pos;
  text.text = plain_text(h.inlines);
  return item;
}

Block bullet_list(SourcePos pos) {
  Block list;
  list.kind = BlockKind::BulletList;
  list.tight = true;
  list.pos = pos;
  return list;
}

// Fills TOC with HEADINGS. A heading more than one level below the one before it is
// nested one level only, as mdbook-toc does (## then #### gives a list and a sub-list).
void fill(Block& toc, const std::vector<const Block*>& headings) {
  if (headings.empty()) return;
  toc.children.push_back(bullet_list(toc.pos));
  struct Open {
    int level;
    Block* list;
  };
  std::vector<Open> open = {{headings.front()->level, &toc.children.back()}};
  int last = headings.front()->level;
  for (const Block* h : headings) {
    int level = h->level > last + 1 ? last + 1 : h->level;
    if (h->level <= last + 1) last = h->level;
    while (open.size() > 1 && level < open.back().level) open.pop_back();
    if (level > open.back().level && !open.back().list->children.empty()) {
      // Only lists deeper than this one are on the stack above it, so a list that grows
      // here moves no list the stack points to.
      Block& item = open.back().list->children.back();
      item.children.push_back(bullet_list(h->pos));
      open.push_back({level, &item.children.back()});
    }
    open.back().list->children.push_back(entry(*h));
  }
}

void drop_empty_tocs(std::vector<Block>& blocks) {
  std::erase_if(blocks, [](const Block& b) { return is_toc(b); });
  for (Block& b : blocks) drop_empty_tocs(b.children);
}

}  // namespace

void fill_chapter_tocs(Book& book) {
  if (!book.markdown.toc.enabled) return;
  const int max_level = book.markdown.toc.max_level;
  for (Chapter& chapter : book.chapters) {
    // The chapter's markers and headings, in document order.
    std::vector<Block*> tocs;
    std::vector<const Block*> headings;
    std::vector<size_t> headings_before;  // per marker: headings seen before it
    auto visit = [&](Block& b) {
      if (is_toc(b)) {
        tocs.push_back(&b);
        headings_before.push_back(headings.size());
      } else if (b.kind == BlockKind::Heading && b.level <= max_level && !b.attr.id.empty()) {
        headings.push_back(&b);
      }
    };
    for_each_block(chapter.blocks, visit);
    if (tocs.empty()) continue;
    for (size_t k = 0; k < tocs.size(); ++k)
      fill(*tocs[k], std::vector<const Block*>(headings.begin() + static_cast<std::ptrdiff_t>(
                                                                      headings_before[k]),
                                               headings.end()));
    drop_empty_tocs(chapter.blocks);  // a marker with no heading after it leaves nothing
  }
}

}  // namespace colophon
