// SUMMARY.md, as mdBook defines it: the order, numbers and parts of the chapters.
#pragma once
#include <string_view>

#include "core/diagnostics.h"
#include "model/model.h"

namespace colophon {

// Reads the text of <src>/SUMMARY.md into book.chapters (source, title, role, number,
// depth, part; no content yet) and book.parts. Missing, repeated, escaping and
// non-Markdown chapter files are errors at their line:col; draft chapters (empty
// links) are warnings and left out.
void read_summary(std::string_view text, Book& book, Diagnostics& diag);

// Joins the source folder and a file name as a book-relative path ("src" + "a.md").
std::string source_path(const std::string& src_dir, std::string_view name);

}  // namespace colophon
