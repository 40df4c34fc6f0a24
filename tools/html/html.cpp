// The raw HTML repairer: one left-to-right scan of the fragment (no recursion, no
// backtracking past a tag), writing XHTML as it goes.
#include "html/html.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/text.h"
#include "core/utf8.h"
#include "html/entities.h"
#include "html/svg.h"

namespace colophon {

namespace {

// Longest numeric character reference we try to read (digits); more is surely invalid.
constexpr size_t kMaxNumericRefDigits = 8;

// What the repairer does with an element.
enum class Treatment {
  Keep,               // allowed, written out
  KeepVoid,           // allowed void element, written self-closed
  RemoveWithContent,  // removed, and everything up to its end tag too
  RemoveTag,          // the tag is removed, its content kept
  Unknown,            // not allowed in EPUB body content: an error
};

struct ElementInfo {
  Treatment treatment = Treatment::Unknown;
  bool raw_text = false;  // content is raw text up to the end tag (script, style ...)
  bool block = false;     // a block element that cannot sit inside a paragraph
};

const std::unordered_map<std::string_view, ElementInfo>& element_table() {
  static const std::unordered_map<std::string_view, ElementInfo> table = [] {
    std::unordered_map<std::string_view, ElementInfo> t;
    for (const char* n :
         {"span", "a", "em", "strong", "b", "i", "u", "s", "small", "sub", "sup", "abbr", "cite",
          "q", "dfn", "kbd", "samp", "var", "mark", "time", "bdi", "bdo", "code", "ruby", "rt",
          "rp", "del", "ins", "data", "picture"})
      t[n] = {Treatment::Keep, false, false};
    for (const char* n :
         {"div", "p", "figure", "figcaption", "blockquote", "ul", "ol", "li", "dl", "dt", "dd",
          "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "colgroup", "section",
          "aside", "header", "footer", "nav", "article", "h1", "h2", "h3", "h4", "h5", "h6", "pre",
          "details", "summary", "main", "address", "hgroup"})
      t[n] = {Treatment::Keep, false, true};
    for (const char* n : {"br", "wbr", "img", "col", "source"})
      t[n] = {Treatment::KeepVoid, false, false};
    t["hr"] = {Treatment::KeepVoid, false, true};
    for (const char* n : {"script", "style", "iframe", "textarea", "noscript", "title", "xmp",
                          "noembed", "noframes"})
      t[n] = {Treatment::RemoveWithContent, true, false};
    for (const char* n :
         {"object", "template", "form", "button", "select", "canvas", "head", "applet", "frameset",
          "audio", "video", "map", "datalist", "dialog"})
      t[n] = {Treatment::RemoveWithContent, false, false};
    for (const char* n :
         {"embed", "link", "meta", "base", "input", "param", "html", "body", "keygen", "track",
          "area", "frame"})
      t[n] = {Treatment::RemoveTag, false, false};
    return t;
  }();
  return table;
}

const ElementInfo& element_info(std::string_view name) {
  static const ElementInfo unknown;
  const auto& t = element_table();
  auto it = t.find(name);
  return it == t.end() ? unknown : it->second;
}

// Says what to use instead of an element colophon refuses.
std::string hint_for_unknown(std::string_view name) {
  if (name == "center") return "use <div class=\"...\"> and CSS (text-align) in extra-css";
  if (name == "font" || name == "basefont")
    return "use <span class=\"...\"> and CSS in extra-css";
  if (name == "big") return "use <span class=\"...\"> and CSS (font-size) in extra-css";
  if (name == "tt") return "use <code>";
  if (name == "strike") return "use <s> or ~~text~~";
  if (name == "acronym") return "use <abbr>";
  if (name == "svg") return "put the drawing in an .svg file and include it with ![alt](file.svg)";
  if (name == "math") return "MathML is not supported; use an image with alt text";
  if (name == "marquee" || name == "blink") return "remove it; e-books do not animate text";
  return "only HTML5 elements valid in EPUB 3 body content are allowed (div, span, p, a, em, "
         "table, figure ...)";
}

// Says why a removed element is removed.
std::string hint_for_removed(std::string_view name) {
  if (name == "script" || name == "noscript") return "colophon books carry no scripts";
  if (name == "style" || name == "link")
    return "put CSS in a file listed in [output.epub] extra-css";
  if (name == "meta" || name == "base" || name == "title" || name == "head")
    return "book metadata comes from book.toml";
  if (name == "html" || name == "body")
    return "raw HTML is inserted into the chapter's body; write only the body content";
  if (name == "form" || name == "input" || name == "button" || name == "select" ||
      name == "textarea")
    return "forms cannot work in an e-book";
  return "embedded and interactive content is not allowed in the book";
}

// Returns the address of each image candidate in the srcset value SET, as HTML splits
// it: a candidate is an address (no spaces; commas ending it are separators) followed by
// optional descriptors up to the next comma.
std::vector<std::string_view> srcset_urls(std::string_view set) {
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
  };
  std::vector<std::string_view> urls;
  size_t i = 0;
  while (i < set.size()) {
    while (i < set.size() && (space(set[i]) || set[i] == ',')) ++i;
    size_t start = i;
    while (i < set.size() && !space(set[i])) ++i;
    std::string_view url = set.substr(start, i - start);
    if (url.empty()) break;
    if (url.back() == ',') {
      while (!url.empty() && url.back() == ',') url.remove_suffix(1);
    } else {
      while (i < set.size() && set[i] != ',') ++i;  // the descriptors ("2x", "480w")
    }
    if (!url.empty()) urls.push_back(url);
  }
  return urls;
}

}  // namespace

