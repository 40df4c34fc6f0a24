// Model -> XHTML text for one chapter (EPUB 3 flavoured: epub:type notes), knowing
// nothing of the package around it.
#pragma once
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.h"
#include "model/model.h"

namespace colophon {

// Adds markup of a target's own around what the XHTML writer writes (the Kobo target's
// sentence spans), while it writes: the writer hands it every run of text and every image
// it would have written as they are (raw HTML too, which the reader made model nodes).
// One instance serves one content document, on one thread. The defaults add nothing.
class TextMarkup {
 public:
  virtual ~TextMarkup() = default;
  // Appends what goes at the end of <head> (a style block).
  virtual void head(std::string& out) { (void)out; }
  // Appends what opens the body, right after <body>.
  virtual void body_start(std::string& out) { (void)out; }
  // Appends what closes the body, right before </body>.
  virtual void body_end(std::string& out) { (void)out; }
  // Tells that a new block (paragraph, heading, list item, cell, note) starts.
  virtual void block() {}
  // An element to put between two characters of a run of text (a page break of the
  // print edition), so that the run stays whole for the hook.
  struct Insert {
    size_t at = 0;            // byte offset in the run
    std::string_view markup;  // the element, ready to write
  };
  // Appends TEXT (character data, not yet escaped, in LANGUAGE, a BCP 47 tag) to OUT,
  // escaped, with INSERTS (by offset, each inside TEXT) put in place. The writer hands
  // over the longest runs it can: text with no element inside.
  virtual void text(std::string& out, std::string_view text, std::string_view language,
                    std::span<const Insert> inserts) {
    (void)language;
    append_text(out, text, 0, inserts);
  }
  // Appends an image element's markup IMG to OUT.
  virtual void image(std::string& out, std::string_view img) { out += img; }

 protected:
  // Appends TEXT escaped for XML character data.
  static void append_text(std::string& out, std::string_view text);
  // Appends TEXT, the piece of a run starting at byte BASE of it, escaped, with those of
  // INSERTS (offsets in the run) that fall inside the piece put in place.
  static void append_text(std::string& out, std::string_view text, size_t base,
                          std::span<const Insert> inserts);
};

// Tells how the XHTML writer names files and places notes.
struct XhtmlOptions {
  std::string css_href = "css/epub.css";  // stylesheet link, relative to the chapter file
  std::string notes_file;                 // when notes go to a book-level chapter: its file name
  // Makes the markup hook of one document; none when empty (the plain EPUB).
  std::function<std::unique_ptr<TextMarkup>()> markup;
  // The print edition's page breaks to mark where their text is written (a pagebreak
  // element before the first byte of each page), sorted by address (std::less); none
  // when null.
  const std::vector<PageStart>* page_marks = nullptr;
};

// Appends the pagebreak element of PAGE (id "pdf-page-N", N counted from 1, and its
// label): what the page list of the navigation document links to.
void append_page_break(std::string& out, const PageStart& page);

// Returns the id of the pagebreak element of PAGE.
std::string page_break_id(const PageStart& page);

// Lists, for every note, where its references stand in reading order, so that the n-th
// reference gets the id "noteref-N-n" whichever file it is rendered in.
struct NoteRefIndex {
  // refs[note] holds one key per reference in reading order: 2 * chapter for a reference
  // in the chapter's body, 2 * chapter + 1 for one inside a note defined in that chapter.
  std::vector<std::vector<int>> refs;
};

// Walks the whole book once and records where every note reference stands.
NoteRefIndex index_note_refs(const Book& book);

// Returns the file name of chapter I inside the EPUB content folder ("ch01-intro.xhtml").
std::string chapter_file_name(const Book& book, int chapter_index);

// Renders chapter I as a complete, well-formed XHTML 1.1/EPUB 3 document.
std::string chapter_xhtml(const Book& book, int chapter_index, const XhtmlOptions& options);

// Renders chapter I like the overload above, reusing an index of note references built
// once for the whole book (what the EPUB packager does, to stay linear in book size).
std::string chapter_xhtml(const Book& book, int chapter_index, const XhtmlOptions& options,
                          const NoteRefIndex& refs);

// Renders the book-level notes chapter (used when notes are placed at the end of the book).
std::string notes_xhtml(const Book& book, const XhtmlOptions& options);

// Renders the book-level notes chapter reusing a prebuilt index of note references.
std::string notes_xhtml(const Book& book, const XhtmlOptions& options, const NoteRefIndex& refs);

// Appends the prologue of an XHTML content document: XML declaration, doctype, <html>
// with the book's language and, when `text-direction` sets one, its direction, <head> with TITLE and the stylesheet CSS_HREF (none when empty), and
// the opening <body> tag; with MARKUP's additions to the head and body when given.
void append_document_start(std::string& out, const Metadata& meta, std::string_view title,
                           std::string_view css_href, TextMarkup* markup = nullptr);

// Appends the closing </body></html>, after MARKUP's end of the body when given.
void append_document_end(std::string& out, TextMarkup* markup = nullptr);


// Percent-encodes the characters a relative URL must not carry raw (space, %, #, ? ...),
// keeping '/' and non-ASCII UTF-8 (an IRI) as they are.
std::string encode_href(std::string_view path);

// Localised label for generated pages: "Contents", "Notes", "Cover", "Title page",
// "Landmarks", "Start", "Pages" in the book language (English when the language is unknown).
std::string generated_label(std::string_view language, std::string_view key);

}  // namespace colophon
