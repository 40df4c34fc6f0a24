// The "kobo" target: NAME.kepub.epub, the EPUB Kobo's own reading engine opens (a plain
// .epub gets its older Adobe engine): the plain EPUB, with the markup of spans.h added
// as each document is written.
#include "target/target.h"

#include <memory>

#include "epub/epub.h"
#include "epub/page_list.h"
#include "kobo/spans.h"

namespace colophon {

namespace {

// Writes the book for Kobo e-readers and apps.
class KoboTarget : public Target {
 public:
  std::string name() const override { return "kobo"; }
  std::string extension() const override { return ".kepub.epub"; }
  std::string summary() const override { return "Kobo EPUB (kepub) with sentence spans"; }
  void check(const Book& book, Diagnostics& diag) const override {
    EpubContent content;  // every file, spans included, then dropped: what a build finds
    make_epub_content(book, profile(), content, diag);
  }
  std::vector<Need> needs(const Book& book) const override { return page_list_needs(book); }
  bool render(RenderContext& ctx) override {
    if (ctx.output.empty()) return true;
    EpubProfile p = profile();
    p.page_map = page_map(ctx);
    p.reuse = ctx.reuse;
    return write_epub(ctx.book, ctx.output, p, ctx.diag);
  }

 private:
  // Returns the plain EPUB's profile with Kobo's spans added as each document is written.
  static EpubProfile profile() {
    EpubProfile profile;
    profile.markup = [] { return make_kobo_markup(); };
    return profile;
  }
};

}  // namespace

// Makes the "kobo" target (registered in CMakeLists.txt).
std::unique_ptr<Target> make_kobo_target() { return std::make_unique<KoboTarget>(); }

}  // namespace colophon
