// parse_chapter: one Markdown text through cmark-gfm into the model's blocks and
// inlines, with positions, footnotes and raw HTML handled on the way.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <unordered_map>

#include "core/text.h"
#include "html/html.h"
#include "read/admonish.h"
#include "read/chapter_parse.h"
#include "read/cmark_doc.h"
#include "read/definition_lists.h"
#include "read/math.h"
#include "read/extensions.h"
#include "read/footnotes.h"
#include "read/hidden_lines.h"
#include "read/read.h"
#include "read/source.h"
#include "core/work.h"

namespace colophon {

namespace {

// Nested blocks and inlines allowed in one chapter: kMaxNestingDepth (model.h). A
// fuzz_markdown finding showed 115 nested quotes passing the reader before it existed.

// Table bounds. cmark-gfm 0.29.0.gfm.6 parses a table row in time quadratic in its cell
// count (10,000 columns: 0.6 s per row), so wider or bigger tables are refused before
// parsing. 300 columns by 1,000 rows still reads in about two seconds.
constexpr size_t kMaxTableColumns = 1000;
constexpr size_t kMaxTableCells = 500000;

constexpr int kChapterOptions =
    CMARK_OPT_SMART | CMARK_OPT_FOOTNOTES | CMARK_OPT_SOURCEPOS | CMARK_OPT_UNSAFE;

// What a frame of the walk collects into.
enum class FrameKind { Blocks, Inlines, Table, Row, Pass };

// One open cmark container during the walk.
struct Frame {
  cmark_node* node = nullptr;
  FrameKind kind = FrameKind::Pass;
  std::vector<Block>* blocks = nullptr;             // Blocks: where child blocks go
  std::vector<Inline>* inlines = nullptr;           // Inlines: where child inlines go
  Block* block = nullptr;                           // the block this frame fills
  std::vector<Block>* parent_blocks = nullptr;      // where BLOCK is (to drop it if empty)
  std::vector<std::vector<Inline>>* row = nullptr;  // Row: the table row's cells
  SourcePos pos;                                    // fallback for inlines without one
  uint32_t line0 = 0, col0 = 0;                     // start of the leaf block (byte column)
  int quote_depth = 0;                              // block quotes around this frame
};

// Returns the first word of a code block's info string ("rust ignore" -> "rust").
std::string info_word(const char* info) {
  if (info == nullptr) return {};
  std::string_view s(info);
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_first_of(" \t", b);
  return std::string(s.substr(b, e == std::string_view::npos ? std::string_view::npos : e - b));
}

// Tells whether an inline is only white space (for the figure check).
bool is_blank(const Inline& in) {
  if (in.kind == InlineKind::SoftBreak || in.kind == InlineKind::LineBreak) return true;
  if (in.kind != InlineKind::Text) return false;
  return in.text.find_first_not_of(" \t\n\r") == std::string::npos;
}

// A raw HTML element open in the model: a Div or Span whose content is still being read,
// possibly over several cmark blocks (`<Listing>`, a code block, `</Listing>`). It is
// found by its index, never by address: the lists that hold it grow while it is open
// (siblings before it, its parent's other children), and a pointer into one would dangle.
struct OpenRaw {
  size_t frame = 0;            // index in the frame stack of its list
  std::string name;            // lower-case element name
  SourcePos pos;               // its start tag
  bool block = true;           // a Div (blocks) or a Span (inlines)
  size_t index = 0;            // its place in the list that holds it: the frame's blocks or
                               // inlines, or the children of the raw element open before it
                               // (a block-level Span's list: the Plain of raw_plain_)
  bool phrasing_only = false;  // may hold only text (p, summary, span ...)
};

constexpr size_t kNoPlain = static_cast<size_t>(-1);

// Tells whether an element may hold only phrasing content (no block elements).
bool phrasing_only(const std::string& name) {
  if (name == "a" || name == "del" || name == "ins") return false;  // transparent
  if (name == "p" || name == "pre" || name == "summary" || name == "dt" ||
      (name.size() == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6'))
    return true;
  return is_epub_element(name) && !is_block_element(name);
}

// Returns an Attr from the attributes the raw HTML policy kept.
Attr attr_of(const std::vector<std::pair<std::string, std::string>>& attributes) {
  Attr a;
  for (const auto& [name, value] : attributes) {
    if (name == "id") {
      a.id = value;
    } else if (name == "class") {
      for (size_t b = 0; (b = value.find_first_not_of(" \t\n\r\f", b)) != std::string::npos;) {
        size_t e = std::min(value.find_first_of(" \t\n\r\f", b), value.size());
        a.classes.push_back(value.substr(b, e - b));
        b = e;
      }
    } else {
      a.attributes.emplace_back(name, value);
    }
  }
  return a;
}

// Returns math kept as its TeX source: a Span of class "math" and "math-inline" or
// "math-display" holding the TeX as text.
Inline math_span(std::string tex, bool display, SourcePos pos) {
  Inline span;
  span.kind = InlineKind::Span;
  span.element = "span";
  span.pos = pos;
  span.attr.classes = {"math", display ? "math-display" : "math-inline"};
  Inline& text = span.children.emplace_back();
  text.pos = pos;
  text.text = std::move(tex);
  return span;
}

std::string at(SourcePos p) { return std::to_string(p.line) + ":" + std::to_string(p.col); }

// Converts one chapter's cmark tree into the model.
class ChapterConverter {
 public:
  ChapterConverter(const SourceText& source, Book& book, int chapter, Diagnostics& diag,
                   const std::vector<uint32_t>& admonish_titles)
      : source_(source),
        book_(book),
        chapter_(chapter),
        file_(book.display(book.chapters[chapter].source)),
        diag_(diag),
        admonish_titles_(admonish_titles) {}

  void convert(cmark_node* doc);

 private:
  void collect_definitions(cmark_node* doc);
  void enter(cmark_iter* iter, cmark_node* n);
  void exit(cmark_node* n);
  void finish(Frame& f);
  bool is_toc_marker(cmark_node* n) const;
  void enter_block(cmark_node* n, cmark_node_type type, const Frame& parent);
  void enter_inline(cmark_node* n, cmark_node_type type, const Frame& parent);
  Frame child_frame(cmark_node* n, FrameKind kind, const Frame& parent) const;

  SourcePos block_pos(cmark_node* n) const {
    return source_.pos(static_cast<uint32_t>(cmark_node_get_start_line(n)),
                       static_cast<uint32_t>(cmark_node_get_start_column(n)));
  }
  BytePos inline_byte_pos(cmark_node* n, const Frame& f) const;
  uint32_t content_start(uint32_t line, int quote_depth) const;
  int note_of_reference(const char* literal) const;
  bool holds_definition(cmark_node* n) const;
  void check_spaced_footnote(BytePos bp, SourcePos pos);
  void heading_attributes(cmark_node* n, Block& b);
  void admonition(cmark_node* n, Block& b);
  void math_block(cmark_node* n, Block& b);
  bool inline_display_math(cmark_iter* iter, cmark_node* n, const Frame& parent);
  void math_line_ends(cmark_node* n, BytePos bp, const Frame& f);
  void raw_nodes(const std::vector<HtmlNode>& nodes, bool block_level);
  void raw_start(const HtmlNode& node, bool block_level);
  void raw_end(const HtmlNode& node, bool block_level);
  std::vector<Inline>& raw_inlines(SourcePos pos);
  size_t first_raw_here() const;
  std::vector<Block>* blocks_here(size_t& k) const;
  std::vector<Block>* blocks_here() const;
  std::vector<Inline>* inlines_here() const;
  void close_raw(size_t frame, const char* level);
  bool raw_inside_phrasing(SourcePos pos, const std::string& what, const std::string& hint);
  void end_open_p();

  const SourceText& source_;
  Book& book_;
  int chapter_;
  std::string file_;
  Diagnostics& diag_;
  const std::vector<uint32_t>& admonish_titles_;  // see ParsedChapter::admonish_titles
  std::vector<Frame> stack_;
  std::unordered_map<cmark_node*, int> note_of_definition_;
  std::vector<uint32_t> definition_lines_;  // sorted lines of the kept definitions
  std::vector<int>
      notes_in_order_;  // Book::notes indexes of the definitions, as cmark numbers them
  FootnoteFacts facts_;
  bool depth_reported_ = false;
  // cmark's inline parser counts no line end inside a math span an extension read (an
  // extension cannot move its line), so the lines and columns it gives after a span over
  // several lines stand still: what follows in the leaf block is MATH_LINES_ lines
  // further down, and on cmark's line MATH_LINE_ (the span's) MATH_COLS_ columns to the
  // left. Reset for each leaf block (math_line_ends sets them, inline_byte_pos applies
  // them).
  uint32_t math_lines_ = 0, math_line_ = 0, math_cols_ = 0;
  bool raw_too_deep_ = false;  // raw HTML went past kMaxNestingDepth: its tags are ignored
  // Frames hold pointers into the model: a frame's lists are only written while it is the
  // innermost frame, so the list holding its block never grows under it. Raw HTML is not
  // so nested: its elements are found from the innermost frame's lists by index
  // (blocks_here, inlines_here), and a frame's own pointers never change.
  std::vector<OpenRaw> raw_open_;  // raw HTML elements open, innermost last
  size_t raw_plain_ = kNoPlain;    // at block level: the index, in blocks_here(), of the Plain
                                   // block the text of raw HTML goes to
  HtmlRemoval removal_;  // an inline <script>, <style> ... whose content is being dropped
  // Block elements written inside a paragraph, whose tags were dropped (their text kept):
  // the frame each stands in and its name, so that its end tag goes quietly too.
  std::vector<std::pair<size_t, std::string>> dropped_;
};

void ChapterConverter::convert(cmark_node* doc) {
  collect_definitions(doc);
  stack_.reserve(32);
  cmark_iter* iter = cmark_iter_new(doc);
  cmark_event_type ev;
  while ((ev = cmark_iter_next(iter)) != CMARK_EVENT_DONE) {
    cmark_node* n = cmark_iter_get_node(iter);
    if (ev == CMARK_EVENT_ENTER)
      enter(iter, n);
    else
      exit(n);
  }
  cmark_iter_free(iter);
  while (!stack_.empty()) exit(stack_.back().node);
  check_footnotes(source_, facts_, file_, diag_);
}

// cmark-gfm moves the definitions that are referenced to the end of the document, in
// order of first reference; they become Book::notes before the walk so references
// can point at them (and the notes vector never grows while frames point into it).
void ChapterConverter::collect_definitions(cmark_node* doc) {
  for (cmark_node* n = cmark_node_first_child(doc); n != nullptr; n = cmark_node_next(n)) {
    if (cmark_node_get_type(n) != CMARK_NODE_FOOTNOTE_DEFINITION) continue;
    uint32_t line = static_cast<uint32_t>(cmark_node_get_start_line(n));
    auto [label, col] =
        definition_label(source_, line, static_cast<uint32_t>(cmark_node_get_start_column(n)));
    Note note;
    note.label = label;
    note.chapter = chapter_;
    note.pos = col != 0 ? source_.pos(line, col) : block_pos(n);
    std::string key = normalize_label(label);
    facts_.kept.emplace_back(line, key);
    int index = static_cast<int>(book_.notes.size());
    notes_in_order_.push_back(index);
    definition_lines_.push_back(line);
    note_of_definition_.emplace(n, index);
    book_.chapters[chapter_].notes.push_back(index);
    book_.notes.push_back(std::move(note));
  }
  std::sort(definition_lines_.begin(), definition_lines_.end());
}

// Tells whether a footnote definition starts within N's lines.
bool ChapterConverter::holds_definition(cmark_node* n) const {
  auto first = static_cast<uint32_t>(cmark_node_get_start_line(n));
  auto last = static_cast<uint32_t>(cmark_node_get_end_line(n));
  auto it = std::lower_bound(definition_lines_.begin(), definition_lines_.end(), first);
  return it != definition_lines_.end() && *it <= last;
}

Frame ChapterConverter::child_frame(cmark_node* n, FrameKind kind, const Frame& parent) const {
  Frame f = parent;
  f.node = n;
  f.kind = kind;
  return f;
}

void ChapterConverter::enter(cmark_iter* iter, cmark_node* n) {
  work::add();
  cmark_node_type type = cmark_node_get_type(n);
  if (type == CMARK_NODE_DOCUMENT) {
    Frame root;
    root.node = n;
    root.kind = FrameKind::Blocks;
    root.blocks = &book_.chapters[chapter_].blocks;
    root.pos = {1, 1};
    stack_.push_back(root);
    return;
  }
  if (stack_.empty()) return;
  if (stack_.size() >= kMaxNestingDepth) {
    if (!depth_reported_) {
      diag_.error(file_, block_pos(n),
                  "more than " + std::to_string(kMaxNestingDepth) +
                      " nested blocks and inlines; the deeper content is left out",
                  "flatten the nesting of block quotes, lists and emphasis");
      depth_reported_ = true;
    }
    cmark_iter_reset(iter, n, CMARK_EVENT_EXIT);  // skip the whole subtree
    return;
  }
  if ((type & CMARK_NODE_TYPE_MASK) != CMARK_NODE_TYPE_INLINE && type != CMARK_NODE_HTML_BLOCK)
    end_open_p();
  Frame parent = stack_.back();  // with the lists the raw elements open in it lead to
  if (parent.kind == FrameKind::Blocks) parent.blocks = blocks_here();
  if (parent.kind == FrameKind::Inlines) parent.inlines = inlines_here();
  if ((type & CMARK_NODE_TYPE_MASK) == CMARK_NODE_TYPE_INLINE) {
    if (type == CMARK_NODE_TEXT && inline_display_math(iter, n, parent)) return;
    enter_inline(n, type, parent);
  } else if ((type == CMARK_NODE_HTML_BLOCK || type == CMARK_NODE_PARAGRAPH) &&
             parent.kind == FrameKind::Blocks && parent.blocks != nullptr && is_toc_marker(n)) {
    // mdbook-toc's marker: the place of the chapter's contents, filled in by the passes
    // once the headings have their ids (passes/chapter_toc.cpp).
    raw_plain_ = kNoPlain;
    Block& b = parent.blocks->emplace_back();
    b.kind = BlockKind::Div;
    b.element = "div";
    b.attr.classes = {std::string(kChapterTocClass)};
    b.pos = block_pos(n);
    cmark_iter_reset(iter, n, CMARK_EVENT_EXIT);  // its text is not read
  } else {
    enter_block(n, type, parent);
  }
}

void ChapterConverter::enter_block(cmark_node* n, cmark_node_type type, const Frame& parent) {
  if (type == CMARK_NODE_FOOTNOTE_DEFINITION) {
    auto it = note_of_definition_.find(n);
    Frame f = child_frame(n, it == note_of_definition_.end() ? FrameKind::Pass : FrameKind::Blocks,
                          parent);
    f.quote_depth = 0;
    if (it != note_of_definition_.end()) f.blocks = &book_.notes[it->second].blocks;
    stack_.push_back(f);
    return;
  }
  if (type == CMARK_NODE_TABLE_ROW && parent.kind == FrameKind::Table) {
    parent.block->table.rows.emplace_back();
    Frame f = child_frame(n, FrameKind::Row, parent);
    f.row = &parent.block->table.rows.back();
    stack_.push_back(f);
    return;
  }
  if (type == CMARK_NODE_TABLE_CELL && parent.kind == FrameKind::Row) {
    parent.row->emplace_back();
    Frame f = child_frame(n, FrameKind::Inlines, parent);
    f.inlines = &parent.row->back();
    f.block = nullptr;
    f.pos = block_pos(n);
    math_lines_ = 0;
    f.line0 = static_cast<uint32_t>(cmark_node_get_start_line(n));
    f.col0 = static_cast<uint32_t>(cmark_node_get_start_column(n));
    stack_.push_back(f);
    return;
  }
  if (parent.blocks == nullptr || parent.kind != FrameKind::Blocks) {
    // A block where none can go (cannot happen with cmark's tree); keep its children.
    if (type != CMARK_NODE_CODE_BLOCK && type != CMARK_NODE_HTML_BLOCK &&
        type != CMARK_NODE_THEMATIC_BREAK)
      stack_.push_back(child_frame(n, FrameKind::Pass, parent));
    return;
  }
  raw_plain_ = kNoPlain;
  if (type != CMARK_NODE_HTML_BLOCK && !raw_open_.empty() &&
      raw_open_.back().frame + 1 == stack_.size() && raw_open_.back().phrasing_only) {
    const OpenRaw& p = raw_open_.back();
    diag_.error(file_, block_pos(n),
                "Markdown block inside the raw <" + p.name + "> opened at " + at(p.pos),
                "a raw <" + p.name + "> may hold only text; use <div> around Markdown blocks");
  }
  if (type == CMARK_NODE_HTML_BLOCK) {
    const char* lit = cmark_node_get_literal(n);
    HtmlFragment frag = repair_html(lit != nullptr ? lit : "", file_, block_pos(n), diag_);
    facts_.verbatim_lines.emplace_back(cmark_node_get_start_line(n), cmark_node_get_end_line(n));
    raw_nodes(frag.nodes, true);
    // The line break that ends the block is no space after its last word.
    std::vector<Inline>* last = raw_plain_ != kNoPlain ? inlines_here() : nullptr;
    if (last != nullptr && !last->empty() && last->back().kind == InlineKind::Text) {
      std::string& t = last->back().text;
      t.erase(t.find_last_not_of(' ') + 1);
      if (t.empty()) last->pop_back();
    }
    raw_plain_ = kNoPlain;
    for (size_t k = raw_open_.size(); k-- > 0 && raw_open_[k].frame + 1 == stack_.size();) {
      if (raw_open_[k].block) continue;
      // A Span left open at the end of its block cannot hold the blocks that follow.
      diag_.error(file_, raw_open_[k].pos,
                  "<" + raw_open_[k].name + "> opened here is not closed in its HTML block",
                  "close it in the same block, or use <div> around Markdown blocks");
      raw_open_.erase(raw_open_.begin() + static_cast<std::ptrdiff_t>(k));
    }
    return;
  }
  Block& b = parent.blocks->emplace_back();
  b.pos = block_pos(n);
  auto open_blocks = [&](int quote_increment) {
    Frame f = child_frame(n, FrameKind::Blocks, parent);
    f.blocks = &b.children;
    f.block = &b;
    f.parent_blocks = parent.blocks;
    f.quote_depth += quote_increment;
    stack_.push_back(f);
  };
  // Opens the frame that collects N's inlines into TARGET (B itself, or a child of B).
  auto open_inlines = [&](Block& target) {
    Frame f = child_frame(n, FrameKind::Inlines, parent);
    f.inlines = &target.inlines;
    f.block = &target;
    if (&target == &b) f.parent_blocks = parent.blocks;
    f.pos = b.pos;
    math_lines_ = 0;
    f.line0 = static_cast<uint32_t>(cmark_node_get_start_line(n));
    f.col0 = static_cast<uint32_t>(cmark_node_get_start_column(n));
    stack_.push_back(f);
  };
  if (type == definition_list_type() || type == definition_type()) {
    b.kind = BlockKind::Div;
    b.element = type == definition_type() ? "dd" : "dl";
    open_blocks(0);
    return;
  }
  if (type == definition_term_type()) {  // <dt>: its inlines in a Plain
    b.kind = BlockKind::Div;
    b.element = "dt";
    Block& term = b.children.emplace_back();
    term.kind = BlockKind::Plain;
    term.pos = b.pos;
    open_inlines(term);
    return;
  }
  switch (type) {
    case CMARK_NODE_PARAGRAPH:
      b.kind = BlockKind::Paragraph;
      if (std::binary_search(admonish_titles_.begin(), admonish_titles_.end(),
                             static_cast<uint32_t>(cmark_node_get_start_line(n))))
        b.attr.classes = {"admonition-title"};
      open_inlines(b);
      return;
    case CMARK_NODE_HEADING:
      b.kind = BlockKind::Heading;
      b.level = cmark_node_get_heading_level(n);
      open_inlines(b);
      return;
    case CMARK_NODE_BLOCK_QUOTE:
      b.kind = BlockKind::BlockQuote;
      open_blocks(1);
      return;
    case CMARK_NODE_LIST:
      b.kind = cmark_node_get_list_type(n) == CMARK_ORDERED_LIST ? BlockKind::OrderedList
                                                                 : BlockKind::BulletList;
      b.start = cmark_node_get_list_start(n);
      if (b.kind == BlockKind::BulletList || b.start < 0) b.start = 1;
      b.tight = cmark_node_get_list_tight(n) != 0;
      open_blocks(0);
      return;
    case CMARK_NODE_ITEM:
      b.kind = BlockKind::ListItem;
      open_blocks(0);
      return;
    case CMARK_NODE_CODE_BLOCK: {
      if (cmark_node_get_syntax_extension(n) == mathjax_extension()) {
        math_block(n, b);
        return;
      }
      b.kind = BlockKind::CodeBlock;
      const char* lit = cmark_node_get_literal(n);
      b.text = lit != nullptr ? lit : "";
      if (!b.text.empty() && b.text.back() != '\n') b.text += '\n';
      b.info = info_word(cmark_node_get_fence_info(n));
      if (is_rust_info(b.info)) b.text = without_hidden_rust_lines(b.text);
      facts_.verbatim_lines.emplace_back(cmark_node_get_start_line(n), cmark_node_get_end_line(n));
      return;
    }
    case CMARK_NODE_THEMATIC_BREAK:
      b.kind = BlockKind::ThematicBreak;
      return;
    default:
      break;
  }
  if (type == CMARK_NODE_TABLE) {
    b.kind = BlockKind::Table;
    uint16_t columns = cmark_gfm_extensions_get_table_columns(n);
    const uint8_t* align = cmark_gfm_extensions_get_table_alignments(n);
    b.table.align.reserve(columns);
    for (uint16_t c = 0; c < columns; ++c) {
      uint8_t a = align != nullptr ? align[c] : 0;
      b.table.align.push_back(a == 'l'   ? Align::Left
                              : a == 'c' ? Align::Center
                              : a == 'r' ? Align::Right
                                         : Align::None);
    }
    Frame f = child_frame(n, FrameKind::Table, parent);
    f.block = &b;
    stack_.push_back(f);
    return;
  }
  // A block kind the model does not know (none with the extensions enabled): drop the
  // empty block and keep its content in the parent.
  parent.blocks->pop_back();
  stack_.push_back(child_frame(n, FrameKind::Pass, parent));
}

void ChapterConverter::enter_inline(cmark_node* n, cmark_node_type type, const Frame& parent) {
  bool leaf = type == CMARK_NODE_TEXT || type == CMARK_NODE_SOFTBREAK ||
              type == CMARK_NODE_LINEBREAK || type == CMARK_NODE_CODE ||
              type == CMARK_NODE_HTML_INLINE;
  if (parent.inlines == nullptr) {
    if (!leaf) stack_.push_back(child_frame(n, FrameKind::Pass, parent));
    if (type == CMARK_NODE_HTML_INLINE && !removal_.name.empty()) {
      // The end tag of an inline <script> may sit inside a dropped emphasis or link.
      const char* lit = cmark_node_get_literal(n);
      repair_html(lit != nullptr ? lit : "", file_, parent.pos, diag_, &removal_);
    }
    return;
  }
  std::vector<Inline>& out = *parent.inlines;
  BytePos bp = inline_byte_pos(n, parent);
  SourcePos pos = bp.first != 0 ? source_.pos(bp.first, bp.second) : parent.pos;
  if (!removal_.name.empty() && type != CMARK_NODE_HTML_INLINE) {
    // Inside an inline <script> or <style> (cmark-gfm gives its content as text and
    // inlines between two raw tags): dropped up to the end tag.
    if (!leaf) {
      Frame f = child_frame(n, FrameKind::Pass, parent);
      f.inlines = nullptr;
      stack_.push_back(f);
    }
    return;
  }
  switch (type) {
    case CMARK_NODE_TEXT: {
      const char* lit = cmark_node_get_literal(n);
      if (lit == nullptr || *lit == '\0') return;
      if (std::strstr(lit, "[^") != nullptr) collect_literal_labels(lit, facts_.literal_labels);
      if (!out.empty() && out.back().kind == InlineKind::Text) {
        out.back().text += lit;
      } else {
        Inline& in = out.emplace_back();
        in.kind = InlineKind::Text;
        in.pos = pos;
        in.text = lit;
      }
      return;
    }
    case CMARK_NODE_SOFTBREAK:
    case CMARK_NODE_LINEBREAK: {
      Inline& in = out.emplace_back();
      in.kind = type == CMARK_NODE_SOFTBREAK ? InlineKind::SoftBreak : InlineKind::LineBreak;
      in.pos = pos;
      return;
    }
    case CMARK_NODE_CODE: {
      if (is_math_node(n)) {
        const char* lit = cmark_node_get_literal(n);
        out.push_back(math_span(lit != nullptr ? lit : "", is_display_math(n), pos));
        math_line_ends(n, bp, parent);
        return;
      }
      Inline& in = out.emplace_back();
      in.kind = InlineKind::Code;
      in.pos = pos;
      const char* lit = cmark_node_get_literal(n);
      in.text = lit != nullptr ? lit : "";
      return;
    }
    case CMARK_NODE_HTML_INLINE: {
      const char* lit = cmark_node_get_literal(n);
      HtmlFragment frag = repair_html(lit != nullptr ? lit : "", file_, pos, diag_, &removal_);
      raw_nodes(frag.nodes, false);
      return;
    }
    case CMARK_NODE_FOOTNOTE_REFERENCE: {
      facts_.references.insert(bp);
      int note = note_of_reference(cmark_node_get_literal(n));
      Inline& in = out.emplace_back();
      in.pos = pos;
      if (note < 0) {
        // Cannot happen with cmark-gfm 0.29: it only makes references it can resolve.
        diag_.error(file_, pos, "footnote reference without a definition",
                    "check the note's label and its definition [^label]: ...");
        in.kind = InlineKind::Text;
        in.text = "[^?]";
      } else {
        in.kind = InlineKind::NoteRef;
        in.note = note;
        ++book_.notes[note].ref_count;
      }
      stack_.push_back(child_frame(n, FrameKind::Pass, parent));
      return;
    }
    default:
      break;
  }
  Inline& in = out.emplace_back();
  in.pos = pos;
  if (type == CMARK_NODE_EMPH) {
    in.kind = InlineKind::Emph;
  } else if (type == CMARK_NODE_STRONG) {
    in.kind = InlineKind::Strong;
  } else if (type == CMARK_NODE_STRIKETHROUGH) {
    in.kind = InlineKind::Strikethrough;
  } else if (type == CMARK_NODE_LINK || type == CMARK_NODE_IMAGE) {
    in.kind = type == CMARK_NODE_LINK ? InlineKind::Link : InlineKind::Image;
    if (type == CMARK_NODE_LINK) check_spaced_footnote(bp, pos);
    const char* url = cmark_node_get_url(n);
    const char* title = cmark_node_get_title(n);
    if (url != nullptr) in.url = url;
    if (title != nullptr) in.title = title;
  } else {
    // An inline kind the model does not know: keep its content in the parent.
    out.pop_back();
    Frame f = child_frame(n, FrameKind::Inlines, parent);
    f.block = nullptr;
    stack_.push_back(f);
    return;
  }
  Frame f = child_frame(n, FrameKind::Inlines, parent);
  f.inlines = &in.children;
  f.block = nullptr;
  f.pos = pos;
  stack_.push_back(f);
}

void ChapterConverter::exit(cmark_node* n) {
  if (stack_.empty()) return;
  if (!removal_.name.empty() &&
      (cmark_node_get_type(n) & CMARK_NODE_TYPE_MASK) != CMARK_NODE_TYPE_INLINE) {
    diag_.warning(file_, removal_.pos,
                  "<" + removal_.name +
                      "> is not closed in this paragraph; everything after it in the "
                      "paragraph was removed",
                  "close it with </" + removal_.name + "> in the same paragraph");
    removal_.name.clear();
  }
  if (stack_.back().node != n) {
    // Only pop through frames if N is open at all (leaf nodes have no frame).
    bool open = false;
    for (const Frame& f : stack_) open = open || f.node == n;
    if (!open) return;
  }
  while (!stack_.empty()) {
    close_raw(stack_.size() - 1, stack_.back().kind == FrameKind::Inlines ? "in this paragraph"
                                                                          : "at this block level");
    Frame f = stack_.back();
    stack_.pop_back();
    finish(f);
    if (f.node == n) break;
  }
}

// Reports the raw elements opened in frame FRAME's list and never closed there, and
// forgets them (their content stays in them).
void ChapterConverter::close_raw(size_t frame, const char* level) {
  std::erase_if(dropped_, [&](const auto& d) { return d.first >= frame; });
  while (!raw_open_.empty() && raw_open_.back().frame >= frame) {
    const OpenRaw& o = raw_open_.back();
    if (!raw_too_deep_)
      diag_.error(file_, o.pos, "<" + o.name + "> opened here is not closed " + std::string(level),
                "close it with </" + o.name + "> " + level);
    raw_open_.pop_back();
  }
  raw_plain_ = kNoPlain;
}

// Tells whether a block element or block starting at POS sits inside a raw element that
// may hold only text, reporting it (WHAT names it, HINT says what to do).
bool ChapterConverter::raw_inside_phrasing(SourcePos pos, const std::string& what,
                                           const std::string& hint) {
  for (size_t k = raw_open_.size(); k-- > 0;) {
    if (!raw_open_[k].phrasing_only) continue;
    diag_.error(file_, pos, what + " inside <" + raw_open_[k].name + "> opened at " +
                                at(raw_open_[k].pos),
                hint.empty() ? "close the <" + raw_open_[k].name + "> first, or use <div> instead of <" +
                                   raw_open_[k].name + ">"
                             : hint);
    return true;
  }
  return false;
}

// Ends a raw <p> left open in the innermost frame's list, as HTML ends it where the next
// block begins (its end tag may be left out): a Markdown block, or a block element.
void ChapterConverter::end_open_p() {
  if (raw_open_.empty() || raw_open_.back().frame + 1 != stack_.size() ||
      raw_open_.back().name != "p" || !raw_open_.back().block)
    return;
  raw_open_.pop_back();
  raw_plain_ = kNoPlain;
}

// Returns the index in raw_open_ of the first raw element open in the innermost frame.
size_t ChapterConverter::first_raw_here() const {
  size_t k = raw_open_.size();
  while (k > 0 && raw_open_[k - 1].frame + 1 == stack_.size()) --k;
  return k;
}

// Returns the list the innermost frame's blocks go to: its own, or the children of the
// innermost raw Div open in it; K is set to the first raw element open after those Divs
// (the Spans, which stand in raw_plain_'s Plain).
std::vector<Block>* ChapterConverter::blocks_here(size_t& k) const {
  std::vector<Block>* blocks = stack_.back().blocks;
  for (k = first_raw_here(); blocks != nullptr && k < raw_open_.size() && raw_open_[k].block; ++k)
    blocks = &(*blocks)[raw_open_[k].index].children;
  return blocks;
}

std::vector<Block>* ChapterConverter::blocks_here() const {
  size_t k = 0;
  return blocks_here(k);
}

// Returns the list the innermost frame's inlines go to: in a paragraph its inlines, at
// block level raw_plain_'s (nullptr before there is one), or the children of the
// innermost raw Span open there.
std::vector<Inline>* ChapterConverter::inlines_here() const {
  const Frame& f = stack_.back();
  size_t k = first_raw_here();
  std::vector<Inline>* inlines = f.inlines;
  if (f.kind != FrameKind::Inlines) {
    std::vector<Block>* blocks = blocks_here(k);
    inlines = blocks != nullptr && raw_plain_ != kNoPlain ? &(*blocks)[raw_plain_].inlines
                                                          : nullptr;
  }
  for (; inlines != nullptr && k < raw_open_.size(); ++k)
    inlines = &(*inlines)[raw_open_[k].index].children;
  return inlines;
}

// Returns the list inline content of raw HTML goes to: the frame's inlines in a
// paragraph; at block level a Plain block, made when the first text or inline element
// comes.
std::vector<Inline>& ChapterConverter::raw_inlines(SourcePos pos) {
  if (stack_.back().kind != FrameKind::Inlines && raw_plain_ == kNoPlain) {
    std::vector<Block>& blocks = *blocks_here();
    Block& p = blocks.emplace_back();
    p.kind = BlockKind::Plain;
    p.pos = pos;
    raw_plain_ = blocks.size() - 1;
  }
  return *inlines_here();
}

// Builds the model from the nodes of one raw HTML fragment, at block level (an HTML
// block) or inside a paragraph. Elements left open stay open for the blocks or inlines
// that follow, until their end tag.
void ChapterConverter::raw_nodes(const std::vector<HtmlNode>& nodes, bool block_level) {
  if (stack_.empty()) return;
  const Frame& f = stack_.back();
  if (block_level ? f.kind != FrameKind::Blocks || f.blocks == nullptr
                  : f.kind != FrameKind::Inlines || f.inlines == nullptr)
    return;
  for (const HtmlNode& node : nodes) {
    work::add();
    if (node.kind == HtmlNode::Kind::Start) {
      raw_start(node, block_level);
    } else if (node.kind == HtmlNode::Kind::End) {
      raw_end(node, block_level);
    } else {
      bool pre = false;
      for (const OpenRaw& o : raw_open_) pre = pre || o.name == "pre";
      std::string text = node.text;
      if (!pre)  // white space in HTML is a space
        for (char& c : text)
          if (c == '\n' || c == '\t' || c == '\r') c = ' ';
      if (block_level && raw_plain_ == kNoPlain) {
        size_t b = text.find_first_not_of(' ');
        if (b == std::string::npos) continue;  // white space between block elements
        text.erase(0, b);
      }
      std::vector<Inline>& out = raw_inlines(node.pos);
      if (!out.empty() && out.back().kind == InlineKind::Text) {
        out.back().text += text;
      } else {
        Inline& in = out.emplace_back();
        in.kind = InlineKind::Text;
        in.pos = node.pos;
        in.text = std::move(text);
      }
    }
  }
}

void ChapterConverter::raw_start(const HtmlNode& node, bool block_level) {
  const std::string& name = node.name;
  if (raw_too_deep_) return;  // reported once; the balance of what follows means nothing
  if (stack_.size() + raw_open_.size() + 1 > kMaxNestingDepth) {
    raw_too_deep_ = true;
    if (!depth_reported_)
      diag_.error(file_, node.pos,
                  "more than " + std::to_string(kMaxNestingDepth) +
                      " nested blocks, inlines and raw HTML elements",
                  "flatten the nesting of <" + name +
                      "> and other raw HTML elements, block quotes, lists and emphasis");
    depth_reported_ = true;
    return;
  }
  bool as_block = block_level && (is_block_element(name) || !node.known);
  if (!block_level && node.known && is_block_element(name)) {
    // A browser ends the paragraph there; the book keeps the text in it, as mdBook's
    // readers read it, without the element.
    diag_.warning(file_, node.pos,
                  "block element <" + name + "> inside a paragraph or heading; its tags are left "
                  "out, its text stays",
                  "start it on a line of its own, with a blank line before it");
    if (!node.closed) dropped_.emplace_back(stack_.size() - 1, name);
    return;
  }
  if (as_block && node.known) end_open_p();
  if (as_block && node.known &&
      raw_inside_phrasing(node.pos, "block element <" + name + ">", ""))
    return;
  // A block cannot start inside an inline element left open in this fragment: it would
  // grow the list that element sits in while the element's place in it is held open.
  if (as_block && !raw_open_.empty() && raw_open_.back().frame + 1 == stack_.size() &&
      !raw_open_.back().block) {
    const OpenRaw& open = raw_open_.back();
    if (node.known) {
      diag_.error(file_, node.pos,
                  "block element <" + name + "> inside the raw <" + open.name + "> opened at " +
                      at(open.pos),
                  "close the <" + open.name + "> first, or use <div> instead of <" +
                      open.name + ">");
      return;
    }
    as_block = false;  // an element we do not know, inside an inline one: inline too
  }
  if (name == "hr" && as_block) {
    raw_plain_ = kNoPlain;
    Block& b = blocks_here()->emplace_back();
    b.kind = BlockKind::ThematicBreak;
    b.pos = node.pos;
    return;
  }
  if (as_block) {
    raw_plain_ = kNoPlain;
    std::vector<Block>& blocks = *blocks_here();
    Block& b = blocks.emplace_back();
    b.kind = BlockKind::Div;
    b.pos = node.pos;
    b.element = name;
    b.attr = attr_of(node.attributes);
    b.raw_html = true;
    if (node.closed) return;
    raw_open_.push_back({stack_.size() - 1, name, node.pos, true, blocks.size() - 1,
                         node.known && phrasing_only(name)});
    return;
  }
  std::vector<Inline>& out = raw_inlines(node.pos);
  Inline& in = out.emplace_back();
  in.pos = node.pos;
  in.attr = attr_of(node.attributes);
  const std::string* src = in.attr.find("src");
  if (name == "br") {
    in.kind = InlineKind::LineBreak;
    in.attr = {};
    return;
  }
  if (name == "img" && (src == nullptr || trim(*src).empty())) {
    // No image to pack: XHTML requires src (epubcheck's RSC-005), Send to Kindle refuses
    // the whole book, and a browser shows a broken image. An error, as ![alt]() is.
    out.pop_back();
    diag_.error(file_, node.pos, "an <img> without src: there is no image to put in the book",
                "give the image a src (a file in the book, as ![alt](path) would), or remove "
                "the tag");
    return;
  }
  if (name == "img") {
    // An image as Markdown writes it: packed and drawn like ![alt](src).
    in.kind = InlineKind::Image;
    in.url = *src;
    Attr kept;
    kept.id = in.attr.id;
    kept.classes = in.attr.classes;
    for (auto& [k, v] : in.attr.attributes) {
      if (k == "alt") {
        if (!v.empty()) {
          Inline& alt = in.children.emplace_back();
          alt.pos = node.pos;
          alt.text = v;
        }
      } else if (k == "title") {
        in.title = v;
      } else if (k == "srcset") {
        diag_.error(file_, node.pos, "srcset in raw HTML is not packed into the book",
                    "give one image in src; the book packs that one");
      } else if (k != "src" && k != "sizes") {
        kept.attributes.emplace_back(k, v);
      }
    }
    in.attr = std::move(kept);
    return;
  }
  const std::string* href = name == "a" ? in.attr.find("href") : nullptr;
  if (href != nullptr) {
    // A link as Markdown writes it: resolved and checked like [text](href).
    in.kind = InlineKind::Link;
    in.url = *href;
    std::erase_if(in.attr.attributes, [&](const auto& a) {
      if (a.first == "title") in.title = a.second;
      return a.first == "href" || a.first == "title";
    });
  } else {
    in.kind = InlineKind::Span;
    in.element = name;
    if (name == "source" && in.attr.find("srcset") != nullptr) {
      diag_.error(file_, node.pos, "srcset in raw HTML is not packed into the book",
                  "use Markdown: ![alt](path)");
    }
  }
  if (node.closed) return;
  raw_open_.push_back({stack_.size() - 1, name, node.pos, false, out.size() - 1,
                       node.known && phrasing_only(name)});
}

void ChapterConverter::raw_end(const HtmlNode& node, bool block_level) {
  if (raw_too_deep_) return;
  const std::string& name = node.name;
  size_t frame = stack_.size() - 1;
  size_t k = raw_open_.size();
  while (k > 0 && raw_open_[k - 1].frame == frame && raw_open_[k - 1].name != name) --k;
  if (k == 0 || raw_open_[k - 1].frame != frame) {
    auto dropped = std::find_if(dropped_.rbegin(), dropped_.rend(), [&](const auto& d) {
      return d.first == frame && d.second == name;
    });
    if (dropped != dropped_.rend()) {  // the end of an element left out: reported at its start
      dropped_.erase(std::next(dropped).base());
      return;
    }
    if (std::none_of(raw_open_.begin(), raw_open_.end(),
                     [&](const OpenRaw& o) { return o.name == name; })) {
      // Open nowhere: a browser ignores it, and so does the book.
      diag_.warning(file_, node.pos, "stray </" + name + "> left out: no <" + name + "> is open",
                    "remove it, or add the matching <" + name + ">");
      return;
    }
    const char* level = block_level ? "at this block level" : "in this paragraph";
    std::string hint = "remove it, or add the matching <" + name + "> " + level;
    for (const OpenRaw& o : raw_open_)
      if (o.name == name)
        hint = "the <" + name + "> opened at " + at(o.pos) +
               " is outside this container (list item, quote, paragraph); close it there, "
               "after a blank line";
    diag_.error(file_, node.pos, "stray </" + name + ">: no <" + name + "> is open " + level,
                hint);
    return;
  }
  --k;  // the element closed; those above it were never closed
  for (size_t j = raw_open_.size(); j-- > k + 1;)
    diag_.error(file_, raw_open_[j].pos,
                "<" + raw_open_[j].name + "> is not closed before </" + name + "> at " +
                    at(node.pos),
                "add </" + raw_open_[j].name + "> before </" + name + ">");
  bool block = raw_open_[k].block;
  raw_open_.resize(k);  // what follows goes to the list that held it
  if (block) raw_plain_ = kNoPlain;
}

// Tells whether block N is mdbook-toc's marker alone: its lines, trimmed and without
// blank ones, are the marker's (an HTML block's from its text; a paragraph's from the
// source, from its column on, since cmark gives a paragraph's text only as inlines).
bool ChapterConverter::is_toc_marker(cmark_node* n) const {
  const TocOptions& o = book_.markdown.toc;
  if (!o.enabled) return false;
  std::vector<std::string_view> lines;
  if (cmark_node_get_type(n) == CMARK_NODE_HTML_BLOCK) {
    const char* lit = cmark_node_get_literal(n);
    lines = nonblank_lines(lit != nullptr ? lit : "");
  } else {
    int first = cmark_node_get_start_line(n), last = cmark_node_get_end_line(n);
    int col = cmark_node_get_start_column(n);
    if (first < 1 || col < 1 || last - first >= static_cast<int>(o.marker_lines.size()))
      return false;
    for (int l = first; l <= last; ++l) {
      std::string_view line = source_.line(static_cast<uint32_t>(l));
      line.remove_prefix(std::min(line.size(), static_cast<size_t>(col - 1)));
      if (std::string_view t = trim(line); !t.empty()) lines.push_back(t);
    }
  }
  return std::equal(lines.begin(), lines.end(), o.marker_lines.begin(), o.marker_lines.end());
}

void ChapterConverter::finish(Frame& f) {
  if (f.block == nullptr) return;
  Block& b = *f.block;
  if (f.kind == FrameKind::Inlines && b.kind == BlockKind::Heading) {
    heading_attributes(f.node, b);
  } else if (f.kind == FrameKind::Inlines && b.kind == BlockKind::Paragraph) {
    // A paragraph holding one image and nothing else is a figure.
    size_t image = b.inlines.size(), others = 0;
    for (size_t i = 0; i < b.inlines.size(); ++i) {
      if (b.inlines[i].kind == InlineKind::Image && image == b.inlines.size())
        image = i;
      else if (!is_blank(b.inlines[i]))
        ++others;
    }
    bool only_space = std::all_of(b.inlines.begin(), b.inlines.end(), [](const Inline& in) {
      return in.kind != InlineKind::LineBreak && is_blank(in);  // a lone <br> is kept
    });
    if (only_space && f.parent_blocks != nullptr &&
        !f.parent_blocks->empty() && &f.parent_blocks->back() == &b) {
      // Nothing but white space is left: the paragraph held only raw HTML that is left
      // out (a <video> of a local file, a <script>). An empty <p> would still print a gap.
      f.parent_blocks->pop_back();
      return;
    }
    if (image != b.inlines.size() && others == 0) {
      Inline only = std::move(b.inlines[image]);
      b.inlines.clear();
      b.inlines.push_back(std::move(only));
      // Directly inside a raw <figure>, the image is that figure's own (its caption is
      // the author's <figcaption>): a Plain, not a figure nested in the figure.
      bool in_raw_figure = !raw_open_.empty() && raw_open_.back().frame + 1 == stack_.size() &&
                           raw_open_.back().block && raw_open_.back().name == "figure";
      b.kind = in_raw_figure ? BlockKind::Plain : BlockKind::Figure;
    }
  } else if (f.kind == FrameKind::Blocks && b.children.empty() && f.parent_blocks != nullptr &&
             !f.parent_blocks->empty() && &f.parent_blocks->back() == &b &&
             holds_definition(f.node)) {
    // A quote, list or item that held only footnote definitions, which cmark moved to
    // the end: left empty it would print an empty box or bullet.
    f.parent_blocks->pop_back();
  } else if (f.kind == FrameKind::Blocks && cmark_node_get_type(f.node) == definition_list_type()) {
    // A tight list's definitions hold their text without paragraphs, as a tight list's
    // items do.
    if (definition_list_tight(f.node))
      for (Block& dd : b.children)
        for (Block& c : dd.children)
          if (dd.element == "dd" && c.kind == BlockKind::Paragraph) c.kind = BlockKind::Plain;
  } else if (f.kind == FrameKind::Blocks && b.kind == BlockKind::BlockQuote) {
    if (book_.markdown.admonitions) admonition(f.node, b);
  } else if (f.kind == FrameKind::Table) {
    size_t columns = b.table.align.size();
    for (auto& row : b.table.rows) row.resize(columns);
  }
}

// Makes B the paragraph of a `\\[ ... \\]` block: its display math, or, when it never
// ended with `\\]`, its lines as text.
void ChapterConverter::math_block(cmark_node* n, Block& b) {
  b.kind = BlockKind::Paragraph;
  facts_.verbatim_lines.emplace_back(cmark_node_get_start_line(n), cmark_node_get_end_line(n));
  bool closed = false;
  std::string tex = display_block_tex(n, closed);
  if (closed) {
    b.inlines.push_back(math_span(std::move(tex), true, b.pos));
    return;
  }
  auto line = static_cast<uint32_t>(cmark_node_get_start_line(n));
  for (size_t start = 0; start <= tex.size(); ++line) {
    size_t end = std::min(tex.find('\n', start), tex.size());
    if (!b.inlines.empty()) {
      Inline& brk = b.inlines.emplace_back();
      brk.kind = InlineKind::SoftBreak;
      brk.pos = source_.pos(line, 1);
    }
    Inline& t = b.inlines.emplace_back();
    t.pos = source_.pos(line, static_cast<uint32_t>(content_start(line, 0)));
    t.text = tex.substr(start, end - start);
    start = end + 1;
  }
}

// Reads the text node N when it holds `\\[` (as "\[": cmark's inline parser gives an
// extension no say over `[`, and joins the text nodes it makes) up to a `\\]` in it or
// in a text node after it among its siblings: display math inside the paragraph, whose
// TeX is the source between the delimiters (what lies between was read as Markdown and
// is skipped). Returns false, leaving N to be read as text, when it holds no such span.
bool ChapterConverter::inline_display_math(cmark_iter* iter, cmark_node* n,
                                           const Frame& parent) {
  if (!book_.markdown.mathjax || parent.kind != FrameKind::Inlines || parent.inlines == nullptr)
    return false;
  auto literal = [](cmark_node* m) {
    const char* lit = cmark_node_get_type(m) == CMARK_NODE_TEXT ? cmark_node_get_literal(m) : nullptr;
    return std::string_view(lit != nullptr ? lit : "");
  };
  std::string_view text = literal(n);
  if (text.find("\\[") == std::string_view::npos) return false;
  BytePos start = inline_byte_pos(n, parent);
  if (start.first == 0 || start.second == 0) return false;
  std::string_view src = source_.text();
  auto line_start = [&](uint32_t line) {
    return static_cast<size_t>(source_.line(line).data() - src.data());
  };
  auto byte_pos_of = [&](size_t offset) {  // the line and byte column of OFFSET
    uint32_t lo = 1, hi = source_.line_count();
    while (lo < hi) {
      uint32_t mid = lo + (hi - lo + 1) / 2;
      if (line_start(mid) <= offset)
        lo = mid;
      else
        hi = mid - 1;
    }
    return BytePos{lo, static_cast<uint32_t>(offset - line_start(lo)) + 1};
  };
  std::vector<Inline>& out = *parent.inlines;
  auto add_text = [&](std::string_view t, BytePos at) {
    if (t.empty()) return;
    Inline& in = out.emplace_back();
    in.pos = source_.pos(at.first, at.second);
    in.text = std::string(t);
  };
  size_t cursor = line_start(start.first) + start.second - 1;  // in the source: where TEXT is
  BytePos text_at = start;
  cmark_node* node = n;
  bool any = false;
  for (;;) {
    size_t open = text.find("\\[");
    // The closing "\]": in this text after it, or in a text node after this one.
    cmark_node* last = node;
    size_t close = open == std::string_view::npos ? open : text.find("\\]", open + 2);
    std::string_view rest;
    for (cmark_node* m = cmark_node_next(node); open != std::string_view::npos &&
                                                close == std::string_view::npos && m != nullptr;
         m = cmark_node_next(m)) {
      std::string_view t = literal(m);
      if (size_t c = t.find("\\]"); c != std::string_view::npos) {
        last = m;
        rest = t.substr(c + 2);
        close = 0;
      }
    }
    if (last == node && close != std::string_view::npos) rest = text.substr(close + 2);
    size_t src_open = open == std::string_view::npos ? open : src.find("\\\\[", cursor);
    size_t src_close =
        src_open == std::string_view::npos ? src_open : src.find("\\\\]", src_open + 3);
    if (close == std::string_view::npos || src_close == std::string_view::npos) {
      if (!any) return false;
      add_text(text, text_at);
      break;
    }
    any = true;
    add_text(text.substr(0, open), text_at);
    BytePos from = byte_pos_of(src_open), to = byte_pos_of(src_close);
    std::string raw;
    for (uint32_t line = from.first; line <= to.first; ++line) {
      std::string_view l = source_.line(line);
      if (line != from.first) raw += '\n';
      size_t b = line == from.first ? from.second + 2 : content_start(line, parent.quote_depth) - 1;
      size_t e = std::min<size_t>(line == to.first ? to.second - 1 : l.size(), l.size());
      if (b < e) raw.append(l.substr(b, e - b));
    }
    out.push_back(math_span(mathjax_tex(raw), true, source_.pos(from.first, from.second)));
    cursor = src_close + 3;
    text_at = byte_pos_of(cursor);
    text = rest;
    node = last;
  }
  cmark_iter_reset(iter, node, CMARK_EVENT_EXIT);  // past the last text node read
  return true;
}

// Notes the line ends inside math node N, which starts at BP in the source, for the
// positions of what follows it in its leaf block (see math_lines_).
void ChapterConverter::math_line_ends(cmark_node* n, BytePos bp, const Frame& f) {
  auto start = static_cast<uint32_t>(cmark_node_get_start_column(n));
  auto end = static_cast<uint32_t>(cmark_node_get_end_column(n));
  if (bp.first == 0 || bp.second == 0 || end < start) return;
  uint32_t left = end - start + 1;  // the span's bytes in cmark's text of the leaf block
  uint32_t line = bp.first, lines = 0, read = 0, after = 0;
  size_t i = bp.second - 1;
  while (left > 0 && line <= source_.line_count()) {
    std::string_view text = source_.line(line);
    if (i >= text.size()) {  // the line end, one byte of cmark's text
      --left;
      ++read;
      after = read;
      ++lines;
      ++line;
      i = content_start(line, f.quote_depth) - 1;
      continue;
    }
    auto take = static_cast<uint32_t>(std::min<size_t>(left, text.size() - i));
    i += take;
    left -= take;
    read += take;
  }
  if (lines == 0) return;
  math_line_ = static_cast<uint32_t>(cmark_node_get_start_line(n));
  math_cols_ = start + after > f.col0 ? start + after - f.col0 : 0;
  math_lines_ += lines;
}

// Applies a heading attribute block (`## Title {#id .class}`) written at the end of the
// heading's line (an ATX heading) or of its last text line (a setext heading).
void ChapterConverter::heading_attributes(cmark_node* n, Block& b) {
  auto first = static_cast<uint32_t>(cmark_node_get_start_line(n));
  auto last = static_cast<uint32_t>(cmark_node_get_end_line(n));
  auto content = [&](uint32_t l) {  // the line without quote markers and indentation
    std::string_view t = source_.line(l);
    size_t i = 0;
    while (i < t.size() && (t[i] == ' ' || t[i] == '\t' || t[i] == '>')) ++i;
    return t.substr(i);
  };
  bool atx = content(first).starts_with("#");
  uint32_t line = first;
  if (!atx) {  // the line before the underline (cmark may end the node after it)
    for (uint32_t l = std::max(last, first); l > first; --l) {
      std::string_view u = trim(content(l));
      if (!u.empty() && u.find_first_not_of(u[0] == '=' ? "=" : "-") == std::string_view::npos &&
          (u[0] == '=' || u[0] == '-')) {
        line = l - 1;
        break;
      }
    }
  }
  HeadingAttributes found = read_heading_attributes(source_.line(line));
  if (!found.found) return;
  strip_heading_attributes(b.inlines, atx);
  b.attr.id = found.attr.id;
  b.attr.classes = found.attr.classes;
  for (size_t k = 0; k < found.attr.attributes.size(); ++k) {
    auto& [name, value] = found.attr.attributes[k];
    if (is_global_attribute(name) && name != "id" && name != "class" && !name.starts_with("on")) {
      b.attr.attributes.emplace_back(name, value);
    } else {
      std::string tag = "h" + std::to_string(b.level);
      diag_.warning(
          file_, source_.pos(line, found.names[k].second),
          "attribute '" + name + "' is not valid on <" + tag + "> in EPUB and was dropped",
          "give the heading an id (#id), classes (.name) or data-* attributes");
    }
  }
}

// Turns a block quote whose first line is `[!NOTE]` (TIP, IMPORTANT, WARNING, CAUTION)
// into an admonition, as mdBook 0.5 reads GitHub's: an <aside> with the kind as a class,
// a role for assistive technology, and its label as a first paragraph.
void ChapterConverter::admonition(cmark_node* n, Block& b) {
  cmark_node* first = cmark_node_first_child(n);
  if (first == nullptr || cmark_node_get_type(first) != CMARK_NODE_PARAGRAPH) return;
  if (b.children.empty() || b.children[0].kind != BlockKind::Paragraph) return;
  auto line = static_cast<uint32_t>(cmark_node_get_start_line(first));
  auto col = static_cast<uint32_t>(cmark_node_get_start_column(first));
  std::string_view text = source_.line(line);
  if (col == 0 || col > text.size()) return;
  std::string kind = admonition_kind(text.substr(col - 1));
  if (kind.empty()) return;
  Block& para = b.children[0];
  drop_first_line(para.inlines);
  if (para.inlines.empty())
    b.children.erase(b.children.begin());
  else
    para.pos = para.inlines[0].pos;
  Block title;
  title.kind = BlockKind::Paragraph;
  title.pos = b.pos;
  title.attr.classes = {"admonition-title"};
  Inline label;
  label.pos = block_pos(first);
  label.text = admonition_label(kind, book_.meta.language);
  title.inlines.push_back(std::move(label));
  b.children.insert(b.children.begin(), std::move(title));
  b.kind = BlockKind::Div;
  b.element = "aside";
  b.attr.classes = {"admonition", "admonition-" + kind};
  b.attr.attributes = {{"role", kind == "tip" ? "doc-tip" : "note"}};
}

// cmark counts inline columns from where the paragraph starts, as if every line began
// at that column; lines that begin elsewhere (lazy continuation lines, deeper
// indentation, `>` markers) are moved to where their text really starts.
BytePos ChapterConverter::inline_byte_pos(cmark_node* n, const Frame& f) const {
  uint32_t line = static_cast<uint32_t>(cmark_node_get_start_line(n));
  uint32_t col = static_cast<uint32_t>(cmark_node_get_start_column(n));
  if (line == 0 || col == 0) {
    // Breaks carry no position: place them just after the previous node.
    cmark_node* prev = cmark_node_previous(n);
    if (prev == nullptr) return {0, 0};
    line = static_cast<uint32_t>(cmark_node_get_end_line(prev));
    col = static_cast<uint32_t>(cmark_node_get_end_column(prev)) + 1;
    if (line == 0) return {0, 0};
  }
  if (math_lines_ > 0 && line >= math_line_) {
    if (line == math_line_) col = col > math_cols_ ? col - math_cols_ : 1;
    line += math_lines_;
  }
  if (line == f.line0 || f.line0 == 0 || col < f.col0) return {line, col};
  return {line, content_start(line, f.quote_depth) + (col - f.col0)};
}

// `[^two words]` cannot be a footnote (labels have no white space), and with a
// definition `[^two words]: text` cmark reads a link to "text" instead: report it.
void ChapterConverter::check_spaced_footnote(BytePos bp, SourcePos pos) {
  std::string_view line = source_.line(bp.first);
  if (bp.second == 0 || bp.second > line.size()) return;
  std::string_view rest = line.substr(bp.second - 1);
  if (rest.substr(0, 2) != "[^") return;
  size_t close = rest.find(']');
  if (close == std::string_view::npos) return;
  if (close + 1 < rest.size() && (rest[close + 1] == '(' || rest[close + 1] == '[')) return;
  std::string_view label = rest.substr(2, close - 2);
  if (label.find_first_of(" \t") == std::string_view::npos) return;
  std::string dashed(label);
  for (char& c : dashed)
    if (c == ' ' || c == '\t') c = '-';
  diag_.error(file_, pos,
              "footnote label [^" + std::string(label) +
                  "] contains white space, so this is not a footnote reference",
              "use a label without spaces, e.g. [^" + dashed + "], here and in its definition");
}

// cmark-gfm 0.29 replaces a reference's label with the 1-based number of its
// definition among the definitions it kept (the order they now have at the end of the
// document), so that number picks the note.
int ChapterConverter::note_of_reference(const char* literal) const {
  if (literal == nullptr) return -1;
  char* end = nullptr;
  long ordinal = std::strtol(literal, &end, 10);
  if (end == literal || *end != '\0' || ordinal < 1 ||
      ordinal > static_cast<long>(notes_in_order_.size()))
    return -1;
  return notes_in_order_[static_cast<size_t>(ordinal - 1)];
}

uint32_t ChapterConverter::content_start(uint32_t line, int quote_depth) const {
  std::string_view text = source_.line(line);
  size_t i = 0;
  auto skip_space = [&] {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  };
  skip_space();
  for (int q = 0; q < quote_depth && i < text.size() && text[i] == '>'; ++q) {
    ++i;
    skip_space();
  }
  return static_cast<uint32_t>(i + 1);
}

// Returns LINE without its indentation and block-quote markers.
std::string_view strip_container_prefix(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '>')) ++i;
  return line.substr(i);
}

// Tells whether LINE (prefix stripped) is a GFM table delimiter row ("|---|:-:|") and
// counts its columns into COLUMNS.
bool is_delimiter_row(std::string_view line, size_t& columns) {
  bool pipe = false;
  columns = 0;
  bool in_dashes = false;
  for (char c : line) {
    if (c == '-') {
      if (!in_dashes) ++columns;
      in_dashes = true;
      continue;
    }
    if (c == '|') {
      pipe = true;
      in_dashes = false;
    } else if (c == ':' || c == ' ' || c == '\t' || c == '\r') {
      if (c != ':') in_dashes = false;
    } else {
      return false;
    }
  }
  return pipe && columns > 0;
}

// Counts the cells of table row LINE (prefix stripped): pipes plus one, less the
// optional pipes at either end.
size_t row_cells(std::string_view line) {
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r'))
    line.remove_suffix(1);
  size_t n = static_cast<size_t>(std::count(line.begin(), line.end(), '|')) + 1;
  if (!line.empty() && line.front() == '|') --n;
  if (line.size() > 1 && line.back() == '|') --n;
  return n;
}

// Returns true when a fence line ("```", "~~~") opens or closes a code block.
bool is_fence(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && i < 3 && line[i] == ' ') ++i;
  if (i + 3 > line.size()) return false;
  char c = line[i];
  return (c == '`' || c == '~') && line[i + 1] == c && line[i + 2] == c;
}

// Reports tables beyond kMaxTableColumns or kMaxTableCells (cells counted as rows times
// the wider of the header and the row) as errors at their delimiter row or widest row,
// before cmark-gfm sees them. Returns false when TEXT holds such a table.
bool check_table_sizes(std::string_view text, const std::string& file, Diagnostics& diag) {
  std::vector<std::string_view> lines;
  for (size_t start = 0; start <= text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  bool ok = true;
  bool in_fence = false;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = strip_container_prefix(lines[i]);
    if (is_fence(lines[i])) in_fence = !in_fence;
    size_t columns = 0;
    if (i == 0 || in_fence || !is_delimiter_row(line, columns)) continue;
    size_t cells = 0;
    size_t widest = columns, widest_line = i;
    size_t row = i - 1;
    for (; row < lines.size(); ++row) {
      std::string_view r = strip_container_prefix(lines[row]);
      if (r.empty() || r == "\r") break;
      size_t n = row_cells(r);
      if (n > widest) widest = n, widest_line = row;
      cells += std::max(n, columns);
    }
    if (widest > kMaxTableColumns) {
      diag.error(file, SourcePos{static_cast<uint32_t>(widest_line + 1), 1},
                 "table row has " + std::to_string(widest) + " cells; at most " +
                     std::to_string(kMaxTableColumns) + " columns are accepted",
                 "split the table into narrower tables");
      ok = false;
    } else if (cells > kMaxTableCells) {
      diag.error(file, SourcePos{static_cast<uint32_t>(i + 1), 1},
                 "table has about " + std::to_string(cells) + " cells; at most " +
                     std::to_string(kMaxTableCells) + " are accepted",
                 "split the table into several smaller tables");
      ok = false;
    }
    // The rows just counted cannot hold another delimiter row. When the line above is
    // blank no row was counted (row == i - 1): never step back, or this loops forever.
    i = std::max(i, row);
  }
  return ok;
}

}  // namespace