bool is_global_attribute(std::string_view a) {
  static const std::unordered_set<std::string_view> g = {
      "id",    "class",    "lang",      "dir",        "title",      "role",     "style",
      "hidden", "translate", "tabindex", "accesskey", "spellcheck", "xml:lang", "epub:type"};
  return g.count(a) != 0 || a.starts_with("aria-") || (a.starts_with("data-") && a.size() > 5);
}

namespace {

// Element-specific attributes valid in EPUB 3 XHTML.
bool is_element_attribute(std::string_view el, std::string_view a) {
  static const std::unordered_map<std::string_view, std::unordered_set<std::string_view>> m = {
      {"a", {"href", "hreflang", "type", "rel", "target", "download"}},
      {"img", {"src", "alt", "width", "height", "srcset", "sizes"}},
      {"ol", {"start", "reversed", "type"}},
      {"li", {"value"}},
      {"td", {"colspan", "rowspan"}},  // "headers" dropped: epubcheck checks its targets
      {"th", {"colspan", "rowspan", "scope", "abbr"}},
      {"col", {"span"}},
      {"colgroup", {"span"}},
      {"time", {"datetime"}},
      {"del", {"cite", "datetime"}},
      {"ins", {"cite", "datetime"}},
      {"q", {"cite"}},
      {"blockquote", {"cite"}},
      {"details", {"open"}},
      {"source", {"src", "srcset", "sizes", "type", "media"}},
      {"data", {"value"}},
  };
  auto it = m.find(el);
  return it != m.end() && it->second.count(a) != 0;
}

// Tells whether A holds a URL whose scheme must be checked.
bool is_url_attribute(std::string_view a) {
  return a == "href" || a == "src" || a == "xlink:href" || a == "action" || a == "formaction" ||
         a == "cite" || a == "poster" || a == "srcset" || a == "background" || a == "data";
}

// Returns TEXT with what XML forbids replaced by U+FFFD (core/utf8.h), for the XHTML
// this file writes; the nodes keep the text as it was for the model's one cleaner.
std::string xml_safe(std::string_view text) {
  std::string s(text);
  replace_non_xml_chars(s);
  return s;
}

// Maps the C1 range U+0080..U+009F the way HTML does (Windows-1252); 0 = no mapping.
char32_t windows_1252(char32_t cp) {
  static const char32_t map[32] = {
      0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
      0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
      0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};
  return cp >= 0x80 && cp <= 0x9F ? map[cp - 0x80] : 0;
}

// Tells whether CP may appear in an XML 1.0 document.
bool is_xml_char(char32_t cp) {
  if (cp == 0x9 || cp == 0xA || cp == 0xD) return true;
  if (cp < 0x20) return false;
  if (cp >= 0xD800 && cp <= 0xDFFF) return false;
  if (cp == 0xFFFE || cp == 0xFFFF) return false;
  return cp <= 0x10FFFF;
}

bool is_ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_ascii_alnum(char c) { return is_ascii_alpha(c) || (c >= '0' && c <= '9'); }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

// Tells whether CP may start an XML name (colon excluded).
bool is_name_start(char32_t cp) {
  if (cp < 0x80) return is_ascii_alpha(static_cast<char>(cp)) || cp == '_';
  return (cp >= 0xC0 && cp <= 0xD6) || (cp >= 0xD8 && cp <= 0xF6) || (cp >= 0xF8 && cp <= 0x2FF) ||
         (cp >= 0x370 && cp <= 0x37D) || (cp >= 0x37F && cp <= 0x1FFF) ||
         (cp >= 0x200C && cp <= 0x200D) || (cp >= 0x2070 && cp <= 0x218F) ||
         (cp >= 0x2C00 && cp <= 0x2FEF) || (cp >= 0x3001 && cp <= 0xD7FF) ||
         (cp >= 0xF900 && cp <= 0xFDCF) || (cp >= 0xFDF0 && cp <= 0xFFFD) ||
         (cp >= 0x10000 && cp <= 0xEFFFF);
}

// Tells whether CP may continue an XML name (colon excluded).
bool is_name_char(char32_t cp) {
  if (is_name_start(cp)) return true;
  if (cp < 0x80) return (cp >= '0' && cp <= '9') || cp == '-' || cp == '.';
  return cp == 0xB7 || (cp >= 0x300 && cp <= 0x36F) || (cp >= 0x203F && cp <= 0x2040);
}

// Maps byte offsets of the fragment to source positions; cheap for increasing offsets.
class PosMapper {
 public:
  PosMapper(std::string_view raw, SourcePos start) : raw_(raw), start_(start) {
    if (start_.line == 0) start_.line = 1;
    if (start_.col == 0) start_.col = 1;
    line_ = start_.line;
    col_ = start_.col;
  }

