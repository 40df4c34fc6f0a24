// mdBook's built-in `links` preprocessor: {{#include}}, {{#rustdoc_include}},
// {{#playground}}, {{#title}} and \{{#...}} escapes, expanded in a chapter's text
// before it is parsed, with a map from the expanded text back to every file it came
// from.
#pragma once
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/diagnostics.h"
#include "read/mapped_text.h"

namespace colophon {

// Where {{#include}} and its kin may read from.
struct IncludeRules {
  std::filesystem::path book_root;  // absolute
  std::string book_display;         // the book folder as the user named it
  // Folders whose files may be included, tried in order: the book root, the git work
  // tree that holds it (unless safe), then the folders of [book] include-dirs.
  std::vector<std::filesystem::path> roots;
  bool safe = false;  // --safe: only the book root
};

// Returns the rules for the book at BOOK_ROOT (shown as BOOK_DISPLAY): the book root,
// its git work tree and INCLUDE_DIRS (absolute), or only the root when SAFE.
IncludeRules include_rules(const std::filesystem::path& book_root, const std::string& book_display,
                           const std::vector<std::string>& include_dirs, bool safe);

// A chapter's text once the links preprocessor has run over it.
struct ExpandedChapter {
  std::unique_ptr<SourceMap> map;  // where each byte of TEXT came from; null = unchanged
  std::string text;                // the expanded text (no byte-order mark)
  std::string page_title;          // from {{#title ...}}, else empty
};

// Tells whether TEXT may hold a directive of the links preprocessor (a quick test that
// lets chapters without one skip it).
bool has_link_directives(std::string_view text);

// Expands every directive of mdBook's links preprocessor in CHAPTER_TEXT (the text of
// the chapter CHAPTER, a path relative to the book root, shown as DISPLAY, without its
// byte-order mark). Included files are read under RULES; every problem is reported to
// DIAG at the directive's file:line:col (a directive that fails stays as written).
// Includes nest at most kMaxIncludeDepth deep; a cycle is an error naming the chain.
// UNDER, when given, is the map of CHAPTER_TEXT itself (a preprocessor made it).
ExpandedChapter expand_links(std::string_view chapter_text, const std::string& chapter,
                             const std::string& display, const IncludeRules& rules,
                             Diagnostics& diag, std::unique_ptr<SourceMap> under = nullptr);

// How deep includes may nest (mdBook's limit).
constexpr int kMaxIncludeDepth = 10;

}  // namespace colophon
