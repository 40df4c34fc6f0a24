// The XHTML writer: one switch over block kinds, one over inline kinds, appending to a
// single string (no DOM), so a whole book renders in a few milliseconds.
#include "xhtml/xhtml.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <deque>
#include <functional>

#include "core/text.h"
#include "core/work.h"
#include "html/html.h"
#include "html/svg.h"

namespace colophon {

namespace {

// Expected bytes of markup per byte of text, to reserve the output string once.
constexpr double kOutputGrowthFactor = 1.3;

// Section semantics chosen from the first word of a chapter title: EPUB structural
// semantics (epub:type) and the matching DPUB-ARIA role.
struct SectionKind {
  const char* word;      // lower-case first word of the title
  const char* epub_type;
  const char* role;
};

constexpr std::array<SectionKind, 12> kSectionKinds = {{
    {"introduction", "introduction", "doc-introduction"},
    {"preface", "preface", "doc-preface"},
    {"foreword", "foreword", "doc-foreword"},
    {"prologue", "prologue", "doc-prologue"},
    {"epilogue", "epilogue", "doc-epilogue"},
    {"afterword", "afterword", "doc-afterword"},
    {"appendix", "appendix", "doc-appendix"},
    {"conclusion", "conclusion", "doc-conclusion"},
    {"acknowledgments", "acknowledgments", "doc-acknowledgments"},
    {"acknowledgements", "acknowledgments", "doc-acknowledgments"},
    {"glossary", "glossary", "doc-glossary"},
    {"bibliography", "bibliography", "doc-bibliography"},
}};

// Returns the lower-cased first ASCII word of TITLE.
std::string first_word(std::string_view title) {
  std::string w;
  for (char c : title) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c < 'a' || c > 'z') break;
    w += c;
  }
  return w;
}

// Appends the <section> opening tag for chapter CH with fitting epub:type and role.
void append_section_open(std::string& out, const Chapter& ch) {
  std::string word = first_word(ch.title);
  for (const SectionKind& k : kSectionKinds) {
    if (word == k.word) {
      out += "<section epub:type=\"";
      out += k.epub_type;
      out += "\" role=\"";
      out += k.role;
      out += "\">\n";
      return;
    }
  }
  switch (ch.role) {
    case ChapterRole::Prefix: out += "<section epub:type=\"frontmatter\">\n"; break;
    case ChapterRole::Suffix: out += "<section epub:type=\"backmatter\">\n"; break;
    case ChapterRole::Numbered:
      out += "<section epub:type=\"chapter\" role=\"doc-chapter\">\n";
      break;
  }
}

// Returns the element id of note N (the model's, or the documented default).
std::string note_id(const Book& book, int n) {
  const Note& note = book.notes[n];
  return note.id.empty() ? "note-" + std::to_string(n + 1) : note.id;
}

// Returns the id of the K-th (0-based) reference to note N.
std::string note_ref_id(const Book& book, int n, int k) {
  const Note& note = book.notes[n];
  // Appended piece by piece: GCC 12 -O3 warns falsely (-Wrestrict) on "-" + to_string(k).
  std::string base = note.ref_id;
  if (base.empty()) base.append("noteref-").append(std::to_string(n + 1));
  if (k > 0) base.append(1, '-').append(std::to_string(k + 1));
  return base;
}

// Returns the shown number of note N.
int note_number(const Book& book, int n) {
  return book.notes[n].number > 0 ? book.notes[n].number : n + 1;
}

// Tells whether notes go to the book-level notes file.
bool notes_in_book_file(const Book& book, const XhtmlOptions& options) {
  return book.note_options.epub_placement == NoteOptions::Placement::Book &&
         !options.notes_file.empty();
}

// Returns the CSS class for a table column alignment, or nullptr.
const char* align_class(Align a) {
  switch (a) {
    case Align::Left: return "align-left";
    case Align::Center: return "align-center";
    case Align::Right: return "align-right";
    case Align::None: break;
  }
  return nullptr;
}

// Returns the language of a code block info string as a safe class suffix.
std::string code_language(std::string_view info) {
  std::string lang;
  for (char c : info) {
    if (c == ' ' || c == ',' || c == '{' || c == '\t') break;
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '+' || c == '.' || c == '#';
    if (ok) lang += c;
  }
  return lang;
}

