// The style loader: styles/pdf.toml (embedded), then the book's style file.
#include "layout/style.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <functional>
#include <map>
#include <toml++/toml.h>

#include "core/paths.h"
#include "core/resources.h"

namespace colophon {

namespace {

constexpr std::string_view kBuiltinStyle = "styles/pdf.toml";  // its name as a resource
constexpr double kPointsPerInch = 72.0;
constexpr double kPointsPerMm = 72.0 / 25.4;

// Returns the entries of T in the order they appear in the file (toml++ sorts by key).
std::vector<std::pair<const toml::key*, const toml::node*>> in_file_order(const toml::table& t) {
  std::vector<std::pair<const toml::key*, const toml::node*>> out;
  for (auto&& [k, v] : t) out.push_back({&k, &v});
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    const auto& x = a.first->source().begin;
    const auto& y = b.first->source().begin;
    return x.line != y.line ? x.line < y.line : x.column < y.column;
  });
  return out;
}

SourcePos pos_of(const toml::source_region& r) {
  return SourcePos{static_cast<uint32_t>(r.begin.line), static_cast<uint32_t>(r.begin.column)};
}

// Parses "<number><unit>" with unit pt, mm, cm, in or em (EM points per em); a bare
// number is points.
std::optional<double> parse_length_text(std::string_view s, double em) {
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  size_t n = 0;
  while (n < s.size() && (std::isdigit(static_cast<unsigned char>(s[n])) || s[n] == '.')) ++n;
  if (n == 0) return std::nullopt;
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + n, v);
  if (ec != std::errc() || p != s.data() + n) return std::nullopt;
  std::string_view unit = s.substr(n);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  if (unit.empty() || unit == "pt") return v;
  if (unit == "mm") return v * kPointsPerMm;
  if (unit == "cm") return v * 10 * kPointsPerMm;
  if (unit == "in") return v * kPointsPerInch;
  if (unit == "em") return v * em;
  return std::nullopt;
}

// Reads one style file into a Style, reporting at FILE's line and column.
class StyleReader {
 public:
  // BOOK_ROOT, when given, holds every font named by a relative path (an absolute one
  // names a font of the system).
  StyleReader(const std::string& file, Style& style, Diagnostics& diag, std::string base_dir,
              std::string book_root = {})
      : file_(file),
        style_(style),
        diag_(diag),
        base_dir_(std::move(base_dir)),
        book_root_(std::move(book_root)) {}

  void read(const toml::table& root) {
    // Sizes first, so lengths in em anywhere in the file use this file's body size.
    if (const toml::table* sizes = root["sizes"].as_table())
      if (const toml::node* body = sizes->get("body")) size(*body, style_.font_size);
    for (auto [key_ptr, node_ptr] : in_file_order(root)) {
      const toml::key& key = *key_ptr;
      const toml::node& node = *node_ptr;
      std::string_view k = key.str();
      if (!listed("style", k)) {
        unknown(key, "style");
      } else if (k == "trim") {
        trim(node);
      } else if (k == "two-sided") {
        boolean(node, style_.two_sided);
      } else if (k == "chapter-recto") {
        boolean(node, style_.chapter_recto);
      } else if (k == "margins") {
        table(key, node, [&](std::string_view name, const toml::node& v) {
          if (name == "top") return length(v, style_.margin_top), true;
          if (name == "bottom") return length(v, style_.margin_bottom), true;
          if (name == "inner") return length(v, style_.margin_inner), true;
          if (name == "outer") return length(v, style_.margin_outer), true;
          return false;
        });
      } else if (k == "fonts") {
        table(key, node, [&](std::string_view name, const toml::node& v) {
          FontFiles* files = name == "text"       ? &style_.fonts.text
                             : name == "mono"     ? &style_.fonts.mono
                             : name == "fallback" ? &style_.fonts.fallback
                                                  : nullptr;
          if (!files) return false;
          if (name == "fallback" && v.is_array()) return font_list(v, style_.fonts.fallback_list), true;
          fonts(name, v, *files);
          return true;
        });
      } else if (k == "sizes") {
        table(key, node, [&](std::string_view name, const toml::node& v) {
          if (name == "body") return true;  // read above
          if (name == "footnote") return size(v, style_.footnote_size), true;
          if (name == "footnote-leading") return length(v, style_.footnote_leading), true;
          if (name == "code") return size(v, style_.code_size), true;
          if (name == "code-leading") return length(v, style_.code_leading), true;
          if (name == "quote") return size(v, style_.quote_size), true;
          if (name == "running-head") return size(v, style_.running_head_size), true;
          if (name == "folio") return size(v, style_.folio_size), true;
          if (name == "headings") return headings(v), true;
          return false;
        });
      } else if (k == "paragraph") {
        table(key, node, [&](std::string_view name, const toml::node& v) {
          if (name == "leading") return length(v, style_.leading), true;
          if (name == "indent") return length(v, style_.paragraph_indent, true), true;
          if (name == "justify") return boolean(v, style_.justify), true;
          if (name == "hyphenate") return boolean(v, style_.hyphenate), true;
          if (name == "widows") return count(v, style_.widows, 1, 10), true;
          if (name == "orphans") return count(v, style_.orphans, 1, 10), true;
          if (name == "max-consecutive-hyphens")
            return count(v, style_.max_consecutive_hyphens, 0, 100), true;
          return false;
        });
      } else if (k == "cover") {
        table(key, node, [&](std::string_view name, const toml::node& v) {
          if (name == "background") return color(v, style_.cover_background), true;
          if (name == "text") return color(v, style_.cover_text), true;
          if (name == "accent") return color(v, style_.cover_accent), true;
          return false;
        });
      } else {
        unlisted(key);
      }
    }
  }

