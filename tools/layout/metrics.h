// The font-metrics interface the layout engine measures text with. tools/pdf
// implements it with the real fonts (FreeType); tests use a fixed-width fake.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace colophon {

// A font family role in the style.
enum class FaceFamily : uint8_t {
  Text,      // the serif text face
  Mono,      // the monospace face for code
  Fallback,  // used for characters the other faces lack
};
enum class FaceStyle : uint8_t { Regular, Italic, Bold, BoldItalic };

// One face: a family and a style.
struct FaceId {
  FaceFamily family = FaceFamily::Text;
  FaceStyle style = FaceStyle::Regular;
  bool operator==(const FaceId&) const = default;
  // Returns a dense index 0..11, for tables indexed by face.
  int index() const { return static_cast<int>(family) * 4 + static_cast<int>(style); }
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
};

}  // namespace colophon
