// Internal types shared by the layout stages (collect -> prepare -> linebreak ->
// flow -> paginate -> compose). Not part of the module's public API; tests use it.
#pragma once
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "core/diagnostics.h"
#include "core/utf8.h"
#include "layout/hyphenate.h"
#include "layout/metrics.h"
#include "layout/pages.h"
#include "layout/style.h"
#include "layout/unicode.h"
#include "model/model.h"

namespace colophon::layout {

constexpr int kInfPenalty = 10000;           // TeX's "infinite" penalty: never break here
constexpr double kFilStretch = 1e6;          // points; stretch that fills any line (\parfillskip)
constexpr double kInfBadness = 10000;        // TeX's inf_bad
// A run of boxes with no break in it is cut between letters when it is wider than the
// measure less this many ems (room for the line's last glue to shrink into).
constexpr double kUnbreakableSlackEm = 0.5;
constexpr double kPixelsToPoints = 0.75;  // an image pixel at 96 per inch, as browsers take it

// One styled piece of a paragraph (stage "collect").
struct Run {
  // Image: an image inside the text (no text of its own), a box of image_width by
  // image_height points standing on the baseline.
  enum class Kind : uint8_t { Text, LineBreak, NoteRef, Image };
  Kind kind = Kind::Text;
  FaceId face;
  bool strike = false;
  double size = 10;  // points
  double rise = 0;   // points the baseline is raised (superscripts)
  int link = -1;     // index into Paragraph::links
  int note = -1;     // NoteRef: index into Book::notes
  int language = -1; // index into Context::languages (a lang attribute); -1 = the book's
  int asset = -1;    // Image: index into Book::assets
  double image_width = 0, image_height = 0;  // Image: points
  SourcePos pos;     // for messages: where text[0] comes from
  std::string text;
  // Where the text of each later inline merged into this run starts: byte offset in
  // text and source position (messages point at the character, not the run's start).
  std::vector<std::pair<uint32_t, SourcePos>> marks;
  // Where pieces of the text are the model's own text (Inline::text), byte for byte:
  // what a page of the PDF begins with, for the EPUB's page list (Page::origin).
  struct Origin {
    uint32_t at = 0;            // byte offset in text
    uint32_t size = 0;          // bytes
    const char* src = nullptr;  // the model's bytes
  };
  std::vector<Origin> origins;

