#include "pdf/options.h"

#include <filesystem>

#include "layout/style.h"

namespace colophon {

const std::vector<std::string>& pdf_option_keys() {
  static const std::vector<std::string> kKeys = {"style", "trim", "notes", "cover-page",
                                                 "fallback-fonts"};
  return kKeys;
}

void read_pdf_options(const ConfigTable* table, Book& book, Diagnostics& diag) {
  if (table == nullptr) return;
  TableReader r(*table, "output.pdf", book.root, diag);
  for (const ConfigEntry& e : table->entries) {
    if (e.key == "style") {
      if (auto s = r.string(e, "style = \"pdf-style.toml\"")) {
        if (auto rel = r.existing_file(e.pos, "style", *s)) book.pdf.style = *rel;
      }
    } else if (e.key == "trim") {
      constexpr std::string_view kAllowed =
          "\"a5\", \"6x9in\", \"a4\", \"letter\", or \"<width>x<height>mm\" / "
          "\"<width>x<height>in\" (e.g. \"148x210mm\", \"5.5x8.5in\")";
      double width = 0, height = 0;
      if (e.value.type != ConfigValue::Type::String) {
        r.error(e, "'trim' must be a string", "allowed values: " + std::string(kAllowed));
      } else if (parse_trim(e.value.string, width, height)) {
        book.pdf.trim = e.value.string;
      } else {
        r.error(e, "'trim': '" + e.value.string + "' is not an allowed value",
                "allowed values: " + std::string(kAllowed));
      }
    } else if (e.key == "notes") {
      if (auto s = r.choice(e, {"footnotes", "chapter", "book"}))
        book.note_options.pdf_placement = *s == "book"      ? NoteOptions::Placement::Book
                                          : *s == "chapter" ? NoteOptions::Placement::Chapter
                                                            : NoteOptions::Placement::Page;
    } else if (e.key == "cover-page") {
      if (auto b = r.boolean(e)) book.pdf.cover_page = *b;
    } else if (e.key == "fallback-fonts") {
      if (auto list = r.strings(e, "fallback-fonts = [\"Noto Sans CJK SC\", \"fonts/Extra.ttf\"]")) {
        for (const std::string& name : *list) {
          bool file = name.find('/') != std::string::npos || name.ends_with(".ttf") ||
                      name.ends_with(".otf") || name.ends_with(".ttc");
          if (!file) {
            book.pdf.fallback_fonts.push_back(name);  // a family name, looked up when loading
          } else if (auto rel = r.existing_file(e.pos, "fallback-fonts", name)) {
            book.pdf.fallback_fonts.push_back((std::filesystem::path(book.root) / *rel).string());
          }
        }
      }
    } else {
      r.unknown(e, pdf_option_keys());
    }
  }
}

}  // namespace colophon
