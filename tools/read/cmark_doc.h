// A parsed cmark-gfm document that frees itself, and small helpers over cmark nodes.
// Internal to the reader: the only place (with its .cpp files) that sees cmark-gfm.
#pragma once
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include <string>
#include <string_view>

// Node types of the table and strikethrough extensions; libcmark-gfm-extensions exports
// them but its installed headers do not declare them.
extern "C" {
extern cmark_node_type CMARK_NODE_TABLE;
extern cmark_node_type CMARK_NODE_TABLE_ROW;
extern cmark_node_type CMARK_NODE_TABLE_CELL;
extern cmark_node_type CMARK_NODE_STRIKETHROUGH;
}

namespace colophon {

// Owns the root of one parsed Markdown text.
class CmarkDocument {
 public:
  // Parses TEXT with cmark-gfm OPTIONS; GFM turns on the table, strikethrough and
  // autolink extensions.
  CmarkDocument(std::string_view text, int options, bool gfm);
  ~CmarkDocument();
  CmarkDocument(const CmarkDocument&) = delete;
  CmarkDocument& operator=(const CmarkDocument&) = delete;

  // Returns the document node.
  cmark_node* root() const { return root_; }

 private:
  cmark_node* root_ = nullptr;
};

// Appends the plain text of NODE's inline content to OUT (markup dropped, breaks as
// spaces), walking iteratively so any nesting depth is safe.
void append_plain_text(cmark_node* node, std::string& out);

}  // namespace colophon
