// Real font metrics: FreeType loads the faces, HarfBuzz shapes text with the font's own
// features (ligatures, kerning, marks, contextual forms), and the PDF writer draws the
// very glyphs that were measured.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/diagnostics.h"
#include "layout/metrics.h"

namespace colophon {

// The font files used when a style names none: Noto Serif for text, Noto Sans Mono
// for code, DejaVu Sans for symbols the others lack (Debian: fonts-noto-core,
// fonts-dejavu-core).
FontSet default_font_set();

// One glyph of shaped text: what to draw and how far to move, in font units.
struct ShapedGlyph {
  uint32_t gid = 0;
  uint32_t text_begin = 0, text_end = 0;  // bytes of the text this glyph stands for;
                                          // empty for the later glyphs of a cluster
  int32_t x_advance = 0;
  int32_t x_offset = 0, y_offset = 0;     // where the glyph sits from the pen (marks)
};

// A piece of text as HarfBuzz shaped it: glyphs from left to right.
struct ShapedText {
  std::vector<ShapedGlyph> glyphs;
  double width_em = 0;  // the sum of the advances, in ems
};

// Which way a piece of text is shaped: from its script (Hebrew and Arabic right to
// left), or as the bidi algorithm resolved it.
enum class ShapeDirection : uint8_t { Auto, Ltr, Rtl };

// What the PDF writer needs to embed one font file.
struct FontInfo {
  std::string path;
  int index = 0;            // face index in a font collection (.ttc)
  std::string ps_name;      // PostScript name, as PDF's BaseFont wants it (no spaces)
  double upem = 1000;
  uint32_t glyph_count = 0;
  int bbox[4] = {0, 0, 0, 0};  // font units: x min, y min, x max, y max
  int ascent = 0, descent = 0, cap_height = 0;  // font units
  double italic_angle = 0;
  bool fixed_pitch = false, serif = false;
  bool cff = false;         // outlines in a CFF table (else TrueType glyf)
};

// A font program cut down to the glyphs a document uses, glyph ids unchanged.
struct FontSubset {
  enum class Kind : uint8_t { TrueType, Cff };
  Kind kind = Kind::TrueType;
  std::string data;  // the bytes of FontFile2 (TrueType) or FontFile3 (the bare CFF table)
};

class LoadedFace;  // one font file, shared by every FaceId that names it

// Measures text with real fonts; caches the shaped glyphs per (face, word), so measuring
// the same word again costs one hash lookup and drawing it needs no second shaping.
// Safe to use from several threads.
class RealFontMetrics final : public FontMetrics {
 public:
  // Loads every face FONTS names (an empty FontSet means default_font_set()); reports
  // each file that cannot be read or parsed as an error at STYLE_FILE naming its style
  // key. Returns nullptr when any face failed.
  static std::unique_ptr<RealFontMetrics> load(const FontSet& fonts, const std::string& style_file,
                                               Diagnostics& diag);
  ~RealFontMetrics() override;
  RealFontMetrics(const RealFontMetrics&) = delete;
  RealFontMetrics& operator=(const RealFontMetrics&) = delete;

  double width(FaceId face, std::string_view text) const override;
  double kern(FaceId face, char32_t left, char32_t right) const override;
  double ascender(FaceId face) const override;
  double descender(FaceId face) const override;
  bool has_glyph(FaceId face, char32_t cp) const override;
  // Tries the style's fallback fonts in order, then the fonts fontconfig finds for CP
  // (preferring, among those that have it, the family of the text face: Noto for Noto
  // Serif); each font found is loaded once and kept.
  std::optional<FaceId> fallback_face(FaceId face, char32_t cp,
                                      std::string_view language) const override;

