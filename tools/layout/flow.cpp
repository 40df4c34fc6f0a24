// Stage "flow": chapters and their blocks become one vertical list of line boxes,
// glue and penalties, with the keep rules (widows, orphans, headings with what follows)
// written as infinite penalties.
#include "layout/flow.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "core/utf8.h"

namespace colophon::layout {

namespace {

constexpr double kChapterSinkRatio = 0.18;   // of the text height: space above a chapter title
constexpr double kPartSinkRatio = 0.33;      // of the text height: space above a part title
constexpr double kQuoteIndentEm = 1.5;       // block quote indent on both sides, body ems
constexpr double kListIndentEm = 1.6;        // bullet list hanging indent, body ems
constexpr double kLabelGapEm = 0.5;          // gap between a list label and its text
constexpr double kCodeIndentEm = 1.0;        // code block indent, body ems
// The narrowest measure nesting steps in to, body ems: a quote or list that would leave
// less is set at its parent's measure, so a book nested 200 levels deep still keeps its
// text on the page and readable (a list hangs its labels into the parent's indent).
constexpr double kMinNestedMeasureEm = 10.0;
// Columns between tab stops in code blocks: 8, as terminals print program output and as
// the EPUB's readers show it (CSS tab-size is 8), so objdump's columns line up.
constexpr int kCodeTabWidth = 8;
constexpr double kHeadingLeadingRatio = 1.25;  // heading baseline to baseline / size
constexpr double kTableGutterEm = 1.0;       // space between table columns, table ems
constexpr int kMaxHtmlColspan = 100;       // columns a raw HTML cell may span (HTML: 1000; a
                                           // page shows far fewer, and each costs a column)
constexpr int kMaxHtmlRowspan = 65534;     // rows a raw HTML cell may span (HTML's own limit)
constexpr double kTableMinColumnEm = 3.0;    // narrowest table column, table ems
constexpr double kHeavyRule = 0.8;           // points: booktabs top and bottom rules
constexpr double kLightRule = 0.5;           // points: booktabs rule under the header
constexpr double kRuleGap = 3.0;             // points between a table rule and the text
constexpr double kMaxFigureHeightRatio = 0.75;  // of the text height, before captions
constexpr double kAdmonitionRule = 0.6;         // points: the rules above and below an admonition
constexpr double kAdmonitionInsetEm = 1.0;      // admonition text inset on both sides, body ems
constexpr double kDefinitionIndentEm = 1.6;     // a definition's indent under its term, body ems

// Tells whether block B shows no text: an empty container or anchor (`<a id="x"></a>`,
// `<div id="x"></div>`); appends the ids it carries to IDS.
bool shows_nothing(const Block& b, std::vector<std::string>& ids) {
  std::vector<std::string> found;
  auto spans = [&](const std::vector<Inline>& list, auto& self) -> bool {
    for (const Inline& in : list) {
      if (in.kind != InlineKind::Span && in.kind != InlineKind::SoftBreak) return false;
      if (!in.attr.id.empty()) found.push_back(in.attr.id);
      if (!self(in.children, self)) return false;
    }
    return true;
  };
  bool empty = (b.kind == BlockKind::Plain && spans(b.inlines, spans)) ||
               (b.kind == BlockKind::Div && b.children.empty());
  if (!empty) return false;
  if (!b.attr.id.empty()) ids.push_back(b.attr.id);
  ids.insert(ids.end(), found.begin(), found.end());
  return true;
}

// Appends the ids authors gave inline elements of INLINES (raw <span id>, <a id>) to IDS.
void inline_ids(const std::vector<Inline>& inlines, std::vector<std::string>& ids) {
  for (const Inline& in : inlines) {
    if (!in.attr.id.empty()) ids.push_back(in.attr.id);
    if (!in.children.empty()) inline_ids(in.children, ids);
  }
}

// Tells whether a Plain block holds one image and nothing else but white space (a raw
// <img> on a line of its own), to be set as a figure.
const Inline* lone_image(const Block& b) {
  const Inline* image = nullptr;
  for (const Inline& in : b.inlines) {
    if (in.kind == InlineKind::Image && image == nullptr) {
      image = &in;
    } else if (in.kind == InlineKind::SoftBreak || in.kind == InlineKind::LineBreak ||
               (in.kind == InlineKind::Text &&
                in.text.find_first_not_of(" \t\n\r") == std::string::npos)) {
      continue;
    } else {
      return nullptr;
    }
  }
  return image;
}

}  // namespace

// Moves every drawing of FROM by (DX, DY) into TO.
void append_content(Page& to, const Page& from, double dx, double dy) {
  for (TextRun t : from.texts) {
    t.x += dx;
    t.y += dy;
    to.texts.push_back(std::move(t));
  }
  for (Rule r : from.rules) {
    r.x += dx;
    r.y += dy;
    to.rules.push_back(r);
  }
  for (ImageBox im : from.images) {
    im.x += dx;
    im.y += dy;
    to.images.push_back(im);
  }
  for (LinkArea l : from.links) {
    l.x += dx;
    l.y += dy;
    to.links.push_back(std::move(l));
  }
  for (Anchor a : from.anchors) {
    a.y += dy;
    to.anchors.push_back(std::move(a));
  }
}

void append_content(Page& to, Page&& from, double dx, double dy) {
  for (TextRun& t : from.texts) {
    t.x += dx;
    t.y += dy;
    to.texts.push_back(std::move(t));
  }
  for (LinkArea& l : from.links) {
    l.x += dx;
    l.y += dy;
    to.links.push_back(std::move(l));
  }
  for (Anchor& a : from.anchors) {
    a.y += dy;
    to.anchors.push_back(std::move(a));
  }
  // Released now, not when the item dies (assigning {} would keep the capacity).
  std::vector<TextRun>().swap(from.texts);
  std::vector<LinkArea>().swap(from.links);
  std::vector<Anchor>().swap(from.anchors);
  Page rest;  // rules and images: plain values
  rest.rules = std::move(from.rules);
  rest.images = std::move(from.images);
  append_content(to, rest, dx, dy);
}

Flow::Flow(Context& ctx) : ctx_(ctx) { warned_assets_.assign(ctx.book.assets.size(), 0); }

double Flow::text_height() const {
  return ctx_.style.page_height - ctx_.style.margin_top - ctx_.style.margin_bottom;
}

double Flow::measure() const {
  return ctx_.style.page_width - ctx_.style.margin_inner - ctx_.style.margin_outer;
}

Frame Flow::body_frame() const {
  Frame f;
  f.measure = measure();
  f.size = ctx_.style.font_size;
  f.leading = ctx_.style.leading;
  f.justify = ctx_.style.justify ? Justify::Full : Justify::Left;
  f.hyphenate = ctx_.style.hyphenate;
  // An image in the text is no taller than a figure: a line is never taller than a page.
  f.image_limit = text_height() * kMaxFigureHeightRatio;
  return f;
}

void Flow::push_box(VItem box) {
  box.kind = VItem::Kind::Box;
  box.chapter = ctx_.chapter;
  out_.items.push_back(std::move(box));
}

void Flow::space(double h) {
  VItem g;
  g.kind = VItem::Kind::Glue;
  g.height = h;
  g.chapter = ctx_.chapter;
  out_.items.push_back(std::move(g));
}

void Flow::no_break() {
  VItem p;
  p.kind = VItem::Kind::Penalty;
  p.penalty = kInfPenalty;
  p.chapter = ctx_.chapter;
  out_.items.push_back(std::move(p));
}

void Flow::forced_break(bool recto) {
  VItem p;
  p.kind = VItem::Kind::Penalty;
  p.penalty = -kInfPenalty;
  p.recto = recto && ctx_.style.two_sided && ctx_.style.chapter_recto;
  p.chapter = ctx_.chapter;
  out_.items.push_back(std::move(p));
}

void Flow::push_lines(std::vector<VItem> lines, bool keep_together) {
  const int n = static_cast<int>(lines.size());
  bool after_hyphen = false;  // the line before ends with a hyphen
  for (int i = 0; i < n; ++i) {
    if (i > 0) {
      // A break after line i leaves i lines behind and n - i lines ahead. No page ends
      // on a hyphen: the reader would turn the page in the middle of a word (TeX only
      // discourages it, with \brokenpenalty; at most two hyphenated lines in a row keep
      // a break within reach).
      bool forbidden = keep_together || i < ctx_.style.orphans || n - i < ctx_.style.widows ||
                       after_hyphen;
      VItem p;
      p.kind = VItem::Kind::Penalty;
      p.penalty = forbidden ? kInfPenalty : 0;
      p.chapter = ctx_.chapter;
      out_.items.push_back(std::move(p));
    }
    after_hyphen = lines[i].hyphenated;
    push_box(std::move(lines[i]));
  }
}

void Flow::add_part(int index) {
  ctx_.chapter = -1;
  forced_break(true);
  VItem open;
  open.opening = true;
  open.height = text_height() * kPartSinkRatio;
  open.outline.push_back(static_cast<int>(out_.outline.size()));
  out_.outline.push_back(PendingOutline{ctx_.book.parts[index], 0});
  push_box(std::move(open));
  Frame f = body_frame();
  f.size = ctx_.style.heading_sizes[0] * 1.2;
  f.leading = f.size * kHeadingLeadingRatio;
  f.justify = Justify::Center;
  f.hyphenate = false;
  std::vector<Inline> title(1);
  title[0].text = ctx_.book.parts[index];
  Paragraph p = collect_inlines(ctx_, title, f, false);
  push_lines(set_paragraph(ctx_, p, f), true);
}

void Flow::add_chapter(int index) {
  const Chapter& ch = ctx_.book.chapters[index];
  ctx_.chapter = index;
  ctx_.file = ctx_.book.display(ch.source);
  forced_break(ch.depth == 0);
  VItem open;
  open.opening = true;
  open.toc_chapter = index;
  open.height = text_height() * kChapterSinkRatio;
  open.content.anchors.push_back(Anchor{ch.id, 0});
  int level = (ch.part >= 0 ? 1 : 0) + ch.depth;
  open.outline.push_back(static_cast<int>(out_.outline.size()));
  out_.outline.push_back(PendingOutline{ch.title, level});
  push_box(std::move(open));
  no_break();

  // The chapter title: its first level-1 heading, or the title from SUMMARY.md.
  size_t first = 0;
  Frame title = body_frame();
  title.size = ctx_.style.heading_sizes[0];
  title.leading = title.size * kHeadingLeadingRatio;
  title.justify = Justify::Left;
  title.hyphenate = false;
  title.style = FaceStyle::Bold;
  std::vector<Inline> synthesized;
  const std::vector<Inline>* inlines = &synthesized;
  std::string anchor;
  // Blocks with no text before the first heading (an anchor <a id>), and section-like
  // containers the heading opens (<div id="x" class="section"> around a chapter), only
  // lend their ids to the title.
  std::vector<std::string> lead_ids;
  std::vector<const Block*> lenders;
  const std::vector<Block>* level_blocks = &ch.blocks;
  const Block* head_block = nullptr;
  size_t head = 0;
  while (true) {
    head = 0;
    while (head < level_blocks->size() && shows_nothing((*level_blocks)[head], lead_ids)) ++head;
    if (head < level_blocks->size() && is_section_like((*level_blocks)[head])) {
      const Block& d = (*level_blocks)[head];
      if (!d.attr.id.empty()) lead_ids.push_back(d.attr.id);
      lenders.push_back(&d);
      level_blocks = &d.children;
      continue;
    }
    if (head < level_blocks->size()) head_block = &(*level_blocks)[head];
    break;
  }
  // A first heading of any level that repeats the chapter's title is the title.
  bool first_is_title = head_block != nullptr && head_block->kind == BlockKind::Heading &&
                        (head_block->level == 1 || plain_text(head_block->inlines) == ch.title);
  skip_ = nullptr;
  lent_ids_.clear();
  if (first_is_title) {
    inlines = &head_block->inlines;
    if (!head_block->attr.id.empty()) anchor = ch.id + "#" + head_block->attr.id;
    skip_ = head_block;
    lent_ids_ = lenders;
    if (level_blocks == &ch.blocks) first = head + 1;
  } else {
    lead_ids.clear();
    synthesized.resize(1);
    synthesized[0].text = ch.title;
  }
  Paragraph p = collect_inlines(ctx_, *inlines, title, inlines != &synthesized);
  std::vector<VItem> lines = set_paragraph(ctx_, p, title);
  if (!lines.empty() && !anchor.empty()) lines[0].content.anchors.push_back(Anchor{anchor, 0});
  for (const std::string& id : lead_ids)
    if (!lines.empty()) lines[0].content.anchors.push_back(Anchor{ch.id + "#" + id, 0});
  push_lines(std::move(lines), true);
  no_break();
  space(2 * ctx_.style.leading);

  Frame f = body_frame();
  bool indent = false;
  for (size_t i = first; i < ch.blocks.size(); ++i) block(ch.blocks[i], f, 0, indent);
  skip_ = nullptr;
  lent_ids_.clear();

  if (ctx_.book.note_options.pdf_placement == NoteOptions::Placement::Chapter && !ch.notes.empty()) {
    Block h;
    h.kind = BlockKind::Heading;
    h.level = 2;
    std::vector<Inline> t(1);
    t[0].text = "Notes";
    h.inlines = t;
    heading(h, f);
    notes_list(ch.notes, f);
  }
}

void Flow::add_book_notes() {
  std::vector<int> any;
  for (const Chapter& ch : ctx_.book.chapters)
    if (!ch.notes.empty()) any.push_back(1);
  if (any.empty()) return;
  ctx_.chapter = -1;
  ctx_.file = ctx_.book.config_display();
  forced_break(true);
  VItem open;
  open.opening = true;
  open.height = text_height() * kChapterSinkRatio;
  open.content.anchors.push_back(Anchor{"notes", 0});
  open.outline.push_back(static_cast<int>(out_.outline.size()));
  out_.outline.push_back(PendingOutline{"Notes", 0});
  push_box(std::move(open));
  no_break();
  Frame title = body_frame();
  title.size = ctx_.style.heading_sizes[0];
  title.leading = title.size * kHeadingLeadingRatio;
  title.justify = Justify::Left;
  title.style = FaceStyle::Bold;
  title.hyphenate = false;
  std::vector<Inline> t(1);
  t[0].text = "Notes";
  Paragraph p = collect_inlines(ctx_, t, title, false);
  push_lines(set_paragraph(ctx_, p, title), true);
  no_break();
  space(2 * ctx_.style.leading);
  Frame f = body_frame();
  for (size_t c = 0; c < ctx_.book.chapters.size(); ++c) {
    const Chapter& ch = ctx_.book.chapters[c];
    if (ch.notes.empty()) continue;
    Block h;
    h.kind = BlockKind::Heading;
    h.level = 3;
    std::vector<Inline> ht(1);
    ht[0].text = ch.title;
    h.inlines = ht;
    heading(h, f, true);
    notes_list(ch.notes, f);
  }
}

void Flow::notes_list(const std::vector<int>& notes, const Frame& frame) {
  Frame f = frame;
  f.size = ctx_.style.footnote_size;
  f.leading = ctx_.style.footnote_leading;
  for (int n : notes) {
    std::vector<VItem> lines;
    note_blocks(n, f, lines, false);
    space(ctx_.style.footnote_leading * 0.3);
    push_lines(std::move(lines));
  }
}

std::vector<VItem> Flow::footnote_lines(int index) {
  Frame f = body_frame();
  f.size = ctx_.style.footnote_size;
  f.leading = ctx_.style.footnote_leading;
  // The foot of a page takes a note's lines as they are (a line too tall for what is
  // left still goes in), so an image in a footnote is scaled to the line's own height
  // above the baseline rather than making a taller line.
  f.image_limit = 0;
  std::vector<VItem> lines;
  int saved = ctx_.chapter;
  std::string saved_file = ctx_.file;
  const Note& n = ctx_.book.notes[index];
  if (n.chapter >= 0 && n.chapter < static_cast<int>(ctx_.book.chapters.size()))
    ctx_.file = ctx_.book.display(ctx_.book.chapters[n.chapter].source);
  note_blocks(index, f, lines, true);
  ctx_.chapter = saved;
  ctx_.file = saved_file;
  return lines;
}

// Lays out the blocks of note INDEX with its number hanging in the margin of FRAME.
void Flow::note_blocks(int index, const Frame& frame, std::vector<VItem>& out, bool footnote) {
  const Note& note = ctx_.book.notes[index];
  std::string label = std::to_string(note.number) + ".";
  FaceId face{FaceFamily::Text, FaceStyle::Regular};
  double label_w = text_width(ctx_, face, frame.size, footnote ? "000." : "000.");
  double gap = kLabelGapEm * frame.size;
  Frame f = frame;
  f.left = frame.left + label_w + gap;
  f.measure = frame.measure - label_w - gap;
  f.indent = 0;
  size_t first = out.size();
  // Paragraphs of the note in order; other blocks are set through a nested flow.
  for (const Block& b : note.blocks) {
    if (b.kind == BlockKind::Paragraph) {
      Paragraph p = collect_inlines(ctx_, b.inlines, f);
      std::vector<VItem> lines = set_paragraph(ctx_, p, f);
      for (VItem& l : lines) out.push_back(std::move(l));
    } else {
      FlowResult saved = std::move(out_);
      out_ = FlowResult{};
      bool indent = false;
      block(b, f, 1, indent);
      for (VItem& it : out_.items)
        if (it.kind == VItem::Kind::Box) out.push_back(std::move(it));
      out_ = std::move(saved);
    }
  }
  if (out.size() == first) {
    VItem empty;
    empty.height = f.leading;
    out.push_back(std::move(empty));
  }
  VItem& head = out[first];
  double lw = text_width(ctx_, face, frame.size, label);
  double base = baseline_in(ctx_, head.height, frame.size);
  draw_text(ctx_, head.content, f.left - gap - lw, base, face, frame.size, label);
  head.content.anchors.push_back(Anchor{note_anchor(ctx_.book, index), 0});
  LinkArea back;
  back.x = f.left - gap - lw;
  back.width = lw;
  back.height = head.height;
  back.dest = note_ref_anchor(ctx_.book, index);
  head.content.links.push_back(std::move(back));
  for (size_t i = first; i < out.size(); ++i) out[i].chapter = ctx_.chapter;
}

void Flow::blocks(const std::vector<Block>& list, const Frame& frame, int depth) {
  bool indent = false;
  for (const Block& b : list) block(b, frame, depth, indent);
}

void Flow::paragraph(const std::vector<Inline>& inlines, const Frame& frame, bool indent,
                     const std::string& anchor) {
  Frame f = frame;
  f.indent = indent ? ctx_.style.paragraph_indent * frame.size / ctx_.style.font_size : 0;
  Paragraph p = collect_inlines(ctx_, inlines, f);
  std::vector<VItem> lines = set_paragraph(ctx_, p, f);
  if (!lines.empty() && !anchor.empty()) lines[0].content.anchors.push_back(Anchor{anchor, 0});
  if (!lines.empty() && ctx_.chapter >= 0) {  // ids inside the text: the paragraph's first line
    std::vector<std::string> ids;
    inline_ids(inlines, ids);
    for (const std::string& id : ids)
      lines[0].content.anchors.push_back(Anchor{ctx_.book.chapters[ctx_.chapter].id + "#" + id, 0});
  }
  if (!out_.items.empty() && out_.items.back().kind == VItem::Kind::Box) space(0);
  push_lines(std::move(lines));
}

void Flow::block(const Block& b, const Frame& outer, int depth, bool& indent_next) {
  if (&b == skip_) return;  // set as the chapter title
  // A lang attribute (a raw HTML element around a passage or a whole chapter, a
  // heading's attribute block) gives the text inside its language's hyphenation; a dir
  // attribute ("ltr" or "rtl"; "auto" is each paragraph's own) its paragraphs' direction.
  Frame marked;
  const std::string* lang = language_attribute(b.attr);
  const std::string* dir = b.attr.find("dir");
  const char* direction = dir == nullptr    ? nullptr
                          : *dir == "rtl"    ? "rtl"
                          : *dir == "ltr"    ? "ltr"
                          : *dir == "auto"   ? ""
                                             : nullptr;
  const bool marks = lang != nullptr || direction != nullptr;
  if (marks) {
    marked = outer;
    if (lang != nullptr) marked.language = ctx_.language_id(*lang);
    if (direction != nullptr) marked.direction = direction;
  }
  const Frame& frame = marks ? marked : outer;
  const size_t first_item = out_.items.size();
  const bool lent = std::find(lent_ids_.begin(), lent_ids_.end(), &b) != lent_ids_.end();
  if (b.kind != BlockKind::Heading && !b.attr.id.empty() && !lent) {
    // Whatever the block becomes, its first box carries its id (a link target).
    bool indent = indent_next;
    block_body(b, frame, depth, indent);
    indent_next = indent;
    anchor_from(first_item, b.attr.id);
    return;
  }
  block_body(b, frame, depth, indent_next);
}

void Flow::block_body(const Block& b, const Frame& frame, int depth, bool& indent_next) {
  const double lead = frame.leading;
  switch (b.kind) {
    case BlockKind::Paragraph:
      if (b.inlines.size() == 1 && b.inlines[0].kind == InlineKind::Span &&
          b.inlines[0].attr.has_class("math-display")) {  // TeX on a line of its own
        Frame f = frame;
        f.justify = Justify::Center;
        f.hyphenate = false;
        paragraph(b.inlines, f, false);
        indent_next = false;
        return;
      }
      paragraph(b.inlines, frame, indent_next && frame.justify == Justify::Full);
      indent_next = true;
      return;
    case BlockKind::Heading:
      heading(b, frame);
      indent_next = false;
      return;
    case BlockKind::BlockQuote: {
      Frame f = frame;
      double in = kQuoteIndentEm * ctx_.style.font_size;
      if (frame.measure - 2 * in >= kMinNestedMeasureEm * ctx_.style.font_size) {
        f.left += in;
        f.measure -= 2 * in;
      }
      if (!frame.quoted) {  // a quote in a quote is set at the same size, not smaller again
        f.size = frame.size * ctx_.style.quote_size / ctx_.style.font_size;
        f.leading = frame.leading * ctx_.style.quote_size / ctx_.style.font_size;
        f.quoted = true;
      }
      space(lead * 0.5);
      blocks(b.children, f, depth + 1);
      space(lead * 0.5);
      indent_next = false;
      return;
    }
    case BlockKind::BulletList:
    case BlockKind::OrderedList:
      space(lead * 0.3);
      list(b, frame, depth);
      space(lead * 0.3);
      indent_next = false;
      return;
    case BlockKind::ListItem:
      blocks(b.children, frame, depth);
      indent_next = false;
      return;
    case BlockKind::CodeBlock:
      space(lead * 0.5);
      code(b, frame);
      space(lead * 0.5);
      indent_next = false;
      return;
    case BlockKind::ThematicBreak:
      ornament(frame);
      indent_next = false;
      return;
    case BlockKind::Table:
      space(lead * 0.5);
      table(b, frame);
      space(lead * 0.5);
      indent_next = false;
      return;
    case BlockKind::Figure:
      space(lead * 0.5);
      figure(b, frame);
      space(lead * 0.5);
      indent_next = false;
      return;
    case BlockKind::Div:
      div(b, frame, depth, indent_next);
      return;
    case BlockKind::Plain:
      plain(b, frame);
      indent_next = true;
      return;
  }
}

// Puts the anchor of element ID on the first box laid out since item FIRST, or on an
// empty box when there is none (an empty <div id>).
void Flow::anchor_from(size_t first, const std::string& id) {
  if (ctx_.chapter < 0 || id.empty()) return;
  Anchor a{ctx_.book.chapters[ctx_.chapter].id + "#" + id, 0};
  for (size_t i = first; i < out_.items.size(); ++i) {
    if (out_.items[i].kind != VItem::Kind::Box) continue;
    out_.items[i].content.anchors.push_back(std::move(a));
    return;
  }
  VItem mark;
  mark.content.anchors.push_back(std::move(a));
  push_box(std::move(mark));
}

void Flow::plain(const Block& b, const Frame& frame) {
  if (const Inline* image = lone_image(b)) {
    Block fig;
    fig.kind = BlockKind::Figure;
    fig.pos = b.pos;
    fig.inlines.push_back(*image);
    fig.inlines.back().children.clear();  // alt text, not a caption
    space(frame.leading * 0.5);
    figure(fig, frame);
    space(frame.leading * 0.5);
    return;
  }
  paragraph(b.inlines, frame, false);
}

void Flow::div(const Block& b, const Frame& frame, int depth, bool& indent_next) {
  const std::string& e = b.element;
  const double lead = frame.leading;
  if (e == "aside" && b.attr.has_class("admonition")) {
    admonition(b, frame, depth);
    indent_next = false;
    return;
  }
  if (e == "dl") {
    space(lead * 0.3);
    definitions(b, frame, depth);
    space(lead * 0.3);
    indent_next = false;
    return;
  }
  if (e == "table") {
    space(lead * 0.5);
    if (!html_table(b, frame)) blocks(b.children, frame, depth + 1);
    space(lead * 0.5);
    indent_next = false;
    return;
  }
  if (e == "summary" || e == "dt" || e == "caption") {  // a label: bold, kept with what follows
    Frame f = frame;
    f.style = FaceStyle::Bold;
    f.justify = Justify::Left;
    blocks(b.children, f, depth + 1);
    no_break();
    indent_next = false;
    return;
  }
  if (e == "figcaption") {
    Frame f = frame;
    f.size = ctx_.style.quote_size * frame.size / ctx_.style.font_size;
    f.leading = frame.leading * ctx_.style.quote_size / ctx_.style.font_size;
    f.justify = Justify::Center;
    f.style = FaceStyle::Italic;
    blocks(b.children, f, depth + 1);
    indent_next = false;
    return;
  }
  if (e == "figure" || e == "details" || e == "aside" || e == "dd") {  // set apart
    space(lead * 0.5);
    blocks(b.children, frame, depth + 1);
    space(lead * 0.5);
    indent_next = false;
    return;
  }
  // Any other container (div, section, a custom element) is its content.
  for (const Block& c : b.children) block(c, frame, depth, indent_next);
}

// Sets an admonition between two thin rules: its label (the first paragraph, class
// admonition-title) in bold, kept with the first line of the text, inset on both sides.
void Flow::admonition(const Block& b, const Frame& frame, int depth) {
  Frame f = frame;
  double in = kAdmonitionInsetEm * ctx_.style.font_size;
  if (frame.measure - 2 * in >= kMinNestedMeasureEm * ctx_.style.font_size) {
    f.left += in;
    f.measure -= 2 * in;
  }
  f.size = frame.size * ctx_.style.quote_size / ctx_.style.font_size;
  f.leading = frame.leading * ctx_.style.quote_size / ctx_.style.font_size;
  auto rule = [&](bool above) {
    VItem r;
    r.height = kAdmonitionRule + kRuleGap;
    r.content.rules.push_back(
        Rule{frame.left, above ? 0 : kRuleGap, frame.measure, kAdmonitionRule});
    return r;
  };
  space(frame.leading * 0.5);
  push_box(rule(true));
  no_break();
  bool indent = false;
  for (const Block& c : b.children) {
    if (c.kind == BlockKind::Paragraph && c.attr.has_class("admonition-title")) {
      Frame t = f;
      t.style = FaceStyle::Bold;
      t.justify = Justify::Left;
      Paragraph p = collect_inlines(ctx_, c.inlines, t);
      push_lines(set_paragraph(ctx_, p, t), true);
      no_break();
      continue;
    }
    block(c, f, depth + 1, indent);
  }
  no_break();
  push_box(rule(false));
  space(frame.leading * 0.5);
}

// Sets a definition list: each term in bold on a line of its own, kept with its
// definitions, which hang below it indented.
void Flow::definitions(const Block& b, const Frame& frame, int depth) {
  Frame dd = frame;
  double in = kDefinitionIndentEm * ctx_.style.font_size;
  if (frame.measure - in >= kMinNestedMeasureEm * ctx_.style.font_size) {
    dd.left += in;
    dd.measure -= in;
  }
  Frame dt = frame;
  dt.style = FaceStyle::Bold;
  dt.justify = Justify::Left;
  bool first = true;
  for (const Block& c : b.children) {
    bool term = c.kind == BlockKind::Div && c.element == "dt";
    if (!first) space(term ? frame.leading * 0.4 : frame.leading * 0.2);
    first = false;
    size_t at = out_.items.size();
    bool indent = false;
    if (term) {
      for (const Block& k : c.children) block(k, dt, depth + 1, indent);
      no_break();
    } else if (c.kind == BlockKind::Div && c.element == "dd") {
      for (const Block& k : c.children) block(k, dd, depth + 1, indent);
    } else {
      block(c, frame, depth + 1, indent);
    }
    if (c.kind == BlockKind::Div) anchor_from(at, c.attr.id);
  }
}

// Sets a table written in raw HTML (<table><tr><td>) as a Markdown table when every cell
// holds only text; returns false (nothing laid out) when it does not. A cell that spans
// columns or rows (colspan, rowspan) keeps the places it covers empty, so that every
// other cell stands in its own column; its text is set in its first place.
bool Flow::html_table(const Block& b, const Frame& frame) {
  Block t;
  t.kind = BlockKind::Table;
  t.pos = b.pos;
  t.table.header_rows = 0;
  bool in_body = false;
  bool ok = true;
  std::vector<int> covered;  // per column: rows below still taken by a rowspan above
  auto span_of = [](const Block& cell, std::string_view name, int most) {
    const std::string* v = cell.attr.find(name);
    int n = v != nullptr ? std::atoi(v->c_str()) : 1;
    return std::clamp(n, 1, most);  // rowspan="0" (to the section's end) counts as 1
  };
  auto add_row = [&](const Block& tr, bool head) {
    std::vector<std::vector<Inline>> row;
    bool all_th = true;
    auto skip_covered = [&]() {
      while (row.size() < covered.size() && covered[row.size()] > 0) {
        --covered[row.size()];
        row.emplace_back();
      }
    };
    for (const Block& cell : tr.children) {
      if (cell.kind != BlockKind::Div || (cell.element != "td" && cell.element != "th")) {
        ok = ok && cell.kind == BlockKind::Plain && lone_image(cell) == nullptr &&
             plain_text(cell.inlines).find_first_not_of(" \t\n") == std::string::npos;
        continue;
      }
      all_th = all_th && cell.element == "th";
      std::vector<Inline> inlines;
      for (const Block& k : cell.children) {
        if (k.kind != BlockKind::Plain && k.kind != BlockKind::Paragraph) ok = false;
        if (!inlines.empty()) {
          Inline br;
          br.kind = InlineKind::LineBreak;
          br.pos = k.pos;
          inlines.push_back(br);
        }
        inlines.insert(inlines.end(), k.inlines.begin(), k.inlines.end());
      }
      skip_covered();
      int columns = span_of(cell, "colspan", kMaxHtmlColspan);
      int rows = span_of(cell, "rowspan", kMaxHtmlRowspan);
      for (int k = 0; k < columns; ++k) {
        if (row.size() >= covered.size()) covered.resize(row.size() + 1, 0);
        covered[row.size()] = rows - 1;
        row.push_back(k == 0 ? std::move(inlines) : std::vector<Inline>{});
      }
    }
    for (size_t c = row.size(); c < covered.size(); ++c)  // taken at the row's end
      if (covered[c] > 0) --covered[c];
    if ((head || (all_th && !in_body)) &&
        t.table.header_rows == static_cast<int>(t.table.rows.size()))
      ++t.table.header_rows;
    else
      in_body = true;
    t.table.rows.push_back(std::move(row));
  };
  for (const Block& c : b.children) {
    if (c.kind == BlockKind::Div && c.element == "tr") {
      add_row(c, false);
    } else if (c.kind == BlockKind::Div &&
               (c.element == "thead" || c.element == "tbody" || c.element == "tfoot")) {
      for (const Block& r : c.children)
        if (r.kind == BlockKind::Div && r.element == "tr") add_row(r, c.element == "thead");
    } else if (!(c.kind == BlockKind::Div && (c.element == "caption" || c.element == "colgroup")) &&
               !(c.kind == BlockKind::Plain &&
                 plain_text(c.inlines).find_first_not_of(" \t\n") == std::string::npos)) {
      ok = false;
    }
  }
  if (!ok || t.table.rows.empty()) return false;
  size_t cols = 0;
  for (const auto& row : t.table.rows) cols = std::max(cols, row.size());
  for (auto& row : t.table.rows) row.resize(cols);
  t.table.align.assign(cols, Align::None);
  for (const Block& c : b.children)
    if (c.kind == BlockKind::Div && c.element == "caption") {
      bool indent = false;
      block(c, frame, 1, indent);
    }
  table(t, frame);
  return true;
}

void Flow::heading(const Block& b, const Frame& frame, bool made) {
  int level = std::clamp(b.level, 1, 6);
  Frame f = frame;
  f.size = ctx_.style.heading_sizes[level - 1] * frame.size / ctx_.style.font_size;
  f.leading = std::max(frame.leading, f.size * kHeadingLeadingRatio);
  f.justify = Justify::Left;
  f.hyphenate = false;
  f.indent = 0;
  f.style = level <= 3 ? FaceStyle::Bold : FaceStyle::BoldItalic;
  double before = level <= 2 ? 1.5 * frame.leading : frame.leading;
  space(before);
  Paragraph p = collect_inlines(ctx_, b.inlines, f, !made);
  std::vector<VItem> lines = set_paragraph(ctx_, p, f);
  if (lines.empty()) return;
  if (ctx_.chapter >= 0 && !b.attr.id.empty())
    lines[0].content.anchors.push_back(
        Anchor{ctx_.book.chapters[ctx_.chapter].id + "#" + b.attr.id, 0});
  if (ctx_.chapter >= 0 && level <= 3) {
    const Chapter& ch = ctx_.book.chapters[ctx_.chapter];
    int chapter_level = (ch.part >= 0 ? 1 : 0) + ch.depth;
    std::string title = plain_text(b.inlines);
    lines[0].outline.push_back(static_cast<int>(out_.outline.size()));
    out_.outline.push_back(PendingOutline{title, chapter_level + std::max(1, level - 1)});
  }
  push_lines(std::move(lines), true);
  no_break();
  space(0.5 * frame.leading);
}

void Flow::list(const Block& b, const Frame& frame, int depth) {
  const bool ordered = b.kind == BlockKind::OrderedList;
  FaceId face{FaceFamily::Text, FaceStyle::Regular};
  double label_w = kListIndentEm * ctx_.style.font_size - kLabelGapEm * frame.size;
  if (ordered) {
    int last = b.start + static_cast<int>(b.children.size()) - 1;
    label_w = std::max(label_w, text_width(ctx_, face, frame.size, std::to_string(last) + "."));
  }
  double gap = kLabelGapEm * frame.size;
  Frame f = frame;
  // Steps in by the label column unless that leaves too narrow a measure and the labels
  // can hang into the indent the parent already has (at the top level they cannot).
  const double step = label_w + gap;
  if (frame.measure - step >= kMinNestedMeasureEm * ctx_.style.font_size || frame.left < step) {
    f.left += step;
    f.measure -= step;
  }
  int number = b.start;
  for (const Block& item : b.children) {
    if (&item != &b.children.front()) space(b.tight ? 0 : 0.5 * frame.leading);
    size_t first = out_.items.size();
    bool indent = false;
    for (const Block& c : item.children) block(c, f, depth + 1, indent);
    if (item.children.empty()) {
      VItem empty;
      empty.height = frame.leading;
      push_box(std::move(empty));
    }
    std::string label = ordered ? std::to_string(number++) + "." : (depth % 2 ? "\u2013" : "\u2022");
    for (size_t i = first; i < out_.items.size(); ++i) {
      VItem& it = out_.items[i];
      if (it.kind != VItem::Kind::Box) continue;
      double lw = text_width(ctx_, face, frame.size, label);
      double base = it.content.texts.empty() ? baseline_in(ctx_, it.height, frame.size)
                                             : it.content.texts[0].y;
      draw_text(ctx_, it.content, f.left - gap - lw, base, face, frame.size, label);
      break;
    }
  }
}

void Flow::code(const Block& b, const Frame& frame) {
  const FaceId mono{FaceFamily::Mono, FaceStyle::Regular};
  const double size = ctx_.style.code_size * frame.size / ctx_.style.font_size;
  const double leading = ctx_.style.code_leading * frame.size / ctx_.style.font_size;
  const double left = frame.left + kCodeIndentEm * ctx_.style.font_size;
  const double measure = frame.measure - kCodeIndentEm * ctx_.style.font_size;
  const std::string mark = "\u21AA";  // the continuation mark drawn where a line wraps
  const double mark_w = text_width(ctx_, mono, size, mark) + 0.3 * size;
  const double base = baseline_in(ctx_, leading, size);
  std::vector<VItem> lines;
  std::string text = b.text;
  if (!text.empty() && text.back() == '\n') text.pop_back();
  // The code starts on the line after the opening fence (an indented block's first line
  // is its own position: the column may then be off by one line).
  uint32_t source_line = b.pos.line == 0 ? 0 : b.pos.line + 1;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line;
    std::vector<uint32_t> source_of;  // per byte of line: its byte in the model's text
    int col = 0;
    uint32_t source_col = b.pos.col;
    for (size_t i = pos; i < nl;) {
      size_t at = i;
      char32_t c = next_code_point(text, i);
      ++source_col;
      if (c > ' ' && !ctx_.face_for(mono, c) && !unicode::is_default_ignorable(c) &&
          !(i > pos && unicode::continues_cluster(c)))
        ctx_.missing_glyph(c, std::string_view(text).substr(at, i - at),
                           SourcePos{source_line, source_line ? source_col - 1 : 0});
      if (c == '\t') {
        int n = kCodeTabWidth - col % kCodeTabWidth;
        line.append(static_cast<size_t>(n), ' ');
        source_of.insert(source_of.end(), static_cast<size_t>(n), static_cast<uint32_t>(at));
        col += n;
      } else if (c != '\r') {
        line.append(text, at, i - at);
        for (size_t k = at; k < i; ++k) source_of.push_back(static_cast<uint32_t>(k));
        ++col;
      }
    }
    // Wrap: cut where the next character would pass the measure. Only the characters
    // of this piece are measured (measuring the rest of the line for every piece was
    // quadratic in the line's length).
    bool continuation = false;
    std::string_view rest(line);
    do {
      double avail = measure - (continuation ? mark_w : 0);
      double w = 0;
      size_t i = 0, cut = 0;
      while (i < rest.size()) {
        size_t at = i;
        next_code_point(rest, i);
        w += text_width(ctx_, mono, size, rest.substr(at, i - at));
        if (w > avail) break;
        cut = i;
      }
      if (cut == 0 && !rest.empty()) {  // not even one character fits: take one anyway
        size_t one = 0;
        next_code_point(rest, one);
        cut = one;
      }
      VItem l;
      l.height = leading;
      // Each piece's origin is the byte of the model's text its first character came
      // from (a tab's spaces all come from the tab), so a page that begins inside a
      // wrapped line still knows where it begins.
      size_t offset = line.size() - rest.size();
      l.origin = b.text.data() + (offset < source_of.size() ? source_of[offset] : pos);
      double x = left;
      if (continuation) {
        draw_text(ctx_, l.content, x, base, mono, size, mark);
        x += mark_w;
      }
      std::string_view piece = rest.substr(0, cut);
      if (!piece.empty()) draw_text(ctx_, l.content, x, base, mono, size, piece);
      lines.push_back(std::move(l));
      rest.remove_prefix(cut);
      continuation = true;
    } while (!rest.empty());
    pos = nl + 1;
    if (source_line) ++source_line;
  }
  push_lines(std::move(lines));
}

