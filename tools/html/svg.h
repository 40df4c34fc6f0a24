// Sanitising policy for SVG images and CSS: what an e-book may carry of them.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace colophon {

// Tells whether URL may be fetched by a reading system from a book: a reference inside
// the book (a fragment or a relative path, no scheme) or an image written as a
// data:image/png, jpeg or gif URL. The one URL policy for resources (not for links a
// reader follows by tapping, which html/ and the link pass check).
bool is_local_resource_url(std::string_view url);

// Tells whether a link (a reader follows it by tapping) may use SCHEME (lower case):
// the web, mail, telephone and a few other addresses; never script, data, local files
// (file:, smb:) or app intents. The one URL policy for links, of Markdown and raw HTML.
bool is_link_scheme_allowed(std::string_view scheme);

// Returns the warning for an address (a Markdown link's, or raw HTML's href, src ...)
// whose scheme is_link_scheme_allowed refuses, or "" when it may stay: the one decision
// and the one message for Markdown and raw HTML alike. The address is removed; the
// text it was on stays.
std::string refused_url_warning(std::string_view url);

// Returns the hint of refused_url_warning.
const std::string& refused_url_hint();

// Returns the lower-case scheme of URL as a browser reads it (blanks and controls
// before it, and tabs and line ends inside it, ignored), or "" when it has none.
std::string url_scheme_of(std::string_view url);

// What a sanitiser removed from one file: each kind once, in the order first met, with
// how many times and where the first was, so a file with a thousand handlers gives one
// line, not a thousand.
class Removals {
 public:
  struct Kind {
    std::string what;   // "<script>", "event attribute onload", "CSS: @import" ...
    size_t count = 0;
    uint32_t line = 0;  // of the first, in the text sanitised (1-based; 0 unknown)
    uint32_t col = 0;
  };
  // Records one removal of WHAT (COUNT of them) first met at LINE:COL.
  void add(const std::string& what, uint32_t line = 0, uint32_t col = 0, size_t count = 1);
  // Tells whether nothing was removed.
  bool empty() const { return kinds_.empty(); }
  // Returns the kinds in the order first met.
  const std::vector<Kind>& kinds() const { return kinds_; }
  // Counts every removal of every kind.
  size_t total() const;
  // Returns the kinds as a list for a message: "<script> (2), event attribute onload".
  std::string summary() const;

 private:
  std::vector<Kind> kinds_;
  std::unordered_map<std::string, size_t> index_;
};

// Filters CSS (a style sheet, or the declarations of a style attribute when INLINE_STYLE):
// drops @import and other at-rules that fetch or run something, every declaration with
// a url() that is not local, expression(), behavior, -moz-binding or position: fixed,
// and any '<' (nothing can close a style element). Records each removal in REMOVED, at
// the line and column of its statement in CSS; returns the filtered text.
std::string filter_css(std::string_view css, bool inline_style, Removals& removed);

// What is wrong with the block structure of the style sheet CSS, which a reader's (and
// epubcheck's) CSS parser would choke on: a '{' or a string or comment never closed, a
// '}' with no '{', a '{' among the declarations of a rule (a '}' forgotten before the next
// rule). Returns "" when there is nothing, else the problem, with AT (line, column) where
// the fix goes.
std::string css_structure_problem(std::string_view css, uint32_t& line, uint32_t& col);

// Rebuilds the SVG document SVG from an allow-list of elements and attributes: no
// script, event attribute, foreignObject, animation, element of another namespace,
// processing instruction or DOCTYPE; only local references (is_local_resource_url);
// CSS through filter_css. Returns the new document, or "" with PROBLEM set when SVG is
// not well-formed XML. REMOVED records what was dropped, at the line of its element.
std::string sanitize_svg(std::string_view svg, std::string& problem, Removals& removed);

}  // namespace colophon
