// Stages "linebreak" driver and "finalize": a paragraph goes through TeX's passes
// (pretolerance without hyphenation, tolerance with it, a last pass that takes any line
// short of overfull), then each line is set: words positioned (very loose lines letter-spaced
// a little), hyphens added, strike rules and link areas drawn.
#include <algorithm>
#include <cmath>

#include "core/utf8.h"
#include "core/work.h"
#include "layout/engine.h"

namespace colophon::layout {

namespace {

constexpr double kPretolerance = 100;          // TeX's \pretolerance (first pass, no hyphenation)
constexpr double kTolerance = 200;             // TeX's \tolerance (second pass)
// Ems of the text size, TeX's \emergencystretch (third pass).
constexpr double kEmergencyStretchEm = 1.5;
// Badness of a line stretched 21.5 times its stretch: the last pass tells apart lines up
// to it (with TeX's cap of 10000 every very loose line would cost the same).
constexpr double kRescueBadnessCap = 1e6;
// Stretch ratio beyond which a justified line's excess space goes between letters too.
constexpr double kTrackingFromRatio = 2.0;
// Ems of the text size added between two letters of such a line, at most.
constexpr double kMaxTrackingEm = 0.02;
constexpr double kRaggedStretchEm = 2.0;       // ems; \rightskip stretch of ragged-right text
constexpr double kStrikeHeightEm = 0.28;       // ems above the baseline of the strike-through rule
constexpr double kStrikeThicknessEm = 0.055;   // ems, the rule's thickness

// One positioned piece of text on a line.
struct Piece {
  int run;
  double x, width;
  std::string text;
  bool whole = false;   // a letter-spaced cluster: never merged with the next box
  bool rtl = false;     // right to left: TEXT in reading order, drawn from its right end
  bool spaced = true;   // the gap before it is a word space, not one between characters
};

// A piece of a line in the order it is seen: an item, or the part of a box that has one
// bidi level (a box with Latin and Hebrew in it splits in two).
struct Atom {
  int item;                     // index into the paragraph's items
  uint32_t begin = 0, end = 0;  // Box: bytes of its run's text
  uint8_t level = 0;            // bidi embedding level: odd = right to left
  bool whole = true;            // Box: all of the item's text
  bool hyphen = false;          // the hyphen of a line broken at a hyphenation point
};

// The bidi levels of a paragraph's runs, when it has right-to-left text.
struct ParagraphLevels {
  bool active = false;             // the paragraph needs reordering
  uint8_t paragraph = 0;           // its own level
  std::vector<uint32_t> run_start;  // per run: its first byte in the paragraph's text
  std::vector<uint8_t> levels;      // per byte of the paragraph's text

