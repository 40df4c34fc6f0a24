// `colophon dump`: the model as indented text, one node per line.
#include <sstream>

#include "model/model.h"

namespace colophon {

namespace {

const char* inline_name(InlineKind k) {
  switch (k) {
    case InlineKind::Text: return "Text";
    case InlineKind::SoftBreak: return "SoftBreak";
    case InlineKind::LineBreak: return "LineBreak";
    case InlineKind::Emph: return "Emph";
    case InlineKind::Strong: return "Strong";
    case InlineKind::Strikethrough: return "Strikethrough";
    case InlineKind::Code: return "Code";
    case InlineKind::Link: return "Link";
    case InlineKind::Image: return "Image";
    case InlineKind::NoteRef: return "NoteRef";
    case InlineKind::Span: return "Span";
  }
  return "?";
}

const char* block_name(BlockKind k) {
  switch (k) {
    case BlockKind::Paragraph: return "Paragraph";
    case BlockKind::Heading: return "Heading";
    case BlockKind::BlockQuote: return "BlockQuote";
    case BlockKind::BulletList: return "BulletList";
    case BlockKind::OrderedList: return "OrderedList";
    case BlockKind::ListItem: return "ListItem";
    case BlockKind::CodeBlock: return "CodeBlock";
    case BlockKind::ThematicBreak: return "ThematicBreak";
    case BlockKind::Table: return "Table";
    case BlockKind::Figure: return "Figure";
    case BlockKind::Div: return "Div";
    case BlockKind::Plain: return "Plain";
  }
  return "?";
}

// Writes a string as a C-style quoted literal, so line ends stay visible.
void quoted(std::ostream& out, const std::string& s) {
  out << '"';
  for (char c : s) {
    if (c == '\n') out << "\\n";
    else if (c == '"') out << "\\\"";
    else if (c == '\\') out << "\\\\";
    else out << c;
  }
  out << '"';
}

// Writes a node's element name (containers) and its attributes: " name #id .class key=\"v\"".
void attributes(std::ostream& out, const std::string& element, const Attr& attr) {
  if (!element.empty()) out << ' ' << element;
  if (!attr.id.empty()) out << " #" << attr.id;
  for (const std::string& c : attr.classes) out << " ." << c;
  for (const auto& [key, value] : attr.attributes) {
    out << ' ' << key << '=';
    quoted(out, value);
  }
}

class Dumper {
 public:
  Dumper(const Book& book, std::ostream& out) : book_(book), out_(out) {}

  // Returns "line:col", or "file:line:col" for a place in included text.
  static std::string place(SourcePos pos) {
    std::string s = pos.file != 0 ? included_file_name(pos.file) + ':' : std::string();
    return s + std::to_string(pos.line) + ':' + std::to_string(pos.col);
  }

  void inlines(const std::vector<Inline>& list, int depth) {
    for (const Inline& in : list) inline_node(in, depth);
  }

  void inline_node(const Inline& in, int depth) {
    indent(depth);
    out_ << inline_name(in.kind) << " @" << place(in.pos);
    attributes(out_, in.element, in.attr);
    switch (in.kind) {
      case InlineKind::Text:
      case InlineKind::Code:
        out_ << ' ';
        quoted(out_, in.text);
        break;
      case InlineKind::Link:
        out_ << " url=";
        quoted(out_, in.url);
        if (in.target.kind == LinkTarget::Kind::External) out_ << " -> external";
        if (in.target.kind == LinkTarget::Kind::Internal) {
          out_ << " -> chapter " << in.target.chapter;
          if (!in.target.anchor.empty()) out_ << " #" << in.target.anchor;
        }
        break;
      case InlineKind::Image:
        out_ << " url=";
        quoted(out_, in.url);
        if (in.asset >= 0) out_ << " -> asset " << in.asset;
        break;
      case InlineKind::NoteRef:
        out_ << " note=" << in.note;
        if (in.note >= 0 && in.note < static_cast<int>(book_.notes.size()))
          out_ << " [^" << book_.notes[in.note].label << "] #" << book_.notes[in.note].number;
        break;
      default: break;
    }
    out_ << '\n';
    inlines(in.children, depth + 1);
  }

