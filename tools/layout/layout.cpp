// The layout pipeline: flow the body, paginate it, then build the front matter (title
// page, copyright page, contents with the body's page numbers) and compose every page
// with margins, running heads and folios.
#include "layout/layout.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <deque>
#include <functional>
#include <unordered_set>

#include "layout/engine.h"
#include "layout/flow.h"
#include "layout/paginate.h"

namespace colophon {

namespace {

using namespace layout;

constexpr double kFootSeparatorLeadings = 1.0;  // space above footnotes, in body leadings
constexpr double kFootRuleRatio = 0.3;          // footnote rule length, of the measure
constexpr double kFootRuleThickness = 0.4;      // points
constexpr double kHeadRaiseLeadings = 1.6;      // running head baseline above the text block
constexpr double kFootFolioLeadings = 2.2;      // opening-page folio baseline below the text block
constexpr double kLeaderPitchEm = 0.6;          // distance of dots in contents leaders, body ems
constexpr double kTocNumberColumnEm = 2.8;      // width reserved for page numbers, body ems

std::string roman(int n) {
  static const std::pair<int, const char*> kDigits[] = {
      {1000, "m"}, {900, "cm"}, {500, "d"}, {400, "cd"}, {100, "c"}, {90, "xc"},
      {50, "l"},   {40, "xl"},  {10, "x"},  {9, "ix"},   {5, "v"},   {4, "iv"}, {1, "i"}};
  std::string out;
  for (auto [v, s] : kDigits)
    while (n >= v) {
      out += s;
      n -= v;
    }
  return out;
}

// Front matter (title and copyright pages) that does not fit its page: the title page
// sets its texts smaller, step by step, down to the body size; then the longest text is
// cut, a share at a time, with an ellipsis.
constexpr double kFrontShrinkStep = 0.9;  // each try sets the title page this much smaller
constexpr size_t kFrontMaxChars = 2000;   // characters of one text ever tried: more fill no page
constexpr double kFrontCutRatio = 0.7;    // each cut keeps this share of the characters shown
constexpr size_t kFrontMinChars = 12;     // a cut text keeps at least this many characters

// One text of the front matter: its type, and the book.toml key it comes from.
struct FrontText {
  std::string text;
  double size = 10;       // points, at full size
  double min_size = 10;   // points: the smallest it is set in
  double leading = 1.3;   // baseline to baseline, of its size
  double gap = 0;         // points above it at full size (counted even when it is empty)
  FaceStyle style = FaceStyle::Regular;
  const char* key = nullptr;  // the [book] key it comes from; null: it is never cut
  SourcePos pos;              // that key's place in book.toml
  size_t shown = 0;           // characters set, when it is cut (0: all of it)
  std::vector<VItem> lines;   // its lines as last set

  // Returns how many characters are set: SHOWN, or all of them.
  size_t chars_set() const { return shown > 0 ? shown : utf8_length(text); }
  // Returns the height of its lines as last set.
  double height() const {
    double h = 0;
    for (const VItem& l : lines) h += l.height;
    return h;
  }
};

// Returns TEXT as front matter in SIZE points (its minimum too, until changed).
FrontText front_text(std::string text, double size) {
  FrontText t;
  t.text = std::move(text);
  t.size = t.min_size = size;
  return t;
}

// Returns the first N characters of TEXT, ending at a space when there is one in their
// last third, followed by an ellipsis.
std::string cut_text(std::string_view text, size_t n) {
  size_t end = 0;
  for (size_t k = 0; end < text.size() && k < n; ++k) next_code_point(text, end);
  std::string_view head = text.substr(0, end);
  size_t space = head.rfind(' ');
  if (space != std::string_view::npos && space > head.size() * 2 / 3) head = head.substr(0, space);
  while (!head.empty() && (head.back() == ' ' || head.back() == ',')) head.remove_suffix(1);
  return std::string(head) + "\u2026";  // HORIZONTAL ELLIPSIS
}

// Returns a penalty that forbids a page break.
VItem keep_item() {
  VItem v;
  v.kind = VItem::Kind::Penalty;
  v.penalty = kInfPenalty;
  return v;
}

// Builds and composes pages for one book.
class Composer {
 public:
  Composer(Context& ctx) : ctx_(ctx), flow_(ctx) {}