 private:
  void bad(const toml::node& node, const std::string& what, const std::string& hint) {
    diag_.error(file_, pos_of(node.source()), what, hint);
  }
  // Tells whether TABLE of the style (as named in style_key_tables) lists KEY.
  static bool listed(std::string_view table, std::string_view key) {
    for (const KeyTable& t : style_key_tables())
      if (t.name == table) return std::find(t.keys.begin(), t.keys.end(), key) != t.keys.end();
    return false;
  }
  void unknown(const toml::key& key, std::string_view table) {
    std::vector<std::string> known;
    for (const KeyTable& t : style_key_tables())
      if (t.name == table) known = t.keys;
    report_unknown_key(diag_, file_, pos_of(key.source()), table, key.str(), known);
  }
  // Reports a key its table lists but this reader does not read: a bug in colophon.
  void unlisted(const toml::key& key) {
    diag_.error(file_, pos_of(key.source()),
                "internal error: style key '" + std::string(key.str()) + "' is listed but not read",
                "this is a bug in colophon; please report it");
  }

  // Walks the table NODE, handing each entry to F; entries F does not know are warned about.
  void table(const toml::key& key, const toml::node& node,
             const std::function<bool(std::string_view, const toml::node&)>& f) {
    const toml::table* t = node.as_table();
    if (!t) {
      // Built with append(): GCC 12 at -O3 warns falsely (-Wrestrict) about "'" + name.
      std::string name(key.str());
      std::string message = "'";
      message.append(name).append("' must be a table");
      std::string hint = "write it as [";
      hint.append(name).append("]");
      bad(node, message, hint);
      return;
    }
    std::string name = "style." + std::string(key.str());
    for (auto [k, v] : in_file_order(*t)) {
      if (!listed(name, k->str()))
        unknown(*k, name);
      else if (!f(k->str(), *v))
        unlisted(*k);
    }
  }

  void trim(const toml::node& node) {
    double w = 0, h = 0;
    const auto* s = node.as_string();
    if (!s) {
      bad(node, "'trim' must be a string", trim_hint());
      return;
    }
    if (std::string problem = trim_problem(s->get(), w, h); !problem.empty()) {
      bad(node, "'trim': '" + s->get() + "' " + problem, trim_hint());
      return;
    }
    style_.page_width = w;
    style_.page_height = h;
    style_.trim_file = file_;
    style_.trim_pos = pos_of(node.source());
  }

  void boolean(const toml::node& node, bool& out) {
    if (auto b = node.value<bool>(); b && node.is_boolean()) out = *b;
    else bad(node, "expected true or false", "write the value without quotes: true or false");
  }

