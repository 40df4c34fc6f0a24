#include "read/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <optional>
#include <sstream>

#include "core/config_table.h"
#include "core/paths.h"
#include "core/text.h"
#include "read/preprocess.h"

namespace colophon {

namespace {

// Returns the line:col where a TOML key or value starts.
SourcePos at(const toml::source_region& region) { return {region.begin.line, region.begin.column}; }

std::vector<ConfigEntry> entries_of(const toml::table& table);

// Returns NODE as a plain value (see core/config_table.h).
ConfigValue value_of(const toml::node& node) {
  ConfigValue v;
  v.pos = at(node.source());
  if (const auto* s = node.as_string()) {
    v.string = s->get();
  } else if (const auto* i = node.as_integer()) {
    v.type = ConfigValue::Type::Integer;
    v.integer = i->get();
  } else if (const auto* f = node.as_floating_point()) {
    v.type = ConfigValue::Type::Float;
    v.number = f->get();
  } else if (const auto* b = node.as_boolean()) {
    v.type = ConfigValue::Type::Boolean;
    v.boolean = b->get();
  } else if (const auto* a = node.as_array()) {
    v.type = ConfigValue::Type::Array;
    for (const toml::node& item : *a) v.items.push_back(value_of(item));
  } else if (const auto* t = node.as_table()) {
    v.type = ConfigValue::Type::Table;
    v.entries = entries_of(*t);
  } else {  // date, time, date-time: kept as written
    v.type = ConfigValue::Type::Date;
    std::ostringstream text;
    if (const auto* d = node.as_date()) text << d->get();
    if (const auto* t = node.as_time()) text << t->get();
    if (const auto* dt = node.as_date_time()) text << dt->get();
    v.string = text.str();
  }
  return v;
}

// Returns the entries of TABLE in the order written.
std::vector<ConfigEntry> entries_of(const toml::table& table) {
  std::vector<ConfigEntry> out;
  for (auto&& [key, node] : table) {
    ConfigEntry& e = out.emplace_back();
    e.key = std::string(key.str());
    e.pos = at(key.source());
    e.value = value_of(node);
  }
  // toml++ keeps keys sorted by name; the owner reads (and reports) them in file order.
  std::stable_sort(out.begin(), out.end(), [](const ConfigEntry& a, const ConfigEntry& b) {
    return a.pos.line != b.pos.line ? a.pos.line < b.pos.line : a.pos.col < b.pos.col;
  });
  return out;
}

// Checks the keys of one table and reports the values it cannot use.
class ConfigReader {
 public:
  ConfigReader(const std::string& file, Book& book, Diagnostics& diag)
      : file_(file), book_(book), diag_(diag) {}

  void read(const toml::table& root);

 private:
  void read_book_table(const toml::table& table);
  void read_preprocessor_tables(const toml::table& table);
  void read_admonish_table(const toml::table& table, PreprocessorSpec& spec);
  void read_toc_table(const toml::table& table, PreprocessorSpec& spec);
  void site_url_value(const toml::key& key, const toml::node& node, bool ours);
  void read_html_table(const toml::table& table);
  void read_build_table(const toml::table& table);

  // Returns the string value of KEY, or reports a type error and returns nullopt.
  std::optional<std::string> string_value(const toml::key& key, const toml::node& node,
                                          std::string_view example);
  // Returns the strings of an array value, or reports a type error.
  std::optional<std::vector<std::string>> string_array(const toml::key& key, const toml::node& node,
                                                       std::string_view example);
  // Returns the string value of KEY if it is one of ALLOWED, else reports it.
  template <size_t N>
  std::optional<std::string> choice(const toml::key& key, const toml::node& node,
                                    const std::array<std::string_view, N>& allowed);
  // Checks that PATH (relative to the book root) names an existing file inside the
  // book; returns its normalised relative path.
  std::optional<std::string> existing_file(SourcePos pos, std::string_view key_name,
                                           const std::string& path);
  void date_value(const toml::key& key, const toml::node& node);
  // Returns S without the spaces around it; a value of nothing but spaces is reported
  // at POS (a metadata element of the EPUB may not be empty) and returned empty.
  std::string text_value(std::string_view key, const std::string& s, SourcePos pos);
  // Keeps the entries of LIST that are not blank (text_value), in order.
  std::vector<std::string> text_values(std::string_view key, std::vector<std::string> list,
                                       SourcePos pos);
  void identifier_value(const toml::key& key, const std::string& value);
  void unknown_key(const toml::key& key, std::string_view table,
                   const std::vector<std::string>& known);
  // Reports a key its table lists but this reader does not read: a bug in colophon.
  void unlisted_key(const toml::key& key);