  // Returns the level of byte AT of run RUN (the paragraph's for no run).
  uint8_t at(int run, uint32_t at) const {
    if (run < 0 || !active) return paragraph;
    size_t i = run_start[static_cast<size_t>(run)] + at;
    return i < levels.size() ? levels[i] : paragraph;
  }
};

// Runs the bidi algorithm over PARA when its text, its elements' directions or DIRECTION
// ask for it. The controls of the elements with a direction go into the text the
// algorithm sees, and their levels are dropped from its answer.
ParagraphLevels paragraph_levels(const Paragraph& para, std::string_view direction) {
  ParagraphLevels out;
  std::string text;                  // the runs' text with the bidi controls
  std::vector<uint32_t> text_start;  // per run: its first byte in text
  uint32_t plain = 0;                // bytes of the runs' text so far, without the controls
  size_t m = 0;
  auto put_marks = [&](size_t run) {
    for (; m < para.bidi_marks.size() && para.bidi_marks[m].run <= run; ++m)
      append_utf8(text, para.bidi_marks[m].mark);
  };
  for (size_t r = 0; r < para.runs.size(); ++r) {
    put_marks(r);
    const Run& run = para.runs[r];
    // A line break is a LINE SEPARATOR, an image an OBJECT REPLACEMENT CHARACTER.
    const std::string_view piece = run.kind == Run::Kind::LineBreak ? std::string_view("\u2028")
                                   : run.kind == Run::Kind::Image   ? std::string_view("\uFFFC")
                                                                    : std::string_view(run.text);
    out.run_start.push_back(plain);
    text_start.push_back(static_cast<uint32_t>(text.size()));
    text += piece;
    plain += static_cast<uint32_t>(piece.size());
  }
  put_marks(para.runs.size());
  if (direction != "rtl" && !unicode::has_rtl(text)) return out;
  unicode::BidiLevels levels = unicode::bidi_levels(text, direction);
  out.active = true;
  out.paragraph = levels.paragraph;
  if (para.bidi_marks.empty()) {
    out.levels = std::move(levels.levels);
    return out;
  }
  out.levels.resize(plain);
  for (size_t r = 0; r < para.runs.size(); ++r) {
    const uint32_t size =
        (r + 1 < para.runs.size() ? out.run_start[r + 1] : plain) - out.run_start[r];
    std::copy_n(levels.levels.begin() + text_start[r], size, out.levels.begin() + out.run_start[r]);
  }
  return out;
}

// Tells whether C is a combining mark drawn on the character before it.
bool is_combining(char32_t c) { return (c >= 0x300 && c <= 0x36F) || (c >= 0x483 && c <= 0x489); }

// Calls F(byte offset, byte length) for each character of TEXT with its combining marks.
template <typename F>
int for_each_cluster(std::string_view text, F&& f) {
  int n = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t from = i;
    next_code_point(text, i);
    size_t j = i;
    while (j < text.size()) {
      size_t k = j;
      if (!is_combining(next_code_point(text, k))) break;
      j = k;
    }
    f(from, j - from);
    i = j;
    ++n;
  }
  return n;
}

}  // namespace

namespace {

// Calls F(begin, end, rtl) for each stretch of TEXT at one bidi level, in the order they
// are seen left to right (one call, left to right, for text with nothing right to left).
template <typename F>
void for_each_direction_run(std::string_view text, F&& f) {
  if (!unicode::has_rtl(text)) {
    f(0, text.size(), false);
    return;
  }
  unicode::BidiLevels lv = unicode::bidi_levels(text, "");
  std::vector<std::pair<size_t, size_t>> runs;
  std::vector<uint8_t> levels;
  for (size_t from = 0, i = 0; i <= text.size(); ++i) {
    if (i < text.size() && lv.levels[i] == lv.levels[from]) continue;
    runs.push_back({from, i});
    levels.push_back(lv.levels[from]);
    from = i;
  }
  for (size_t k : unicode::visual_order(levels)) f(runs[k].first, runs[k].second, levels[k] % 2 == 1);
}

}  // namespace

double draw_text(Context& ctx, Page& page, double x, double y, FaceId face, double size,
                 std::string_view text) {
  work::add(text.size());
  double x0 = x;
  for_each_direction_run(text, [&](size_t begin, size_t end, bool rtl) {
    std::string_view part = text.substr(begin, end - begin);
    // A right-to-left stretch is set from its right end: its pieces in other fonts go
    // leftwards in reading order.
    double right = rtl ? x + text_width(ctx, face, size, part) : 0;
    ctx.split_by_face(face, part, [&](FaceId f, size_t from, size_t to) {
      std::string_view piece = part.substr(from, to - from);
      double w = ctx.metrics.width(f, piece) * size;
      TextRun t;
      t.x = rtl ? right - w : x;
      t.y = y;
      t.face = f;
      t.size = size;
      t.text = std::string(piece);
      t.rtl = rtl;
      page.texts.push_back(std::move(t));
      if (rtl) right -= w;
      else x += w;
    }, [](char32_t, size_t, size_t) {});
    if (rtl) x += text_width(ctx, face, size, part);
  });
  return x - x0;
}

double baseline_in(const Context& ctx, double leading, double size) {
  const FaceId f{FaceFamily::Text, FaceStyle::Regular};
  const double asc = ctx.metrics.ascender(f), desc = ctx.metrics.descender(f);
  const double ratio = asc - desc > 0 ? asc / (asc - desc) : 0.8;
  return (leading - size) / 2 + size * ratio;
}

