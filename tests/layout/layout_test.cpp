// Unit tests of tools/layout with a fixed-width fake font: optimal line breaks (against
// a brute-force search), the measure is never exceeded, hyphen limits, widows and
// orphans, headings kept with what follows, footnotes on their reference's page, table
// headers repeated, code wrapping, contents page numbers, page labels, style errors.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>

#include "core/utf8.h"
#include "core/work.h"
#include "layout/engine.h"
#include "layout/flow.h"
#include "layout/layout.h"
#include "layout/paginate.h"

using namespace colophon;
using namespace colophon::layout;

namespace {

constexpr double kCharEm = 0.5;

// Every character is half an em wide; U+2603 exists in no face, U+21AA and U+2042 only in
// the fallback face.
class FakeMetrics : public FontMetrics {
 public:
  double width(FaceId, std::string_view text) const override {
    return kCharEm * static_cast<double>(utf8_length(text));
  }
  double kern(FaceId, char32_t, char32_t) const override { return 0; }
  double ascender(FaceId) const override { return 0.8; }
  double descender(FaceId) const override { return -0.2; }
  bool has_glyph(FaceId face, char32_t cp) const override {
    if (cp == 0x2603) return false;
    if (cp == 0x21AA || cp == 0x2042) return face.family == FaceFamily::Fallback;
    return true;
  }
};

Inline text(const std::string& s) {
  Inline in;
  in.text = s;
  in.pos = {1, 1};
  return in;
}

Block para(const std::string& s) {
  Block b;
  b.kind = BlockKind::Paragraph;
  b.inlines.push_back(text(s));
  b.pos = {1, 1};
  return b;
}

Block heading(int level, const std::string& s, const std::string& id) {
  Block b;
  b.kind = BlockKind::Heading;
  b.level = level;
  b.attr.id = id;
  b.inlines.push_back(text(s));
  return b;
}

// Returns N words "<tag>" separated by spaces.
std::string words(const std::string& tag, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += (i ? " " : "") + tag;
  return s;
}

Book make_book(int chapters) {
  Book b;
  b.root = "/nonexistent";
  b.root_display = "book";
  b.meta.title = "Test Book";
  b.meta.authors = {"A. Author"};
  b.meta.publisher = "Press";
  for (int c = 0; c < chapters; ++c) {
    Chapter ch;
    ch.source = "src/ch" + std::to_string(c) + ".md";
    ch.title = "Chapter " + std::to_string(c + 1);
    ch.id = "ch" + std::to_string(c);
    ch.blocks.push_back(heading(1, ch.title, "chapter-" + std::to_string(c + 1)));
    b.chapters.push_back(ch);
  }
  return b;
}

Style test_style() {
  Style s;
  s.page_width = 400;
  s.page_height = 400;
  s.margin_top = s.margin_bottom = 50;
  s.margin_inner = s.margin_outer = 50;  // measure 300 pt = 60 characters at 10 pt
  s.font_size = 10;
  s.leading = 12;
  s.paragraph_indent = 10;
  return s;
}

// Builds simple items: words as boxes of their length, spaces as glue, '|' inside a
// word as a hyphenation point.
std::vector<Item> items_from(const std::string& para, double size) {
  std::vector<Item> items;
  std::string word;
  auto flush = [&]() {
    if (word.empty()) return;
    size_t start = 0;
    for (size_t i = 0; i <= word.size(); ++i) {
      if (i == word.size() || word[i] == '|') {
        Item b;
        b.width = static_cast<double>(i - start) * kCharEm * size;
        items.push_back(b);
        if (i < word.size()) {
          Item p;
          p.type = Item::Type::Penalty;
          p.flagged = p.hyphen = true;
          p.penalty = 50;
          p.width = kCharEm * size;
          items.push_back(p);
        }
        start = i + 1;
      }
    }
    word.clear();
  };
  for (char c : para) {
    if (c == ' ') {
      flush();
      Item g;
      g.type = Item::Type::Glue;
      g.width = kCharEm * size;
      g.stretch = g.width / 2;
      g.shrink = g.width / 3;
      items.push_back(g);
    } else {
      word += c;
    }
  }
  flush();
  Item fill;
  fill.type = Item::Type::Glue;
  fill.stretch = kFilStretch;
  items.push_back(fill);
  Item end;
  end.type = Item::Type::Penalty;
  end.penalty = -kInfPenalty;
  items.push_back(end);
  return items;
}

// Finds the minimal total demerits over every sequence of legal breaks.
double brute_force(const std::vector<Item>& items, const BreakParams& p) {
  std::vector<int> legal;
  for (size_t i = 0; i < items.size(); ++i)
    if (is_legal_break(items, i)) legal.push_back(static_cast<int>(i));
  double best = std::numeric_limits<double>::infinity();
  std::vector<int> seq;
  std::function<void(size_t)> go = [&](size_t k) {
    if (!seq.empty() && seq.back() == legal.back()) {
      best = std::min(best, evaluate_breaks(items, p, seq));
      return;
    }
    for (size_t j = k; j < legal.size(); ++j) {
      seq.push_back(legal[j]);
      // Prune sequences whose last line is already overfull: longer lines only grow.
      std::vector<int> probe = seq;
      double partial = 0;
      bool over = false;
      {
        // Width of the last line, from the previous break to this one.
        int from = seq.size() > 1 ? seq[seq.size() - 2] + 1 : 0;
        while (seq.size() > 1 && from < legal[j] && items[from].type != Item::Type::Box) ++from;
        for (int i = from; i < legal[j]; ++i)
          if (items[i].type != Item::Type::Penalty) partial += items[i].width - items[i].shrink;
        over = partial > p.measure + 1e-9;
      }
      if (!over) go(j + 1);
      seq.pop_back();
      if (over) break;
    }
  };
  go(0);
  return best;
}

// Lays out one paragraph with the fake metrics and returns its lines.
struct Setter {
  Book book;
  Style style = test_style();
  FakeMetrics metrics;
  Diagnostics diag;
  Context ctx{book, style, metrics, diag};
  std::unique_ptr<Hyphenator> hyph;

