#include "read/extensions.h"

#include <array>
#include <unordered_map>

#include "core/text.h"
#include "core/work.h"
#include "html/html.h"

namespace colophon {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// Removes trailing spaces and tabs from the last text inline of INLINES.
void trim_end(std::vector<Inline>& inlines) {
  while (!inlines.empty()) {
    Inline& last = inlines.back();
    if (last.kind == InlineKind::SoftBreak || last.kind == InlineKind::LineBreak) {
      inlines.pop_back();
      continue;
    }
    if (last.kind != InlineKind::Text) return;
    while (!last.text.empty() && is_blank(last.text.back())) last.text.pop_back();
    if (!last.text.empty()) return;
    inlines.pop_back();
  }
}

// Cuts INLINES at the last '{' of their text, searching from the end and into
// containers; returns true when one was found (everything from it on is gone).
bool cut_at_last_brace(std::vector<Inline>& inlines) {
  while (!inlines.empty()) {
    Inline& last = inlines.back();
    if (last.kind == InlineKind::Text || last.kind == InlineKind::Code) {
      size_t brace = last.text.rfind('{');
      if (brace != std::string::npos) {
        last.text.erase(brace);
        if (last.text.empty()) inlines.pop_back();
        return true;
      }
    } else if (!last.children.empty() && cut_at_last_brace(last.children)) {
      if (last.children.empty()) inlines.pop_back();
      return true;
    }
    inlines.pop_back();
  }
  return false;
}

}  // namespace

HeadingAttributes read_heading_attributes(std::string_view line) {
  HeadingAttributes out;
  size_t end = line.size();
  while (end > 0 && is_blank(line[end - 1])) --end;
  if (end == 0 || line[end - 1] != '}') return out;
  size_t open = line.rfind('{', end - 1);
  if (open == std::string_view::npos) return out;
  std::string_view inside = line.substr(open + 1, end - 1 - open - 1);
  if (inside.find_first_of("{}<>\\") != std::string_view::npos) return out;
  out.found = true;
  out.brace_col = static_cast<uint32_t>(open + 1);
  size_t i = 0;
  while (i < inside.size()) {
    while (i < inside.size() && is_blank(inside[i])) ++i;
    size_t start = i;
    while (i < inside.size() && !is_blank(inside[i])) ++i;
    std::string_view word = inside.substr(start, i - start);
    if (word.empty()) break;
    if (word[0] == '#') {
      if (word.size() > 1) out.attr.id = std::string(word.substr(1));
    } else if (word[0] == '.') {
      if (word.size() > 1) out.attr.classes.emplace_back(word.substr(1));
    } else {
      size_t eq = word.find('=');
      std::string name(word.substr(0, eq));
      for (char& c : name)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      std::string value =
          eq == std::string_view::npos ? std::string() : std::string(word.substr(eq + 1));
      out.names.emplace_back(name, static_cast<uint32_t>(open + 2 + start));
      out.attr.attributes.emplace_back(std::move(name), std::move(value));
    }
  }
  return out;
}

void strip_heading_attributes(std::vector<Inline>& inlines, bool atx) {
  if (!cut_at_last_brace(inlines)) return;
  trim_end(inlines);
  if (!atx || inlines.empty() || inlines.back().kind != InlineKind::Text) return;
  // "# Title ## {#id}": the closing sequence is only closing once the block is gone.
  std::string& t = inlines.back().text;
  size_t hashes = t.size();
  while (hashes > 0 && t[hashes - 1] == '#') --hashes;
  if (hashes == t.size() || (hashes > 0 && !is_blank(t[hashes - 1]))) return;
  if (hashes == 0 && inlines.size() > 1) return;  // "*x*##": the '#'s follow other text
  t.erase(hashes);
  trim_end(inlines);
}

std::string admonition_kind(std::string_view line) {
  std::string_view s = trim(line);
  if (s.size() < 4 || s.substr(0, 2) != "[!" || s.back() != ']') return {};
  std::string kind(s.substr(2, s.size() - 3));
  for (char& c : kind)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  for (const char* k : {"note", "tip", "important", "warning", "caution"})
    if (kind == k) return kind;
  return {};
}

std::string admonition_label(std::string_view kind, std::string_view language) {
  struct Row {
    const char* lang;
    std::array<const char*, 5> labels;  // note, tip, important, warning, caution
  };
  static constexpr Row kRows[] = {
      {"en", {"Note", "Tip", "Important", "Warning", "Caution"}},
      {"de", {"Hinweis", "Tipp", "Wichtig", "Warnung", "Vorsicht"}},
      {"fr", {"Remarque", "Astuce", "Important", "Avertissement", "Attention"}},
      {"es", {"Nota", "Consejo", "Importante", "Advertencia", "Precaución"}},
      {"it", {"Nota", "Suggerimento", "Importante", "Avviso", "Attenzione"}},
      {"ru", {"Примечание", "Совет", "Важно", "Предупреждение", "Осторожно"}},
  };
  static constexpr std::array<std::string_view, 5> kKinds = {"note", "tip", "important", "warning",
                                                             "caution"};
  std::string prefix(language.substr(0, language.find('-')));
  for (char& c : prefix)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  const Row* row = &kRows[0];
  for (const Row& r : kRows)
    if (prefix == r.lang) row = &r;
  for (size_t k = 0; k < kKinds.size(); ++k)
    if (kind == kKinds[k]) return row->labels[k];
  return std::string(kind);
}

