// The two halves of reading a chapter, so that chapters can be parsed on several
// threads and converted into the model in book order on one. Internal to the reader.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/diagnostics.h"
#include "model/model.h"
#include "read/cmark_doc.h"
#include "read/mapped_text.h"
#include "read/source.h"
#include "read/yaml_meta.h"

namespace colophon {

// One chapter's text parsed by cmark-gfm, not yet in the model.
struct ParsedChapter {
  std::string text;                    // the file's bytes (SOURCE and DOC point into them)
  std::unique_ptr<SourceText> source;  // TEXT without its byte-order mark, line index
  Diagnostics diag;                    // problems found while parsing, in source order
  std::unique_ptr<CmarkDocument> doc;  // null when the chapter was refused before parsing
  std::unique_ptr<SourceMap> map;      // TEXT is a chapter with includes: where it came from
  std::string page_title;              // {{#title ...}}
  std::unique_ptr<YamlMetadata> yaml;  // the first chapter's YAML metadata block, if any
  std::vector<uint32_t> admonish_titles;  // lines of TEXT holding an admonish block's title
};

// Checks the encoding and table sizes of TEXT (the bytes of the file shown as FILE)
// and parses it with cmark-gfm. Touches no shared state: safe on any thread.
// MAP, when given, says where each byte of TEXT came from (a chapter with includes
// expanded), and EARLIER holds problems found before (while expanding), reported first.
// MARKDOWN says which of mdBook's extensions to read.
std::unique_ptr<ParsedChapter> parse_markdown(std::string text, const std::string& file,
                                              std::unique_ptr<SourceMap> map = nullptr,
                                              const Diagnostics* earlier = nullptr,
                                              const MarkdownOptions& markdown = {});

// Reports PARSED's diagnostics to DIAG, then converts its document into chapter
// CHAPTER_INDEX of BOOK (blocks, notes appended to book.notes). One thread at a time,
// in chapter order, so that notes and diagnostics come out in book order.
void convert_chapter(ParsedChapter& parsed, Book& book, int chapter_index, Diagnostics& diag);

}  // namespace colophon
