#include "pdf/pdf.h"

#include <exception>
#include <memory>

#include "layout/layout.h"
#include "layout/style.h"
#include "pdf/fonts.h"
#include "pdf/images.h"
#include "pdf/writer.h"

namespace colophon {

namespace {

// Returns the file to name in font errors: the book's style file, else the book.toml.
std::string style_file_for(const Book& book) {
  if (!book.pdf.style.empty()) return book.display(book.pdf.style);
  return book.display(book.config_file.empty() ? "book.toml" : book.config_file);
}

}  // namespace

bool write_pdf(const Book& book, const std::filesystem::path& out, Diagnostics& diag) {
  try {
    ImageEncoder images(book.assets);  // encodes on a worker thread during the layout
    Style style = load_style(book, diag);
    auto metrics = RealFontMetrics::load(style.fonts, style_file_for(book), diag);
    if (!metrics) return false;
    Document document = layout_book(book, style, *metrics, diag);
    return write_document(document, book, *metrics, out, diag, &images);
  } catch (const std::exception& e) {
    diag.error(out.string(), {}, std::string("cannot write the PDF: ") + e.what());
    return false;
  }
}

std::string dump_pages(const Book& book, Diagnostics& diag) {
  try {
    Style style = load_style(book, diag);
    auto metrics = RealFontMetrics::load(style.fonts, style_file_for(book), diag);
    if (!metrics) return {};
    return dump_document(layout_book(book, style, *metrics, diag));
  } catch (const std::exception& e) {
    diag.error(book.display("book.toml"), {}, std::string("cannot lay out the book: ") + e.what());
    return {};
  }
}

}  // namespace colophon
