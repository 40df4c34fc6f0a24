// Text put together from pieces of several files (a chapter with its includes), and
// the map from every byte of it back to the file, line and column it came from, so
// that cmark's positions in the expanded text name the place the author wrote.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.h"
#include "read/source.h"

namespace colophon {

// One file whose bytes a MappedText may hold: its text and line index.
struct LoadedSource {
  std::string bytes;                  // the file as read (INDEX points into it)
  std::string path;                   // where it was read from (absolute); empty for a
                                      // chapter's own text
  std::unique_ptr<SourceText> index;  // its text without the byte-order mark, line index
};

// One place a MappedText's bytes come from: a loaded file, seen as the chapter itself
// (FILE_ID 0) or as one inclusion of it (FILE_ID from register_included_file).
struct TextOrigin {
  const LoadedSource* source = nullptr;
  uint32_t file_id = 0;
};

// A run of a MappedText's bytes that came from one origin.
struct TextSpan {
  size_t start = 0;     // offset in the mapped text where the run begins
  uint32_t origin = 0;  // index into the origins list the text was built with
  size_t offset = 0;    // offset in that origin's text() of the run's first byte
  bool fixed = false;   // made up (a fence around a playground): every byte maps to OFFSET
};

// Text with a span list saying where each of its bytes came from.
struct MappedText {
  std::string text;
  std::vector<TextSpan> spans;  // by start, ascending; the first starts at 0 when non-empty

  // Appends bytes [BEGIN, END) of origin ORIGIN's text (which is SOURCE_TEXT).
  void append_origin(uint32_t origin, std::string_view source_text, size_t begin, size_t end);
  // Appends made-up TEXT, every byte of which maps to OFFSET of origin ORIGIN.
  void append_made(std::string_view made, uint32_t origin, size_t offset);
  // Appends bytes [BEGIN, END) of FROM (not *this) with their origins.
  void append(const MappedText& from, size_t begin, size_t end);
  // Returns the origin and the offset in it of byte OFFSET (the end maps past the last).
  std::pair<uint32_t, size_t> origin_of(size_t offset) const;
};

// The map of a chapter's expanded text: its spans and the origins they name. Owns the
// files read for it.
class SourceMap {
 public:
  // Returns the place of byte OFFSET of the expanded text, in the file it came from.
  SourcePos pos_at(size_t offset) const;
  // Returns the place of ORIGIN's byte OFFSET.
  SourcePos origin_pos(uint32_t origin, size_t offset) const;

  std::vector<std::unique_ptr<LoadedSource>> files;  // every file read (the chapter first)
  std::vector<TextOrigin> origins;                   // origin 0 is the chapter itself
  std::vector<TextSpan> spans;                       // of the expanded text
  // When origin 0 is itself a made text (a preprocessor ran before): the map of that
  // text, which places in origin 0 are answered through.
  std::unique_ptr<SourceMap> under;
};

}  // namespace colophon
