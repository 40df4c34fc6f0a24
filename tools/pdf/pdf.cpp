#include "pdf/pdf.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>

#include "core/paths.h"
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
  return book.config_display();
}

// Puts the book's cover image (when it has one) before the first page, filling a page of
// its own; a blank page follows it in a two-sided book, so that the book's rectos stay
// on the right. Page numbers and labels of the rest are unchanged.
void add_cover_page(const Book& book, const Style& style, Document& document) {
  int cover = -1;
  for (size_t i = 0; i < book.assets.size(); ++i)
    if (!book.meta.cover.empty() && book.assets[i].source == book.meta.cover)
      cover = static_cast<int>(i);
  if (cover < 0) return;
  const Asset& a = book.assets[static_cast<size_t>(cover)];
  Page page;
  ImageBox& box = page.images.emplace_back();
  box.asset = cover;
  box.file = book.config_display();
  // As large as the page holds it whole, centred: nothing of a cover is cut off.
  double w = document.width, h = document.height;
  if (a.width > 0 && a.height > 0) {
    double scale = std::min(document.width / a.width, document.height / a.height);
    w = a.width * scale;
    h = a.height * scale;
  }
  box.x = (document.width - w) / 2;
  box.y = (document.height - h) / 2;
  box.width = w;
  box.height = h;
  int added = style.two_sided ? 2 : 1;
  std::vector<Page> front(static_cast<size_t>(added));
  front[0] = std::move(page);
  document.pages.insert(document.pages.begin(), std::make_move_iterator(front.begin()),
                        std::make_move_iterator(front.end()));
  for (OutlineEntry& e : document.outline) e.page += added;
  for (PageLabelRange& r : document.labels) r.first_page += added;
  document.labels.insert(document.labels.begin(),
                         PageLabelRange{0, PageLabelRange::Style::None, 1});
}

// Finds where asset INDEX is first drawn in BLOCKS: sets POS and returns true.
bool first_use_in(const std::vector<Block>& blocks, int index, SourcePos& pos) {
  std::function<bool(const std::vector<Inline>&)> in_inlines = [&](const auto& list) {
    for (const Inline& in : list) {
      if (in.kind == InlineKind::Image && in.asset == index) {
        pos = in.pos;
        return true;
      }
      if (in_inlines(in.children)) return true;
    }
    return false;
  };
  for (const Block& b : blocks) {
    if (in_inlines(b.inlines)) return true;
    for (const auto& row : b.table.rows)
      for (const auto& cell : row)
        if (in_inlines(cell)) return true;
    if (first_use_in(b.children, index, pos)) return true;
  }
  return false;
}

// Returns the file and position where asset INDEX is first drawn: its first image in a
// chapter or note, else the book's configuration (the cover).
std::pair<std::string, SourcePos> first_use(const Book& book, int index) {
  SourcePos pos;
  for (const Chapter& c : book.chapters)
    if (first_use_in(c.blocks, index, pos)) return {book.display(c.source), pos};
  for (const Note& n : book.notes)
    if (n.chapter >= 0 && static_cast<size_t>(n.chapter) < book.chapters.size() &&
        first_use_in(n.blocks, index, pos))
      return {book.display(book.chapters[static_cast<size_t>(n.chapter)].source), pos};
  return {book.config_display(), {}};
}

// Checks, from the files' headers and before anything is decoded, that each image of
// the book decodes to at most kMaxImageDecodedBytes and all of them to at most
// kBookImageBudget; reports the image that does not fit at its first use and returns
// false then.
bool check_image_budget(const Book& book, bool grey, Diagnostics& diag) {
  const std::string hint =
      "scale the images down to the pixels they print at (300 per inch: 1800 x 2700 for a "
      "full 6 x 9 in page), or save photographs as JPEG, which the PDF keeps undecoded";
  uint64_t total = 0;
  bool ok = true;
  for (size_t i = 0; i < book.assets.size(); ++i) {
    const Asset& a = book.assets[i];
    const uint64_t bytes = decoded_image_bytes(a, grey);
    if (bytes == 0) continue;
    total += bytes;
    const std::string what = "image '" + a.source + "' (" + std::to_string(a.width) + " x " +
                             std::to_string(a.height) + " pixels) decodes to " +
                             size_text(bytes);
    if (bytes > kMaxImageDecodedBytes) {
      auto [file, pos] = first_use(book, static_cast<int>(i));
      diag.error(file, pos,
                 what + ", more than the " + size_text(kMaxImageDecodedBytes) +
                     " colophon decodes for one image",
                 hint);
      ok = false;
    } else if (total > kBookImageBudget) {
      auto [file, pos] = first_use(book, static_cast<int>(i));
      diag.error(file, pos,
                 what + "; with the images before it, the book's images decode to " +
                     size_text(total) + ", more than the budget of " +
                     size_text(kBookImageBudget) + " for one book's PDF",
                 hint);
      return false;
    }
  }
  return ok;
}

