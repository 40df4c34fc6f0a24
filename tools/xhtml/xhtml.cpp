// STUB: replaced by the XHTML writer.
#include "xhtml/xhtml.h"

namespace colophon {
std::string chapter_file_name(const Book& book, int i) { return book.chapters[i].id + ".xhtml"; }
std::string chapter_xhtml(const Book&, int, const XhtmlOptions&) { return {}; }
std::string notes_xhtml(const Book&, const XhtmlOptions&) { return {}; }
}  // namespace colophon
