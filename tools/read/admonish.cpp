#include "read/admonish.h"

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <nlohmann/json.hpp>
#include <regex>

#include "core/text.h"

namespace colophon {

namespace {

// mdbook-admonish's kinds, each with the other words that name it.
struct KindNames {
  const char* kind;
  std::array<const char*, 3> aliases;  // empty strings pad the list
};
constexpr KindNames kKinds[] = {
    {"note", {"", "", ""}},
    {"abstract", {"summary", "tldr", ""}},
    {"info", {"todo", "", ""}},
    {"tip", {"hint", "important", ""}},
    {"success", {"check", "done", ""}},
    {"question", {"help", "faq", ""}},
    {"warning", {"caution", "attention", ""}},
    {"failure", {"fail", "missing", ""}},
    {"danger", {"error", "", ""}},
    {"bug", {"", "", ""}},
    {"example", {"", "", ""}},
    {"quote", {"cite", "", ""}},
};

bool is_key_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

// Tells whether S is a bare directive word (letters, digits, '_' and '-').
bool is_directive(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_key_char);
}

// Puts every `key =` of S on a line of its own, so that space-separated pairs read as
// a TOML document (an '=' inside a quoted value is broken the same way, as in
// mdbook-admonish: the inline-table form reads such values).
std::string pairs_to_lines(std::string_view s) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    if (is_key_char(s[i])) {
      size_t j = i;
      while (j < s.size() && is_key_char(s[j])) ++j;
      size_t k = j;
      while (k < s.size() && s[k] == ' ') ++k;
      if (k < s.size() && s[k] == '=') {
        out += '\n';
        out.append(s.substr(i, k + 1 - i));
        i = k + 1;
        continue;
      }
    }
    out += s[i++];
  }
  return out;
}

// Reads the keys of a parsed settings table into OUT; false (ERROR set) on a key of
// the wrong type. Unknown keys are allowed, as in mdbook-admonish.
bool take_settings(const toml::table& t, AdmonishInfo& out, std::string& error) {
  auto text = [&](const char* key, std::string& into, bool* given) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return true;
    const toml::value<std::string>* s = n->as_string();
    if (s == nullptr) {
      error = std::string("'") + key + "' must be a string";
      return false;
    }
    into = s->get();
    if (given != nullptr) *given = true;
    return true;
  };
  if (!text("type", out.directive, nullptr) || !text("title", out.title, &out.has_title) ||
      !text("id", out.id, nullptr))
    return false;
  std::string classes;
  if (!text("class", classes, nullptr)) return false;
  for (size_t b = 0; (b = classes.find_first_not_of(' ', b)) != std::string::npos;) {
    size_t e = std::min(classes.find(' ', b), classes.size());
    out.classes.push_back(classes.substr(b, e - b));
    b = e;
  }
  if (const toml::node* n = t.get("collapsible")) {
    const toml::value<bool>* b = n->as_boolean();
    if (b == nullptr) {
      error = "'collapsible' must be true or false";
      return false;
    }
    out.has_collapsible = true;
    out.collapsible = b->get();
  }
  return true;
}

// Parses TOML text into T; false with ERROR set when it is not TOML.
bool parse_toml(const std::string& text, toml::table& t, std::string& error) {
  try {
    t = toml::parse(text);
    return true;
  } catch (const toml::parse_error& e) {
    error = std::string(e.description());
    return false;
  }
}

// Reads CONFIG as space-separated TOML key/value pairs, a bare directive first allowed.
bool read_pairs(std::string_view config, AdmonishInfo& out, std::string& error) {
  std::string doc(trim(pairs_to_lines(config)));
  toml::table t;
  if (parse_toml(doc, t, error)) return take_settings(t, out, error);
  std::string first_error = error;
  size_t nl = doc.find('\n');
  std::string directive(trim(std::string_view(doc).substr(0, nl)));
  std::string rest = nl == std::string::npos ? std::string() : doc.substr(nl + 1);
  if (!is_directive(directive)) {
    error = directive.find('=') != std::string::npos
                ? first_error
                : "'" + directive + "' is neither a kind nor a key=value pair";
    return false;
  }
  if (!parse_toml(rest, t, error) || !take_settings(t, out, error)) return false;
  out.directive = directive;
  return true;
}