  SourcePos at(size_t offset) {
    offset = std::min(offset, raw_.size());
    if (offset < offset_) {  // rare: restart from the beginning
      offset_ = 0;
      line_ = start_.line;
      col_ = start_.col;
    }
    while (offset_ < offset) {
      unsigned char c = static_cast<unsigned char>(raw_[offset_]);
      if (c == '\n') {
        ++line_;
        col_ = 1;
      } else if ((c & 0xC0) != 0x80) {
        ++col_;
      }
      ++offset_;
    }
    return {line_, col_, start_.file};
  }

 private:
  std::string_view raw_;
  SourcePos start_;
  size_t offset_ = 0;
  uint32_t line_ = 1;
  uint32_t col_ = 1;
};

// One attribute as written in a start tag.
struct RawAttr {
  std::string name;   // lower case
  std::string value;  // entities decoded
  bool has_value = false;
  size_t offset = 0;  // where the name starts in the fragment
};

// One start or end tag as written.
struct RawTag {
  bool ok = false;  // false: malformed (reported), the rest of the fragment is dropped
  bool end = false;
  bool self_closing = false;
  std::string name;
  std::vector<RawAttr> attrs;
  size_t newlines = 0;  // line breaks inside the tag's source
};

// Counts '\n' in S.
size_t count_newlines(std::string_view s) {
  return static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
}

class Repairer {
 public:
  Repairer(std::string_view raw, const std::string& file, SourcePos pos, Diagnostics& diag,
           HtmlRemoval* removal)
      : raw_(raw), file_(file), diag_(diag), mapper_(raw, pos), removal_(removal) {}

  HtmlFragment run() {
    out_.xhtml.reserve(raw_.size() + raw_.size() / 8);
    if (removal_ != nullptr && !removal_->name.empty()) {
      // The fragment starts inside an element an earlier fragment began to remove.
      continued_ = *removal_;
      removal_->name.clear();
      if (continued_.raw_text) {
        skip_raw_text(continued_.name, 0);
      } else {
        suppress_name_ = continued_.name;
        suppress_depth_ = continued_.depth;
      }
    } else if (removal_ != nullptr) {
      removal_->name.clear();
    }
    while (i_ < raw_.size()) {
      char c = raw_[i_];
      if (c == '<') {
        markup();
      } else if (c == '&') {
        size_t at = i_;
        std::string decoded = reference(false);
        emit_text(decoded, at);
      } else {
        size_t start = i_;
        while (i_ < raw_.size() && raw_[i_] != '<' && raw_[i_] != '&') ++i_;
        plain_text(start, i_);
      }
    }
    if (!suppress_name_.empty() && suppress_depth_ > 0) {
      if (removal_ != nullptr) {
        *removal_ = {suppress_name_, false, suppress_depth_, removal_pos(suppress_offset_)};
      } else {
        warning(suppress_offset_, "<" + suppress_name_ + "> is not closed in this HTML block; " +
                                      "everything after it in the block was removed",
                "close it with </" + suppress_name_ + ">");
      }
    }
    return std::move(out_);
  }

 private:
  bool suppressing() const { return suppress_depth_ > 0; }

  // Returns where the element being removed starts: its start tag at OFFSET in this
  // fragment, or in an earlier fragment when this one began inside it.
  SourcePos removal_pos(size_t offset) {
    return !continued_.name.empty() ? continued_.pos : mapper_.at(offset);
  }

  void error(size_t offset, std::string message, std::string hint = {}) {
    diag_.error(file_, mapper_.at(offset), std::move(message), std::move(hint));
  }
  void warning(size_t offset, std::string message, std::string hint = {}) {
    diag_.warning(file_, mapper_.at(offset), std::move(message), std::move(hint));
  }

  // Writes decoded text (escaped) to the output, to the plain text and to the nodes;
  // OFFSET is where it starts in the fragment.
  void emit_text(std::string_view decoded, size_t offset) {
    if (suppressing()) {
      for (char c : decoded)
        if (c == '\n') out_.xhtml += '\n';
      return;
    }
    out_.xhtml += xml_escape(xml_safe(decoded));
    out_.text += decoded;
    if (decoded.empty()) return;
    if (out_.nodes.empty() || out_.nodes.back().kind != HtmlNode::Kind::Text) {
      HtmlNode& n = out_.nodes.emplace_back();
      n.kind = HtmlNode::Kind::Text;
      n.pos = mapper_.at(offset);
    }
    out_.nodes.back().text += decoded;
  }