  Document run() {
    const Book& book = ctx_.book;
    const Style& st = ctx_.style;
    Document doc;
    doc.width = st.page_width;
    doc.height = st.page_height;

    // Body: chapters (with part pages) and endnotes.
    int part = -1;
    for (size_t c = 0; c < book.chapters.size(); ++c) {
      const Chapter& ch = book.chapters[c];
      if (ch.part >= 0 && ch.part != part && ch.part < static_cast<int>(book.parts.size())) {
        part = ch.part;
        flow_.add_part(part);
      }
      flow_.add_chapter(static_cast<int>(c));
    }
    if (book.note_options.pdf_placement == NoteOptions::Placement::Book) flow_.add_book_notes();
    FlowResult body = flow_.take();
    outline_ = body.outline;
    std::vector<std::vector<VItem>> note_lines(book.notes.size());
    if (book.note_options.pdf_placement == NoteOptions::Placement::Page)
      for (size_t n = 0; n < book.notes.size(); ++n)
        note_lines[n] = flow_.footnote_lines(static_cast<int>(n));
    PageSpec spec;
    spec.height = flow_.text_height();
    spec.measure = flow_.measure();
    spec.foot_separator = kFootSeparatorLeadings * st.leading;
    spec.two_sided = st.two_sided;
    std::deque<VItem> owned;
    std::vector<BodyPage> pages = paginate(body, note_lines, spec, owned);
    std::vector<int> chapter_page(book.chapters.size(), -1);
    for (size_t p = 0; p < pages.size(); ++p)
      for (const Placed& pl : pages[p].body)
        if (pl.item->toc_chapter >= 0 && chapter_page[pl.item->toc_chapter] < 0)
          chapter_page[pl.item->toc_chapter] = static_cast<int>(p);

    // Front matter: title, copyright, contents (now that chapter pages are known).
    title_page(doc);
    copyright_page(doc);
    FlowResult toc = contents(chapter_page);
    std::deque<VItem> toc_owned;
    std::vector<BodyPage> toc_pages = paginate(toc, {}, spec, toc_owned);
    if (st.two_sided && doc.pages.size() % 2 == 1) doc.pages.emplace_back();
    int toc_first = static_cast<int>(doc.pages.size());
    for (const BodyPage& p : toc_pages) compose(doc, p, "Contents");
    if (st.two_sided && doc.pages.size() % 2 == 1) doc.pages.emplace_back();
    for (size_t i = 0; i < doc.pages.size(); ++i) doc.pages[i].label = roman(static_cast<int>(i) + 1);
    if (!toc_pages.empty()) doc.outline.insert(doc.outline.begin(), OutlineEntry{"Contents", 0, toc_first, 0});
    const int front = static_cast<int>(doc.pages.size());
    doc.labels.push_back(PageLabelRange{0, PageLabelRange::Style::LowerRoman, 1});

    for (const BodyPage& p : pages) compose(doc, p, {}, &body.items);
    for (size_t i = front; i < doc.pages.size(); ++i)
      doc.pages[i].label = std::to_string(i - front + 1);
    if (!pages.empty()) doc.labels.push_back(PageLabelRange{front, PageLabelRange::Style::Decimal, 1});
    check_links(doc);
    return doc;
  }

 private:
  struct Margins {
    double left, top;
    bool recto;
  };

  Margins margins_for(const Document& doc) const {
    const Style& st = ctx_.style;
    bool recto = doc.pages.size() % 2 == 0;  // pages count from 1: even index = odd page
    double left = !st.two_sided || recto ? st.margin_inner : st.margin_outer;
    return {left, st.margin_top, recto};
  }

