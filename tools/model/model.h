// The book model: what the reader builds once and both backends (EPUB, PDF) consume.
//
// Node kinds follow pandoc's AST, cut down for books. Every node carries the source
// position it came from; the file is the chapter's (Chapter::source) or the note's.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/config_table.h"
#include "core/diagnostics.h"

namespace colophon {

// Nested blocks, inlines and raw HTML elements allowed in one chapter (a block quote,
// list item, emphasis or <div> is one level each). Far beyond any real book, low enough
// that every recursive walk of the model is safe and that the chapter's XHTML stays
// within what XML parsers accept (tinyxml2, which the EPUB packer checks chapters with,
// stops at 100 levels). The reader refuses deeper Markdown, the raw HTML check deeper
// raw HTML, with the same message.
constexpr size_t kMaxNestingDepth = 64;

// An element's identity beyond its kind, as pandoc's Attr: an id, classes and other
// attributes. Raw HTML elements, heading attribute blocks (`{#id .class}`) and the
// containers the reader makes (admonitions, definition lists) carry one; most nodes
// leave it empty. Attribute names are lower case and were checked by the reader.
struct Attr {
  std::string id;                    // element id; "" = none
  std::vector<std::string> classes;  // class names, in order
  std::vector<std::pair<std::string, std::string>> attributes;  // others, in order

