// Footnote checks cmark-gfm cannot make: it leaves an undefined reference `[^x]` as
// plain text and drops definitions nobody references, so the reader scans the source
// for them (skipping code and raw HTML).
#pragma once
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/diagnostics.h"
#include "read/source.h"

namespace colophon {

// Locates a byte: 1-based line and 1-based byte column (cmark's unit, before code points).
using BytePos = std::pair<uint32_t, uint32_t>;

// Records what the tree walk learned about a chapter's footnotes.
struct FootnoteFacts {
  std::vector<std::pair<uint32_t, uint32_t>>
      verbatim_lines;                    // code and HTML blocks: first, last line
  std::set<std::string> literal_labels;  // labels of `[^x]` that cmark left as plain text
  std::set<BytePos> references;          // where cmark found real references
  std::vector<std::pair<uint32_t, std::string>> kept;  // kept definitions: line, normalised label
};

// Normalises a footnote label as cmark matches them: trimmed, inner white space runs
// collapsed to one space, ASCII letters lower-cased.
std::string normalize_label(std::string_view label);

// Finds the `[^label]:` of a definition whose content cmark says starts at LINE,
// BYTE_COL; returns the label and the byte column of its '[' (0 when not found).
std::pair<std::string, uint32_t> definition_label(const SourceText& source, uint32_t line,
                                                  uint32_t byte_col);

// Reports undefined references (errors), and unused or repeated definitions (warnings),
// in FILE, at their line:col.
void check_footnotes(const SourceText& source, const FootnoteFacts& facts, const std::string& file,
                     Diagnostics& diag);

// Adds to LABELS every `[^label]` written in TEXT (a text node's literal).
void collect_literal_labels(std::string_view text, std::set<std::string>& labels);

}  // namespace colophon
