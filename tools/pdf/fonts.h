// Real font metrics: FreeType loads the faces, HarfBuzz measures words with the font's
// own kerning (GPOS or kern table), and the PDF writer draws with the same numbers.
#pragma once
#include <array>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/diagnostics.h"
#include "layout/metrics.h"

namespace colophon {

// The font files used when a style names none: Noto Serif for text, Noto Sans Mono
// for code, DejaVu Sans for symbols the others lack (Debian: fonts-noto-core,
// fonts-dejavu-core).
FontSet default_font_set();

// A piece of a text run that is drawn as one string: bytes [begin, end) of the run,
// starting x_em ems right of the run's origin.
struct DrawPiece {
  size_t begin = 0, end = 0;
  double x_em = 0;
};

// A run as a PDF viewer must draw it: its code points (Basic Multilingual Plane only)
// and, where kerning moved a character from the viewer's nominal position, a shift in
// ems applied before the code with that index.
struct DrawnRun {
  std::u16string codes;
  std::vector<std::pair<uint32_t, double>> shifts;  // (index into codes, ems to the right)
  double width_em = 0;  // where the viewer's pen ends: the measured width, within rounding
};

class LoadedFace;  // one font file, shared by every FaceId that names it

// Measures text with real fonts; caches widths per (face, word), so measuring the same
// word again costs one hash lookup. Safe to use from several threads.
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

  // Returns the font file that FACE is drawn with.
  const std::string& file(FaceId face) const;
  // Splits TEXT into pieces that a PDF viewer, advancing by the font's nominal widths
  // (in thousandths of an em, truncated), places where width() measured them: a new
  // piece starts after each kerned pair.
  std::vector<DrawPiece> pieces(FaceId face, std::string_view text) const;
  // Returns TEXT as codes plus kerning shifts for a TJ operator (cached per word).
  const DrawnRun& drawn(FaceId face, std::string_view text) const;
  // Returns the advance of CP as a PDF viewer computes it from the embedded widths.
  double viewer_advance(FaceId face, char32_t cp) const;

 private:
  RealFontMetrics();
  LoadedFace& face(FaceId id) const;
  std::vector<DrawPiece> pieces_locked(LoadedFace& f, std::string_view text) const;
  // Computes the pieces of TEXT from F's buffer, which holds TEXT shaped.
  static std::vector<DrawPiece> pieces_of_shaped(LoadedFace& f, std::string_view text);

  static constexpr int kFaceCount = 12;
  std::vector<std::unique_ptr<LoadedFace>> loaded_;  // one per distinct file
  std::array<LoadedFace*, kFaceCount> by_id_{};      // FaceId::index() -> face
  mutable std::mutex mutex_;                         // guards the caches and the shaper
  void* library_ = nullptr;                          // FT_Library
};

}  // namespace colophon
