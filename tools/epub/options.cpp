#include "epub/options.h"

namespace colophon {

namespace {

constexpr int kMaxTocDepth = 6;  // h1..h6: no deeper heading level exists

}  // namespace

void read_epub_options(const ConfigTable* table, Book& book, Diagnostics& diag) {
  if (table == nullptr) return;
  static const std::vector<std::string_view> kKeys = {"extra-css", "toc-depth", "notes",
                                                      "note-numbering"};
  TableReader r(*table, "output.epub", book.root, diag);
  for (const ConfigEntry& e : table->entries) {
    if (e.key == "extra-css") {
      if (auto list = r.strings(e, "extra-css = [\"extra.css\"]")) {
        for (size_t i = 0; i < list->size(); ++i) {
          SourcePos at = e.value.items[i].pos;
          if (auto rel = r.existing_file(at.line ? at : e.pos, "extra-css", (*list)[i]))
            book.epub.extra_css.push_back(*rel);
        }
      }
    } else if (e.key == "toc-depth") {
      if (auto v =
              r.integer(e, 0, kMaxTocDepth, "heading levels listed under each chapter; default 2"))
        book.epub.toc_depth = static_cast<int>(*v);
    } else if (e.key == "notes") {
      if (auto s = r.choice(e, {"chapter", "book"}))
        book.note_options.epub_placement =
            *s == "book" ? NoteOptions::Placement::Book : NoteOptions::Placement::Chapter;
    } else if (e.key == "note-numbering") {
      if (auto s = r.choice(e, {"continuous", "chapter"}))
        book.note_options.numbering = *s == "chapter" ? NoteOptions::Numbering::PerChapter
                                                      : NoteOptions::Numbering::Continuous;
    } else {
      r.unknown(e, kKeys);
    }
  }
}

}  // namespace colophon
