#include "core/config_table.h"

#include <algorithm>
#include <atomic>

#include "core/paths.h"
#include "core/text.h"

namespace colophon {

namespace {

// Joins names as `a, b, c` for hints.
std::string join(const std::vector<std::string_view>& names, bool quoted) {
  std::string out;
  for (std::string_view n : names) {
    if (!out.empty()) out += ", ";
    if (quoted) out += '"';
    out += n;
    if (quoted) out += '"';
  }
  return out;
}

std::atomic<const std::vector<KeyTable>*> catalogue{nullptr};  // set once, then only read

// Returns the catalogue, empty until the driver set it.
const std::vector<KeyTable>& key_catalogue() {
  static const std::vector<KeyTable> kNone;
  const std::vector<KeyTable>* c = catalogue.load(std::memory_order_acquire);
  return c ? *c : kNone;
}

// Tells whether TABLE belongs to the PDF style file rather than to book.toml.
bool is_style_table(std::string_view table) {
  return table == "style" || table.substr(0, 6) == "style.";
}

// Returns where a line goes to be read as part of TABLE.
std::string move_hint(std::string_view table) {
  if (table.empty()) return "move it above the first [table] of book.toml";
  if (is_style_table(table))
    return "move it to a PDF style file (named in book.toml by [output.pdf] style = "
           "\"pdf-style.toml\")" +
           std::string(table == "style" ? "" : ", under [" + std::string(table.substr(6)) + "]");
  return "move it under [" + std::string(table) + "] (add that line if there is none)";
}

}  // namespace

void set_key_catalogue(std::vector<KeyTable> tables) {
  if (catalogue.load(std::memory_order_acquire) != nullptr) return;
  auto* fresh = new std::vector<KeyTable>(std::move(tables));
  const std::vector<KeyTable>* expected = nullptr;
  if (!catalogue.compare_exchange_strong(expected, fresh, std::memory_order_acq_rel)) delete fresh;
}

std::string describe_table(std::string_view table) {
  if (table.empty()) return "the top of book.toml";
  if (table == "style") return "the PDF style file";
  // Built with append(): GCC 12 at -O3 warns falsely (-Wrestrict) about "[" + name.
  std::string out = "[";
  if (is_style_table(table)) return out.append(table.substr(6)).append("] of the PDF style file");
  return out.append(table).append("]");
}

void report_unknown_key(Diagnostics& diag, const std::string& file, SourcePos pos,
                        std::string_view table, std::string_view key,
                        const std::vector<std::string>& known,
                        const std::vector<KeyTable>& neighbours) {
  std::string name(key);
  // A key of another table: the setting would be lost where it is.
  std::vector<std::string_view> homes;
  bool in_style = is_style_table(table);
  for (const auto* tables : {&neighbours, &key_catalogue()}) {
    for (const KeyTable& t : *tables) {
      if (t.name == table || std::find(t.keys.begin(), t.keys.end(), key) == t.keys.end() ||
          std::find(homes.begin(), homes.end(), t.name) != homes.end())
        continue;
      homes.push_back(t.name);
    }
  }
  // Prefer the file the key is in: [book] and [output.pdf] both over the style file.
  std::stable_partition(homes.begin(), homes.end(),
                        [&](std::string_view h) { return is_style_table(h) == in_style; });
  if (!homes.empty()) {
    std::string where = describe_table(homes.front());
    for (size_t i = 1; i < homes.size() && is_style_table(homes[i]) == is_style_table(homes[0]);
         ++i)
      where += " or " + describe_table(homes[i]);
    diag.error(file, pos,
               "'" + name + "' belongs in " + where + ", not " +
                   (table.empty() ? std::string("above the first [table] of book.toml")
                                  : "in " + describe_table(table)),
               move_hint(homes.front()));
    return;
  }
  std::string near = closest_match(key, known);
  std::string list;
  for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
  std::string what = table.empty() ? "unknown table '" + name + "' in book.toml"
                                   : "unknown key '" + name + "' in " + describe_table(table);
  diag.warning(file, pos, what,
               near.empty() ? (table.empty() ? "the known tables are " : "the known keys are ") +
                                  list + "; check the spelling"
                            : "did you mean '" + near + "'?");
}

std::string plain_toml_error(std::string_view description, std::string& hint) {
  std::string d(description);
  // "Error while parsing THING: DETAIL"
  std::string thing, detail = d;
  constexpr std::string_view kPrefix = "Error while parsing ";
  if (d.rfind(kPrefix, 0) == 0) {
    size_t colon = d.find(": ", kPrefix.size());
    if (colon != std::string::npos) {
      thing = d.substr(kPrefix.size(), colon - kPrefix.size());
      detail = d.substr(colon + 2);
    }
  }
  auto has = [&](std::string_view s) { return detail.find(s) != std::string::npos; };
  // The name in quotes at the end of DETAIL ("... existing table 'book'").
  auto quoted = [&]() -> std::string {
    size_t end = detail.rfind('\'');
    size_t start =
        end == std::string::npos || end == 0 ? std::string::npos : detail.rfind('\'', end - 1);
    return start == std::string::npos ? std::string() : detail.substr(start + 1, end - start - 1);
  };
  const std::string kQuotes = "text goes in double quotes: title = \"My Book\"";
  if (has("could not determine value type")) {
    hint = kQuotes + "; numbers, true and false, dates and [lists] go without";
    return "this value is not text, a number, true or false, a date or a [list]";
  }
  if (has("encountered end-of-file")) {
    if (thing == "string") {
      hint = "close the text with the same quote it opens with, on the same line";
      return "this text has no closing quote";
    }
    if (thing == "table header") {
      hint = "write the table's name as [name], on a line of its own";
      return "this table name has no closing ]";
    }
    if (thing == "array") {
      hint = "end the list with ], e.g. authors = [\"Ada\", \"Grace\"]";
      return "this [list] has no closing ]";
    }
    if (thing == "inline table") {
      hint = "end it with }, or write the table as [name] and its keys below it";
      return "this { table } has no closing }";
    }
    hint = kQuotes;
    return "the file ends in the middle of this value";
  }
  if (thing == "string" && has("control characters")) {
    hint =
        "close the text with the same quote it opens with, on the same line (or use "
        "\"\"\"three quotes\"\"\" for text of several lines)";
    return "this text has no closing quote on its line";
  }
  if (thing == "table header" && has("expected ']'")) {
    hint = "write the table's name as [name], on a line of its own";
    return "this table name has no closing ]";
  }
  if (has("cannot redefine existing table")) {
    hint = "put all the keys of [" + quoted() + "] under one [" + quoted() + "] line";
    return "[" + quoted() + "] appears twice";
  }
  if (has("cannot redefine existing")) {
    hint = "keep one of them";
    return "'" + quoted() + "' is set twice";
  }
  if (has("expected '='")) {
    hint = "write each setting as key = value, text in double quotes";
    return "an '=' is missing after the key";
  }
  if (has("expected a comment or whitespace")) {
    hint = "write one key = value a line; " + kQuotes;
    return "something follows the value on its line (" + detail.substr(detail.find("saw")) + ")";
  }
  if (has("expected keys, tables, whitespace or comments")) {
    hint = "write each setting as key = value, and tables as [name] on a line of their own";
    return "this line is not a key = value or a [table] (" + detail.substr(detail.find("saw")) +
           ")";
  }
  if (has("unknown escape sequence")) {
    hint = "write \\\\ for a backslash, or use 'single quotes', which take backslashes as they are";
    return "'" + quoted() + "' is not an escape TOML knows";
  }
  if (thing == "date" || thing == "time" || thing == "date-time") {
    hint = "write dates as \"2026-11-27\" (in quotes, for [book] date)";
    return "this is not a valid date: " + detail;
  }
  hint = "fix the TOML syntax here: " + kQuotes +
         ", lists in [ ], tables as [name] on their "
         "own line (see https://toml.io)";
  return "TOML syntax error" + std::string(thing.empty() ? "" : " in a " + thing) + ": " + detail;
}

void TableReader::error(const ConfigEntry& e, std::string message, std::string hint) {
  diag_.error(table_.file, e.pos, std::move(message), std::move(hint));
}

std::optional<std::string> TableReader::string(const ConfigEntry& e, std::string_view example) {
  if (e.value.type == ConfigValue::Type::String) return e.value.string;
  error(e, "'" + e.key + "' must be a string", "write it in quotes, e.g. " + std::string(example));
  return std::nullopt;
}

std::optional<bool> TableReader::boolean(const ConfigEntry& e) {
  if (e.value.type == ConfigValue::Type::Boolean) return e.value.boolean;
  error(e, "'" + e.key + "' must be true or false", "allowed values: true, false");
  return std::nullopt;
}

std::optional<int64_t> TableReader::integer(const ConfigEntry& e, int64_t lo, int64_t hi,
                                            std::string_view what) {
  bool is_int = e.value.type == ConfigValue::Type::Integer;
  if (is_int && e.value.integer >= lo && e.value.integer <= hi) return e.value.integer;
  error(e,
        is_int ? "'" + e.key + "': " + std::to_string(e.value.integer) + " is out of range"
               : "'" + e.key + "' must be a whole number",
        "allowed values: " + std::to_string(lo) + " to " + std::to_string(hi) + " (" +
            std::string(what) + ")");
  return std::nullopt;
}

std::optional<std::vector<std::string>> TableReader::strings(const ConfigEntry& e,
                                                             std::string_view example) {
  bool ok = e.value.type == ConfigValue::Type::Array;
  std::vector<std::string> out;
  for (size_t i = 0; ok && i < e.value.items.size(); ++i) {
    ok = e.value.items[i].type == ConfigValue::Type::String;
    if (ok) out.push_back(e.value.items[i].string);
  }
  if (ok) return out;
  error(e, "'" + e.key + "' must be an array of strings", "write it as " + std::string(example));
  return std::nullopt;
}

std::optional<std::string> TableReader::choice(const ConfigEntry& e,
                                               const std::vector<std::string_view>& allowed) {
  bool is_string = e.value.type == ConfigValue::Type::String;
  if (is_string)
    for (std::string_view a : allowed)
      if (e.value.string == a) return e.value.string;
  error(e,
        is_string ? "'" + e.key + "': '" + e.value.string + "' is not an allowed value"
                  : "'" + e.key + "' must be a string",
        "allowed values: " + join(allowed, true));
  return std::nullopt;
}

std::optional<std::string> book_file(const std::string& root, const std::string& path,
                                     const std::string& file, SourcePos pos, std::string_view key,
                                     Diagnostics& diag) {
  std::string name(key);
  if (path.empty()) {
    diag.error(file, pos, "'" + name + "' is empty", "give a path relative to the book folder");
    return std::nullopt;
  }
  SafePath p = resolve_inside(root, root, path);
  switch (p.status) {
    case SafePath::Status::Ok:
      if (fs::is_directory(p.absolute)) {
        diag.error(file, pos, "'" + name + "': '" + path + "' is a folder, not a file",
                   "give the path of a file, relative to the book folder");
        return std::nullopt;
      }
      return p.relative;
    case SafePath::Status::Missing:
      diag.error(file, pos, "'" + name + "': file '" + path + "' not found",
                 "create it or fix the path (relative to the book folder, where book.toml is)");
      return std::nullopt;
    case SafePath::Status::Escapes:
    case SafePath::Status::Absolute:
      diag.error(file, pos, "'" + name + "': '" + path + "' is outside the book folder",
                 "keep every file the book uses inside the book folder and give a relative path");
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::string> TableReader::existing_file(SourcePos pos, std::string_view key,
                                                      const std::string& path) {
  return book_file(root_, path, table_.file, pos, key, diag_);
}

void TableReader::unknown(const ConfigEntry& e, const std::vector<std::string_view>& known) {
  unknown(e, std::vector<std::string>(known.begin(), known.end()));
}

void TableReader::unknown(const ConfigEntry& e, const std::vector<std::string>& known) {
  report_unknown_key(diag_, table_.file, e.pos, title_, e.key, known);
}

}  // namespace colophon
