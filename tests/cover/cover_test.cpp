// The generated cover: a PNG of the stated size, its text inside the margins, and made
// only when the book names no cover and does not refuse one.
#include "cover/cover.h"

#include <doctest/doctest.h>

#include "pdf/images.h"

using namespace colophon;

namespace {

// The ink of a decoded cover: what is neither background nor accent is text.
struct Ink {
  int left = kCoverWidth, top = kCoverHeight, right = -1, bottom = -1;
  int text_pixels = 0, accent_pixels = 0;
};

// Decodes PNG (checking its size) and finds where its text pixels lie.
Ink ink_of(const std::string& png, const Style& style) {
  RawImage img;
  std::string error;
  REQUIRE_MESSAGE(decode_png(png, img, error), error);
  REQUIRE(img.width == kCoverWidth);
  REQUIRE(img.height == kCoverHeight);
  REQUIRE(img.channels == 3);
  auto rgb = [](uint32_t c, int ch) { return static_cast<uint8_t>((c >> (16 - 8 * ch)) & 0xff); };
  Ink ink;
  for (int y = 0; y < img.height; ++y) {
    for (int x = 0; x < img.width; ++x) {
      const auto* p = reinterpret_cast<const uint8_t*>(img.color.data()) +
                      (static_cast<size_t>(y) * img.width + x) * 3;
      bool background = true, accent = true;
      for (int ch = 0; ch < 3; ++ch) {
        background = background && p[ch] == rgb(style.cover_background, ch);
        accent = accent && p[ch] == rgb(style.cover_accent, ch);
      }
      if (background) continue;
      if (accent) {
        ++ink.accent_pixels;
        continue;
      }
      ++ink.text_pixels;
      ink.left = std::min(ink.left, x);
      ink.right = std::max(ink.right, x);
      ink.top = std::min(ink.top, y);
      ink.bottom = std::max(ink.bottom, y);
    }
  }
  return ink;
}

// Returns the default style (fonts and colours of styles/pdf.toml).
Style default_style() {
  Book book;
  Diagnostics diag;
  return load_style(book, diag);
}

// Checks that INK is text, all of it inside the margins.
void check_inside_margins(const Ink& ink) {
  CHECK(ink.text_pixels > 1000);
  CHECK(ink.accent_pixels > 0);
  CHECK(ink.left >= kCoverMargin);
  CHECK(ink.right < kCoverWidth - kCoverMargin);
  CHECK(ink.top >= kCoverMargin);
  CHECK(ink.bottom < kCoverHeight - kCoverMargin);
}

}  // namespace

TEST_CASE("cover: title, subtitle and author make a PNG of 1600 x 2560 with text in the margins") {
  Style style = default_style();
  Metadata meta;
  meta.title = "A Winter Harbour";
  meta.subtitle = "Notes from an island, 1946-1951";
  meta.authors = {"Ada Lindqvist"};
  Diagnostics diag;
  std::optional<std::string> png = render_cover(meta, style, "book.toml", diag);
  REQUIRE(png.has_value());
  CHECK(diag.all().empty());
  check_inside_margins(ink_of(*png, style));
}

TEST_CASE("cover: a title too long for the cover shrinks and is cut, never past the margins") {
  Style style = default_style();
  Metadata meta;
  meta.title =
      "Donaudampfschifffahrtselektrizitätenhauptbetriebswerkbauunterbeamtengesellschaft "
      "und die Geschichte ihrer Angestellten von den Anfängen bis heute, erzählt in "
      "vielen Bänden mit Anmerkungen, Registern und einem ausführlichen Nachwort";
  meta.authors = {"Erste Verfasserin", "Zweiter Verfasser",  "Dritte Verfasserin",
                  "Vierter Verfasser", "Fünfte Verfasserin", "Sechster Verfasser"};
  Diagnostics diag;
  std::optional<std::string> png = render_cover(meta, style, "book.toml", diag);
  REQUIRE(png.has_value());
  check_inside_margins(ink_of(*png, style));
}

TEST_CASE("cover: what is cut is said at its key in book.toml") {
  Style style = default_style();
  Metadata meta;
  for (int i = 0; i < 400; ++i) meta.title += "word ";
  meta.subtitle = "A short subtitle";
  for (int i = 0; i < 400; ++i) meta.authors.push_back("Author " + std::to_string(i));
  meta.title_pos = {3, 9};
  meta.subtitle_pos = {4, 12};
  meta.authors_pos = {5, 11};
  Diagnostics diag;
  REQUIRE(render_cover(meta, style, "book.toml", diag).has_value());
  std::string said;
  for (const Diagnostic& d : diag.all())
    said += d.file + ":" + std::to_string(d.pos.line) + ":" + std::to_string(d.pos.col) + ": " +
            d.message + "\n";
  CHECK(said ==
        "book.toml:3:9: the title is too long for the generated cover; its end is left out "
        "there\n"
        "book.toml:5:11: the list of authors is too long for the generated cover; its end is "
        "left out there\n");
}

TEST_CASE("cover: characters the text face lacks come from the fallback face") {
  Style style = default_style();
  Metadata plain, arrows;
  plain.title = "Maps";
  arrows.title = "Maps \u2192 \u21c4 \u2603";  // arrows and a snowman: not in Noto Serif
  Diagnostics diag;
  std::optional<std::string> a = render_cover(plain, style, "book.toml", diag);
  std::optional<std::string> b = render_cover(arrows, style, "book.toml", diag);
  REQUIRE(a.has_value());
  REQUIRE(b.has_value());
  Ink ia = ink_of(*a, style), ib = ink_of(*b, style);
  check_inside_margins(ib);
  CHECK(ib.right - ib.left > ia.right - ia.left);  // the symbols were drawn, not dropped
}

TEST_CASE("cover: the style's colours are the cover's") {
  Style style = default_style();
  style.cover_background = 0xffffff;
  style.cover_text = 0x000000;
  style.cover_accent = 0xff0000;
  Metadata meta;
  meta.title = "Black on White";
  Diagnostics diag;
  std::optional<std::string> png = render_cover(meta, style, "book.toml", diag);
  REQUIRE(png.has_value());
  Ink ink = ink_of(*png, style);  // counts pixels by these colours
  check_inside_margins(ink);
}

TEST_CASE("cover: made only when the book names none and does not say cover = false") {
  Diagnostics diag;
  Book book;
  book.meta.title = "Generated";
  add_generated_cover(book, diag);
  REQUIRE(book.assets.size() == 1);
  CHECK(book.meta.cover == kGeneratedCoverSource);
  CHECK(book.assets[0].source == kGeneratedCoverSource);
  CHECK(book.assets[0].href == kGeneratedCoverHref);
  CHECK(book.assets[0].media_type == "image/png");
  CHECK(book.assets[0].width == kCoverWidth);
  CHECK(book.assets[0].data.substr(1, 3) == "PNG");

  Book named;
  named.meta.cover = "src/cover.jpg";
  add_generated_cover(named, diag);
  CHECK(named.assets.empty());

  Book refused;
  refused.meta.no_cover = true;
  add_generated_cover(refused, diag);
  CHECK(refused.assets.empty());
  CHECK(refused.meta.cover.empty());

  Book clash;  // a book image already called images/cover.png
  clash.assets.push_back(Asset{});
  clash.assets[0].href = kGeneratedCoverHref;
  add_generated_cover(clash, diag);
  REQUIRE(clash.assets.size() == 2);
  CHECK(clash.assets[1].href == "images/cover-2.png");
  CHECK(diag.all().empty());
}