// Tells whether URL starts with a scheme ("https:", "mailto:").
bool has_scheme(std::string_view url) {
  size_t colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  for (size_t i = 0; i < colon; ++i) {
    char c = url[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
    if (!ok) return false;
  }
  return true;
}

// Tells whether URL has a scheme the links' one policy refuses (html/svg.h): script,
// data, local files, app intents must never reach an EPUB as a link.
bool unsafe_scheme(std::string_view url) {
  std::string scheme = url_scheme_of(url);
  return !scheme.empty() && !is_link_scheme_allowed(scheme);
}

// Tells whether a table cell shows nothing: only white space, or empty formatting.
bool cell_is_empty(const std::vector<Inline>& xs) {
  for (const Inline& x : xs) {
    switch (x.kind) {
      case InlineKind::Text:
      case InlineKind::Code:
        if (!trim(x.text).empty()) return false;
        break;
      case InlineKind::SoftBreak:
      case InlineKind::LineBreak: break;
      case InlineKind::Emph:
      case InlineKind::Strong:
      case InlineKind::Strikethrough:
      case InlineKind::Link:
      case InlineKind::Span:
        if (!cell_is_empty(x.children)) return false;
        break;
      case InlineKind::Image:
      case InlineKind::NoteRef: return false;
    }
  }
  return true;
}

// Tells whether every cell of a table row is empty.
bool row_is_empty(const std::vector<std::vector<Inline>>& row) {
  for (const auto& cell : row)
    if (!cell_is_empty(cell)) return false;
  return true;
}

// Tells whether NAME may be written as an XML attribute name: a letter or '_', then
// letters, digits, '-', '_', '.' or ':' (the model's names were checked by the reader;
// this keeps the output well-formed whatever the model holds).
bool is_attribute_name(std::string_view name) {
  if (name.empty()) return false;
  char c0 = name[0];
  if (!((c0 >= 'a' && c0 <= 'z') || (c0 >= 'A' && c0 <= 'Z') || c0 == '_')) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

// Returns the class a neutral <div> or <span> gets for an element EPUB does not have:
// the name with every character but a-z, 0-9, '-' and '_' turned into '-'.
std::string element_class(std::string_view element) {
  std::string out;
  for (char c : element) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    out += ok ? c : '-';
  }
  return out.empty() ? std::string("element") : out;
}

// Appends ATTR as XML attributes: id, then class (LEAD_CLASS first, when given), then the
// others in order. NEUTRAL: the element is written as a <div> or <span> standing in for
// another, so attributes that are not global become data-NAME (kept, and valid).
void append_attr(std::string& out, const Attr& attr, std::string_view lead_class = {},
                 bool neutral = false) {
  if (!attr.id.empty()) {
    out += " id=\"";
    append_xml_escaped(out, attr.id, true);
    out += '"';
  }
  if (!lead_class.empty() || !attr.classes.empty()) {
    out += " class=\"";
    bool first = true;
    auto add = [&](std::string_view c) {
      if (c.empty()) return;
      if (!first) out += ' ';
      append_xml_escaped(out, c, true);
      first = false;
    };
    add(lead_class);
    for (const std::string& c : attr.classes) add(c);
    out += '"';
  }
  for (const auto& [name, value] : attr.attributes) {
    if (name == "id" || name == "class" || !is_attribute_name(name)) continue;
    out += ' ';
    if (neutral && !is_global_attribute(name)) {
      out += "data-";
      for (char c : name) out += c == ':' ? '-' : c;
    } else {
      out += name;
    }
    out += "=\"";
    append_xml_escaped(out, value, true);
    out += '"';
  }
}

// Renders blocks and inlines of one output file (a chapter or the notes file).
class Writer {
 public:
  Writer(const Book& book, const XhtmlOptions& options, const NoteRefIndex& refs,
         std::string file, std::string& out, TextMarkup* markup = nullptr)
      : book_(book),
        options_(options),
        refs_(refs),
        file_(std::move(file)),
        out_(out),
        markup_(markup),
        language_(book.meta.language.empty() ? "en" : book.meta.language) {
    seen_.assign(book.notes.size(), 0);
  }

  // Writes TEXT (character data): escaped at once, or gathered for the markup hook,
  // which gets the whole run when the next element comes (flush); with a pagebreak
  // element before each byte of it a page of the print edition begins at.
  void text(std::string_view text) {
    for_each_page(
        text,
        [this](std::string_view piece) {
          if (markup_ == nullptr) {
            append_xml_escaped(out_, piece);
          } else {
            pending_ += piece;
          }
        },
        [this](const PageStart& page) {
          if (markup_ == nullptr) {
            append_page_break(out_, page);
          } else {
            append_page_break(inserted_.emplace_back(), page);
            inserts_.push_back({pending_.size(), inserted_.back()});
          }
        });
  }

  // Writes TEXT (code) escaped, with its page breaks, bypassing the markup hook.
  void code_text(std::string_view text) {
    for_each_page(
        text, [this](std::string_view piece) { append_xml_escaped(out_, piece); },
        [this](const PageStart& page) { append_page_break(out_, page); });
  }

  // Hands the text gathered so far to the markup hook.
  void flush() {
    if (pending_.empty()) return;
    markup_->text(out_, pending_, language_, inserts_);
    pending_.clear();
    inserts_.clear();
    inserted_.clear();
  }

  // Tells the markup hook that a new block starts.
  void start_block() {
    flush();
    if (markup_ != nullptr) markup_->block();
  }

  // Starts counting references as if everything before KEY (see NoteRefIndex) was written.
  void start_refs_at(int key) {
    for (size_t n = 0; n < book_.notes.size() && n < refs_.refs.size(); ++n) {
      const std::vector<int>& r = refs_.refs[n];
      seen_[n] = static_cast<int>(std::lower_bound(r.begin(), r.end(), key) - r.begin());
    }
  }

  void blocks(const std::vector<Block>& bs) {
    for (const Block& b : bs) block(b);
  }

  void block(const Block& b) {
    work::add();
    start_block();
    switch (b.kind) {
      case BlockKind::Paragraph:
        out_ += "<p";
        append_attr(out_, b.attr);
        out_ += '>';
        inlines(b.inlines);
        out_ += "</p>\n";
        break;
      case BlockKind::Heading: {
        const char tag[3] = {'h', static_cast<char>('0' + std::clamp(b.level, 1, 6)), 0};
        wrap(tag, b.attr, b.inlines);
        out_ += '\n';
        break;
      }
      case BlockKind::BlockQuote:
        out_ += "<blockquote";
        append_attr(out_, b.attr);
        out_ += ">\n";
        blocks(b.children);
        out_ += "</blockquote>\n";
        break;
      case BlockKind::BulletList:
        out_ += "<ul";
        append_attr(out_, b.attr);
        out_ += ">\n";
        list_items(b);
        out_ += "</ul>\n";
        break;
      case BlockKind::OrderedList:
        out_ += "<ol";
        if (b.start != 1) {
          out_ += " start=\"";
          out_ += std::to_string(b.start);
          out_ += '"';
        }
        append_attr(out_, b.attr);
        out_ += ">\n";
        list_items(b);
        out_ += "</ol>\n";
        break;
      case BlockKind::ListItem:  // only reached for a stray item: render as loose
        out_ += "<li";
        append_attr(out_, b.attr);
        out_ += '>';
        blocks(b.children);
        out_ += "</li>\n";
        break;
      case BlockKind::CodeBlock: {
        std::string lang = code_language(b.info);
        out_ += "<pre><code";
        append_attr(out_, b.attr, lang.empty() ? std::string() : "language-" + lang);
        out_ += '>';
        std::string_view text = b.text;
        if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
        code_text(text);
        out_ += "</code></pre>\n";
        break;
      }
      case BlockKind::ThematicBreak:
        out_ += "<hr";
        append_attr(out_, b.attr);
        out_ += "/>\n";
        break;
      case BlockKind::Table: table(b.table, b.attr); break;
      case BlockKind::Figure: figure(b); break;
      case BlockKind::Div: div(b); break;
      case BlockKind::Plain:
        inlines(b.inlines);
        out_ += '\n';
        break;
    }
  }

  void inlines(const std::vector<Inline>& xs) {
    for (const Inline& x : xs) inline_node(x);
    flush();
  }

  // Appends the note N as it stands at the end of a chapter (footnote) or in the book
  // notes file (endnote), with a link back to its first reference. Every note is typed
  // footnote, the type every reading system with pop-up notes accepts behind a noteref
  // link (Apple Books accepts no other); a note of the notes file is an endnote too.
  void note(int n, bool endnote) {
    const Note& nt = book_.notes[n];
    std::string id = note_id(book_, n);
    if (endnote) {
      out_ += "<li epub:type=\"endnote footnote\" class=\"note\" id=\"";
    } else {
      out_ += "<aside epub:type=\"footnote\" role=\"doc-footnote\" class=\"note\" id=\"";
    }
    append_xml_escaped(out_, id, true);
    out_ += "\">\n";
    // The number (a back link when referenced) leads the first paragraph.
    start_block();
    size_t first = 0;
    if (!nt.blocks.empty() && nt.blocks[0].kind == BlockKind::Paragraph) {
      out_ += "<p>";
      backlink(n);
      text(" ");
      inlines(nt.blocks[0].inlines);
      out_ += "</p>\n";
      first = 1;
    } else {
      out_ += "<p class=\"note-label\">";
      backlink(n);
      out_ += "</p>\n";
    }
    for (size_t i = first; i < nt.blocks.size(); ++i) block(nt.blocks[i]);
    out_ += endnote ? "</li>\n" : "</aside>\n";
  }

 private:
  void list_items(const Block& list) {
    for (const Block& item : list.children) {
      start_block();
      out_ += "<li";
      append_attr(out_, item.attr);
      out_ += '>';
      if (item.kind != BlockKind::ListItem) {  // not the documented shape: render the block
        out_ += '\n';
        block(item);
        out_ += "</li>\n";
        continue;
      }
      const std::vector<Block>& kids = item.children;
      if (list.tight) {
        // A tight item shows its paragraphs without <p>, like CommonMark's HTML.
        bool first = true;
        for (const Block& k : kids) {
          if (k.kind == BlockKind::Paragraph) {
            if (!first) out_ += '\n';
            inlines(k.inlines);
          } else {
            out_ += '\n';
            block(k);
          }
          first = false;
        }
      } else {
        out_ += '\n';
        blocks(kids);
      }
      out_ += "</li>\n";
    }
  }

  // Writes a table. A header row whose cells are all empty carries nothing and is left
  // out; a single empty cell in a header row (a corner above row labels) is written as
  // <td>, since an empty <th> names no column for a screen reader.
  void table(const Table& t, const Attr& attr) {
    out_ += "<table";
    append_attr(out_, attr);
    out_ += ">\n";
    int header_rows = std::clamp(t.header_rows, 0, static_cast<int>(t.rows.size()));
    int first_head = 0;
    while (first_head < header_rows && row_is_empty(t.rows[first_head])) ++first_head;
    if (first_head == static_cast<int>(t.rows.size())) first_head = 0;  // keep a blank table
    for (int r = first_head; r < static_cast<int>(t.rows.size()); ++r) {
      bool head = r < header_rows;
      if (r == first_head && head) out_ += "<thead>\n";
      if (r == header_rows) out_ += "<tbody>\n";
      out_ += "<tr>";
      const auto& row = t.rows[r];
      for (size_t c = 0; c < row.size(); ++c) {
        const char* cls = c < t.align.size() ? align_class(t.align[c]) : nullptr;
        bool th = head && !cell_is_empty(row[c]);
        out_ += th ? "<th scope=\"col\"" : "<td";
        if (cls) {
          out_ += " class=\"";
          out_ += cls;
          out_ += '"';
        }
        out_ += '>';
        start_block();
        inlines(row[c]);
        out_ += th ? "</th>" : "</td>";
      }
      out_ += "</tr>\n";
      if (head && r == header_rows - 1) out_ += "</thead>\n";
    }
    if (static_cast<int>(t.rows.size()) > header_rows) out_ += "</tbody>\n";
    out_ += "</table>\n";
  }

  void figure(const Block& b) {
    const Inline* img = nullptr;
    for (const Inline& x : b.inlines)
      if (x.kind == InlineKind::Image) img = &x;
    if (!img) {  // not the documented shape: keep the content as a paragraph
      out_ += "<p>";
      inlines(b.inlines);
      out_ += "</p>\n";
      return;
    }
    out_ += "<figure";
    append_attr(out_, b.attr);
    out_ += ">\n";
    image(*img);
    out_ += '\n';
    if (!img->children.empty()) {
      start_block();
      out_ += "<figcaption>";
      inlines(img->children);
      out_ += "</figcaption>\n";
    }
    out_ += "</figure>\n";
  }

  void image(const Inline& x) {
    std::string alt = plain_text(x.children);
    if (x.asset < 0 || x.asset >= static_cast<int>(book_.assets.size())) {
      // The asset pass reported the missing image; keep its description in the text.
      out_ += "<span class=\"missing-image\">";
      text(alt);
      flush();
      out_ += "</span>";
      return;
    }
    const Asset& a = book_.assets[x.asset];
    std::string img;
    std::string& out = markup_ != nullptr ? img : out_;
    out += "<img src=\"";
    append_xml_escaped(out, encode_href(a.href), true);
    out += "\" alt=\"";
    append_xml_escaped(out, alt, true);
    out += '"';
    if (!x.title.empty()) {
      out += " title=\"";
      append_xml_escaped(out, x.title, true);
      out += '"';
    }
    append_attr(out, x.attr);
    out += "/>";
    if (markup_ != nullptr) markup_->image(out_, img);
  }

  // Writes CONTENT inside the element TAG with ATTR.
  void wrap(std::string_view tag, const Attr& attr, const std::vector<Inline>& content) {
    out_ += '<';
    out_ += tag;
    append_attr(out_, attr);
    out_ += '>';
    inlines(content);
    out_ += "</";
    out_ += tag;
    out_ += '>';
  }

  // Writes a generic block container: as its own element when EPUB has it and it may
  // hold blocks, else as <div class="element">. A lone Plain child (a term, a summary,
  // a table cell) is written on the element's own line.
  void div(const Block& b) {
    bool own = is_epub_element(b.element) && !is_phrasing_element(b.element);
    std::string_view tag = own ? std::string_view(b.element) : std::string_view("div");
    out_ += '<';
    out_ += tag;
    append_attr(out_, b.attr, own ? std::string() : element_class(b.element), !own);
    if (own && is_void_element(b.element)) {
      out_ += "/>\n";
      return;
    }
    out_ += '>';
    Scope scope(*this, b.element, b.attr);
    if (b.children.size() == 1 && b.children[0].kind == BlockKind::Plain) {
      inlines(b.children[0].inlines);
    } else {
      out_ += '\n';
      blocks(b.children);
    }
    out_ += "</";
    out_ += tag;
    out_ += ">\n";
  }

  // Sets, for the content of one element, the language of its text (its lang attribute)
  // and whether the markup hook sees it (not inside code, SVG or MathML); restores both
  // when the element ends.
  class Scope {
   public:
    Scope(Writer& w, std::string_view element, const Attr& attr)
        : w_(w), markup_(w.markup_), language_(w.language_) {
      static constexpr std::array<std::string_view, 7> kVerbatim = {
          "pre", "code", "svg", "math", "script", "style", "textarea"};
      if (std::find(kVerbatim.begin(), kVerbatim.end(), element) != kVerbatim.end())
        w.markup_ = nullptr;
      const std::string* lang = attr.find("lang");
      if (lang == nullptr) lang = attr.find("xml:lang");
      if (lang != nullptr && !lang->empty()) w.language_ = *lang;
    }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
    ~Scope() {
      w_.markup_ = markup_;
      w_.language_ = std::move(language_);
    }

   private:
    Writer& w_;
    TextMarkup* markup_;
    std::string language_;
  };

  // Writes a generic inline container: as its own element when EPUB has it inside text,
  // else as <span class="element">.
  void span(const Inline& x) {
    bool own = is_phrasing_element(x.element);
    std::string_view tag = own ? std::string_view(x.element) : std::string_view("span");
    if (own && is_void_element(x.element)) {  // <img/>, <br/>: an image goes to the hook
      std::string element;
      std::string& out = markup_ != nullptr && x.element == "img" ? element : out_;
      out += '<';
      out += tag;
      append_attr(out, x.attr);
      out += "/>";
      if (&out == &element) markup_->image(out_, element);
      return;
    }
    out_ += '<';
    out_ += tag;
    append_attr(out_, x.attr, own ? std::string() : element_class(x.element), !own);
    out_ += '>';
    Scope scope(*this, x.element, x.attr);
    inlines(x.children);
    out_ += "</";
    out_ += tag;
    out_ += '>';
  }

  // Returns the href of a resolved link, or an empty string when it must not be a link.
  std::string link_href(const Inline& x) const {
    const LinkTarget& t = x.target;
    if (t.kind == LinkTarget::Kind::Internal && t.chapter >= 0 &&
        t.chapter < static_cast<int>(book_.chapters.size())) {
      std::string file = chapter_file_name(book_, t.chapter);
      if (t.anchor.empty()) return encode_href(file);
      if (file == file_) return "#" + t.anchor;
      return encode_href(file) + "#" + t.anchor;
    }
    if ((t.kind == LinkTarget::Kind::External || has_scheme(x.url)) && !unsafe_scheme(x.url))
      return x.url;
    return {};
  }

  void link(const Inline& x) {
    std::string href = link_href(x);
    if (href.empty()) {  // unresolved (already reported): keep the words, drop the link
      inlines(x.children);
      return;
    }
    out_ += "<a href=\"";
    append_xml_escaped(out_, href, true);
    out_ += '"';
    if (!x.title.empty()) {
      out_ += " title=\"";
      append_xml_escaped(out_, x.title, true);
      out_ += '"';
    }
    append_attr(out_, x.attr);
    out_ += '>';
    inlines(x.children);
    out_ += "</a>";
  }

  void note_ref(const Inline& x) {
    int n = x.note;
    if (n < 0 || n >= static_cast<int>(book_.notes.size())) return;  // reported by the note pass
    int k = seen_[n]++;
    std::string target;
    if (notes_in_book_file(book_, options_)) {
      if (options_.notes_file != file_) target = encode_href(options_.notes_file);
    } else {
      int home = book_.notes[n].chapter;
      if (home >= 0 && home < static_cast<int>(book_.chapters.size())) {
        std::string file = chapter_file_name(book_, home);
        if (file != file_) target = encode_href(file);
      }
    }
    out_ += "<a epub:type=\"noteref\" role=\"doc-noteref\" class=\"noteref\" id=\"";
    append_xml_escaped(out_, note_ref_id(book_, n, k), true);
    out_ += "\" href=\"";
    append_xml_escaped(out_, target, true);
    out_ += '#';
    append_xml_escaped(out_, note_id(book_, n), true);
    out_ += "\">";
    text(std::to_string(note_number(book_, n)));
    flush();
    out_ += "</a>";
  }

  // Writes the note's number as a link back to its first reference (plain when unused).
  void backlink(int n) {
    std::string number = std::to_string(note_number(book_, n));
    number += '.';
    if (n >= static_cast<int>(refs_.refs.size()) || refs_.refs[n].empty()) {
      out_ += "<span class=\"note-number\">";
      text(number);
      flush();
      out_ += "</span>";
      return;
    }
    int chapter = refs_.refs[n][0] / 2;
    std::string file;
    if (notes_in_book_file(book_, options_) && refs_.refs[n][0] % 2 == 1) {
      file = options_.notes_file;  // first referenced from inside another note
    } else {
      file = chapter_file_name(book_, chapter);
    }
    std::string href = file == file_ ? std::string() : encode_href(file);
    href += '#';
    href += note_ref_id(book_, n, 0);
    out_ += "<a role=\"doc-backlink\" class=\"note-backlink\" href=\"";
    append_xml_escaped(out_, href, true);
    out_ += "\">";
    text(number);
    flush();
    out_ += "</a>";
  }

  void inline_node(const Inline& x) {
    work::add();
    if (x.kind == InlineKind::Text || x.kind == InlineKind::SoftBreak) {
      text(x.kind == InlineKind::Text ? std::string_view(x.text) : std::string_view("\n"));
      return;
    }
    flush();
    switch (x.kind) {
      case InlineKind::Text:
      case InlineKind::SoftBreak: break;  // written above
      case InlineKind::LineBreak: out_ += "<br/>\n"; break;
      case InlineKind::Emph: wrap("em", x.attr, x.children); break;
      case InlineKind::Strong: wrap("strong", x.attr, x.children); break;
      case InlineKind::Strikethrough: wrap("del", x.attr, x.children); break;
      case InlineKind::Code:
        out_ += "<code";
        append_attr(out_, x.attr);
        out_ += '>';
        code_text(x.text);
        out_ += "</code>";
        break;
      case InlineKind::Link: link(x); break;
      case InlineKind::Image: image(x); break;
      case InlineKind::NoteRef: note_ref(x); break;
      case InlineKind::Span: span(x); break;
    }
  }

  // Calls PIECE with the pieces of TEXT between the page breaks inside it, and BREAK
  // with each break, in order (TEXT whole when there is none).
  template <typename Piece, typename Break>
  void for_each_page(std::string_view text, Piece&& piece, Break&& brk) {
    const std::vector<PageStart>* marks = options_.page_marks;
    if (marks != nullptr && !marks->empty() && !text.empty()) {
      std::less<const char*> before;
      auto it =
          std::lower_bound(marks->begin(), marks->end(), text.data(),
                           [&](const PageStart& p, const char* a) { return before(p.at, a); });
      const char* end = text.data() + text.size();
      for (; it != marks->end() && before(it->at, end); ++it) {
        size_t at = static_cast<size_t>(it->at - text.data());
        if (at > 0) piece(text.substr(0, at));
        brk(*it);
        text.remove_prefix(at);
      }
    }
    if (!text.empty()) piece(text);
  }

  const Book& book_;
  const XhtmlOptions& options_;
  const NoteRefIndex& refs_;
  std::string file_;       // the file being written, for same-file links
  std::string& out_;
  std::vector<int> seen_;  // per note: references written so far (book-wide)
  TextMarkup* markup_;     // the target's markup hook, or nullptr
  std::string language_;   // the language of the text being written
  std::string pending_;    // text gathered for the markup hook (see text())
  std::vector<TextMarkup::Insert> inserts_;  // page breaks inside pending_
  std::deque<std::string> inserted_;         // their elements (stable addresses)
};

// Records the note references in INLINES under KEY.
void index_inlines(const std::vector<Inline>& xs, int key, NoteRefIndex& index) {
  for (const Inline& x : xs) {
    if (x.kind == InlineKind::NoteRef && x.note >= 0 &&
        x.note < static_cast<int>(index.refs.size())) {
      index.refs[x.note].push_back(key);
    }
    if (!x.children.empty()) index_inlines(x.children, key, index);
  }
}

// Records the note references in BLOCKS under KEY, in the order the writer meets them.
void index_blocks(const std::vector<Block>& bs, int key, NoteRefIndex& index) {
  for (const Block& b : bs) {
    index_inlines(b.inlines, key, index);
    if (b.kind == BlockKind::Table)
      for (const auto& row : b.table.rows)
        for (const auto& cell : row) index_inlines(cell, key, index);
    index_blocks(b.children, key, index);
  }
}

// Tells whether BLOCKS hold a heading at their top level or inside section-like
// containers (a raw <div class="section"> around a chapter's heading).
bool has_heading(const std::vector<Block>& blocks) {
  for (const Block& b : blocks) {
    if (b.kind == BlockKind::Heading) return true;
    if (is_section_like(b) && has_heading(b.children)) return true;
  }
  return false;
}

// Estimates the text size of a chapter (to reserve the output once).
size_t estimate_size(const std::vector<Block>& bs) {
  size_t n = 0;
  for (const Block& b : bs) {
    n += 16 + b.text.size();
    for (const Inline& x : b.inlines) n += 8 + x.text.size() + x.children.size() * 16;
    n += estimate_size(b.children);
  }
  return n;
}

}  // namespace

