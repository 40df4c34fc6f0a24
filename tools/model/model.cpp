#include "model/model.h"

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
      case InlineKind::NoteRef:
      case InlineKind::RawInline: break;
      default: out += plain_text(in.children);
    }
  }
  return out;
}

std::string Book::display(const std::string& relative) const {
  return display_path(root_display, relative);
}

const ConfigTable* Book::output(std::string_view name) const {
  for (const ConfigTable& t : outputs)
    if (t.name == name) return &t;
  return nullptr;
}

}  // namespace colophon
