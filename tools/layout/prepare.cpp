// Stage "prepare": runs are given faces that have their glyphs, measured, and turned
// into Knuth-Plass boxes, glue and penalties (spaces, hyphenation points, explicit
// hyphens, emergency breaks inside over-long words).
#include <algorithm>

#include "core/utf8.h"
#include "core/work.h"
#include "layout/engine.h"

namespace colophon::layout {

namespace {

constexpr double kHyphenPenalty = 50;         // TeX's \hyphenpenalty
constexpr double kExHyphenPenalty = 50;       // TeX's \exhyphenpenalty (after '-' in a word)
constexpr double kDashPenalty = 50;           // after an en or em dash (not a hyphenated line)
constexpr double kUrlBreakPenalty = 150;      // after '/', '.' ... inside an over-long word
constexpr double kLetterBreakPenalty = 1000;  // between any two characters, last resort
constexpr double kSpaceStretchRatio = 0.5;    // interword stretch = space / 2 (TeX's cmr10)
constexpr double kSpaceShrinkRatio = 1.0 / 3; // interword shrink = space / 3 (TeX's cmr10)
constexpr size_t kForetellAfterItems = 4096;  // items of a paragraph before its size is foretold
// Stretch of the break between two characters of Chinese or Japanese, ems: justified
// lines of such text fill out by spacing their characters (xeCJK's \CJKglue has 0.08 em;
// a little more keeps a line with one Latin word in it from stretching that word's spaces).
constexpr double kInterCharStretchEm = 0.1;
constexpr size_t kQuotedChars = 40;           // characters of a word quoted in a message
constexpr size_t kQuotedBytes = 4 * kQuotedChars;  // enough UTF-8 for kQuotedChars characters

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

char32_t first_cp(std::string_view s) {
  size_t i = 0;
  return s.empty() ? 0 : next_code_point(s, i);
}

char32_t last_cp(std::string_view s) {
  if (s.empty()) return 0;
  size_t i = s.size() - 1;
  while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
  return next_code_point(s, i);
}

// Splits runs where a character is missing from the run's face but another font has
// it; notes characters no font has.
void resolve_faces(Context& ctx, Paragraph& para) {
  std::vector<Run> out;
  out.reserve(para.runs.size());
  bool language_known = false;
  std::string paragraph_language;  // of the paragraph's Chinese characters
  for (size_t k = 0; k < para.runs.size(); ++k) {
    Run& run = para.runs[k];
    if (run.kind == Run::Kind::LineBreak || run.kind == Run::Kind::Image) {
      out.push_back(std::move(run));
      continue;
    }
    const std::string& t = run.text;
    bool all = true;
    for (size_t i = 0; i < t.size();) {
      char32_t c = next_code_point(t, i);
      if (!is_space(static_cast<char>(c < 0x80 ? c : 'x')) && !ctx.has_glyph(run.face, c)) {
        all = false;
        break;
      }
    }
    if (all) {
      out.push_back(std::move(run));
      continue;
    }
    if (!language_known) {
      // Chinese characters among kana are Japanese: the whole paragraph decides.
      std::string text;
      for (const Run& r : out) text += r.text;  // the runs before this one, moved already
      for (size_t q = k; q < para.runs.size(); ++q) text += para.runs[q].text;
      paragraph_language = unicode::han_language(text, ctx.book.meta.language);
      language_known = true;
    }
    // A run marked with a language (lang="ja") chooses fonts for it.
    ctx.language = run.language < 0 ? paragraph_language
                                     : unicode::han_language(t, ctx.language_of(run.language));
    size_t first = out.size();
    ctx.split_by_face(
        run.face, t,
        [&](FaceId face, size_t from, size_t to) {
          Run r = run;
          r.text = t.substr(from, to - from);
          r.face = face;
          r.pos = run.pos_at(from);
          r.marks.clear();
          for (const auto& [offset, mark] : run.marks)
            if (offset > from && offset < to)
              r.marks.push_back({static_cast<uint32_t>(offset - from), mark});
          r.origins.clear();
          for (const Run::Origin& o : run.origins) {
            size_t b = std::max<size_t>(o.at, from), e = std::min<size_t>(o.at + o.size, to);
            if (b < e)
              r.origins.push_back({static_cast<uint32_t>(b - from), static_cast<uint32_t>(e - b),
                                   o.src + (b - o.at)});
          }
          out.push_back(std::move(r));
        },
        [&](char32_t c, size_t from, size_t to) {
          ctx.missing_glyph(c, std::string_view(t).substr(from, to - from), run.pos_at(from));
        });
    if (out.size() == first) out.push_back(std::move(run));  // (empty text)
  }
  para.runs = std::move(out);
  ctx.language.clear();
}

// Measures and builds the items of one paragraph.
class Builder {
 public:
  Builder(Context& ctx, Paragraph& para, const Frame& frame, bool hyphenate)
      : ctx_(ctx), para_(para), frame_(frame), hyphenate_(hyphenate && frame.hyphenate) {}

