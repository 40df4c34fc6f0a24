// The cover colophon makes for a book that names none: a PNG of 1600 x 2560 pixels
// (the 1:1.6 portrait that Kindle, Kobo, Apple Books and Google Play all recommend)
// with the title, subtitle and authors set in the book's text fonts, rendered with
// FreeType after HarfBuzz has shaped them, in the colours of the PDF style's [cover].
#pragma once
#include <optional>
#include <string>

#include "core/diagnostics.h"
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

}  // namespace colophon