  // Adds a start or end tag to the nodes.
  void emit_node(HtmlNode::Kind kind, const RawTag& t, size_t offset, bool known, bool closed,
                 std::vector<std::pair<std::string, std::string>> attributes = {}) {
    HtmlNode& n = out_.nodes.emplace_back();
    n.kind = kind;
    n.name = t.name;
    n.known = known;
    n.closed = closed;
    n.attributes = std::move(attributes);
    n.pos = mapper_.at(offset);
  }

  // Copies text without markup or references. A control character stays in the text
  // of the nodes: the model's one cleaner (passes/xml_text.cpp) makes it U+FFFD with one
  // warning for the file, as in Markdown; the XHTML here gets U+FFFD at once.
  void plain_text(size_t start, size_t end) { emit_text(raw_.substr(start, end - start), start); }

  // Returns the web address (http: or https:) an embedded player or frame T shows, from
  // its src (data for <object>), or "" when it names none.
  static std::string embedded_address(const RawTag& t) {
    if (t.name != "iframe" && t.name != "video" && t.name != "audio" && t.name != "embed" &&
        t.name != "object")
      return {};
    for (const RawAttr& a : t.attrs) {
      if (a.name != (t.name == "object" ? "data" : "src")) continue;
      std::string scheme = url_scheme_of(a.value);
      if ((scheme == "http" || scheme == "https") && refused_url_warning(a.value).empty())
        return a.value;
    }
    return {};
  }

  // Writes a link to ADDRESS, the address as its text, where the tag at OFFSET stood: what
  // a reader of the book can follow in place of a video or a frame it cannot show.
  void link_to(const std::string& address, size_t offset) {
    RawTag a;
    a.name = "a";
    out_.xhtml += "<a href=\"" + xml_escape(xml_safe(address), true) + "\">";
    out_.tags.push_back({true, "a", mapper_.at(offset)});
    emit_node(HtmlNode::Kind::Start, a, offset, true, false, {{"href", address}});
    emit_text(address, offset);
    out_.xhtml += "</a>";
    out_.tags.push_back({false, "a", mapper_.at(offset)});
    emit_node(HtmlNode::Kind::End, a, offset, true, false);
  }

  // Emits the line breaks of a dropped piece of source, so lines stay where they were.
  void keep_lines(std::string_view dropped) { out_.xhtml.append(count_newlines(dropped), '\n'); }

  // Handles '<' at i_.
  void markup() {
    std::string_view rest = raw_.substr(i_);
    if (rest.size() >= 2 && is_ascii_alpha(rest[1])) {
      tag();
    } else if (rest.size() >= 3 && rest[1] == '/' && is_ascii_alpha(rest[2])) {
      tag();
    } else if (rest.starts_with("<!--")) {
      size_t end = raw_.find("-->", i_ + 4);
      if (end == std::string_view::npos) {
        if (!suppressing())
          error(i_, "comment is not closed", "end it with -->, or write &lt; for a literal '<'");
        keep_lines(rest);
        i_ = raw_.size();
        return;
      }
      keep_lines(raw_.substr(i_, end + 3 - i_));
      i_ = end + 3;
    } else if (rest.starts_with("<![CDATA[")) {
      size_t end = raw_.find("]]>", i_ + 9);
      if (end == std::string_view::npos) {
        if (!suppressing()) error(i_, "CDATA section is not closed", "end it with ]]>");
        keep_lines(rest);
        i_ = raw_.size();
        return;
      }
      emit_text(raw_.substr(i_ + 9, end - i_ - 9), i_);
      i_ = end + 3;
    } else if (rest.starts_with("<!") || rest.starts_with("<?")) {
      size_t end = raw_.find('>', i_);
      if (end == std::string_view::npos) end = raw_.size() - 1;
      if (!suppressing())
        warning(i_, rest.starts_with("<?") ? "processing instruction removed"
                                           : "<!DOCTYPE> or declaration removed",
                "raw HTML is inserted into a chapter; write only body content");
      keep_lines(raw_.substr(i_, end + 1 - i_));
      i_ = end + 1;
    } else {
      emit_text("<", i_);  // a '<' that starts no tag is text
      ++i_;
    }
  }

  // Reads a quoted or unquoted attribute value starting at i_; false on an unclosed quote.
  bool attr_value(RawAttr& attr) {
    if (raw_[i_] == '"' || raw_[i_] == '\'') {
      char q = raw_[i_];
      size_t close = raw_.find(q, i_ + 1);
      if (close == std::string_view::npos) {
        error(i_, "attribute value is not closed: missing " + std::string(1, q),
              std::string("close the value with ") + q);
        return false;
      }
      attr.value = decode_text(i_ + 1, close, true);
      i_ = close + 1;
      return true;
    }
    size_t start = i_;
    while (i_ < raw_.size() && !is_space(raw_[i_]) && raw_[i_] != '>') ++i_;
    attr.value = decode_text(start, i_, true);
    return true;
  }

  // Decodes references in raw_[start, end) (an attribute value).
  std::string decode_text(size_t start, size_t end, bool attribute) {
    std::string out;
    size_t saved = i_;
    i_ = start;
    while (i_ < end) {
      if (raw_[i_] == '&') {
        size_t limit_saved = limit_;
        limit_ = end;
        out += reference(attribute);
        limit_ = limit_saved;
      } else {
        out += raw_[i_++];
      }
    }
    i_ = saved;
    return out;
  }