  std::vector<Item> build() {
    for (const Run& r : para_.runs) bytes_total_ += r.text.size();
    if (frame_.indent > 0) {
      Item indent;
      indent.width = frame_.indent;
      push(indent);
    }
    for (size_t r = 0; r < para_.runs.size(); ++r) add_run(static_cast<int>(r));
    drop_trailing_glue();
    finish_line(true);
    release_long_holds();
    split_long_chunks();
    // The list lives through line breaking: give back what a doubling left unused.
    if (items_.capacity() > items_.size() + items_.size() / 3) items_.shrink_to_fit();
    return std::move(items_);
  }

 private:
  double em_width(FaceId face, std::string_view s) { return ctx_.metrics.width(face, s); }

  // Appends IT. The list of a long paragraph is the largest thing the layout holds while
  // it breaks lines: once a few thousand items are in, a full list makes room for what
  // the text read so far foretells (plus an eighth), not for twice the list, so that no
  // doubling leaves it half empty and a long list is rarely copied (a copy holds both).
  void push(const Item& it) {
    if (items_.size() == items_.capacity() && items_.size() >= kForetellAfterItems) {
      size_t done = std::max<size_t>(bytes_done_, 1);
      size_t foretold = items_.size() * std::max(bytes_total_, done) / done;
      items_.reserve(std::max(items_.size() + items_.size() / 4, foretold + foretold / 8));
    }
    items_.push_back(it);
  }

  void add_glue(int run, uint32_t at) {
    const Run& r = para_.runs[run];
    double w = ctx_.space_width(r.face) * r.size;
    Item g;
    g.type = Item::Type::Glue;
    g.run = run;
    g.begin = at;
    g.width = w;
    if (frame_.justify == Justify::Full) {
      g.stretch = w * kSpaceStretchRatio;
      g.shrink = w * kSpaceShrinkRatio;
    }
    push(g);
  }

  void drop_trailing_glue() {
    while (!items_.empty() && items_.back().type == Item::Type::Glue) items_.pop_back();
  }

  // Ends a line: parfillskip glue and a forced break (LAST: the paragraph's end).
  void finish_line(bool last) {
    (void)last;
    Item fill;
    fill.type = Item::Type::Glue;
    fill.stretch = kFilStretch;
    push(fill);
    Item brk;
    brk.type = Item::Type::Penalty;
    brk.penalty = -kInfPenalty;
    push(brk);
  }

  void add_run(int r) {
    const Run& run = para_.runs[r];
    if (run.kind == Run::Kind::LineBreak) {
      drop_trailing_glue();
      finish_line(false);
      pending_space_ = -1;
      return;
    }
    if (run.kind == Run::Kind::Image) {  // one box, never cut (split_chunk)
      if (pending_space_ >= 0) {
        add_glue(pending_space_, pending_space_at_);
        pending_space_ = -1;
      }
      Item box;
      box.run = r;
      box.width = run.image_width;
      push(box);
      return;
    }
    const std::string& t = run.text;
    const size_t run_start = bytes_done_;
    size_t i = 0;
    while (i < t.size()) {
      if (is_space(t[i])) {
        if (!items_.empty() && items_.back().type == Item::Type::Box) {
          pending_space_ = r;
          pending_space_at_ = static_cast<uint32_t>(i);
        }
        while (i < t.size() && is_space(t[i])) ++i;
        continue;
      }
      size_t j = i;
      while (j < t.size() && !is_space(t[j])) ++j;
      std::string_view word = std::string_view(t).substr(i, j - i);
      if (pending_space_ >= 0) {
        if (run.kind == Run::Kind::Text && space_holds(word)) {
          Item hold;  // before the glue: the glue follows no box, so it is no breakpoint
          hold.type = Item::Type::Penalty;
          hold.run = pending_space_;
          hold.begin = pending_space_at_;
          hold.penalty = kInfPenalty;
          push(hold);
        }
        add_glue(pending_space_, pending_space_at_);
        pending_space_ = -1;
      }
      if (run.kind == Run::Kind::Text && unicode::has_inner_breaks(word)) {
        add_broken_word(r, static_cast<uint32_t>(i), word);
      } else {
        add_word(r, static_cast<uint32_t>(i), static_cast<uint32_t>(j));
      }
      work::add(j - i);
      bytes_done_ = run_start + j;
      i = j;
    }
    bytes_done_ = run_start + t.size();
  }