void TextMarkup::append_text(std::string& out, std::string_view text) {
  append_xml_escaped(out, text);
}

void TextMarkup::append_text(std::string& out, std::string_view text, size_t base,
                             std::span<const Insert> inserts) {
  size_t done = 0;
  for (const Insert& in : inserts) {
    if (in.at < base + done || in.at >= base + text.size()) continue;
    append_xml_escaped(out, text.substr(done, in.at - base - done));
    out += in.markup;
    done = in.at - base;
  }
  append_xml_escaped(out, text.substr(done));
}

std::string page_break_id(const PageStart& page) {
  return "pdf-page-" + std::to_string(page.page + 1);
}

void append_page_break(std::string& out, const PageStart& page) {
  out += "<span epub:type=\"pagebreak\" role=\"doc-pagebreak\" id=\"";
  out += page_break_id(page);
  out += "\" aria-label=\"";
  append_xml_escaped(out, page.label, true);
  out += "\"></span>";
}

void append_document_start(std::string& out, const Metadata& meta, std::string_view title,
                           std::string_view css_href, TextMarkup* markup) {
  std::string lang = meta.language.empty() ? "en" : meta.language;
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n";
  out += "<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\"";
  out += " xml:lang=\"";
  append_xml_escaped(out, lang, true);
  out += "\" lang=\"";
  append_xml_escaped(out, lang, true);
  out += '"';
  // The book's direction ([book] text-direction) for every document, so that a reading
  // system sets the text, lists and tables right to left; without it each paragraph's
  // first letter decides, as in the PDF.
  if (meta.direction == "rtl" || meta.direction == "ltr") out += " dir=\"" + meta.direction + '"';
  out += ">\n<head>\n<title>";
  append_xml_escaped(out, title);
  out += "</title>\n";
  if (!css_href.empty()) {
    out += "<link rel=\"stylesheet\" type=\"text/css\" href=\"";
    append_xml_escaped(out, css_href, true);
    out += "\"/>\n";
  }
  if (markup != nullptr) markup->head(out);
  out += "</head>\n<body>\n";
  if (markup != nullptr) markup->body_start(out);
}