  const std::string& file_;
  Book& book_;
  Diagnostics& diag_;
  bool site_url_from_book_table_ = false;
};

// The keys of each table colophon reads here, in the order the guide lists them; each
// reader takes only these (see config_key_tables).
const std::vector<std::string> kBookKeys = {
    "title",    "authors",    "language",     "description",    "src",
    "subtitle", "identifier", "publisher",    "date",           "rights",
    "subjects", "cover",      "multilingual", "text-direction", "dead-links",
    "missing-anchors", "include-dirs", "site-url"};
const std::vector<std::string> kBuildKeys = {"build-dir", "extra-watch-dirs", "create-missing",
                                             "use-default-preprocessors"};
const std::vector<std::string> kTopLevelTables = {"book", "output", "build", "rust",
                                                  "preprocessor"};

// Tells whether NAME is one of KEYS.
bool known(const std::vector<std::string>& keys, std::string_view name) {
  return std::find(keys.begin(), keys.end(), name) != keys.end();
}

void ConfigReader::read(const toml::table& root) {
  for (auto&& [key, node] : root) {
    std::string_view name = key.str();
    if (name == "book") {
      if (const toml::table* t = node.as_table()) {
        read_book_table(*t);
      } else {
        diag_.error(file_, at(key.source()), "'book' must be a table",
                    "write the book's keys under a [book] line");
      }
    } else if (name == "output") {
      const toml::table* out = node.as_table();
      if (out == nullptr) {
        diag_.error(file_, at(key.source()), "'output' must be a table",
                    "write output options under [output.epub] and [output.pdf]");
        continue;
      }
      // Each [output.NAME] table is kept as it is for the target of that name, which
      // checks its keys; tables no target reads (mdBook's html ...) are left alone.
      for (auto&& [sub_key, sub] : *out) {
        std::string sub_name(sub_key.str());
        if (sub_name == "html") {  // mdBook's: colophon reads only its site-url
          if (const toml::table* t = sub.as_table()) {
            for (auto&& [html_key, html_node] : *t)
              if (html_key.str() == "site-url") site_url_value(html_key, html_node, false);
          }
        }
        const toml::table* t = sub.as_table();
        if (t == nullptr) {
          diag_.error(file_, at(sub_key.source()), "'output." + sub_name + "' must be a table",
                      "write its options under an [output." + sub_name + "] line");
          continue;
        }
        if (sub_name == "html") read_html_table(*t);  // what changes how Markdown reads
        ConfigTable& table = book_.outputs.emplace_back();
        table.name = sub_name;
        table.file = file_;
        table.pos = at(sub_key.source());
        table.entries = entries_of(*t);
      }
    } else if (name == "preprocessor") {
      if (const toml::table* t = node.as_table()) {
        read_preprocessor_tables(*t);
      } else {
        diag_.error(file_, at(key.source()), "'preprocessor' must be a table",
                    "write each preprocessor under a [preprocessor.NAME] line");
      }
    } else if (name == "build") {
      if (const toml::table* t = node.as_table()) {
        read_build_table(*t);
      } else {
        diag_.error(file_, at(key.source()), "'build' must be a table",
                    "write its keys under a [build] line");
      }
    } else if (name == "rust") {
      // mdBook's own table: accepted, not used.
    } else {
      report_unknown_key(diag_, file_, at(key.source()), "", name, kTopLevelTables,
                         config_key_tables());
    }
  }
}

void ConfigReader::unlisted_key(const toml::key& key) {
  diag_.error(file_, at(key.source()),
              "internal error: '" + std::string(key.str()) + "' is listed but not read",
              "this is a bug in colophon; please report it");
}

void ConfigReader::unknown_key(const toml::key& key, std::string_view table,
                               const std::vector<std::string>& known) {
  report_unknown_key(diag_, file_, at(key.source()), table, key.str(), known, config_key_tables());
}

std::optional<std::string> ConfigReader::string_value(const toml::key& key, const toml::node& node,
                                                      std::string_view example) {
  if (const toml::value<std::string>* s = node.as_string()) return s->get();
  diag_.error(file_, at(key.source()), "'" + std::string(key.str()) + "' must be a string",
              "write it in quotes, e.g. " + std::string(example));
  return std::nullopt;
}

std::optional<std::vector<std::string>> ConfigReader::string_array(const toml::key& key,
                                                                   const toml::node& node,
                                                                   std::string_view example) {
  const toml::array* array = node.as_array();
  bool ok = array != nullptr;
  std::vector<std::string> out;
  if (ok) {
    for (const toml::node& item : *array) {
      const toml::value<std::string>* s = item.as_string();
      if (s == nullptr) {
        ok = false;
        break;
      }
      out.push_back(s->get());
    }
  }
  if (ok) return out;
  diag_.error(file_, at(key.source()),
              "'" + std::string(key.str()) + "' must be an array of strings",
              "write it as " + std::string(example));
  return std::nullopt;
}

template <size_t N>
std::optional<std::string> ConfigReader::choice(const toml::key& key, const toml::node& node,
                                                const std::array<std::string_view, N>& allowed) {
  std::string list;
  for (std::string_view a : allowed) list += (list.empty() ? "\"" : ", \"") + std::string(a) + "\"";
  const toml::value<std::string>* s = node.as_string();
  if (s != nullptr) {
    for (std::string_view a : allowed)
      if (s->get() == a) return s->get();
  }
  std::string name(key.str());
  diag_.error(file_, at(key.source()),
              s != nullptr ? "'" + name + "': '" + s->get() + "' is not an allowed value"
                           : "'" + name + "' must be a string",
              "allowed values: " + list);
  return std::nullopt;
}

std::optional<std::string> ConfigReader::existing_file(SourcePos pos, std::string_view key_name,
                                                       const std::string& path) {
  return book_file(book_.root, path, file_, pos, key_name, diag_);
}

// Tells whether S is YYYY, YYYY-MM or YYYY-MM-DD with a real month and day.
bool is_publication_date(std::string_view s) {
  auto digits = [&](size_t from, size_t n) {
    if (from + n > s.size()) return false;
    for (size_t i = from; i < from + n; ++i)
      if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    return true;
  };
  auto number = [&](size_t from, size_t n) { return std::stoi(std::string(s.substr(from, n))); };
  if (!digits(0, 4)) return false;
  if (number(0, 4) == 0) return false;  // there was no year 0 (EPUB checkers refuse it)
  if (s.size() == 4) return true;
  if (s.size() < 7 || s[4] != '-' || !digits(5, 2)) return false;
  int month = number(5, 2);
  if (month < 1 || month > 12) return false;
  if (s.size() == 7) return true;
  if (s.size() != 10 || s[7] != '-' || !digits(8, 2)) return false;
  int year = number(0, 4), day = number(8, 2);
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  int max_day = month == 2 && !leap ? 28 : kDays[month - 1];
  return day >= 1 && day <= max_day;
}

std::string ConfigReader::text_value(std::string_view key, const std::string& s,
                                     SourcePos pos) {
  std::string out(trim(s));
  if (out.empty() && !s.empty())
    diag_.warning(file_, pos, "'" + std::string(key) + "' is blank; it is left out",
                  "write the text, or remove the key");
  return out;
}

std::vector<std::string> ConfigReader::text_values(std::string_view key,
                                                   std::vector<std::string> list,
                                                   SourcePos pos) {
  std::vector<std::string> out;
  for (const std::string& s : list)
    if (std::string t = std::string(trim(s)); !t.empty()) out.push_back(std::move(t));
  if (out.size() < list.size())
    diag_.warning(file_, pos, "an entry of '" + std::string(key) + "' is blank; it is left out",
                  "write the text, or remove the entry");
  return out;
}

void ConfigReader::date_value(const toml::key& key, const toml::node& node) {
  constexpr std::string_view kHint =
      "write the publication date in quotes as \"2026-11-27\", \"2026-11\" or \"2026\"";
  if (const toml::value<toml::date>* d = node.as_date()) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04u-%02u-%02u", unsigned{d->get().year},
                  unsigned{d->get().month}, unsigned{d->get().day});
    if (is_publication_date(buf))
      book_.meta.date = buf;
    else
      diag_.error(file_, at(key.source()), "'date': " + std::string(buf) + " is not a valid date",
                  std::string(kHint));
    return;
  }
  const toml::value<std::string>* s = node.as_string();
  if (s == nullptr) {
    diag_.error(file_, at(key.source()), "'date' must be a date", std::string(kHint));
  } else if (!is_publication_date(s->get())) {
    diag_.error(file_, at(key.source()), "'date': '" + s->get() + "' is not a valid date",
                std::string(kHint));
  } else {
    book_.meta.date = s->get();
  }
}