  // Tells whether the space before WORD, which follows the last box, must not end a
  // line by Unicode's line breaking rules: WORD begins with closing punctuation, "!" or
  // "," (no line begins with them, even after a space), or the box ends with opening
  // punctuation (no line ends with it).
  bool space_holds(std::string_view word) const {
    size_t i = 0;
    char32_t first = next_code_point(word, i);
    char32_t second = i < word.size() ? next_code_point(word, i) : 0;
    if (unicode::no_break_before_after_space(first, second)) return true;
    const Item& last = items_.back();
    if (last.type != Item::Type::Box || last.run < 0) return false;
    const Run& before = para_.runs[static_cast<size_t>(last.run)];
    if (before.kind != Run::Kind::Text) return false;
    return unicode::no_break_after_before_space(
        last_cp(std::string_view(before.text).substr(last.begin, last.end - last.begin)));
  }

  // Adds the word at byte B of run R, which Unicode's line breaking rules allow to break
  // inside (Chinese and Japanese between most characters, Thai between words): a piece
  // between two break opportunities is a box, and each opportunity a glue of no width
  // that stretches a little, so that justified lines of such text fill the measure.
  void add_broken_word(int r, uint32_t b, std::string_view word) {
    const Run& run = para_.runs[r];
    const std::vector<uint32_t>& breaks = ctx_.line_breaker().breaks(word);
    uint32_t from = 0;
    for (size_t k = 0; k <= breaks.size(); ++k) {
      uint32_t to = k < breaks.size() ? breaks[k] : static_cast<uint32_t>(word.size());
      add_word(r, b + from, b + to);
      if (k < breaks.size()) {
        Item g;
        g.type = Item::Type::Glue;
        g.run = r;
        g.begin = b + to;
        g.inter_char = true;
        if (frame_.justify == Justify::Full) g.stretch = kInterCharStretchEm * run.size;
        push(g);
      }
      from = to;
    }
  }

  // Adds the box of bytes [b, e) of run R, cut at its hyphenation points.
  void add_word(int r, uint32_t b, uint32_t e) {
    const Run& run = para_.runs[r];
    std::string_view t(run.text);
    std::vector<std::pair<uint32_t, int>> cuts;  // byte offset, kind (0 hyphenation, 1 hyphen, 2 dash)
    if (run.kind == Run::Kind::Text) {
      Hyphenator* hyphenator = hyphenate_ && run.face.family == FaceFamily::Text
                                   ? ctx_.hyphenator_for(run.language)
                                   : nullptr;
      uint32_t letters_from = b;
      size_t letters = 0;
      size_t i = b;
      char32_t prev = 0;
      auto flush_letters = [&](uint32_t end) {
        if (hyphenator && letters >= Hyphenator::kMinWordLetters) {
          for (uint32_t p : hyphenator->points(t.substr(letters_from, end - letters_from)))
            cuts.push_back({letters_from + p, 0});
        }
        letters = 0;
      };
      while (i < e) {
        size_t at = i;
        char32_t c = next_code_point(t.substr(0, e), i);
        if (Hyphenator::is_letter(c)) {
          if (letters == 0) letters_from = static_cast<uint32_t>(at);
          ++letters;
        } else {
          flush_letters(static_cast<uint32_t>(at));
          bool more = i < e;
          if (c == '-' && Hyphenator::is_letter(prev) && more) cuts.push_back({static_cast<uint32_t>(i), 1});
          if ((c == 0x2014 || c == 0x2013) && more && at > b) cuts.push_back({static_cast<uint32_t>(i), 2});
        }
        prev = c;
      }
      flush_letters(e);
    }
    std::sort(cuts.begin(), cuts.end());
    uint32_t from = b;
    for (auto [at, kind] : cuts) {
      if (at <= from || at >= e) continue;
      add_box(r, from, at);
      Item p;
      p.type = Item::Type::Penalty;
      p.run = r;
      if (kind == 0) {
        p.flagged = true;
        p.hyphen = true;
        p.penalty = kHyphenPenalty;
        char32_t last = last_cp(t.substr(from, at - from));
        p.width = (ctx_.hyphen_width(run.face) + ctx_.metrics.kern(run.face, last, '-')) * run.size;
      } else {
        p.flagged = kind == 1;
        p.penalty = kind == 1 ? kExHyphenPenalty : kDashPenalty;
      }
      push(p);
      from = at;
    }
    add_box(r, from, e);
  }