  // Draws ITEM at (X, Y) of PAGE; its drawing is moved, not copied, when ITEM is one of
  // MOVABLE (the body's items, each placed once: copying them doubled the layout's memory).
  void place(Page& page, const VItem& item, double x, double y, int page_index, Document& doc,
             std::vector<VItem>* movable) {
    std::less<const VItem*> before;
    if (movable && !movable->empty() && !before(&item, movable->data()) &&
        before(&item, movable->data() + movable->size())) {
      append_content(page, std::move((*movable)[&item - movable->data()].content), x, y);
    } else {
      append_content(page, item.content, x, y);
    }
    for (int o : item.outline) {
      const PendingOutline& po = outline_[o];
      doc.outline.push_back(OutlineEntry{po.title, po.level, page_index, y});
    }
  }

  // Draws BODY onto a new page of DOC and queues its head or folio; HEAD overrides the
  // running head (front matter).
  void compose(Document& doc, const BodyPage& body, const std::string& head,
               std::vector<VItem>* movable = nullptr) {
    const Style& st = ctx_.style;
    Margins m = margins_for(doc);
    int index = static_cast<int>(doc.pages.size());
    doc.pages.emplace_back();
    Page& page = doc.pages.back();
    if (body.blank) return;
    for (const Placed& p : body.body) {
      if (page.origin == nullptr) page.origin = p.item->origin;
      place(page, *p.item, m.left, m.top + p.y, index, doc, movable);
    }
    if (!body.notes.empty()) {
      Rule r;
      r.x = m.left;
      r.y = m.top + body.foot_top + (kFootSeparatorLeadings * st.leading) * 0.45;
      r.width = (st.page_width - st.margin_inner - st.margin_outer) * kFootRuleRatio;
      r.height = kFootRuleThickness;
      page.rules.push_back(r);
      for (const Placed& p : body.notes)
        place(page, *p.item, m.left, m.top + p.y, index, doc, nullptr);
    }
    pending_heads_.push_back({index, body.opening, body.chapter, head});
  }

  // Adds running heads and folios once labels are known.
  void finish_heads(Document& doc) {
    const Style& st = ctx_.style;
    const FaceId face{FaceFamily::Text, FaceStyle::Italic};
    const FaceId folio_face{FaceFamily::Text, FaceStyle::Regular};
    const double measure = st.page_width - st.margin_inner - st.margin_outer;
    for (const PendingHead& h : pending_heads_) {
      Page& page = doc.pages[h.page];
      bool recto = h.page % 2 == 0;
      double left = !st.two_sided || recto ? st.margin_inner : st.margin_outer;
      const std::string& folio = page.label;
      double fw = text_width(ctx_, folio_face, st.folio_size, folio);
      if (h.opening) {
        double y = st.page_height - st.margin_bottom + kFootFolioLeadings * st.leading;
        draw_text(ctx_, page, left + (measure - fw) / 2, y, folio_face, st.folio_size, folio);
        continue;
      }
      double y = st.margin_top - kHeadRaiseLeadings * st.leading;
      std::string text = h.head;
      if (text.empty()) {
        if (!recto || !st.two_sided) text = ctx_.book.meta.title;
        else if (h.chapter >= 0) text = ctx_.book.chapters[h.chapter].title;
        else text = "Notes";
      }
      double tw = text_width(ctx_, face, st.running_head_size, text);
      if (tw < measure - 2 * fw - 24)
        draw_text(ctx_, page, left + (measure - tw) / 2, y, face, st.running_head_size, text);
      double fx = recto || !st.two_sided ? left + measure - fw : left;
      draw_text(ctx_, page, fx, y, folio_face, st.folio_size, folio);
    }
    pending_heads_.clear();
  }

  // Returns the file that gives the book's title and authors, for messages about them.
  std::string front_file() const {
    const Book& b = ctx_.book;
    if (!b.config_file.empty()) return b.display(b.config_file);
    if (b.src_dir == "." && b.chapters.size() == 1) return b.display(b.chapters[0].source);  // one Markdown file
    return b.display("book.toml");
  }