  explicit Setter(bool hyphenate = true) {
    if (hyphenate) {
      hyph = std::make_unique<Hyphenator>("en-US", diag, "book.toml");
      ctx.hyphenation = true;
      ctx.hyphenator = hyph.get();
    }
  }
  std::vector<VItem> set(const std::vector<Inline>& inlines, Frame f) {
    Paragraph p = collect_inlines(ctx, inlines, f);
    return set_paragraph(ctx, p, f);
  }
};

double right_edge(const FakeMetrics& m, const VItem& line) {
  double r = 0;
  for (const TextRun& t : line.content.texts)
    r = std::max(r, t.x + m.width(t.face, t.text) * t.size);
  return r;
}

std::string line_text(const VItem& line) {
  std::string s;
  for (const TextRun& t : line.content.texts) s += (s.empty() ? "" : " ") + t.text;
  return s;
}

// Everything about a page a test may ask.
struct PageInfo {
  std::vector<std::string> lines;  // texts grouped by baseline, top to bottom
  std::set<std::string> anchors;
};

std::vector<PageInfo> pages_of(const Document& d) {
  std::vector<PageInfo> out;
  for (const Page& p : d.pages) {
    std::map<long, std::string> by_y;
    for (const TextRun& t : p.texts) {
      std::string& s = by_y[std::lround(t.y * 10)];
      s += (s.empty() ? "" : " ") + t.text;
    }
    PageInfo info;
    for (auto& [y, s] : by_y) info.lines.push_back(s);
    for (const Anchor& a : p.anchors) info.anchors.insert(a.name);
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace

TEST_CASE("Knuth-Plass finds the same minimum as a brute-force search over all breaks") {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 60; ++trial) {
    std::string p;
    int n = 8 + static_cast<int>(rng() % 8);
    for (int w = 0; w < n; ++w) {
      int len = 2 + static_cast<int>(rng() % 8);
      std::string word(static_cast<size_t>(len), 'x');
      // A char insert: GCC 12 at -O3 flags the string insert with a false -Wrestrict.
      if (len >= 6 && rng() % 2) word.insert(word.begin() + 3, '|');
      p += (w ? " " : "") + word;
    }
    BreakParams params;
    params.measure = 10 * kCharEm * 10 * (2 + trial % 3);  // 10, 15 or 20 characters... in points
    params.measure = (10.0 + 5.0 * (trial % 3)) * kCharEm * 10;
    params.tolerance = trial % 2 ? 10000 : 800;
    params.rescue = trial % 4 == 3;
    params.max_hyphens = trial % 5 == 0 ? 1 : 2;
    std::vector<Item> items = items_from(p, 10);
    std::vector<int> breaks;
    double demerits = 0;
    bool ok = break_lines(items, params, breaks, &demerits);
    double expected = brute_force(items, params);
    INFO("paragraph: " << p << " measure " << params.measure);
    if (std::isinf(expected)) {
      CHECK_FALSE(ok);
    } else {
      REQUIRE(ok);
      CHECK(demerits == doctest::Approx(expected));
      CHECK(evaluate_breaks(items, params, breaks) == doctest::Approx(demerits));
    }
  }
}

TEST_CASE("a known paragraph breaks as total fit, not first fit") {
  // First fit would fill line one ("aaaa bbbb cc") and leave a very loose line.
  BreakParams params;
  params.measure = 12 * kCharEm * 10;
  params.tolerance = 10000;
  std::vector<Item> items = items_from("aaaa bbbb cc dddddddddd eeee", 10);
  std::vector<int> breaks;
  double d = 0;
  REQUIRE(break_lines(items, params, breaks, &d));
  CHECK(d == doctest::Approx(brute_force(items, params)));
  CHECK(breaks.size() == 3);
}

TEST_CASE("no line is ever wider than the measure (random paragraphs, long words, URLs)") {
  Setter s;
  std::mt19937 rng(11);
  const char* pool[] = {"the", "typesetting", "of", "books", "is", "an", "art", "https://example.com/a/very/long/path/that/goes/on/and/on/index.html",
                        "supercalifragilisticexpialidociousandthensomemorelettersthatneverend", "well-known", "a—b", "unbelievably", "x"};
  for (int trial = 0; trial < 200; ++trial) {
    std::string p;
    int n = 1 + static_cast<int>(rng() % 60);
    for (int w = 0; w < n; ++w) p.append(w ? " " : "").append(pool[rng() % 13]);
    Frame f;
    f.measure = 40 + static_cast<double>(rng() % 260);
    f.size = 10;
    f.leading = 12;
    f.indent = trial % 2 ? 10 : 0;
    f.justify = trial % 3 == 0 ? Justify::Left : Justify::Full;
    std::vector<VItem> lines = s.set({text(p)}, f);
    REQUIRE_FALSE(lines.empty());
    for (const VItem& l : lines) {
      INFO("measure " << f.measure << ": " << line_text(l));
      CHECK(right_edge(s.metrics, l) <= f.measure + 1e-6);
    }
  }
  // Words made of several runs: emphasis (another face) with an en or em dash, glued to
  // an over-long word with no space between (the fuzz_layout finding "*t–rong*word").
  const char* parts[] = {"t\u2013rong", "a\u2014b", "rong", "x", "well-known",
                         "lsinelssinelsin\\n\\odelsineln\\nn\\n\\odelsinelsin\\n\\n",
                         "supercalifragilisticexpialidocious", "https://example.com/a/b/c"};
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<Inline> inlines;
    int n = 1 + static_cast<int>(rng() % 12);
    for (int w = 0; w < n; ++w) {
      std::string piece = parts[rng() % 8];
      if (w > 0 && rng() % 3 == 0) piece = " " + piece;
      if (rng() % 2) {
        Inline em;
        em.kind = rng() % 2 ? InlineKind::Emph : InlineKind::Strong;
        em.children.push_back(text(piece));
        inlines.push_back(em);
      } else {
        inlines.push_back(text(piece));
      }
    }
    Frame f;
    f.left = 16.8;  // as in a list item
    f.measure = 40 + static_cast<double>(rng() % 260) + 0.1 * static_cast<double>(rng() % 10);
    f.size = trial % 2 ? 10.5 : 10;
    f.leading = 12;
    f.indent = trial % 4 == 1 ? 10 : 0;
    f.justify = trial % 3 == 0 ? Justify::Left : Justify::Full;
    std::vector<VItem> lines = s.set(inlines, f);
    REQUIRE_FALSE(lines.empty());
    for (const VItem& l : lines) {
      INFO("trial " << trial << ", measure " << f.measure << ", size " << f.size << ": " << line_text(l));
      CHECK(right_edge(s.metrics, l) <= f.left + f.measure + 1e-6);
    }
  }
}

TEST_CASE("never more than the allowed hyphenated lines in a row") {
  Setter s;
  std::string p;
  const char* pool[] = {"international", "organization", "communication", "responsibility",
                        "understanding", "characteristically", "establishment"};
  std::mt19937 rng(3);
  for (int w = 0; w < 300; ++w) p.append(w ? " " : "").append(pool[rng() % 7]);
  for (int limit : {1, 2}) {
    s.style.max_consecutive_hyphens = limit;
    Frame f;
    f.measure = 95;
    f.size = 10;
    f.leading = 12;
    std::vector<VItem> lines = s.set({text(p)}, f);
    int run = 0, worst = 0, total = 0;
    for (const VItem& l : lines) {
      bool hy = !l.content.texts.empty() && l.content.texts.back().text.back() == '-';
      run = hy ? run + 1 : 0;
      total += hy;
      worst = std::max(worst, run);
      CHECK(right_edge(s.metrics, l) <= f.measure + 1e-6);
    }
    CHECK(total > 0);  // the dictionary was used
    CHECK(worst <= limit);
  }
}

TEST_CASE("hyphenation respects English minimums and the dictionary choice") {
  CHECK(Hyphenator::dictionary_for("en-GB").find("hyph_en_") != std::string::npos);
  CHECK(Hyphenator::dictionary_for("de").find("hyph_de") != std::string::npos);
  CHECK(Hyphenator::dictionary_for("xx").empty());
  Diagnostics diag;
  Hyphenator h("en", diag, "book.toml");
  REQUIRE(h.available());
  std::vector<uint32_t> pts = h.points("hyphenation");
  CHECK(pts == std::vector<uint32_t>{2, 6});  // hy-phen-ation
  for (uint32_t p : h.points("associate")) {
    CHECK(p >= 2);
    CHECK(p <= 9 - 3);
  }
  Hyphenator none("xx", diag, "book.toml");
  CHECK_FALSE(none.available());
  CHECK(diag.count(Severity::Warning) == 1);
}

namespace {

// Returns where the words of a paragraph set in LINES were divided, as "word|bytes"
// (a word may be divided more than once, over several lines).
std::vector<std::string> divisions(const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  std::string carry;            // the start of a word divided at the end of the last line
  std::vector<size_t> cuts;     // where that word was divided so far
  for (const std::string& line : lines) {
    std::vector<std::string> words;
    for (size_t i = 0; i < line.size();) {
      size_t j = line.find(' ', i);
      if (j == std::string::npos) j = line.size();
      if (j > i) words.push_back(line.substr(i, j - i));
      i = j + 1;
    }
    for (size_t k = 0; k < words.size(); ++k) {
      std::string w = (k == 0 ? carry : "") + words[k];
      if (k + 1 == words.size() && w.size() > 1 && w.back() == '-') {
        w.pop_back();
        cuts.push_back(w.size());
        carry = w;
        break;
      }
      for (size_t c : cuts) out.push_back(w + "|" + std::to_string(c));
      cuts.clear();
      carry.clear();
    }
  }
  return out;
}

std::vector<std::string> divisions(const std::vector<VItem>& lines) {
  std::vector<std::string> texts;
  for (const VItem& l : lines) texts.push_back(line_text(l));
  return divisions(texts);
}

// Returns the language-marked span <span lang=LANG>TEXT</span>.
Inline lang_span(const std::string& lang, const std::string& s, SourcePos pos = {1, 1}) {
  Inline span;
  span.kind = InlineKind::Span;
  span.element = "span";
  span.pos = pos;
  span.attr.attributes = {{"lang", lang}};
  span.children = {text(s)};
  span.children[0].pos = pos;
  return span;
}

}  // namespace

TEST_CASE("a span in another language is hyphenated with its own language's patterns") {
  Diagnostics probe;
  Hyphenator de("de", probe, "book.toml"), en("en-US", probe, "book.toml");
  REQUIRE(de.available());
  const std::string german = "Schifffahrtsgesellschaft Silbentrennungsmuster Zeilenumbruchverfahren";
  for (bool marked : {true, false}) {
    Setter s;
    Frame f;
    f.measure = 13 * kCharEm * f.size;  // thirteen characters: every long word is divided
    std::vector<Inline> in = {text("Sie sagte: ")};
    in.push_back(marked ? lang_span("de", german) : text(german));
    std::vector<VItem> lines = s.set(in, f);
    std::vector<std::string> cuts = divisions(lines);
    CAPTURE(marked);
    REQUIRE(cuts.size() >= 3);
    bool english_would_not = false;  // a cut the English patterns do not allow
    for (const std::string& c : cuts) {
      std::string word = c.substr(0, c.find('|'));
      uint32_t at = static_cast<uint32_t>(std::stoul(c.substr(c.find('|') + 1)));
      const std::vector<uint32_t> de_points = de.points(word);
      const std::vector<uint32_t> en_points = en.points(word);
      Hyphenator& by = marked ? de : en;
      const std::vector<uint32_t> points = by.points(word);
      CAPTURE(c);
      CHECK(std::find(points.begin(), points.end(), at) != points.end());
      if (std::find(en_points.begin(), en_points.end(), at) == en_points.end()) english_would_not = true;
    }
    CHECK(english_would_not == marked);
    CHECK(s.diag.all().empty());
  }
}

TEST_CASE("a language without a dictionary is one warning, at its first word; a script no dictionary covers is none") {
  Setter s;
  s.ctx.file = "src/ch01.md";
  Frame f;
  f.measure = 300;
  std::vector<Inline> in = {text("Plain English, then "), lang_span("xx", "Aaaaaaaaaa bbbbbbbbbb", {3, 7}),
                            text(" and again "), lang_span("xx", "Cccccccccc", {4, 2}),
                            text(" and "), lang_span("zh", "\u6211\u4eec\u5728\u6d77\u8fb9\u8bfb\u4e66", {5, 1}),
                            text(" and "), lang_span("yy", "ab cd", {6, 1}),
                            // No language tag: not looked up as a file, no warning.
                            text(" and "), lang_span("../../../etc/passwd", "Dddddddddd", {6, 9}),
                            text(" and "), lang_span(std::string(100, 'q'), "Eeeeeeeeee", {6, 20})};
  s.set(in, f);
  s.set(in, f);  // a second paragraph in the same languages is told of no more
  // A paragraph all in Chinese, too long for a line, looks for no dictionary either.
  std::string chinese;
  for (int i = 0; i < 40; ++i) chinese += "\u6211\u4eec\u5728\u6d77\u8fb9\u8bfb\u4e66";
  s.set({lang_span("zh", chinese, {7, 1})}, f);
  auto all = s.diag.all();
  REQUIRE(all.size() == 1);
  CHECK(all[0].file == "src/ch01.md");
  CHECK(all[0].pos.line == 3);
  CHECK(all[0].pos.col == 7);
  CHECK(all[0].message.find("'xx'") != std::string::npos);
  CHECK(all[0].hint.find("hyphen-xx") != std::string::npos);
}

TEST_CASE("a space before closing punctuation or after opening punctuation ends no line (UAX #14 LB13, LB14)") {
  // French puts a space before "!" and ";"; Chinese text often has spaces inside its
  // brackets ("（ AVX ）") and before its full stop. At every measure, no line may begin
  // with the closing mark nor end with the opening one.
  Setter s(false);
  const std::vector<std::string> closing = {"!", ";", ")", "\u3002", "\uFF09", "\uFF01"};
  const std::vector<std::string> opening = {"(", "\uFF08", "\u300C"};
  for (int chars = 6; chars <= 40; ++chars) {
    Frame f;
    f.measure = chars * kCharEm * f.size;
    for (const std::string& c : closing) {
      std::string para = "aa bbb cc dddd e ff " + c + " gg hhh ii " + c + " jjjj k " + c;
      for (const VItem& line : s.set({text(para)}, f)) {
        REQUIRE_FALSE(line.content.texts.empty());
        CAPTURE(chars);
        CAPTURE(line_text(line));
        CHECK(line.content.texts.front().text.rfind(c, 0) != 0);
      }
    }
    for (const std::string& o : opening) {
      std::string para = "aa bbb " + o + " cc dddd e " + o + " ff gg hhh " + o + " ii jjjj k";
      for (const VItem& line : s.set({text(para)}, f)) {
        const std::string& last = line.content.texts.back().text;
        CAPTURE(chars);
        CAPTURE(line_text(line));
        CHECK((last.size() < o.size() || last.compare(last.size() - o.size(), o.size(), o) != 0));
      }
    }
  }
  // A separator before a digit may begin a line (LB15c): ".5" is a number.
  Frame f;
  f.measure = 9 * kCharEm * f.size;
  std::vector<VItem> lines = s.set({text("aaaa bbbb .5 cc")}, f);
  REQUIRE(lines.size() >= 2);
  CHECK(line_text(lines[1]).rfind(".5", 0) == 0);
}

TEST_CASE("words a held space joins that are wider than the line break at that space, not past the margin") {
  // "| ,http://..." (found by fuzz_layout): the space before "," ends no line, so the two
  // words were one unbreakable stretch; each fitted alone, so neither was cut, and the
  // line ran past the right margin. Such a stretch gives its space back as a break.
  Setter s(false);
  const std::vector<std::string> joined = {"aaaaaaaaaaaa ,bbbbbbbbbbbbbbbb", "aaaaaaaaaaaa (bbbbbbbbbbbbbbbb",
                                           "aaaaaaaa ! bbbbbbbbbbbb ! cccccccc"};
  for (int chars = 19; chars <= 29; ++chars) {  // each word fits; the joined words do not
    Frame f;
    f.measure = chars * kCharEm * f.size;
    for (const std::string& para : joined) {
      std::vector<VItem> lines = s.set({text(para)}, f);
      CAPTURE(chars);
      CAPTURE(para);
      REQUIRE(lines.size() >= 2);
      for (const VItem& l : lines) {
        CAPTURE(line_text(l));
        CHECK(right_edge(s.metrics, l) <= f.measure + 1e-6);
      }
    }
  }
  CHECK(s.diag.all().empty());  // broken at a space: no word was cut between letters
  // A stretch that fits keeps its hold: "ff !" stays together on the second line.
  Frame f;
  f.measure = 9 * kCharEm * f.size;
  std::vector<VItem> lines = s.set({text("aaaa bbbb ff ! cc")}, f);
  REQUIRE(lines.size() >= 2);
  CHECK(line_text(lines[1]).rfind("ff", 0) == 0);
}

TEST_CASE("a Latin word in Chinese, Japanese or Thai text asks for no dictionary of that language") {
  // Those scripts never take a hyphen: no package could be installed for them, so a
  // warning about their dictionary would only be noise (a Chinese book's first "Cargo").
  Setter s;
  s.ctx.file = "src/ch01.md";
  Frame f;
  f.measure = 300;
  s.set({lang_span("zh-CN", "\u6211\u4eec\u7528 Cargo \u6765\u6784\u5efa", {2, 1}),
         lang_span("ja", "\u3053\u308c\u306f Rustacean \u3067\u3059", {3, 1}),
         lang_span("th", "\u0e20\u0e32\u0e29\u0e32 compiler", {4, 1}),
         // A language ICU does not know still gets its warning.
         lang_span("qq", "Aaaaaaaaaa", {5, 3})},
        f);
  auto all = s.diag.all();
  REQUIRE(all.size() == 1);
  CHECK(all[0].pos.line == 5);
  CHECK(all[0].message.find("'qq'") != std::string::npos);
}

TEST_CASE("Greek is hyphenated with Debian's Greek patterns (ISO 8859-7), and Ancient Greek with them too") {
  if (Hyphenator::dictionary_for("el").empty()) {
    MESSAGE("SKIPPED: no Greek hyphenation dictionary (Debian package hyphen-el)");
    return;
  }
  Diagnostics diag;
  Hyphenator el("el", diag, "book.toml"), grc("grc", diag, "book.toml");
  REQUIRE(el.available());
  REQUIRE(grc.available());
  // γλώσ-σα is no division of five letters' minimum; "Θεσσαλονίκη": Θεσ-σα-λο-νί-κη.
  std::vector<uint32_t> pts = el.points("\u0398\u03b5\u03c3\u03c3\u03b1\u03bb\u03bf\u03bd\u03af\u03ba\u03b7");
  CHECK(pts == std::vector<uint32_t>{6, 10, 14, 18});  // bytes: two per Greek letter
  CHECK(grc.points("\u03ba\u03bf\u03bb\u03bf\u03c6\u03ce\u03bd") == std::vector<uint32_t>{4, 8});  // κο-λο-φών
  CHECK(diag.all().empty());
}

namespace {

// An image inline with alternative text ALT, of asset ASSET.
Inline inline_image(const std::string& alt, int asset, SourcePos pos = {4, 7}) {
  Inline in;
  in.kind = InlineKind::Image;
  in.pos = pos;
  in.asset = asset;
  in.children.push_back(text(alt));
  return in;
}

// Adds an image asset of W x H pixels (0 x 0: an SVG that gives no size) to BOOK.
int add_image_asset(Book& book, int w, int h) {
  Asset a;
  a.source = "src/i" + std::to_string(book.assets.size()) + (w > 0 ? ".png" : ".svg");
  a.media_type = w > 0 ? "image/png" : "image/svg+xml";
  a.width = w;
  a.height = h;
  book.assets.push_back(a);
  return static_cast<int>(book.assets.size()) - 1;
}

}  // namespace

TEST_CASE("an image inside text is a box on the baseline at its size, the line made tall enough") {
  Setter s(false);
  s.ctx.file = "src/ch01.md";
  const int icon = add_image_asset(s.book, 40, 20);    // 30 x 15 pt at 96 px per inch
  const int wide = add_image_asset(s.book, 800, 100);  // 600 x 75 pt: wider than the measure
  Frame f;
  f.measure = 300;
  f.image_limit = 200;
  std::vector<VItem> lines =
      s.set({text("press "), inline_image("the key", icon), text(" then go")}, f);
  REQUIRE(lines.size() == 1);
  const VItem& line = lines[0];
  REQUIRE(line.content.images.size() == 1);
  const ImageBox& im = line.content.images[0];
  CHECK(im.asset == icon);
  CHECK(im.width == doctest::Approx(30));
  CHECK(im.height == doctest::Approx(15));
  CHECK(im.file == "src/ch01.md");
  CHECK(im.pos.line == 4);
  // "press " is 6 characters of 5 pt; the text after it starts past the image and a space.
  CHECK(im.x == doctest::Approx(30).epsilon(0.001));  // the last line's spaces barely stretch
  REQUIRE(line.content.texts.size() == 3);  // "press", "then", "go"
  CHECK(line.content.texts[1].x == doctest::Approx(30 + 30 + 5).epsilon(0.001));
  // Its bottom on the baseline, its top inside the line, which is taller than the leading.
  const double base = line.content.texts[0].y;
  CHECK(line.content.texts[1].y == doctest::Approx(base));
  CHECK(im.y + im.height == doctest::Approx(base));
  CHECK(im.y >= -0.01);
  CHECK(line.height > 12);
  CHECK(line.height >= base + 2 - 0.01);  // the descent below the baseline is kept
  CHECK(line_text(line).find('[') == std::string::npos);  // no alternative text

  // An image wider than the measure is scaled down in proportion, on a line of its own.
  lines = s.set({text("see "), inline_image("a chart", wide), text(" here")}, f);
  std::vector<ImageBox> found;
  for (const VItem& l : lines)
    for (const ImageBox& b : l.content.images) found.push_back(b);
  REQUIRE(found.size() == 1);
  CHECK(found[0].width <= 300);
  CHECK(found[0].width > 290);
  CHECK(found[0].height == doctest::Approx(found[0].width * 75 / 600));
  CHECK(found[0].x + found[0].width <= 300.01);

  // Raw <img width>: the attribute's pixels, the height in proportion.
  Inline sized = inline_image("the key", icon);
  sized.attr.attributes.push_back({"width", "20"});
  lines = s.set({text("a "), sized}, f);
  REQUIRE(lines.size() == 1);
  REQUIRE(lines[0].content.images.size() == 1);
  CHECK(lines[0].content.images[0].width == doctest::Approx(15));
  CHECK(lines[0].content.images[0].height == doctest::Approx(7.5));

  // A frame that carries no taller line (a footnote) scales the image to fit its line.
  Frame foot = f;
  foot.image_limit = 0;
  lines = s.set({text("press "), inline_image("the key", icon)}, foot);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].height == doctest::Approx(12));
  REQUIRE(lines[0].content.images.size() == 1);
  CHECK(lines[0].content.images[0].y >= -0.01);
  CHECK(lines[0].content.images[0].height == doctest::Approx(9));  // the baseline's depth
  CHECK(s.diag.all().empty());
}