  void add_box(int r, uint32_t b, uint32_t e) {
    const Run& run = para_.runs[r];
    std::string_view s(run.text.data() + b, e - b);
    Item box;
    box.run = r;
    box.begin = b;
    box.end = e;
    box.width = em_width(run.face, s) * run.size;
    // Kerning with the box this one continues (same face: a word cut in pieces).
    // A hyphen break in between drops that kerning: its width takes it back.
    for (size_t k = items_.size(); k-- > 0;) {
      const Item& prev = items_[k];
      if (prev.type == Item::Type::Penalty && prev.penalty > -kInfPenalty) continue;
      if (prev.type == Item::Type::Box && prev.run >= 0) {
        const Run& pr = para_.runs[prev.run];
        if (pr.kind != Run::Kind::Image && pr.face == run.face && pr.size == run.size &&
            pr.rise == run.rise) {
          double kern = ctx_.metrics.kern(run.face,
                                          last_cp(std::string_view(pr.text).substr(
                                              prev.begin, prev.end - prev.begin)),
                                          first_cp(s)) *
                        run.size;
          items_[k].width += kern;
          for (size_t q = k + 1; q < items_.size(); ++q)
            if (items_[q].type == Item::Type::Penalty && items_[q].hyphen) items_[q].width -= kern;
        }
      }
      break;
    }
    push(box);
  }

  // Gives back the break at each space that space_holds() kept from breaking, in every
  // stretch of words so joined that is wider than the measure: such a stretch could only
  // be set past the right margin or cut between letters, and a line that begins with ","
  // or ends with "(" is the lesser evil. ("| ,http://..." is one such stretch.)
  void release_long_holds() {
    const double limit = unbreakable_width(frame_);
    auto is_hold = [&](size_t k) {
      return k + 1 < items_.size() && items_[k].type == Item::Type::Penalty &&
             items_[k].penalty >= kInfPenalty && items_[k + 1].type == Item::Type::Glue;
    };
    std::vector<size_t> released;
    size_t i = 0;
    while (i < items_.size()) {
      if (items_[i].type != Item::Type::Box) {
        ++i;
        continue;
      }
      double w = 0;
      size_t first_hold = released.size();
      size_t j = i;
      while (j < items_.size()) {
        if (items_[j].type == Item::Type::Box) {
          if (items_[j].run >= 0) w += items_[j].width;
          ++j;
        } else if (is_hold(j) && j + 2 < items_.size() &&
                   items_[j + 2].type == Item::Type::Box) {
          released.push_back(j);
          w += items_[j + 1].width;
          j += 2;
        } else {
          break;
        }
      }
      work::add(j - i);
      if (w <= limit) released.resize(first_hold);  // it fits: the holds stay
      i = j;
    }
    if (released.empty()) return;
    size_t out = 0, next = 0;
    for (size_t k = 0; k < items_.size(); ++k) {
      if (next < released.size() && released[next] == k) {
        ++next;
        continue;
      }
      items_[out++] = items_[k];
    }
    items_.resize(out);
  }