  // Parses a start or end tag at i_ (raw_[i_] == '<'); reports malformed ones.
  RawTag parse_tag() {
    RawTag t;
    size_t start = i_;
    i_ += 1;
    if (raw_[i_] == '/') {
      t.end = true;
      ++i_;
    }
    size_t name_start = i_;
    while (i_ < raw_.size() && !is_space(raw_[i_]) && raw_[i_] != '/' && raw_[i_] != '>') ++i_;
    t.name = to_lower(raw_.substr(name_start, i_ - name_start));
    std::unordered_set<std::string> seen;
    while (true) {
      while (i_ < raw_.size() && is_space(raw_[i_])) ++i_;
      if (i_ >= raw_.size()) {
        error(start, "tag <" + std::string(t.end ? "/" : "") + t.name + " is not closed with '>'",
              "end the tag with '>', or write &lt; for a literal '<'");
        return t;
      }
      char c = raw_[i_];
      if (c == '>') {
        ++i_;
        break;
      }
      if (c == '/') {
        ++i_;
        if (i_ < raw_.size() && raw_[i_] == '>') {
          t.self_closing = true;
          ++i_;
          break;
        }
        continue;
      }
      RawAttr a;
      a.offset = i_;
      size_t an = i_;
      ++i_;  // the first character may be anything but space, '/' and '>' (even '=')
      while (i_ < raw_.size() && !is_space(raw_[i_]) && raw_[i_] != '/' && raw_[i_] != '>' &&
             raw_[i_] != '=')
        ++i_;
      a.name = to_lower(raw_.substr(an, i_ - an));
      size_t look = i_;
      while (look < raw_.size() && is_space(raw_[look])) ++look;
      if (look < raw_.size() && raw_[look] == '=') {
        i_ = look + 1;
        while (i_ < raw_.size() && is_space(raw_[i_])) ++i_;
        if (i_ >= raw_.size()) continue;  // reported as an unclosed tag above
        a.has_value = true;
        if (!attr_value(a)) return t;
      }
      if (t.end) continue;  // attributes on end tags are ignored, as HTML does
      if (!seen.insert(a.name).second) {
        if (!suppressing())
          error(a.offset, "duplicate attribute '" + a.name + "' on <" + t.name + ">",
                "keep one of them");
        continue;
      }
      t.attrs.push_back(std::move(a));
    }
    t.newlines = count_newlines(raw_.substr(start, i_ - start));
    t.ok = true;
    return t;
  }

  // Handles a tag at i_.
  void tag() {
    size_t start = i_;
    RawTag t = parse_tag();
    if (!t.ok) {
      keep_lines(raw_.substr(start));
      i_ = raw_.size();
      return;
    }
    if (suppressing()) {
      if (t.name == suppress_name_ && !t.self_closing) suppress_depth_ += t.end ? -1 : 1;
      if (suppress_depth_ == 0) {
        suppress_name_.clear();
        continued_.name.clear();
      }
      keep_lines(raw_.substr(start, i_ - start));
      return;
    }
    const ElementInfo& info = element_info(t.name);
    switch (info.treatment) {
      case Treatment::Unknown:
        keep_lines(raw_.substr(start, i_ - start));
        if (t.name == "svg" || t.name == "math" || !is_xml_ncname(t.name)) {
          if (!t.end || !reported_unknown_.count(t.name)) {
            error(start, "<" + t.name + "> is not allowed in an EPUB", hint_for_unknown(t.name));
            reported_unknown_.insert(t.name);
          }
          return;
        }
        // A custom element: its content stays, in a neutral container the reader makes.
        if (t.end) {
          emit_node(HtmlNode::Kind::End, t, start, false, false);
        } else {
          emit_node(HtmlNode::Kind::Start, t, start, false, t.self_closing,
                    kept_attributes(t, false, nullptr));
        }
        return;
      case Treatment::RemoveTag:
        if (!t.end) warning(start, "<" + t.name + "> removed", hint_for_removed(t.name));
        keep_lines(raw_.substr(start, i_ - start));
        return;
      case Treatment::RemoveWithContent: {
        keep_lines(raw_.substr(start, i_ - start));
        if (t.end) return;  // a stray end tag: nothing to remove
        std::string address = embedded_address(t);
        if (address.empty()) {
          warning(start, "<" + t.name + "> removed with its content", hint_for_removed(t.name));
        } else {
          warning(start, "<" + t.name + "> removed with its content; a link to its address stays",
                  hint_for_removed(t.name));
          link_to(address, start);
        }
        if (t.self_closing) return;
        if (info.raw_text) {
          skip_raw_text(t.name, start);
        } else {
          suppress_name_ = t.name;
          suppress_depth_ = 1;
          suppress_offset_ = start;
        }
        return;
      }
      case Treatment::KeepVoid:
        if (t.end) {
          if (t.name == "br") {  // HTML reads </br> as <br>
            out_.xhtml += "<br/>";
            out_.text += '\n';
            emit_node(HtmlNode::Kind::Start, t, start, true, true);
          }
          keep_lines(raw_.substr(start, i_ - start));
          return;
        }
        write_start_tag(t, true, start);
        if (t.name == "br") out_.text += '\n';
        return;
      case Treatment::Keep:
        if (t.end) {
          out_.xhtml += "</" + t.name;
          out_.xhtml.append(t.newlines, '\n');
          out_.xhtml += '>';
          out_.tags.push_back({false, t.name, mapper_.at(start)});
          emit_node(HtmlNode::Kind::End, t, start, true, false);
          if (info.block && !out_.text.empty() && out_.text.back() != '\n') out_.text += '\n';
          return;
        }
        write_start_tag(t, false, start);
        if (t.self_closing) {
          out_.xhtml += "</" + t.name + ">";
        } else {
          out_.tags.push_back({true, t.name, mapper_.at(start)});
        }
        return;
    }
  }

