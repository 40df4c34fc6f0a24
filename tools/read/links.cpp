// The links preprocessor, as mdBook 0.5 documents and implements it: the same
// directive syntax, line ranges, anchors, nesting and escapes. Where mdBook only logs a
// failed directive, this reports an error at the directive.
#include "read/links.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>

#include "core/paths.h"

namespace colophon {

namespace {

// Which directive a match is.
enum class LinkKind { Escaped, Include, RustdocInclude, Playground, Title };

// Which lines of a file an include takes.
struct LineSelection {
  bool anchor = false;
  std::string name;           // anchor name
  size_t start = 0;           // first line, 0-based (ranges)
  std::optional<size_t> end;  // one past the last line; none = to the end
};

// One directive found in a text.
struct Link {
  size_t start = 0, end = 0;  // the bytes [start, end) of the text it occupies
  LinkKind kind = LinkKind::Include;
  std::string path;                // Include, RustdocInclude, Playground
  LineSelection lines;             // Include, RustdocInclude
  std::vector<std::string> attrs;  // Playground
  std::string title;               // Title
  std::string text;                // the directive as written
  bool playpen = false;            // written with mdBook's old name {{#playpen}}
};

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool is_type_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

std::string_view trim_view(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Splits S at runs of white space.
std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i])) ++i;
    size_t b = i;
    while (i < s.size() && !is_space(s[i])) ++i;
    if (i > b) out.emplace_back(s.substr(b, i - b));
  }
  return out;
}

// Parses a whole string of ASCII digits as a number.
std::optional<size_t> parse_number(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  size_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<size_t>(c - '0');
  }
  return n;
}

// Reads the part after "path:" as mdBook does: "N", "N:M", "N:", ":M", "::" or an
// anchor name; an empty part (or none) is the whole file.
LineSelection parse_selection(std::optional<std::string_view> spec) {
  LineSelection sel;
  std::string_view s = spec.value_or("");
  size_t colon = s.find(':');
  std::string_view first = s.substr(0, colon);
  std::optional<std::string_view> second;
  if (colon != std::string_view::npos) {
    second = s.substr(colon + 1);
    size_t again = second->find(':');  // at most three parts; the third is ignored
    if (again != std::string_view::npos) second = second->substr(0, again);
  }
  std::optional<size_t> start;
  if (auto n = parse_number(first)) {
    start = *n == 0 ? 0 : *n - 1;
  } else if (!first.empty()) {
    sel.anchor = true;
    sel.name = std::string(first);
    return sel;
  }
  std::optional<size_t> end;
  bool end_given = second.has_value();
  if (second) end = parse_number(*second);
  if (start && end) {
    sel.start = *start, sel.end = *end;
  } else if (start && end_given) {
    sel.start = *start;  // "N:" or "N:junk": to the end
  } else if (start) {
    sel.start = *start, sel.end = *start + 1;  // one line
  } else if (end) {
    sel.end = *end;
  }
  return sel;
}

// Reads a quoted path ("a b.rs", with \" and \\ escapes) at the start of S; returns the
// path and sets REST to what follows, or nullopt when the quote is not closed.
std::optional<std::string> parse_quoted(std::string_view s, std::string_view& rest) {
  s = trim_view(s);
  if (s.empty() || s.front() != '"') return std::nullopt;
  std::string path;
  for (size_t i = 1; i < s.size(); ++i) {
    if (s[i] == '\\') {
      if (i + 1 < s.size()) path += s[++i];
    } else if (s[i] == '"') {
      rest = s.substr(i + 1);
      return path;
    } else {
      path += s[i];
    }
  }
  return std::nullopt;
}

// Fills the path and lines of an include or rustdoc_include from ARGS; false when
// there is no path.
bool parse_include_args(std::string_view args, Link& link) {
  args = trim_view(args);
  if (!args.empty() && args.front() == '"') {
    std::string_view rest;
    std::optional<std::string> path = parse_quoted(args, rest);
    if (!path) return false;
    link.path = *path;
    rest = trim_view(rest);
    if (!rest.empty() && rest.front() == ':')
      link.lines = parse_selection(rest.substr(1));
    else
      link.lines = parse_selection(std::nullopt);
    return true;
  }
  std::vector<std::string> w = words(args);
  if (w.empty()) return false;
  std::string_view file = w[0];
  size_t colon = file.find(':');
  link.path = std::string(file.substr(0, colon));
  link.lines = parse_selection(colon == std::string_view::npos
                                   ? std::nullopt
                                   : std::optional<std::string_view>(file.substr(colon + 1)));
  return true;
}

