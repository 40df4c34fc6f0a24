// Tests that the OPF's schema.org accessibility metadata tells the truth about the content:
// images without text alternatives (Markdown or raw HTML) and animated GIFs.
#include <doctest/doctest.h>

#include <string>

#include "epub/package.h"
#include "sample_book.h"

using namespace colophon;
using namespace colophon::testing;

namespace {

bool has(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Builds a one-chapter book whose blocks are BLOCKS, with ASSETS, and returns its OPF.
std::string opf_of(std::vector<Block> blocks, std::vector<Asset> assets = {}) {
  Book book;
  book.meta.title = "A11y";
  book.meta.language = "en";
  Chapter ch;
  ch.id = "one";
  ch.title = "One";
  ch.blocks = std::move(blocks);
  book.chapters.push_back(std::move(ch));
  book.assets = assets;
  PackagePlan plan;
  plan.identifier = "urn:uuid:00000000-0000-5000-8000-000000000000";
  plan.assets = std::move(assets);
  plan.chapter_files = {"one.xhtml"};
  plan.chapter_properties = {""};
  Diagnostics diag;
  return package_opf(book, plan, diag);
}

Block image_para(std::string alt) {
  Inline img = span(InlineKind::Image, {});
  if (!alt.empty()) img.children.push_back(text(std::move(alt)));
  img.asset = 0;
  return para({img});
}

// Raw HTML <div> around BLOCKS, as the reader reads it (its <img> are Image inlines).
Block raw_div(std::vector<Block> blocks) {
  Block b;
  b.kind = BlockKind::Div;
  b.element = "div";
  b.children = std::move(blocks);
  return b;
}

// Returns a GIF with FRAMES 1x1 frames (no colour tables) and a trailer.
std::string gif(int frames) {
  std::string g = "GIF89a";
  g += std::string("\x01\x00\x01\x00\x00\x00\x00", 7);
  for (int i = 0; i < frames; ++i) {
    g += std::string("\x21\xF9\x04\x00\x0A\x00\x00\x00", 8);  // graphic control extension
    g += std::string("\x2C\x00\x00\x00\x00\x01\x00\x01\x00\x00", 10);
    g += std::string("\x02\x02\x44\x01\x00", 5);  // code size 2, one data block, end
  }
  g += '\x3B';
  return g;
}

Asset gif_asset(std::string data) {
  Asset a;
  a.href = "images/a.gif";
  a.media_type = "image/gif";
  a.id = "img-a-gif";
  a.data = std::move(data);
  return a;
}

}  // namespace

TEST_CASE("text-only book: textual is sufficient, no image sentence") {
  std::string opf = opf_of({para({text("Words.")})});
  CHECK(has(opf, "<meta property=\"schema:accessModeSufficient\">textual</meta>"));
  CHECK_FALSE(has(opf, ">visual<"));
  CHECK_FALSE(has(opf, "alternativeText"));
  CHECK_FALSE(has(opf, "image"));
  CHECK(has(opf, "<meta property=\"schema:accessibilityHazard\">none</meta>"));
  CHECK(has(opf, "It has no page list and no page break markers"));
}

TEST_CASE("images with alt text claim alternativeText") {
  std::string opf = opf_of({image_para("A dot"), raw_div({image_para("A map")})});
  CHECK(has(opf, "<meta property=\"schema:accessibilityFeature\">alternativeText</meta>"));
  CHECK(has(opf, "<meta property=\"schema:accessModeSufficient\">textual</meta>"));
  CHECK(has(opf, "Every image has a text alternative."));
}

TEST_CASE("a Markdown image without alt text is counted honestly") {
  std::string opf = opf_of({image_para("A dot"), image_para("")});
  CHECK_FALSE(has(opf, "alternativeText"));
  CHECK(has(opf, "<meta property=\"schema:accessModeSufficient\">textual,visual</meta>"));
  CHECK(has(opf, "1 of its 2 images has no text alternative."));
}

TEST_CASE("images inside raw HTML containers without alt count as missing") {
  std::string opf = opf_of({image_para("A dot"), raw_div({image_para(""), image_para(" ")})});
  CHECK(has(opf, "2 of its 3 images have no text alternative."));
  CHECK_FALSE(has(opf, "alternativeText"));
}

TEST_CASE("an animated GIF makes the flashing hazard unknown; a still one does not") {
  std::string still = opf_of({image_para("Still")}, {gif_asset(gif(1))});
  CHECK(has(still, "<meta property=\"schema:accessibilityHazard\">none</meta>"));
  std::string moving = opf_of({image_para("Moving")}, {gif_asset(gif(3))});
  CHECK(has(moving, "<meta property=\"schema:accessibilityHazard\">unknown</meta>"));
  CHECK(has(moving, "not been checked for flashing"));
  std::string broken = opf_of({image_para("Broken")}, {gif_asset("GIF89a")});
  CHECK(has(broken, "<meta property=\"schema:accessibilityHazard\">unknown</meta>"));
}
