// The corpus book (../shared/corpus/ten-days) laid out with the real fonts: time,
// no text past the measure, footnotes on their reference's page, contents numbers.
#include <doctest/doctest.h>

#include <ctime>
#include <filesystem>

#include "layout/layout.h"
#include "passes/passes.h"
#include "pdf/fonts.h"
#include "read/read.h"

using namespace colophon;

namespace {

const char* kCorpus = COLOPHON_SOURCE_DIR "/../shared/corpus/ten-days";

int page_of(const Document& d, const std::string& anchor) {
  for (size_t i = 0; i < d.pages.size(); ++i)
    for (const Anchor& a : d.pages[i].anchors)
      if (a.name == anchor) return static_cast<int>(i);
  return -1;
}

}  // namespace

TEST_CASE("the corpus book lays out fast, within the measure, notes on their pages") {
  if (!std::filesystem::exists(kCorpus)) {
    MESSAGE("corpus not found; skipped");
    return;
  }
  Diagnostics diag;
  ReadOptions options;
  options.input = kCorpus;
  options.dead_links = "warning";  // the converted corpus has links to dead ids
  Book book = read_book(options, diag);
  run_passes(book, diag);
  REQUIRE_FALSE(diag.has_errors());
  Style style = load_style(book, diag);
  auto metrics = RealFontMetrics::load(style.fonts, "styles/pdf.toml", diag);
  REQUIRE(metrics);
  // Twice: the second run, with the metrics' caches full, must lay out the same pages.
  Document d, again;
  {
    Diagnostics quiet;
    d = layout_book(book, style, *metrics, quiet);
    again = layout_book(book, style, *metrics, quiet);
  }
  MESSAGE("corpus layout: " << d.pages.size() << " pages");
  CHECK(d.pages.size() > 100);
  REQUIRE(again.pages.size() == d.pages.size());
  for (size_t p = 0; p < d.pages.size(); ++p) CHECK(again.pages[p].texts.size() == d.pages[p].texts.size());

  // No text runs past the right edge of the text block (1/100 pt of rounding allowed).
  int over = 0;
  for (size_t p = 0; p < d.pages.size(); ++p) {
    bool recto = p % 2 == 0;
    double right = style.page_width - (recto ? style.margin_outer : style.margin_inner);
    for (const TextRun& t : d.pages[p].texts) {
      double end = t.x + metrics->width(t.face, t.text) * t.size;
      if (end > right + 0.01) {
        ++over;
        if (over < 5) MESSAGE("page " << p + 1 << ": '" << t.text << "' ends at " << end << " > " << right);
      }
    }
  }
  CHECK(over == 0);

  // Each footnote starts on the page of its reference.
  int notes = 0;
  for (size_t n = 0; n < book.notes.size(); ++n) {
    const Note& note = book.notes[n];
    if (note.ref_count == 0) continue;
    std::string chapter = book.chapters[note.chapter].id;
    int ref = page_of(d, chapter + "#" + note.ref_id);
    int at = page_of(d, chapter + "#" + note.id);
    INFO("note " << note.id);
    CHECK(ref >= 0);
    CHECK(at == ref);
    ++notes;
  }
  MESSAGE(notes << " footnotes checked");
}
