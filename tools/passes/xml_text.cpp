// The one validation point for text that reaches XML: every string of the model that a
// backend writes (Markdown text, raw HTML, titles from SUMMARY.md, metadata from
// book.toml or front matter) loses the characters XML forbids (core/utf8.h).
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/utf8.h"
#include "passes/common.h"
#include "passes/passes.h"
#include "passes/walk.h"

namespace colophon {

namespace {

// Returns "U+FFFE" for CP.
std::string code_point_name(char32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
  return buf;
}

// Cleans the strings of one file and reports them once: where the first bad character
// is, and how many there were in the file.
class FileCleaner {
 public:
  FileCleaner(std::string file, Diagnostics& diag) : file_(std::move(file)), diag_(diag) {}
  ~FileCleaner() {
    if (count_ == 0) return;
    std::string what = first_ == 0xFFFD ? "a byte that is not UTF-8 (or a reference such as &#xFFFF;)"
                                        : "character " + code_point_name(first_);
    if (!where_.empty()) what += " in " + where_;
    diag_.warning(file_, pos_,
                  what + " cannot stand in XML; it is written as U+FFFD" +
                      (count_ > 1 ? " (" + std::to_string(count_) +
                                        " such characters in this file, each replaced)"
                                  : ""),
                  "remove it, or write the character you meant (a control character or a "
                  "noncharacter is never text)");
  }

  // Replaces what XML forbids in S, which is at POS, or (a string with no place of its
  // own: metadata, a title in SUMMARY.md) in WHERE ("'title'"). The warning names the
  // first one of the file: the one nearest its start, whatever order the strings come in.
  void clean(std::string& s, SourcePos pos, std::string_view where = {}) {
    char32_t first = 0;
    size_t n = replace_non_xml_chars(s, &first);
    if (n == 0) return;
    bool earlier = pos.line > 0 && pos.file == 0 &&
                   (pos_.line == 0 || pos.line < pos_.line ||
                    (pos.line == pos_.line && pos.col < pos_.col));
    if (count_ == 0 || earlier) {
      first_ = first;
      pos_ = pos;
      where_ = where;
    }
    count_ += n;
  }

  // Cleans the id, classes and attribute values of a node.
  void attr(Attr& a, SourcePos pos) {
    clean(a.id, pos);
    for (std::string& c : a.classes) clean(c, pos);
    for (auto& [name, value] : a.attributes) {
      clean(name, pos);
      clean(value, pos);
    }
  }

  void blocks(std::vector<Block>& list) {
    auto per_block = [&](Block& b) {
      clean(b.text, b.pos);
      clean(b.info, b.pos);
      attr(b.attr, b.pos);
    };
    for_each_block(list, per_block);
    auto per_inline = [&](Inline& x) {
      clean(x.text, x.pos);
      clean(x.title, x.pos);
      attr(x.attr, x.pos);
      // An image names a file: it is looked for as written (an address past the
      // packer is percent-encoded); a link's address is written as it is.
      if (x.kind != InlineKind::Image) clean(x.url, x.pos);
    };
    for_each_inline_in_blocks(list, per_inline);
  }

 private:
  std::string file_;
  Diagnostics& diag_;
  size_t count_ = 0;
  char32_t first_ = 0;
  SourcePos pos_;
  std::string where_;
};

}  // namespace

void clean_xml_text(Book& book, Diagnostics& diag) {
  {
    FileCleaner meta(book.config_display(),
                     diag);
    Metadata& m = book.meta;
    const std::pair<std::string*, std::string_view> keys[] = {
        {&m.title, "'title'"},           {&m.subtitle, "'subtitle'"},
        {&m.language, "'language'"},     {&m.description, "'description'"},
        {&m.identifier, "'identifier'"}, {&m.publisher, "'publisher'"},
        {&m.date, "'date'"},             {&m.rights, "'rights'"}};
    for (const auto& [s, key] : keys) meta.clean(*s, {}, key);
    for (std::string& s : m.authors) meta.clean(s, {}, "'authors'");
    for (std::string& s : m.subjects) meta.clean(s, {}, "'subjects'");
  }
  {
    FileCleaner summary(book.display(book.src_dir + "/SUMMARY.md"), diag);
    for (std::string& s : book.parts) summary.clean(s, {}, "a part's title");
    for (Chapter& ch : book.chapters)
      summary.clean(ch.title, {}, "the title of " + ch.source);
  }
  std::vector<std::vector<int>> notes = notes_by_chapter(book);
  std::vector<char> done(book.notes.size(), 0);
  for (size_t c = 0; c < book.chapters.size(); ++c) {
    Chapter& ch = book.chapters[c];
    FileCleaner file(book.display(ch.source), diag);
    file.clean(ch.page_title, {});
    file.blocks(ch.blocks);
    for (int n : notes[c]) {
      file.blocks(book.notes[static_cast<size_t>(n)].blocks);
      done[static_cast<size_t>(n)] = 1;
    }
  }
  FileCleaner rest(chapter_file(book, -1), diag);  // a note of no chapter (none, normally)
  for (size_t n = 0; n < book.notes.size(); ++n)
    if (!done[n]) rest.blocks(book.notes[n].blocks);
}

}  // namespace colophon