  void length(const toml::node& node, double& out, bool allow_zero = false) {
    std::optional<double> v;
    if (node.is_integer() || node.is_floating_point()) v = node.value<double>();
    else if (const auto* s = node.as_string()) v = parse_length_text(s->get(), style_.font_size);
    if (!v || *v < 0 || (*v == 0 && !allow_zero) || *v > 2000) {
      bad(node, "bad length", "write a number of points or a string such as \"15mm\", \"0.5in\", "
                              "\"12pt\" or \"1.5em\"");
      return;
    }
    out = *v;
  }

  void size(const toml::node& node, double& out) {
    double v = out;
    length(node, v);
    if (v < 2 || v > 200) {
      bad(node, "font size out of range", "use a size between 2 and 200 points");
      return;
    }
    out = v;
  }

  void count(const toml::node& node, int& out, int lo, int hi) {
    auto v = node.value<int64_t>();
    if (!node.is_integer() || !v || *v < lo || *v > hi) {
      bad(node, "expected a whole number from " + std::to_string(lo) + " to " + std::to_string(hi),
          "write a plain integer");
      return;
    }
    out = static_cast<int>(*v);
  }

  // Reads a colour written "#rrggbb".
  void color(const toml::node& node, uint32_t& out) {
    const auto* s = node.as_string();
    std::string_view v = s ? std::string_view(s->get()) : std::string_view();
    uint32_t rgb = 0;
    bool ok = v.size() == 7 && v[0] == '#';
    for (size_t i = 1; ok && i < v.size(); ++i) {
      char c = static_cast<char>(std::tolower(static_cast<unsigned char>(v[i])));
      ok = std::isxdigit(static_cast<unsigned char>(c)) != 0;
      rgb = rgb * 16 + static_cast<uint32_t>(c <= '9' ? c - '0' : c - 'a' + 10);
    }
    if (!ok) {
      bad(node, "bad colour", "write it as \"#rrggbb\", e.g. \"#1d2b3a\"");
      return;
    }
    out = rgb;
  }

  void headings(const toml::node& node) {
    const toml::array* a = node.as_array();
    if (!a || a->empty() || a->size() > 6) {
      bad(node, "headings must be an array of 1 to 6 sizes", "write e.g. headings = [17, 13.5, 11.5]");
      return;
    }
    for (size_t i = 0; i < a->size(); ++i) size((*a)[i], style_.heading_sizes[i]);
    for (size_t i = a->size(); i < 6; ++i) style_.heading_sizes[i] = style_.heading_sizes[a->size() - 1];
  }

  // Reads an array of fallback fonts (files, relative to the style file, or family
  // names) onto the end of LIST.
  void font_list(const toml::node& node, std::vector<std::string>& list) {
    for (const toml::node& item : *node.as_array()) {
      const auto* s = item.as_string();
      if (!s || s->get().empty()) {
        bad(item, "expected a font file or a font family name",
            "write e.g. fallback = [\"Noto Sans CJK SC\", \"fonts/MySymbols.ttf\"]");
        continue;
      }
      const std::string& name = s->get();
      const bool file = name.find('/') != std::string::npos || name.ends_with(".ttf") ||
                        name.ends_with(".otf") || name.ends_with(".ttc");
      if (file && std::filesystem::path(name).is_relative() && !book_root_.empty()) {
        // A font of the book stays inside it, as every file the book names does.
        SafePath safe = resolve_inside(book_root_, base_dir_, name);
        if (safe.status == SafePath::Status::Escapes) {
          bad(item, "font file '" + name + "' is outside the book folder",
              "put the font in the book, or give the absolute path of a font of the system");
          continue;
        }
        list.push_back(safe.absolute.string());
        continue;
      }
      list.push_back(font_path(name));
    }
  }

  // Returns NAME as a path relative to the style file when it names a font file, else
  // as it is (a family name).
  std::string font_path(const std::string& name) const {
    bool file = name.find('/') != std::string::npos || name.ends_with(".ttf") ||
                name.ends_with(".otf") || name.ends_with(".ttc");
    std::filesystem::path p(name);
    if (file && p.is_relative() && !base_dir_.empty()) return (std::filesystem::path(base_dir_) / p).string();
    return name;
  }