// Fills the path and attributes of a playground from ARGS; false when there is no path.
bool parse_playground_args(std::string_view args, Link& link) {
  std::string_view t = trim_view(args);
  if (!t.empty() && t.front() == '"') {
    std::string_view rest;
    std::optional<std::string> path = parse_quoted(t, rest);
    if (!path) return false;
    link.path = *path;
    link.attrs = words(rest);
    return true;
  }
  std::vector<std::string> w = words(t);
  if (w.empty()) return false;
  link.path = w[0];
  link.attrs.assign(w.begin() + 1, w.end());
  return true;
}

// Finds the directives of TEXT in order, as mdBook's pattern does: `\{{#...}}` to the
// last `}}` of its line is an escape; `{{ #type args}}` (args without `}`) a directive,
// skipped whole when its type is unknown.
std::vector<Link> find_links(std::string_view text) {
  std::vector<Link> out;
  size_t i = 0;
  while (i < text.size()) {
    const void* hit = std::memchr(text.data() + i, '{', text.size() - i);
    if (hit == nullptr) break;
    size_t p = static_cast<size_t>(static_cast<const char*>(hit) - text.data());
    if (p + 1 >= text.size() || text[p + 1] != '{') {
      i = p + 1;
      continue;
    }
    // The escape: a backslash, "{{#", anything, and the last "}}" of the line.
    if (p > i && text[p - 1] == '\\' && p + 2 < text.size() && text[p + 2] == '#') {
      size_t line_end = text.find('\n', p);
      if (line_end == std::string_view::npos) line_end = text.size();
      size_t close = line_end >= 2 ? text.rfind("}}", line_end - 2) : std::string_view::npos;
      if (close != std::string_view::npos && close >= p + 3) {
        Link link;
        link.kind = LinkKind::Escaped;
        link.start = p - 1;
        link.end = close + 2;
        link.text = std::string(text.substr(link.start, link.end - link.start));
        out.push_back(std::move(link));
        i = close + 2;
        continue;
      }
    }
    // A directive: "{{", white space, '#', a type, white space, arguments, "}}".
    size_t j = p + 2;
    while (j < text.size() && is_space(text[j])) ++j;
    if (j >= text.size() || text[j] != '#') {
      i = p + 1;
      continue;
    }
    size_t type_start = ++j;
    while (j < text.size() && is_type_char(text[j])) ++j;
    size_t type_end = j;
    size_t close = text.find('}', j);
    if (type_end == type_start || j >= text.size() || !is_space(text[j]) ||
        close == std::string_view::npos || close <= j + 1 || close + 1 >= text.size() ||
        text[close + 1] != '}') {
      i = p + 1;
      continue;
    }
    std::string_view type = text.substr(type_start, type_end - type_start);
    std::string_view args = text.substr(j + 1, close - j - 1);
    Link link;
    link.start = p;
    link.end = close + 2;
    link.text = std::string(text.substr(link.start, link.end - link.start));
    bool ok = false;
    if (type == "title") {
      link.kind = LinkKind::Title;
      link.title = std::string(trim_view(args));
      ok = true;
    } else if (type == "include") {
      link.kind = LinkKind::Include;
      ok = parse_include_args(args, link);
    } else if (type == "rustdoc_include") {
      link.kind = LinkKind::RustdocInclude;
      ok = parse_include_args(args, link);
    } else if (type == "playground" || type == "playpen") {
      link.kind = LinkKind::Playground;
      link.playpen = type == "playpen";
      ok = parse_playground_args(args, link);
    }
    if (ok) out.push_back(std::move(link));
    i = close + 2;  // a match of an unknown type is passed over whole
  }
  return out;
}

// The lines of a text as Rust's str::lines() gives them: split at '\n', a '\r' before
// it dropped, no empty line after a final '\n'. Each is [begin, end) of the text.
std::vector<std::pair<size_t, size_t>> split_lines(std::string_view s) {
  std::vector<std::pair<size_t, size_t>> out;
  size_t b = 0;
  while (b < s.size()) {
    size_t e = s.find('\n', b);
    size_t next = e == std::string_view::npos ? s.size() : e + 1;
    if (e == std::string_view::npos) e = s.size();
    size_t content_end = e > b && s[e - 1] == '\r' ? e - 1 : e;
    out.emplace_back(b, content_end);
    b = next;
  }
  return out;
}