  // Splits every chunk of boxes with no break between them that is wider than the
  // measure: after '/', '.', '-', '_' ... first, between any two characters if need be.
  // The items are copied once into a new list, and only when a chunk is split: a word of
  // n characters becomes about 2n items, so every extra copy of the list (as splitting
  // in place did, three times) costs memory traffic in proportion to the whole word.
  void split_long_chunks() {
    const double limit = unbreakable_width(frame_);
    std::vector<Item> out;
    size_t copied = 0;  // items_[0, copied) are already in out
    size_t i = 0;
    while (i < items_.size()) {
      if (items_[i].type != Item::Type::Box) {
        ++i;
        continue;
      }
      size_t j = i;
      double w = 0;
      while (j < items_.size() && items_[j].type == Item::Type::Box) w += items_[j++].width;
      work::add(j - i);
      if (w > limit) {
        if (copied == 0 && out.empty()) out.reserve(items_.size());
        out.insert(out.end(), items_.begin() + static_cast<std::ptrdiff_t>(copied),
                   items_.begin() + static_cast<std::ptrdiff_t>(i));
        split_chunk(i, j, limit, out);
        copied = j;
      }
      i = j;
    }
    if (copied == 0) return;
    out.insert(out.end(), items_.begin() + static_cast<std::ptrdiff_t>(copied), items_.end());
    items_.swap(out);
  }

  // Appends boxes [i, j) of items_ to OUT, split at break opportunities. The boxes of a
  // chunk are the pieces of one unbreakable word, possibly in several runs (a face
  // change inside the word, as in "*t–rong*word"): what must fit in LIMIT is every
  // stretch of them left without a break, not each box on its own.
  void split_chunk(size_t i, size_t j, double limit, std::vector<Item>& out) {
    // Boxes of no run (the first-line indent) and images are never cut.
    auto whole = [&](const Item& it) {
      return it.run < 0 || para_.runs[it.run].kind == Run::Kind::Image;
    };
    // Break after URL punctuation first.
    std::vector<Item> cut;
    for (size_t k = i; k < j; ++k) {
      if (whole(items_[k])) {
        cut.push_back(items_[k]);
        continue;
      }
      cut_box(items_[k], false, cut);
    }
    // A stretch of boxes still wider than the limit is cut between any two characters,
    // including between its boxes. Boxes of no run (the first-line indent) are left out
    // of the sum: the limit has already taken them off.
    bool letters_needed = false;
    size_t a = 0;
    while (a < cut.size()) {
      if (cut[a].type != Item::Type::Box) {
        out.push_back(cut[a++]);
        continue;
      }
      size_t z = a;
      double w = 0;
      for (; z < cut.size() && cut[z].type == Item::Type::Box; ++z)
        if (cut[z].run >= 0) w += cut[z].width;
      work::add(z - a);
      if (w <= limit) {
        out.insert(out.end(), cut.begin() + static_cast<std::ptrdiff_t>(a),
                   cut.begin() + static_cast<std::ptrdiff_t>(z));
        a = z;
        continue;
      }
      letters_needed = true;
      for (size_t k = a; k < z; ++k) {
        if (k > a && cut[k - 1].run >= 0 && cut[k].run >= 0)
          out.push_back(letter_penalty(cut[k].run));  // a break beside an image, too
        if (whole(cut[k])) {
          out.push_back(cut[k]);
          continue;
        }
        cut_box(cut[k], true, out);
      }
      a = z;
    }
    if (letters_needed) para_.letter_breaks = true;
    // Without hyphenation in this pass, the next pass may divide the word properly.
    bool later = !hyphenate_ && paragraph_hyphenates(ctx_, para_, frame_);
    if (letters_needed && !later) warn_long_word(i, j);
  }

  // Warns (at most 20 times per book) that the word of boxes [i, j) is broken between letters.
  void warn_long_word(size_t i, size_t j) {
    if (ctx_.trial || ctx_.warned_long_words++ >= 20) return;
    const Run& r = para_.runs[items_[i].run >= 0 ? items_[i].run : items_[j - 1].run];
    std::string start;
    size_t chars = 0;
    for (size_t k = i; k < j; ++k) {
      if (items_[k].run < 0) continue;
      std::string_view piece = std::string_view(para_.runs[items_[k].run].text)
                                   .substr(items_[k].begin, items_[k].end - items_[k].begin);
      if (start.size() < kQuotedBytes) start.append(piece.substr(0, kQuotedBytes));
      chars += utf8_length(piece);
    }
    std::string quoted = quote_start(start, chars);
    std::string length = utf8_length(start) < chars || quoted.size() < start.size()
                             ? " (" + std::to_string(chars) + " characters)"
                             : "";
    SourcePos at = r.pos_at(items_[i].run >= 0 ? items_[i].begin : items_[j - 1].begin);
    ctx_.diag.add(
        {Severity::Warning, ctx_.file, at,
         "word '" + quoted + "'" + length + " is wider than the line; broken between letters",
         "add spaces or break the word where it may be divided",
         "words are wider than the line and broken between letters", "'" + quoted + "'"});
  }

