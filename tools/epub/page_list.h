// What every EPUB target (epub, kindle, kobo) asks of a build for the print edition's
// page list: the PDF's page map ([output.epub] page-list). Header-only, for the targets'
// own folders, which link the target interface.
#pragma once
#include <memory>
#include <vector>

#include "model/model.h"
#include "target/target.h"

namespace colophon {

// Returns the exchange keys an EPUB target of BOOK uses: the PDF's page map, required
// with page-list = "pdf", taken when the PDF is built anyway with "auto", none with "none".
inline std::vector<Need> page_list_needs(const Book& book) {
  if (book.epub.page_list == EpubOptions::PageList::None) return {};
  return {Need{kPageMapKey, book.epub.page_list == EpubOptions::PageList::Pdf}};
}

// Waits for the PDF's page map when this build makes one; returns nullptr otherwise
// (or when the PDF failed, or page-list = "none").
inline std::shared_ptr<const PageMap> page_map(RenderContext& ctx) {
  if (ctx.book.epub.page_list == EpubOptions::PageList::None) return nullptr;
  return ctx.exchange.wait<PageMap>(kPageMapKey);
}

}  // namespace colophon
