// mdBook 0.5's Markdown beyond what cmark-gfm reads: heading attribute blocks, GitHub
// admonitions and the model shapes of definition lists. Internal to the reader.
//
// Why here and not in cmark-gfm: an admonition (`> [!NOTE]`) and a heading attribute
// block (`# Title {#id .class}`) are both plain CommonMark to cmark-gfm (a block quote
// whose first line is "[!NOTE]", a heading whose text ends in "{...}"), with every
// position right. They are recognised afterwards from the source line cmark names for the
// node, and the marker is cut from the node's first or last line: a pass over one node,
// which keeps cmark's positions. Definition lists change the block structure (a
// definition holds indented blocks), so they need cmark-gfm's block parser: they are a
// syntax extension (see read/definition_lists.h) whose nodes this file turns into the
// model's <dl>, <dt> and <dd> containers.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.h"
#include "model/model.h"

namespace colophon {

// A heading attribute block found at the end of a heading's source line.
struct HeadingAttributes {
  bool found = false;
  Attr attr;               // its id, classes and other attributes, as written
  uint32_t brace_col = 0;  // 1-based byte column of its '{' in the line
  std::vector<std::pair<std::string, uint32_t>> names;  // other attributes' names, byte columns
};

// Reads the attribute block `{#id .class key=value}` ending LINE (trailing blanks
// allowed), as pulldown-cmark does: the braces hold no other '{', '}', '<', '>' or '\',
// words are separated by spaces or tabs, the last #id wins, empty ids and classes are
// ignored, `key` alone has an empty value.
HeadingAttributes read_heading_attributes(std::string_view line);

// Removes the attribute block from the end of a heading's INLINES (the text from the
// last '{' on) and the blanks before it; for an ATX heading also a closing run of '#'
// that the block kept cmark from seeing.
void strip_heading_attributes(std::vector<Inline>& inlines, bool atx);

// Says which admonition a block quote's first line is: "note", "tip", "important",
// "warning" or "caution" when LINE (the line without its quote markers) is `[!NOTE]`
// etc. in any case with only blanks after it; "" otherwise.
std::string admonition_kind(std::string_view line);

// Returns the label an admonition of KIND shows in LANGUAGE ("Note", "Hinweis"), in
// English when the language is not known.
std::string admonition_label(std::string_view kind, std::string_view language);

// Removes the first line (up to and including its line break) from INLINES.
void drop_first_line(std::vector<Inline>& inlines);

// Reports, once per element name for the whole book, the raw HTML elements EPUB does not
// have (custom ones such as <Listing>): a warning at the first, with how many there are,
// saying they keep their content in a neutral container. Never an error.
void report_custom_elements(const Book& book, Diagnostics& diag);

// Reports, once for the whole book, the math it holds (kept as TeX source until math is
// typeset): a warning at the first, with how many there are.
void report_math(const Book& book, Diagnostics& diag);

}  // namespace colophon