  // Returns the font file that FACE is drawn with.
  const std::string& file(FaceId face) const;
  // Returns TEXT shaped in FACE in DIRECTION (cached; the reference stays valid as long
  // as this object). LANGUAGE (BCP 47, "" = none) selects localised forms.
  const ShapedText& shape(FaceId face, std::string_view text,
                          ShapeDirection direction = ShapeDirection::Auto,
                          std::string_view language = {}) const;
  // Returns the number of the font file FACE is drawn with (0, 1, ... in load order);
  // faces that share a file share the number.
  int font_of(FaceId face) const;
  // Returns how many font files are loaded.
  int font_count() const;
  // Returns what the PDF needs to describe font number FONT.
  FontInfo font_info(int font) const;
  // Returns the advance of glyph GID of font number FONT in font units.
  int32_t glyph_advance(int font, uint32_t gid) const;
  // Returns the glyph of CP in font number FONT, or 0 (.notdef).
  uint32_t glyph_of(int font, char32_t cp) const;
  // Cuts font number FONT down to the glyphs GIDS (glyph 0 is always kept), keeping
  // every glyph id; returns false when HarfBuzz cannot subset it.
  bool subset(int font, const std::vector<uint32_t>& gids, FontSubset& out) const;

 private:
  RealFontMetrics();
  LoadedFace& face(FaceId id) const;
  // Loads face INDEX of the font file PATH once (the caller holds mutex_ or is load());
  // on failure returns nullptr and sets ERROR.
  LoadedFace* open_face(const std::string& path, int index, std::string& error) const;
  // Returns the face of fallback list entry ENTRY in STYLE, loading it (nullptr and
  // ERROR when it cannot be loaded). The caller holds mutex_ or is load().
  LoadedFace* list_face(size_t entry, FaceStyle style, std::string& error) const;
  // Returns fontconfig's configuration, loading it at the first call (nullptr when
  // fontconfig cannot start).
  void* fontconfig() const;
  // Returns the fallback face number of FONT, making one; 0 when there is no room.
  uint16_t fallback_number(LoadedFace* font) const;
  // Returns the font fontconfig finds for CP in the style of FACE and LANGUAGE, or
  // nullptr (the caller holds mutex_).
  LoadedFace* find_installed(FaceId face, char32_t cp, std::string_view language) const;
  // The installed fonts fontconfig sorts for one style and language, best first, and the
  // characters they have between them.
  struct Installed {
    void* fonts = nullptr;     // FcFontSet, owned
    void* coverage = nullptr;  // FcCharSet, owned: the union of the fonts' characters
  };
  // Returns the installed fonts for the style (MONO, BOLD, ITALIC) and LANGUAGE cached
  // under KEY, sorting them at the first call; nullptr when fontconfig finds none (the
  // caller holds mutex_).
  const Installed* installed_fonts(const std::string& key, bool mono, bool bold, bool italic,
                                   std::string_view language) const;

  static constexpr int kFaceCount = FaceId::kStyleFaces;
  static constexpr int kMaxFallbacks = 255;  // fallback fonts one book can use
  mutable std::vector<std::unique_ptr<LoadedFace>> loaded_;  // one per distinct face
  std::array<LoadedFace*, kFaceCount> by_id_{};              // FaceId::index() -> face
  mutable std::array<LoadedFace*, kMaxFallbacks> fallbacks_{};  // FaceId::font - 1 -> face
  mutable int fallback_count_ = 0;
  std::vector<std::string> fallback_list_;          // the style's list, as written
  mutable std::vector<std::vector<LoadedFace*>> list_faces_;  // per list entry, per style
  // Fonts fontconfig found, by style and language, tried first for the next character
  // of the same script (a CJK book asks fontconfig once, not once per character).
  mutable std::unordered_map<std::string, std::vector<LoadedFace*>> found_;
  // fontconfig's sorted fonts by the same key, one sort per style and language (not one
  // per character: 20,000 characters no font has took 16 s).
  mutable std::unordered_map<std::string, Installed> installed_;
  std::string text_family_full_;  // the text face's family ("Noto Serif")
  std::string text_family_;       // its first word ("Noto")
  std::string mono_family_full_;  // the code face's family ("DejaVu Sans Mono")
  std::string mono_family_;       // its first word ("DejaVu")
  mutable std::mutex mutex_;  // guards the caches, the shaper and the font lists
  void* library_ = nullptr;   // FT_Library
  mutable void* fontconfig_ = nullptr;  // FcConfig, made at the first fallback search
  mutable bool fontconfig_tried_ = false;
};

}  // namespace colophon
