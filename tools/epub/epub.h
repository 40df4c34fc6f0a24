// The EPUB 3 backend: packages the XHTML chapters, OPF, nav and NCX with libzip.
// The only module that includes zip.h.
#pragma once
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/diagnostics.h"
#include "model/model.h"
#include "xhtml/xhtml.h"

namespace colophon {

// What one EPUB target changes in the package it writes, as data: the packager knows no
// target by name, and the plain "epub" target uses the defaults.
struct EpubProfile {
  int toc_levels = 0;     // when > 0, the contents (nav.xhtml, toc.ncx) keep this many
                          // levels: deeper chapters are lifted, deeper sections left out
  std::string extra_css;  // appended to the book's stylesheet
  // Files added to the archive as they are: (path in the archive, bytes).
  std::vector<std::pair<std::string, std::string>> extra_files;
  // Makes the markup hook of each content document (chapters, notes, nav, title and
  // cover pages); none when empty.
  std::function<std::unique_ptr<TextMarkup>()> markup;
  // The print edition's pages (the PDF's page map, when the build makes one): marked
  // with pagebreak elements in the text and listed in the navigation document.
  std::shared_ptr<const PageMap> page_map;
  // Chapters to reuse from the last good build, and where to keep this build's (watch).
  ChapterReuse* reuse = nullptr;
};

// Writes BOOK as an EPUB 3 file at OUT, changed as PROFILE says: to a temporary file in
// the same directory, renamed over OUT only when complete. Returns false (with a
// diagnostic) on failure, leaving any previous OUT untouched.
bool write_epub(const Book& book, const std::filesystem::path& out, const EpubProfile& profile,
                Diagnostics& diag);

// Writes BOOK as the plain EPUB 3 (the default profile).
bool write_epub(const Book& book, const std::filesystem::path& out, Diagnostics& diag);

// Returns the EPUB media type of a font file named PATH (by its extension), or "".
std::string font_media_type(const std::string& path);

// One file of the EPUB's content folder (EPUB/), as the live preview serves it.
struct EpubFile {
  std::string name;        // inside the content folder: "chapter-1.xhtml", "css/epub.css"
  std::string media_type;  // "application/xhtml+xml", "text/css", "image/png" ...
  std::string data;        // the bytes; for an image read from disk, empty and ...
  std::string path;        // ... the file they come from
};

// Everything of BOOK's EPUB but the archive: the files of its content folder, and how
// a reader moves through them.
struct EpubContent {
  std::vector<EpubFile> files;             // documents first, in reading order, then the rest
  std::vector<std::string> spine;          // the documents in reading order
  std::vector<std::string> chapter_files;  // chapter I's document, by the book's order
  struct Entry {
    int level = 0;      // nesting, 0 = top
    std::string label;  // plain text
    std::string href;   // relative to the content folder; empty for a part title
  };
  std::vector<Entry> toc;  // the table of contents, as nav.xhtml lists it
  std::string nav;         // the navigation document's name
};

// Makes every file of BOOK's EPUB (changed as PROFILE says) in memory, as write_epub
// would, and reports what write_epub would report short of writing the archive;
// returns false on an error.
bool make_epub_content(const Book& book, const EpubProfile& profile, EpubContent& content,
                       Diagnostics& diag);

// Makes the plain EPUB's content (the default profile) in memory.
bool make_epub_content(const Book& book, EpubContent& content, Diagnostics& diag);

}  // namespace colophon