// Tells whether DIGITS (hyphens and spaces removed) is an ISBN-10 or ISBN-13 with a
// correct check digit.
bool is_isbn(std::string_view text) {
  std::string d;
  for (char c : text)
    if (c != '-' && c != ' ') d += c;
  if (d.size() == 13) {
    int sum = 0;
    for (size_t i = 0; i < 13; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(d[i]))) return false;
      sum += (d[i] - '0') * (i % 2 == 0 ? 1 : 3);
    }
    return sum % 10 == 0;
  }
  if (d.size() == 10) {
    int sum = 0;
    for (size_t i = 0; i < 10; ++i) {
      int v;
      if (std::isdigit(static_cast<unsigned char>(d[i])))
        v = d[i] - '0';
      else if (i == 9 && (d[i] == 'X' || d[i] == 'x'))
        v = 10;
      else
        return false;
      sum += v * static_cast<int>(10 - i);
    }
    return sum % 11 == 0;
  }
  return false;
}

// Tells whether S is a UUID in its 8-4-4-4-12 hexadecimal form.
bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

void ConfigReader::identifier_value(const toml::key& key, const std::string& value) {
  std::string problem = identifier_problem(value);
  if (problem.empty()) {
    book_.meta.identifier = value;
  } else {
    diag_.error(file_, at(key.source()), "'identifier': " + problem, std::string(kIdentifierHint));
  }
}