void append_document_end(std::string& out, TextMarkup* markup) {
  if (markup != nullptr) markup->body_end(out);
  out += "</body>\n</html>\n";
}

std::string encode_href(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(path.size());
  for (char ch : path) {
    unsigned char c = static_cast<unsigned char>(ch);
    bool keep = c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                (c >= '0' && c <= '9') || std::strchr("-._~/!$&'()*+,;=:@", c) != nullptr;
    if (c == 0) keep = false;
    if (keep) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string generated_label(std::string_view language, std::string_view key) {
  struct Row {
    const char* lang;
    const char* contents;
    const char* notes;
    const char* cover;
    const char* title_page;
    const char* landmarks;
    const char* start;
    const char* pages;
  };
  static constexpr Row kRows[] = {
      {"en", "Contents", "Notes", "Cover", "Title page", "Landmarks", "Start", "Pages"},
      {"de", "Inhalt", "Anmerkungen", "Umschlag", "Titelseite", "Orientierungspunkte", "Beginn",
       "Seiten"},
      {"fr", "Table des matières", "Notes", "Couverture", "Page de titre", "Repères", "Début",
       "Pages"},
      {"es", "Índice", "Notas", "Cubierta", "Portada", "Puntos de referencia", "Inicio", "Páginas"},
      {"it", "Indice", "Note", "Copertina", "Frontespizio", "Punti di riferimento", "Inizio",
       "Pagine"},
      {"ru", "Содержание", "Примечания", "Обложка", "Титульный лист", "Ориентиры", "Начало",
       "Страницы"},
  };
  std::string prefix(language.substr(0, language.find('-')));
  for (char& c : prefix)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  const Row* row = &kRows[0];
  for (const Row& r : kRows)
    if (prefix == r.lang) row = &r;
  if (key == "notes") return row->notes;
  if (key == "cover") return row->cover;
  if (key == "title-page") return row->title_page;
  if (key == "landmarks") return row->landmarks;
  if (key == "start") return row->start;
  if (key == "pages") return row->pages;
  return row->contents;
}

NoteRefIndex index_note_refs(const Book& book) {
  NoteRefIndex index;
  index.refs.resize(book.notes.size());
  for (size_t c = 0; c < book.chapters.size(); ++c) {
    const Chapter& ch = book.chapters[c];
    int key = static_cast<int>(c) * 2;
    index_blocks(ch.blocks, key, index);
    for (int n : ch.notes)
      if (n >= 0 && n < static_cast<int>(book.notes.size()))
        index_blocks(book.notes[n].blocks, key + 1, index);
  }
  return index;
}

std::string chapter_file_name(const Book& book, int i) {
  const Chapter& ch = book.chapters[i];
  if (ch.id.empty()) return "chapter-" + std::to_string(i + 1) + ".xhtml";
  return ch.id + ".xhtml";
}

std::string chapter_xhtml(const Book& book, int chapter_index, const XhtmlOptions& options) {
  return chapter_xhtml(book, chapter_index, options, index_note_refs(book));
}

std::string chapter_xhtml(const Book& book, int chapter_index, const XhtmlOptions& options,
                          const NoteRefIndex& refs) {
  const Chapter& ch = book.chapters[chapter_index];
  std::string out;
  out.reserve(static_cast<size_t>(static_cast<double>(estimate_size(ch.blocks)) *
                                  kOutputGrowthFactor) +
              1024);
  std::string title = !ch.page_title.empty() ? ch.page_title : ch.title.empty() ? ch.id : ch.title;
  std::unique_ptr<TextMarkup> markup = options.markup ? options.markup() : nullptr;
  append_document_start(out, book.meta, title, options.css_href, markup.get());
  append_section_open(out, ch);
  Writer w(book, options, refs, chapter_file_name(book, chapter_index), out, markup.get());
  if (!has_heading(ch.blocks)) {
    w.start_block();
    out += "<h1 class=\"chapter-title\">";
    w.text(title);
    w.flush();
    out += "</h1>\n";
  }
  w.start_refs_at(chapter_index * 2);
  w.blocks(ch.blocks);
  if (!notes_in_book_file(book, options) && !ch.notes.empty()) {
    out += "<div class=\"footnotes\">\n";
    for (int n : ch.notes)
      if (n >= 0 && n < static_cast<int>(book.notes.size())) w.note(n, false);
    out += "</div>\n";
  }
  out += "</section>\n";
  append_document_end(out, markup.get());
  return out;
}

std::string notes_xhtml(const Book& book, const XhtmlOptions& options) {
  return notes_xhtml(book, options, index_note_refs(book));
}

std::string notes_xhtml(const Book& book, const XhtmlOptions& options, const NoteRefIndex& refs) {
  std::string out;
  out.reserve(1024 + book.notes.size() * 512);
  std::string title = generated_label(book.meta.language, "notes");
  std::unique_ptr<TextMarkup> markup = options.markup ? options.markup() : nullptr;
  append_document_start(out, book.meta, title, options.css_href, markup.get());
  Writer w(book, options, refs, options.notes_file, out, markup.get());
  out += "<section epub:type=\"endnotes\" role=\"doc-endnotes\">\n";
  w.start_block();
  out += "<h1>";
  w.text(title);
  w.flush();
  out += "</h1>\n";
  int chapters_with_notes = 0;
  for (const Chapter& ch : book.chapters) chapters_with_notes += ch.notes.empty() ? 0 : 1;
  for (size_t c = 0; c < book.chapters.size(); ++c) {
    const Chapter& ch = book.chapters[c];
    if (ch.notes.empty()) continue;
    if (chapters_with_notes > 1) {
      w.start_block();
      out += "<h2>";
      w.text(ch.title.empty() ? ch.id : ch.title);
      w.flush();
      out += "</h2>\n";
    }
    w.start_refs_at(static_cast<int>(c) * 2 + 1);
    out += "<ol class=\"endnotes\">\n";
    for (int n : ch.notes)
      if (n >= 0 && n < static_cast<int>(book.notes.size())) w.note(n, true);
    out += "</ol>\n";
  }
  out += "</section>\n";
  append_document_end(out, markup.get());
  return out;
}

}  // namespace colophon