  // Returns the source position of byte AT of text (the column counts characters).
  SourcePos pos_at(size_t at) const;
  // Returns the model's byte behind byte AT of text, or null (text the layout made).
  const char* origin_at(size_t at) const;
};

// Where a link in a paragraph goes.
struct LinkSpec {
  std::string uri;   // external
  std::string dest;  // internal anchor name
};

// A bidi control the paragraph's text gets, for the bidi algorithm only (never drawn),
// where an inline element with a dir attribute (or a bdi or bdo) opens or closes.
struct BidiMark {
  uint32_t run = 0;   // the control stands before this run (runs.size(): at the end)
  char32_t mark = 0;  // U+2066..U+2069 isolates, U+202D/U+202E overrides, U+202C pop
};

// A paragraph's content as runs, before measuring.
struct Paragraph {
  std::vector<Run> runs;
  std::vector<LinkSpec> links;
  std::vector<BidiMark> bidi_marks;  // in the order of the text (an element's run starts one)
  bool faces_resolved = false;  // prepare has moved missing characters to the fallback face
  bool letter_breaks = false;   // prepare had to cut a word between letters (hyphenation may help)
};

// One Knuth-Plass item (stage "prepare"). Widths in points.
struct Item {
  enum class Type : uint8_t { Box, Glue, Penalty };
  Type type = Type::Box;
  bool flagged = false;  // Penalty: a hyphenation break (counts for the hyphen limits)
  bool hyphen = false;   // Penalty: a '-' is drawn at the end of the line if broken here
  bool inter_char = false;  // Glue: a break between two characters, not a word space
  int run = -1;          // Box text, Glue space, Penalty hyphen: the run it belongs to
  uint32_t begin = 0, end = 0;  // Box: bytes of the run's text; Glue: where its space is
  double width = 0, stretch = 0, shrink = 0;
  double penalty = 0;
};

// How a paragraph is set.
enum class Justify : uint8_t { Full, Left, Center, Right };

// Parameters of one line-breaking pass (TeX's names in comments).
struct BreakParams {
  double measure = 300;               // points, \hsize
  double tolerance = 200;             // \tolerance (\pretolerance in the first pass)
  double emergency_stretch = 0;       // points added to every line's stretch for badness
  double line_end_stretch = 0;        // points; ragged right's \rightskip stretch
  int max_hyphens = 2;                // hard limit of consecutive hyphenated lines
  double line_penalty = 10;           // \linepenalty
  double adj_demerits = 10000;        // \adjdemerits: adjacent fitness classes differ by more
                                      // than one (a loose line beside a tight one)
  double double_hyphen_demerits = 10000;  // \doublehyphendemerits
  double final_hyphen_demerits = 5000;    // \finalhyphendemerits
  bool rescue = false;  // treat every line that is not overfull as feasible (last pass)
  double badness_cap = kInfBadness;  // highest badness a line can get (TeX: inf_bad); the
                                     // last pass lifts it so very loose lines still differ
};

// Finds the breaks of minimal total demerits over ITEMS (which end in a forced break);
// returns false when no feasible set exists. BREAKS gets the item index of each break.
bool break_lines(const std::vector<Item>& items, const BreakParams& params,
                 std::vector<int>& breaks, double* total_demerits);

// Returns the total demerits of the given break sequence under PARAMS (infinity if a
// line is infeasible or a rule is broken); the reference for tests.
double evaluate_breaks(const std::vector<Item>& items, const BreakParams& params,
                       const std::vector<int>& breaks);

// Tells whether item I is a legal breakpoint.
bool is_legal_break(const std::vector<Item>& items, size_t i);

// A box of the vertical list: one line, a rule, a figure ... (stage "flow").
struct VItem {
  enum class Kind : uint8_t { Box, Glue, Penalty };
  Kind kind = Kind::Box;
  bool recto = false;       // Penalty: a forced break continues on a right-hand page
  bool opening = false;     // Box: starts a chapter or part (no running head on its page)
  int penalty = 0;          // Penalty: kInfPenalty = never, -kInfPenalty = forced
  int chapter = -1;         // chapter this item belongs to (running heads)
  int table_header = -1;    // Box in a table body: header to repeat atop a new page
  int toc_chapter = -1;     // Box: first box of this chapter (TOC page numbers)
  double height = 0;        // Box: advance; Glue: space
  double image_height = 0;  // Box holding a figure: its scalable image part (0 = fixed)
  bool hyphenated = false;  // Box: a line of text that ends with a hyphen
  std::vector<int> notes;   // Box: notes referenced (placed at the foot of its page)
  std::vector<int> outline; // Box: indexes into Flow::outline placed with this box
  const char* origin = nullptr;  // Box: the model's byte its first word begins at, if any
  Page content;             // drawing, relative to the box's top-left corner
};

// An outline entry before it knows its page.
struct PendingOutline {
  std::string title;
  int level = 0;
};

// Diagnostics context of the layout of one book.
struct Context {
  // Makes a context for one layout of BOOK.
  Context(const Book& b, const Style& s, const FontMetrics& m, Diagnostics& d)
      : book(b), style(s), metrics(m), diag(d) {}
  const Book& book;
  const Style& style;
  const FontMetrics& metrics;
  Diagnostics& diag;
  bool hyphenation = false;          // the style hyphenates (style.hyphenate)
  Hyphenator* hyphenator = nullptr;  // the book's language's; null = it has no dictionary
  // Per entry of languages: its hyphenator, loaded at the first text in it (null = none).
  std::vector<std::unique_ptr<Hyphenator>> language_hyphenators;
  std::vector<char> hyphenator_loaded;  // per entry of languages: its dictionary was sought
  std::unique_ptr<unicode::LineBreaker> breaker;  // made at the first word that needs it
  std::string file;                  // source shown in messages (the current chapter)
  int warned_long_words = 0;
  bool trial = false;  // text is set only to be measured (front matter fitting its page):
                       // nothing about it is reported
  std::vector<std::vector<uint8_t>> glyph_cache;  // per face index: 0 unknown, 1 yes, 2 no
  std::unordered_map<uint64_t, int> fallback_cache;  // (language, face, cp) -> fallback_faces index
  std::vector<FaceId> fallback_faces;
  std::string language;                 // of the text being set (BCP 47); "" = the book's
  std::string direction;                // of the text being set: "ltr", "rtl", "" = the book's
  std::vector<std::string> languages;   // every language of a lang attribute or that fallback fonts were sought for
  // A character no font has: where it first occurs and how often.
  struct Missing {
    std::string chars;
    std::string file;
    SourcePos pos;
    size_t count = 0;
  };
  std::map<char32_t, Missing> missing;
  // inline_image's count, and the first it noted (in the book's order): images inside
  // text that the PDF cannot draw.
  size_t inline_images = 0;
  std::string inline_image_file;
  SourcePos inline_image_pos;
  // Where each was seen (file, line, column): a table cell is set twice, measured first.
  std::set<std::tuple<std::string, uint32_t, uint32_t>> inline_images_seen;
  std::vector<char> note_ref_seen;  // per note: its first reference got its anchor
  int chapter = -1;                 // chapter being laid out
  std::vector<double> space_em, hyphen_em;  // per face index, -1 = not measured yet