void ConfigReader::read_book_table(const toml::table& table) {
  Metadata& meta = book_.meta;
  for (auto&& [key, node] : table) {
    std::string_view name = key.str();
    SourcePos pos = at(key.source());
    if (!known(kBookKeys, name)) {
      unknown_key(key, "book", kBookKeys);
    } else if (name == "title") {
      // A blank title is no title: the reader then says so and writes "Untitled".
      if (auto s = string_value(key, node, "title = \"My Book\"")) meta.title = trim(*s);
      meta.title_pos = pos;
    } else if (name == "subtitle") {
      if (auto s = string_value(key, node, "subtitle = \"A Novel\""))
        meta.subtitle = text_value(name, *s, pos);
      meta.subtitle_pos = pos;
    } else if (name == "authors") {
      if (auto a = string_array(key, node, "authors = [\"Jane Doe\", \"John Roe\"]"))
        meta.authors = text_values(name, std::move(*a), pos);
      meta.authors_pos = pos;
    } else if (name == "language") {
      if (auto s = string_value(key, node, "language = \"en\"")) {
        if (is_language_tag(*s)) {
          meta.language = *s;
          meta.language_set = true;
        } else {
          diag_.error(file_, pos, "'language': '" + *s + "' is not a BCP 47 language tag",
                      "use a tag such as \"en\", \"en-GB\", \"de\", \"fr-CA\" or \"zh-Hant\"");
        }
      }
    } else if (name == "description") {
      if (auto s = string_value(key, node, "description = \"...\""))
        meta.description = text_value(name, *s, pos);
    } else if (name == "src") {
      if (auto s = string_value(key, node, "src = \"src\"")) {
        SafePath p = resolve_inside(book_.root, book_.root, *s);
        if (p.status == SafePath::Status::Ok && fs::is_directory(p.absolute)) {
          book_.src_dir = p.relative.empty() ? "." : p.relative;
        } else if (p.status == SafePath::Status::Escapes ||
                   p.status == SafePath::Status::Absolute) {
          diag_.error(file_, pos, "'src': '" + *s + "' is outside the book folder",
                      "give a folder inside the book, relative to book.toml (default \"src\")");
        } else {
          diag_.error(file_, pos, "'src': folder '" + *s + "' not found",
                      "create it or fix the path (relative to book.toml; default \"src\")");
          book_.src_dir = *s;
        }
      }
    } else if (name == "identifier") {
      if (auto s = string_value(key, node, "identifier = \"urn:isbn:9780000000000\""))
        identifier_value(key, *s);
      meta.identifier_pos = pos;
    } else if (name == "publisher") {
      if (auto s = string_value(key, node, "publisher = \"...\""))
        meta.publisher = text_value(name, *s, pos);
      meta.publisher_pos = pos;
    } else if (name == "date") {
      date_value(key, node);
    } else if (name == "rights") {
      if (auto s = string_value(key, node, "rights = \"All rights reserved\""))
        meta.rights = text_value(name, *s, pos);
      meta.rights_pos = pos;
    } else if (name == "subjects") {
      if (auto a = string_array(key, node, "subjects = [\"History\", \"Russia\"]"))
        meta.subjects = text_values(name, std::move(*a), pos);
    } else if (name == "cover") {
      if (const auto* b = node.as_boolean(); b != nullptr && !b->get()) {
        meta.no_cover = true;  // no cover at all; `true` is no path, reported below
      } else if (auto s = string_value(key, node, "cover = \"src/images/cover.jpg\", or false")) {
        if (auto rel = existing_file(pos, "cover", *s)) meta.cover = *rel;
      }
    } else if (name == "multilingual") {
      if (!node.is_boolean())
        diag_.error(file_, pos, "'multilingual' must be true or false",
                    "allowed values: true, false");
    } else if (name == "text-direction") {
      if (auto d = choice(key, node, std::array<std::string_view, 2>{"ltr", "rtl"})) meta.direction = *d;
    } else if (name == "dead-links" || name == "missing-anchors") {  // the latter: its old name
      if (auto s = choice(key, node, std::array<std::string_view, 2>{"error", "warning"}))
        book_.dead_links_are_errors = *s == "error";
    } else if (name == "include-dirs") {
      if (auto dirs = string_array(key, node, "include-dirs = [\"../examples\"]")) {
        for (const std::string& d : *dirs) {
          std::error_code ec;
          if (fs::is_directory(fs::path(book_.root) / d, ec)) {
            book_.source.include_dirs.push_back(d);
          } else {
            diag_.error(file_, pos, "'include-dirs': folder '" + d + "' not found",
                        "give folders relative to book.toml, e.g. include-dirs = [\"../examples\"]");
          }
        }
      }
    } else if (name == "site-url") {
      site_url_value(key, node, true);
    } else {
      unlisted_key(key);
    }
  }
}