  // Sets TEXTS, each at SCALE of its size (never below its minimum), centred or left
  // ALIGNed in MEASURE from LEFT; returns their height with the gaps between them.
  double set_front(std::vector<FrontText>& texts, double scale, double left, double measure,
                   Justify align) {
    double h = 0;
    for (FrontText& t : texts) {
      if (&t != &texts.front()) h += t.gap * scale;
      t.lines.clear();
      if (t.text.empty()) continue;
      Frame f;
      f.left = left;
      f.measure = measure;
      f.size = std::max(t.min_size, t.size * scale);
      f.leading = f.size * t.leading;
      f.justify = align;
      f.hyphenate = false;
      f.style = t.style;
      std::vector<Inline> in(1);
      in[0].text = t.shown > 0 ? cut_text(t.text, t.shown) : t.text;
      Paragraph p = collect_inlines(ctx_, in, f, false);
      t.lines = set_paragraph(ctx_, p, f);
      h += t.height();
    }
    return h;
  }

  // Sets TEXTS so that they fit in HEIGHT: smaller (down to each one's minimum size),
  // then with the tallest text cut, again and again, until they fit; warns, naming the
  // key in book.toml, of each text cut on the page called WHERE. Returns the scale of
  // their sizes.
  double fit_front(std::vector<FrontText>& texts, double height, double left, double measure,
                   Justify align, const char* where) {
    for (FrontText& t : texts)
      if (t.key != nullptr && utf8_length(t.text) > kFrontMaxChars) t.shown = kFrontMaxChars;
    // Smaller until every text is at its minimum size (the one furthest above it last).
    double min_scale = 1;
    for (const FrontText& t : texts)
      if (!t.text.empty() && t.size > 0) min_scale = std::min(min_scale, t.min_size / t.size);
    double scale = 1;
    ctx_.trial = true;
    for (;;) {
      const double h = set_front(texts, scale, left, measure, align);
      if (h <= height) break;
      if (scale > min_scale) {
        scale = std::max(min_scale, scale * kFrontShrinkStep);
        continue;
      }
      // The tallest text that can still lose characters loses some.
      FrontText* tallest = nullptr;
      double tallest_h = 0;
      for (FrontText& t : texts) {
        if (t.key != nullptr && t.chars_set() > kFrontMinChars && t.height() > tallest_h) {
          tallest = &t;
          tallest_h = t.height();
        }
      }
      if (tallest == nullptr) break;  // nothing left to cut: it overflows
      tallest->shown = std::max(
          kFrontMinChars, static_cast<size_t>(static_cast<double>(tallest->chars_set()) * kFrontCutRatio));
    }
    ctx_.trial = false;
    set_front(texts, scale, left, measure, align);  // again, reporting what it finds
    const bool book_toml = !ctx_.book.config_file.empty();
    for (const FrontText& t : texts) {
      if (t.shown == 0) continue;
      char size[32];
      std::snprintf(size, sizeof size, "%.1f", std::max(t.min_size, t.size * scale));
      ctx_.diag.warning(front_file(), t.pos,
                        std::string("the ") + t.key + " (" + std::to_string(utf8_length(t.text)) +
                            " characters) " + (std::string_view(t.key) == "authors" ? "do" : "does") +
                            " not fit on the PDF's " + where + ", even in " + size +
                            " pt type; the page shows its first " + std::to_string(t.shown) +
                            " characters and an ellipsis",
                        book_toml ? std::string("shorten '") + t.key + "' in [book] of book.toml; the EPUB keeps it whole"
                                  : std::string("shorten the ") + t.key + " in the metadata block; the EPUB keeps it whole");
    }
    return scale;
  }

  // Draws LINES on PAGE from Y down; returns the y below them.
  static double place_lines(Page& page, std::vector<VItem>& lines, double y) {
    for (VItem& l : lines) {
      append_content(page, l.content, 0, y);
      y += l.height;
    }
    return y;
  }

