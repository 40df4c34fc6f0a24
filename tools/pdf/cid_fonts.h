// The fonts of one PDF: every font file the text uses becomes a Type 0 font with a CID
// font below it (Identity-H: each two-byte code is a glyph id), a subset made by
// HarfBuzz that keeps the glyph ids, widths for exactly those glyphs, and a ToUnicode
// map from each glyph back to the text it stands for (ligatures to several letters).
#pragma once
#include <hpdf.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pdf/fonts.h"

namespace colophon {

// One font file as the PDF embeds it, filled in as pages use its glyphs.
class CidFont {
 public:
  CidFont(const RealFontMetrics& metrics, int font, HPDF_Dict type0);

  // Returns the Type 0 font dictionary that pages name in their resources.
  HPDF_Dict dict() const { return type0_; }
  // Returns the advance of GID as the PDF's width array gives it, in ems.
  double width_em(uint32_t gid);
  // Marks GID as drawn; with TEXT, records it as the text GID stands for when it has
  // none yet. Returns whether GID's recorded text is TEXT (false for an empty TEXT).
  bool use(uint32_t gid, std::string_view text);
  // Returns the glyph of the space character, or 0 when the font has none.
  uint32_t space_glyph() const { return space_; }
  // Returns the number of font units per em.
  double upem() const { return info_.upem; }
  // Writes the subset, descriptor, widths and ToUnicode map into PDF; returns an
  // error message, or "" on success.
  std::string finish(HPDF_Doc pdf);

 private:
  const RealFontMetrics& metrics_;
  int font_;
  HPDF_Dict type0_;
  FontInfo info_;
  uint32_t space_ = 0;
  std::vector<int32_t> widths_;      // per glyph: thousandths of an em, or -1 unknown
  std::vector<uint8_t> used_;        // per glyph: 0 not drawn, 1 drawn, 2 drawn with text
  std::vector<std::string> text_;    // per glyph: the UTF-8 text it stands for (ToUnicode)
};

// The fonts of one document, one per font file, in order of first use.
class CidFonts {
 public:
  CidFonts(HPDF_Doc pdf, const RealFontMetrics& metrics) : pdf_(pdf), metrics_(metrics) {}

  // Returns the font FACE is drawn with, making it at first use (nullptr on failure).
  CidFont* get(FaceId face);
  // Finishes every font; returns the first error message, or "".
  std::string finish();

 private:
  HPDF_Doc pdf_;
  const RealFontMetrics& metrics_;
  std::vector<std::unique_ptr<CidFont>> by_number_;  // RealFontMetrics::font_of -> font
  std::vector<CidFont*> order_;                      // in order of first use
};

// Returns TEXT (UTF-8) as UTF-16BE in hex digits, as PDF text strings and CMaps write it.
std::string utf16_hex(std::string_view text);

// Returns a ToUnicode CMap for GLYPH_TEXT (glyph id -> UTF-8 text).
std::string to_unicode_cmap(const std::map<uint32_t, std::string>& glyph_text);

}  // namespace colophon
