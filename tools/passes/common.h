// Helpers shared by the passes (not part of the public API).
#pragma once
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "html/html.h"
#include "model/model.h"

namespace colophon {

// Returns the path to show in messages for chapter C ("book.toml" when C is not a chapter).
std::string chapter_file(const Book& book, int c);

// Returns the directory of chapter C on disk (the book root when C is not a chapter).
std::filesystem::path chapter_dir(const Book& book, int c);

// Decodes %XX escapes; returns nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view s);

// Returns the lower-case URL scheme of URL ("https"), or "" when it has none.
std::string url_scheme(std::string_view url);

// Returns, for each chapter, the notes that belong to it: Chapter::notes first (in its
// order), then any other note whose Note::chapter names it.
std::vector<std::vector<int>> notes_by_chapter(const Book& book);

// Every element id a link may point at, per chapter.
struct AnchorTable {
  // For each chapter: every accepted spelling of a fragment -> the real element id. Real
  // ids map to themselves; a heading is also found by its per-chapter GitHub/mdBook slug
  // ("1" -> "_1", "intro" -> "intro-1" when an earlier chapter already had "intro").
  std::vector<std::unordered_map<std::string, std::string>> by_chapter;
  std::unordered_map<std::string, int> chapter_of;  // real id -> chapter defining it
};

// Builds the anchor table from the ids assign_ids and number_notes gave (and raw HTML ids).
AnchorTable build_anchor_table(Book& book);

// resolve_links with an anchor table already built (run_passes builds it once).
void resolve_links(Book& book, Diagnostics& diag, const AnchorTable& anchors);

// Gives the per-chapter GitHub slug spelling of each heading and Markdown definition term,
// in walk order, calling F(Block& heading, const std::string& slug) (second "intro" ->
// "intro-1").
void for_each_heading_slug(Book& book, int c, const std::vector<int>& chapter_notes,
                           const std::function<void(Block&, const std::string&)>& f);

}  // namespace colophon
