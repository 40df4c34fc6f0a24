#include "pdf/options.h"

#include <filesystem>

#include "layout/style.h"

namespace colophon {

const std::vector<std::string>& pdf_option_keys() {
  static const std::vector<std::string> kKeys = {"style", "trim", "notes", "cover-page",
                                                 "fallback-fonts", "profile", "bleed",
                                                 "inside-margin"};
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
      // One policy for trim sizes, with the style file's (layout/style.h).
      double width = 0, height = 0;
      if (e.value.type != ConfigValue::Type::String) {
        r.error(e, "'trim' must be a string", trim_hint());
      } else if (std::string problem = trim_problem(e.value.string, width, height);
                 problem.empty()) {
        book.pdf.trim = e.value.string;
        book.pdf.trim_pos = e.value.pos.line ? e.value.pos : e.pos;
      } else {
        r.error(e, "'trim': '" + e.value.string + "' " + problem, trim_hint());
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
    } else if (e.key == "profile") {
      if (auto s = r.choice(e, {"screen", "print"})) book.pdf.print = *s == "print";
    } else if (e.key == "bleed" || e.key == "inside-margin") {
      const bool bleed = e.key == "bleed";
      std::optional<double> v;
      if (e.value.type == ConfigValue::Type::String) v = parse_length(e.value.string);
      if (!v || *v > (bleed ? 36 : 144)) {
        r.error(e, "'" + e.key + "' must be a length" + (bleed ? " up to 0.5in" : " up to 2in"),
                bleed ? "write e.g. bleed = \"0.125in\" (KDP) or \"3mm\"; in, mm, cm or pt"
                      : "write e.g. inside-margin = \"0.75in\"; in, mm, cm or pt");
      } else if (bleed) {
        book.pdf.bleed = *v;
      } else {
        book.pdf.inside_margin = *v;
      }
    } else {
      r.unknown(e, pdf_option_keys());
    }
  }
}

}  // namespace colophon