  // Skips the content of a raw-text element up to its end tag (case-insensitive).
  void skip_raw_text(const std::string& name, size_t tag_start) {
    size_t k = i_;
    while (true) {
      size_t lt = raw_.find("</", k);
      if (lt == std::string_view::npos) {
        if (removal_ != nullptr) {
          *removal_ = {name, true, 1, removal_pos(tag_start)};
        } else {
          // An HTML block ends at a blank line: what follows is Markdown again, kept.
          warning(tag_start,
                  "<" + name + "> is not closed in this HTML block; everything after it in "
                  "the block was removed",
                  "close it with </" + name + "> before the blank line that ends the block");
        }
        keep_lines(raw_.substr(i_));
        i_ = raw_.size();
        return;
      }
      size_t after = lt + 2 + name.size();
      if (after <= raw_.size() && to_lower(raw_.substr(lt + 2, name.size())) == name &&
          (after == raw_.size() || is_space(raw_[after]) || raw_[after] == '>' ||
           raw_[after] == '/')) {
        size_t gt = raw_.find('>', after);
        size_t end = gt == std::string_view::npos ? raw_.size() : gt + 1;
        keep_lines(raw_.substr(i_, end - i_));
        i_ = end;
        continued_.name.clear();
        return;
      }
      k = lt + 2;
    }
  }

  using OutAttrs = std::vector<std::pair<std::string, std::string>>;