void drop_first_line(std::vector<Inline>& inlines) {
  size_t k = 0;
  while (k < inlines.size() && inlines[k].kind != InlineKind::SoftBreak &&
         inlines[k].kind != InlineKind::LineBreak)
    ++k;
  inlines.erase(inlines.begin(),
                inlines.begin() + static_cast<long>(std::min(k + 1, inlines.size())));
}

namespace {

// One custom element name: where it is first used, and how often.
struct CustomUse {
  std::string file;
  SourcePos pos;
  int count = 0;
};

// Counts the custom elements of BLOCKS (and their inlines) into USES, in document order.
class CustomCounter {
 public:
  CustomCounter(std::vector<std::pair<std::string, CustomUse>>& uses) : uses_(uses) {}

  void blocks(const std::vector<Block>& list, const std::string& file) {
    for (const Block& b : list) {
      if (b.kind == BlockKind::Div) note(b.element, file, b.pos);
      inlines(b.inlines, file);
      for (const auto& row : b.table.rows)
        for (const auto& cell : row) inlines(cell, file);
      blocks(b.children, file);
    }
  }

 private:
  void inlines(const std::vector<Inline>& list, const std::string& file) {
    for (const Inline& in : list) {
      if (in.kind == InlineKind::Span) note(in.element, file, in.pos);
      inlines(in.children, file);
    }
  }
  void note(const std::string& element, const std::string& file, SourcePos pos) {
    if (element.empty() || is_epub_element(element)) return;
    work::add(1);
    auto [at, added] = index_.try_emplace(element, uses_.size());
    if (!added) {
      ++uses_[at->second].second.count;
      return;
    }
    uses_.push_back({element, CustomUse{file, pos, 1}});
  }

  std::vector<std::pair<std::string, CustomUse>>& uses_;
  // The position in USES_ of each name: a book of 100k different names stays linear.
  std::unordered_map<std::string, size_t> index_;
};

}  // namespace

namespace {

// Counts the math spans of BLOCKS into COUNT, noting the first one's file and place.
void count_math(const std::vector<Block>& blocks, const std::string& file, int& count,
                std::string& first_file, SourcePos& first_pos) {
  auto inlines = [&](const std::vector<Inline>& list, auto&& self) -> void {
    for (const Inline& in : list) {
      if (in.kind == InlineKind::Span && in.attr.has_class("math")) {
        if (count++ == 0) {
          first_file = file;
          first_pos = in.pos;
        }
        continue;
      }
      self(in.children, self);
    }
  };
  for (const Block& b : blocks) {
    inlines(b.inlines, inlines);
    for (const auto& row : b.table.rows)
      for (const auto& cell : row) inlines(cell, inlines);
    count_math(b.children, file, count, first_file, first_pos);
  }
}

}  // namespace

void report_math(const Book& book, Diagnostics& diag) {
  int count = 0;
  std::string file;
  SourcePos pos;
  for (const Chapter& ch : book.chapters) count_math(ch.blocks, book.display(ch.source), count, file, pos);
  for (const Note& n : book.notes)
    if (n.chapter >= 0 && n.chapter < static_cast<int>(book.chapters.size()))
      count_math(n.blocks, book.display(book.chapters[n.chapter].source), count, file, pos);
  if (count == 0) return;
  std::string what = count == 1 ? "1 math expression is" : std::to_string(count) + " math expressions are";
  diag.warning(file, pos,
               what + " kept as TeX source (math is not typeset yet): set in a monospace face, "
               "display math on a line of its own",
               "nothing to do unless the book should not show TeX; style .math in a file of "
               "[output.epub] extra-css");
}

void report_custom_elements(const Book& book, Diagnostics& diag) {
  std::vector<std::pair<std::string, CustomUse>> uses;
  CustomCounter counter(uses);
  for (const Chapter& ch : book.chapters) counter.blocks(ch.blocks, book.display(ch.source));
  for (const Note& n : book.notes)
    if (n.chapter >= 0 && n.chapter < static_cast<int>(book.chapters.size()))
      counter.blocks(n.blocks, book.display(book.chapters[n.chapter].source));
  for (const auto& [name, use] : uses) {
    std::string times = use.count == 1 ? "once" : std::to_string(use.count) + " times";
    diag.warning(use.file, use.pos,
                 "<" + name + "> is not an HTML element (used " + times +
                     "): its content is kept, in a <div> or <span> of class \"" + name + "\"",
                 "style it with ." + name + " in a file of [output.epub] extra-css, or remove "
                 "the tags");
  }
}

}  // namespace colophon
