#include "epub/options.h"

#include "core/paths.h"
#include "epub/epub.h"
#include "html/svg.h"

namespace colophon {

namespace {

constexpr int kMaxTocDepth = 6;  // h1..h6: no deeper heading level exists

// Returns why the file REL (inside BOOK) is no font an EPUB may embed, or "".
std::string font_problem(const Book& book, const std::string& rel) {
  std::string type = font_media_type(rel);
  if (type.empty()) return "is not named as a font file (.ttf, .otf, .woff or .woff2)";
  bool complete = false;
  std::optional<std::string> head = read_file_prefix(fs::path(book.root) / rel, 4, complete);
  if (!head) return "cannot be read";
  // The first four bytes of each format (OpenType's sfnt version, WOFF's signatures).
  std::string_view magic = *head;
  bool ok = (type == "font/ttf" && (magic == std::string_view("\0\1\0\0", 4) || magic == "true")) ||
            (type == "font/otf" && (magic == "OTTO" || magic == std::string_view("\0\1\0\0", 4))) ||
            (type == "font/woff" && magic == "wOFF") || (type == "font/woff2" && magic == "wOF2");
  return ok ? std::string()
            : "is not a " + type.substr(5) + " font (its first bytes say otherwise)";
}

// Reports what the EPUB's filter takes out of the extra CSS file REL (html/svg.h), at
// the line and column of the first of each kind in the author's file, once for the
// book (every EPUB target filters it again as it packs it), and, as an error, blocks
// that do not close. A file that cannot be read is reported where it is packed.
void report_css_removals(const Book& book, const std::string& rel, Diagnostics& diag) {
  FileRead file = read_book_file(book.root, rel);
  if (!file.ok()) return;
  // A sheet whose blocks do not close would fail epubcheck (CSS-008) and, in a reader,
  // swallow the rules after the mistake.
  uint32_t line = 0, col = 0;
  std::string broken = css_structure_problem(file.data, line, col);
  if (!broken.empty())
    diag.error(book.display(rel), {line, col}, broken,
               "mend the extra CSS file: every '{' needs its '}', every comment its '*/', every "
               "string its closing quote");
  Removals removed;
  filter_css(file.data, false, removed);
  for (const Removals::Kind& k : removed.kinds())
    diag.warning(book.display(rel), {k.line, k.col},
                 "removed " + k.what +
                     (k.count > 1 ? ", " + std::to_string(k.count) +
                                        " times in this file (the first here)"
                                  : "") +
                     ": an e-book fetches nothing and runs nothing",
                 "keep styles local: fonts and images inside the book, no scripts");
}

}  // namespace

const std::vector<std::string>& epub_option_keys() {
  static const std::vector<std::string> kKeys = {"extra-css",      "toc-depth", "notes",
                                                 "note-numbering", "fonts",     "page-list"};
  return kKeys;
}

void read_epub_options(const ConfigTable* table, Book& book, Diagnostics& diag) {
  if (table == nullptr) return;
  TableReader r(*table, "output.epub", book.root, diag);
  for (const ConfigEntry& e : table->entries) {
    if (e.key == "extra-css") {
      if (auto list = r.strings(e, "extra-css = [\"extra.css\"]")) {
        for (size_t i = 0; i < list->size(); ++i) {
          SourcePos at = e.value.items[i].pos;
          if (auto rel = r.existing_file(at.line ? at : e.pos, "extra-css", (*list)[i])) {
            report_css_removals(book, *rel, diag);
            book.epub.extra_css.push_back(*rel);
          }
        }
      }
    } else if (e.key == "fonts") {
      if (auto list = r.strings(e, "fonts = [\"fonts/MyFace-Regular.otf\"]")) {
        for (size_t i = 0; i < list->size(); ++i) {
          SourcePos at = e.value.items[i].pos;
          if (!at.line) at = e.pos;
          auto rel = r.existing_file(at, "fonts", (*list)[i]);
          if (!rel) continue;
          std::string problem = font_problem(book, *rel);
          if (!problem.empty()) {
            diag.error(table->file, at, "'fonts': '" + (*list)[i] + "' " + problem,
                       "embed TrueType (.ttf), OpenType (.otf) or WOFF (.woff, .woff2) files");
            continue;
          }
          book.epub.fonts.push_back(*rel);
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
    } else if (e.key == "page-list") {
      if (auto s = r.choice(e, {"auto", "pdf", "none"}))
        book.epub.page_list = *s == "pdf"    ? EpubOptions::PageList::Pdf
                              : *s == "none" ? EpubOptions::PageList::None
                                             : EpubOptions::PageList::Auto;
    } else {
      r.unknown(e, epub_option_keys());
    }
  }
}

}  // namespace colophon