// Reads CONFIG as the inside of a TOML inline table, a bare directive first allowed.
bool read_inline_table(std::string_view config, AdmonishInfo& out, std::string& error) {
  auto parse = [&](std::string_view inside) {
    toml::table t;
    if (!parse_toml("config = { " + std::string(inside) + " }", t, error)) return false;
    const toml::table* c = t["config"].as_table();
    return c != nullptr && take_settings(*c, out, error);
  };
  config = trim(config);
  if (parse(config)) return true;
  size_t sp = config.find(' ');
  std::string_view directive = trim(config.substr(0, sp));
  if (!is_directive(directive)) return false;
  if (!parse(sp == std::string_view::npos ? std::string_view() : trim(config.substr(sp))))
    return false;
  out.directive = std::string(directive);
  return true;
}

// Reads CONFIG in mdbook-admonish's first form: `kind.class1.class2 "JSON title"`.
bool read_dotted(std::string_view config, AdmonishInfo& out) {
  static const std::regex kDotted(R"(^([a-z]+)?(\.(-?[_a-zA-Z]+[_a-zA-Z0-9-]*)?)*( ".*")?$)");
  std::string s(trim(config));
  if (!std::regex_match(s, kDotted)) return false;
  size_t sp = s.find(' ');
  std::string head = s.substr(0, sp);
  if (sp != std::string::npos) {
    nlohmann::json title = nlohmann::json::parse(s.substr(sp + 1), nullptr, false);
    if (title.is_discarded() || !title.is_string()) return false;
    out.has_title = true;
    out.title = title.get<std::string>();
  }
  size_t dot = head.find('.');
  out.directive = head.substr(0, dot);
  while (dot != std::string::npos) {
    size_t next = head.find('.', dot + 1);
    std::string c = head.substr(dot + 1, next == std::string::npos ? next : next - dot - 1);
    if (!c.empty()) out.classes.push_back(c);
    dot = next;
  }
  return true;
}

// Returns the title as one line that reads as a paragraph: line breaks become spaces, and
// a start that Markdown would take for a heading, list, quote or rule is escaped.
std::string title_line(std::string_view title) {
  std::string t(trim(title));
  for (char& c : t)
    if (c == '\n' || c == '\r') c = ' ';
  if (t.empty()) return t;
  auto blank_at = [&](size_t i) { return i >= t.size() || t[i] == ' ' || t[i] == '\t'; };
  bool rule = t.find_first_not_of(std::string(1, t[0]) + " \t") == std::string::npos &&
              std::count(t.begin(), t.end(), t[0]) >= 3;
  if (t[0] == '#' || t[0] == '>' || t.starts_with("```") || t.starts_with("~~~") ||
      ((t[0] == '-' || t[0] == '+' || t[0] == '*') && blank_at(1)) ||
      ((t[0] == '-' || t[0] == '*' || t[0] == '_') && rule))
    return "\\" + t;
  size_t d = 0;
  while (d < t.size() && d < 10 && t[d] >= '0' && t[d] <= '9') ++d;
  if (d > 0 && d < t.size() && (t[d] == '.' || t[d] == ')') &&
      (d + 1 == t.size() || t[d + 1] == ' '))
    t.insert(d, "\\");
  return t;
}

// One admonish block found by cmark-gfm.
struct Found {
  uint32_t first = 0, last = 0;  // its fence line and its last line (1-based)
  uint32_t col = 0;              // byte column of the opening fence's first character
  bool closed = false;           // LAST is the closing fence
  std::string info;              // the info string
  std::string close_body;        // the fence that closes one the body leaves open, or ""
  size_t offset = 0;             // the opening fence's indentation in its container
};

// Rewrites tried before every block that fails its check is left a code block at once
// (each later round leaves out only the first that failed, which may have swallowed the
// ones after it).
constexpr int kMaxRewriteRounds = 8;

// Tells whether code block N is fenced and its closing fence is missing; sets FENCE to
// a fence that would close it.
bool open_fence(cmark_node* n, std::string& fence) {
  int length = 0, offset = 0;
  char fence_char = 0;
  if (cmark_node_get_type(n) != CMARK_NODE_CODE_BLOCK ||
      !cmark_node_get_fenced(n, &length, &offset, &fence_char) || length <= 0)
    return false;
  const char* lit = cmark_node_get_literal(n);
  auto lines = lit != nullptr ? std::count(lit, lit + std::strlen(lit), '\n') : 0;
  if (cmark_node_get_end_line(n) > cmark_node_get_start_line(n) + lines) return false;
  fence.assign(static_cast<size_t>(length), fence_char);
  return true;
}