  // Returns the attributes of start tag T that the policy keeps, repaired, reporting the
  // others. KNOWN: an element EPUB has, whose attributes must be valid on it; a custom
  // element keeps every safe attribute (the writer makes them data-*). URLS: where to
  // record the URL attributes kept, or nullptr.
  OutAttrs kept_attributes(const RawTag& t, bool known, std::vector<HtmlUrl>* urls) {
    OutAttrs attrs;
    std::string extra_style;
    bool has_id = false, has_xml_lang = false;
    for (const RawAttr& a : t.attrs) {
      if (a.name == "id") has_id = true;
      if (a.name == "xml:lang") has_xml_lang = true;
    }
    for (const RawAttr& a : t.attrs) {
      const std::string& n = a.name;
      std::string value = a.has_value ? a.value : std::string();
      bool valid_name = !n.empty() && (is_ascii_alpha(n[0]) || n[0] == '_');
      for (char c : n)
        if (!(is_ascii_alnum(c) || c == '-' || c == '_' || c == '.' || c == ':')) valid_name = false;
      if (!valid_name) {
        error(a.offset, "invalid attribute name '" + n + "' on <" + t.name + ">",
              "attribute names are letters, digits and '-'; quote values with \"");
        continue;
      }
      if (n.size() > 2 && n.starts_with("on")) {
        warning(a.offset, "event handler '" + n + "' removed", "colophon books carry no scripts");
        continue;
      }
      if (n == "xmlns" || n.starts_with("xmlns:")) continue;  // the writer declares namespaces
      if (n == "srcset") {
        // Every candidate's address meets the links' one policy: one refused drops them all.
        std::string refused;
        for (std::string_view url : srcset_urls(value))
          if (refused.empty()) refused = refused_url_warning(url);
        if (!refused.empty()) {
          warning(a.offset, refused, refused_url_hint());
          continue;
        }
      } else if (is_url_attribute(n)) {
        // The links' one policy (html/svg.h), as for Markdown: no javascript:, data:,
        // file:, smb:, intent:..., said in the same words.
        if (std::string refused = refused_url_warning(value); !refused.empty()) {
          warning(a.offset, refused, refused_url_hint());
          continue;
        }
      }
      if (n == "style") {
        // Filtered as every CSS of the book is (html/svg.h): nothing remote, no script.
        Removals removed;
        value = filter_css(value, true, removed);
        for (const Removals::Kind& k : removed.kinds())
          warning(a.offset,
                  "removed " + k.what +
                      (k.count > 1 ? " (" + std::to_string(k.count) + " times)" : "") +
                      " (an e-book fetches nothing and runs nothing)",
                  "keep styles local, with no scripts");
      }
      if (n == "id" || (n == "name" && t.name == "a" && !has_id)) {
        if (!is_xml_ncname(value)) {
          error(a.offset, "invalid id '" + value + "'",
                "an id starts with a letter or '_' and holds only letters, digits, '-', '.' and "
                "'_' (no spaces)");
          continue;
        }
        if (urls != nullptr) {  // a known element: its id is in the XHTML
          out_.ids.push_back(value);
          out_.id_pos.push_back(mapper_.at(a.offset));
        }
        attrs.push_back({"id", value});
        has_id = true;
        continue;
      }
      if (n == "align" || n == "valign") {
        std::string v = to_lower(trim(value));
        bool ok = n == "align" ? (v == "left" || v == "right" || v == "center" || v == "justify")
                               : (v == "top" || v == "middle" || v == "bottom" || v == "baseline");
        if (ok && t.name != "img") {
          extra_style += (n == "align" ? "text-align: " : "vertical-align: ") + v + ";";
        } else {
          warning(a.offset, "attribute '" + n + "' is not valid in EPUB and was dropped",
                  "style it with a class and CSS in extra-css");
        }
        continue;
      }
      if (known && !is_global_attribute(n) && !is_element_attribute(t.name, n)) {
        warning(a.offset, "attribute '" + n + "' is not valid on <" + t.name +
                              "> in EPUB and was dropped",
                "style it with a class and CSS in extra-css");
        continue;
      }
      if ((n == "width" || n == "height") && t.name == "img") {
        bool digits = !value.empty() && value.size() < 7;
        for (char c : value)
          if (c < '0' || c > '9') digits = false;
        if (!digits) {
          warning(a.offset, "attribute '" + n + "' must be a number of pixels; dropped",
                  "use CSS for sizes in % or em");
          continue;
        }
      }
      if (!a.has_value && (n == "hidden" || n == "reversed" || n == "open" || n == "download"))
        value = n;
      if (urls != nullptr && ((t.name == "a" && n == "href") || n == "src" || n == "srcset"))
        urls->push_back({t.name, n, value, mapper_.at(a.offset)});
      attrs.push_back({n, value});
      if (n == "lang" && !has_xml_lang) attrs.push_back({"xml:lang", value});
    }
    if (!extra_style.empty()) {
      auto it = std::find_if(attrs.begin(), attrs.end(),
                             [](const auto& a) { return a.first == "style"; });
      if (it == attrs.end()) {
        attrs.push_back({"style", extra_style});
      } else {
        std::string s(trim(it->second));
        if (!s.empty() && s.back() != ';') s += ';';
        it->second = extra_style + (s.empty() ? "" : " " + s);
      }
    }
    return attrs;
  }

  // Writes a kept start tag with its repaired attributes, and adds it to the nodes;
  // OFFSET is where it starts in the fragment.
  void write_start_tag(const RawTag& t, bool void_element, size_t offset) {
    OutAttrs attrs = kept_attributes(t, true, &out_.urls);
    out_.xhtml += '<';
    out_.xhtml += t.name;
    for (const auto& [name, value] : attrs) {
      out_.xhtml += ' ';
      out_.xhtml += name;
      out_.xhtml += "=\"";
      out_.xhtml += xml_escape(xml_safe(value), true);
      out_.xhtml += '"';
    }
    size_t have = count_newlines(std::string_view(out_.xhtml).substr(out_.xhtml.rfind('<')));
    if (t.newlines > have) out_.xhtml.append(t.newlines - have, '\n');
    out_.xhtml += void_element ? "/>" : ">";
    emit_node(HtmlNode::Kind::Start, t, offset, true, void_element || t.self_closing,
              std::move(attrs));
  }

