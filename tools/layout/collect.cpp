// Stage "collect": the inline tree of a paragraph becomes a flat list of styled runs.
#include <algorithm>
#include <cctype>
#include <cstdio>

#include "core/utf8.h"
#include "layout/engine.h"

namespace colophon::layout {

namespace {

constexpr double kSuperscriptScale = 0.65;  // note references, relative to the text size
constexpr double kSuperscriptRise = 0.38;   // ems of the text size the baseline is raised
constexpr double kSubscriptDrop = 0.15;  // ems of the text size a subscript's baseline is lowered
// Longest link address a PDF can hold: readers cap strings at 32,767 bytes (PDF 1.7,
// Annex C) and libharu refuses longer ones. A longer address is no link, so the layout
// does not copy it into every line the link spans (a 200 KB URL over 3,000 lines).
constexpr size_t kMaxLinkUriBytes = 32767;

// The style in force while walking the inline tree.
struct InlineState {
  bool italic = false;
  bool bold = false;
  bool mono = false;
  bool strike = false;
  int link = -1;
  double scale = 1;  // of the text size (superscripts and subscripts are smaller)
  double rise = 0;   // points the baseline is raised (negative: lowered)
  int language = -1; // Context::languages index of a lang attribute; -1 = the book's
};

// How a generic inline container (Span) is set, by its element name and classes.
enum class SpanStyle { Content, Italic, Bold, Mono, Strike, Superscript, Subscript };

SpanStyle span_style(const Inline& in) {
  if (in.attr.has_class("math")) return SpanStyle::Mono;  // TeX source until math is typeset
  const std::string& e = in.element;
  if (e == "i" || e == "em" || e == "cite" || e == "dfn" || e == "var") return SpanStyle::Italic;
  if (e == "b" || e == "strong") return SpanStyle::Bold;
  if (e == "code" || e == "kbd" || e == "samp" || e == "tt") return SpanStyle::Mono;
  if (e == "s" || e == "del" || e == "strike") return SpanStyle::Strike;
  if (e == "sup") return SpanStyle::Superscript;
  if (e == "sub") return SpanStyle::Subscript;
  return SpanStyle::Content;
}

constexpr char32_t kLeftToRightIsolate = 0x2066;        // LRI
constexpr char32_t kRightToLeftIsolate = 0x2067;        // RLI
constexpr char32_t kFirstStrongIsolate = 0x2068;        // FSI
constexpr char32_t kPopDirectionalIsolate = 0x2069;     // PDI
constexpr char32_t kLeftToRightOverride = 0x202D;       // LRO
constexpr char32_t kRightToLeftOverride = 0x202E;       // RLO
constexpr char32_t kPopDirectionalFormatting = 0x202C;  // PDF

// How an inline element sets the direction of its text, as HTML's rendering rules give
// it: an element with dir (and any bdi) is an isolate, a bdo with dir also overrides the
// letters' own directions.
struct BidiEffect {
  char32_t isolate = 0;   // LRI, RLI, FSI; 0 = none
  char32_t override = 0;  // LRO, RLO; 0 = none
};

// Returns how IN sets the direction of its text.
BidiEffect bidi_effect(const Inline& in) {
  BidiEffect e;
  const std::string* dir = in.attr.find("dir");
  const bool bdi = in.kind == InlineKind::Span && in.element == "bdi";
  const bool bdo = in.kind == InlineKind::Span && in.element == "bdo";
  if (dir != nullptr && *dir == "rtl")
    e.isolate = kRightToLeftIsolate;
  else if (dir != nullptr && *dir == "ltr")
    e.isolate = kLeftToRightIsolate;
  else if (bdi || (dir != nullptr && *dir == "auto"))
    e.isolate = kFirstStrongIsolate;
  if (bdo && e.isolate == kRightToLeftIsolate) e.override = kRightToLeftOverride;
  if (bdo && e.isolate == kLeftToRightIsolate) e.override = kLeftToRightOverride;
  return e;
}

FaceStyle style_of(bool italic, bool bold) {
  if (italic && bold) return FaceStyle::BoldItalic;
  if (italic) return FaceStyle::Italic;
  if (bold) return FaceStyle::Bold;
  return FaceStyle::Regular;
}

class Collector {
 public:
  Collector(Context& ctx, const Frame& frame, Paragraph& out, bool model)
      : ctx_(ctx), frame_(frame), out_(out), model_(model) {
    base_.italic = frame.style == FaceStyle::Italic || frame.style == FaceStyle::BoldItalic;
    base_.bold = frame.style == FaceStyle::Bold || frame.style == FaceStyle::BoldItalic;
    base_.language = frame.language;
  }

