// mdBook's hidden lines in Rust code blocks: boilerplate (`# fn main() {`) that its web
// pages fold away and doc tests compile. A book has no button to show them, so they
// are left out. Internal to the reader.
#pragma once
#include <string>
#include <string_view>

namespace colophon {

// Tells whether a code block's info word marks it as Rust ("rust", "rust,no_run").
bool is_rust_info(std::string_view info);

// Returns CODE without the lines mdBook hides in a Rust block: a line whose text (after
// its indentation) is "#" or starts with "# "; a line starting with "##" shows with one
// '#' less, as mdBook's escape for a line that really starts with '#'.
std::string without_hidden_rust_lines(std::string_view code);

}  // namespace colophon