// Returns the fence that closes a code block BODY (a block's text) leaves open at its
// end, or "": in place, that block would run on past the block's end tag.
std::string body_left_open(std::string_view body, int cmark_options,
                           const std::vector<cmark_syntax_extension*>& extensions) {
  if (body.find("```") == std::string_view::npos && body.find("~~~") == std::string_view::npos)
    return {};
  CmarkDocument doc(body, cmark_options, true, extensions);
  CmarkArenaScope scope(doc.arena());
  std::string fence;
  cmark_node* last = cmark_node_last_child(doc.root());
  return last != nullptr && open_fence(last, fence) ? fence : std::string();
}

// Returns the admonish blocks of the parsed document ROOT, in order.
std::vector<Found> find_blocks(cmark_node* root, int cmark_options,
                               const std::vector<cmark_syntax_extension*>& extensions) {
  std::vector<Found> out;
  cmark_iter* iter = cmark_iter_new(root);
  for (cmark_event_type ev; (ev = cmark_iter_next(iter)) != CMARK_EVENT_DONE;) {
    cmark_node* n = cmark_iter_get_node(iter);
    if (ev != CMARK_EVENT_ENTER || cmark_node_get_type(n) != CMARK_NODE_CODE_BLOCK) continue;
    int length = 0, offset = 0;
    char fence_char = 0;
    if (!cmark_node_get_fenced(n, &length, &offset, &fence_char)) continue;
    const char* info = cmark_node_get_fence_info(n);
    std::string_view i = info != nullptr ? info : "";
    if (i != "admonish" && !i.starts_with("admonish ")) continue;
    Found f;
    f.first = static_cast<uint32_t>(cmark_node_get_start_line(n));
    f.last = static_cast<uint32_t>(cmark_node_get_end_line(n));
    f.col = static_cast<uint32_t>(cmark_node_get_start_column(n));
    const char* lit = cmark_node_get_literal(n);
    auto body_lines =
        static_cast<uint32_t>(lit != nullptr ? std::count(lit, lit + std::strlen(lit), '\n') : 0);
    f.closed = f.last > f.first + body_lines;
    f.offset = static_cast<size_t>(std::max(0, offset));
    f.info = std::string(i);
    if (lit != nullptr) f.close_body = body_left_open(lit, cmark_options, extensions);
    if (f.first > 0 && f.last >= f.first) out.push_back(std::move(f));
  }
  cmark_iter_free(iter);
  return out;
}

}  // namespace

bool read_admonish_info(std::string_view info, AdmonishInfo& out, std::string& error) {
  error.clear();
  if (info != "admonish" && !info.starts_with("admonish ")) return false;
  std::string_view config = info.size() > 8 ? info.substr(9) : std::string_view();
  AdmonishInfo tried;
  if (read_pairs(config, tried, error)) {
    out = std::move(tried);
    error.clear();
    return true;
  }
  std::string pairs_error = error;
  tried = {};
  if (read_inline_table(config, tried, error)) {
    out = std::move(tried);
    error.clear();
    return true;
  }
  tried = {};
  if (read_dotted(config, tried)) {
    out = std::move(tried);
    error.clear();
    return true;
  }
  error = pairs_error;
  return true;
}

std::string admonish_kind(std::string_view directive) {
  for (const KindNames& k : kKinds) {
    if (directive == k.kind) return k.kind;
    for (const char* a : k.aliases)
      if (*a != '\0' && directive == a) return k.kind;
  }
  return {};
}

std::string admonish_default_title(std::string_view directive) {
  if (admonish_kind(directive).empty()) return "Note";
  if (directive == "tldr") return "TL;DR";
  if (directive == "faq") return "FAQ";
  std::string t(directive);
  t[0] = static_cast<char>(t[0] - 'a' + 'A');  // every kind's name is lower-case ASCII
  return t;
}