  void blocks(const std::vector<Block>& list, int depth) {
    for (const Block& b : list) block(b, depth);
  }

  void block(const Block& b, int depth) {
    indent(depth);
    out_ << block_name(b.kind) << " @" << place(b.pos);
    if (b.kind == BlockKind::Heading) out_ << " level=" << b.level;
    attributes(out_, b.element, b.attr);
    if (b.kind == BlockKind::OrderedList) out_ << " start=" << b.start;
    if (b.kind == BlockKind::BulletList || b.kind == BlockKind::OrderedList)
      out_ << (b.tight ? " tight" : " loose");
    if (b.kind == BlockKind::CodeBlock) {
      out_ << " info=";
      quoted(out_, b.info);
      out_ << ' ';
      quoted(out_, b.text);
    }
    out_ << '\n';
    inlines(b.inlines, depth + 1);
    if (b.kind == BlockKind::Table) {
      for (size_t r = 0; r < b.table.rows.size(); ++r) {
        indent(depth + 1);
        out_ << (static_cast<int>(r) < b.table.header_rows ? "HeaderRow" : "Row") << '\n';
        for (const auto& cell : b.table.rows[r]) {
          indent(depth + 2);
          out_ << "Cell\n";
          inlines(cell, depth + 3);
        }
      }
    }
    blocks(b.children, depth + 1);
  }

  void book() {
    const Metadata& m = book_.meta;
    out_ << "Book title=";
    quoted(out_, m.title);
    out_ << " language=" << m.language << '\n';
    for (const std::string& a : m.authors) {
      out_ << "  Author ";
      quoted(out_, a);
      out_ << '\n';
    }
    for (size_t i = 0; i < book_.parts.size(); ++i) {
      out_ << "  Part " << i << ' ';
      quoted(out_, book_.parts[i]);
      out_ << '\n';
    }
    for (size_t i = 0; i < book_.chapters.size(); ++i) {
      const Chapter& c = book_.chapters[i];
      out_ << "Chapter " << i << " id=" << c.id << " source=" << c.source << " depth=" << c.depth;
      if (c.part >= 0) out_ << " part=" << c.part;
      out_ << (c.role == ChapterRole::Prefix ? " prefix" : c.role == ChapterRole::Suffix ? " suffix" : "");
      if (!c.number.empty()) {
        out_ << " number=";
        for (size_t k = 0; k < c.number.size(); ++k) out_ << (k ? "." : "") << c.number[k];
      }
      out_ << " title=";
      quoted(out_, c.title);
      out_ << '\n';
      blocks(c.blocks, 1);
    }
    for (size_t i = 0; i < book_.notes.size(); ++i) {
      const Note& n = book_.notes[i];
      out_ << "Note " << i << " [^" << n.label << "] number=" << n.number << " chapter=" << n.chapter
           << " id=" << n.id << " refs=" << n.ref_count << '\n';
      blocks(n.blocks, 1);
    }
    for (size_t i = 0; i < book_.assets.size(); ++i) {
      const Asset& a = book_.assets[i];
      out_ << "Asset " << i << ' ' << a.source << " -> " << a.href << ' ' << a.media_type;
      if (a.width) out_ << ' ' << a.width << 'x' << a.height;
      out_ << '\n';
    }
  }

 private:
  void indent(int depth) {
    for (int i = 0; i < depth; ++i) out_ << "  ";
  }

  const Book& book_;
  std::ostream& out_;
};

}  // namespace

std::string dump_book(const Book& book) {
  std::ostringstream out;
  Dumper(book, out).book();
  return out.str();
}

}  // namespace colophon