  void walk(const std::vector<Inline>& inlines) { walk(inlines, base_); }

 private:
  void walk(const std::vector<Inline>& inlines, const InlineState& st) {
    for (const Inline& in : inlines) walk_one(in, st);
  }

  // Adds S in style ST; SRC is S's own bytes when S is the model's text (for the page
  // list), null when the layout made it.
  void text(const std::string& s, const InlineState& st, SourcePos pos, const char* src = nullptr) {
    if (s.empty()) return;
    if (!model_) src = nullptr;
    Run r;
    r.face = FaceId{st.mono ? FaceFamily::Mono : FaceFamily::Text, style_of(st.italic, st.bold)};
    r.size = (st.mono ? frame_.size * ctx_.style.code_size / ctx_.style.font_size : frame_.size) *
             st.scale;
    r.rise = st.rise;
    r.strike = st.strike;
    r.link = st.link;
    r.language = st.language;
    r.pos = pos;
    if (st.language >= 0) seek_dictionary(s, st.language, pos);
    // Merge with the previous run when nothing differs (fewer, longer runs) and no
    // element with a direction begins or ends between them.
    const bool split = split_next_;
    split_next_ = false;
    if (!out_.runs.empty() && !split) {
      Run& p = out_.runs.back();
      if (p.kind == Run::Kind::Text && p.face == r.face && p.size == r.size && p.rise == r.rise &&
          p.strike == r.strike && p.link == r.link && p.language == r.language) {
        if (pos.line != 0) p.marks.push_back({static_cast<uint32_t>(p.text.size()), pos});
        if (src != nullptr)
          p.origins.push_back(
              {static_cast<uint32_t>(p.text.size()), static_cast<uint32_t>(s.size()), src});
        p.text += s;
        return;
      }
    }
    if (src != nullptr) r.origins.push_back({0, static_cast<uint32_t>(s.size()), src});
    r.text = s;
    out_.runs.push_back(std::move(r));
  }

  // Loads the dictionary of language ID at the first word in it that hyphenation could
  // divide, so that a language without one is told of once, where its text begins
  // (text in a script no dictionary covers, such as Chinese, asks for none).
  void seek_dictionary(std::string_view s, int id, SourcePos pos) {
    const size_t i = static_cast<size_t>(id);
    if (!ctx_.hyphenation || (i < ctx_.hyphenator_loaded.size() && ctx_.hyphenator_loaded[i])) return;
    size_t letters = 0;
    for (size_t k = 0; k < s.size();) {
      letters = Hyphenator::is_letter(next_code_point(s, k)) ? letters + 1 : 0;
      if (letters >= Hyphenator::kMinWordLetters) {
        ctx_.load_hyphenator(id, pos);
        return;
      }
    }
  }

  // Marks, for the bidi algorithm, where an element with effect E begins (CLOSE false)
  // or ends; the text on either side of the mark goes in separate runs.
  void mark_direction(const BidiEffect& e, bool close) {
    if (e.isolate == 0) return;
    const uint32_t at = static_cast<uint32_t>(out_.runs.size());
    if (!close) out_.bidi_marks.push_back({at, e.isolate});
    if (e.override != 0)
      out_.bidi_marks.push_back({at, close ? kPopDirectionalFormatting : e.override});
    if (close) out_.bidi_marks.push_back({at, kPopDirectionalIsolate});
    split_next_ = true;
  }

  void walk_one(const Inline& in, const InlineState& st) {
    const BidiEffect bidi = bidi_effect(in);
    mark_direction(bidi, false);
    walk_inline(in, st);
    mark_direction(bidi, true);
  }