// Checks that S, having set a paragraph with two inline images it cannot draw (the first
// at src/ch01.md:4:7), has told nothing yet and tells one warning for the book at its end;
// returns that warning.
Diagnostic told_once_for_two_images(Setter& s) {
  CHECK(s.diag.all().empty());  // told once for the whole book, at its end
  s.ctx.report_inline_images();
  auto all = s.diag.all();
  REQUIRE(all.size() == 1);
  CHECK(all[0].file == "src/ch01.md");
  CHECK(all[0].pos.line == 4);
  CHECK(all[0].pos.col == 7);
  CHECK(all[0].severity == Severity::Warning);
  CHECK(all[0].message.find("2 images stand inside text") == 0);
  return all[0];
}

TEST_CASE("an image inside text that gives no size is its text in brackets, one warning for the book") {
  Setter s(false);
  s.ctx.file = "src/ch01.md";
  const int svg = add_image_asset(s.book, 0, 0);
  Frame f;
  f.measure = 300;
  std::vector<VItem> lines =
      s.set({text("press "), inline_image("the key", svg, {4, 7}), text(" then "),
             inline_image("the other", svg, {4, 30})},
            f);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].content.images.empty());
  CHECK(line_text(lines[0]).find("[the key]") != std::string::npos);
  const Diagnostic told = told_once_for_two_images(s);
  CHECK(told.hint.find("viewBox") != std::string::npos);
}