std::unique_ptr<ParsedChapter> parse_markdown(std::string text, const std::string& file,
                                              std::unique_ptr<SourceMap> map,
                                              const Diagnostics* earlier,
                                              const MarkdownOptions& markdown) {
  work::add(text.size());  // cmark-gfm reads each byte a few times
  auto parsed = std::make_unique<ParsedChapter>();
  if (earlier != nullptr)
    for (Diagnostic& d : earlier->all()) parsed->diag.add(std::move(d));
  parsed->text = std::move(text);
  parsed->source = std::make_unique<SourceText>(parsed->text);
  parsed->map = std::move(map);
  if (parsed->map) parsed->source->set_map(parsed->map.get());
  const SourceText& source = *parsed->source;
  source.check_encoding(file, parsed->diag);
  if (!check_table_sizes(source.text(), file, parsed->diag)) return parsed;  // too slow for cmark
  std::vector<cmark_syntax_extension*> extensions;
  if (markdown.definition_lists) extensions.push_back(definition_list_extension());
  if (markdown.dollar_math) extensions.push_back(dollar_math_extension());
  if (markdown.mathjax) extensions.push_back(mathjax_extension());
  if (markdown.admonish.enabled && source.text().find("admonish") != std::string_view::npos) {
    AdmonishRewrite r = rewrite_admonish_blocks(source, parsed->map, file, markdown.admonish,
                                                kChapterOptions, extensions, parsed->diag);
    if (r.changed) {
      parsed->text = std::move(r.text);
      parsed->map = std::move(r.map);
      parsed->source = std::make_unique<SourceText>(parsed->text);
      parsed->source->set_map(parsed->map.get());
      parsed->admonish_titles = std::move(r.title_lines);
      parsed->doc = std::move(r.doc);  // TEXT as cmark-gfm read it with these options
      return parsed;
    }
  }
  parsed->doc = std::make_unique<CmarkDocument>(source.text(), kChapterOptions, true, extensions);
  return parsed;
}

void convert_chapter(ParsedChapter& parsed, Book& book, int chapter_index, Diagnostics& diag) {
  for (Diagnostic& d : parsed.diag.all()) diag.add(std::move(d));
  if (chapter_index < 0 || chapter_index >= static_cast<int>(book.chapters.size())) return;
  if (!parsed.page_title.empty()) book.chapters[chapter_index].page_title = parsed.page_title;
  if (!parsed.doc) return;
  CmarkArenaScope scope(parsed.doc->arena());  // cmark may allocate while we read its nodes
  ChapterConverter(*parsed.source, book, chapter_index, diag, parsed.admonish_titles)
      .convert(parsed.doc->root());
}

void parse_chapter(std::string_view text, Book& book, int chapter_index, Diagnostics& diag) {
  if (chapter_index < 0 || chapter_index >= static_cast<int>(book.chapters.size())) return;
  const std::string file = book.display(book.chapters[chapter_index].source);
  std::unique_ptr<ParsedChapter> parsed =
      parse_markdown(std::string(text), file, nullptr, nullptr, book.markdown);
  convert_chapter(*parsed, book, chapter_index, diag);
}

}  // namespace colophon