double text_width(Context& ctx, FaceId face, double size, std::string_view text) {
  work::add(text.size());
  double w = 0;
  ctx.split_by_face(
      face, text,
      [&](FaceId f, size_t from, size_t to) {
        w += ctx.metrics.width(f, text.substr(from, to - from)) * size;
      },
      [](char32_t, size_t, size_t) {});
  return w;
}

namespace {

// Items looked back at for the start of a word hyphenated onto a line: a word cut
// between letters over many lines starts each line where it is cut (looking back to its
// start from every line was quadratic in its length).
constexpr int kWordStartLookBack = 64;

// Returns the model's byte at which the first word of the line of ITEMS [S, B) begins
// (a word hyphenated onto the line begins on the line before), or null when the line
// holds no text of the model's (a bullet, a note number).
const char* line_origin(const Paragraph& para, const std::vector<Item>& items, int s, int b) {
  for (int i = s; i < b; ++i) {
    if (items[i].type != Item::Type::Box || items[i].run < 0) continue;
    int k = i;
    while (k > 0 && i - k < kWordStartLookBack && items[k - 1].type != Item::Type::Glue) --k;
    if (k > 0 && items[k - 1].type != Item::Type::Glue) k = i;
    for (int j = k; j <= i; ++j) {
      const Item& it = items[j];
      if (it.type != Item::Type::Box || it.run < 0) continue;
      if (const char* at = para.runs[it.run].origin_at(it.begin)) return at;
    }
  }
  return nullptr;
}

}  // namespace

