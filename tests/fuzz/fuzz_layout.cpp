// libFuzzer target: Markdown bytes -> one-chapter book -> layout_book with a fixed-width
// fake font. Crashes and hangs are findings; so is any text run that leaves the text
// block horizontally.
#include <cstdio>
#include <cstdlib>

#include "core/utf8.h"
#include "fuzz_book.h"
#include "layout/layout.h"

using namespace colophon;

namespace {

constexpr double kCharEm = 0.5;           // every character is half an em wide
constexpr double kMarginPt = 50;          // all four margins, so both sides agree
constexpr double kTolerancePt = 1e-6;     // rounding slack on the right edge

// Measures every character as kCharEm; U+2603 exists in no face so the missing-glyph
// path is exercised too.
class FixedMetrics : public FontMetrics {
 public:
  double width(FaceId, std::string_view text) const override {
    return kCharEm * static_cast<double>(utf8_length(text));
  }
  double kern(FaceId, char32_t, char32_t) const override { return 0; }
  double ascender(FaceId) const override { return 0.8; }
  double descender(FaceId) const override { return -0.2; }
  bool has_glyph(FaceId, char32_t cp) const override { return cp != 0x2603; }
};

Style fuzz_style() {
  Style s;
  s.page_width = 400;
  s.page_height = 400;
  s.margin_top = s.margin_bottom = s.margin_inner = s.margin_outer = kMarginPt;
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Diagnostics diag;
  Book book = fuzz::one_chapter_book(fuzz::as_text(data, size), diag);
  if (diag.has_errors()) return 0;  // the CLI never lays out a book with errors
  static const FixedMetrics metrics;
  const Style style = fuzz_style();
  Document doc = layout_book(book, style, metrics, diag);
  const double left = kMarginPt, right = style.page_width - kMarginPt;
  for (size_t p = 0; p < doc.pages.size(); ++p) {
    for (const TextRun& run : doc.pages[p].texts) {
      double end = run.x + metrics.width(run.face, run.text) * run.size;
      if (run.x < left - kTolerancePt || end > right + kTolerancePt) {
        std::fprintf(stderr, "fuzz_layout: page %zu: run '%s' spans %.3f..%.3f outside %.3f..%.3f\n",
                     p + 1, run.text.c_str(), run.x, end, left, right);
        std::abort();
      }
    }
  }
  return 0;
}
