// mdbook-admonish's blocks, read by colophon itself when book.toml names
// [preprocessor.admonish]: a fenced code block whose info string is `admonish` and its
// settings becomes an admonition, the same <aside> as mdBook 0.5's `> [!NOTE]`.
// Internal to the reader.
//
// How: before the chapter is parsed for the model, cmark-gfm finds the fenced code blocks
// (so fences inside lists, block quotes and longer fences are found as the author meant);
// each admonish block's fence lines are then replaced by a raw <aside> start and end tag,
// with the title as a paragraph after the start tag, and its body lines stay where they
// are. The body is so read as Markdown of the chapter itself (its footnotes, links and
// raw HTML included), every position in it stays right, and a map says where the lines
// that were made up came from. Like mdbook-admonish, one pass: an admonish block inside
// another one's body stays a code block.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.h"
#include "model/model.h"
#include "read/cmark_doc.h"
#include "read/mapped_text.h"
#include "read/source.h"

namespace colophon {

// The settings of one admonish block, from its info string.
struct AdmonishInfo {
  std::string directive;             // as written ("caution"); "" when none was given
  bool has_title = false;            // title="..." (or the older "Title") was given
  std::string title;                 // its text, Markdown; "" = no title bar
  std::string id;                    // id="..."
  std::vector<std::string> classes;  // class="a b" (or the older note.a.b)
  bool has_collapsible = false;      // collapsible = true/false was given
  bool collapsible = false;
};

// Reads the info string INFO of a fenced code block. Returns false when it is not an
// admonish block (its first word is not `admonish`). Otherwise fills OUT and leaves
// ERROR empty, or says in ERROR why the settings cannot be read. Reads the forms
// mdbook-admonish reads, in its order: `KIND key="value" key=true` (each a TOML
// key/value pair), the same as an inline table's inside (`KIND title="x", class="y"`),
// and the older `KIND.class1.class2 "JSON title"`.
bool read_admonish_info(std::string_view info, AdmonishInfo& out, std::string& error);

// Returns the kind DIRECTIVE stands for ("caution" -> "warning", "tldr" -> "abstract"),
// or "" when it is none of mdbook-admonish's.
std::string admonish_kind(std::string_view directive);

// Returns the title a block of DIRECTIVE shows when it gives none: the directive with a
// capital ("Caution", "TL;DR", "FAQ"), or "Note" for an unknown or missing one.
std::string admonish_default_title(std::string_view directive);

// A chapter's text with its admonish blocks rewritten for the Markdown reader.
struct AdmonishRewrite {
  bool changed = false;                // there was an admonish block
  std::string text;                    // the new text
  std::unique_ptr<SourceMap> map;      // where each of its bytes came from (over the old map)
  std::vector<uint32_t> title_lines;   // lines of TEXT that hold a block's title, ascending
  std::unique_ptr<CmarkDocument> doc;  // TEXT parsed (to check each block's end tag)
};

// Finds the admonish blocks of SOURCE (the text cmark-gfm will read with OPTIONS and
// EXTENSIONS) and rewrites them as the header describes, under OPTIONS of book.toml.
// MAP is SOURCE's map when it has one: on a change it becomes the new map's `under`. A
// block whose settings cannot be read is a warning (an error under on_failure = "bail")
// at its fence, and reads as a note. A block whose body leaves a code block or raw HTML
// open (its end tag would fall inside) is a warning and stays a code block.
AdmonishRewrite rewrite_admonish_blocks(const SourceText& source, std::unique_ptr<SourceMap>& map,
                                        const std::string& file, const AdmonishOptions& options,
                                        int cmark_options,
                                        const std::vector<cmark_syntax_extension*>& extensions,
                                        Diagnostics& diag);

}  // namespace colophon