  void fonts(std::string_view family, const toml::node& node, FontFiles& files) {
    const toml::table* t = node.as_table();
    if (!t) {
      bad(node, "fonts." + std::string(family) + " must be a table",
          "write it as [fonts." + std::string(family) + "] with regular, italic, bold, bold-italic");
      return;
    }
    for (auto [kp, vp] : in_file_order(*t)) {
      const toml::key& k = *kp;
      const toml::node& v = *vp;
      std::string_view name = k.str();
      std::string* slot = name == "regular"       ? &files.regular
                          : name == "italic"      ? &files.italic
                          : name == "bold"        ? &files.bold
                          : name == "bold-italic" ? &files.bold_italic
                                                  : nullptr;
      std::string table = "style.fonts." + std::string(family);
      if (!listed(table, name)) {
        unknown(k, table);
        continue;
      }
      if (!slot) {
        unlisted(k);
        continue;
      }
      const auto* s = v.as_string();
      if (!s) {
        bad(v, "expected a font file path", "write the path to a .ttf file in quotes");
        continue;
      }
      std::filesystem::path p(s->get());
      if (p.is_relative() && !book_root_.empty()) {
        // A font of the book stays inside it, as every file the book names does.
        SafePath safe = resolve_inside(book_root_, base_dir_, s->get());
        if (safe.status == SafePath::Status::Escapes) {
          bad(v, "font file '" + s->get() + "' is outside the book folder",
              "put the font in the book, or give the absolute path of a font of the system");
          continue;
        }
        p = safe.absolute;
      } else if (p.is_relative() && !base_dir_.empty()) {
        p = std::filesystem::path(base_dir_) / p;
      }
      // A font of the built-in style that is not installed is reported once, by the
      // font loader, against the book; a book's own style is told at the key's place.
      std::string problem = file_ != kBuiltinStyle ? regular_file_problem(p) : "";
      if (problem == "is not found") {
        bad(v, "font file '" + s->get() + "' not found",
            missing_font_hint(p.string(), "fonts." + std::string(family) + "." +
                                              std::string(name)));
        continue;
      }
      if (!problem.empty()) {
        bad(v, "font file '" + s->get() + "' " + problem, "name a .ttf file");
        continue;
      }
      *slot = p.string();
    }
  }

  const std::string& file_;
  Style& style_;
  Diagnostics& diag_;
  std::string base_dir_;
  std::string book_root_;
};

bool parse_number(std::string_view s, double& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && out > 0;
}

}  // namespace

const std::vector<KeyTable>& style_key_tables() {
  static const std::vector<std::string> kFaces = {"regular", "italic", "bold", "bold-italic"};
  static const std::vector<KeyTable> kTables = {
      {"style",
       {"trim", "two-sided", "chapter-recto", "margins", "fonts", "sizes", "paragraph", "cover"}},
      {"style.margins", {"top", "bottom", "inner", "outer"}},
      {"style.fonts", {"text", "mono", "fallback"}},
      {"style.fonts.text", kFaces},
      {"style.fonts.mono", kFaces},
      {"style.fonts.fallback", kFaces},
      {"style.sizes",
       {"body", "footnote", "footnote-leading", "code", "code-leading", "quote", "running-head",
        "folio", "headings"}},
      {"style.paragraph",
       {"leading", "indent", "justify", "hyphenate", "widows", "orphans",
        "max-consecutive-hyphens"}},
      {"style.cover", {"background", "text", "accent"}},
  };
  return kTables;
}

bool parse_trim(std::string_view text, double& width, double& height) {
  return trim_problem(text, width, height).empty();
}

const std::string& trim_hint() {
  static const std::string kHint =
      "allowed values: \"a5\", \"6x9in\", \"a4\", \"letter\", \"b5\", \"royal\", \"demy\", "
      "\"crown-quarto\", KDP's trims in inches (\"5x8\", \"5.25x8\", \"5.5x8.5\", \"6x9\", "
      "\"6.14x9.21\", \"7x10\", \"8.5x11\", ...), or \"<width>x<height>\" in mm, in or pt "
      "(e.g. \"148x210mm\", \"5.5x8.5in\"), from 1 to 200 inches on a side";
  return kHint;
}

