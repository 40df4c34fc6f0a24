#include "pdf/fonts.h"

#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_TRUETYPE_TABLES_H
#include <fontconfig/fontconfig.h>
#include <harfbuzz/hb-subset.h>
#include <harfbuzz/hb.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <unordered_map>

#include "core/paths.h"
#include "core/utf8.h"
#include "core/work.h"
#include "layout/style.h"

namespace colophon {

namespace {

// Hashes strings and string views alike, so cache lookups need no allocation.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

using ShapeCache = std::unordered_map<std::string, ShapedText, StringHash, std::equal_to<>>;

// Tables a PDF font program does without: the PDF positions every glyph itself, so the
// layout tables only cost bytes (and dropping GSUB spares the subsetter from keeping
// every glyph a substitution could reach).
constexpr hb_tag_t kDroppedTables[] = {
    HB_TAG('G', 'S', 'U', 'B'), HB_TAG('G', 'P', 'O', 'S'), HB_TAG('G', 'D', 'E', 'F'),
    HB_TAG('B', 'A', 'S', 'E'), HB_TAG('J', 'S', 'T', 'F'), HB_TAG('M', 'A', 'T', 'H'),
    HB_TAG('k', 'e', 'r', 'n'), HB_TAG('D', 'S', 'I', 'G'), HB_TAG('m', 'o', 'r', 'x'),
    HB_TAG('k', 'e', 'r', 'x'), HB_TAG('S', 'T', 'A', 'T'),
};

}  // namespace

// One font file: FreeType face, HarfBuzz font and the shaping caches.
class LoadedFace {
 public:
  int number = 0;  // RealFontMetrics::font_of
  std::string path;
  int index = 0;
  FT_Face ft = nullptr;
  hb_face_t* hb_face = nullptr;
  hb_font_t* hb = nullptr;
  hb_buffer_t* buffer = nullptr;
  double upem = 1000;
  double ascender = 0.9, descender = -0.25;
  bool cff = false;
  ShapeCache shaped;        // direction from the script, no language
  ShapeCache shaped_other;  // keyed by direction, language and text
  std::unordered_map<uint64_t, double> kerns;

  ~LoadedFace() {
    if (buffer) hb_buffer_destroy(buffer);
    if (hb) hb_font_destroy(hb);
    if (hb_face) hb_face_destroy(hb_face);
    if (ft) FT_Done_Face(ft);
  }

  // Shapes TEXT with the font's default features; the buffer holds the result.
  void run_shaper(std::string_view text, ShapeDirection direction, std::string_view language) {
    work::add(text.size());
    hb_buffer_clear_contents(buffer);
    hb_buffer_add_utf8(buffer, text.data(), static_cast<int>(text.size()), 0,
                       static_cast<int>(text.size()));
    // Never the process locale: the same book gives the same glyphs everywhere.
    if (direction == ShapeDirection::Ltr) hb_buffer_set_direction(buffer, HB_DIRECTION_LTR);
    if (direction == ShapeDirection::Rtl) hb_buffer_set_direction(buffer, HB_DIRECTION_RTL);
    hb_buffer_set_language(buffer, language.empty()
                                       ? hb_language_from_string("und", -1)
                                       : hb_language_from_string(language.data(),
                                                                 static_cast<int>(language.size())));
    hb_buffer_guess_segment_properties(buffer);
    // Marks keep clusters of their own, so a combining accent maps to its own character.
    hb_buffer_set_cluster_level(buffer, HB_BUFFER_CLUSTER_LEVEL_MONOTONE_CHARACTERS);
    hb_shape(hb, buffer, nullptr, 0);
  }