  // Returns a break between two characters of run R (the last resort).
  static Item letter_penalty(int r) {
    Item p;
    p.type = Item::Type::Penalty;
    p.run = r;
    p.penalty = kLetterBreakPenalty;
    return p;
  }

  // Cuts BOX after punctuation (or after every character when LETTERS) into boxes
  // separated by penalties, appended to OUT. Each character is decoded once and each
  // piece measured once, so a word of n characters costs O(n).
  void cut_box(const Item& box, bool letters, std::vector<Item>& out) {
    const Run& run = para_.runs[box.run];
    std::string_view t(run.text);
    // Room for a box and a penalty per character, grown geometrically: an exact reserve
    // per box reallocated the whole list for every box of a word made of many runs.
    size_t need = out.size() + 2 * (box.end - box.begin) + 1;
    if (letters && out.capacity() < need) {
      work::add(out.size());  // the items a reallocation copies
      out.reserve(std::max(need, 2 * out.capacity()));
    }
    work::add(box.end - box.begin);
    uint32_t from = box.begin;
    size_t i = box.begin;
    while (i < box.end) {
      char32_t c = next_code_point(t.substr(0, box.end), i);
      bool cut = letters || c == '/' || c == '.' || c == '-' || c == '_' || c == '?' ||
                 c == '&' || c == '=' || c == '#' || c == ':' || c == ',' || c == ';';
      if (!cut || i >= box.end) continue;
      Item piece = box;
      piece.begin = from;
      piece.end = static_cast<uint32_t>(i);
      piece.width = em_width(run.face, t.substr(from, i - from)) * run.size;
      out.push_back(piece);
      Item p = letter_penalty(box.run);
      if (!letters) p.penalty = kUrlBreakPenalty;
      out.push_back(p);
      from = static_cast<uint32_t>(i);
    }
    Item piece = box;
    piece.begin = from;
    piece.width = em_width(run.face, t.substr(from, box.end - from)) * run.size;
    out.push_back(piece);
  }

  Context& ctx_;
  Paragraph& para_;
  const Frame& frame_;
  bool hyphenate_;
  int pending_space_ = -1;         // the run of a space waiting for the next word
  uint32_t pending_space_at_ = 0;  // and where in it
  size_t bytes_total_ = 0, bytes_done_ = 0;  // text of the paragraph: all, and read so far
  std::vector<Item> items_;
};

}  // namespace

std::string quote_start(std::string_view text, size_t total_chars) {
  std::string out;
  size_t i = 0, chars = 0;
  while (i < text.size() && chars < kQuotedChars) {
    size_t at = i;
    next_code_point(text, i);
    out.append(text.substr(at, i - at));
    ++chars;
  }
  if (i < text.size() || total_chars > chars) out += "\xE2\x80\xA6";  // U+2026 HORIZONTAL ELLIPSIS
  return out;
}

bool paragraph_hyphenates(Context& ctx, const Paragraph& para, const Frame& frame) {
  if (!frame.hyphenate || !ctx.hyphenation) return false;
  int tried = -2;  // runs of one language follow each other: ask once per change
  for (const Run& r : para.runs) {
    if (r.kind != Run::Kind::Text || r.language == tried) continue;
    if (ctx.hyphenator_for(r.language)) return true;
    tried = r.language;
  }
  return false;
}

std::vector<Item> prepare_items(Context& ctx, Paragraph& para, const Frame& frame, bool hyphenate) {
  if (!para.faces_resolved) {
    resolve_faces(ctx, para);
    para.faces_resolved = true;
  }
  return Builder(ctx, para, frame, hyphenate).build();
}

}  // namespace colophon::layout