  void walk_inline(const Inline& in, const InlineState& st) {
    InlineState inner = st;
    if (const std::string* lang = language_attribute(in.attr)) inner.language = ctx_.language_id(*lang);
    switch (in.kind) {
      case InlineKind::Text:
        text(in.text, st, in.pos, in.text.data());
        break;
      case InlineKind::SoftBreak:
        text(" ", st, in.pos);
        break;
      case InlineKind::LineBreak: {
        Run r;
        r.kind = Run::Kind::LineBreak;
        r.face = FaceId{FaceFamily::Text, style_of(st.italic, st.bold)};
        r.size = frame_.size;
        r.pos = in.pos;
        out_.runs.push_back(std::move(r));
        break;
      }
      case InlineKind::Emph:
        inner.italic = !st.italic;
        walk(in.children, inner);
        break;
      case InlineKind::Strong:
        inner.bold = true;
        walk(in.children, inner);
        break;
      case InlineKind::Strikethrough:
        inner.strike = true;
        walk(in.children, inner);
        break;
      case InlineKind::Code:
        inner.mono = true;
        text(in.text, inner, in.pos, in.text.data());
        break;
      case InlineKind::Link: {
        LinkSpec spec;
        if (in.target.kind == LinkTarget::Kind::External) {
          spec.uri = in.url;
        } else if (in.target.kind == LinkTarget::Kind::Internal && in.target.chapter >= 0 &&
                   in.target.chapter < static_cast<int>(ctx_.book.chapters.size())) {
          spec.dest = ctx_.book.chapters[in.target.chapter].id;
          if (!in.target.anchor.empty()) spec.dest += "#" + in.target.anchor;
        } else if (in.url.find("://") != std::string::npos || in.url.rfind("mailto:", 0) == 0) {
          spec.uri = in.url;
        }
        if (spec.uri.size() > kMaxLinkUriBytes) {
          ctx_.diag.warning(ctx_.file, in.pos,
                            "a link address of " + std::to_string(spec.uri.size()) +
                                " bytes is too long for a PDF link (limit " +
                                std::to_string(kMaxLinkUriBytes) +
                                "); the PDF keeps its text without the link",
                            "shorten the URL (it begins '" + quote_start(spec.uri) + "')");
          spec.uri.clear();
        }
        if (!spec.uri.empty() || !spec.dest.empty()) {
          inner.link = static_cast<int>(out_.links.size());
          out_.links.push_back(std::move(spec));
        }
        walk(in.children, inner);
        break;
      }
      case InlineKind::Image:
        image(in, st);
        break;
      case InlineKind::NoteRef: {
        if (in.note < 0 || in.note >= static_cast<int>(ctx_.book.notes.size())) break;
        Run r;
        r.kind = Run::Kind::NoteRef;
        r.face = FaceId{FaceFamily::Text, FaceStyle::Regular};
        r.size = frame_.size * kSuperscriptScale;
        r.rise = frame_.size * kSuperscriptRise;
        r.note = in.note;
        r.pos = in.pos;
        r.text = std::to_string(ctx_.book.notes[in.note].number);
        r.link = static_cast<int>(out_.links.size());
        out_.links.push_back(LinkSpec{"", note_anchor(ctx_.book, in.note)});
        out_.runs.push_back(std::move(r));
        break;
      }
      case InlineKind::Span:
        switch (span_style(in)) {
          case SpanStyle::Italic:
            inner.italic = !st.italic;
            break;
          case SpanStyle::Bold:
            inner.bold = true;
            break;
          case SpanStyle::Mono:
            inner.mono = true;
            break;
          case SpanStyle::Strike:
            inner.strike = true;
            break;
          case SpanStyle::Superscript:
            inner.rise = st.rise + frame_.size * st.scale * kSuperscriptRise;
            inner.scale = st.scale * kSuperscriptScale;
            break;
          case SpanStyle::Subscript:
            inner.rise = st.rise - frame_.size * st.scale * kSubscriptDrop;
            inner.scale = st.scale * kSuperscriptScale;
            break;
          case SpanStyle::Content:
            break;
        }
        walk(in.children, inner);
        break;
    }
  }

  // Adds image IN as a box standing on the baseline, at its own size scaled down to the
  // measure and to the frame's tallest image; an image of no known size (or not found)
  // is its alternative text in brackets.
  void image(const Inline& in, const InlineState& st) {
    const ImageSize natural = image_size(ctx_.book, in);
    if (!natural.known()) {
      ctx_.inline_image(in.pos);
      text("[", st, in.pos);
      walk(in.children, st);
      text("]", st, in.pos);
      return;
    }
    const double max_h = frame_.image_limit > 0 ? frame_.image_limit
                                                : baseline_in(ctx_, frame_.leading, frame_.size);
    const ImageSize size = fit_image(natural, std::max(1.0, unbreakable_width(frame_)), max_h);
    Run r;
    r.kind = Run::Kind::Image;
    r.face = FaceId{FaceFamily::Text, style_of(st.italic, st.bold)};
    r.size = frame_.size;
    r.rise = st.rise;
    r.link = st.link;
    r.language = st.language;
    r.pos = in.pos;
    r.asset = in.asset;
    r.image_width = size.width;
    r.image_height = size.height;
    out_.runs.push_back(std::move(r));
  }

