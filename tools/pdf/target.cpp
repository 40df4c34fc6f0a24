// The "pdf" target: the typeset book for print and screens, NAME.pdf.
#include "target/target.h"

#include <memory>

#include "core/text.h"
#include "pdf/options.h"
#include "pdf/pdf.h"

namespace colophon {

namespace {

// Lays the book out and writes it as a PDF.
class PdfTarget : public Target {
 public:
  std::string name() const override { return "pdf"; }
  std::string extension() const override { return ".pdf"; }
  std::string summary() const override { return "typeset PDF for print and screens"; }
  bool default_on() const override { return true; }
  std::vector<std::string> keys() const override { return pdf_option_keys(); }
  void configure(const ConfigTable* table, Book& book, Diagnostics& diag) override {
    read_pdf_options(table, book, diag);
  }
  void check(const Book& book, Diagnostics& diag) const override {
    check_pdf(book, file_slug(book.meta.title) + extension(), diag);
  }
  std::vector<std::string> provides() const override { return {kPageMapKey}; }
  bool render(RenderContext& ctx) override {
    // The page map goes out as soon as the layout is done; with no output (an EPUB's
    // page-list = "pdf" without the PDF target) the book is only laid out for it.
    return write_pdf(ctx.book, ctx.output, ctx.diag, [&ctx](std::shared_ptr<const PageMap> map) {
      ctx.exchange.publish<PageMap>(kPageMapKey, std::move(map));
    });
  }
};

}  // namespace

// Makes the "pdf" target (registered in CMakeLists.txt).
std::unique_ptr<Target> make_pdf_target() { return std::make_unique<PdfTarget>(); }

}  // namespace colophon