AdmonishRewrite rewrite_admonish_blocks(const SourceText& source, std::unique_ptr<SourceMap>& map,
                                        const std::string& file, const AdmonishOptions& options,
                                        int cmark_options,
                                        const std::vector<cmark_syntax_extension*>& extensions,
                                        Diagnostics& diag) {
  AdmonishRewrite out;
  std::string_view text = source.text();
  std::vector<Found> blocks;
  {
    CmarkDocument doc(text, cmark_options, true, extensions);
    CmarkArenaScope scope(doc.arena());
    blocks = find_blocks(doc.root(), cmark_options, extensions);
  }
  if (blocks.empty()) return out;

  // Line starts of TEXT: line L (1-based) is [starts[L-1], starts[L]).
  std::vector<size_t> starts = {0};
  for (size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') starts.push_back(i + 1);
  if (starts.back() != text.size()) starts.push_back(text.size());
  auto line_start = [&](uint32_t l) { return starts[std::min<size_t>(l - 1, starts.size() - 1)]; };
  auto line_end = [&](uint32_t l) { return starts[std::min<size_t>(l, starts.size() - 1)]; };

  // What each block's made lines hold, its settings reported once.
  struct Made {
    std::string prefix, cont;  // the fence line's prefix; the container's, for the others
    std::string open;          // the <aside> start tag
    std::string title;         // the title line ("" = none)
    SourcePos pos;             // the fence
  };
  std::vector<Made> made_of(blocks.size());
  for (size_t k = 0; k < blocks.size(); ++k) {
    const Found& b = blocks[k];
    Made& m = made_of[k];
    AdmonishInfo info;
    std::string error;
    read_admonish_info(b.info, info, error);
    m.pos = source.pos(b.first, b.col);
    if (!error.empty()) {
      std::string what = "cannot read the settings of this admonish block: " + error;
      std::string fix =
          "write ```admonish KIND title=\"Title\"; a quote inside the title is \\\\\" (TOML's "
          "escape, escaped again for Markdown)";
      if (options.bail)
        diag.error(file, m.pos, what + "; it reads as a note", fix);
      else
        diag.warning(file, m.pos, what + "; it reads as a note",
                     fix + ", or set on_failure = \"bail\" to stop the build here");
      info = {};
    }
    std::string kind = admonish_kind(info.directive);
    if (kind.empty()) {
      if (!info.directive.empty())
        diag.warning(file, m.pos,
                     "admonish kind '" + info.directive +
                         "' is not one of mdbook-admonish's; "
                         "it reads as a note",
                     "use note, abstract, info, tip, success, question, warning, failure, "
                     "danger, bug, example or quote (custom kinds are not read)");
      kind = "note";
    }
    m.title = title_line(info.has_title              ? info.title
                         : options.has_default_title ? options.default_title
                                                     : admonish_default_title(info.directive));
    // The fence line's prefix (list marker, '>' of quotes, indentation) as written; for
    // the lines made after it, the container's part of it as blanks and '>'.
    std::string_view fence_line = text.substr(line_start(b.first), b.col - 1);
    m.prefix = std::string(fence_line);
    size_t indent = std::min(b.offset, fence_line.size());
    std::string_view fence_indent = fence_line.substr(fence_line.size() - indent);
    if (fence_indent.find_first_not_of(' ') != std::string_view::npos) indent = 0;  // a tab
    m.cont = std::string(fence_line.substr(0, fence_line.size() - indent));
    for (char& c : m.cont)
      if (c != '>' && c != '\t') c = ' ';
    m.open = "<aside class=\"admonition admonition-" + kind;
    for (const std::string& c : info.classes) m.open += " " + xml_escape(c, true);
    m.open += "\" role=\"" + std::string(kind == "tip" ? "doc-tip" : "note") + "\"";
    if (!info.id.empty()) m.open += " id=\"" + xml_escape(info.id, true) + "\"";
    m.open += ">";
  }

  // Writes the text with the blocks USE says, and checks that each one's end tag closes
  // it; a block whose body leaves a code block or raw HTML open (its end tag then falls
  // inside) stays a code block, found one at a time as each can swallow those after it.
  std::vector<bool> use(blocks.size(), true);
  for (int round = 0;; ++round) {
    auto own = std::make_unique<SourceMap>();
    auto self = std::make_unique<LoadedSource>();
    self->bytes = std::string(text);
    self->index = std::make_unique<SourceText>(self->bytes);
    own->origins.push_back({self.get(), 0});
    own->files.push_back(std::move(self));
    MappedText result;
    std::vector<uint32_t> titles, opens(blocks.size(), 0), ends(blocks.size(), 0);
    uint32_t line = 1;  // the line of the new text being written
    auto made = [&](const std::string& s, size_t at) {
      result.append_made(s, 0, at);
      line += static_cast<uint32_t>(std::count(s.begin(), s.end(), '\n'));
    };
    auto kept = [&](size_t begin, size_t end) {
      if (end <= begin) return;
      result.append_origin(0, text, begin, end);
      line +=
          static_cast<uint32_t>(std::count(text.begin() + static_cast<std::ptrdiff_t>(begin),
                                           text.begin() + static_cast<std::ptrdiff_t>(end), '\n'));
    };
    size_t copied = 0;  // TEXT up to here is in RESULT
    for (size_t k = 0; k < blocks.size(); ++k) {
      if (!use[k]) continue;
      const Found& b = blocks[k];
      const Made& m = made_of[k];
      size_t fence_at = line_start(b.first) + b.col - 1;
      kept(copied, line_start(b.first));
      opens[k] = line;
      made(m.prefix + m.open + "\n" + m.cont + "\n", fence_at);
      if (!m.title.empty()) {
        titles.push_back(line);
        made(m.cont + m.title + "\n" + m.cont + "\n", fence_at);
      }
      uint32_t body_end = b.closed ? b.last - 1 : b.last;  // the last body line
      if (body_end > b.first) {
        kept(line_start(b.first + 1), line_end(body_end));
        if (result.text.back() != '\n') made("\n", text.size());
      }
      size_t close_at = b.closed ? line_start(b.last) : line_end(body_end);
      if (!b.close_body.empty()) made(m.cont + b.close_body + "\n", close_at);
      made(m.cont + "\n", close_at);
      ends[k] = line;
      made(m.cont + "</aside>\n" + m.cont + "\n", close_at);
      copied = line_end(b.last);
    }
    kept(copied, text.size());

    auto doc = std::make_unique<CmarkDocument>(result.text, cmark_options, true, extensions);
    // The HTML blocks by the line they start on, with their parent: a block's start and
    // end tags must each be one, side by side in the same container.
    std::vector<std::pair<uint32_t, cmark_node*>> html;
    {
      CmarkArenaScope scope(doc->arena());
      cmark_iter* iter = cmark_iter_new(doc->root());
      for (cmark_event_type ev; (ev = cmark_iter_next(iter)) != CMARK_EVENT_DONE;) {
        cmark_node* n = cmark_iter_get_node(iter);
        if (ev == CMARK_EVENT_ENTER && cmark_node_get_type(n) == CMARK_NODE_HTML_BLOCK)
          html.emplace_back(static_cast<uint32_t>(cmark_node_get_start_line(n)),
                            cmark_node_parent(n));
      }
      cmark_iter_free(iter);
    }
    std::sort(html.begin(), html.end());
    auto parent_at = [&](uint32_t l) -> cmark_node* {
      auto it = std::lower_bound(html.begin(), html.end(),
                                 std::make_pair(l, static_cast<cmark_node*>(nullptr)));
      return it != html.end() && it->first == l ? it->second : nullptr;
    };
    std::vector<size_t> failed;
    for (size_t k = 0; k < blocks.size(); ++k) {
      if (!use[k]) continue;
      cmark_node* parent = parent_at(opens[k]);
      if (parent == nullptr || parent_at(ends[k]) != parent) failed.push_back(k);
    }
    if (failed.empty()) {
      if (std::find(use.begin(), use.end(), true) == use.end()) return out;
      own->spans = std::move(result.spans);
      own->under = std::move(map);
      out.map = std::move(own);
      out.text = std::move(result.text);
      out.title_lines = std::move(titles);
      out.doc = std::move(doc);
      out.changed = true;
      return out;
    }
    if (round + 1 < kMaxRewriteRounds) failed.resize(1);
    for (size_t k : failed) {
      use[k] = false;
      diag.warning(file, made_of[k].pos,
                   "this admonish block stays a code block: its body leaves a code block or "
                   "raw HTML open, which would run past the block's end",
                   "close what its body opens, or fence the admonish block with more backticks "
                   "(or tildes) than the fences inside it");
    }
  }
}

}  // namespace colophon