  Context& ctx_;
  const Frame& frame_;
  Paragraph& out_;
  InlineState base_;
  bool model_ = true;  // the inlines are the model's (see collect_inlines)
  bool split_next_ = false;  // the next text starts a run: an element with a direction is between
};

}  // namespace

const char* Run::origin_at(size_t at) const {
  // The pieces are in order of `at` (a run only grows at its end): the last one starting
  // at or before AT is the only one that can hold it.
  auto it = std::upper_bound(origins.begin(), origins.end(), at,
                             [](size_t a, const Origin& o) { return a < o.at; });
  if (it == origins.begin()) return nullptr;
  --it;
  return at < it->at + it->size ? it->src + (at - it->at) : nullptr;
}

SourcePos Run::pos_at(size_t at) const {
  SourcePos p = pos;
  size_t from = 0;
  for (const auto& [offset, mark] : marks) {
    if (offset > at) break;
    p = mark;
    from = offset;
  }
  if (p.line != 0 && at > from)
    p.col += static_cast<uint32_t>(utf8_length(std::string_view(text).substr(from, at - from)));
  return p;
}

void Context::missing_glyph(char32_t cp, std::string_view chars, SourcePos pos) {
  if (trial) return;
  auto [it, added] = missing.try_emplace(cp);
  if (added) {
    it->second.chars = std::string(chars);
    it->second.file = file;
    it->second.pos = pos;
  }
  ++it->second.count;
}

void Context::report_missing_glyphs() {
  if (missing.empty()) return;
  // The message lists the characters in code point order, at most this many.
  constexpr size_t kListed = 20;
  size_t total = 0;
  const Missing* first = nullptr;
  std::string list;
  size_t listed = 0;
  for (const auto& [cp, m] : missing) {
    total += m.count;
    if (!first || m.file < first->file ||
        (m.file == first->file && (m.pos.line < first->pos.line ||
                                   (m.pos.line == first->pos.line && m.pos.col < first->pos.col))))
      first = &m;
    if (listed++ >= kListed) continue;
    char code[16];
    std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(cp));
    if (!list.empty()) list += ", ";
    list += std::string(code) + " '" + m.chars + "'";
    if (m.count > 1) list += " (" + std::to_string(m.count) + " times)";
  }
  if (missing.size() > kListed) list += ", and " + std::to_string(missing.size() - kListed) + " more";
  std::string what = missing.size() == 1 ? "1 character is" : std::to_string(missing.size()) + " characters are";
  diag.warning(first->file, first->pos,
               what + " in none of the PDF's fonts nor any installed font, " + std::to_string(total) +
                   (total == 1 ? " time" : " times in all") +
                   "; the PDF prints a box in their place: " + list,
               "install a font that has them (Debian's fonts-noto-core, fonts-noto-cjk and "
               "fonts-symbola cover most scripts) or name one in [output.pdf] fallback-fonts "
               "in book.toml; or replace the characters");
}

void Context::inline_image(SourcePos pos) {
  if (trial || !inline_images_seen.emplace(file, pos.line, pos.col).second) return;
  if (inline_images++ == 0) {
    inline_image_file = file;
    inline_image_pos = pos;
  }
}

void Context::report_inline_images() {
  if (inline_images == 0) return;
  std::string what =
      inline_images == 1 ? "1 image stands" : std::to_string(inline_images) + " images stand";
  diag.warning(inline_image_file, inline_image_pos,
               what + " inside text or a table cell with no size the PDF can draw it at (an SVG "
                      "without width, height or viewBox); the PDF prints each as its alternative "
                      "text in brackets (the EPUB shows the image)",
               "give the <svg> a width and height or a viewBox, or put a PNG or JPEG of the "
               "same name beside it: the PDF prints that instead");
}

ImageSize image_size(const Book& book, const Inline& image) {
  if (image.asset < 0 || image.asset >= static_cast<int>(book.assets.size())) return {};
  const Asset& a = book.assets[static_cast<size_t>(image.asset)];
  const bool print = !a.print_path.empty();  // an SVG printed from the PNG or JPEG beside it
  const int px_w = print ? a.print_width : a.width, px_h = print ? a.print_height : a.height;
  if (px_w <= 0 || px_h <= 0) return {};
  // The attributes of a raw <img>: pixels, as the EPUB's XHTML keeps them (digits only).
  auto pixels = [&](const char* name) {
    const std::string* v = image.attr.find(name);
    if (v == nullptr || v->empty() || v->size() > 6 ||
        v->find_first_not_of("0123456789") != std::string::npos)
      return 0;
    return std::stoi(*v);
  };
  double w = px_w, h = px_h;
  const int attr_w = pixels("width"), attr_h = pixels("height");
  if (attr_w > 0 && attr_h > 0) {
    w = attr_w;
    h = attr_h;
  } else if (attr_w > 0) {
    h = h * attr_w / w;
    w = attr_w;
  } else if (attr_h > 0) {
    w = w * attr_h / h;
    h = attr_h;
  }
  return {w * kPixelsToPoints, h * kPixelsToPoints};
}

