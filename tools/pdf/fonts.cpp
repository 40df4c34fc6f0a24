#include "pdf/fonts.h"

#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_TRUETYPE_TABLES_H
#include <harfbuzz/hb.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <unordered_map>

#include "core/utf8.h"
#include "layout/style.h"

namespace colophon {

namespace {

// The nominal widths a PDF viewer uses are whole thousandths of an em (libharu
// truncates font units to them); drift smaller than this between the viewer's pen and
// ours is not worth a new piece.
constexpr double kDrawDriftToleranceEm = 0.0005;

// Hashes strings and string views alike, so cache lookups need no allocation.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Features switched off while shaping: the PDF is drawn character by character through
// libharu's cmap lookup, so only kerning (a pure positioning feature) may apply.
constexpr const char* kFeaturesOff[] = {"liga", "clig", "calt", "rlig", "ccmp", "locl",
                                        "mark", "mkmk", "curs", "dist", "rclt", "dlig"};

std::vector<hb_feature_t> shaping_features() {
  std::vector<hb_feature_t> features;
  for (const char* name : kFeaturesOff) {
    hb_feature_t f;
    hb_feature_from_string(name, -1, &f);
    f.value = 0;
    features.push_back(f);
  }
  hb_feature_t kern;
  hb_feature_from_string("kern", -1, &kern);
  kern.value = 1;
  features.push_back(kern);
  return features;
}

}  // namespace

// One font file: FreeType face, HarfBuzz font and the measurement caches.
class LoadedFace {
 public:
  std::string path;
  FT_Face ft = nullptr;
  hb_font_t* hb = nullptr;
  hb_buffer_t* buffer = nullptr;
  double upem = 1000;
  double ascender = 0.9, descender = -0.25;
  std::unordered_map<std::string, double, StringHash, std::equal_to<>> widths;
  std::unordered_map<uint64_t, double> kerns;
  std::unordered_map<std::string, std::vector<DrawPiece>, StringHash, std::equal_to<>> pieces;
  std::unordered_map<std::string, DrawnRun, StringHash, std::equal_to<>> drawn;

  ~LoadedFace() {
    if (buffer) hb_buffer_destroy(buffer);
    if (hb) hb_font_destroy(hb);
    if (ft) FT_Done_Face(ft);
  }

  // Shapes TEXT left to right with kerning only; the buffer holds the result.
  void shape(std::string_view text) {
    static const std::vector<hb_feature_t> features = shaping_features();
    hb_buffer_clear_contents(buffer);
    hb_buffer_add_utf8(buffer, text.data(), static_cast<int>(text.size()), 0,
                       static_cast<int>(text.size()));
    // Fixed direction and language (not the process locale), so results never depend
    // on the environment; the script is guessed from the text.
    hb_buffer_set_direction(buffer, HB_DIRECTION_LTR);
    hb_buffer_set_language(buffer, hb_language_from_string("en", -1));
    hb_buffer_guess_segment_properties(buffer);
    hb_buffer_set_cluster_level(buffer, HB_BUFFER_CLUSTER_LEVEL_MONOTONE_CHARACTERS);
    hb_shape(hb, buffer, features.data(), static_cast<unsigned>(features.size()));
  }

  // Returns the shaped advance of TEXT in ems.
  double measure(std::string_view text) {
    shape(text);
    unsigned n = 0;
    hb_glyph_position_t* pos = hb_buffer_get_glyph_positions(buffer, &n);
    int64_t total = 0;
    for (unsigned i = 0; i < n; ++i) total += pos[i].x_advance;
    return static_cast<double>(total) / upem;
  }

  // Returns the unkerned advance of code point CP in font units.
  int64_t advance_units(char32_t cp) {
    hb_codepoint_t gid = 0;
    hb_font_get_nominal_glyph(hb, cp, &gid);
    return hb_font_get_glyph_h_advance(hb, gid);
  }

  // Returns the advance of code point CP as a PDF viewer sees it, in ems.
  double viewer_advance_of(char32_t cp) {
    hb_codepoint_t gid = 0;
    hb_font_get_nominal_glyph(hb, cp, &gid);
    return viewer_advance_em(gid);
  }

