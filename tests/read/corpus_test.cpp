// The real test book: 27 chapters with footnotes, tables, figures and raw HTML.
#include <doctest/doctest.h>

#include <filesystem>

#include "test_book.h"

using namespace colophon;
using namespace colophon::test;

namespace {
constexpr const char* kCorpus = COLOPHON_SOURCE_DIR "/../shared/corpus/ten-days";
}  // namespace

TEST_CASE("corpus: ten-days reads without errors from the reader") {
  if (!std::filesystem::exists(std::string(kCorpus) + "/book.toml")) {
    MESSAGE("SKIPPED: corpus not found at " << kCorpus);
    return;
  }
  Diagnostics diag;
  ReadOptions options;
  options.input = kCorpus;
  Book book = read_book(options, diag);
  INFO(all_diags(diag));
  CHECK(diag.all().empty());
  CHECK(book.meta.title == "Ten Days That Shook the World");
  CHECK(book.meta.authors == std::vector<std::string>{"John Reed"});
  CHECK(book.meta.language == "en-GB");
  REQUIRE(book.chapters.size() == 27);
  CHECK(book.chapters[0].source == "src/01-introduction.md");
  CHECK(book.chapters[13].title ==
        "XI: The Conquest of PowerA11.1(26-appendix-11.md#appendix-11-1)");
  CHECK(book.chapters[26].number == std::vector<int>{27});
  CHECK(book.notes.size() == 20);
  size_t referenced = 0;
  for (const Note& n : book.notes) referenced += n.ref_count > 0;
  CHECK(referenced == book.notes.size());
  size_t figures = 0, tables = 0, raw = 0;
  for (const Chapter& ch : book.chapters) {
    CHECK_FALSE(ch.blocks.empty());
    // Its chapters are wrapped in raw <div class="section">: count inside them too.
    auto count = [&](const std::vector<Block>& list, auto& self) -> void {
      for (const Block& b : list) {
        figures += b.kind == BlockKind::Figure;
        tables += b.kind == BlockKind::Table;
        raw += b.kind == BlockKind::Div;  // raw HTML containers
        self(b.children, self);
      }
    };
    count(ch.blocks, count);
  }
  CHECK(figures > 0);
  CHECK(raw > 0);
  MESSAGE("figures " << figures << ", tables " << tables << ", raw HTML containers " << raw);
}