ImageSize fit_image(ImageSize size, double max_width, double max_height) {
  double scale = 1;
  if (size.width > max_width) scale = max_width / size.width;
  if (size.height * scale > max_height) scale = max_height / size.height;
  return {size.width * scale, size.height * scale};
}

bool Context::has_glyph(FaceId face, char32_t cp) {
  constexpr char32_t kCachedRange = 0x10000;
  if (cp >= kCachedRange) return metrics.has_glyph(face, cp);
  size_t index = static_cast<size_t>(face.index());
  if (glyph_cache.size() <= index) glyph_cache.resize(index + 1);
  std::vector<uint8_t>& c = glyph_cache[index];
  if (c.empty()) c.assign(kCachedRange, 0);
  uint8_t& v = c[cp];
  if (v == 0) v = metrics.has_glyph(face, cp) ? 1 : 2;
  return v == 1;
}

int Context::language_id(const std::string& language) {
  // Longest tag taken: BCP 47 tags are short ("zh-Hant-TW"); anything else in a lang
  // attribute (a path, a sentence, a megabyte) is no language and is not looked up.
  constexpr size_t kMaxTagBytes = 35;
  if (language.empty() || language == book.meta.language || language.size() > kMaxTagBytes)
    return -1;
  for (char c : language)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return -1;
  size_t id = std::find(languages.begin(), languages.end(), language) - languages.begin();
  if (id == languages.size()) languages.push_back(language);
  return static_cast<int>(id);
}

Hyphenator* Context::hyphenator_for(int id) const {
  if (!hyphenation) return nullptr;
  if (id < 0) return hyphenator;
  size_t i = static_cast<size_t>(id);
  return i < language_hyphenators.size() ? language_hyphenators[i].get() : nullptr;
}

void Context::load_hyphenator(int id, SourcePos pos) {
  if (!hyphenation || id < 0) return;
  size_t i = static_cast<size_t>(id);
  if (hyphenator_loaded.size() <= i) {
    hyphenator_loaded.resize(i + 1, 0);
    language_hyphenators.resize(i + 1);
  }
  if (hyphenator_loaded[i]) return;
  hyphenator_loaded[i] = 1;
  auto h = std::make_unique<Hyphenator>(languages[i], diag, file, pos);
  if (h->available()) language_hyphenators[i] = std::move(h);
}

std::optional<FaceId> Context::face_for(FaceId face, char32_t cp) {
  if (has_glyph(face, cp)) return face;
  const std::string& lang = language.empty() ? book.meta.language : language;
  size_t lang_id = std::find(languages.begin(), languages.end(), lang) - languages.begin();
  if (lang_id == languages.size()) languages.push_back(lang);
  const uint64_t key = static_cast<uint64_t>(lang_id) << 40 |
                       static_cast<uint64_t>(face.index()) << 21 | cp;
  auto it = fallback_cache.find(key);
  if (it == fallback_cache.end()) {
    int found = -1;
    std::optional<FaceId> f = metrics.fallback_face(face, cp, unicode::language_for(cp, lang));
    if (f) {
      auto known = std::find(fallback_faces.begin(), fallback_faces.end(), *f);
      found = static_cast<int>(known - fallback_faces.begin());
      if (known == fallback_faces.end()) fallback_faces.push_back(*f);
    }
    it = fallback_cache.emplace(key, found).first;
  }
  if (it->second < 0) return std::nullopt;
  return fallback_faces[static_cast<size_t>(it->second)];
}

std::string note_anchor(const Book& book, int note) {
  const Note& n = book.notes[note];
  std::string chapter = n.chapter >= 0 && n.chapter < static_cast<int>(book.chapters.size())
                            ? book.chapters[n.chapter].id
                            : "notes";
  return chapter + "#" + n.id;
}

std::string note_ref_anchor(const Book& book, int note) {
  const Note& n = book.notes[note];
  std::string chapter = n.chapter >= 0 && n.chapter < static_cast<int>(book.chapters.size())
                            ? book.chapters[n.chapter].id
                            : "notes";
  return chapter + "#" + n.ref_id;
}

Paragraph collect_inlines(Context& ctx, const std::vector<Inline>& inlines, const Frame& frame,
                          bool model) {
  Paragraph p;
  Collector(ctx, frame, p, model).walk(inlines);
  return p;
}

}  // namespace colophon::layout