// Finds "ANCHOR:" (or "ANCHOR_END:" when END) in LINE followed by optional white space
// and a name of word characters, '_' and '-'; returns the name, or nullopt.
std::optional<std::string_view> anchor_in(std::string_view line, bool end) {
  std::string_view key = end ? "ANCHOR_END:" : "ANCHOR:";
  for (size_t at = line.find(key); at != std::string_view::npos; at = line.find(key, at + 1)) {
    size_t i = at + key.size();
    while (i < line.size() && is_space(line[i])) ++i;
    size_t b = i;
    while (i < line.size() &&
           (is_type_char(line[i]) || line[i] == '-' || static_cast<unsigned char>(line[i]) >= 0x80))
      ++i;
    if (i > b) return line.substr(b, i - b);
  }
  return std::nullopt;
}

// Returns the lines of TEXT an include takes. RUSTDOC: every section of the anchor
// (mdBook shows the other lines hidden, which our outputs do not show at all).
std::vector<std::pair<size_t, size_t>> select_lines(std::string_view text, const LineSelection& sel,
                                                    bool rustdoc) {
  std::vector<std::pair<size_t, size_t>> lines = split_lines(text);
  std::vector<std::pair<size_t, size_t>> out;
  if (!sel.anchor) {
    size_t end = std::min(sel.end.value_or(lines.size()), lines.size());
    for (size_t k = sel.start; k < end; ++k) out.push_back(lines[k]);
    return out;
  }
  bool inside = false;
  for (const auto& [b, e] : lines) {
    std::string_view l = text.substr(b, e - b);
    if (inside) {
      if (auto name = anchor_in(l, true)) {
        if (*name == sel.name) {
          if (!rustdoc) break;
          inside = false;
        }
      } else if (!anchor_in(l, false)) {
        out.emplace_back(b, e);
      }
    } else if (auto name = anchor_in(l, false); name && *name == sel.name) {
      inside = true;
    }
  }
  return out;
}

// Names a line selection for messages and cycle keys (":2:10", ":name", "").
std::string selection_text(const LineSelection& sel) {
  if (sel.anchor) return ":" + sel.name;
  if (sel.start == 0 && !sel.end) return {};
  std::string s = ":" + std::to_string(sel.start + 1);
  if (!sel.end || *sel.end != sel.start + 1) s += ":" + (sel.end ? std::to_string(*sel.end) : "");
  return s;
}

// One file on the include chain: its key (path and lines) and name.
struct ChainLink {
  std::string key;
  std::string display;
};

// Runs the links preprocessor over one chapter.
class LinkExpander {
 public:
  LinkExpander(const std::string& chapter, const std::string& display, const IncludeRules& rules,
               Diagnostics& diag, SourceMap& map)
      : display_(display), rules_(rules), diag_(diag), map_(map) {
    std::error_code ec;
    std::filesystem::path self = std::filesystem::weakly_canonical(rules.book_root / chapter, ec);
    chain_.push_back({self.string(), display});
  }

  // Expands INPUT, read from a file in BASE_DIR, at nesting DEPTH.
  MappedText expand(const MappedText& input, const std::filesystem::path& base_dir, int depth);

  std::string page_title;

 private:
  std::optional<MappedText> render(const Link& link, const MappedText& input,
                                   const std::filesystem::path& base_dir, int depth,
                                   std::filesystem::path& file_dir);
  const LoadedSource* load(const std::filesystem::path& path);
  SourcePos place(const MappedText& input, size_t offset) const {
    auto [origin, at] = input.origin_of(offset);
    return map_.origin_pos(origin, at);
  }
  std::string shown(const std::filesystem::path& abs) const;
  std::string place_text(SourcePos pos) const {
    std::string s = format_place(display_, pos);
    if (pos.file != 0) s += ", included from " + included_from(pos.file);
    return s;
  }

  const std::string& display_;
  const IncludeRules& rules_;
  Diagnostics& diag_;
  SourceMap& map_;
  std::map<std::string, const LoadedSource*> loaded_;  // by absolute path
  std::vector<ChainLink> chain_;
};

std::string LinkExpander::shown(const std::filesystem::path& abs) const {
  std::string rel = abs.lexically_relative(rules_.book_root).generic_string();
  if (rel.empty()) rel = abs.generic_string();
  if (rel == ".") return rules_.book_display.empty() ? "." : rules_.book_display;
  std::string s = std::filesystem::path(display_path(rules_.book_display, rel))
                      .lexically_normal()
                      .generic_string();
  return s;
}