  // Tells whether the node carries no id, class or attribute.
  bool empty() const { return id.empty() && classes.empty() && attributes.empty(); }
  // Tells whether NAME is one of the classes.
  bool has_class(std::string_view name) const;
  // Returns the value of attribute NAME, or nullptr when it has none.
  const std::string* find(std::string_view name) const;
};

enum class InlineKind {
  Text,           // plain text (smart punctuation already applied). EPUB: text; PDF: words.
  SoftBreak,      // a line end inside a paragraph (none between two CJK characters:
                  // the passes drop it). EPUB: newline; PDF: a space.
  LineBreak,      // a hard line break. EPUB: <br/>; PDF: forced line end.
  Emph,           // EPUB: <em>; PDF: italic face.
  Strong,         // EPUB: <strong>; PDF: bold face.
  Strikethrough,  // EPUB: <del>; PDF: a rule through the text.
  Code,           // inline code, `text`. EPUB: <code>; PDF: monospace face.
  Link,           // `children` linked to `url`; see `target`. EPUB: <a href>; PDF: link annotation.
  Image,          // inline image; `children` is the alt text. EPUB: <img>; PDF: image box.
  NoteRef,        // a footnote reference; `note` indexes Book::notes. EPUB: noteref; PDF: superscript.
  Span,           // a generic inline container (pandoc's Span): `element` names it (kbd, sup,
                  // sub, i, small, a custom element...), `attr` its id, classes and attributes,
                  // `children` its content. Raw HTML inside a paragraph is read into Spans,
                  // Links (<a href>), Images (<img src>), LineBreaks (<br>) and Text. EPUB: the element itself when EPUB allows it there,
                  // else <span class="element">; PDF: styled by element (see layout/collect).
};

// Where a link points once the link pass has resolved it.
struct LinkTarget {
  enum class Kind {
    Unresolved,  // not yet resolved (or resolution failed and was reported)
    External,    // an absolute URL (http:, https:, mailto: ...) kept as written
    Internal,    // a chapter of this book, optionally an anchor in it
  };
  Kind kind = Kind::Unresolved;
  int chapter = -1;    // Internal: index into Book::chapters
  std::string anchor;  // Internal: element id in that chapter; empty = chapter start
};

// One inline node.
struct Inline {
  InlineKind kind = InlineKind::Text;
  SourcePos pos;
  std::string text;              // Text, Code: the content
  std::string url;               // Link, Image: the destination as written in the source
  std::string title;             // Link, Image: the optional title
  std::vector<Inline> children;  // Emph, Strong, Strikethrough, Link, Image (alt), Span
  std::string element;           // Span: the element's name, lower case ("kbd", "listing")
  Attr attr;                     // any kind: id, classes and attributes written by the author
  LinkTarget target;             // Link: set by the link pass
  int asset = -1;                // Image: index into Book::assets, set by the asset pass
  int note = -1;                 // NoteRef: index into Book::notes
};

enum class Align { None, Left, Center, Right };

// A GFM table: one header row, then body rows; each cell is a list of inlines.
struct Table {
  std::vector<Align> align;                             // one per column
  std::vector<std::vector<std::vector<Inline>>> rows;  // rows[0] is the header row
  int header_rows = 1;
};

enum class BlockKind {
  Paragraph,      // `inlines`. EPUB: <p>; PDF: a justified paragraph.
  Heading,        // `level` 1-6, `inlines`, `id`. EPUB: <hN id>; PDF: heading, outline entry.
  BlockQuote,     // `children`. EPUB: <blockquote>; PDF: indented, smaller.
  BulletList,     // `children` are ListItems. EPUB: <ul>; PDF: hanging bullets.
  OrderedList,    // `children` are ListItems, numbered from `start`. EPUB: <ol>; PDF: numbers.
  ListItem,       // `children` blocks of one list item.
  CodeBlock,      // `text` (ends with '\n'), `info` = language. EPUB: <pre><code>; PDF: monospace.
  ThematicBreak,  // EPUB: <hr/>; PDF: a centred ornament.
  Table,          // `table`. EPUB: <table>; PDF: ruled table.
  Figure,         // an image alone in its paragraph: `inlines` = {one Image inline}; the
                  // caption is that Image's children. EPUB: <figure>+<figcaption>; PDF: image + caption.
  Div,            // a generic block container (pandoc's Div): `element` names it (aside,
                  // details, summary, figure, figcaption, dl, dt, dd, section, a custom
                  // element...), `attr` its id, classes and attributes, `children` its blocks.
                  // EPUB: the element itself when EPUB allows it, else <div class="element">;
                  // PDF: by element and class (admonitions ruled with their label, definition
                  // lists with hanging definitions; an unknown one as its content).
                  // Raw HTML blocks are read into Divs, Plains and ThematicBreaks (<hr>); an
                  // element opened in one HTML block holds the Markdown blocks up to its end tag.
  Plain,          // `inlines` outside any paragraph: text written directly in a raw HTML block
                  // element (<td>text</td>), a tight definition. EPUB: the inlines alone;
                  // PDF: an unindented paragraph.
};

// One block node.
struct Block {
  BlockKind kind = BlockKind::Paragraph;
  SourcePos pos;
  int level = 0;                // Heading: 1-6
  Attr attr;                    // any kind: id, classes, attributes; a heading's id is unique
                                // (written by the author, or set by the heading-id pass)
  std::string element;          // Div: the element's name, lower case ("aside", "listing")
  std::vector<Inline> inlines;  // Paragraph, Heading, Figure, Plain
  std::vector<Block> children;  // BlockQuote, BulletList, OrderedList, ListItem, Div
  std::string text;             // CodeBlock content
  std::string info;             // CodeBlock info string (language)
  int start = 1;                // OrderedList: first number
  bool tight = false;           // BulletList, OrderedList: tight (no blank lines) list
  bool raw_html = false;        // Div: an element written as raw HTML (kept as written: the
                                // ids pass adds no id to it)
  Table table;                  // Table
};

// A footnote: its definition, where it was referenced, and its number.
struct Note {
  std::string label;          // as written: [^label]
  int chapter = -1;           // index of the chapter that defines it
  SourcePos pos;              // position of the definition
  std::vector<Block> blocks;  // the note's content
  int number = 0;             // shown number (set by the note pass; continuous or per chapter)
  std::string id;             // unique element id of the note, e.g. "note-12"
  std::string ref_id;         // unique element id of the (first) reference, e.g. "noteref-12"
  int ref_count = 0;          // how many references point to it
};

// Where a chapter stands in SUMMARY.md.
enum class ChapterRole { Prefix, Numbered, Suffix };

// One chapter: one Markdown file, one XHTML file in the EPUB.
struct Chapter {
  std::string source;           // path relative to the book root, '/'-separated ("src/ch01.md")
  std::string title;            // title from SUMMARY.md (or the first heading)
  std::string page_title;       // {{#title ...}}: the title of the chapter's own page only
                                // (EPUB: its <title>), not of its contents entry
  ChapterRole role = ChapterRole::Numbered;
  std::vector<int> number;      // numbered chapters: section number, e.g. {2, 1} for 2.1
  int depth = 0;                // nesting depth in SUMMARY.md (0 = top level)
  int part = -1;                // index into Book::parts, or -1 before any part title
  std::string id;               // unique output name without extension ("ch01-getting-started")
  std::vector<Block> blocks;    // content
  std::vector<int> notes;       // indexes into Book::notes defined in this chapter, in order
  std::vector<std::string> raw_ids;  // every id the author gave an element of this chapter
                                     // (raw HTML, attributes), headings excepted
  std::vector<std::pair<std::string, std::string>>
      id_aliases;  // heading ids as written that XML refused ("sec:intro"), each with the
                   // id it became ("sec-intro"): links to the written one reach it
};

// An image or other file the book uses, packed once.
struct Asset {
  std::string source;      // path relative to the book root ("src/images/map.png")
  std::string path;        // absolute path on disk
  std::string href;        // path inside the EPUB content folder ("images/map.png")
  std::string media_type;  // "image/png", "image/jpeg", "image/gif", "image/svg+xml"
  std::string id;          // manifest id ("img-map-png")
  int width = 0;           // pixels, when known
  int height = 0;
  int bit_depth = 0;       // PNG bit depth, when known
  std::string data;        // when non-empty, the bytes to pack instead of the file on disk
                           // (e.g. an SVG whose DOCTYPE the asset pass removed)
  // For the PDF, which does not draw SVG: a PNG or JPEG of the same name beside an SVG
  // ("map.svg" -> "map.png"), used in its place in print. Empty when there is none.
  std::string print_path;        // absolute path
  std::string print_media_type;  // "image/png" or "image/jpeg"
  int print_width = 0;           // pixels
  int print_height = 0;
};

// Where notes go and how they are numbered (shared by EPUB and PDF).
struct NoteOptions {
  enum class Placement { Chapter, Book, Page };  // Page: PDF footnotes (EPUB treats as Chapter)
  enum class Numbering { Continuous, PerChapter };
  Placement epub_placement = Placement::Chapter;
  Placement pdf_placement = Placement::Page;
  Numbering numbering = Numbering::Continuous;
};

// How mdbook-admonish's blocks (```admonish warning title="...") are read: by colophon
// itself when book.toml names [preprocessor.admonish] (see read/admonish.h).
struct AdmonishOptions {
  bool enabled = false;              // [preprocessor.admonish] is named and runs for colophon
  bool bail = false;                 // on_failure = "bail": a block it cannot read is an error
  bool has_default_title = false;    // default = { title = "..." } was given
  std::string default_title;         // the title of blocks that give none ("" = no title bar)
  bool default_collapsible = false;  // default = { collapsible = true }
};

// mdbook-toc's settings ([preprocessor.toc], built in): where its marker stands alone as a
// block, the chapter gets a list of links to the headings that follow it.
struct TocOptions {
  bool enabled = false;                                  // named, and runs for colophon
  std::vector<std::string> marker_lines = {"<!-- toc -->"};  // marker = "...": nonblank_lines
  int max_level = 4;                                     // max-level: deepest heading listed
};

// The class of the Div that stands where mdbook-toc's marker was; the passes fill it with
// a list of links to the chapter's headings after it.
inline constexpr const char* kChapterTocClass = "chapter-toc";

// Which of mdBook's Markdown extensions the reader applies ([output.html] in book.toml,
// with mdBook's defaults, and the admonish preprocessor).
struct MarkdownOptions {
  bool admonitions = true;       // admonitions = false turns off > [!NOTE] ...
  bool definition_lists = true;  // definition-lists = false turns off term / : definition
  bool mathjax = false;          // mathjax-support = true: \\( \\) and \\[ \\] are math
  bool dollar_math = false;      // math = true: $...$ and $$...$$ are math
  AdmonishOptions admonish;      // [preprocessor.admonish]
  TocOptions toc;                // [preprocessor.toc]
};

// Book-wide metadata from book.toml (or flags, for a single file).
struct Metadata {
  std::string title;
  std::string subtitle;
  std::vector<std::string> authors;
  std::string language = "en";  // BCP 47
  std::string direction;        // "ltr" or "rtl" ([book] text-direction); "" = each
                                // paragraph's own, from its first letter
  bool language_set = false;    // given in book.toml or on the command line (not the default)
  std::string description;
  std::string identifier;       // ISBN, URN or UUID as configured; empty = derive one
  std::string publisher;
  std::string date;             // publication date as written (YYYY, YYYY-MM-DD ...)
  std::string rights;
  std::vector<std::string> subjects;
  std::string cover;            // cover image path relative to the book root (or the
                                // source of the generated cover); empty = none
  bool no_cover = false;        // cover = false: no cover, not even a generated one
  // Where book.toml gives the texts of the title and copyright pages (their keys; line
  // 0: not there), for messages about them.
  SourcePos title_pos, subtitle_pos, authors_pos, publisher_pos, rights_pos, identifier_pos;
};

// EPUB options from [output.epub].
struct EpubOptions {
  std::vector<std::string> extra_css;  // paths relative to the book root
  std::vector<std::string> fonts;      // font files to embed, relative to the book root
  int toc_depth = 2;                   // heading levels under each chapter in nav
  // page-list: the print edition's page breaks marked in every EPUB target when the PDF
  // is built in the same run (Auto), always (Pdf: the PDF is laid out for them), or never.
  enum class PageList { Auto, Pdf, None };
  PageList page_list = PageList::Auto;
};

// PDF options from [output.pdf]; the style file itself is read by the layout module.
struct PdfOptions {
  std::string style;  // path of a style TOML relative to the book root; empty = built-in
  std::string trim;   // overrides the style's trim size ("a5", "6x9in", ...) when set
  SourcePos trim_pos;  // where book.toml sets it (for messages)
  bool cover_page = false;  // the cover image is the PDF's first page
  // Fonts tried first for characters the style's fonts lack: font files (relative to
  // the book root) or installed family names, in order.
  std::vector<std::string> fallback_fonts;
  // profile = "print": a PDF/X-1a interior for a printer (page boxes, bleed, grey
  // images, no links or bookmarks, an even page count ending on a blank page).
  bool print = false;
  double bleed = 0;          // print: points beyond the trim on the outer edges
  double inside_margin = 0;  // print: the inner margin in points; 0 = KDP's, by page count
};

// A preprocessor named in book.toml ([preprocessor.NAME]), run as mdBook runs it.
struct PreprocessorSpec {
  std::string name;
  std::string command;                // empty: mdbook-NAME
  std::vector<std::string> before;    // names of preprocessors it runs before
  std::vector<std::string> after;     // names of preprocessors it runs after
  std::vector<std::string> renderers; // when set: run only for these renderer names
  bool has_renderers = false;         // `renderers` was given (even empty)
  bool optional = false;              // a missing command is a note, not a warning
  bool builtin = false;               // colophon does its work itself (admonish): no command
  SourcePos pos;                      // where its table is in book.toml