void Flow::ornament(const Frame& frame) {
  FaceId face{FaceFamily::Text, FaceStyle::Regular};
  std::string mark = ctx_.has_glyph(face, 0x2042) ? "\u2042" : "*\u2003*\u2003*";
  VItem l;
  l.height = frame.leading;
  double w = text_width(ctx_, face, frame.size, mark);
  draw_text(ctx_, l.content, frame.left + (frame.measure - w) / 2,
            baseline_in(ctx_, frame.leading, frame.size), face, frame.size, mark);
  space(frame.leading * 0.5);
  push_box(std::move(l));
  space(frame.leading * 0.5);
}

void Flow::figure(const Block& b, const Frame& frame) {
  const Inline* image = nullptr;
  for (const Inline& in : b.inlines)
    if (in.kind == InlineKind::Image) image = &in;
  if (!image) {
    paragraph(b.inlines, frame, false);
    return;
  }
  FaceId face{FaceFamily::Text, FaceStyle::Regular};
  const Asset* asset = image->asset >= 0 && image->asset < static_cast<int>(ctx_.book.assets.size())
                           ? &ctx_.book.assets[image->asset]
                           : nullptr;
  // An SVG is printed from the PNG or JPEG beside it, when there is one, else drawn from
  // its own size (the PDF writer renders it); one without a size is a placeholder.
  bool svg = asset && asset->media_type == "image/svg+xml" && asset->print_path.empty() &&
             (asset->width <= 0 || asset->height <= 0);
  const ImageSize natural = image_size(ctx_.book, *image);
  bool known = natural.known();
  double w = frame.measure, h = frame.measure * 0.5;
  if (known) {
    const ImageSize fitted =
        fit_image(natural, frame.measure, text_height() * kMaxFigureHeightRatio);
    w = fitted.width;
    h = fitted.height;
  }
  VItem box;
  double x = frame.left + (frame.measure - w) / 2;
  if (known) {
    box.content.images.push_back(ImageBox{x, 0, w, h, image->asset, ctx_.file, image->pos});
    box.image_height = h;
  } else {
    // A framed placeholder with a word of explanation instead of the image.
    const double t = 0.5;
    box.content.rules.push_back(Rule{x, 0, w, t});
    box.content.rules.push_back(Rule{x, h - t, w, t});
    box.content.rules.push_back(Rule{x, 0, t, h});
    box.content.rules.push_back(Rule{x + w - t, 0, t, h});
    std::string what = asset ? (svg ? "SVG image " : "image ") + asset->source + " not shown"
                             : "image " + image->url + " not found";
    double size = ctx_.style.footnote_size;
    double tw = text_width(ctx_, face, size, what);
    if (tw > w - 4) {
      what = svg ? "SVG image not shown" : "image not shown";
      tw = text_width(ctx_, face, size, what);
    }
    draw_text(ctx_, box.content, x + std::max(2.0, (w - tw) / 2), h / 2 + size * 0.3, face, size,
              what);
    int idx = image->asset;
    if (asset && idx >= 0 && !warned_assets_[idx]) {
      warned_assets_[idx] = 1;
      ctx_.diag.add({Severity::Warning, ctx_.file, image->pos,
                     svg ? "SVG image '" + asset->source +
                               "' gives no size (width and height, or a viewBox); a "
                               "placeholder is printed"
                         : "size of image '" + asset->source +
                               "' is unknown; a placeholder "
                               "is printed",
                     svg ? "give its <svg> a width and height or a viewBox, or put a PNG or "
                           "JPEG of the same name beside it ('" +
                               std::filesystem::path(asset->source).stem().string() +
                               ".png'): the PDF prints that instead"
                         : "use a PNG or JPEG file",
                     svg ? "SVG images give no size, and the PDF prints a placeholder for each"
                         : "images of unknown size are printed as placeholders in the PDF",
                     "'" + asset->source + "'"});
    }
  }
  double caption_top = h + 0.4 * frame.leading;
  if (!image->children.empty()) {
    Frame f = frame;
    f.size = ctx_.style.quote_size * frame.size / ctx_.style.font_size;
    f.leading = frame.leading * ctx_.style.quote_size / ctx_.style.font_size;
    f.justify = Justify::Center;
    f.style = FaceStyle::Italic;
    f.indent = 0;
    f.image_limit = 0;  // the figure and its caption make one box, which must fit a page
    Paragraph p = collect_inlines(ctx_, image->children, f);
    std::vector<VItem> lines = set_paragraph(ctx_, p, f);
    for (VItem& l : lines) {
      if (box.origin == nullptr) box.origin = l.origin;
      append_content(box.content, l.content, 0, caption_top);
      for (int n : l.notes) box.notes.push_back(n);
      caption_top += l.height;
    }
  }
  box.height = caption_top;
  if (!out_.items.empty() && out_.items.back().kind == VItem::Kind::Box) space(0);
  push_box(std::move(box));
}