TEST_CASE("images inside text, which the PDF prints as their text in brackets, are one warning for the book") {
  Setter s(false);
  s.ctx.file = "src/ch01.md";
  Frame f;
  f.measure = 300;
  auto image = [](const std::string& alt, SourcePos pos) {
    Inline in;
    in.kind = InlineKind::Image;
    in.pos = pos;
    in.children.push_back(text(alt));
    return in;
  };
  s.set({text("press "), image("the key", {4, 7}), text(" then "), image("the other", {4, 30})}, f);
  told_once_for_two_images(s);
}

TEST_CASE("a Chinese full stop that begins a run asks for a font in the paragraph's language") {
  // After inline code, a zh-CN paragraph's text run began with "。": a character of no
  // script, it was looked for with no language, got fontconfig's first CJK face
  // (Japanese), and the Chinese characters after it stayed in that face.
  struct Asking : FakeMetrics {
    mutable std::map<char32_t, std::string> asked;
    bool has_glyph(FaceId face, char32_t cp) const override {
      return cp < 0x3000 || face.family == FaceFamily::Fallback;
    }
    std::optional<FaceId> fallback_face(FaceId face, char32_t cp,
                                        std::string_view language) const override {
      asked.emplace(cp, std::string(language));
      return FaceId{FaceFamily::Fallback, face.style, 1};
    }
  };
  Book book;
  book.meta.language = "zh-CN";
  Style style = test_style();
  Asking metrics;
  Diagnostics diag;
  Context ctx{book, style, metrics, diag};
  Frame f;
  f.measure = 300;
  Paragraph p = collect_inlines(ctx, {text("\u3002\u9ed8\u8ba4 and more")}, f);
  set_paragraph(ctx, p, f);
  REQUIRE(metrics.asked.count(0x3002) == 1);
  CHECK(metrics.asked[0x3002] == "zh-cn");
}

TEST_CASE("characters no face has are reported once, with U+XXXX, count and file:line:col; fallback is used") {
  Setter s(false);
  s.ctx.file = "src/ch01.md";
  Frame f;
  f.measure = 300;
  Inline in = text("snow \u2603 and arrow \u21AA, snow again \u2603");
  in.pos = {12, 3};
  std::vector<VItem> lines = s.set({in}, f);
  CHECK(s.diag.all().empty());  // told once for the whole book, at its end
  s.ctx.report_missing_glyphs();
  auto all = s.diag.all();
  REQUIRE(all.size() == 1);
  CHECK(all[0].file == "src/ch01.md");
  CHECK(all[0].pos.line == 12);
  CHECK(all[0].pos.col == 8);  // the character itself, not the start of the text
  CHECK(all[0].severity == Severity::Warning);  // the EPUB is fine; the PDF lacks it
  CHECK(!all[0].hint.empty());
  CHECK(all[0].message.find("U+2603") != std::string::npos);
  CHECK(all[0].message.find("1 character is") != std::string::npos);
  CHECK(all[0].message.find("2 times") != std::string::npos);
  bool fallback = false;
  for (const TextRun& t : lines[0].content.texts)
    if (t.face.family == FaceFamily::Fallback && t.text == "\u21AA") fallback = true;
  CHECK(fallback);
}

TEST_CASE("over-long words are broken and reported only when cut between letters") {
  Setter s(false);
  Frame f;
  f.measure = 100;  // 20 characters
  s.set({text("see https://example.com/aaaa/bbbb/cccc/dddd/eeee/ffff now")}, f);
  CHECK(s.diag.count(Severity::Warning) == 0);
  s.set({text("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")}, f);
  CHECK(s.diag.count(Severity::Warning) == 1);
}

TEST_CASE("the over-long word warning quotes 40 characters, cut on a UTF-8 boundary, and the length") {
  Setter s(false);
  Frame f;
  f.measure = 100;
  std::string word;
  for (int i = 0; i < 5000; ++i) word += "\xC3\xA9";  // e acute, two bytes
  s.set({text(word)}, f);
  auto all = s.diag.all();
  REQUIRE(all.size() == 1);
  const std::string& m = all[0].message;
  CHECK(m.find("word '" + word.substr(0, 80) + "\xE2\x80\xA6'") == 0);
  CHECK(m.find("(5000 characters)") != std::string::npos);
  CHECK(m.size() < 200);
  CHECK(find_invalid_utf8(m) == std::nullopt);
  CHECK(quote_start("short") == "short");
  CHECK(quote_start("short", 9) == "short\xE2\x80\xA6");
}

TEST_CASE("over-long words are broken in linear time") {
  // Counted, not timed: the units of work (characters cut, breakpoints tried, items set)
  // for a word 4 times longer are about 4 times as many. Quadratic splitting, as it once
  // was, made them 16 times as many.
  auto work_for = [](std::vector<Inline> inlines, size_t n) {
    Setter s(false);
    Frame f;
    f.measure = 300;
    work::Meter meter;
    auto lines = s.set(inlines, f);
    CHECK(lines.size() >= n / 60);
    return meter.units();
  };
  auto plain = [&](size_t n) { return work_for({text(std::string(n, 'x'))}, n); };
  // The same word made of style runs (*a*b*a*b...): one box per run to cut.
  auto styled = [&](size_t n) {
    std::vector<Inline> runs;
    for (size_t k = 0; k < n / 2; ++k) {
      Inline em;
      em.kind = InlineKind::Emph;
      em.children.push_back(text("a"));
      runs.push_back(em);
      runs.push_back(text("b"));
    }
    return work_for(runs, n);
  };
  for (auto& measure : {std::function<uint64_t(size_t)>(plain), std::function<uint64_t(size_t)>(styled)}) {
    uint64_t small = measure(50000), big = measure(200000);
    MESSAGE("50,000 letters: " << small << " units; 200,000 letters: " << big << " units");
    CHECK(small >= 50000);  // the counter counts the word
    CHECK(static_cast<double>(big) <= 4.4 * static_cast<double>(small));
  }
}

TEST_CASE("a link address too long for a PDF string keeps its text, loses the link, and says where") {
  Setter s(false);
  Frame f;
  f.measure = 300;
  Inline link;
  link.kind = InlineKind::Link;
  link.url = "https://example.com/" + std::string(40000, 'p');
  link.target.kind = LinkTarget::Kind::External;
  link.pos = {7, 5};
  link.children.push_back(text("the link text"));
  s.ctx.file = "book/src/a.md";
  auto lines = s.set({text("See "), link, text(" now.")}, f);
  size_t areas = 0;
  for (const VItem& l : lines) areas += l.content.links.size();
  CHECK(areas == 0);
  REQUIRE(lines.size() == 1);
  CHECK(line_text(lines[0]).find("link text") != std::string::npos);
  auto all = s.diag.all();
  REQUIRE(all.size() == 1);
  CHECK(all[0].file == "book/src/a.md");
  CHECK(all[0].pos.line == 7);
  CHECK(all[0].pos.col == 5);
  CHECK(all[0].message.find("40020 bytes") != std::string::npos);
  CHECK(all[0].message.size() < 200);
  CHECK(!all[0].hint.empty());
}

namespace {

struct Laid {
  Document doc;
  std::vector<PageInfo> pages;
  Diagnostics diag;
};

std::unique_ptr<Laid> lay(const Book& book, Style style = test_style()) {
  auto out = std::make_unique<Laid>();
  FakeMetrics m;
  out->doc = layout_book(book, style, m, out->diag);
  out->pages = pages_of(out->doc);
  return out;
}

int page_with_anchor(const Laid& l, const std::string& name) {
  for (size_t i = 0; i < l.pages.size(); ++i)
    if (l.pages[i].anchors.count(name)) return static_cast<int>(i);
  return -1;
}

}  // namespace

TEST_CASE("widows and orphans: never a single line of a paragraph alone at a page edge") {
  Book book = make_book(1);
  std::mt19937 rng(5);
  for (int k = 0; k < 60; ++k) {
    int n = 5 + static_cast<int>(rng() % 120);  // 5..124 words = 1..11 lines
    std::string stem = "p";  // built in steps: GCC 12 -O3 mistakes "p" + to_string(k) for an overlap
    stem.append(std::to_string(k)).append("x");
    book.chapters[0].blocks.push_back(para(words(stem, n)));
  }
  auto l = lay(book);
  int checked = 0;
  for (size_t p = 0; p < l->pages.size(); ++p) {
    const auto& lines = l->pages[p].lines;
    // Count the lines of each paragraph on this page and overall.
    for (int k = 0; k < 60; ++k) {
      std::string tag = "p";  // append(): dodges GCC 12's false -Wrestrict at -O3
      tag.append(std::to_string(k)).append("x");
      auto belongs = [&](const std::string& s) { return s.find(tag + " ") == 0 || s == tag; };
      int here = 0, total = 0;
      for (const std::string& s : lines) here += belongs(s) || s.find(" " + tag + " ") != std::string::npos;
      for (const PageInfo& q : l->pages)
        for (const std::string& s : q.lines) total += belongs(s) || s.find(" " + tag + " ") != std::string::npos;
      if (here > 0 && here < total) {
        ++checked;
        CHECK(here >= 2);
      }
    }
  }
  CHECK(checked > 0);  // some paragraphs were split across pages
}

TEST_CASE("headings are kept with the text that follows them") {
  Book book = make_book(1);
  for (int k = 0; k < 40; ++k) {
    // Appended, not "h" + to_string(k): GCC 12 at -O3 warns falsely (-Wrestrict) on that.
    std::string title = "Section H", id = "h";
    title += std::to_string(k);
    id += std::to_string(k);
    book.chapters[0].blocks.push_back(heading(2, title, id));
    book.chapters[0].blocks.push_back(para(words("body", 25 + k * 7 % 50)));
  }
  auto l = lay(book);
  int sections = 0;
  for (size_t p = 0; p < l->pages.size(); ++p) {
    const auto& lines = l->pages[p].lines;
    for (size_t i = 0; i < lines.size(); ++i) {
      if (lines[i].rfind("Section H", 0) != 0) continue;
      ++sections;
      // At least two body lines follow the heading on its page.
      REQUIRE(i + 2 < lines.size());
      CHECK(lines[i + 1].rfind("body", 0) == 0);
      CHECK(lines[i + 2].rfind("body", 0) == 0);
    }
  }
  CHECK(sections == 40);
}