  // Tells whether `renderers` lets it run for RENDERER (without `renderers`: for all).
  bool runs_for(std::string_view renderer) const;
};

// How the chapters' text is prepared before it is parsed (mdBook's preprocessors).
struct SourceOptions {
  bool default_preprocessors = true;  // [build] use-default-preprocessors: links and index
  std::vector<PreprocessorSpec> preprocessors;  // [preprocessor.NAME], in book.toml order
  std::vector<std::string> include_dirs;        // [book] include-dirs, relative to the root
  bool safe = false;                  // --safe: read nothing outside the root, run no command

  // Tells whether the built-in preprocessor NAME ("links", "index") runs: by default, or
  // named in a [preprocessor.NAME] table when the defaults are off (as in mdBook).
  bool runs_builtin(std::string_view name) const;
};

// The whole book.
struct Book {
  std::string root;             // the book directory on disk (absolute)
  std::string root_display;     // the book directory as the user named it, for messages
  std::string config_file;      // "book.toml" or empty when there is none
  std::string src_dir = "src";  // relative to root
  std::string build_dir = "book";       // [build] build-dir: where outputs go, relative to root
  std::vector<std::string> watch_dirs;  // [build] extra-watch-dirs, relative to root
  std::vector<std::string> read_files;  // every file the reader read or looked for
                                        // (book.toml, SUMMARY.md, chapters, includes),
                                        // absolute: what `colophon watch` watches
  Metadata meta;
  NoteOptions note_options;
  MarkdownOptions markdown;
  EpubOptions epub;
  PdfOptions pdf;
  std::vector<ConfigTable> outputs;  // every [output.NAME] table of book.toml, in the order
                                     // written, for the target of that name to read
  std::vector<std::string> parts;  // part titles from SUMMARY.md, in order
  std::vector<Chapter> chapters;   // in reading order
  std::vector<Note> notes;         // every footnote in the book, chapter by chapter
  std::vector<Asset> assets;       // every image, each once, in order of first use
  SourceOptions source;            // preprocessors and includes
  std::string site_url;            // the book's web address ([book] site-url, else
                                   // [output.html] site-url): links that leave the book
  int64_t build_time = 0;          // seconds since the epoch (SOURCE_DATE_EPOCH or now)
  // A dead link (to a file that is missing or no chapter, or to a #fragment no heading or
  // id defines): an error, or (the default, since mdBook builds such books) a warning,
  // the link's text kept unlinked or, for a fragment, the link sent to the chapter start.
  bool dead_links_are_errors = false;

