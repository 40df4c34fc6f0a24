#include "read/summary.h"

#include <map>

#include "core/paths.h"
#include "core/text.h"
#include "read/cmark_doc.h"
#include "read/source.h"

namespace colophon {

namespace {

constexpr int kMaxSummaryDepth = 32;  // nested list levels; real books use two or three

enum class Phase { Prefix, Numbered, Suffix };

// Decodes %XX escapes in a link destination ("my%20chapter.md" -> "my chapter.md").
std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Tells whether the link destination is a web address rather than a file.
bool is_url(std::string_view s) {
  return s.find("://") != std::string_view::npos || s.substr(0, 7) == "mailto:";
}

// Walks SUMMARY.md's top-level blocks in order, collecting chapters.
class SummaryReader {
 public:
  SummaryReader(const SourceText& source, std::string file, Book& book, Diagnostics& diag)
      : source_(source), file_(std::move(file)), book_(book), diag_(diag) {}

  void read(cmark_node* doc);

 private:
  SourcePos pos_of(cmark_node* n) const {
    return source_.pos(static_cast<uint32_t>(cmark_node_get_start_line(n)),
                       static_cast<uint32_t>(cmark_node_get_start_column(n)));
  }
  void heading(cmark_node* node, bool first);
  void links(cmark_node* container, ChapterRole role);
  void list(cmark_node* list, const std::vector<int>& prefix, int depth, int& counter);
  void add_chapter(cmark_node* link, ChapterRole role, std::vector<int> number, int depth);