TEST_CASE("footnotes sit on the page of their reference; long notes split, never before") {
  Book book = make_book(1);
  book.note_options.pdf_placement = NoteOptions::Placement::Page;
  std::vector<Block>& blocks = book.chapters[0].blocks;
  for (int k = 0; k < 30; ++k) {
    Block b = para(words("text", 30 + k % 20));
    Inline ref;
    ref.kind = InlineKind::NoteRef;
    ref.note = k;
    b.inlines.push_back(ref);
    b.inlines.push_back(text(" more text after the reference"));
    blocks.push_back(b);
    Note n;
    n.chapter = 0;
    n.number = k + 1;
    n.id = "note-" + std::to_string(k + 1);
    n.ref_id = "noteref-" + std::to_string(k + 1);
    // Note 5 is longer than a page: it must continue on the following pages.
    n.blocks.push_back(para(words("n" + std::to_string(k + 1), k == 5 ? 900 : 5 + k % 30)));
    book.notes.push_back(n);
    book.chapters[0].notes.push_back(k);
  }
  auto l = lay(book);
  for (int k = 0; k < 30; ++k) {
    int ref = page_with_anchor(*l, "ch0#noteref-" + std::to_string(k + 1));
    int note = page_with_anchor(*l, "ch0#note-" + std::to_string(k + 1));
    INFO("note " << k + 1);
    REQUIRE(ref >= 0);
    CHECK(note == ref);
    // Every line of the note is on its reference's page or later; none is lost.
    std::string tag = "n" + std::to_string(k + 1);
    int words_seen = 0;
    for (size_t p = 0; p < l->pages.size(); ++p)
      for (const std::string& s : l->pages[p].lines) {
        size_t at = 0;
        int here = 0;
        while ((at = s.find(tag, at)) != std::string::npos) {
          bool whole = (at + tag.size() == s.size() || s[at + tag.size()] == ' ' || s[at + tag.size()] == '-') &&
                       (at == 0 || s[at - 1] == ' ');
          here += whole;
          at += tag.size();
        }
        if (here) CHECK(static_cast<int>(p) >= ref);
        words_seen += here;
      }
    CHECK(words_seen == (k == 5 ? 900 : 5 + k % 30));
  }
  // The long note spans more than one page.
  int pages_with_long = 0;
  for (const PageInfo& p : l->pages)
    for (const std::string& s : p.lines)
      if (s.rfind("n6 ", 0) == 0) {
        ++pages_with_long;
        break;
      }
  CHECK(pages_with_long >= 2);
}

TEST_CASE("a table that runs over a page repeats its header") {
  Book book = make_book(1);
  Block t;
  t.kind = BlockKind::Table;
  t.table.align = {Align::Left, Align::Right};
  t.table.rows.push_back({{text("Head")}, {text("Value")}});
  for (int r = 0; r < 80; ++r)
    t.table.rows.push_back({{text("row" + std::to_string(r))}, {text(std::to_string(r * 3))}});
  book.chapters[0].blocks.push_back(t);
  auto l = lay(book);
  int table_pages = 0;
  std::set<std::string> rows_seen;
  for (const PageInfo& p : l->pages) {
    bool has_rows = false;
    for (const std::string& s : p.lines)
      if (s.rfind("row", 0) == 0) {
        has_rows = true;
        rows_seen.insert(s);
      }
    if (!has_rows) continue;
    ++table_pages;
    bool header_first = false;
    for (const std::string& s : p.lines) {
      if (s.rfind("row", 0) == 0) break;
      if (s.rfind("Head Value", 0) == 0) header_first = true;
    }
    CHECK(header_first);
  }
  CHECK(table_pages >= 2);
  CHECK(rows_seen.size() == 80);
}

TEST_CASE("an image in a table cell is drawn at its size, or scaled to the cell, rows tall enough") {
  Book book = make_book(1);
  const int icon = add_image_asset(book, 16, 16);     // 12 x 12 pt
  const int shot = add_image_asset(book, 1200, 600);  // 900 x 450 pt: wider than any cell
  Block t;
  t.kind = BlockKind::Table;
  t.table.align = {Align::Left, Align::Left};
  t.table.rows.push_back({{text("Icon")}, {text("Meaning")}});
  t.table.rows.push_back({{inline_image("ok", icon)}, {text("fine")}});
  t.table.rows.push_back({{text("see "), inline_image("screen", shot)}, {text(words("word", 12))}});
  t.table.rows.push_back({{text("last")}, {text("row")}});
  book.chapters[0].blocks.push_back(t);
  auto l = lay(book);
  std::vector<ImageBox> found;
  const Page* page = nullptr;
  for (const Page& p : l->doc.pages)
    if (!p.images.empty()) {
      page = &p;
      for (const ImageBox& b : p.images) found.push_back(b);
    }
  REQUIRE(page != nullptr);
  REQUIRE(found.size() == 2);
  CHECK(found[0].asset == icon);
  CHECK(found[0].width == doctest::Approx(12));
  CHECK(found[0].height == doctest::Approx(12));
  CHECK(found[1].asset == shot);
  CHECK(found[1].width < 300);  // scaled to its cell, in proportion
  CHECK(found[1].height == doctest::Approx(found[1].width / 2));
  auto text_at = [&](const std::string& s) -> const TextRun* {
    for (const TextRun& r : page->texts)
      if (r.text == s) return &r;
    return nullptr;
  };
  const TextRun* meaning = text_at("Meaning");
  const TextRun* well = text_at("fine");
  const TextRun* last = text_at("last");
  REQUIRE(meaning != nullptr);
  REQUIRE(well != nullptr);
  REQUIRE(last != nullptr);
  // The icon stands on its row's baseline, below the header's text; its neighbour
  // shares that baseline.
  CHECK(found[0].y + found[0].height == doctest::Approx(well->y));
  CHECK(found[0].y > meaning->y);
  // The screenshot is in its column, clear of the next column's text, and below the
  // icon's row, the next row below it.
  CHECK(found[1].x + found[1].width <= well->x + 0.01);
  CHECK(found[1].y >= well->y);
  CHECK(last->y > found[1].y + found[1].height);
  CHECK(l->diag.all().empty());
}

TEST_CASE("long code lines wrap with a continuation mark, never past the measure") {
  Book book = make_book(1);
  Block code;
  code.kind = BlockKind::CodeBlock;
  code.text = std::string(150, 'a') + "\n\tshort\n";
  book.chapters[0].blocks.push_back(code);
  Style st = test_style();
  auto l = lay(book, st);
  FakeMetrics m;
  int marks = 0;
  std::string all;
  for (const Page& p : l->doc.pages)
    for (const TextRun& t : p.texts) {
      if (t.text == "\u21AA") {
        ++marks;
        CHECK(t.face.family == FaceFamily::Fallback);
      }
      if (t.face.family == FaceFamily::Mono) {
        all += t.text;
        CHECK(t.x + m.width(t.face, t.text) * t.size <= st.page_width - st.margin_outer + 1e-6);
      }
    }
  CHECK(marks >= 1);
  CHECK(all.find(std::string(150, 'a').substr(0, 40)) != std::string::npos);
  CHECK(std::count(all.begin(), all.end(), 'a') == 150);
  CHECK(all.find("    short") != std::string::npos);
}

TEST_CASE("a tab in code moves to the next multiple of eight columns, as in the EPUB and a terminal") {
  // Disassembly is tab-separated: with stops every four columns "sub" and "movs" put
  // their operands in different columns.
  Book book = make_book(1);
  Block code;
  code.kind = BlockKind::CodeBlock;
  code.text = "\tsub\tsp, #4\n\tmovs\tr0, #42\n1234567\tx\n12345678\ty\n";
  book.chapters[0].blocks.push_back(code);
  auto l = lay(book);
  std::vector<std::string> lines;
  for (const Page& p : l->doc.pages)
    for (const TextRun& t : p.texts)
      if (t.face.family == FaceFamily::Mono) lines.push_back(t.text);
  CHECK(lines == std::vector<std::string>{"        sub     sp, #4", "        movs    r0, #42",
                                          "1234567 x", "12345678        y"});
}

TEST_CASE("contents page numbers are the pages where chapters start; front matter is roman") {
  Book book = make_book(5);
  for (int c = 0; c < 5; ++c)
    for (int k = 0; k < 3 + c * 4; ++k)
      book.chapters[c].blocks.push_back(para(words("w", 80)));
  auto l = lay(book);
  const Document& d = l->doc;
  REQUIRE(d.labels.size() == 2);
  CHECK(d.labels[0].style == PageLabelRange::Style::LowerRoman);
  CHECK(d.labels[0].first_page == 0);
  CHECK(d.labels[1].style == PageLabelRange::Style::Decimal);
  CHECK(d.pages[0].label == "i");
  CHECK(d.pages[1].label == "ii");
  int body = d.labels[1].first_page;
  CHECK(d.pages[body].label == "1");
  CHECK(body % 2 == 0);  // page 1 is a recto
  for (int c = 0; c < 5; ++c) {
    std::string id = "ch" + std::to_string(c);
    int start = page_with_anchor(*l, id);
    REQUIRE(start >= body);
    CHECK((start - body) % 2 == 0);  // chapters open on rectos
    // Find the contents line that links to this chapter and read its number.
    std::string number;
    for (int p = 0; p < body; ++p)
      for (const LinkArea& a : d.pages[p].links)
        if (a.dest == id)
          for (const TextRun& t : d.pages[p].texts)
            if (t.y >= a.y && t.y <= a.y + a.height && !t.text.empty() &&
                std::isdigit(static_cast<unsigned char>(t.text[0])))
              number = t.text;
    CHECK(number == d.pages[start].label);
  }
  // No running head on chapter openings; blank pages are empty.
  for (int c = 0; c < 5; ++c) {
    int start = page_with_anchor(*l, "ch" + std::to_string(c));
    for (const TextRun& t : d.pages[start].texts) CHECK(t.text != "Test Book");
  }
}

TEST_CASE("dump prints positions rounded to 0.1 pt") {
  Book book = make_book(1);
  book.chapters[0].blocks.push_back(para("Hello world."));
  auto l = lay(book);
  std::string dump = dump_document(l->doc);
  CHECK(dump.rfind("document 400.0 x 400.0 pt", 0) == 0);
  CHECK(dump.find("labels from page 1: roman starting 1") != std::string::npos);
  CHECK(dump.find(" text-bold 17.0 \"Chapter\"") != std::string::npos);
  CHECK(dump.find("\"Hello\"") != std::string::npos);
  CHECK(dump.find("anchor ch0 ") != std::string::npos);
  CHECK(dump.find("outline 0 \"Chapter 1\"") != std::string::npos);
}

