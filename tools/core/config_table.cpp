#include "core/config_table.h"

#include "core/paths.h"

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

}  // namespace

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
  diag_.warning(table_.file, e.pos, "unknown key '" + e.key + "' in [" + title_ + "]",
                "known keys are " + join(known, false) + "; check the spelling");
}

}  // namespace colophon
