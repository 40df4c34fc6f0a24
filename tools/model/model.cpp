#include "model/model.h"

#include <algorithm>

#include "core/paths.h"

namespace colophon {

std::string plain_text(const std::vector<Inline>& inlines) {
  std::string out;
  for (const Inline& in : inlines) {
    switch (in.kind) {
      case InlineKind::Text:
      case InlineKind::Code: out += in.text; break;
      case InlineKind::SoftBreak:
      case InlineKind::LineBreak: out += ' '; break;
      case InlineKind::NoteRef: break;
      default: out += plain_text(in.children);
    }
  }
  return out;
}

bool Attr::has_class(std::string_view name) const {
  for (const std::string& c : classes)
    if (c == name) return true;
  return false;
}

const std::string* Attr::find(std::string_view name) const {
  for (const auto& [key, value] : attributes)
    if (key == name) return &value;
  return nullptr;
}

bool PreprocessorSpec::runs_for(std::string_view renderer) const {
  return !has_renderers ||
         std::find(renderers.begin(), renderers.end(), renderer) != renderers.end();
}

bool SourceOptions::runs_builtin(std::string_view name) const {
  if (default_preprocessors) return true;
  for (const PreprocessorSpec& p : preprocessors)
    if (p.name == name) return true;
  return false;
}

bool is_section_like(const Block& div) {
  if (div.kind != BlockKind::Div) return false;
  static constexpr std::string_view kNotSections[] = {
      "aside",    "details",    "summary", "figure", "figcaption", "dl",  "dt",      "dd",
      "table",    "caption",    "thead",   "tbody",  "tfoot",      "tr",  "th",      "td",
      "colgroup", "blockquote", "ul",      "ol",     "li",         "nav", "address", "pre",
      "p",        "hgroup",     "h1",      "h2",     "h3",         "h4",  "h5",      "h6"};
  for (std::string_view n : kNotSections)
    if (div.element == n) return false;
  return true;
}

std::string Book::display(const std::string& relative) const {
  return display_path(root_display, relative);
}

std::string Book::config_display() const {
  return display(config_file.empty() ? "book.toml" : config_file);
}

const ConfigTable* Book::output(std::string_view name) const {
  for (const ConfigTable& t : outputs)
    if (t.name == name) return &t;
  return nullptr;
}

}  // namespace colophon
