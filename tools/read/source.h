// A Markdown file's text prepared for cmark: the byte-order mark removed, the encoding
// checked, and a line index that turns cmark's byte positions into the line:col shown
// to the author (columns count code points, as editors do).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.h"

namespace colophon {

class SourceMap;

// Holds a view of one source file's text and its line index (the bytes must outlive it).
class SourceText {
 public:
  // Wraps RAW, the file's bytes; a leading UTF-8 byte-order mark is skipped.
  explicit SourceText(std::string_view raw);

  // Returns the text without the byte-order mark (what cmark parses).
  std::string_view text() const { return text_; }
  // Returns how many bytes the byte-order mark took (0 or 3).
  size_t bom_size() const { return bom_; }

  // Reports invalid UTF-8 and NUL bytes in the file as errors at their line:col;
  // returns true when the text is clean.
  bool check_encoding(const std::string& file, Diagnostics& diag) const;

  // Returns how many lines the text has (a final line end does not start a new line).
  uint32_t line_count() const { return static_cast<uint32_t>(line_starts_.size()); }
  // Returns line LINE (1-based) without its line end; empty past the end.
  std::string_view line(uint32_t line) const;
  // Converts a 1-based line and 1-based byte column to line:col with the column in
  // code points; a position past the line is clamped to just after its last character.
  SourcePos pos(uint32_t line, uint32_t byte_col) const;
  // Returns the line:col of byte OFFSET of text().
  SourcePos pos_at(size_t offset) const;

  // Makes pos() and pos_at() answer through MAP (text() is then a chapter with its
  // includes expanded, and places are reported in the files its bytes came from).
  void set_map(const SourceMap* map) { map_ = map; }

 private:
  std::string_view text_;
  size_t bom_ = 0;
  std::vector<uint32_t> line_starts_;  // offsets in text_ of each line's first byte
  std::vector<uint32_t> line_ends_;    // offsets in text_ just past each line's last byte
  const SourceMap* map_ = nullptr;
  // Cache of the last conversion, since positions are asked for in source order (so a
  // SourceText is for one thread at a time).
  mutable uint32_t cache_line_ = 0, cache_byte_ = 0, cache_col_ = 0;
};

}  // namespace colophon
