// Definition lists as mdBook 0.5 reads them (pulldown-cmark's syntax): a cmark-gfm block
// syntax extension. Internal to the reader.
//
//     term                 a paragraph (one or more lines) before the first definition
//     : definition         ':' after 0-3 spaces, then the content, indented as a list
//       more of it         item's is: continuation lines and further blocks go under it
//     : another one
//
// The paragraph before a `:` line becomes the term: written just above it (tight) or
// with blank lines between (loose; its definitions keep their paragraphs). A new term
// right after a list continues it. Headings, tables, quotes and HTML blocks are never
// terms, and a `:` line after anything else stays text.
#pragma once
#include "read/cmark_doc.h"

namespace colophon {

// Returns the extension to attach to a parser (created once, shared, read-only).
cmark_syntax_extension* definition_list_extension();

// The node types the extension makes: the list, a term (holds inlines) and a definition
// (holds blocks).
cmark_node_type definition_list_type();
cmark_node_type definition_term_type();
cmark_node_type definition_type();

// Tells whether a definition list node is tight: no blank line between a term and its
// definition or between two definitions.
bool definition_list_tight(cmark_node* list);

}  // namespace colophon
