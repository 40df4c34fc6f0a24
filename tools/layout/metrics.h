// The font-metrics interface the layout engine measures text with. tools/pdf
// implements it with the real fonts (FreeType); tests use a fixed-width fake.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace colophon {

// A font family role in the style.
enum class FaceFamily : uint8_t {
  Text,      // the serif text face
  Mono,      // the monospace face for code
  Fallback,  // used for characters the other faces lack
};
enum class FaceStyle : uint8_t { Regular, Italic, Bold, BoldItalic };

// One face: a family and a style, or one of the fallback fonts found for characters the
// style's faces lack.
struct FaceId {
  FaceFamily family = FaceFamily::Text;
  FaceStyle style = FaceStyle::Regular;
  uint16_t font = 0;  // > 0: fallback font number FONT (family Fallback), whatever the style
  bool operator==(const FaceId&) const = default;
  // Returns a dense index, for tables indexed by face: 0..11 for the style's faces,
  // then 12, 13 ... for fallback fonts.
  int index() const {
    return font > 0 ? kStyleFaces - 1 + font : static_cast<int>(family) * 4 + static_cast<int>(style);
  }
  static constexpr int kStyleFaces = 12;  // 3 families of 4 styles
};

// The font files of one family, one per style; empty = use regular.
struct FontFiles {
  std::string regular, italic, bold, bold_italic;
};

// The font files of the whole style.
struct FontSet {
  FontFiles text;
  FontFiles mono;
  FontFiles fallback;
  // Fonts tried, in order, for characters the faces above lack, before the fonts the
  // system's font configuration finds: font files, or family names ("Noto Sans CJK SC").
  std::vector<std::string> fallback_list;
};

// Measures text. All lengths are in ems of the face (multiply by the size in points).
class FontMetrics {
 public:
  virtual ~FontMetrics() = default;
  // Returns the advance width of UTF-8 TEXT in FACE, kerning between its characters
  // included, in ems.
  virtual double width(FaceId face, std::string_view text) const = 0;
  // Returns the kerning adjustment between the last character of one run and the first
  // of the next in the same face, in ems (usually negative or 0).
  virtual double kern(FaceId face, char32_t left, char32_t right) const = 0;
  // Returns the ascender (positive) and descender (negative) of FACE, in ems.
  virtual double ascender(FaceId face) const = 0;
  virtual double descender(FaceId face) const = 0;
  // Tells whether FACE has a glyph for code point CP.
  virtual bool has_glyph(FaceId face, char32_t cp) const = 0;
  // Returns a face that has CP, for text set in FACE (which lacks it), or nullopt when
  // no font has it. LANGUAGE ("zh-cn", "he-il", or "" for symbols) says whose letter
  // forms to prefer. This default tries the style's fallback family only.
  virtual std::optional<FaceId> fallback_face(FaceId face, char32_t cp,
                                              std::string_view language) const {
    (void)language;
    bool bold = face.style == FaceStyle::Bold || face.style == FaceStyle::BoldItalic;
    FaceId fallback{FaceFamily::Fallback, bold ? FaceStyle::Bold : FaceStyle::Regular};
    if (!(fallback == face) && has_glyph(fallback, cp)) return fallback;
    return std::nullopt;
  }
};

}  // namespace colophon