// Lays the book out for the printer: the inside margin from the page count by KDP's
// table (unless the book sets it), so the book is laid out twice when the first page
// count asks for another margin; no outline; an even page count ending on a blank page.
Document layout_for_print(const Book& book, Style& style, RealFontMetrics& metrics,
                          Diagnostics& diag) {
  Diagnostics first_pass;  // told only when its layout is the one kept
  Document document = layout_book(book, style, metrics, first_pass);
  bool again = false;
  if (book.pdf.inside_margin <= 0) {
    double inside = kdp_inside_margin(document.pages.size());
    if (std::abs(inside - style.margin_inner) > 0.01) {
      style.margin_inner = inside;
      document = layout_book(book, style, metrics, diag);
      again = true;
    }
  }
  if (!again)
    for (Diagnostic& d : first_pass.all()) diag.add(std::move(d));
  document.outline.clear();
  auto blank = [](const Page& p) {
    return p.texts.empty() && p.images.empty() && p.rules.empty();
  };
  if (document.pages.empty() || !blank(document.pages.back())) document.pages.emplace_back();
  if (document.pages.size() % 2 != 0) document.pages.emplace_back();
  return document;
}

// Returns where each page of DOCUMENT whose first word is the book's text begins, with
// its label.
std::shared_ptr<const PageMap> page_map_of(const Document& document) {
  auto map = std::make_shared<PageMap>();
  for (size_t i = 0; i < document.pages.size(); ++i) {
    const Page& p = document.pages[i];
    if (p.origin == nullptr) continue;
    map->pages.push_back(PageStart{p.origin, static_cast<int>(i),
                                   p.label.empty() ? std::to_string(i + 1) : p.label});
  }
  return map;
}

}  // namespace

bool write_pdf(const Book& book, const std::filesystem::path& out, Diagnostics& diag,
               const PageMapSink& pages) {
  try {
    std::optional<ImageEncoder> images;  // encodes on a worker thread during the layout
    if (!out.empty()) {
      if (!check_image_budget(book, book.pdf.print, diag)) return false;
      images.emplace(book.assets, book.pdf.print);
    }
    Style style = load_style(book, diag);
    auto metrics = RealFontMetrics::load(style.fonts, style_file_for(book), diag);
    if (!metrics) return false;
    Document document = book.pdf.print ? layout_for_print(book, style, *metrics, diag)
                                       : layout_book(book, style, *metrics, diag);
    if (book.pdf.cover_page && !book.pdf.print) add_cover_page(book, style, document);
    if (pages) pages(page_map_of(document));
    if (out.empty()) return !diag.has_errors();
    return write_document(document, book, *metrics, out, diag, &*images);
  } catch (const std::exception& e) {
    diag.error(out.string(), {}, std::string("cannot write the PDF: ") + e.what());
    return false;
  }
}

bool check_pdf(const Book& book, const std::string& out_name, Diagnostics& diag) {
  try {
    if (!check_image_budget(book, false, diag)) return false;
    ImageEncoder images(book.assets);
    Style style = load_style(book, diag);
    auto metrics = RealFontMetrics::load(style.fonts, style_file_for(book), diag);
    if (!metrics) return false;
    Document document = layout_book(book, style, *metrics, diag);
    return render_document(document, book, *metrics, out_name, diag, &images).has_value();
  } catch (const std::exception& e) {
    diag.error(out_name, {}, std::string("cannot make the PDF: ") + e.what());
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