void ConfigReader::read_build_table(const toml::table& table) {
  for (auto&& [key, node] : table) {
    std::string_view name = key.str();
    SourcePos pos = at(key.source());
    if (!known(kBuildKeys, name)) {
      unknown_key(key, "build", kBuildKeys);
    } else if (name == "build-dir") {
      if (auto s = string_value(key, node, "build-dir = \"book\"")) {
        if (s->empty()) {
          diag_.error(file_, pos, "'build-dir' is empty",
                      "give a folder relative to book.toml, e.g. build-dir = \"book\"");
        } else {
          book_.build_dir = *s;
        }
      }
    } else if (name == "extra-watch-dirs") {
      if (auto dirs = string_array(key, node, "extra-watch-dirs = [\"examples\"]"))
        book_.watch_dirs = *dirs;
    } else if (name == "use-default-preprocessors") {
      if (auto b = node.value<bool>(); b && node.is_boolean())
        book_.source.default_preprocessors = *b;
      else
        diag_.error(file_, pos, "'use-default-preprocessors' must be true or false",
                    "allowed values: true (the default), false");
    } else if (name == "create-missing") {
      // mdBook's: accepted, not used.
    } else {
      unlisted_key(key);
    }
  }
}

// Reads a web address for the book: ours ([book] site-url) wins over mdBook's
// ([output.html] site-url). Only an absolute http(s) address can make a link that
// leaves the book absolute; mdBook's path-only form ("/mdBook/") is kept out.
void ConfigReader::site_url_value(const toml::key& key, const toml::node& node, bool ours) {
  std::optional<std::string> s =
      string_value(key, node, "site-url = \"https://example.org/my-book/\"");
  if (!s) return;
  bool absolute = s->rfind("https://", 0) == 0 || s->rfind("http://", 0) == 0;
  if (!absolute) {
    if (ours)
      diag_.error(file_, at(key.source()),
                  "'site-url': '" + *s + "' is not an absolute http(s) address",
                  "write the book's web address, e.g. site-url = \"https://example.org/my-book/\"");
    return;  // mdBook's site-url may be a path on the server: not a web address
  }
  if (ours || site_url_from_book_table_ == false) {
    book_.site_url = *s;
    if (book_.site_url.back() != '/') book_.site_url += '/';
    if (ours) site_url_from_book_table_ = true;
  }
}

