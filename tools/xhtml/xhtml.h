// Model -> XHTML text for one chapter (EPUB 3 flavoured: epub:type notes), knowing
// nothing of the package around it.
#pragma once
#include <string>

#include "core/diagnostics.h"
#include "model/model.h"

namespace colophon {

// Tells how the XHTML writer names files and places notes.
struct XhtmlOptions {
  std::string css_href = "css/epub.css";  // stylesheet link, relative to the chapter file
  std::string notes_file;                 // when notes go to a book-level chapter: its file name
};

// Returns the file name of chapter I inside the EPUB content folder ("ch01-intro.xhtml").
std::string chapter_file_name(const Book& book, int chapter_index);

// Renders chapter I as a complete, well-formed XHTML 1.1/EPUB 3 document.
std::string chapter_xhtml(const Book& book, int chapter_index, const XhtmlOptions& options);

// Renders the book-level notes chapter (used when notes are placed at the end of the book).
std::string notes_xhtml(const Book& book, const XhtmlOptions& options);

}  // namespace colophon