const LoadedSource* LinkExpander::load(const std::filesystem::path& path) {
  std::string key = path.string();
  auto it = loaded_.find(key);
  if (it != loaded_.end()) return it->second;
  FileRead read = read_regular_file(path, kMaxTextFileBytes);  // never blocking, size capped
  if (!read.ok()) return nullptr;
  std::optional<std::string> bytes = std::move(read.data);
  auto file = std::make_unique<LoadedSource>();
  file->bytes = std::move(*bytes);
  file->path = key;
  file->index = std::make_unique<SourceText>(file->bytes);
  const LoadedSource* out = file.get();
  map_.files.push_back(std::move(file));
  loaded_.emplace(key, out);
  return out;
}

std::optional<MappedText> LinkExpander::render(const Link& link, const MappedText& input,
                                               const std::filesystem::path& base_dir, int depth,
                                               std::filesystem::path& file_dir) {
  namespace fs = std::filesystem;
  SourcePos at = place(input, link.start);
  std::string where = display_;
  if (link.kind == LinkKind::Title) {
    page_title = link.title;
    return MappedText{};
  }
  if (link.playpen) {
    diag_.warning(where, at, "{{#playpen}} is the old name of {{#playground}}",
                  "write {{#playground " + link.path + "}}");
  }
  // Where the file is, and whether the rules let it be read.
  SafePath safe = resolve_inside_any(rules_.roots, base_dir, link.path);
  fs::path lexical =
      (fs::path(link.path).is_absolute() ? fs::path(link.path) : base_dir / link.path)
          .lexically_normal();
  if (safe.status == SafePath::Status::Escapes || safe.status == SafePath::Status::Absolute) {
    std::string dir = lexical.parent_path().lexically_relative(rules_.book_root).generic_string();
    if (rules_.safe) {
      diag_.error(where, at,
                  "cannot include '" + link.path + "': it is outside the book folder (" +
                      shown(rules_.book_root) + "), and --safe reads nothing outside it",
                  "copy the file into the book, or build without --safe if you trust the book");
    } else {
      diag_.error(where, at,
                  "cannot include '" + link.path + "': it is outside the book folder (" +
                      shown(rules_.book_root) + ") and outside its git work tree",
                  "allow its folder in book.toml with include-dirs = [\"" + dir +
                      "\"] under [book], or copy the file into the book");
    }
    return std::nullopt;
  }
  std::string problem = safe.status == SafePath::Status::Missing
                            ? "is not found"
                            : regular_file_problem(safe.absolute);  // opened without blocking
  if (!problem.empty()) {
    bool missing = problem == "is not found";
    diag_.error(where, at,
                "cannot include '" + link.path + "': " +
                    (missing ? "no such file" : "it " + problem) + " (looked for " +
                    shown(lexical) + ")",
                missing ? "check the path; it is relative to the file that holds the directive"
                        : "include a regular file of the book");
    return std::nullopt;
  }
  std::string key = safe.absolute.string() + selection_text(link.lines) +
                    (link.kind == LinkKind::RustdocInclude ? "#rustdoc" : "") +
                    (link.kind == LinkKind::Playground ? "#playground" : "");
  auto cycle =
      std::find_if(chain_.begin(), chain_.end(), [&](const ChainLink& c) { return c.key == key; });
  if (cycle != chain_.end()) {
    std::string names;
    for (const ChainLink& c : chain_) names += (names.empty() ? "" : " -> ") + c.display;
    names += " -> " + shown(lexical) + selection_text(link.lines);
    diag_.error(where, at, "include cycle: " + names,
                "remove one of these includes; a file cannot include itself, directly or "
                "through others");
    return std::nullopt;
  }
  if (depth >= kMaxIncludeDepth) {
    diag_.error(where, at,
                "includes nested more than " + std::to_string(kMaxIncludeDepth) + " deep",
                "include the innermost file directly");
    return std::nullopt;
  }
  const LoadedSource* file = load(safe.absolute);
  if (file == nullptr) {
    diag_.error(where, at, "cannot read '" + shown(lexical) + "'",
                "check that you may read the file");
    return std::nullopt;
  }
  uint32_t origin = static_cast<uint32_t>(map_.origins.size());
  map_.origins.push_back({file, register_included_file(shown(lexical), place_text(at))});
  std::string_view text = file->index->text();
  MappedText out;
  if (link.kind == LinkKind::Playground) {
    uint32_t here = input.origin_of(link.start).first;
    size_t here_at = input.origin_of(link.start).second;
    std::string fence = "```rust";
    for (const std::string& a : link.attrs) fence += "," + a;
    fence += '\n';
    out.append_made(fence, here, here_at);
    out.append_origin(origin, text, 0, text.size());
    if (text.empty() || text.back() != '\n') out.append_made("\n", origin, text.size());
    out.append_made("```\n", here, here_at);
  } else {
    auto lines = select_lines(text, link.lines, link.kind == LinkKind::RustdocInclude);
    for (size_t k = 0; k < lines.size(); ++k) {
      if (k > 0) out.append_made("\n", origin, lines[k - 1].second);
      out.append_origin(origin, text, lines[k].first, lines[k].second);
    }
    if (link.lines.anchor && lines.empty()) {
      bool known = false;
      for (const auto& [b, e] : split_lines(text))
        if (auto n = anchor_in(text.substr(b, e - b), false); n && *n == link.lines.name)
          known = true;
      if (!known)
        diag_.warning(
            where, at,
            "no anchor '" + link.lines.name + "' in " + shown(lexical) + "; nothing is included",
            "mark the lines with ANCHOR: " + link.lines.name +
                " and ANCHOR_END: " + link.lines.name + " comments");
    }
  }
  file_dir = lexical.parent_path();
  chain_.push_back({key, shown(lexical) + selection_text(link.lines)});
  MappedText nested = expand(out, file_dir, depth + 1);
  chain_.pop_back();
  return nested;
}