void ConfigReader::read_preprocessor_tables(const toml::table& table) {
  for (auto&& [key, node] : table) {
    PreprocessorSpec spec;
    spec.name = std::string(key.str());
    spec.pos = at(key.source());
    const toml::table* t = node.as_table();
    if (t == nullptr) {
      diag_.error(file_, spec.pos, "'preprocessor." + spec.name + "' must be a table",
                  "write its keys under a [preprocessor." + spec.name + "] line");
      continue;
    }
    for (auto&& [k, v] : *t) {
      std::string_view name = k.str();
      if (name == "command") {
        if (auto s = string_value(k, v, "command = \"mdbook-NAME\"")) spec.command = *s;
      } else if (name == "before" || name == "after") {
        if (auto a = string_array(k, v, name == "before" ? "before = [\"links\"]"
                                                         : "after = [\"links\"]"))
          (name == "before" ? spec.before : spec.after) = *a;
      } else if (name == "renderers") {
        if (auto a = string_array(k, v, "renderers = [\"colophon\"]")) {
          spec.renderers = *a;
          spec.has_renderers = true;
        }
      } else if (name == "optional") {
        if (auto b = v.value<bool>()) spec.optional = *b;
      }
      // Any other key is the preprocessor's own setting, passed on in the config.
    }
    if (spec.name == "admonish") read_admonish_table(*t, spec);
    if (spec.name == "toc") read_toc_table(*t, spec);
    book_.source.preprocessors.push_back(std::move(spec));
  }
}

// Makes SPEC built in (colophon does its work; no command runs) and returns true, unless
// its command names a program other than PROGRAM, the one colophon stands in for: an
// author's own program of that name runs as a command.
bool take_builtin(PreprocessorSpec& spec, std::string_view program) {
  std::vector<std::string> argv;
  if (!spec.command.empty() &&
      (!split_command(spec.command, argv) || argv.empty() ||
       std::filesystem::path(argv[0]).filename() != program))
    return false;
  spec.builtin = true;
  return true;
}

// Makes [preprocessor.admonish] built in (colophon reads the blocks, no command runs)
// unless its command is another program, and reads the settings colophon honours:
// on_failure and default = { title, collapsible }.
void ConfigReader::read_admonish_table(const toml::table& table, PreprocessorSpec& spec) {
  if (!take_builtin(spec, "mdbook-admonish")) return;
  AdmonishOptions& o = book_.markdown.admonish;
  o.enabled = spec.runs_for(kRendererName);
  for (auto&& [k, v] : table) {
    std::string_view name = k.str();
    if (name == "on_failure") {
      auto s = string_value(k, v, "on_failure = \"bail\"");
      if (s && (*s == "bail" || *s == "continue")) {
        o.bail = *s == "bail";
      } else if (s) {
        diag_.error(file_, at(k.source()), "on_failure must be \"continue\" or \"bail\"",
                    "write on_failure = \"bail\" to stop the build at a block that cannot be "
                    "read, \"continue\" to warn");
      }
    } else if (name == "default") {
      const toml::table* d = v.as_table();
      if (d == nullptr) {
        diag_.error(file_, at(k.source()), "'default' must be a table",
                    "write default = { title = \"Note\", collapsible = false }");
        continue;
      }
      for (auto&& [dk, dv] : *d) {
        if (dk.str() == "title") {
          if (auto s = string_value(dk, dv, "title = \"Note\"")) {
            o.has_default_title = true;
            o.default_title = *s;
          }
        } else if (dk.str() == "collapsible") {
          if (auto b = dv.value<bool>())
            o.default_collapsible = *b;
          else
            diag_.error(file_, at(dk.source()), "'collapsible' must be true or false",
                        "write collapsible = true");
        }
      }
    }
  }
}

// Makes [preprocessor.toc] built in (colophon writes each chapter's contents where the
// marker stands, no command runs) unless its command is another program, and reads
// mdbook-toc's settings: marker and max-level.
void ConfigReader::read_toc_table(const toml::table& table, PreprocessorSpec& spec) {
  if (!take_builtin(spec, "mdbook-toc")) return;
  TocOptions& o = book_.markdown.toc;
  o.enabled = spec.runs_for(kRendererName);
  for (auto&& [k, v] : table) {
    std::string_view name = k.str();
    if (name == "marker") {
      auto s = string_value(k, v, "marker = \"<!-- toc -->\"");
      if (!s) continue;
      std::vector<std::string_view> lines = nonblank_lines(*s);
      if (lines.empty()) {
        diag_.error(file_, at(k.source()), "the toc marker is empty",
                    "write marker = \"<!-- toc -->\", or leave the key out");
        continue;
      }
      o.marker_lines.assign(lines.begin(), lines.end());
    } else if (name == "max-level") {
      std::optional<int64_t> n = v.value<int64_t>();
      if (n && *n >= 1 && *n <= 6) {
        o.max_level = static_cast<int>(*n);
      } else {
        diag_.error(file_, at(k.source()), "max-level must be a number from 1 to 6",
                    "write max-level = 4 to list headings down to ####");
      }
    }
  }
}