  // Shapes TEXT and returns its glyphs, each cluster's text given to the first glyph
  // that draws it in reading order.
  ShapedText shape(std::string_view text, ShapeDirection direction, std::string_view language) {
    run_shaper(text, direction, language);
    unsigned n = 0;
    hb_glyph_info_t* info = hb_buffer_get_glyph_infos(buffer, &n);
    hb_glyph_position_t* pos = hb_buffer_get_glyph_positions(buffer, &n);
    const bool rtl = HB_DIRECTION_IS_BACKWARD(hb_buffer_get_direction(buffer));
    ShapedText out;
    out.glyphs.resize(n);
    int64_t total = 0;
    for (unsigned i = 0; i < n; ++i) {
      ShapedGlyph& g = out.glyphs[i];
      g.gid = info[i].codepoint;
      g.x_advance = pos[i].x_advance;
      g.x_offset = pos[i].x_offset;
      g.y_offset = pos[i].y_offset;
      total += pos[i].x_advance;
    }
    // Glyphs come in visual order: clusters rise left to right, or fall in RTL text.
    // A cluster's text ends where the next cluster in reading order begins.
    uint32_t end = static_cast<uint32_t>(text.size());
    for (unsigned k = 0; k < n; ++k) {
      unsigned i = rtl ? k : n - 1 - k;  // from the last cluster in reading order back
      uint32_t cluster = info[i].cluster;
      bool first_of_cluster = rtl ? (i == n - 1 || info[i + 1].cluster != cluster)
                                  : (i == 0 || info[i - 1].cluster != cluster);
      if (first_of_cluster) {
        out.glyphs[i].text_begin = cluster;
        out.glyphs[i].text_end = std::max(cluster, end);
        end = cluster;
      } else {
        out.glyphs[i].text_begin = out.glyphs[i].text_end = cluster;
      }
    }
    out.width_em = static_cast<double>(total) / upem;
    return out;
  }