std::string trim_problem(std::string_view text, double& width, double& height) {
  std::string t;
  for (char c : text) t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // Paper and book sizes by name, in points: ISO, US letter, the British book sizes, and
  // KDP's standard paperback trims (inches, written without a unit: "6x9", "6.14x9.21").
  static const std::map<std::string, std::pair<double, double>, std::less<>> kNamed = {
      {"a4", {595.28, 841.89}},         {"a5", {419.53, 595.28}},  {"a6", {297.64, 419.53}},
      {"b5", {498.90, 708.66}},         {"letter", {612, 792}},    {"royal", {442.2, 663.3}},
      {"demy", {391.18, 612.28}},       {"crown-quarto", {535.75, 697.32}},
      {"5x8", {360, 576}},              {"5.06x7.81", {364.32, 562.32}},
      {"5.25x8", {378, 576}},           {"5.5x8.5", {396, 612}},
      {"6x9", {432, 648}},              {"6.14x9.21", {442.08, 663.12}},
      {"6.69x9.61", {481.68, 691.92}},  {"7x10", {504, 720}},
      {"7.44x9.69", {535.68, 697.68}},  {"7.5x9.25", {540, 666}},
      {"8x10", {576, 720}},             {"8.25x6", {594, 432}},
      {"8.25x8.25", {594, 594}},        {"8.5x8.5", {612, 612}},
      {"8.5x11", {612, 792}},           {"8.27x11.69", {595.44, 841.68}},
  };
  if (auto it = kNamed.find(t); it != kNamed.end()) {
    width = it->second.first;
    height = it->second.second;
    return {};
  }
  const std::string unknown = "is not a page size colophon knows";
  double scale = 0;
  std::string_view v(t);
  if (v.ends_with("mm")) scale = kPointsPerMm;
  else if (v.ends_with("in")) scale = kPointsPerInch;
  else if (v.ends_with("pt")) scale = 1;
  else return unknown;
  v.remove_suffix(2);
  size_t x = v.find('x');
  if (x == std::string_view::npos) return unknown;
  double w = 0, h = 0;
  if (!parse_number(v.substr(0, x), w) || !parse_number(v.substr(x + 1), h)) return unknown;
  w *= scale;
  h *= scale;
  // A PDF page is at most 14,400 points (200 inches) on a side; less than an inch holds
  // no text.
  if (w < 72 || h < 72) return "is smaller than 1 inch (25.4 mm) on a side";
  if (w > 14400 || h > 14400) return "is larger than 200 inches (5.08 m) on a side, a PDF's limit";
  width = w;
  height = h;
  return {};
}

std::optional<double> parse_length(std::string_view text) {
  return parse_length_text(text, 0);
}

double kdp_inside_margin(size_t pages) {
  // KDP's table: up to 150 pages 0.375 in, 300 0.5, 500 0.625, 700 0.75, more 0.875.
  static constexpr std::pair<size_t, double> kTable[] = {
      {150, 0.375}, {300, 0.5}, {500, 0.625}, {700, 0.75}};
  for (const auto& [limit, inches] : kTable)
    if (pages <= limit) return inches * kPointsPerInch;
  return 0.875 * kPointsPerInch;
}

bool apply_style_toml(std::string_view text, const std::string& file, Style& style,
                      Diagnostics& diag) {
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    std::string hint;
    std::string message = plain_toml_error(e.description(), hint);
    diag.error(file, pos_of(e.source()), message, hint);
    return false;
  }
  std::string base = std::filesystem::path(file).parent_path().string();
  StyleReader(file, style, diag, base).read(root);
  return true;
}

std::string debian_font_package(std::string_view path) {
  std::string_view name = path.substr(path.rfind('/') == std::string_view::npos ? 0 : path.rfind('/') + 1);
  auto starts = [&](std::string_view p) { return name.substr(0, p.size()) == p; };
  if (starts("DejaVu")) {
    // fonts-dejavu-core ships the upright regular and bold faces; the rest are extras.
    for (std::string_view core : {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf",
                                  "DejaVuSansMono-Bold.ttf", "DejaVuSerif.ttf",
                                  "DejaVuSerif-Bold.ttf"})
      if (name == core) return "fonts-dejavu-core";
    return "fonts-dejavu-extra";
  }
  if (starts("NotoSansMono-") || starts("NotoMono-")) return "fonts-noto-mono";
  if (starts("NotoSerif-") || starts("NotoSans-")) return "fonts-noto-core";
  if (starts("Noto") && name.size() > 4 && name.substr(name.size() - 4) == ".ttf")
    return "fonts-noto-core";  // the other Noto TrueType families (NotoSerifDevanagari ...)
  return {};
}

