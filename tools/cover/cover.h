// The cover colophon makes for a book that names none: a PNG of 1600 x 2560 pixels
// (the 1:1.6 portrait that Kindle, Kobo, Apple Books and Google Play all recommend)
// with the title, subtitle and authors set in the book's text fonts, rendered with
// FreeType after HarfBuzz has shaped them, in the colours of the PDF style's [cover].
#pragma once
#include <optional>
#include <string>
#include <thread>

#include "core/diagnostics.h"
#include "core/work.h"
#include "layout/style.h"
#include "model/model.h"

namespace colophon {

constexpr int kCoverWidth = 1600;   // pixels
constexpr int kCoverHeight = 2560;  // pixels
// Pixels along each edge that no text enters (the frame lies inside them).
constexpr int kCoverMargin = 160;

// Where the generated cover stands in Book::assets and the EPUB.
constexpr const char* kGeneratedCoverSource = "(generated cover)";
constexpr const char* kGeneratedCoverHref = "images/cover.png";

// Renders the cover of META in STYLE's fonts and colours as PNG bytes; nullopt, with a
// warning against FILE (the book then has no cover), when no font can be loaded.
std::optional<std::string> render_cover(const Metadata& meta, const Style& style,
                                        const std::string& file, Diagnostics& diag);

// Makes the cover the book's, as an asset of its own, unless book.toml names a cover or
// says cover = false (the step between the passes and the targets).
void add_generated_cover(Book& book, Diagnostics& diag);

// add_generated_cover in two halves, so that the drawing (a tenth of an EPUB build's
// time) runs on a thread of its own while the passes run: it is started once the book is
// read, when the metadata and the PDF style it needs are settled and nothing else will
// change them, and it draws from copies of them, so the passes may change the book
// meanwhile. finish waits for it and gives the book the cover.
class CoverDrawing {
 public:
  // Starts drawing BOOK's cover when it needs a generated one; with THREAD false, or
  // when no thread can be started, finish draws it.
  explicit CoverDrawing(const Book& book, bool thread = true);
  ~CoverDrawing();  // waits for the drawing
  CoverDrawing(const CoverDrawing&) = delete;
  CoverDrawing& operator=(const CoverDrawing&) = delete;

  // Waits for the drawing, then makes the cover BOOK's and adds what it reported to DIAG,
  // as add_generated_cover does. Once.
  void finish(Book& book, Diagnostics& diag);
  // The units of work the drawing counted.
  const work::Account& units() const { return units_; }

 private:
  void draw();

  bool wanted_ = false;
  Metadata meta_;
  Style style_;
  std::string config_;  // the file the cover's warnings name
  Diagnostics found_;
  std::optional<std::string> png_;
  work::Account units_;
  std::thread thread_;  // drawing; not joinable when finish must draw
};

}  // namespace colophon
