// Math as mdBook 0.5 reads it, kept as its TeX source until math is typeset: cmark-gfm
// extensions. Internal to the reader.
//
// `math = true` ([output.html]): `$...$` (inline) and `$$...$$` (display) as
// pulldown-cmark reads them: the TeX is taken as written, no Markdown inside; an inline
// one neither starts nor ends with a blank; braces must balance and a `$` inside them or
// written `\$` does not close. `mathjax-support = true`: `\\( ... \\)` inline and
// `\\[ ... \\]` display, where mdBook hands MathJax the text after Markdown's backslash
// escapes: the TeX is the source between the delimiters with those escapes undone, and
// no emphasis or other Markdown is read inside. Display math `\\[` starts a block of its
// own lines, ending at the line that ends with `\\]`; elsewhere in a paragraph it is
// display math inside the paragraph, up to the next `\\]`.
// `$$ ... $$` is display math too (MathJax's default delimiters): up to the next `$$` in
// the leaf block, read as `\\[` is.
//
// Both become code nodes of the math extension (cmark_node_get_syntax_extension), whose
// literal is the TeX and whose user data is non-null for display math.
#pragma once
#include <string>
#include <string_view>

#include "read/cmark_doc.h"

namespace colophon {

// Returns the extension for `$...$` and `$$...$$` (created once, shared, read-only).
cmark_syntax_extension* dollar_math_extension();

// Returns the extension for `\\( \\)` and `\\[ \\]` (created once, shared, read-only).
cmark_syntax_extension* mathjax_extension();

// Tells whether NODE is math read by one of the two extensions.
bool is_math_node(cmark_node* node);

// Tells whether a math node is display math.
bool is_display_math(cmark_node* node);

// Returns the TeX mdBook hands MathJax for the source RAW between `\\(` and `\\)` (or
// `\\[` and `\\]`): without blanks around it, Markdown's backslash escapes undone.
std::string mathjax_tex(std::string_view raw);

// Returns the TeX of a `\\[ ... \\]` block (the extension's code block node) and sets
// CLOSED to whether it ended with `\\]`; an unclosed one gives its lines, escapes undone.
std::string display_block_tex(cmark_node* node, bool& closed);

}  // namespace colophon