TEST_CASE("style files: values, units, errors at line:col, unknown keys as warnings") {
  Style s;
  Diagnostics d;
  CHECK(apply_style_toml("trim = \"6x9in\"\n[margins]\ninner = \"20mm\"\n[paragraph]\njustify = false\n"
                         "widows = 3\n",
                         "style.toml", s, d));
  CHECK(d.all().empty());
  CHECK(s.page_width == doctest::Approx(432));
  CHECK(s.margin_inner == doctest::Approx(56.69).epsilon(0.001));
  CHECK_FALSE(s.justify);
  CHECK(s.widows == 3);

  Diagnostics e;
  apply_style_toml("trim = \"a5\"\n[margins]\ntop = \"12furlongs\"\ncolour = 3\n", "style.toml", s, e);
  auto all = e.all();
  REQUIRE(all.size() == 2);
  CHECK(all[0].severity == Severity::Error);
  CHECK(all[0].pos.line == 3);
  CHECK(all[0].pos.col == 7);
  CHECK(all[1].severity == Severity::Warning);
  CHECK(all[1].pos.line == 4);
  CHECK(all[1].pos.col == 1);

  Diagnostics syntax;
  CHECK_FALSE(apply_style_toml("trim = \n", "style.toml", s, syntax));
  REQUIRE(syntax.all().size() == 1);
  CHECK(syntax.all()[0].pos.line == 1);

  double w = 0, h = 0;
  CHECK(parse_trim("A4", w, h));
  CHECK(w == doctest::Approx(595.28));
  CHECK(parse_trim("150x220mm", w, h));
  CHECK(h == doctest::Approx(220 * 72 / 25.4));
  CHECK_FALSE(parse_trim("huge", w, h));
}

TEST_CASE("the built-in style loads without diagnostics") {
  Book book;
  book.root = "/nonexistent";
  Diagnostics d;
  Style s = load_style(book, d);
  CHECK(d.all().empty());
  CHECK(s.page_width == doctest::Approx(419.53));
  CHECK(s.fonts.text.regular.find("NotoSerif-Regular.ttf") != std::string::npos);
  CHECK(s.max_consecutive_hyphens == 2);
}

TEST_CASE("trim-size errors say where the size was set, in book.toml and a style file alike") {
  // Issue 13, item 12: a page with no room for text was blamed on book.toml with no line,
  // even when a style file set its size; the style file's hint differed from book.toml's.
  namespace fs = std::filesystem;
  fs::path root = fs::temp_directory_path() / "colophon-trim-test";
  fs::remove_all(root);
  fs::create_directories(root);
  {
    std::ofstream(root / "style.toml") << "# a tiny page\ntrim = \"1x1in\"\n";
  }
  Book book;
  book.root = root.string();
  book.pdf.style = "style.toml";
  Diagnostics d;
  load_style(book, d);
  auto all = d.all();
  REQUIRE(all.size() == 1);
  CHECK(all[0].file == "style.toml");
  CHECK(all[0].pos.line == 2);
  CHECK(all[0].pos.col == 8);
  CHECK(all[0].message == "the PDF margins leave no room for text on a page of 25 x 25 mm");

  // book.toml's trim overrides the style's and is the one named.
  book.pdf.trim = "80x80mm";
  book.pdf.trim_pos = {4, 8};
  Diagnostics over;
  load_style(book, over);
  REQUIRE(over.all().size() == 1);
  CHECK(over.all()[0].file == "book.toml");
  CHECK(over.all()[0].pos.line == 4);

  // A size out of range says so, with the one hint of every trim error.
  Style s;
  Diagnostics big;
  apply_style_toml("trim = \"5x300in\"\n", "style.toml", s, big);
  REQUIRE(big.all().size() == 1);
  CHECK(big.all()[0].message ==
        "'trim': '5x300in' is larger than 200 inches (5.08 m) on a side, a PDF's limit");
  CHECK(big.all()[0].hint == trim_hint());
  double w = 0, h = 0;
  CHECK(trim_problem("0.5x9in", w, h) == "is smaller than 1 inch (25.4 mm) on a side");
  CHECK(trim_problem("c7", w, h) == "is not a page size colophon knows");
  fs::remove_all(root);
}

TEST_CASE("a long book lays out quickly (linear time)") {
  Book book = make_book(10);
  std::mt19937 rng(1);
  const char* pool[] = {"the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog",
                        "typography", "considerably", "paragraph", "a", "of"};
  size_t bytes = 0;
  for (auto& ch : book.chapters)
    for (int k = 0; k < 200; ++k) {
      std::string p;
      int n = 20 + static_cast<int>(rng() % 150);
      for (int w = 0; w < n; ++w) p.append(w ? " " : "").append(pool[rng() % 13]);
      bytes += p.size();
      ch.blocks.push_back(para(p));
    }
  auto l = lay(book);
  MESSAGE("laid out " << bytes / 1024 << " KB, " << l->doc.pages.size() << " pages");
  CHECK(l->doc.pages.size() > 100);
}

TEST_CASE("a very loose justified line spaces its letters a little and still ends at the measure") {
  Setter s(false);
  Frame f;
  f.measure = 100;  // 20 characters of 5 pt
  f.size = 10;
  f.leading = 12;
  f.justify = Justify::Full;
  // "ab cd ef" (40 pt) cannot take the 18-letter word: its line stretches to ratio 12.
  std::vector<VItem> lines = s.set({text("ab cd ef xxxxxxxxxxxxxxxxxx")}, f);
  REQUIRE(lines.size() == 2);
  const std::vector<TextRun>& t = lines[0].content.texts;
  REQUIRE(t.size() == 6);  // one run per letter
  std::string letters;
  for (const TextRun& r : t) letters += r.text;
  CHECK(letters == "abcdef");
  const double track = 0.02 * f.size;  // the most letter spacing allowed
  CHECK(t[1].x - t[0].x == doctest::Approx(5 + track));
  CHECK(t[3].x - t[2].x == doctest::Approx(5 + track));
  CHECK(t[2].x - t[1].x > 5 + 10);  // the word gap still takes most of the space
  CHECK(right_edge(s.metrics, lines[0]) == doctest::Approx(f.measure));
  // A line that is not very loose is set as it was: one run per word piece.
  CHECK(lines[1].content.texts.size() == 1);
}

TEST_CASE("an over-long word right after an en-dash emphasis in a list item stays inside the measure") {
  // fuzz_layout finding (tests/hostile/repro/layout-overfull-list-item.md):
  // "* *t–rong*<52-letter word>" ran 11 pt past the text block's right edge.
  const std::string word = "lsinelssinelsin\\n\\odelsineln\\nn\\n\\odelsinelsin\\n\\n";
  for (int style_kind = 0; style_kind < 2; ++style_kind) {
    Book book = make_book(1);
    Inline em;
    em.kind = InlineKind::Emph;
    em.children.push_back(text("t\u2013rong"));
    Block p;
    p.kind = BlockKind::Paragraph;
    p.inlines = {em, text(word)};
    Block item;
    item.kind = BlockKind::ListItem;
    item.children.push_back(p);
    Block list;
    list.kind = BlockKind::BulletList;
    list.tight = true;
    list.children.push_back(item);
    book.chapters[0].blocks.push_back(list);
    Style style = test_style();
    if (style_kind == 1) style.font_size = 10.5;  // the fuzzer's style: the built-in size
    FakeMetrics m;
    Diagnostics diag;
    Document doc = layout_book(book, style, m, diag);
    const double right = style.page_width - style.margin_outer;
    for (const Page& pg : doc.pages)
      for (const TextRun& t : pg.texts) {
        INFO("font size " << style.font_size << ": '" << t.text << "' at " << t.x);
        CHECK(t.x + m.width(t.face, t.text) * t.size <= right + 1e-6);
      }
  }
}

TEST_CASE("quotes and lists nested 200 deep keep a readable measure inside the text block") {
  // fuzz_layout findings (CI, and tests/hostile/repro/layout-deep-quote-*.md): each
  // quote level took 3 em off the measure until it was negative and the text, a list's
  // labels and a thematic break's ornament were set far right of the page; and each
  // level shrank the text again, to nothing.
  Block leaf_list;
  leaf_list.kind = BlockKind::OrderedList;
  leaf_list.start = 7;
  Block item;
  item.kind = BlockKind::ListItem;
  item.children.push_back(para(words("item", 30)));
  leaf_list.children.push_back(item);
  Block rule;
  rule.kind = BlockKind::ThematicBreak;
  std::vector<Block> inner = {para(words("deep", 40)), leaf_list, rule};
  for (int level = 0; level < 200; ++level) {
    Block q;
    q.kind = level % 3 == 2 ? BlockKind::BulletList : BlockKind::BlockQuote;
    if (q.kind == BlockKind::BulletList) {
      Block li;
      li.kind = BlockKind::ListItem;
      li.children = std::move(inner);
      q.children.push_back(std::move(li));
    } else {
      q.children = std::move(inner);
    }
    inner = {std::move(q)};
  }
  Book book = make_book(1);
  book.chapters[0].blocks = std::move(inner);
  Style style = test_style();
  FakeMetrics m;
  Diagnostics diag;
  Document doc = layout_book(book, style, m, diag);
  const double left = style.margin_inner, right = style.page_width - style.margin_outer;
  size_t runs = 0;
  std::set<double> starts;  // where the deep paragraph's words begin
  for (const Page& pg : doc.pages)
    for (const TextRun& t : pg.texts) {
      INFO("'" << t.text << "' at " << t.x);
      CHECK(t.x >= left - 1e-6);
      CHECK(t.x + m.width(t.face, t.text) * t.size <= right + 1e-6);
      if (t.text == "deep") {
        starts.insert(t.x);
        CHECK(t.size == doctest::Approx(style.font_size * style.quote_size / style.font_size));
      }
      ++runs;
    }
  CHECK(runs > 100);
  REQUIRE_FALSE(starts.empty());
  // The measure stopped narrowing at 10 em: a line of the deep paragraph holds several
  // words, so they start at three places or more, at least two words' width apart.
  CHECK(starts.size() >= 3);
  CHECK(*starts.rbegin() - *starts.begin() >= 2 * 4 * kCharEm * style.font_size);
}