void Flow::table(const Block& b, const Frame& frame) {
  const Table& t = b.table;
  if (t.rows.empty()) return;
  size_t cols = 0;
  for (const auto& row : t.rows) cols = std::max(cols, row.size());
  if (cols == 0) return;
  const double size = ctx_.style.quote_size * frame.size / ctx_.style.font_size;
  const double leading = frame.leading * ctx_.style.quote_size / ctx_.style.font_size;
  const double gutter = kTableGutterEm * size;
  const double min_col = kTableMinColumnEm * size;
  // Natural (one line) and minimum (widest word) width of every column.
  std::vector<double> natural(cols, min_col), minimum(cols, min_col);
  Frame probe;
  probe.size = size;
  probe.leading = leading;
  probe.measure = frame.measure;
  probe.justify = Justify::Left;
  probe.image_limit = frame.image_limit;
  for (size_t r = 0; r < t.rows.size(); ++r) {
    probe.style = static_cast<int>(r) < t.header_rows ? FaceStyle::Bold : FaceStyle::Regular;
    for (size_t c = 0; c < t.rows[r].size(); ++c) {
      Paragraph p = collect_inlines(ctx_, t.rows[r][c], probe);
      std::vector<Item> items = prepare_items(ctx_, p, probe, false);
      double line = 0, word = 0, widest = 0;
      for (const Item& it : items) {
        if (it.type == Item::Type::Box) {
          word += it.width;
          line += it.width;
        } else {
          widest = std::max(widest, word);
          word = 0;
          if (it.type == Item::Type::Glue && it.stretch < kFilStretch) line += it.width;
        }
      }
      // The widest word plus the slack below which prepare never cuts a word, so that
      // no word is cut between letters in a column made to hold it.
      widest = std::max(widest, word) + kUnbreakableSlackEm * size;
      natural[c] = std::max({natural[c], line, widest});
      minimum[c] = std::max(minimum[c], std::min(widest, frame.measure / 2));
    }
  }
  double avail = frame.measure - gutter * static_cast<double>(cols - 1);
  double sum_nat = 0, sum_min = 0;
  for (size_t c = 0; c < cols; ++c) {
    sum_nat += natural[c];
    sum_min += minimum[c];
  }
  std::vector<double> width(cols);
  for (size_t c = 0; c < cols; ++c) {
    if (sum_nat <= avail) width[c] = natural[c];
    else if (sum_min <= avail)
      width[c] = minimum[c] + (avail - sum_min) * (natural[c] - minimum[c]) / (sum_nat - sum_min);
    else width[c] = avail * minimum[c] / sum_min;
  }
  double total = gutter * static_cast<double>(cols - 1);
  for (double w : width) total += w;
  const double x0 = frame.left + std::max(0.0, (frame.measure - total) / 2);

  auto rule_box = [&](double thickness, bool above) {
    VItem r;
    r.height = thickness + kRuleGap;
    r.content.rules.push_back(Rule{x0, above ? 0 : kRuleGap, total, thickness});
    return r;
  };
  // Each row becomes line slices: slice k holds line k of every cell.
  auto row_slices = [&](size_t r) {
    Frame cell;
    cell.size = size;
    cell.leading = leading;
    cell.hyphenate = ctx_.style.hyphenate;
    cell.image_limit = frame.image_limit;
    cell.style = static_cast<int>(r) < t.header_rows ? FaceStyle::Bold : FaceStyle::Regular;
    std::vector<std::vector<VItem>> cells;
    double x = x0;
    size_t n = 1;
    for (size_t c = 0; c < cols; ++c) {
      cell.left = x;
      cell.measure = width[c];
      Align a = c < t.align.size() ? t.align[c] : Align::None;
      cell.justify = a == Align::Center ? Justify::Center : a == Align::Right ? Justify::Right
                                                                              : Justify::Left;
      std::vector<VItem> lines;
      if (c < t.rows[r].size()) {
        Paragraph p = collect_inlines(ctx_, t.rows[r][c], cell);
        lines = set_paragraph(ctx_, p, cell);
      }
      n = std::max(n, lines.size());
      cells.push_back(std::move(lines));
      x += width[c] + gutter;
    }
    std::vector<VItem> slices(n);
    for (size_t k = 0; k < n; ++k) {
      // Line k of every cell on one baseline: a line made taller for an image lowers its
      // baseline by what it gained (set_paragraph), and the others' come down to it.
      double raise = 0;
      for (const auto& lines : cells)
        if (k < lines.size()) raise = std::max(raise, lines[k].height - leading);
      // Such a line's image reaches its top: the row's first keeps a rule's gap from the
      // rule or row above it, as its text does.
      if (k == 0 && raise > 0) raise += kRuleGap;
      slices[k].height = leading + raise;
      for (auto& lines : cells)
        if (k < lines.size()) {
          if (slices[k].origin == nullptr) slices[k].origin = lines[k].origin;
          append_content(slices[k].content, lines[k].content, 0,
                         raise - (lines[k].height - leading));
          for (int note : lines[k].notes) slices[k].notes.push_back(note);
        }
    }
    return slices;
  };

  // The header block (top rule, header rows, mid rule), kept for repetition.
  std::vector<VItem> header;
  header.push_back(rule_box(kHeavyRule, true));
  size_t header_rows = std::min(t.rows.size(), static_cast<size_t>(std::max(0, t.header_rows)));
  for (size_t r = 0; r < header_rows; ++r)
    for (VItem& s : row_slices(r)) header.push_back(std::move(s));
  if (header_rows > 0) header.push_back(rule_box(kLightRule, false));
  int header_index = static_cast<int>(out_.table_headers.size());
  for (VItem& h : header) h.chapter = ctx_.chapter;
  out_.table_headers.push_back(header);
  // A header repeated atop a later page is no place in the text where that page begins.
  for (VItem& v : out_.table_headers.back()) v.origin = nullptr;
  for (size_t i = 0; i < header.size(); ++i) {
    if (i > 0) no_break();
    push_box(std::move(header[i]));
  }
  for (size_t r = header_rows; r < t.rows.size(); ++r) {
    std::vector<VItem> slices = row_slices(r);
    if (r == header_rows) no_break();
    else space(2);
    for (size_t k = 0; k < slices.size(); ++k) {
      if (k > 0) no_break();
      slices[k].table_header = header_index;
      push_box(std::move(slices[k]));
    }
  }
  no_break();
  push_box(rule_box(kHeavyRule, false));
}

}  // namespace colophon::layout