  // Returns the width of a space in FACE, in ems (cached).
  double space_width(FaceId face) { return cached_width(space_em, face, " "); }
  // Returns the width of a hyphen in FACE, in ems (cached).
  double hyphen_width(FaceId face) { return cached_width(hyphen_em, face, "-"); }

  // Returns the index of LANGUAGE (BCP 47) in languages, adding it; -1 when it is the
  // book's own language (or empty).
  int language_id(const std::string& language);
  // Returns the language of text marked with language ID (-1: the book's).
  const std::string& language_of(int id) const {
    return id < 0 ? book.meta.language : languages[static_cast<size_t>(id)];
  }
  // Returns the hyphenator for text in language ID (-1: the book's), or null when the
  // style does not hyphenate or the language has no dictionary (or none was loaded:
  // its text had no word to divide).
  Hyphenator* hyphenator_for(int id) const;
  // Loads the dictionary of language ID at its first call for it, warning (at
  // file:POS) when there is none: once per language.
  void load_hyphenator(int id, SourcePos pos);

  // Returns the line breaker of UAX #14 (made at the first call).
  unicode::LineBreaker& line_breaker() {
    if (!breaker) breaker = std::make_unique<unicode::LineBreaker>();
    return *breaker;
  }

  // Tells whether FACE has CP (cached).
  bool has_glyph(FaceId face, char32_t cp);
  // Returns a face that draws CP in text set in FACE: FACE itself when it has it, else a
  // fallback font (cached); nullopt when no font has it.
  std::optional<FaceId> face_for(FaceId face, char32_t cp);
  // Notes that CP (bytes CHARS, at POS of the current file) is in none of the fonts;
  // report_missing_glyphs() tells of all of them at once.
  void missing_glyph(char32_t cp, std::string_view chars, SourcePos pos);
  // Warns once for the whole book about the characters no font has, with how often
  // each occurs: the PDF prints a box in their place (the EPUB is fine: reading
  // systems bring their own fonts).
  void report_missing_glyphs();
  // Notes an image inside text or a table cell (at POS of the current file) of no known
  // size (or not found), which the PDF prints as its alternative text in brackets;
  // report_inline_images() tells of all of them at once.
  void inline_image(SourcePos pos);
  // Warns once for the whole book about the images inline_image noted, with their count.
  void report_inline_images();

  // Calls PIECE(face, begin, end) for each stretch of bytes of TEXT drawn in one face:
  // FACE where it has the character, else a fallback font; a mark, joiner or variation
  // selector stays with the character before it. Calls MISSING(cp, begin, end) for
  // each character no font has (it stays in FACE, where it prints as a box).
  template <typename Piece, typename MissingFn>
  void split_by_face(FaceId face, std::string_view text, Piece&& piece, MissingFn&& missing_fn);

 private:
  double cached_width(std::vector<double>& cache, FaceId face, std::string_view s) {
    size_t i = static_cast<size_t>(face.index());
    if (cache.size() <= i) cache.resize(i + 1, -1);
    if (cache[i] < 0) cache[i] = metrics.width(face, s);
    return cache[i];
  }
};

template <typename Piece, typename MissingFn>
void Context::split_by_face(FaceId face, std::string_view text, Piece&& piece,
                            MissingFn&& missing_fn) {
  size_t from = 0;
  FaceId current = face;
  bool any = false;  // a character before this one
  for (size_t i = 0; i < text.size();) {
    size_t at = i;
    char32_t c = next_code_point(text, i);
    FaceId want = face;
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      want = any ? current : face;
    } else if (any && (unicode::continues_cluster(c) || unicode::is_default_ignorable(c))) {
      want = current;  // drawn with the character it belongs to
    } else if (!has_glyph(face, c)) {
      if (any && current.font > 0 && has_glyph(current, c)) {
        want = current;  // punctuation and digits stay in the fallback font around them
      } else if (std::optional<FaceId> f = face_for(face, c)) {
        want = *f;
      } else if (!unicode::is_default_ignorable(c)) {
        missing_fn(c, at, i);
      }
    }
    if (!(want == current)) {
      if (at > from) piece(current, from, at);
      from = at;
      current = want;
    }
    any = true;
  }
  if (text.size() > from) piece(current, from, text.size());
}