  const SourceText& source_;
  std::string file_;
  Book& book_;
  Diagnostics& diag_;
  Phase phase_ = Phase::Prefix;
  int part_ = -1;
  int top_counter_ = 0;
  bool depth_reported_ = false;
  std::map<std::string, SourcePos> seen_;  // chapter source -> where it was first listed
};

void SummaryReader::read(cmark_node* doc) {
  bool first = true;
  for (cmark_node* n = cmark_node_first_child(doc); n != nullptr; n = cmark_node_next(n)) {
    switch (cmark_node_get_type(n)) {
      case CMARK_NODE_HEADING:
        heading(n, first);
        break;
      case CMARK_NODE_PARAGRAPH:
        if (phase_ == Phase::Numbered) phase_ = Phase::Suffix;
        links(n, phase_ == Phase::Prefix ? ChapterRole::Prefix : ChapterRole::Suffix);
        break;
      case CMARK_NODE_LIST:
        if (phase_ == Phase::Suffix) {
          diag_.error(file_, pos_of(n), "a chapter list after suffix chapters",
                      "plain links after the lists are suffix chapters: move them below the "
                      "last list, or make them list items (- [Title](file.md))");
        }
        phase_ = Phase::Numbered;
        list(n, {}, 0, top_counter_);
        break;
      case CMARK_NODE_THEMATIC_BREAK:
        break;  // a separator: only a visual break in mdBook's sidebar
      default:
        diag_.warning(
            file_, pos_of(n),
            std::string("a ") + cmark_node_get_type_string(n) + " in SUMMARY.md is ignored",
            "SUMMARY.md holds only a # title, part titles, chapter links and lists "
            "of chapter links");
    }
    first = false;
  }
}

void SummaryReader::heading(cmark_node* node, bool first) {
  // A setext underline (`---` right under a line of links) makes a heading of links.
  for (cmark_node* c = cmark_node_first_child(node); c != nullptr; c = cmark_node_next(c)) {
    if (cmark_node_get_type(c) == CMARK_NODE_LINK) {
      if (phase_ == Phase::Numbered) phase_ = Phase::Suffix;
      links(node, phase_ == Phase::Prefix ? ChapterRole::Prefix : ChapterRole::Suffix);
      return;
    }
  }
  int level = cmark_node_get_heading_level(node);
  if (first && level == 1) return;  // the summary's own title, e.g. "# Summary"
  if (level != 1) {
    diag_.warning(file_, pos_of(node),
                  "a level-" + std::to_string(level) + " heading in SUMMARY.md is ignored",
                  "part titles use a level-1 heading: # Part Title");
    return;
  }
  std::string title;
  append_plain_text(node, title);
  if (phase_ == Phase::Suffix) {
    diag_.error(file_, pos_of(node), "part title '" + title + "' after suffix chapters",
                "parts hold numbered chapters: put part titles before the plain links that end "
                "SUMMARY.md");
  }
  book_.parts.push_back(std::string(trim(title)));
  part_ = static_cast<int>(book_.parts.size()) - 1;
  phase_ = Phase::Numbered;
}

void SummaryReader::links(cmark_node* container, ChapterRole role) {
  for (cmark_node* c = cmark_node_first_child(container); c != nullptr; c = cmark_node_next(c)) {
    cmark_node_type type = cmark_node_get_type(c);
    if (type == CMARK_NODE_LINK) {
      add_chapter(c, role, {}, 0);
    } else if (type == CMARK_NODE_TEXT) {
      const char* lit = cmark_node_get_literal(c);
      if (lit != nullptr && !trim(lit).empty()) {
        diag_.warning(
            file_, pos_of(c),
            "text '" + std::string(trim(lit)) + "' in SUMMARY.md is not a chapter link; ignored",
            "chapters are links: [Title](file.md)");
      }
    } else if (type != CMARK_NODE_SOFTBREAK && type != CMARK_NODE_LINEBREAK) {
      diag_.warning(file_, pos_of(c), "only chapter links are read here; this is ignored",
                    "chapters are links: [Title](file.md)");
    }
  }
}

void SummaryReader::list(cmark_node* list, const std::vector<int>& prefix, int depth,
                         int& counter) {
  if (depth >= kMaxSummaryDepth) {
    if (!depth_reported_) {
      diag_.error(file_, pos_of(list),
                  "chapters nested more than " + std::to_string(kMaxSummaryDepth) + " levels deep",
                  "flatten SUMMARY.md: books rarely need more than three levels");
      depth_reported_ = true;
    }
    return;
  }
  for (cmark_node* item = cmark_node_first_child(list); item != nullptr;
       item = cmark_node_next(item)) {
    std::vector<int> number = prefix;
    number.push_back(++counter);
    cmark_node* link = nullptr;
    cmark_node* text_block = nullptr;
    for (cmark_node* c = cmark_node_first_child(item); c != nullptr && link == nullptr;
         c = cmark_node_next(c)) {
      cmark_node_type t = cmark_node_get_type(c);
      if (t != CMARK_NODE_PARAGRAPH && t != CMARK_NODE_HEADING) continue;
      if (text_block == nullptr) text_block = c;
      for (cmark_node* in = cmark_node_first_child(c); in != nullptr; in = cmark_node_next(in)) {
        if (cmark_node_get_type(in) == CMARK_NODE_LINK) {
          link = in;
          break;
        }
      }
    }
    if (link != nullptr) {
      add_chapter(link, ChapterRole::Numbered, number, depth);
    } else if (text_block != nullptr) {
      std::string text;
      append_plain_text(text_block, text);
      diag_.error(file_, pos_of(text_block),
                  "list entry '" + std::string(trim(text)) + "' is not a link to a chapter",
                  "write it as - [" + std::string(trim(text)) +
                      "](file.md), or - [Title]() for a draft chapter");
    }
    int child_counter = 0;
    for (cmark_node* c = cmark_node_first_child(item); c != nullptr; c = cmark_node_next(c)) {
      if (cmark_node_get_type(c) == CMARK_NODE_LIST)
        this->list(c, number, depth + 1, child_counter);
    }
  }
}

void SummaryReader::add_chapter(cmark_node* link, ChapterRole role, std::vector<int> number,
                                int depth) {
  SourcePos pos = pos_of(link);
  std::string title;
  append_plain_text(link, title);
  title = std::string(trim(title));
  std::string url = cmark_node_get_url(link) ? cmark_node_get_url(link) : "";
  if (trim(url).empty()) {
    diag_.warning(file_, pos, "draft chapter '" + title + "' has no file; it is left out",
                  "give it a file when it is written: [" + title + "](file.md)");
    return;
  }
  if (is_url(url)) {
    diag_.error(file_, pos, "'" + url + "' is a web address, not a chapter file",
                "SUMMARY.md lists Markdown files of the book, e.g. [" + title + "](chapter.md)");
    return;
  }
  if (size_t hash = url.find('#'); hash != std::string::npos) {
    diag_.warning(file_, pos, "the anchor '" + url.substr(hash) + "' is ignored in SUMMARY.md",
                  "a chapter starts at the top of its file; link to the file alone");
    url.resize(hash);
  }
  fs::path src_abs = fs::path(book_.root) / book_.src_dir;
  SafePath p = resolve_inside(book_.root, src_abs, url);
  if (p.status == SafePath::Status::Missing && url.find('%') != std::string::npos) {
    SafePath decoded = resolve_inside(book_.root, src_abs, percent_decode(url));
    if (decoded.status != SafePath::Status::Missing) p = decoded;
  }
  if (p.status == SafePath::Status::Escapes || p.status == SafePath::Status::Absolute) {
    diag_.error(file_, pos, "chapter '" + url + "' is outside the book folder",
                "keep chapters inside " + book_.display(book_.src_dir) +
                    "/ and link them with a relative path");
    return;
  }
  std::string ext = fs::path(p.relative).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext != ".md") {
    diag_.error(file_, pos, "chapter '" + url + "' is not a Markdown file",
                "chapters are Markdown files ending in .md");
    return;
  }
  if (p.status == SafePath::Status::Missing) {
    diag_.error(
        file_, pos,
        "chapter file '" + url + "' not found (looked in " + book_.display(book_.src_dir) + "/)",
        "create it or fix the name");
    return;
  }
  std::error_code ec;
  if (!fs::is_regular_file(p.absolute, ec)) {
    diag_.error(file_, pos, "chapter '" + url + "' is not a file", "link a Markdown file");
    return;
  }
  auto [it, inserted] = seen_.emplace(p.relative, pos);
  if (!inserted) {
    diag_.error(
        file_, pos,
        "'" + url + "' is listed twice (first at line " + std::to_string(it->second.line) + ")",
        "list each chapter file once; split the file if it holds two chapters");
    return;
  }
  Chapter ch;
  ch.source = p.relative;
  ch.title = std::move(title);
  ch.role = role;
  ch.number = std::move(number);
  ch.depth = depth;
  ch.part = role == ChapterRole::Numbered ? part_ : -1;
  book_.chapters.push_back(std::move(ch));
}

}  // namespace

std::string source_path(const std::string& src_dir, std::string_view name) {
  if (src_dir.empty() || src_dir == ".") return std::string(name);
  return src_dir + "/" + std::string(name);
}

void read_summary(std::string_view text, Book& book, Diagnostics& diag) {
  std::string file = book.display(source_path(book.src_dir, "SUMMARY.md"));
  SourceText source(text);
  source.check_encoding(file, diag);
  CmarkDocument doc(source.text(), CMARK_OPT_SOURCEPOS | CMARK_OPT_SMART, false);
  CmarkArenaScope scope(doc.arena());
  SummaryReader(source, file, book, diag).read(doc.root());
}

}  // namespace colophon