  // Returns the unkerned advance of code point CP in font units.
  int64_t advance_units(char32_t cp) {
    hb_codepoint_t gid = 0;
    hb_font_get_nominal_glyph(hb, cp, &gid);
    return hb_font_get_glyph_h_advance(hb, gid);
  }
};

FontSet default_font_set() {
  const std::string noto = "/usr/share/fonts/truetype/noto/";
  FontSet set;
  set.text = {noto + "NotoSerif-Regular.ttf", noto + "NotoSerif-Italic.ttf",
              noto + "NotoSerif-Bold.ttf", noto + "NotoSerif-BoldItalic.ttf"};
  set.mono = {noto + "NotoSansMono-Regular.ttf", "", noto + "NotoSansMono-Bold.ttf", ""};
  set.fallback = {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "", "", ""};
  return set;
}

RealFontMetrics::RealFontMetrics() = default;

RealFontMetrics::~RealFontMetrics() {
  loaded_.clear();
  for (auto& [key, installed] : installed_) {
    if (installed.fonts) FcFontSetDestroy(static_cast<FcFontSet*>(installed.fonts));
    if (installed.coverage) FcCharSetDestroy(static_cast<FcCharSet*>(installed.coverage));
  }
  if (library_) FT_Done_FreeType(static_cast<FT_Library>(library_));
  if (fontconfig_) FcConfigDestroy(static_cast<FcConfig*>(fontconfig_));
}

LoadedFace* RealFontMetrics::open_face(const std::string& path, int index,
                                       std::string& error) const {
  for (const auto& f : loaded_)
    if (f->path == path && f->index == index) return f.get();
  // FreeType opens the file itself: a named pipe there would block it for ever.
  if (std::string problem = regular_file_problem(path);
      !problem.empty() && problem != "is not found") {
    error = "the file " + problem;
    return nullptr;
  }
  FT_Library lib = static_cast<FT_Library>(library_);
  FT_Face ft = nullptr;
  FT_Error err = FT_New_Face(lib, path.c_str(), index, &ft);
  if (err != 0) {
    error = err == FT_Err_Cannot_Open_Resource ? "file not found" : "not a font FreeType can read";
    return nullptr;
  }
  auto has_table = [&](FT_ULong tag) {
    FT_ULong size = 0;
    return FT_Load_Sfnt_Table(ft, tag, 0, nullptr, &size) == 0 && size > 0;
  };
  const bool glyf = FT_IS_SFNT(ft) && has_table(FT_MAKE_TAG('g', 'l', 'y', 'f'));
  const bool cff = FT_IS_SFNT(ft) && has_table(FT_MAKE_TAG('C', 'F', 'F', ' '));
  if (!glyf && !cff) {
    error = "not a TrueType or OpenType font with outlines (glyf or CFF), which the PDF needs";
    FT_Done_Face(ft);
    return nullptr;
  }
  auto face = std::make_unique<LoadedFace>();
  face->path = path;
  face->index = index;
  face->ft = ft;
  face->cff = !glyf;
  face->upem = ft->units_per_EM > 0 ? ft->units_per_EM : 1000;
  face->ascender = ft->ascender / face->upem;
  face->descender = ft->descender / face->upem;
  hb_blob_t* blob = hb_blob_create_from_file_or_fail(path.c_str());
  if (!blob) {
    // FACE owns FT now: its destructor closes it (closing it here too freed it twice,
    // found under `ulimit -v`, where HarfBuzz could not map the file).
    error = "cannot read the file";
    return nullptr;
  }
  face->hb_face = hb_face_create(blob, static_cast<unsigned>(index));
  hb_blob_destroy(blob);
  face->hb = hb_font_create(face->hb_face);  // HarfBuzz's own OpenType functions: unhinted
  hb_font_set_scale(face->hb, static_cast<int>(face->upem), static_cast<int>(face->upem));
  face->buffer = hb_buffer_create();
  face->number = static_cast<int>(loaded_.size());
  loaded_.push_back(std::move(face));
  return loaded_.back().get();
}

std::unique_ptr<RealFontMetrics> RealFontMetrics::load(const FontSet& fonts_in,
                                                       const std::string& style_file,
                                                       Diagnostics& diag) {
  const FontSet& defaults = default_font_set();
  auto empty = [](const FontFiles& f) {
    return f.regular.empty() && f.italic.empty() && f.bold.empty() && f.bold_italic.empty();
  };
  FontSet fonts = fonts_in;
  if (empty(fonts.text) && empty(fonts.mono) && empty(fonts.fallback)) {
    fonts = defaults;
    fonts.fallback_list = fonts_in.fallback_list;
  }

  std::unique_ptr<RealFontMetrics> m(new RealFontMetrics());
  FT_Library lib = nullptr;
  if (FT_Init_FreeType(&lib) != 0) {
    diag.error(style_file, {}, "cannot start the FreeType font library");
    return nullptr;
  }
  m->library_ = lib;

  struct Slot {
    FaceFamily family;
    const FontFiles* files;
    const char* key;
  };
  const Slot slots[] = {{FaceFamily::Text, &fonts.text, "text"},
                        {FaceFamily::Mono, &fonts.mono, "mono"},
                        {FaceFamily::Fallback, &fonts.fallback, "fallback"}};
  const char* style_keys[] = {"regular", "italic", "bold", "bold-italic"};
  bool ok = true;

  for (const Slot& slot : slots) {
    const std::string family_key = std::string("fonts.") + slot.key + ".";
    const std::string* paths[] = {&slot.files->regular, &slot.files->italic, &slot.files->bold,
                                  &slot.files->bold_italic};
    for (int s = 0; s < 4; ++s) {
      FaceId id{slot.family, static_cast<FaceStyle>(s)};
      if (paths[s]->empty()) continue;
      std::string error;
      LoadedFace* f = m->open_face(*paths[s], 0, error);
      if (!f) {
        const std::string key = family_key + style_keys[s];
        diag.error(style_file, {},
                   "cannot load font '" + *paths[s] + "' (style key " + key + "): " + error,
                   missing_font_hint(*paths[s], key));
        ok = false;
      }
      m->by_id_[id.index()] = f;
    }
  }
  if (!ok) return nullptr;
  // Fill the gaps: a missing style uses the family's regular; a family without any face
  // uses the text family (the style decides whether that matters).
  for (const Slot& slot : slots) {
    int base = FaceId{slot.family, FaceStyle::Regular}.index();
    for (int s = 1; s < 4; ++s) {
      if (!m->by_id_[base + s]) m->by_id_[base + s] = m->by_id_[base];
    }
  }
  if (!m->by_id_[0]) {
    diag.error(style_file, {}, "the PDF style names no regular text font (fonts.text.regular)",
               "set fonts.text.regular to a .ttf file, e.g. " + defaults.text.regular);
    return nullptr;
  }
  for (int i = 0; i < kFaceCount; ++i) {
    if (!m->by_id_[i]) {
      FaceId id{FaceFamily::Text, static_cast<FaceStyle>(i % 4)};
      m->by_id_[i] = m->by_id_[id.index()] ? m->by_id_[id.index()] : m->by_id_[0];
    }
  }
  if (const char* family = m->by_id_[0]->ft->family_name) {
    m->text_family_full_ = family;
    m->text_family_ = m->text_family_full_.substr(0, m->text_family_full_.find(' '));
  }
  if (const char* family =
          m->by_id_[FaceId{FaceFamily::Mono, FaceStyle::Regular}.index()]->ft->family_name) {
    m->mono_family_full_ = family;
    m->mono_family_ = m->mono_family_full_.substr(0, m->mono_family_full_.find(' '));
  }
  // The fallback list: every entry must load now, so a typo is an error, not a box.
  m->fallback_list_ = fonts.fallback_list;
  m->list_faces_.assign(m->fallback_list_.size(), std::vector<LoadedFace*>(4, nullptr));
  for (size_t e = 0; e < m->fallback_list_.size(); ++e) {
    std::string error;
    if (!m->list_face(e, FaceStyle::Regular, error)) {
      diag.error(style_file, {},
                 "cannot load fallback font '" + m->fallback_list_[e] + "': " + error,
                 "name an installed family (fc-list : family lists them) or a .ttf, .otf or "
                 ".ttc file in fallback-fonts");
      ok = false;
    }
  }
  if (!ok) return nullptr;
  return m;
}

LoadedFace* RealFontMetrics::list_face(size_t entry, FaceStyle style, std::string& error) const {
  LoadedFace*& slot = list_faces_[entry][static_cast<size_t>(style)];
  if (slot) return slot;
  const std::string& name = fallback_list_[entry];
  const bool is_file = name.find('/') != std::string::npos || name.ends_with(".ttf") ||
                       name.ends_with(".otf") || name.ends_with(".ttc") ||
                       name.ends_with(".TTF") || name.ends_with(".OTF");
  if (is_file) {
    slot = open_face(name, 0, error);
    return slot;
  }
  auto* config = static_cast<FcConfig*>(fontconfig());
  if (!config) {
    error = "fontconfig cannot start, so font families cannot be looked up";
    return nullptr;
  }
  const bool bold = style == FaceStyle::Bold || style == FaceStyle::BoldItalic;
  const bool italic = style == FaceStyle::Italic || style == FaceStyle::BoldItalic;
  FcPattern* pattern = FcPatternCreate();
  FcPatternAddString(pattern, FC_FAMILY, reinterpret_cast<const FcChar8*>(name.c_str()));
  FcPatternAddInteger(pattern, FC_WEIGHT, bold ? FC_WEIGHT_BOLD : FC_WEIGHT_REGULAR);
  FcPatternAddInteger(pattern, FC_SLANT, italic ? FC_SLANT_ITALIC : FC_SLANT_ROMAN);
  FcConfigSubstitute(config, pattern, FcMatchPattern);
  FcDefaultSubstitute(pattern);
  FcResult result = FcResultNoMatch;
  FcPattern* match = FcFontMatch(config, pattern, &result);
  FcPatternDestroy(pattern);
  error = "no installed font family of that name";
  if (match) {
    FcChar8* family = nullptr;
    FcChar8* file = nullptr;
    int index = 0;
    bool same = false;
    for (int k = 0; FcPatternGetString(match, FC_FAMILY, k, &family) == FcResultMatch; ++k)
      if (FcStrCmpIgnoreCase(family, reinterpret_cast<const FcChar8*>(name.c_str())) == 0)
        same = true;
    if (same && FcPatternGetString(match, FC_FILE, 0, &file) == FcResultMatch) {
      FcPatternGetInteger(match, FC_INDEX, 0, &index);
      slot = open_face(reinterpret_cast<const char*>(file), index, error);
    }
    FcPatternDestroy(match);
  }
  return slot;
}

void* RealFontMetrics::fontconfig() const {
  if (!fontconfig_tried_) {
    fontconfig_tried_ = true;
    fontconfig_ = FcInitLoadConfigAndFonts();
  }
  return fontconfig_;
}

uint16_t RealFontMetrics::fallback_number(LoadedFace* font) const {
  for (int i = 0; i < fallback_count_; ++i)
    if (fallbacks_[static_cast<size_t>(i)] == font) return static_cast<uint16_t>(i + 1);
  if (fallback_count_ >= kMaxFallbacks) return 0;
  fallbacks_[static_cast<size_t>(fallback_count_++)] = font;
  return static_cast<uint16_t>(fallback_count_);
}

namespace {

// Tells whether FONT has a glyph for CP.
bool covers(LoadedFace* font, char32_t cp) {
  hb_codepoint_t gid = 0;
  return font && hb_font_get_nominal_glyph(font->hb, cp, &gid) && gid != 0;
}

}  // namespace

std::optional<FaceId> RealFontMetrics::fallback_face(FaceId face, char32_t cp,
                                                     std::string_view language) const {
  std::lock_guard lock(mutex_);
  auto as_face = [&](LoadedFace* f) -> std::optional<FaceId> {
    uint16_t number = fallback_number(f);
    if (number == 0) return std::nullopt;
    return FaceId{FaceFamily::Fallback, face.style, number};
  };
  for (size_t e = 0; e < fallback_list_.size(); ++e) {
    std::string error;
    LoadedFace* f = list_face(e, face.style, error);
    if (!f) f = list_face(e, FaceStyle::Regular, error);
    if (covers(f, cp)) return as_face(f);
  }
  bool bold = face.style == FaceStyle::Bold || face.style == FaceStyle::BoldItalic;
  FaceId family{FaceFamily::Fallback, bold ? FaceStyle::Bold : FaceStyle::Regular};
  if (face.font == 0 && !(family == face) && covers(by_id_[family.index()], cp)) return family;
  if (LoadedFace* f = find_installed(face, cp, language)) return as_face(f);
  return std::nullopt;
}

LoadedFace* RealFontMetrics::find_installed(FaceId face, char32_t cp,
                                            std::string_view language) const {
  const bool bold = face.style == FaceStyle::Bold || face.style == FaceStyle::BoldItalic;
  const bool italic = face.style == FaceStyle::Italic || face.style == FaceStyle::BoldItalic;
  const bool mono = face.family == FaceFamily::Mono;
  std::string key = std::to_string(static_cast<int>(face.style)) + (mono ? "m" : "s");
  key += language;
  std::vector<LoadedFace*>& found = found_[key];
  for (LoadedFace* f : found)
    if (covers(f, cp)) return f;
  const Installed* installed = installed_fonts(key, mono, bold, italic, language);
  if (!installed || !FcCharSetHasChar(static_cast<FcCharSet*>(installed->coverage), cp))
    return nullptr;  // no installed font has it: no need to look at each
  FcFontSet* set = static_cast<FcFontSet*>(installed->fonts);
  // Among the best few that have the character, one of the face's own family ("Noto
  // Serif Hebrew" for Noto Serif), else of its superfamily ("Noto Sans Hebrew"), so that
  // a Noto Serif book borrows from Noto before DejaVu. Code is kin to the code face, not
  // to the text's: its Chinese is fontconfig's monospace for the language (Noto Sans
  // Mono CJK SC), not a proportional serif, which came in Japanese forms for zh-CN.
  const std::string& family_full = mono ? mono_family_full_ : text_family_full_;
  const std::string& superfamily = mono ? mono_family_ : text_family_;
  constexpr int kCandidates = 12;
  LoadedFace* chosen = nullptr;
  int chosen_score = -1;
  int candidates = 0;
  for (int i = 0; i < set->nfont && candidates < kCandidates && chosen_score < 2; ++i) {
    work::add();
    FcPattern* font = set->fonts[i];
    FcCharSet* charset = nullptr;
    if (FcPatternGetCharSet(font, FC_CHARSET, 0, &charset) != FcResultMatch ||
        !FcCharSetHasChar(charset, cp))
      continue;
    FcBool color = FcFalse;
    if (FcPatternGetBool(font, FC_COLOR, 0, &color) == FcResultMatch && color) continue;
    FcChar8* file = nullptr;
    int index = 0;
    if (FcPatternGetString(font, FC_FILE, 0, &file) != FcResultMatch) continue;
    FcPatternGetInteger(font, FC_INDEX, 0, &index);
    std::string error;
    LoadedFace* f = open_face(reinterpret_cast<const char*>(file), index, error);
    if (!covers(f, cp)) continue;
    ++candidates;
    int score = 0;
    FcChar8* family = nullptr;
    if (FcPatternGetString(font, FC_FAMILY, 0, &family) == FcResultMatch) {
      std::string_view name(reinterpret_cast<const char*>(family));
      auto kin = [&](const std::string& prefix) {
        return !prefix.empty() && (name == prefix || name.starts_with(prefix + " "));
      };
      score = kin(family_full) ? 2 : kin(superfamily) ? 1 : 0;
    }
    if (score > chosen_score) {
      chosen = f;
      chosen_score = score;
    }
  }
  if (chosen) found.push_back(chosen);
  return chosen;
}

const RealFontMetrics::Installed* RealFontMetrics::installed_fonts(const std::string& key,
                                                                   bool mono, bool bold,
                                                                   bool italic,
                                                                   std::string_view language) const {
  auto known = installed_.find(key);
  if (known != installed_.end()) return known->second.fonts ? &known->second : nullptr;
  Installed& out = installed_[key];
  auto* config = static_cast<FcConfig*>(fontconfig());
  if (!config) return nullptr;
  // No character in the pattern: among the fonts that have a given character, the
  // order is the same as if it were there (fontconfig scores the missing characters
  // first, and these all miss none), so one sort serves every character.
  FcPattern* pattern = FcPatternCreate();
  FcPatternAddString(pattern, FC_FAMILY,
                     reinterpret_cast<const FcChar8*>(mono ? "monospace" : "serif"));
  FcPatternAddInteger(pattern, FC_WEIGHT, bold ? FC_WEIGHT_BOLD : FC_WEIGHT_REGULAR);
  FcPatternAddInteger(pattern, FC_SLANT, italic ? FC_SLANT_ITALIC : FC_SLANT_ROMAN);
  if (!language.empty()) {
    std::string lang(language);
    FcPatternAddString(pattern, FC_LANG, reinterpret_cast<const FcChar8*>(lang.c_str()));
  }
  FcConfigSubstitute(config, pattern, FcMatchPattern);
  FcDefaultSubstitute(pattern);
  FcResult result = FcResultNoMatch;
  FcFontSet* set = FcFontSort(config, pattern, FcFalse, nullptr, &result);
  FcPatternDestroy(pattern);
  if (!set) return nullptr;
  FcCharSet* coverage = FcCharSetCreate();
  for (int i = 0; i < set->nfont; ++i) {
    work::add();
    FcCharSet* charset = nullptr;
    if (FcPatternGetCharSet(set->fonts[i], FC_CHARSET, 0, &charset) == FcResultMatch)
      FcCharSetMerge(coverage, charset, nullptr);
  }
  out.fonts = set;
  out.coverage = coverage;
  return &out;
}

LoadedFace& RealFontMetrics::face(FaceId id) const {
  if (id.font > 0 && id.font <= fallback_count_) return *fallbacks_[id.font - 1];
  int i = id.index();
  if (i < 0 || i >= kFaceCount) i = 0;
  return *by_id_[i];
}

const ShapedText& RealFontMetrics::shape(FaceId id, std::string_view text,
                                         ShapeDirection direction,
                                         std::string_view language) const {
  LoadedFace& f = face(id);
  std::lock_guard lock(mutex_);
  if (direction == ShapeDirection::Auto && language.empty()) {
    if (auto it = f.shaped.find(text); it != f.shaped.end()) return it->second;
    return f.shaped.emplace(std::string(text), f.shape(text, direction, language)).first->second;
  }
  std::string key;
  key.reserve(text.size() + language.size() + 2);
  key += static_cast<char>('0' + static_cast<int>(direction));
  key += language;
  key += '\n';  // never in a language tag
  key += text;
  if (auto it = f.shaped_other.find(key); it != f.shaped_other.end()) return it->second;
  ShapedText shaped = f.shape(text, direction, language);
  return f.shaped_other.emplace(std::move(key), std::move(shaped)).first->second;
}

double RealFontMetrics::width(FaceId id, std::string_view text) const {
  if (text.empty()) return 0;
  return shape(id, text).width_em;
}

double RealFontMetrics::kern(FaceId id, char32_t left, char32_t right) const {
  LoadedFace& f = face(id);
  uint64_t key = (static_cast<uint64_t>(left) << 32) | right;
  std::lock_guard lock(mutex_);
  if (auto it = f.kerns.find(key); it != f.kerns.end()) return it->second;
  // What the pair gains or loses when shaped together: kerning, or a ligature that
  // forms across the boundary of two boxes of one word.
  std::string pair;
  append_utf8(pair, left);
  append_utf8(pair, right);
  f.run_shaper(pair, ShapeDirection::Auto, {});
  unsigned n = 0;
  hb_glyph_position_t* pos = hb_buffer_get_glyph_positions(f.buffer, &n);
  int64_t total = 0;
  for (unsigned i = 0; i < n; ++i) total += pos[i].x_advance;
  double k = static_cast<double>(total - f.advance_units(left) - f.advance_units(right)) / f.upem;
  f.kerns.emplace(key, k);
  return k;
}

double RealFontMetrics::ascender(FaceId id) const { return face(id).ascender; }

double RealFontMetrics::descender(FaceId id) const { return face(id).descender; }

bool RealFontMetrics::has_glyph(FaceId id, char32_t cp) const {
  LoadedFace& f = face(id);
  std::lock_guard lock(mutex_);
  hb_codepoint_t gid = 0;
  return hb_font_get_nominal_glyph(f.hb, cp, &gid) && gid != 0;
}

const std::string& RealFontMetrics::file(FaceId id) const { return face(id).path; }

int RealFontMetrics::font_of(FaceId id) const { return face(id).number; }

int RealFontMetrics::font_count() const { return static_cast<int>(loaded_.size()); }

FontInfo RealFontMetrics::font_info(int font) const {
  const LoadedFace& f = *loaded_.at(static_cast<size_t>(font));
  std::lock_guard lock(mutex_);
  FontInfo info;
  info.path = f.path;
  info.index = f.index;
  info.upem = f.upem;
  info.glyph_count = hb_face_get_glyph_count(f.hb_face);
  info.cff = f.cff;
  if (const char* ps = FT_Get_Postscript_Name(f.ft)) info.ps_name = ps;
  if (info.ps_name.empty()) info.ps_name = "Font" + std::to_string(font);
  info.bbox[0] = static_cast<int>(f.ft->bbox.xMin);
  info.bbox[1] = static_cast<int>(f.ft->bbox.yMin);
  info.bbox[2] = static_cast<int>(f.ft->bbox.xMax);
  info.bbox[3] = static_cast<int>(f.ft->bbox.yMax);
  info.ascent = f.ft->ascender;
  info.descent = f.ft->descender;
  info.cap_height = info.ascent;
  info.fixed_pitch = FT_IS_FIXED_WIDTH(f.ft);
  if (auto* os2 = static_cast<TT_OS2*>(FT_Get_Sfnt_Table(f.ft, FT_SFNT_OS2))) {
    if (os2->version >= 2 && os2->sCapHeight > 0) info.cap_height = os2->sCapHeight;
    // PANOSE: family kind 2 (Latin text) with a serif style from cove (2) to flared (10).
    info.serif = os2->panose[0] == 2 && os2->panose[1] >= 2 && os2->panose[1] <= 10;
  }
  if (auto* post = static_cast<TT_Postscript*>(FT_Get_Sfnt_Table(f.ft, FT_SFNT_POST)))
    info.italic_angle = static_cast<double>(post->italicAngle) / 65536.0;
  return info;
}

int32_t RealFontMetrics::glyph_advance(int font, uint32_t gid) const {
  const LoadedFace& f = *loaded_.at(static_cast<size_t>(font));
  std::lock_guard lock(mutex_);
  return hb_font_get_glyph_h_advance(f.hb, gid);
}

uint32_t RealFontMetrics::glyph_of(int font, char32_t cp) const {
  const LoadedFace& f = *loaded_.at(static_cast<size_t>(font));
  std::lock_guard lock(mutex_);
  hb_codepoint_t gid = 0;
  return hb_font_get_nominal_glyph(f.hb, cp, &gid) ? gid : 0;
}

bool RealFontMetrics::subset(int font, const std::vector<uint32_t>& gids, FontSubset& out) const {
  const LoadedFace& f = *loaded_.at(static_cast<size_t>(font));
  hb_subset_input_t* input = hb_subset_input_create_or_fail();
  if (!input) return false;
  hb_set_t* glyphs = hb_subset_input_set(input, HB_SUBSET_SETS_GLYPH_INDEX);
  hb_set_add(glyphs, 0);
  for (uint32_t g : gids) hb_set_add(glyphs, g);
  // The PDF selects glyphs by id, so ids stay as they are (CID = glyph id).
  hb_subset_input_set_flags(input, HB_SUBSET_FLAGS_RETAIN_GIDS);
  hb_set_t* drop = hb_subset_input_set(input, HB_SUBSET_SETS_DROP_TABLE_TAG);
  for (hb_tag_t tag : kDroppedTables) hb_set_add(drop, tag);
  hb_face_t* result = nullptr;
  {
    std::lock_guard lock(mutex_);
    result = hb_subset_or_fail(f.hb_face, input);
  }
  hb_subset_input_destroy(input);
  if (!result) return false;
  bool ok = true;
  auto table = [&](hb_tag_t tag) {
    hb_blob_t* blob = hb_face_reference_table(result, tag);
    unsigned length = 0;
    const char* data = hb_blob_get_data(blob, &length);
    std::string bytes(data ? data : "", data ? length : 0);
    hb_blob_destroy(blob);
    return bytes;
  };
  std::string cff = table(HB_TAG('C', 'F', 'F', ' '));
  if (!cff.empty()) {
    // The bare CFF table, CID-keyed or not: a PDF 1.3 font program (FontFile3
    // /CIDFontType0C), where a name-keyed one's CIDs are its glyph ids (ISO 32000-1,
    // 9.7.4.2). The whole OpenType file would need PDF 1.6, which PDF/X-1a forbids.
    out.kind = FontSubset::Kind::Cff;
    out.data = std::move(cff);
  } else {
    out.kind = FontSubset::Kind::TrueType;
    hb_blob_t* blob = hb_face_reference_blob(result);
    unsigned length = 0;
    const char* data = hb_blob_get_data(blob, &length);
    if (data && length > 0) out.data.assign(data, length);
    else ok = false;
    hb_blob_destroy(blob);
  }
  hb_face_destroy(result);
  return ok;
}

}  // namespace colophon