  void title_page(Document& doc) {
    const Style& st = ctx_.style;
    const Metadata& meta = ctx_.book.meta;
    double measure = st.page_width - st.margin_inner - st.margin_outer;
    doc.pages.emplace_back();
    Page& page = doc.pages.back();
    const std::string saved_file = ctx_.file;
    ctx_.file = front_file();
    double left = st.margin_inner;
    std::string authors;
    for (size_t i = 0; i < meta.authors.size(); ++i)
      authors += (i == 0 ? "" : i + 1 == meta.authors.size() ? " and " : ", ") + meta.authors[i];
    // Title, subtitle and authors from the top; the publisher at the foot, its last line
    // where a one-line publisher stands.
    std::vector<FrontText> texts(4);
    texts[0] = front_text(meta.title.empty() ? "Untitled" : meta.title, st.heading_sizes[0] * 1.45);
    texts[0].style = FaceStyle::Bold;
    texts[0].key = "title";
    texts[0].pos = meta.title_pos;
    texts[1] = front_text(meta.subtitle, st.heading_sizes[1]);
    texts[1].gap = st.leading * 0.6;
    texts[1].style = FaceStyle::Italic;
    texts[1].key = "subtitle";
    texts[1].pos = meta.subtitle_pos;
    texts[2] = front_text(authors, st.heading_sizes[2]);
    texts[2].gap = st.leading * 3;
    texts[2].key = "authors";
    texts[2].pos = meta.authors_pos;
    texts[3] = front_text(meta.publisher, st.font_size);
    texts[3].gap = st.leading;
    texts[3].key = "publisher";
    texts[3].pos = meta.publisher_pos;
    for (FrontText& t : texts) t.min_size = std::min(t.size, st.font_size);
    const double foot = st.page_height - st.margin_bottom - st.leading * 2 + st.font_size * 1.3;
    const double scale = fit_front(texts, foot - st.margin_top, left, measure, Justify::Center, "title page");
    double block_h = (texts[1].gap + texts[2].gap) * scale;
    for (size_t i = 0; i < 3; ++i) block_h += texts[i].height();
    const double publisher_top = foot - texts[3].height();
    double y = st.margin_top + (st.page_height - st.margin_top - st.margin_bottom) * 0.22;
    if (y + block_h > publisher_top - texts[3].gap * scale)
      y = std::max(st.margin_top, publisher_top - texts[3].gap * scale - block_h);
    for (size_t i = 0; i < 3; ++i) y = place_lines(page, texts[i].lines, y + (i > 0 ? texts[i].gap * scale : 0));
    place_lines(page, texts[3].lines, publisher_top);
    ctx_.file = saved_file;
  }

  void copyright_page(Document& doc) {
    const Style& st = ctx_.style;
    const Metadata& meta = ctx_.book.meta;
    doc.pages.emplace_back();
    Page& page = doc.pages.back();
    const std::string saved_file = ctx_.file;
    ctx_.file = front_file();
    double left = st.two_sided ? st.margin_outer : st.margin_inner;
    double measure = st.page_width - st.margin_inner - st.margin_outer;
    // Each line of the page, a blank line as the gap above the next.
    std::vector<FrontText> texts;
    double gap = 0;
    auto line = [&](std::string text, const char* key = nullptr, SourcePos pos = {}) {
      if (text.empty()) return;
      FrontText t = front_text(std::move(text), st.footnote_size);
      t.leading = st.footnote_leading / st.footnote_size;
      t.gap = gap;
      t.key = key;
      t.pos = pos;
      texts.push_back(std::move(t));
      gap = 0;
    };
    auto blank = [&]() { gap += st.footnote_leading; };
    line(meta.title.empty() ? "Untitled" : meta.title, "title", meta.title_pos);
    line(meta.subtitle, "subtitle", meta.subtitle_pos);
    if (!meta.authors.empty()) {
      std::string a = "by ";
      for (size_t i = 0; i < meta.authors.size(); ++i) a += (i ? ", " : "") + meta.authors[i];
      line(a, "authors", meta.authors_pos);
    }
    blank();
    if (!meta.publisher.empty()) line("Published by " + meta.publisher, "publisher", meta.publisher_pos);
    line(meta.date);
    line(meta.rights, "rights", meta.rights_pos);
    line(meta.identifier, "identifier", meta.identifier_pos);
    blank();
    line("Typeset with colophon");
    const double height = st.page_height - st.margin_top - st.margin_bottom;
    fit_front(texts, height, left, measure, Justify::Left, "copyright page");
    double h = 0;
    for (const FrontText& t : texts) {
      h += (&t != &texts.front() ? t.gap : 0) + t.height();
    }
    double y = st.page_height - st.margin_bottom - h;
    for (FrontText& t : texts) y = place_lines(page, t.lines, y + (&t != &texts.front() ? t.gap : 0));
    ctx_.file = saved_file;
  }