std::vector<VItem> set_paragraph(Context& ctx, Paragraph& para, const Frame& frame) {
  std::vector<VItem> lines;
  if (para.runs.empty()) return lines;
  BreakParams params;
  params.measure = frame.measure;
  params.max_hyphens = ctx.style.max_consecutive_hyphens;
  if (frame.justify != Justify::Full) params.line_end_stretch = kRaggedStretchEm * frame.size;
  std::vector<Item> items = prepare_items(ctx, para, frame, false);
  std::vector<int> breaks;
  params.tolerance = kPretolerance;
  // A word cut between letters in the first pass goes straight to the hyphenating pass.
  const bool hyphenates = paragraph_hyphenates(ctx, para, frame);
  bool ok = !(para.letter_breaks && hyphenates) && break_lines(items, params, breaks, nullptr);
  if (!ok) {
    if (hyphenates) {
      std::vector<Item>().swap(items);  // free the first list before making the second
      items = prepare_items(ctx, para, frame, true);
    }
    params.tolerance = kTolerance;
    ok = break_lines(items, params, breaks, nullptr);
  }
  if (!ok) {
    params.emergency_stretch = kEmergencyStretchEm * frame.size;
    ok = break_lines(items, params, breaks, nullptr);
  }
  if (!ok) {
    params.emergency_stretch = 0;
    params.rescue = true;
    params.badness_cap = kRescueBadnessCap;
    break_lines(items, params, breaks, nullptr);
  }

  const double baseline = baseline_in(ctx, frame.leading, frame.size);

  // The direction of the element around the paragraph (dir), else the one the caller set,
  // else the book's; "" = the paragraph's own, by its first strong letter.
  const std::string_view direction = frame.direction != nullptr ? frame.direction
                                     : !ctx.direction.empty()   ? std::string_view(ctx.direction)
                                                                : std::string_view(ctx.book.meta.direction);
  const ParagraphLevels bidi = paragraph_levels(para, direction);
  int start = 0;
  lines.reserve(breaks.size());
  std::vector<Piece> pieces;
  // Link spans of the line being set: each link's slot in line_links, or -1. Reset per
  // line for the links the line had (a span per link of the paragraph, for every line,
  // was quadratic: 200,000 autolinks in one paragraph).
  struct LinkSpan {
    int link;
    double x0, x1;
  };
  std::vector<int> link_slot(para.links.size(), -1);
  std::vector<LinkSpan> line_links;
  std::vector<Atom> atoms;
  for (size_t l = 0; l < breaks.size(); ++l) {
    int b = breaks[l];
    // Skip what a break discards at the start of the line.
    int s = start;
    if (l > 0)
      while (s < b && items[s].type != Item::Type::Box) ++s;
    const Item& brk = items[b];
    work::add(static_cast<uint64_t>(b - s + 1));
    double w = 0, y = 0, z = 0;
    for (int i = s; i < b; ++i) {
      const Item& it = items[i];
      if (it.type == Item::Type::Penalty) continue;
      w += it.width;
      if (it.type == Item::Type::Glue) {
        y += it.stretch;
        z += it.shrink;
      }
    }
    if (brk.type == Item::Type::Penalty) w += brk.width;
    double ratio = 0;
    if (w < frame.measure && y > 0 && frame.justify == Justify::Full) ratio = (frame.measure - w) / y;
    else if (w > frame.measure && z > 0) ratio = std::max(-1.0, (frame.measure - w) / z);
    // A very loose justified line also spaces its letters a little (as a publisher's
    // letter-spacing range does), so that its word gaps stay closer to the others'.
    auto trackable = [&](const Item& it) {
      if (it.type != Item::Type::Box || it.run < 0) return false;
      const Run& r = para.runs[it.run];
      return r.kind == Run::Kind::Text && r.face.family == FaceFamily::Text;
    };
    double track = 0;
    if (frame.justify == Justify::Full && ratio > kTrackingFromRatio &&
        brk.penalty > -kInfPenalty && !bidi.active) {
      int slots = 0;
      bool joined = false;  // the previous item is a box of the same word
      for (int i = s; i < b; ++i) {
        const Item& it = items[i];
        if (it.type == Item::Type::Penalty) continue;
        if (trackable(it)) {
          std::string_view word(para.runs[it.run].text);
          word = word.substr(it.begin, it.end - it.begin);
          slots += for_each_cluster(word, [](size_t, size_t) {}) - 1 + (joined ? 1 : 0);
          joined = true;
        } else {
          joined = false;
        }
      }
      if (brk.type == Item::Type::Penalty && brk.hyphen && joined) ++slots;
      if (slots > 0) {
        track = std::min(kMaxTrackingEm * frame.size, (ratio - kTrackingFromRatio) * y / slots);
        w += track * slots;
        ratio = (frame.measure - w) / y;
      }
    }
    double shift = 0;
    double natural = w + (ratio < 0 ? ratio * z : 0);
    // A right-to-left paragraph mirrors the alignment: its ragged or last lines sit at
    // the right, where its lines start.
    const bool rtl_para = bidi.active && bidi.paragraph % 2 == 1;
    Justify align = frame.justify;
    if (rtl_para && align != Justify::Center) align = align == Justify::Right ? Justify::Left : Justify::Right;
    if (align == Justify::Center) shift = std::max(0.0, (frame.measure - natural) / 2);
    if (align == Justify::Right && !rtl_para) shift = std::max(0.0, frame.measure - natural);

    // The line's pieces in the order they are seen, left to right.
    atoms.clear();
    for (int i = s; i < b; ++i) {
      const Item& it = items[i];
      if (it.type == Item::Type::Penalty) continue;
      if (it.type == Item::Type::Glue || it.run < 0 || !bidi.active) {
        uint8_t level = it.type == Item::Type::Glue ? bidi.at(it.run, it.begin) : bidi.at(it.run, it.begin);
        if (it.run < 0) level = bidi.paragraph;
        atoms.push_back(Atom{i, it.begin, it.end, level, true, false});
        continue;
      }
      // A box whose characters lie at different levels becomes one atom per level.
      uint32_t from = it.begin;
      for (uint32_t k = it.begin; k <= it.end; ++k) {
        if (k < it.end && bidi.at(it.run, k) == bidi.at(it.run, from)) continue;
        atoms.push_back(Atom{i, from, k, bidi.at(it.run, from), from == it.begin && k == it.end, false});
        from = k;
      }
    }
    if (brk.type == Item::Type::Penalty && brk.hyphen && brk.run >= 0) {
      uint8_t level = atoms.empty() ? bidi.paragraph : atoms.back().level;
      atoms.push_back(Atom{b, 0, 0, level, true, true});
    }
    if (bidi.active) {
      std::vector<uint8_t> levels;
      for (const Atom& a : atoms) levels.push_back(a.level);
      std::vector<Atom> logical = std::move(atoms);
      atoms.clear();
      for (size_t k : unicode::visual_order(levels)) atoms.push_back(logical[k]);
    }

    // A line with an image taller than its text stands taller: the image's top at the
    // line's top, its bottom on the baseline, as in HTML (collect made it no taller than
    // the frame carries).
    double image_top = 0;  // above the baseline
    for (int i = s; i < b; ++i) {
      const Item& it = items[i];
      if (it.type != Item::Type::Box || it.run < 0) continue;
      const Run& r = para.runs[it.run];
      if (r.kind == Run::Kind::Image) image_top = std::max(image_top, r.image_height + r.rise);
    }
    const double raise = std::max(0.0, image_top - baseline);
    const double line_base = baseline + raise;
    VItem line;
    line.height = frame.leading + raise;
    line.origin = line_origin(para, items, s, b);
    pieces.clear();
    double x = frame.left + shift;
    bool glue_since_piece = true;
    bool spaced = true;   // the last glue passed is a word space
    bool joined = false;  // letter spacing: the previous item is a box of the same word
    // Strike-through spans and link spans on this line.
    double strike_from = -1, strike_to = -1;
    line_links.clear();
    auto extend_link = [&](int link, double x0, double x1) {
      if (link < 0) return;
      int& slot = link_slot[link];
      if (slot < 0) {
        slot = static_cast<int>(line_links.size());
        line_links.push_back({link, x0, x1});
      } else {
        line_links[slot].x1 = std::max(line_links[slot].x1, x1);
      }
    };
    auto flush_strike = [&]() {
      if (strike_from >= 0 && strike_to > strike_from) {
        Rule r;
        r.x = strike_from;
        r.width = strike_to - strike_from;
        r.height = kStrikeThicknessEm * frame.size;
        r.y = line_base - kStrikeHeightEm * frame.size - r.height / 2;
        line.content.rules.push_back(r);
      }
      strike_from = strike_to = -1;
    };
    for (const Atom& a : atoms) {
      const Item& it = items[a.item];
      const bool rtl = a.level % 2 == 1;
      if (a.hyphen) {
        line.hyphenated = true;
        if (track > 0 && joined) x += track;
        if (!pieces.empty() && pieces.back().run == brk.run && !pieces.back().whole && !rtl &&
            !pieces.back().rtl && !glue_since_piece)
          pieces.back().text += "-";
        else pieces.push_back(Piece{brk.run, x, brk.width, "-", false, rtl, true});
        if (para.runs[brk.run].strike && strike_from >= 0) strike_to = x + brk.width;
        x += brk.width;
        continue;
      }
      if (it.type == Item::Type::Glue) {
        double gw = it.width + (ratio >= 0 ? ratio * it.stretch : ratio * it.shrink);
        if (it.stretch >= kFilStretch) gw = it.width;
        if (it.run >= 0) {
          const Run& r = para.runs[it.run];
          if (r.strike && strike_from >= 0) strike_to = x + gw;
          extend_link(r.link, x, x + gw);
        }
        x += gw;
        glue_since_piece = true;
        spaced = !it.inter_char;
        joined = false;
        continue;
      }
      if (it.run < 0) {  // the paragraph indent
        x += it.width;
        joined = false;
        continue;
      }
      const Run& r = para.runs[it.run];
      if (r.kind == Run::Kind::Image) {
        // Drawn by the PDF writer as a figure's image is.
        line.content.images.push_back(ImageBox{x, line_base - r.rise - r.image_height, it.width,
                                               r.image_height, r.asset, ctx.file, r.pos});
        flush_strike();
        extend_link(r.link, x, x + it.width);
        x += it.width;
        glue_since_piece = true;
        spaced = true;
        joined = false;
        continue;
      }
      std::string_view text(r.text.data() + a.begin, a.end - a.begin);
      double box_width = a.whole ? it.width : ctx.metrics.width(r.face, text) * r.size;
      if (track > 0 && trackable(it)) {
        // Each character at its kerned place plus the letter spacing before it.
        if (joined) x += track;
        double lead = it.width - ctx.metrics.width(r.face, text) * r.size;
        int k = 0;
        for_each_cluster(text, [&](size_t from, size_t len) {
          // Up to the cluster's end with the kerning before it, less its own advance.
          double cw = ctx.metrics.width(r.face, text.substr(from, len)) * r.size;
          double upto = ctx.metrics.width(r.face, text.substr(0, from + len)) * r.size;
          double at = x + lead + upto - cw + k * track;
          pieces.push_back(Piece{it.run, at, cw, std::string(text.substr(from, len)), true});
          ++k;
        });
        box_width = it.width + track * (k - 1);
        joined = true;
      } else if (!glue_since_piece && !pieces.empty() && pieces.back().run == it.run &&
                 !pieces.back().whole && pieces.back().rtl == rtl) {
        // The next box of the same word: its text follows in reading order, which in a
        // right-to-left piece is to the left of what is there.
        if (rtl) pieces.back().text.insert(0, text);
        else pieces.back().text += text;
        pieces.back().width = x + box_width - pieces.back().x;
      } else {
        pieces.push_back(Piece{it.run, x, box_width, std::string(text), false, rtl, spaced});
        joined = false;
      }
      glue_since_piece = false;
      spaced = true;
      if (r.strike) {
        if (strike_from < 0) strike_from = x;
        strike_to = x + box_width;
      } else {
        flush_strike();
      }
      extend_link(r.link, x, x + box_width);
      if (r.kind == Run::Kind::NoteRef && r.note >= 0 && a.begin == it.begin) {
        line.notes.push_back(r.note);
        if (ctx.note_ref_seen.size() < ctx.book.notes.size())
          ctx.note_ref_seen.resize(ctx.book.notes.size(), 0);
        if (!ctx.note_ref_seen[r.note]) {
          ctx.note_ref_seen[r.note] = 1;
          line.content.anchors.push_back(Anchor{note_ref_anchor(ctx.book, r.note), 0});
        }
      }
      x += box_width;
    }
    flush_strike();
    // A right-to-left line that does not fill the measure moves to its right edge.
    if (rtl_para && align == Justify::Right) {
      double move = std::max(0.0, frame.left + frame.measure - x);
      for (Piece& p : pieces) p.x += move;
      for (Rule& r : line.content.rules) r.x += move;
      for (ImageBox& im : line.content.images) im.x += move;
      for (LinkSpan& span : line_links) {
        span.x0 += move;
        span.x1 += move;
      }
    }
    line.content.texts.reserve(pieces.size());  // exactly: a paragraph may have 100,000 lines
    for (Piece& p : pieces) {
      const Run& r = para.runs[p.run];
      TextRun t;
      t.x = p.x;
      t.y = line_base - r.rise;
      t.face = r.face;
      t.size = r.size;
      t.text = std::move(p.text);
      t.rtl = p.rtl;
      t.spaced = p.spaced;
      line.content.texts.push_back(std::move(t));
    }
    // In the order of the paragraph's links, as they were numbered.
    std::sort(line_links.begin(), line_links.end(),
              [](const LinkSpan& a, const LinkSpan& b) { return a.link < b.link; });
    for (const LinkSpan& span : line_links) {
      link_slot[span.link] = -1;
      LinkArea a;
      a.x = span.x0;
      a.y = 0;
      a.width = span.x1 - span.x0;
      a.height = line.height;
      a.uri = para.links[span.link].uri;
      a.dest = para.links[span.link].dest;
      line.content.links.push_back(std::move(a));
    }
    lines.push_back(std::move(line));
    start = b + 1;
  }
  return lines;
}

}  // namespace colophon::layout