// Reads the keys of mdBook's [output.html] that change what its Markdown means; the
// others belong to mdBook's HTML renderer and are left alone.
void ConfigReader::read_html_table(const toml::table& table) {
  for (auto&& [key, node] : table) {
    std::string_view name = key.str();
    bool* flag = name == "admonitions"        ? &book_.markdown.admonitions
                 : name == "definition-lists" ? &book_.markdown.definition_lists
                 : name == "mathjax-support"  ? &book_.markdown.mathjax
                 : name == "math"             ? &book_.markdown.dollar_math
                                              : nullptr;
    if (flag == nullptr) continue;
    if (const toml::value<bool>* b = node.as_boolean()) {
      *flag = b->get();
    } else {
      diag_.error(file_, at(key.source()), "'" + std::string(name) + "' must be true or false",
                  "write " + std::string(name) + " = true");
    }
  }
}

}  // namespace

bool is_language_tag(std::string_view tag) {
  // language (2-3 letters, or 4-8 registered ones) then subtags of 1-8 letters/digits.
  size_t i = 0, part = 0;
  while (i <= tag.size()) {
    size_t end = tag.find('-', i);
    if (end == std::string_view::npos) end = tag.size();
    std::string_view sub = tag.substr(i, end - i);
    if (sub.empty() || sub.size() > 8) return false;
    for (char c : sub) {
      bool ok = part == 0 ? std::isalpha(static_cast<unsigned char>(c))
                          : std::isalnum(static_cast<unsigned char>(c));
      if (!ok) return false;
    }
    if (part == 0 && sub.size() < 2 && sub != "x" && sub != "i") return false;  // x-, i- prefixes
    ++part;
    i = end + 1;
  }
  return part > 0;
}

bool read_config(std::string_view text, const std::string& file, Book& book, Diagnostics& diag) {
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    std::string hint;
    std::string message = plain_toml_error(e.description(), hint);
    diag.error(file, at(e.source()), message, hint);
    return false;
  } catch (const std::exception& e) {
    diag.error(file, {}, std::string("cannot read book.toml: ") + e.what(),
               "check that book.toml is a UTF-8 TOML file");
    return false;
  }
  // toml++ hands tables over sorted by key: the messages go out in the file's order.
  Diagnostics found;
  ConfigReader(file, book, found).read(root);
  for (Diagnostic& d : found.all()) diag.add(std::move(d));
  diag.sort_file(file);
  return !found.has_errors();
}

std::vector<KeyTable> config_key_tables() {
  return {{"", kTopLevelTables}, {"book", kBookKeys}, {"build", kBuildKeys}};
}

std::string config_json(std::string_view text) {
  try {
    toml::table root = toml::parse(text);
    if (!root.contains("book")) root.insert("book", toml::table{});
    if (toml::table* b = root["book"].as_table(); b != nullptr && !b->contains("src"))
      b->insert("src", "src");
    std::ostringstream out;
    out << toml::json_formatter(root);
    return out.str();
  } catch (const std::exception&) {
    return "{}";
  }
}

std::string identifier_problem(std::string_view value) {
  constexpr std::string_view kIsbn = "urn:isbn:", kUuid = "urn:uuid:";
  std::string v(value);
  if (value.substr(0, kIsbn.size()) == kIsbn)
    return is_isbn(value.substr(kIsbn.size()))
               ? std::string()
               : "'" + v + "' is not a valid ISBN (wrong length or check digit)";
  if (value.substr(0, kUuid.size()) == kUuid)
    return is_uuid(value.substr(kUuid.size())) ? std::string()
                                                : "'" + v + "' is not a valid UUID";
  return "'" + v + "' is not an allowed identifier";
}

bool is_date(std::string_view value) { return is_publication_date(std::string(value)); }

}  // namespace colophon
