// The text files of an EPUB package (OPF, nav, NCX, container, title and cover pages)
// and the small helpers they need, kept apart from the zip writing so tests can read them.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/diagnostics.h"
#include "model/model.h"
#include "xhtml/xhtml.h"

namespace colophon {

// Names the generated files so that none collides with a chapter file.
struct PackageNames {
  std::string nav = "nav.xhtml";
  std::string ncx = "toc.ncx";
  std::string css = "css/epub.css";
  std::string cover = "cover.xhtml";
  std::string title_page = "titlepage.xhtml";
  std::string notes = "notes.xhtml";
};

// One entry of the table of contents (shared by nav.xhtml and toc.ncx).
struct TocEntry {
  int level = 0;       // nesting level, 0 = top; never more than one deeper than the previous
  std::string label;   // plain text
  std::string href;    // relative to the content folder; empty for a part title
  bool section = false;  // a heading inside a chapter, not the chapter itself
};

// Everything the packager decided about the book before writing files.
struct PackagePlan {
  PackageNames names;
  std::string identifier;              // dc:identifier
  int cover_asset = -1;                // index into assets (possibly appended), or -1
  std::vector<Asset> assets;           // the book's assets, plus the cover when the
                                       // asset pass did not record it
  bool notes_file = false;             // notes go to one generated chapter
  std::vector<std::string> chapter_files;
  std::vector<std::string> chapter_properties;  // manifest properties ("svg", "mathml")
  std::vector<TocEntry> toc;
  // The print edition's page breaks (EpubProfile::page_map) that fall in the documents'
  // text, sorted by address as XhtmlOptions::page_marks wants them, and the page list:
  // each one's label and link, in page order.
  std::vector<PageStart> page_marks;
  std::vector<TocEntry> page_list;
  // By chapter: the page breaks its document holds, as text that does not depend on
  // where the model lies in memory (for ChapterReuse); "" for none.
  std::vector<std::string> chapter_marks;
};

// Returns a name-based (version 5, SHA-1) UUID for NAME, formatted as 8-4-4-4-12 hex.
std::string uuid_v5(const std::string& name);

// Returns the SHA-1 digest of DATA as 40 lower-case hex digits.
std::string sha1_hex(const std::string& data);

// Returns the identifier of the book: the configured one, else urn:uuid: derived from
// title and authors.
std::string book_identifier(const Book& book);

// Converts seconds since the epoch to an MS-DOS date and time in UTC (clamped to the
// DOS range 1980-2107), independent of the time zone.
void dos_date_time_utc(int64_t seconds, uint16_t& dos_date, uint16_t& dos_time);

// Builds the flat table of contents: parts, chapters by SUMMARY nesting, and their
// headings down to book.epub.toc_depth (the chapter title counting as level 1).
std::vector<TocEntry> build_toc(const Book& book, const std::vector<std::string>& chapter_files);

// Renders META-INF/container.xml.
std::string container_xml();

// Renders META-INF/com.apple.ibooks.display-options.xml, which tells Apple Books to use
// the fonts the book embeds.
std::string apple_display_options_xml();

// Renders the package document (EPUB/package.opf).
std::string package_opf(const Book& book, const PackagePlan& plan, Diagnostics& diag);

// Renders the EPUB 3 navigation document (nav.xhtml) with toc and landmarks, its text
// through MARKUP when given.
std::string nav_xhtml(const Book& book, const PackagePlan& plan, TextMarkup* markup = nullptr);

// Renders the EPUB 2 table of contents (toc.ncx).
std::string toc_ncx(const Book& book, const PackagePlan& plan);

// Renders the generated title page, its text through MARKUP when given.
std::string title_page_xhtml(const Book& book, const PackagePlan& plan,
                             TextMarkup* markup = nullptr);

// Renders the cover page around the cover image, the image through MARKUP when given.
std::string cover_xhtml(const Book& book, const PackagePlan& plan, TextMarkup* markup = nullptr);

}  // namespace colophon