MappedText LinkExpander::expand(const MappedText& input, const std::filesystem::path& base_dir,
                                int depth) {
  MappedText out;
  size_t previous = 0;
  for (const Link& link : find_links(input.text)) {
    out.append(input, previous, link.start);
    if (link.kind == LinkKind::Escaped) {
      out.append(input, link.start + 1, link.end);
      previous = link.end;
      continue;
    }
    std::filesystem::path file_dir;
    std::optional<MappedText> made = render(link, input, base_dir, depth, file_dir);
    if (!made) {  // the directive stays as written
      previous = link.start;
      continue;
    }
    previous = link.end;
    if (link.kind == LinkKind::Title) continue;
    // Every included line after the first starts with what stood before the directive
    // on its line (indentation, quote markers), and the last line end is dropped.
    size_t line_start = out.text.rfind('\n');
    line_start = line_start == std::string::npos ? 0 : line_start + 1;
    MappedText prefix;
    prefix.append(out, line_start, out.text.size());
    auto lines = split_lines(made->text);
    auto [here, here_at] = input.origin_of(link.start);
    for (size_t k = 0; k < lines.size(); ++k) {
      if (k > 0) {
        out.append_made("\n", here, here_at);
        out.append(prefix, 0, prefix.text.size());
      }
      out.append(*made, lines[k].first, lines[k].second);
    }
  }
  out.append(input, previous, input.text.size());
  return out;
}

}  // namespace

bool has_link_directives(std::string_view text) {
  return text.find("{{") != std::string_view::npos;
}

IncludeRules include_rules(const std::filesystem::path& book_root, const std::string& book_display,
                           const std::vector<std::string>& include_dirs, bool safe) {
  IncludeRules rules;
  rules.book_root = book_root;
  rules.book_display = book_display;
  rules.safe = safe;
  rules.roots.push_back(book_root);
  if (safe) return rules;
  std::filesystem::path tree = git_work_tree(book_root);
  if (!tree.empty()) rules.roots.push_back(tree);
  for (const std::string& d : include_dirs) rules.roots.push_back(book_root / d);
  return rules;
}

ExpandedChapter expand_links(std::string_view chapter_text, const std::string& chapter,
                             const std::string& display, const IncludeRules& rules,
                             Diagnostics& diag, std::unique_ptr<SourceMap> under) {
  ExpandedChapter out;
  out.map = std::make_unique<SourceMap>();
  SourceMap& map = *out.map;
  map.under = std::move(under);
  auto self = std::make_unique<LoadedSource>();
  self->bytes = std::string(chapter_text);
  self->index = std::make_unique<SourceText>(self->bytes);
  map.origins.push_back({self.get(), 0});
  std::string_view text = self->index->text();
  MappedText input;
  input.append_origin(0, text, 0, text.size());
  map.files.push_back(std::move(self));

  LinkExpander expander(chapter, display, rules, diag, map);
  std::filesystem::path base = (rules.book_root / chapter).lexically_normal().parent_path();
  MappedText expanded = expander.expand(input, base, 0);
  out.page_title = std::move(expander.page_title);
  out.text = std::move(expanded.text);
  map.spans = std::move(expanded.spans);
  return out;
}

}  // namespace colophon