std::string missing_font_hint(std::string_view path, std::string_view key) {
  std::string package = debian_font_package(path);
  std::string set = "set " + std::string(key) +
                    " to an installed .ttf file in a PDF style file ([output.pdf] style = "
                    "\"pdf-style.toml\" in book.toml)";
  if (package.empty()) return "install the font or " + set;
  return "install the Debian package " + package + " (apt-get install " + package + "), or " + set;
}

Style load_style(const Book& book, Diagnostics& diag) {
  Style style;
  const char* kNoto = "/usr/share/fonts/truetype/noto/NotoSerif-";
  const char* kDejaVu = "/usr/share/fonts/truetype/dejavu/";
  style.fonts.text = {std::string(kNoto) + "Regular.ttf", std::string(kNoto) + "Italic.ttf",
                      std::string(kNoto) + "Bold.ttf", std::string(kNoto) + "BoldItalic.ttf"};
  style.fonts.mono = {std::string(kDejaVu) + "DejaVuSansMono.ttf",
                      std::string(kDejaVu) + "DejaVuSansMono-Oblique.ttf",
                      std::string(kDejaVu) + "DejaVuSansMono-Bold.ttf",
                      std::string(kDejaVu) + "DejaVuSansMono-BoldOblique.ttf"};
  if (auto builtin = resource("styles/pdf.toml"))
    apply_style_toml(*builtin, std::string(kBuiltinStyle), style, diag);

  if (!book.pdf.style.empty()) {
    SafePath p = resolve_inside(book.root, book.root, book.pdf.style);
    std::string shown = book.display(p.relative.empty() ? book.pdf.style : p.relative);
    FileRead file = read_book_file(book.root, book.pdf.style);
    std::optional<std::string> text;
    if (file.ok()) text = std::move(file.data);
    if (!text) {
      diag.error(book.config_display(), {},
                 "PDF style file '" + book.pdf.style + "' " + file.problem,
                 file.status == FileRead::Status::Missing ||
                         file.status == FileRead::Status::Outside
                     ? "set [output.pdf] style to a TOML file inside the book directory"
                     : file.hint);
    } else {
      // Relative font paths in a book's style are relative to the style file.
      toml::table root;
      bool ok = true;
      try {
        root = toml::parse(*text, shown);
      } catch (const toml::parse_error& e) {
        std::string hint;
        std::string message = plain_toml_error(e.description(), hint);
        diag.error(shown, pos_of(e.source()), message, hint);
        ok = false;
      }
      if (ok)
        StyleReader(shown, style, diag, p.absolute.parent_path().string(), book.root).read(root);
    }
  }
  // The book's own fallback fonts come before the style's.
  style.fonts.fallback_list.insert(style.fonts.fallback_list.begin(), book.pdf.fallback_fonts.begin(),
                                   book.pdf.fallback_fonts.end());
  const std::string config = book.config_display();
  if (!book.pdf.trim.empty()) {
    double w = 0, h = 0;
    if (std::string problem = trim_problem(book.pdf.trim, w, h); problem.empty()) {
      style.page_width = w;
      style.page_height = h;
      style.trim_file = config;
      style.trim_pos = book.pdf.trim_pos;
    } else {  // read_pdf_options refuses it first
      diag.error(config, book.pdf.trim_pos, "'trim': '" + book.pdf.trim + "' " + problem,
                 trim_hint());
    }
  }
  if (book.pdf.print && book.pdf.inside_margin > 0) style.margin_inner = book.pdf.inside_margin;
  // A measure narrower than a few ems cannot hold text: fall back to proportional margins.
  double min_measure = 6 * style.font_size;
  if (style.page_width - style.margin_inner - style.margin_outer < min_measure ||
      style.page_height - style.margin_top - style.margin_bottom < 8 * style.leading) {
    // Said where the page size was set (else in book.toml), with the size it has.
    auto mm = [](double points) { return std::to_string(std::lround(points / kPointsPerMm)); };
    diag.error(style.trim_file.empty() ? config : style.trim_file, style.trim_pos,
               "the PDF margins leave no room for text on a page of " + mm(style.page_width) +
                   " x " + mm(style.page_height) + " mm",
               "make the margins smaller or the trim size larger");
    style.margin_inner = style.margin_outer = style.page_width * 0.12;
    style.margin_top = style.margin_bottom = style.page_height * 0.1;
  }
  return style;
}

}  // namespace colophon