TEST_CASE("no page ends on a hyphenated line") {
  // Prose with some long words hyphenates now and then; the page break after such a line
  // is forbidden, so no word is split across a page turn.
  Book book = make_book(1);
  book.meta.language = "en";
  const std::vector<std::string> vocabulary = {
      "representation", "internationalization", "communication", "responsibility", "and",
      "the",  "of",  "a",  "word",  "in",  "page",  "to",  "is",  "was",  "book",  "line"};
  std::mt19937 rng(11);
  for (int k = 0; k < 120; ++k) {
    std::string text;
    int n = 20 + static_cast<int>(rng() % 120);
    for (int w = 0; w < n; ++w) text += (w ? " " : "") + vocabulary[rng() % vocabulary.size()];
    book.chapters[0].blocks.push_back(para(text));
  }
  auto l = lay(book);
  int hyphenated = 0, pages_checked = 0;
  for (const PageInfo& page : l->pages) {
    std::string last;
    for (const std::string& s : page.lines) {
      if (s.find(' ') == std::string::npos && !s.ends_with("-")) continue;  // head, folio
      if (s.ends_with("-")) ++hyphenated;
      last = s;
    }
    if (last.empty()) continue;
    ++pages_checked;
    INFO("last line: " << last);
    CHECK_FALSE(last.ends_with("-"));
  }
  CHECK(hyphenated > 20);     // the words did hyphenate
  CHECK(pages_checked > 10);  // over many page breaks
}

namespace {

Block div(const std::string& element, std::vector<Block> children) {
  Block b;
  b.kind = BlockKind::Div;
  b.element = element;
  b.children = std::move(children);
  return b;
}

Block plain(const std::string& s) {
  Block b = para(s);
  b.kind = BlockKind::Plain;
  return b;
}

// Returns every rule of page P as "x width" (one decimal).
std::vector<std::string> rules_of(const Page& p) {
  std::vector<std::string> out;
  char buf[64];
  for (const Rule& r : p.rules) {
    std::snprintf(buf, sizeof buf, "%.1f %.1f", r.x, r.width);
    out.push_back(buf);
  }
  return out;
}

}  // namespace

TEST_CASE("an admonition is set between two rules, its label in bold and kept with its text") {
  Book book = make_book(1);
  Block title = para("Warning");
  title.attr.classes = {"admonition-title"};
  Block note = div("aside", {title, para(words("careful", 12))});
  note.attr.classes = {"admonition", "warning"};
  book.chapters[0].blocks.push_back(para(words("before", 10)));
  book.chapters[0].blocks.push_back(note);
  book.chapters[0].blocks.push_back(para(words("after", 10)));
  auto l = lay(book);
  int page = page_with_anchor(*l, "ch0");
  REQUIRE(page >= 0);
  CHECK(rules_of(l->doc.pages[page]) == std::vector<std::string>{"50.0 300.0", "50.0 300.0"});
  std::vector<std::string> lines = l->pages[page].lines;
  auto at = std::find(lines.begin(), lines.end(), "Warning");
  REQUIRE(at != lines.end());
  REQUIRE(at + 1 != lines.end());
  CHECK(at[1].rfind("careful", 0) == 0);
  bool bold_label = false;
  for (const TextRun& t : l->doc.pages[page].texts)
    if (t.text == "Warning") bold_label = t.face.style == FaceStyle::Bold && t.x > 0;
  CHECK(bold_label);  // inset from the rules, in bold
}

TEST_CASE("a definition list: terms in bold, definitions indented below them") {
  Book book = make_book(1);
  book.chapters[0].blocks.push_back(
      div("dl", {div("dt", {plain("apple")}), div("dd", {plain("red fruit")}),
                 div("dt", {plain("pear")}), div("dd", {para("green fruit")})}));
  auto l = lay(book);
  int page = page_with_anchor(*l, "ch0");
  REQUIRE(page >= 0);
  double term_x = -1, def_x = -1;
  FaceStyle term_style = FaceStyle::Regular;
  for (const TextRun& t : l->doc.pages[page].texts) {
    if (t.text == "apple") term_x = t.x, term_style = t.face.style;
    if (t.text == "red") def_x = t.x;
  }
  CHECK(term_style == FaceStyle::Bold);
  CHECK(term_x == doctest::Approx(50));  // the left margin
  CHECK(def_x == doctest::Approx(66));   // 1.6 ems of 10 pt further in
  std::vector<std::string> lines = l->pages[page].lines;
  CHECK(std::find(lines.begin(), lines.end(), "green fruit") != lines.end());
}

TEST_CASE("spans: sup and sub move off the baseline, kbd and math are monospace, ids anchor") {
  Book book = make_book(1);
  Block p = para("x");
  Inline sup;
  sup.kind = InlineKind::Span;
  sup.element = "sup";
  sup.children = {text("2")};
  Inline sub = sup;
  sub.element = "sub";
  sub.children = {text("i")};
  Inline kbd = sup;
  kbd.element = "kbd";
  kbd.children = {text("Ctrl")};
  kbd.attr.id = "key";
  Inline math = sup;
  math.element = "span";
  math.attr.classes = {"math", "math-inline"};
  math.children = {text("a^b")};
  p.inlines = {text("x"), sup, text(" y"), sub, text(" "), kbd, text(" "), math};
  book.chapters[0].blocks.push_back(p);
  auto l = lay(book);
  int page = page_with_anchor(*l, "ch0");
  REQUIRE(page >= 0);
  double base = 0, sup_y = 0, sub_y = 0;
  FaceFamily kbd_family = FaceFamily::Text, math_family = FaceFamily::Text;
  for (const TextRun& t : l->doc.pages[page].texts) {
    if (t.text == "x") base = t.y;
    if (t.text == "2") sup_y = t.y;
    if (t.text == "i") sub_y = t.y;
    if (t.text == "Ctrl") kbd_family = t.face.family;
    if (t.text == "a^b") math_family = t.face.family;
  }
  CHECK(sup_y < base);  // y grows downwards
  CHECK(sub_y > base);
  CHECK(kbd_family == FaceFamily::Mono);
  CHECK(math_family == FaceFamily::Mono);
  CHECK(l->pages[page].anchors.count("ch0#key") == 1);
}

TEST_CASE("a lang attribute on a block (a whole chapter in a div) hyphenates everything inside it") {
  Book book = make_book(1);
  Block div;
  div.kind = BlockKind::Div;
  div.element = "section";
  div.attr.attributes = {{"lang", "de"}};
  Block quote;
  quote.kind = BlockKind::BlockQuote;
  quote.children = {para(words("Silbentrennungsmuster", 40))};
  div.children = {para(words("Zeilenumbruchverfahren", 40)), quote};
  book.chapters[0].blocks.push_back(div);
  Style style = test_style();
  style.page_width = 100 + 16 * kCharEm * style.font_size;  // 16 characters: long words divide
  style.justify = false;  // ragged right: no line spaces its letters, which the check would read as words
  auto l = lay(book, style);
  std::vector<std::string> lines;
  for (const PageInfo& p : l->pages) lines.insert(lines.end(), p.lines.begin(), p.lines.end());
  std::vector<std::string> cuts = divisions(lines);
  Diagnostics probe;
  Hyphenator de("de", probe, "book.toml"), en("en-US", probe, "book.toml");
  CHECK(cuts.size() >= 40);
  size_t german_only = 0;  // cuts the English patterns (the book's language) do not allow
  for (const std::string& c : cuts) {
    std::string word = c.substr(0, c.find('|'));
    uint32_t at = static_cast<uint32_t>(std::stoul(c.substr(c.find('|') + 1)));
    const std::vector<uint32_t> points = de.points(word);
    const std::vector<uint32_t> english = en.points(word);
    CAPTURE(c);
    CHECK(std::find(points.begin(), points.end(), at) != points.end());
    if (std::find(english.begin(), english.end(), at) == english.end()) ++german_only;
  }
  CHECK(german_only > 10);
  CHECK(l->diag.count(Severity::Warning) == 0);
}

TEST_CASE("a dir attribute on a block sets its paragraphs' direction: rtl right-aligns, auto follows the text") {
  // Latin text in a right-to-left element ends at the right edge; "auto" (and no dir)
  // take the direction of the first letter: left to right.
  for (const char* dir : {"rtl", "auto", "ltr", ""}) {
    Book book = make_book(1);
    Block div;
    div.kind = BlockKind::Div;
    div.element = "div";
    if (*dir) div.attr.attributes = {{"dir", dir}};
    div.children = {para("short line")};
    book.chapters[0].blocks.push_back(div);
    Style style = test_style();
    style.paragraph_indent = 0;
    auto l = lay(book, style);
    double left = 1e9, right = 0;
    FakeMetrics m;
    for (const Page& p : l->doc.pages)
      for (const TextRun& t : p.texts)
        if (t.text.find("short") != std::string::npos || t.text.find("line") != std::string::npos) {
          left = std::min(left, t.x);
          right = std::max(right, t.x + m.width(t.face, t.text) * t.size);
        }
    const std::string name = dir;
    CAPTURE(name);
    REQUIRE(right > 0);
    // test_style's inner and outer margins are equal: the text block is the same on
    // either hand of page.
    const double start = style.margin_inner;
    const double end = style.page_width - style.margin_outer;
    if (name == "rtl") {
      CHECK(right == doctest::Approx(end).epsilon(0.001));
      CHECK(left > (start + end) / 2);
    } else {
      CHECK(left == doctest::Approx(start).epsilon(0.001));
    }
  }
}

// Returns a raw-HTML inline element NAME around TEXT, with dir=DIR when DIR is not empty.
Inline dir_span(const char* name, const char* dir, const std::string& s) {
  Inline in;
  in.kind = InlineKind::Span;
  in.element = name;
  if (*dir) in.attr.attributes = {{"dir", dir}};
  in.children = {text(s)};
  return in;
}