  // Returns the path to show in messages for a file relative to the book root.
  std::string display(const std::string& relative) const;
  // Returns the book's configuration file as messages name it: book.toml (where it would
  // be when the book has none).
  std::string config_display() const;
  // Returns the [output.NAME] table, or nullptr when book.toml has none.
  const ConfigTable* output(std::string_view name) const;
};

// Where one page of the print edition (the PDF) begins in the book's text, for the
// EPUB's page list. AT points at the first byte of the page's first word inside a text
// of the Book it was made from (an Inline's or a code block's text), so it is valid only
// while that Book lives unchanged, and is compared by address (std::less).
struct PageStart {
  const char* at = nullptr;
  int page = 0;       // index of the page in the PDF (0 = its first page)
  std::string label;  // the page's label as the PDF shows it ("vii", "12")
};

// The pages of the print edition in order, each page whose first word is the book's own
// text (not a title page, a contents page or a blank page). The PDF target publishes
// it under kPageMapKey.
struct PageMap {
  std::vector<PageStart> pages;
};

// The exchange key of the PDF's PageMap.
inline constexpr const char* kPageMapKey = "pdf.pages";

// What one EPUB-family output's chapters were in the last good build of a watch session:
// each chapter's XHTML and the print page breaks it held, kept for the next build.
struct ChapterMemo {
  std::vector<std::string> xhtml;  // by chapter
  std::vector<std::string> marks;  // by chapter: its page breaks as text ("" for none)
};

// Lets a writer of chapter XHTML reuse what it wrote in the last good build for the
// chapters whose model is unchanged (colophon watch): the driver says which those are,
// the writer keeps this build's chapters for the next one and counts what it rendered.
struct ChapterReuse {
  std::vector<char> unchanged;  // by chapter: read from the same bytes, every id, note
                                // number and asset of the book as in the last good build
  ChapterMemo last;             // the last good build's (empty after a full build)
  ChapterMemo next;             // filled by the writer: this build's
  int rendered = 0;             // filled by the writer: chapters rendered, not reused
};

// Returns INLINES as plain text: text, code and link/alt words, line breaks as spaces,
// note references and raw HTML left out (for ids, alt text, titles and contents).
std::string plain_text(const std::vector<Inline>& inlines);

// Tells whether a Div is a plain grouping of content whose headings belong to the
// chapter's outline (div, section, article, main, header, footer or a custom element),
// not an aside, figure, list or table.
bool is_section_like(const Block& div);

// Prints the model as indented text, one node per line (for `colophon dump`).
std::string dump_book(const Book& book);

}  // namespace colophon