// Geometry and type of the text being set.
struct Frame {
  double left = 0;         // points from the text block's left edge
  double measure = 300;    // points
  double size = 10;        // body size of this text
  double leading = 12;     // baseline to baseline
  FaceStyle style = FaceStyle::Regular;
  Justify justify = Justify::Full;
  bool hyphenate = true;
  double indent = 0;       // first-line indent
  bool quoted = false;     // inside a block quote (nested quotes keep the quote's size)
  int language = -1;       // a lang attribute around it (Context::languages); -1 = the book's
  // Tallest image inside the text, points: a taller line is made for it. 0 = the line
  // carries no taller image than its height above the baseline (see Flow::footnote_lines).
  double image_limit = 0;
  const char* direction = nullptr;  // a dir attribute around it: "ltr", "rtl", "" (auto: the
                                    // paragraph's own); null = none (the book's)
};

// Returns the widest run of boxes with no break in it that FRAME's lines take without
// cutting it (see kUnbreakableSlackEm).
inline double unbreakable_width(const Frame& frame) {
  return frame.measure - frame.indent - kUnbreakableSlackEm * frame.size;
}

// Returns the baseline's distance from the top of a line of LEADING for text of SIZE.
double baseline_in(const Context& ctx, double leading, double size);

// The size of an image in points.
struct ImageSize {
  double width = 0, height = 0;
  bool known() const { return width > 0 && height > 0; }
};

// Returns the size IMAGE is drawn at where nothing constrains it: its pixels (an SVG's:
// those of the PNG or JPEG beside it, when there is one) at kPixelsToPoints, or the
// width and height attributes of a raw <img> (one of them: the other in proportion), as
// a browser takes them; unknown (0 x 0) when the image or its size is.
ImageSize image_size(const Book& book, const Inline& image);

// Returns SIZE scaled down, in proportion, to at most MAX_WIDTH wide and MAX_HEIGHT high.
ImageSize fit_image(ImageSize size, double max_width, double max_height);

// Returns the language an element's ATTR gives its content (lang, else xml:lang), or
// nullptr when it gives none.
inline const std::string* language_attribute(const Attr& attr) {
  const std::string* lang = attr.find("lang");
  if (lang == nullptr || lang->empty()) lang = attr.find("xml:lang");
  return lang != nullptr && !lang->empty() ? lang : nullptr;
}

// Returns the first characters of TEXT for a message, cut on a code point boundary and
// ended with "…" when TEXT (or the TOTAL_CHARS it begins) is longer: a 1 MB word must
// not flood the terminal.
std::string quote_start(std::string_view text, size_t total_chars = 0);

// Converts the inlines to runs (stage "collect"). MODEL tells that INLINES are the
// book's own (their text is where pages begin, Page::origin), not made by the layout (a
// title page, a chapter title from SUMMARY.md).
Paragraph collect_inlines(Context& ctx, const std::vector<Inline>& inlines, const Frame& frame,
                          bool model = true);

// Tells whether a hyphenating pass could divide words of PARA: the frame and style
// hyphenate, and the language of some run of it has a dictionary.
bool paragraph_hyphenates(Context& ctx, const Paragraph& para, const Frame& frame);

// Measures the runs into Knuth-Plass items (stage "prepare"); HYPHENATE adds the
// dictionaries' hyphenation points (each run's language's).
std::vector<Item> prepare_items(Context& ctx, Paragraph& para, const Frame& frame, bool hyphenate);

// Breaks PARA into lines and returns them as vertical boxes (stages "linebreak" and
// "finalize"); each line's height is frame.leading.
std::vector<VItem> set_paragraph(Context& ctx, Paragraph& para, const Frame& frame);

// Draws TEXT on one baseline at (X, Y) in FACE (characters FACE lacks in the fallback
// face) into PAGE; returns the advance width in points.
double draw_text(Context& ctx, Page& page, double x, double y, FaceId face, double size,
                 std::string_view text);

// Measures TEXT as draw_text would draw it, in points.
double text_width(Context& ctx, FaceId face, double size, std::string_view text);

// Returns the anchor name of a note ("<chapter id>#<note id>").
std::string note_anchor(const Book& book, int note);
// Returns the anchor name of a note's first reference.
std::string note_ref_anchor(const Book& book, int note);

}  // namespace colophon::layout