  // Returns the glyph's advance as a PDF viewer sees it: libharu's /W entry, the
  // advance in thousandths of an em, truncated.
  double viewer_advance_em(hb_codepoint_t gid) {
    int64_t units = hb_font_get_glyph_h_advance(hb, gid);
    return static_cast<double>(units * 1000 / static_cast<int64_t>(upem)) / 1000.0;
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
  if (library_) FT_Done_FreeType(static_cast<FT_Library>(library_));
}

std::unique_ptr<RealFontMetrics> RealFontMetrics::load(const FontSet& fonts_in,
                                                       const std::string& style_file,
                                                       Diagnostics& diag) {
  const FontSet& defaults = default_font_set();
  auto empty = [](const FontFiles& f) {
    return f.regular.empty() && f.italic.empty() && f.bold.empty() && f.bold_italic.empty();
  };
  FontSet fonts = fonts_in;
  if (empty(fonts.text) && empty(fonts.mono) && empty(fonts.fallback)) fonts = defaults;

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
  std::unordered_map<std::string, LoadedFace*> by_path;

  auto open = [&](const std::string& path, const std::string& key) -> LoadedFace* {
    if (auto it = by_path.find(path); it != by_path.end()) return it->second;
    const std::string hint = missing_font_hint(path, key);
    FT_Face ft = nullptr;
    FT_Error err = FT_New_Face(lib, path.c_str(), 0, &ft);
    if (err != 0) {
      diag.error(style_file, {},
                 "cannot load font '" + path + "' (style key " + key + ")" +
                     (err == FT_Err_Cannot_Open_Resource ? ": file not found" : ""),
                 hint);
      return nullptr;
    }
    FT_ULong glyf_size = 0;
    if (!FT_IS_SFNT(ft) ||
        FT_Load_Sfnt_Table(ft, FT_MAKE_TAG('g', 'l', 'y', 'f'), 0, nullptr, &glyf_size) != 0) {
      diag.error(style_file, {},
                 "font '" + path + "' (style key " + key +
                     ") is not a TrueType font with glyf outlines, which the PDF writer needs",
                 "choose a .ttf font for " + key + " in the PDF style");
      FT_Done_Face(ft);
      return nullptr;
    }
    auto face = std::make_unique<LoadedFace>();
    face->path = path;
    face->ft = ft;
    face->upem = ft->units_per_EM > 0 ? ft->units_per_EM : 1000;
    face->ascender = ft->ascender / face->upem;
    face->descender = ft->descender / face->upem;
    hb_blob_t* blob = hb_blob_create_from_file_or_fail(path.c_str());
    if (!blob) {
      // FACE owns FT now: its destructor closes it (closing it here too freed it twice,
      // found under `ulimit -v`, where HarfBuzz could not map the file).
      diag.error(style_file, {}, "cannot read font '" + path + "' (style key " + key + ")", hint);
      return nullptr;
    }
    hb_face_t* hb_face = hb_face_create(blob, 0);
    hb_blob_destroy(blob);
    face->hb = hb_font_create(hb_face);  // HarfBuzz's own OpenType functions: unhinted
    hb_face_destroy(hb_face);
    hb_font_set_scale(face->hb, static_cast<int>(face->upem), static_cast<int>(face->upem));
    face->buffer = hb_buffer_create();
    LoadedFace* raw = face.get();
    m->loaded_.push_back(std::move(face));
    by_path[path] = raw;
    return raw;
  };

  for (const Slot& slot : slots) {
    const std::string family_key = std::string("fonts.") + slot.key + ".";
    const std::string* paths[] = {&slot.files->regular, &slot.files->italic, &slot.files->bold,
                                  &slot.files->bold_italic};
    for (int s = 0; s < 4; ++s) {
      FaceId id{slot.family, static_cast<FaceStyle>(s)};
      if (paths[s]->empty()) continue;
      LoadedFace* f = open(*paths[s], family_key + style_keys[s]);
      if (!f) ok = false;
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
  return m;
}

LoadedFace& RealFontMetrics::face(FaceId id) const {
  int i = id.index();
  if (i < 0 || i >= kFaceCount) i = 0;
  return *by_id_[i];
}

double RealFontMetrics::width(FaceId id, std::string_view text) const {
  if (text.empty()) return 0;
  LoadedFace& f = face(id);
  std::lock_guard lock(mutex_);
  if (auto it = f.widths.find(text); it != f.widths.end()) return it->second;
  double w = f.measure(text);
  f.widths.emplace(std::string(text), w);
  // Most measured words are drawn later: keep where their pieces start while the
  // shaped glyphs are at hand, so drawing them needs no second shaping.
  if (f.pieces.find(text) == f.pieces.end()) {
    f.pieces.emplace(std::string(text), pieces_of_shaped(f, text));
  }
  return w;
}

double RealFontMetrics::kern(FaceId id, char32_t left, char32_t right) const {
  LoadedFace& f = face(id);
  uint64_t key = (static_cast<uint64_t>(left) << 32) | right;
  std::lock_guard lock(mutex_);
  if (auto it = f.kerns.find(key); it != f.kerns.end()) return it->second;
  std::string pair;
  append_utf8(pair, left);
  append_utf8(pair, right);
  f.shape(pair);
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
  // libharu's UTF-8 encoder writes two-byte codes, so only the Basic Multilingual Plane
  // can be drawn.
  if (cp > 0xFFFF) return false;
  LoadedFace& f = face(id);
  std::lock_guard lock(mutex_);
  return FT_Get_Char_Index(f.ft, cp) != 0;
}

const std::string& RealFontMetrics::file(FaceId id) const { return face(id).path; }

std::vector<DrawPiece> RealFontMetrics::pieces(FaceId id, std::string_view text) const {
  std::lock_guard lock(mutex_);
  return pieces_locked(face(id), text);
}

std::vector<DrawPiece> RealFontMetrics::pieces_locked(LoadedFace& f, std::string_view text) const {
  if (text.empty()) return {};
  if (auto it = f.pieces.find(text); it != f.pieces.end()) return it->second;
  f.shape(text);
  std::vector<DrawPiece> out = pieces_of_shaped(f, text);
  f.pieces.emplace(std::string(text), out);
  return out;
}

std::vector<DrawPiece> RealFontMetrics::pieces_of_shaped(LoadedFace& f, std::string_view text) {
  std::vector<DrawPiece> out;
  unsigned n = 0;
  hb_glyph_info_t* info = hb_buffer_get_glyph_infos(f.buffer, &n);
  hb_glyph_position_t* pos = hb_buffer_get_glyph_positions(f.buffer, &n);
  out.push_back({0, text.size(), 0});
  int64_t pen_units = 0;  // where we put the next glyph, font units
  double viewer_em = 0;   // where the viewer puts it, ems
  for (unsigned i = 0; i < n; ++i) {
    pen_units += pos[i].x_advance;
    viewer_em += f.viewer_advance_em(info[i].codepoint);
    double pen_em = static_cast<double>(pen_units) / f.upem;
    if (i + 1 < n && std::fabs(pen_em - viewer_em) > kDrawDriftToleranceEm) {
      size_t cut = info[i + 1].cluster;
      if (cut <= out.back().begin) continue;  // inside one cluster: cannot cut here
      out.back().end = cut;
      out.push_back({cut, text.size(), pen_em});
      viewer_em = pen_em;
    }
  }
  return out;
}

const DrawnRun& RealFontMetrics::drawn(FaceId id, std::string_view text) const {
  LoadedFace& f = face(id);
  std::lock_guard lock(mutex_);
  if (auto it = f.drawn.find(text); it != f.drawn.end()) return it->second;
  DrawnRun run;
  double viewer_em = 0;
  for (const DrawPiece& piece : pieces_locked(f, text)) {
    double shift = piece.x_em - viewer_em;
    if (!run.codes.empty() && std::fabs(shift) > kDrawDriftToleranceEm) {
      run.shifts.emplace_back(static_cast<uint32_t>(run.codes.size()), shift);
      viewer_em = piece.x_em;
    }
    std::string_view part = text.substr(piece.begin, piece.end - piece.begin);
    for (size_t i = 0; i < part.size();) {
      char32_t cp = next_code_point(part, i);
      if (cp > 0xFFFF) continue;  // not drawable (the layout reports it)
      run.codes.push_back(static_cast<char16_t>(cp));
      viewer_em += f.viewer_advance_of(cp);
    }
  }
  run.width_em = viewer_em;
  return f.drawn.emplace(std::string(text), std::move(run)).first->second;
}

double RealFontMetrics::viewer_advance(FaceId id, char32_t cp) const {
  LoadedFace& f = face(id);
  std::lock_guard lock(mutex_);
  return f.viewer_advance_of(cp);
}

}  // namespace colophon
