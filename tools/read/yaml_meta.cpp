#include "read/yaml_meta.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <optional>

#include "read/config.h"

namespace colophon {

namespace {

// Returns the line of TEXT that starts at START, without its line end, and sets NEXT to
// where the following line starts.
std::string_view line_at(std::string_view text, size_t start, size_t& next) {
  size_t end = text.find('\n', start);
  next = end == std::string_view::npos ? text.size() : end + 1;
  std::string_view line =
      text.substr(start, (end == std::string_view::npos ? text.size() : end) - start);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// Tells whether LINE is DELIM followed only by spaces.
bool is_delimiter(std::string_view line, std::string_view delim) {
  if (line.substr(0, delim.size()) != delim) return false;
  return line.find_first_not_of(" \t", delim.size()) == std::string_view::npos;
}

// Reads a YAML block's mapping into metadata, reporting wrong values at their place.
class YamlReader {
 public:
  YamlReader(const std::string& file, uint32_t first_line, Diagnostics& diag)
      : file_(file), first_line_(first_line), diag_(diag) {}

  void read(const YAML::Node& root, YamlMetadata& out);

 private:
  SourcePos place(const YAML::Mark& m) const {
    return {first_line_ + static_cast<uint32_t>(std::max(m.line, 0)),
            static_cast<uint32_t>(std::max(m.column, 0)) + 1};
  }
  std::optional<std::string> text(const std::string& key, const YAML::Node& v);
  std::optional<std::vector<std::string>> texts(const std::string& key, const YAML::Node& v,
                                                bool names);

  const std::string& file_;
  uint32_t first_line_;
  Diagnostics& diag_;
};

std::optional<std::string> YamlReader::text(const std::string& key, const YAML::Node& v) {
  if (v.IsScalar()) return v.Scalar();
  diag_.error(file_, place(v.Mark()), "'" + key + "' in the metadata block must be text",
              "write it on one line: " + key + ": ...");
  return std::nullopt;
}

std::optional<std::vector<std::string>> YamlReader::texts(const std::string& key,
                                                          const YAML::Node& v, bool names) {
  std::vector<std::string> out;
  if (v.IsScalar()) {
    out.push_back(v.Scalar());
    return out;
  }
  if (v.IsSequence()) {
    for (const YAML::Node& item : v) {
      if (item.IsScalar()) {
        out.push_back(item.Scalar());
      } else if (names && item.IsMap() && item["name"] && item["name"].IsScalar()) {
        out.push_back(item["name"].Scalar());  // pandoc's "- name: ..." form
      } else {
        diag_.error(file_, place(item.Mark()),
                    "each entry of '" + key + "' in the metadata block must be text",
                    "write one per line: - Jane Doe");
        return std::nullopt;
      }
    }
    return out;
  }
  diag_.error(file_, place(v.Mark()),
              "'" + key + "' in the metadata block must be text or a list of texts",
              "write " + key + ": Jane Doe, or a list with one \"- ...\" line each");
  return std::nullopt;
}

void YamlReader::read(const YAML::Node& root, YamlMetadata& out) {
  Metadata& m = out.meta;
  for (const auto& entry : root) {
    if (!entry.first.IsScalar()) continue;
    const std::string key = entry.first.Scalar();
    const YAML::Node& v = entry.second;
    if (v.IsNull()) continue;
    if (key == "title") {
      if (auto s = text(key, v)) m.title = *s;
    } else if (key == "subtitle") {
      if (auto s = text(key, v)) m.subtitle = *s;
    } else if (key == "author" || key == "authors") {
      if (auto a = texts(key, v, true)) m.authors = *a;
    } else if (key == "lang" || key == "language") {
      if (auto s = text(key, v)) {
        if (is_language_tag(*s)) {
          m.language = *s;
          out.has_language = true;
        } else {
          diag_.error(file_, place(v.Mark()),
                      "'" + key + "': '" + *s + "' is not a BCP 47 language tag",
                      "use a tag such as \"en\", \"en-GB\", \"de\", \"fr-CA\" or \"zh-Hant\"");
        }
      }
    } else if (key == "date") {
      if (auto s = text(key, v)) {
        if (is_date(*s)) {
          m.date = *s;
        } else {
          diag_.error(file_, place(v.Mark()), "'date': '" + *s + "' is not a valid date",
                      "write the publication date as 2026-11-27, 2026-11 or 2026");
        }
      }
    } else if (key == "description" || key == "abstract") {
      if (auto s = text(key, v)) m.description = *s;
    } else if (key == "rights") {
      if (auto s = text(key, v)) m.rights = *s;
    } else if (key == "publisher") {
      if (auto s = text(key, v)) m.publisher = *s;
    } else if (key == "identifier") {
      if (auto s = text(key, v)) {
        std::string problem = identifier_problem(*s);
        if (problem.empty())
          m.identifier = *s;
        else
          diag_.error(file_, place(v.Mark()), "'identifier': " + problem,
                      std::string(kIdentifierHint));
      }
    } else if (key == "keywords" || key == "subject") {
      if (auto a = texts(key, v, false)) m.subjects.insert(m.subjects.end(), a->begin(), a->end());
    } else if (key == "cover-image") {
      if (auto s = text(key, v)) m.cover = *s;
    }
    // Other keys are the author's own (pandoc hands them to its templates): kept out.
  }
}

}  // namespace

std::unique_ptr<YamlMetadata> take_yaml_metadata(std::string& text, const std::string& file,
                                                 Diagnostics& diag) {
  size_t start = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  size_t next = 0;
  if (!is_delimiter(line_at(text, start, next), "---")) return nullptr;
  size_t body = next;
  if (body >= text.size()) return nullptr;
  size_t after_first = 0;
  std::string_view first = line_at(text, body, after_first);
  if (first.find_first_not_of(" \t") == std::string_view::npos) return nullptr;  // a rule
  // Find the closing line.
  size_t end = std::string::npos, close_next = 0;
  for (size_t at = body; at < text.size(); at = next) {
    std::string_view line = line_at(text, at, next);
    if (is_delimiter(line, "---") || is_delimiter(line, "...")) {
      end = at;
      close_next = next;
      break;
    }
  }
  if (end == std::string::npos) return nullptr;
  std::string yaml = text.substr(body, end - body);
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::ParserException& e) {
    diag.error(file,
               SourcePos{2 + static_cast<uint32_t>(std::max(e.mark.line, 0)),
                         static_cast<uint32_t>(std::max(e.mark.column, 0)) + 1},
               "the metadata block is not valid YAML: " + e.msg,
               "write one key per line as key: value, and quote values that hold ': ' or "
               "start with a special character");
    return nullptr;
  } catch (const YAML::Exception& e) {
    diag.error(file, SourcePos{2, 1}, std::string("the metadata block cannot be read: ") + e.what(),
               "write one key per line as key: value");
    return nullptr;
  }
  if (!root.IsMap()) return nullptr;  // not metadata: leave the text as it is
  auto out = std::make_unique<YamlMetadata>();
  YamlReader(file, 2, diag).read(root, *out);
  // Blank the block out: every byte but the line ends becomes nothing.
  std::string blanked;
  for (size_t i = start; i < close_next; ++i)
    if (text[i] == '\n') blanked += '\n';
  text.replace(start, close_next - start, blanked);
  return out;
}

void apply_yaml_metadata(const YamlMetadata& yaml, const std::string& cover_dir, Book& book,
                         bool language_set) {
  Metadata& m = book.meta;
  const Metadata& y = yaml.meta;
  auto fill = [](std::string& into, const std::string& from) {
    if (into.empty() && !from.empty()) into = from;
  };
  fill(m.title, y.title);
  fill(m.subtitle, y.subtitle);
  if (m.authors.empty()) m.authors = y.authors;
  if (!language_set && yaml.has_language) m.language = y.language;
  fill(m.description, y.description);
  fill(m.identifier, y.identifier);
  fill(m.publisher, y.publisher);
  fill(m.date, y.date);
  fill(m.rights, y.rights);
  if (m.subjects.empty()) m.subjects = y.subjects;
  if (m.cover.empty() && !y.cover.empty())
    m.cover = (std::filesystem::path(cover_dir) / y.cover).lexically_normal().generic_string();
}

}  // namespace colophon
