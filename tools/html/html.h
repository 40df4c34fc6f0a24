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

// A URL-valued attribute kept in the output (href of <a>, src/srcset of <img> and
// <source>), so the passes can check it points somewhere that exists in the EPUB.
struct HtmlUrl {
  std::string element;    // lower-case element name ("a", "img")
  std::string attribute;  // lower-case attribute name ("href", "src")
  std::string value;      // the value, entities decoded
  SourcePos pos;          // where the attribute starts in the source file
};

// One piece of a repaired fragment, in source order: what the reader builds the model's
// Div, Span, Image and Text nodes from, so raw HTML is read once. Only what the policy
// kept is here: removed elements and attributes, comments and scripts are gone.
struct HtmlNode {
  enum class Kind {
    Start,  // a start tag (a void or self-closed element is a Start with `closed` set)
    End,    // an end tag of an element that may have content
    Text,   // character content, entities decoded
  };
  Kind kind = Kind::Text;
  std::string name;  // Start, End: the lower-case element name
  std::vector<std::pair<std::string, std::string>> attributes;  // Start: kept, in order
  std::string text;      // Text: the characters
  bool known = true;     // Start, End: an element EPUB has; false for a custom one
                         // (<listing>), kept as a neutral container of its content
  bool closed = false;   // Start: void or written self-closed; no End follows
  SourcePos pos;         // where the tag or text starts in the source file
};

// One repaired fragment.
struct HtmlFragment {
  std::string xhtml;             // the fragment as well-formed XHTML tag syntax
  std::string text;              // its character content, entities decoded (for the PDF)
  std::vector<std::string> ids;  // values of id attributes, in order
  std::vector<HtmlTag> tags;     // non-void start/end tags, in order (self-closed ones omitted)
  std::vector<SourcePos> id_pos;  // where each id of `ids` is defined (same order)
  std::vector<HtmlUrl> urls;      // URL attributes kept in the output, in order
  std::vector<HtmlNode> nodes;    // the fragment as tags and text, for the model
};

// An element being removed with its content (<script>, <style>, <iframe> ...) whose end
// tag has not come yet: what one fragment of a paragraph hands to the next, since
// cmark-gfm gives each inline tag of a paragraph as its own fragment.
struct HtmlRemoval {
  std::string name;       // lower-case element name; empty when nothing is being removed
  bool raw_text = false;  // its content is raw text up to its end tag (script, style ...)
  int depth = 0;          // open elements of that name (for one that is not raw text)
  SourcePos pos;          // where its start tag is in the source file
};

// Repairs the raw HTML RAW, which starts at POS in FILE (a path for messages).
// Problems are reported at their own line and column: unknown entities, malformed tags
// and attributes are errors; removed scripts, handlers and unsafe URLs are warnings. An
// element EPUB does not have (a custom <Listing>, <center>) is no error: it is left out
// of `xhtml` and kept in `nodes` with `known` false, for the reader to make a neutral
// container of it (and to report each such name once for the book). Never throws. The output has as many line breaks as RAW (dropped
// comments and scripts leave their line breaks behind), so re-reading the output with
// the same POS gives tags on the same lines; repairing the output again changes nothing.
//
// Decisions: inline <svg> and <math> are errors (put the drawing in a file; MathML needs
// manifest properties colophon does not write). <script>, <style>, <iframe>, <object>,
// <template>, <noscript>, <form>, <button>, <select>, <textarea>, <canvas>, <head>,
// <title> are removed with their content; <embed>, <link>, <meta>, <base>, <input>,
// <param>, <html>, <body> lose their tag only. `align`/`valign` become CSS in `style`;
// `<a name=x>` becomes id="x"; `lang` gets a matching `xml:lang`; a tag written
// self-closed (`<div/>`) becomes an empty element. Other attributes not valid in EPUB 3
// are dropped with a warning.
//
// REMOVAL, when given, carries an element removed with its content across the fragments
// of one paragraph: RAW starts inside the element it names (if any), and an element
// still open at the end of RAW is stored there instead of reported; the caller reports
// it where the run of fragments ends (see HtmlRemoval).
HtmlFragment repair_html(std::string_view raw, const std::string& file, SourcePos pos,
                         Diagnostics& diag, HtmlRemoval* removal = nullptr);

// Tells whether S is a valid XML NCName (a name without colons), as element ids must be:
// it starts with a letter or '_' and holds only letters, digits, '-', '.', '_'.
bool is_xml_ncname(std::string_view s);

// Tells whether NAME (lower case) is an element that may only appear as a block, never
// inside a paragraph (div, p, table, ul ...).
bool is_block_element(std::string_view name);

// Tells whether NAME (lower case) is an element EPUB 3 body content may hold, which
// the repairer keeps and the XHTML writer writes as itself.
bool is_epub_element(std::string_view name);

// Tells whether NAME (lower case) is a kept element that holds only phrasing content
// and sits inside text (span, em, kbd, sup, img ...), as opposed to a block or a table part.
bool is_phrasing_element(std::string_view name);

// Tells whether NAME (lower case) is a void element, written self-closed (img, br, wbr ...).
bool is_void_element(std::string_view name);

// Tells whether attribute A (lower case) is valid on every EPUB element (id, class, lang,
// title, role, aria-*, data-* ...).
bool is_global_attribute(std::string_view a);

// Decodes one HTML named or numeric character reference NAME (without '&' and ';',
// e.g. "mdash", "#8212", "#x2014") to UTF-8; returns an empty string if unknown.
std::string decode_entity(std::string_view name);

}  // namespace colophon
