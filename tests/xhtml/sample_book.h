// A hand-built Book covering every block and inline kind, notes, a table, figures with a
// real PNG, internal and external links, parts, nesting and raw HTML: the input of the
// XHTML and EPUB tests (no reader or passes needed).
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "model/model.h"

namespace colophon::testing {

// Returns the bytes of a valid 2x2 RGB PNG.
std::string tiny_png();

// Makes a fresh empty directory under the test binary dir, named after NAME.
std::filesystem::path fresh_dir(const std::string& name);

// Returns a text inline.
Inline text(std::string s);

// Returns an inline of KIND wrapping CHILDREN.
Inline span(InlineKind kind, std::vector<Inline> children);

// Returns a paragraph of INLINES.
Block para(std::vector<Inline> inlines);

// Returns a heading of LEVEL with ID and plain TITLE.
Block heading(int level, std::string id, std::string title);

// Builds the sample book; its image file is written under ROOT (which must exist).
Book sample_book(const std::filesystem::path& root);

}  // namespace colophon::testing