TEST_CASE("dir on an inline element (span, bdi, bdo) isolates its text for the bidi algorithm") {
  // Each case: a paragraph of inlines, and its pieces as they stand left to right.
  struct Case {
    const char* name;
    std::vector<Inline> inlines;
    const char* direction;  // of the paragraph's block ("" = its first letter's)
    std::vector<std::string> visual;
  };
  const std::string shalom = "\u05e9\u05dc\u05d5\u05dd", olam = "\u05e2\u05d5\u05dc\u05dd";
  const std::vector<Case> cases = {
      // Without the isolate, the number after the Hebrew name joins its right-to-left run
      // and stands left of it.
      {"bdi",
       {text("by "), dir_span("bdi", "", shalom), text(" 2024 items")},
       "",
       {"by", shalom, "2024", "items"}},
      {"span dir=auto",
       {text("by "), dir_span("span", "auto", shalom), text(" 2024 items")},
       "",
       {"by", shalom, "2024", "items"}},
      // Right to left inside a left-to-right line: its final '!' goes to its left end.
      {"span dir=rtl",
       {text("say "), dir_span("span", "rtl", "hello world!"), text(" now")},
       "",
       {"say", "!", "hello", "world", "now"}},
      // A bdo overrides the letters' own direction: Latin set right to left.
      {"bdo dir=rtl",
       {text("x "), dir_span("bdo", "rtl", "abc"), text(" y")},
       "",
       {"x", "cba", "y"}},
      // Left to right inside a right-to-left paragraph: '3.0!' stays at the end of its text.
      {"span dir=ltr",
       {text(shalom + " "), dir_span("span", "ltr", "GNU 3.0!"), text(" " + olam)},
       "rtl",
       {olam, "GNU", "3.0!", shalom}},
  };
  for (const Case& c : cases) {
    CAPTURE(std::string(c.name));
    Book book = make_book(1);
    Block div;
    div.kind = BlockKind::Div;
    div.element = "div";
    if (*c.direction) div.attr.attributes = {{"dir", c.direction}};
    Block p;
    p.kind = BlockKind::Paragraph;
    p.inlines = c.inlines;
    div.children = {p};
    book.chapters[0].blocks.push_back(div);
    auto l = lay(book);
    REQUIRE(l->diag.count(Severity::Error) == 0);
    const int page = page_with_anchor(*l, "ch0");
    REQUIRE(page >= 0);
    // The pieces of the paragraph's line (below the heading), left to right, one per
    // word; a right-to-left piece's letters as they stand on the page.
    std::vector<std::pair<double, std::string>> seen;
    double line_y = -1;
    for (const TextRun& t : l->doc.pages[page].texts) {
      if (t.text == "Chapter 1" || t.text == "Chapter" || t.text == "1") continue;
      if (line_y < 0) line_y = t.y;
      if (t.y != line_y) continue;
      std::u32string letters;
      for (size_t i = 0; i < t.text.size();) letters += next_code_point(t.text, i);
      // A right-to-left piece holds its text in reading order and is drawn from its
      // right end: Latin letters in one (a bdo) stand reversed on the page; Hebrew is
      // compared in reading order.
      if (t.rtl && !letters.empty() && letters[0] < 0x80)
        std::reverse(letters.begin(), letters.end());
      std::string word;
      for (char32_t ch : letters) append_utf8(word, ch);
      seen.push_back({t.x, word});
    }
    std::sort(seen.begin(), seen.end());
    std::vector<std::string> visual;
    for (auto& [x, w] : seen) {
      // Pieces split at spaces: one per word.
      size_t from = 0;
      for (size_t i = 0; i <= w.size(); ++i)
        if (i == w.size() || w[i] == ' ') {
          if (i > from) visual.push_back(w.substr(from, i - from));
          from = i + 1;
        }
    }
    CHECK(visual == c.visual);
  }
}

// Checks that every text of page INDEX of L stands inside its text block (a little
// slack for the rounding of positions); returns the page's text, line by line.
std::string front_page_text(const Laid& l, size_t index, const Style& style) {
  REQUIRE(index < l.doc.pages.size());
  FakeMetrics m;
  std::string text;
  double last_y = -1;
  for (const TextRun& t : l.doc.pages[index].texts) {
    CAPTURE(t.text);
    CHECK(t.y - t.size * m.ascender(t.face) >= style.margin_top - 0.01);
    CHECK(t.y <= style.page_height - style.margin_bottom + 0.01);
    CHECK(t.x >= std::min(style.margin_inner, style.margin_outer) - 0.01);
    CHECK(t.x + m.width(t.face, t.text) * t.size <=
          style.page_width - std::min(style.margin_inner, style.margin_outer) + 0.01);
    if (!text.empty()) text += t.y != last_y ? "\n" : " ";
    text += t.text;
    last_y = t.y;
  }
  return text;
}

TEST_CASE("title and authors fit the title and copyright pages: smaller, then cut with a warning naming book.toml") {
  Style style = test_style();
  SUBCASE("a long title is set smaller, whole") {
    Book book = make_book(1);
    book.config_file = "book.toml";
    book.meta.title = words("Title", 70);  // 419 characters
    auto l = lay(book, style);
    const std::string title_page = front_page_text(*l, 0, style);
    std::string flat = title_page;
    std::replace(flat.begin(), flat.end(), '\n', ' ');
    CHECK(flat.find(book.meta.title) == 0);
    CHECK(l->diag.count(Severity::Warning) == 0);
  }
  SUBCASE("a title and authors no page holds are cut, with a warning at their keys") {
    Book book = make_book(2);
    book.config_file = "book.toml";
    book.meta.title = words("Overlong", 400);
    book.meta.title_pos = {2, 1};
    book.meta.authors.clear();
    for (int i = 0; i < 400; ++i) book.meta.authors.push_back("Author Number " + std::to_string(i));
    book.meta.authors_pos = {3, 1};
    book.meta.rights = words("Rights", 30);
    auto l = lay(book, style);
    const std::string title_page = front_page_text(*l, 0, style);
    const std::string copyright_page = front_page_text(*l, 1, style);
    CHECK(title_page.find("Overlong Overlong") == 0);
    CHECK(title_page.find("\u2026") != std::string::npos);
    CHECK(copyright_page.find("Overlong") == 0);
    CHECK(copyright_page.find("by Author Number 0, Author Number 1") != std::string::npos);
    CHECK(copyright_page.find("Typeset with colophon") != std::string::npos);
    std::set<std::string> places;
    for (const Diagnostic& d : l->diag.all()) {
      CAPTURE(d.message);
      CHECK(d.file == "book/book.toml");  // never the last chapter laid out
      if (d.message.find("not fit") != std::string::npos)
        places.insert(std::to_string(d.pos.line) + ":" + d.message.substr(0, d.message.find(" (")));
    }
    CHECK(places == std::set<std::string>{"2:the title", "3:the authors"});
  }
}

TEST_CASE("a chapter heading inside a section div is the title; the div's id goes with it") {
  Book book = make_book(1);
  Chapter& ch = book.chapters[0];
  ch.title = "Intro";
  Block section = div("div", {heading(2, "Intro", "intro"), para(words("body", 5))});
  section.attr.id = "sec";
  section.attr.classes = {"section"};
  Block custom = div("listing", {para("inside a custom element")});
  custom.attr.id = "listing-1";
  ch.blocks = {section, custom};
  auto l = lay(book);
  int page = page_with_anchor(*l, "ch0");
  REQUIRE(page >= 0);
  const std::vector<std::string>& lines = l->pages[page].lines;
  REQUIRE(!lines.empty());
  CHECK(lines[0] == "Intro");  // set once, as the title
  CHECK(std::count(lines.begin(), lines.end(), "Intro") == 1);
  CHECK(std::find(lines.begin(), lines.end(), "inside a custom element") != lines.end());
  CHECK(l->pages[page].anchors.count("ch0#sec") == 1);
  CHECK(l->pages[page].anchors.count("ch0#intro") == 1);
  CHECK(l->pages[page].anchors.count("ch0#listing-1") == 1);
}

TEST_CASE("a raw HTML table of text cells is set as a table") {
  Book book = make_book(1);
  auto cell = [](const std::string& e, const std::string& s) { return div(e, {plain(s)}); };
  book.chapters[0].blocks.push_back(
      div("table", {div("tr", {cell("th", "Key"), cell("th", "Value")}),
                    div("tr", {cell("td", "one"), cell("td", "1")})}));
  auto l = lay(book);
  int page = page_with_anchor(*l, "ch0");
  REQUIRE(page >= 0);
  CHECK(rules_of(l->doc.pages[page]).size() == 3);  // top, under the header, bottom
  const std::vector<std::string>& lines = l->pages[page].lines;
  CHECK(std::find(lines.begin(), lines.end(), "Key Value") != lines.end());
  CHECK(std::find(lines.begin(), lines.end(), "one 1") != lines.end());
}

// A raw HTML table: <td rowspan> and <td colspan> keep the places they cover, so the
// cells after them stand in their own columns (they were shifted left, under the
// wrong heading).
TEST_CASE("a raw HTML table's rowspan and colspan leave every other cell in its column") {
  auto cell = [](const std::string& s, const char* span = nullptr, const char* n = nullptr) {
    Block td;
    td.kind = BlockKind::Div;
    td.element = "td";
    td.raw_html = true;
    Block plain;
    plain.kind = BlockKind::Plain;
    plain.inlines.push_back(text(s));
    td.children.push_back(std::move(plain));
    if (span != nullptr) td.attr.attributes.push_back({span, n});
    return td;
  };
  auto row = [](std::vector<Block> cells) {
    Block tr;
    tr.kind = BlockKind::Div;
    tr.element = "tr";
    tr.raw_html = true;
    tr.children = std::move(cells);
    return tr;
  };
  Block table;
  table.kind = BlockKind::Div;
  table.element = "table";
  table.raw_html = true;
  table.children.push_back(row({cell("alpha"), cell("beta"), cell("gamma")}));
  table.children.push_back(row({cell("tall", "rowspan", "2"), cell("bx"), cell("gx")}));
  table.children.push_back(row({cell("by"), cell("gy")}));
  table.children.push_back(row({cell("wide", "colspan", "2"), cell("gz")}));
  Book book = make_book(1);
  book.chapters[0].blocks.push_back(std::move(table));
  Style style = test_style();
  FakeMetrics m;
  Diagnostics diag;
  Document doc = layout_book(book, style, m, diag);
  std::map<std::string, double> x;
  for (const Page& pg : doc.pages)
    for (const TextRun& t : pg.texts) x[t.text] = t.x;
  for (const char* w : {"alpha", "beta", "gamma", "bx", "by", "gx", "gy", "gz", "tall", "wide"})
    REQUIRE_MESSAGE(x.count(w), w);
  CHECK(x["by"] == doctest::Approx(x["beta"]));   // under the rowspan: still column 2
  CHECK(x["gy"] == doctest::Approx(x["gamma"]));
  CHECK(x["gz"] == doctest::Approx(x["gamma"]));  // after the colspan: column 3
  CHECK(x["tall"] == doctest::Approx(x["alpha"]));
}