  // Builds the table of contents as a vertical list, page numbers from CHAPTER_PAGE.
  FlowResult contents(const std::vector<int>& chapter_page) {
    const Style& st = ctx_.style;
    const Book& book = ctx_.book;
    FlowResult out;
    const double measure = st.page_width - st.margin_inner - st.margin_outer;
    VItem open;
    open.opening = true;
    open.height = (st.page_height - st.margin_top - st.margin_bottom) * 0.18;
    open.content.anchors.push_back(Anchor{"contents", 0});
    out.items.push_back(std::move(open));
    Frame title;
    title.measure = measure;
    title.size = st.heading_sizes[0];
    title.leading = title.size * 1.25;
    title.justify = Justify::Left;
    title.style = FaceStyle::Bold;
    title.hyphenate = false;
    std::vector<Inline> t(1);
    t[0].text = "Contents";
    Paragraph tp = collect_inlines(ctx_, t, title, false);
    for (VItem& l : set_paragraph(ctx_, tp, title)) {
      out.items.push_back(keep_item());
      out.items.push_back(std::move(l));
    }
    VItem gap;
    gap.kind = VItem::Kind::Penalty;
    gap.penalty = kInfPenalty;
    out.items.push_back(std::move(gap));
    VItem sp;
    sp.kind = VItem::Kind::Glue;
    sp.height = 2 * st.leading;
    out.items.push_back(std::move(sp));

    const FaceId face{FaceFamily::Text, FaceStyle::Regular};
    const double num_col = kTocNumberColumnEm * st.font_size;
    const double pitch = kLeaderPitchEm * st.font_size;
    int part = -1;
    for (size_t c = 0; c < book.chapters.size(); ++c) {
      const Chapter& ch = book.chapters[c];
      if (ch.part >= 0 && ch.part != part && ch.part < static_cast<int>(book.parts.size())) {
        part = ch.part;
        Frame f;
        f.measure = measure;
        f.size = st.font_size;
        f.leading = st.leading;
        f.justify = Justify::Left;
        f.style = FaceStyle::Bold;
        f.hyphenate = false;
        std::vector<Inline> in(1);
        in[0].text = book.parts[part];
        Paragraph p = collect_inlines(ctx_, in, f, false);
        VItem g;
        g.kind = VItem::Kind::Glue;
        g.height = st.leading * 0.5;
        out.items.push_back(std::move(g));
        for (VItem& l : set_paragraph(ctx_, p, f)) out.items.push_back(std::move(l));
        out.items.push_back(keep_item());
      }
      Frame f;
      double indent = ch.depth * 1.5 * st.font_size;
      f.left = indent;
      f.measure = measure - indent - num_col;
      f.size = st.font_size;
      f.leading = st.leading;
      f.justify = Justify::Left;
      f.hyphenate = false;
      std::vector<Inline> in(1);
      in[0].text = ch.title;
      Paragraph p = collect_inlines(ctx_, in, f, false);
      // An entry runs in the book's direction, whatever its title's script: a Hebrew
      // title in an English book is a right-to-left word in a left-to-right line, with
      // its page number at the right.
      ctx_.direction = book.meta.direction.empty() ? "ltr" : book.meta.direction;
      std::vector<VItem> lines = set_paragraph(ctx_, p, f);
      ctx_.direction.clear();
      if (lines.empty()) continue;
      VItem& last = lines.back();
      double end = indent;
      double base = last.content.texts.empty() ? st.leading * 0.75 : last.content.texts[0].y;
      for (const TextRun& r : last.content.texts)
        end = std::max(end, r.x + ctx_.metrics.width(r.face, r.text) * r.size);
      std::string num = chapter_page[c] >= 0 ? std::to_string(chapter_page[c] + 1) : "";
      double nw = text_width(ctx_, face, st.font_size, num);
      double num_x = measure - nw;
      double dot_w = text_width(ctx_, face, st.font_size, ".");
      for (double x = std::ceil((end + pitch) / pitch) * pitch; x + dot_w < measure - num_col + pitch * 0.5 && x + dot_w < num_x - pitch * 0.5; x += pitch)
        draw_text(ctx_, last.content, x, base, face, st.font_size, ".");
      draw_text(ctx_, last.content, num_x, base, face, st.font_size, num);
      for (VItem& l : lines) {
        LinkArea a;
        a.x = indent;
        a.width = measure - indent;
        a.height = l.height;
        a.dest = ch.id;
        l.content.links.push_back(std::move(a));
      }
      VItem g;
      g.kind = VItem::Kind::Glue;
      g.height = ch.depth == 0 ? st.leading * 0.25 : 0;
      out.items.push_back(std::move(g));
      for (size_t k = 0; k < lines.size(); ++k) {
        if (k > 0) {
          out.items.push_back(keep_item());
        }
        out.items.push_back(std::move(lines[k]));
      }
    }
    return out;
  }

