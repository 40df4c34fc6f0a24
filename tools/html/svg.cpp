// SVG rebuilt from an allow-list, CSS filtered, one policy for resource URLs.
#include "html/svg.h"

#include <tinyxml2.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <tuple>
#include <unordered_set>
#include <utility>

#include "core/text.h"
#include "core/work.h"

namespace colophon {

namespace {

constexpr std::string_view kSvgNamespace = "http://www.w3.org/2000/svg";
constexpr std::string_view kXlinkNamespace = "http://www.w3.org/1999/xlink";

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Tells whether S holds "url(" in any case, as CSS reads it (without a lower-cased copy:
// S may be a path's megabyte of data).
bool has_url_call(std::string_view s) {
  for (size_t i = 0; i + 4 <= s.size(); ++i)
    if ((s[i] | 0x20) == 'u' && (s[i + 1] | 0x20) == 'r' && (s[i + 2] | 0x20) == 'l' &&
        s[i + 3] == '(')
      return true;
  return false;
}

// Returns URL without the blanks and control characters a browser ignores around it.
std::string_view strip_url(std::string_view url) {
  while (!url.empty() && static_cast<unsigned char>(url.front()) <= 0x20) url.remove_prefix(1);
  while (!url.empty() && static_cast<unsigned char>(url.back()) <= 0x20) url.remove_suffix(1);
  return url;
}

// Tells whether URL is a data: URL of a PNG, JPEG or GIF image.
bool is_image_data_url(std::string_view url) {
  std::string l = lower(url.substr(0, 20));
  return l.starts_with("data:image/png") || l.starts_with("data:image/jpeg") ||
         l.starts_with("data:image/jpg") || l.starts_with("data:image/gif");
}

// SVG elements kept (static graphics: shapes, text, paint servers, filters, structure).
const std::unordered_set<std::string_view>& allowed_elements() {
  static const std::unordered_set<std::string_view> names = {
      "svg", "g", "defs", "symbol", "use", "title", "desc", "path", "rect", "circle",
      "ellipse", "line", "polyline", "polygon", "text", "tspan", "textPath", "linearGradient",
      "radialGradient", "stop", "pattern", "clipPath", "mask", "marker", "image", "style",
      "filter", "feBlend", "feColorMatrix", "feComponentTransfer", "feComposite",
      "feConvolveMatrix", "feDiffuseLighting", "feDisplacementMap", "feDistantLight",
      "feDropShadow", "feFlood", "feFuncA", "feFuncB", "feFuncG", "feFuncR",
      "feGaussianBlur", "feMerge", "feMergeNode", "feMorphology", "feOffset",
      "fePointLight", "feSpecularLighting", "feSpotLight", "feTile", "feTurbulence"};
  return names;
}

// Elements whose content goes with them (everything else not allowed is unwrapped: its
// allowed children stay, as those of <a> or <switch> do).
bool drops_content(std::string_view name) {
  return name == "script" || name == "foreignObject" || name == "set" || name == "animate" ||
         name == "animateTransform" || name == "animateMotion" || name == "animateColor" ||
         name == "handler" || name == "listener" || name == "iframe" || name == "metadata";
}

// Rebuilds one document; keeps the namespace declarations in scope as it goes.
class SvgBuilder {
 public:
  explicit SvgBuilder(Removals& removed) : removed_(removed) {}

  // Appends the rebuilt ROOT to OUT; SIZE_HINT (the source's size) is how much room to
  // make at once: the rebuild is seldom larger, and a string grown by doubling touches
  // and copies twice the memory of a half-megabyte path.
  void build(const tinyxml2::XMLElement* root, size_t size_hint, std::string& out) {
    out_ = std::move(out);
    out_.reserve(out_.size() + size_hint + 1);
    scopes_.push_back({{"xml", "http://www.w3.org/XML/1998/namespace"}});
    element(root, true);
    out = std::move(out_);
  }

 private:
  // Returns the namespace URI bound to PREFIX ("" = the default namespace).
  std::string uri_of(std::string_view prefix) const {
    for (auto s = scopes_.rbegin(); s != scopes_.rend(); ++s)
      for (const auto& [p, uri] : *s)
        if (p == prefix) return uri;
    // No default namespace declared: read as SVG, written with its namespace.
    return prefix.empty() ? std::string(kSvgNamespace) : std::string();
  }

  void note(const std::string& what) {
    removed_.add(what, static_cast<uint32_t>(std::max(line_, 0)));
  }

  // Filters CSS of the element being rebuilt; what it removes is placed on its line.
  std::string css(std::string_view text, bool inline_style) {
    Removals found;
    std::string kept = filter_css(text, inline_style, found);
    for (const Removals::Kind& k : found.kinds())
      removed_.add(k.what, static_cast<uint32_t>(std::max(line_, 0)), 0, k.count);
    return kept;
  }

  void element(const tinyxml2::XMLElement* e, bool root) {
    work::add();
    line_ = e->GetLineNum();
    std::vector<std::pair<std::string, std::string>> declared;
    for (const tinyxml2::XMLAttribute* a = e->FirstAttribute(); a; a = a->Next()) {
      std::string_view n = a->Name();
      if (n == "xmlns") declared.push_back({"", a->Value()});
      if (n.starts_with("xmlns:")) declared.push_back({std::string(n.substr(6)), a->Value()});
    }
    scopes_.push_back(std::move(declared));
    std::string_view qname = e->Name();
    size_t colon = qname.find(':');
    std::string_view local = colon == std::string_view::npos ? qname : qname.substr(colon + 1);
    std::string ns = uri_of(colon == std::string_view::npos ? "" : qname.substr(0, colon));
    bool svg = ns == kSvgNamespace;
    if (!svg || !allowed_elements().contains(local)) {
      std::string what = svg ? "<" : "an element of another namespace <";
      what.append(svg ? local : qname).append(">");
      note(what);
      if (svg && !drops_content(local)) children(e, false);
      scopes_.pop_back();
      return;
    }
    out_ += '<';
    out_ += local;
    if (root) {
      out_ += " xmlns=\"";
      out_ += kSvgNamespace;
      out_ += "\" xmlns:xlink=\"";
      out_ += kXlinkNamespace;
      out_ += '"';
    }
    for (const tinyxml2::XMLAttribute* a = e->FirstAttribute(); a; a = a->Next()) attribute(a);
    if (e->FirstChild() == nullptr) {
      out_ += "/>";
    } else {
      out_ += '>';
      children(e, local == "style");
      out_ += "</";
      out_ += local;
      out_ += '>';
    }
    scopes_.pop_back();
  }

  void attribute(const tinyxml2::XMLAttribute* a) {
    std::string_view qname = a->Name();
    std::string value = a->Value();
    if (qname == "xmlns" || qname.starts_with("xmlns:")) return;  // written once, on the root
    size_t colon = qname.find(':');
    std::string name(qname);
    if (colon != std::string_view::npos) {
      std::string ns = uri_of(qname.substr(0, colon));
      std::string_view local = qname.substr(colon + 1);
      if (ns == kXlinkNamespace && (local == "href" || local == "title")) {
        name = "xlink:" + std::string(local);
      } else if (qname == "xml:space" || qname == "xml:lang") {
      } else {
        return;  // editors' own attributes (sodipodi:, inkscape:) and anything unknown
      }
    }
    if (name.size() >= 2 && (name[0] | 0x20) == 'o' && (name[1] | 0x20) == 'n') {
      note("event attribute " + name);
      return;
    }
    if (name == "href" || name == "xlink:href") {
      std::string_view url = strip_url(value);
      if (!url.starts_with("#") && !is_image_data_url(url)) {
        note("a reference outside the image (" + name + ")");
        return;
      }
    }
    if (name == "style") {
      value = css(value, true);
    } else if (has_url_call(value)) {
      Removals dropped;
      std::string kept = filter_css(name + ":" + value, true, dropped);
      if (!dropped.empty()) {
        note("a reference outside the image (" + name + ")");
        return;
      }
      (void)kept;
    }
    out_ += ' ';
    out_ += name;
    out_ += "=\"";
    append_xml_escaped(out_, value, true);
    out_ += '"';
  }

  void children(const tinyxml2::XMLElement* e, bool style) {
    for (const tinyxml2::XMLNode* c = e->FirstChild(); c; c = c->NextSibling()) {
      if (const tinyxml2::XMLElement* ce = c->ToElement()) {
        element(ce, false);
      } else if (const tinyxml2::XMLText* t = c->ToText()) {
        line_ = t->GetLineNum();
        if (style)
          append_xml_escaped(out_, css(t->Value(), false));
        else
          append_xml_escaped(out_, t->Value());
      }
      // Comments, processing instructions and DOCTYPEs are left out.
    }
  }

  Removals& removed_;
  std::vector<std::vector<std::pair<std::string, std::string>>> scopes_;
  std::string out_;
  int line_ = 0;  // of the node being rebuilt
};

// Returns CSS with its escapes decoded and comments removed, lower-cased, without
// blanks: the text the checks of filter_css look at.
std::string css_for_checks(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      size_t e = s.find("*/", i + 2);
      i = e == std::string_view::npos ? s.size() : e + 1;
      continue;
    }
    if (c == '\\' && i + 1 < s.size()) {
      size_t j = i + 1, n = 0;
      unsigned cp = 0;
      while (j < s.size() && n < 6 && std::isxdigit(static_cast<unsigned char>(s[j]))) {
        cp = cp * 16 + static_cast<unsigned>(std::isdigit(static_cast<unsigned char>(s[j]))
                                                 ? s[j] - '0'
                                                 : std::tolower(static_cast<unsigned char>(s[j])) - 'a' + 10);
        ++j;
        ++n;
      }
      if (n > 0) {
        c = cp < 0x80 ? static_cast<char>(cp) : '?';
        if (j < s.size() && s[j] == ' ') ++j;
        i = j - 1;
      } else {
        c = s[++i];
      }
    }
    if (static_cast<unsigned char>(c) <= 0x20) continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// Returns why one CSS statement (a declaration, an at-rule or a selector, CHECK as
// css_for_checks made it) must go, or "".
std::string css_problem(const std::string& check) {
  if (check.find('<') != std::string::npos) return "CSS that could close its element";
  if (check.starts_with("@import")) return "@import";
  if (check.find("expression(") != std::string::npos) return "expression()";
  if (check.starts_with("behavior:") || check.starts_with("-ms-behavior:")) return "behavior";
  if (check.find("binding:") != std::string::npos) return "-moz-binding";
  if (check.find("javascript:") != std::string::npos ||
      check.find("vbscript:") != std::string::npos)
    return "a script URL";
  if (check.starts_with("position:fixed")) return "position: fixed";
  for (size_t u = check.find("url("); u != std::string::npos; u = check.find("url(", u + 4)) {
    size_t e = check.find(')', u);
    std::string url = check.substr(u + 4, e == std::string::npos ? std::string::npos : e - u - 4);
    if (!url.empty() && (url.front() == '"' || url.front() == '\'')) url = url.substr(1);
    if (!url.empty() && (url.back() == '"' || url.back() == '\'')) url.pop_back();
    if (!is_local_resource_url(url)) return "a url() outside the book";
  }
  if (check.find("image-set(") != std::string::npos && check.find("url(") == std::string::npos)
    return "image-set()";  // image-set("https://...") names a URL without url()
  return {};
}

}  // namespace

void Removals::add(const std::string& what, uint32_t line, uint32_t col, size_t count) {
  auto [it, inserted] = index_.emplace(what, kinds_.size());
  if (inserted) kinds_.push_back({what, 0, line, col});
  kinds_[it->second].count += count;
}

size_t Removals::total() const {
  size_t n = 0;
  for (const Kind& k : kinds_) n += k.count;
  return n;
}

std::string Removals::summary() const {
  constexpr size_t kShown = 8;  // a message quotes a few kinds; the rest are counted
  std::string out;
  size_t rest = 0;
  for (size_t k = 0; k < kinds_.size(); ++k) {
    if (k >= kShown) {
      rest += kinds_[k].count;
      continue;
    }
    if (!out.empty()) out += ", ";
    out += kinds_[k].what;
    if (kinds_[k].count > 1) out += " (" + std::to_string(kinds_[k].count) + ")";
  }
  if (rest > 0)
    out += " and " + std::to_string(rest) + " more of " +
           std::to_string(kinds_.size() - kShown) + " other kinds";
  return out;
}

bool is_link_scheme_allowed(std::string_view scheme) {
  static const std::unordered_set<std::string_view> allowed = {
      "http", "https", "mailto", "tel", "sms", "ftp", "ftps", "sftp", "news", "nntp", "irc",
      "ircs", "xmpp", "geo", "urn", "doi", "isbn", "magnet", "gopher", "git", "ssh", "svn"};
  return allowed.contains(scheme);
}

std::string refused_url_warning(std::string_view url) {
  std::string scheme = url_scheme_of(url);
  if (scheme.empty() || is_link_scheme_allowed(scheme)) return {};
  return "a " + scheme + ": address is removed; the text it was on stays";
}

const std::string& refused_url_hint() {
  static const std::string kHint =
      "a book links only to the web, mail and a few other addresses (https:, mailto:, tel: "
      "...) and to its own chapters: no scripts, embedded data, local files or apps";
  return kHint;
}

std::string url_scheme_of(std::string_view url) {
  size_t i = 0;
  while (i < url.size() && static_cast<unsigned char>(url[i]) <= 0x20) ++i;
  std::string scheme;
  for (; i < url.size(); ++i) {
    char c = url[i];
    if (c == '\t' || c == '\n' || c == '\r') continue;
    if (c == ':') return scheme;
    bool ok = std::isalpha(static_cast<unsigned char>(c)) ||
              (!scheme.empty() && (std::isdigit(static_cast<unsigned char>(c)) || c == '+' ||
                                   c == '-' || c == '.'));
    if (!ok || scheme.size() > 32) return {};
    scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return {};
}

bool is_local_resource_url(std::string_view url) {
  url = strip_url(url);
  if (url.starts_with("#")) return true;
  if (url.starts_with("//") || url.starts_with("\\") || url.starts_with("/\\")) return false;
  size_t i = 0;
  while (i < url.size() && (std::isalnum(static_cast<unsigned char>(url[i])) || url[i] == '+' ||
                            url[i] == '-' || url[i] == '.'))
    ++i;
  bool scheme = i > 0 && i < url.size() && url[i] == ':' &&
                std::isalpha(static_cast<unsigned char>(url[0]));
  if (!scheme) {
    // A relative path; a colon before the first slash is a scheme with odd characters.
    size_t colon = url.find(':'), slash = url.find_first_of("/?#");
    return colon == std::string_view::npos || (slash != std::string_view::npos && slash < colon);
  }
  return is_image_data_url(url);
}

std::string css_structure_problem(std::string_view css, uint32_t& line, uint32_t& col) {
  work::add(css.size());
  // Line and column (in bytes, as filter_css counts them) of byte AT: worked out only
  // for the place a problem is reported, so the scan itself counts no lines.
  auto place = [css](size_t at) {
    size_t newline = at == 0 ? std::string_view::npos : css.rfind('\n', at - 1);
    size_t line_start = newline == std::string_view::npos ? 0 : newline + 1;
    return std::pair{static_cast<uint32_t>(std::count(css.begin(), css.begin() + at, '\n') + 1),
                     static_cast<uint32_t>(at - line_start + 1)};
  };
  auto fail = [&](std::string why, size_t at) {
    std::tie(line, col) = place(at);
    return why;
  };
  struct Block {
    bool rules;  // holds rules (the sheet, @media...), else declarations
    size_t at;   // offset of its '{'
    std::string prelude;  // what it styles, for the message
  };
  std::vector<Block> open;
  size_t statement = 0;  // where the text since the last ';', '{' or '}' begins
  for (size_t i = 0; i < css.size(); ++i) {
    char ch = css[i];
    if (ch == '\\') {
      if (i + 1 < css.size() && css[i + 1] != '\n') ++i;
      continue;
    }
    if (ch == '/' && i + 1 < css.size() && css[i + 1] == '*') {
      size_t end = css.find("*/", i + 2);
      if (end == std::string_view::npos) return fail("this comment is never closed", i);
      i = end + 1;
      continue;
    }
    if (ch == '"' || ch == '\'') {
      size_t k = i + 1;
      while (k < css.size() && css[k] != ch && css[k] != '\n') k += css[k] == '\\' ? 2 : 1;
      if (k >= css.size() || css[k] != ch) return fail("this string is never closed", i);
      i = k;
      continue;
    }
    if (ch == '{') {
      std::string prelude(trim(css.substr(statement, i - statement)));
      bool in_rules = open.empty() || open.back().rules;
      if (!in_rules && !prelude.starts_with("@")) {  // @top-center inside @page is fine
        const Block& b = open.back();
        return fail("a '{' among the declarations of '" + b.prelude + "' (line " +
                        std::to_string(place(b.at).first) + "): its '}' is missing",
                    i);
      }
      std::string at = lower(prelude.substr(0, prelude.find_first_of(" \t\r\n(")));
      bool holds_rules = at == "@media" || at == "@supports" || at == "@layer" ||
                         at == "@container" || at == "@document" || at == "@-moz-document" ||
                         at == "@scope";
      open.push_back({holds_rules, i, prelude.substr(0, 60)});
      statement = i + 1;
    } else if (ch == '}') {
      if (open.empty()) return fail("a '}' with no '{' before it", i);
      open.pop_back();
      statement = i + 1;
    } else if (ch == ';') {
      statement = i + 1;
    }
  }
  if (!open.empty())
    return fail("this '{' of '" + open.back().prelude + "' is never closed", open.back().at);
  return {};
}

std::string filter_css(std::string_view css, bool inline_style, Removals& removed) {
  work::add(css.size());
  std::string out;
  out.reserve(css.size());
  // The line and column of a statement, counted forward from the last one asked for.
  size_t counted = 0;
  uint32_t line = 1, line_start = 0;
  auto note = [&](const std::string& what, size_t statement) {
    while (statement < css.size() && static_cast<unsigned char>(css[statement]) <= 0x20)
      ++statement;
    for (; counted < statement && counted < css.size(); ++counted) {
      if (css[counted] == '\n') {
        ++line;
        line_start = static_cast<uint32_t>(counted + 1);
      }
    }
    removed.add((inline_style ? "style attribute: " : "CSS: ") + what, line,
                static_cast<uint32_t>(statement - line_start + 1));
  };
  size_t i = 0, start = 0;
  int skip_depth = 0;  // inside a block whose prelude was dropped
  int paren = 0;
  char quote = 0;
  while (i <= css.size()) {
    char c = i < css.size() ? css[i] : '\0';
    if (i < css.size()) {
      if (quote) {
        if (c == '\\') ++i;
        else if (c == quote) quote = 0;
        ++i;
        continue;
      }
      if (c == '/' && i + 1 < css.size() && css[i + 1] == '*') {
        size_t e = css.find("*/", i + 2);
        i = e == std::string_view::npos ? css.size() : e + 2;
        continue;
      }
      if (c == '\\') {
        i += 2;
        continue;
      }
      if (c == '"' || c == '\'') {
        quote = c;
        ++i;
        continue;
      }
      if (c == '(') ++paren;
      if (c == ')' && paren > 0) --paren;
      if (paren > 0 || (c != ';' && c != '{' && c != '}')) {
        ++i;
        continue;
      }
    }
    // A statement ends here: at ';', '{', '}' or the end.
    std::string_view piece = css.substr(start, i - start);
    size_t next = std::min(i + 1, css.size() + 1);
    if (skip_depth > 0) {
      if (c == '{') ++skip_depth;
      if (c == '}') --skip_depth;
    } else {
      std::string check = css_for_checks(piece);
      std::string problem = css_problem(check);
      if (c == '{') {
        if (!problem.empty() || check.starts_with("@-moz-document")) {
          note(problem.empty() ? "@-moz-document" : problem, start);
          skip_depth = 1;
        } else {
          out += piece;
          out += '{';
        }
      } else {
        if (!problem.empty()) {
          note(problem, start);
        } else {
          out += piece;
          if (c == ';') out += ';';
        }
        if (c == '}') out += '}';
      }
    }
    start = next;
    i = next;
  }
  return out;
}

std::string sanitize_svg(std::string_view svg, std::string& problem, Removals& removed) {
  tinyxml2::XMLDocument doc(true, tinyxml2::PRESERVE_WHITESPACE);
  if (doc.Parse(svg.data(), svg.size()) != tinyxml2::XML_SUCCESS) {
    problem = std::string("SVG is not well-formed XML (") + doc.ErrorStr() + ")";
    return {};
  }
  const tinyxml2::XMLElement* root = doc.RootElement();
  if (root == nullptr) {
    problem = "SVG has no root element";
    return {};
  }
  for (const tinyxml2::XMLNode* n = doc.FirstChild(); n; n = n->NextSibling())
    if (n->ToUnknown() || (n->ToDeclaration() && std::string_view(n->Value()).find("stylesheet") !=
                                                     std::string_view::npos))
      removed.add("a processing instruction or DOCTYPE", static_cast<uint32_t>(n->GetLineNum()));
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  SvgBuilder(removed).build(root, svg.size(), out);
  out += '\n';
  return out;
}

}  // namespace colophon
