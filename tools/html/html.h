// Raw HTML in Markdown: repairs a fragment into well-formed XHTML (void elements
// closed, named entities turned into characters, attributes quoted), removes what must
// never reach an EPUB (<script>, on* handlers, javascript:/data: URLs), and reports
// what cannot be repaired. Knows nothing of cmark or the EPUB.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.h"

namespace colophon {

// A start or end tag of a non-void element, in source order, for balance checks
// across fragments (an element opened in one raw block and closed in a later one).
struct HtmlTag {
  bool open = true;   // start tag (true) or end tag (false)
  std::string name;   // lower-case element name
  SourcePos pos;      // where the tag starts in the source file
};

// One repaired fragment.
struct HtmlFragment {
  std::string xhtml;             // the fragment as well-formed XHTML tag syntax
  std::string text;              // its character content, entities decoded (for the PDF)
  std::vector<std::string> ids;  // values of id attributes, in order
  std::vector<HtmlTag> tags;     // non-void start/end tags, in order (self-closed ones omitted)
};

// Repairs the raw HTML RAW, which starts at POS in FILE (a path for messages).
// Problems are reported at their own line and column: unknown elements or entities,
// malformed tags and attributes are errors; removed scripts, handlers and unsafe URLs
// are warnings. Never throws.
HtmlFragment repair_html(std::string_view raw, const std::string& file, SourcePos pos,
                         Diagnostics& diag);

// Decodes one HTML named or numeric character reference NAME (without '&' and ';',
// e.g. "mdash", "#8212", "#x2014") to UTF-8; returns an empty string if unknown.
std::string decode_entity(std::string_view name);

}  // namespace colophon