  // Points links at anchors that exist: a missing element falls back to its chapter,
  // a missing chapter drops the link.
  void check_links(Document& doc) {
    std::unordered_set<std::string> names;
    for (const Page& p : doc.pages)
      for (const Anchor& a : p.anchors) names.insert(a.name);
    for (Page& p : doc.pages) {
      std::vector<LinkArea> kept;
      for (LinkArea& l : p.links) {
        if (!l.dest.empty() && !names.count(l.dest)) {
          std::string chapter = l.dest.substr(0, l.dest.find('#'));
          if (!names.count(chapter)) continue;
          l.dest = chapter;
        }
        kept.push_back(std::move(l));
      }
      p.links = std::move(kept);
    }
  }

 public:
  // Finishes heads after labels are set (called by layout_book).
  void heads(Document& doc) { finish_heads(doc); }
  // Gives the outline titles the flow collected.
  void set_outline(std::vector<PendingOutline> o) { outline_ = std::move(o); }

 private:
  struct PendingHead {
    int page;
    bool opening;
    int chapter;
    std::string head;
  };
  Context& ctx_;
  Flow flow_;
  std::vector<PendingOutline> outline_;
  std::vector<PendingHead> pending_heads_;
};

}  // namespace

Document layout_book(const Book& book, const Style& style, const FontMetrics& metrics,
                     Diagnostics& diag) {
  Context ctx{book, style, metrics, diag};
  std::string config = book.config_display();
  std::unique_ptr<Hyphenator> hyphenator;
  if (style.hyphenate) {
    ctx.hyphenation = true;
    hyphenator = std::make_unique<Hyphenator>(book.meta.language, diag, config);
    if (hyphenator->available()) ctx.hyphenator = hyphenator.get();
  }
  Composer composer(ctx);
  Document doc = composer.run();
  composer.heads(doc);
  ctx.report_missing_glyphs();
  ctx.report_inline_images();
  return doc;
}

}  // namespace colophon
