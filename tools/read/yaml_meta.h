// Pandoc-style manuscripts: a YAML metadata block at the top of a Markdown file
// (title, author, lang ...), read with yaml-cpp. Internal to the reader.
#pragma once
#include <memory>
#include <string>

#include "core/diagnostics.h"
#include "model/model.h"

namespace colophon {

// What a YAML metadata block gave: each field of META is set only when the block set it.
struct YamlMetadata {
  Metadata meta;
  bool has_language = false;  // META.language was given (it has a default otherwise)
};

// Finds a YAML metadata block at the very top of TEXT (a line "---", a YAML mapping, a
// line "---" or "..."), reads it, and blanks it out of TEXT (each of its lines becomes
// empty, so the lines after it keep their numbers). FILE names TEXT in messages; errors
// give the line and column in it. Returns null when TEXT starts with no such block.
std::unique_ptr<YamlMetadata> take_yaml_metadata(std::string& text, const std::string& file,
                                                 Diagnostics& diag);

// Fills what BOOK's metadata lacks from YAML: book.toml and the command line win, and
// the language only when neither gave one (LANGUAGE_SET). COVER_DIR is the folder,
// relative to the book root, of the file the block was in (cover-image is relative to it).
void apply_yaml_metadata(const YamlMetadata& yaml, const std::string& cover_dir, Book& book,
                         bool language_set);

}  // namespace colophon