  // Decodes the character reference at i_ (raw_[i_] == '&') and advances past it.
  // Returns the decoded text ("&" itself when it starts no reference).
  std::string reference(bool attribute) {
    size_t start = i_;
    size_t end = std::min(limit_, raw_.size());
    size_t k = i_ + 1;
    if (k < end && raw_[k] == '#') {
      ++k;
      bool hex = k < end && (raw_[k] == 'x' || raw_[k] == 'X');
      if (hex) ++k;
      size_t digits_start = k;
      while (k < end && (hex ? std::isxdigit(static_cast<unsigned char>(raw_[k]))
                             : (raw_[k] >= '0' && raw_[k] <= '9')))
        ++k;
      if (k == digits_start) {  // "&#" without digits: a literal ampersand
        ++i_;
        return "&";
      }
      bool semicolon = k < end && raw_[k] == ';';
      std::string_view digits = raw_.substr(digits_start, k - digits_start);
      i_ = semicolon ? k + 1 : k;
      if (suppressing()) return {};
      if (!semicolon) {
        error(start, "character reference '" + std::string(raw_.substr(start, k - start)) +
                         "' is missing its ';'",
              "write it as " + std::string(raw_.substr(start, k - start)) + ";");
        return {};
      }
      std::string name = std::string(hex ? "#x" : "#") + std::string(digits);
      char32_t cp = numeric_code_point(digits, hex);
      if (windows_1252(cp)) {
        warning(start, "character reference '&" + name + ";' is a C1 control code; read as " +
                           "the Windows-1252 character",
                "write the character itself");
      }
      std::string decoded = decode_entity(name);
      if (decoded.empty()) {
        error(start, "character reference '&" + name + ";' is not a valid XML character",
              "remove it or write the intended character itself");
      }
      return decoded;
    }
    while (k < end && is_ascii_alnum(raw_[k])) ++k;
    std::string_view name = raw_.substr(i_ + 1, k - i_ - 1);
    if (name.empty() || !is_ascii_alpha(name[0])) {
      ++i_;
      return "&";  // a bare ampersand
    }
    if (k >= end || raw_[k] != ';') {
      // Not terminated: HTML keeps it as text (in attributes always); say so when the
      // author clearly meant a reference.
      if (!suppressing() && !attribute && named_entity_code_point(name))
        warning(start, "'&" + std::string(name) + "' without ';' is kept as text",
                "write &" + std::string(name) + "; for the character");
      ++i_;
      return "&";
    }
    i_ = k + 1;
    if (suppressing()) return {};
    char32_t cp = named_entity_code_point(name);
    if (!cp) {
      error(start, "unknown entity '&" + std::string(name) + ";'",
            "write the character itself (the file is UTF-8) or a numeric reference &#x...;");
      return {};
    }
    std::string out;
    append_utf8(out, cp);
    return out;
  }

  static char32_t numeric_code_point(std::string_view digits, bool hex) {
    if (digits.size() > kMaxNumericRefDigits) return 0x110000;
    char32_t v = 0;
    for (char c : digits) {
      unsigned d = c <= '9' ? static_cast<unsigned>(c - '0')
                            : static_cast<unsigned>(lower(c) - 'a' + 10);
      v = v * (hex ? 16 : 10) + d;
      if (v > 0x10FFFF) return 0x110000;
    }
    return v;
  }

  std::string_view raw_;
  const std::string& file_;
  Diagnostics& diag_;
  PosMapper mapper_;
  HtmlFragment out_;
  size_t i_ = 0;
  size_t limit_ = std::string_view::npos;  // end of the text a reference may extend into
  std::string suppress_name_;              // element being removed with its content
  int suppress_depth_ = 0;
  size_t suppress_offset_ = 0;
  std::unordered_set<std::string> reported_unknown_;
  HtmlRemoval* removal_;     // carried across fragments, or null (see repair_html)
  HtmlRemoval continued_;    // the removal this fragment began inside, while it lasts
};

}  // namespace

bool is_xml_ncname(std::string_view s) {
  if (s.empty()) return false;
  size_t i = 0;
  bool first = true;
  while (i < s.size()) {
    size_t before = i;
    char32_t cp = next_code_point(s, i);
    if (cp == 0xFFFD && i == before + 1 && static_cast<unsigned char>(s[before]) >= 0x80)
      return false;  // invalid UTF-8
    if (first ? !is_name_start(cp) : !is_name_char(cp)) return false;
    first = false;
  }
  return true;
}

bool is_block_element(std::string_view name) { return element_info(name).block; }

bool is_epub_element(std::string_view name) {
  Treatment t = element_info(name).treatment;
  return t == Treatment::Keep || t == Treatment::KeepVoid;
}

bool is_phrasing_element(std::string_view name) {
  return is_epub_element(name) && !element_info(name).block && name != "col";
}

bool is_void_element(std::string_view name) {
  return element_info(name).treatment == Treatment::KeepVoid;
}

std::string decode_entity(std::string_view name) {
  std::string out;
  if (name.starts_with("#")) {
    bool hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
    std::string_view digits = name.substr(hex ? 2 : 1);
    if (digits.empty()) return {};
    for (char c : digits)
      if (hex ? !std::isxdigit(static_cast<unsigned char>(c)) : (c < '0' || c > '9')) return {};
    char32_t cp = 0;
    if (digits.size() > kMaxNumericRefDigits) return {};
    for (char c : digits) {
      unsigned d = c <= '9' ? static_cast<unsigned>(c - '0')
                            : static_cast<unsigned>(lower(c) - 'a' + 10);
      cp = cp * (hex ? 16 : 10) + d;
      if (cp > 0x10FFFF) return {};
    }
    if (char32_t w = windows_1252(cp)) cp = w;
    if (!is_xml_char(cp) || (cp >= 0x80 && cp <= 0x9F)) return {};
    append_utf8(out, cp);
    return out;
  }
  char32_t cp = named_entity_code_point(name);
  if (cp) append_utf8(out, cp);
  return out;
}

HtmlFragment repair_html(std::string_view raw, const std::string& file, SourcePos pos,
                         Diagnostics& diag, HtmlRemoval* removal) {
  return Repairer(raw, file, pos, diag, removal).run();
}

}  // namespace colophon
