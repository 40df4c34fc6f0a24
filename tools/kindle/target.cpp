// The "kindle" target: an EPUB for Amazon's Send to Kindle and KDP, NAME.kindle.epub.
// It is the plain EPUB with the contents cut to the two levels Kindle shows, after the
// checks of rules.h: what Amazon is known to refuse is an error, what it shows badly a
// warning.
#include "target/target.h"

#include <filesystem>
#include <memory>

#include "epub/epub.h"
#include "epub/page_list.h"
#include "kindle/rules.h"

namespace colophon {

namespace {

// Contents levels Kindle shows (part, chapter; or chapter, section).
constexpr int kKindleTocLevels = 2;

// Writes the book for Send to Kindle and KDP.
class KindleTarget : public Target {
 public:
  std::string name() const override { return "kindle"; }
  std::string extension() const override { return ".kindle.epub"; }
  std::string summary() const override { return "EPUB for Send to Kindle and KDP"; }
  void check(const Book& book, Diagnostics& diag) const override {
    Diagnostics found;
    check_kindle_book(book, found);
    for (const Diagnostic& d : found.all()) diag.add(d);
    if (!found.has_errors()) {  // what the build would find making the package
      EpubProfile profile;
      profile.toc_levels = kKindleTocLevels;
      EpubContent content;
      make_epub_content(book, profile, content, diag);
    }
    // The images are most of a book's size; the text, deflated, adds little to them.
    uint64_t bytes = 0;
    for (const Asset& a : book.assets) {
      std::error_code ec;
      uintmax_t n = a.data.empty() ? std::filesystem::file_size(a.path, ec) : a.data.size();
      if (!ec) bytes += n;
    }
    check_kindle_size(bytes, book.display(book.src_dir), diag);
  }
  std::vector<Need> needs(const Book& book) const override { return page_list_needs(book); }
  bool render(RenderContext& ctx) override {
    if (ctx.output.empty()) return true;
    Diagnostics found;
    check_kindle_book(ctx.book, found);
    for (const Diagnostic& d : found.all()) ctx.diag.add(d);
    if (found.has_errors()) return false;
    EpubProfile profile;
    profile.toc_levels = kKindleTocLevels;
    profile.page_map = page_map(ctx);
    profile.reuse = ctx.reuse;
    if (!write_epub(ctx.book, ctx.output, profile, ctx.diag)) return false;
    std::error_code ec;
    uint64_t size = std::filesystem::file_size(ctx.output, ec);
    Diagnostics sized;
    if (!ec) check_kindle_size(size, ctx.output.string(), sized);
    for (const Diagnostic& d : sized.all()) ctx.diag.add(d);
    return !sized.has_errors();
  }
};

}  // namespace

// Makes the "kindle" target (registered in CMakeLists.txt).
std::unique_ptr<Target> make_kindle_target() { return std::make_unique<KindleTarget>(); }

}  // namespace colophon
