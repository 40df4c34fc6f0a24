// The "epub" target: the generic EPUB 3 book, NAME.epub.
#include "target/target.h"

#include <memory>

#include "epub/epub.h"
#include "epub/options.h"
#include "epub/page_list.h"

namespace colophon {

namespace {

// Writes the book as a plain EPUB 3 for any reading system.
class EpubTarget : public Target {
 public:
  std::string name() const override { return "epub"; }
  std::string extension() const override { return ".epub"; }
  std::string summary() const override { return "EPUB 3 for any e-reader"; }
  bool default_on() const override { return true; }
  std::vector<std::string> keys() const override { return epub_option_keys(); }
  void configure(const ConfigTable* table, Book& book, Diagnostics& diag) override {
    read_epub_options(table, book, diag);
  }
  void check(const Book& book, Diagnostics& diag) const override {
    EpubContent content;  // everything but the archive, then dropped
    make_epub_content(book, content, diag);
  }
  std::vector<Need> needs(const Book& book) const override { return page_list_needs(book); }
  bool render(RenderContext& ctx) override {
    if (ctx.output.empty()) return true;
    EpubProfile profile;
    profile.page_map = page_map(ctx);
    profile.reuse = ctx.reuse;
    return write_epub(ctx.book, ctx.output, profile, ctx.diag);
  }
};

}  // namespace

// Makes the "epub" target (registered in CMakeLists.txt).
std::unique_ptr<Target> make_epub_target() { return std::make_unique<EpubTarget>(); }

}  // namespace colophon
