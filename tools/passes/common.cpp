#include "passes/common.h"

#include "passes/walk.h"

namespace colophon {

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string chapter_file(const Book& book, int c) {
  if (c >= 0 && c < static_cast<int>(book.chapters.size()))
    return book.display(book.chapters[c].source);
  return book.config_display();
}

std::filesystem::path chapter_dir(const Book& book, int c) {
  std::filesystem::path root(book.root);
  if (c >= 0 && c < static_cast<int>(book.chapters.size()))
    return root / std::filesystem::path(book.chapters[c].source).parent_path();
  return root;
}

std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::string url_scheme(std::string_view url) {
  std::string scheme;
  for (size_t i = 0; i < url.size(); ++i) {
    char c = url[i];
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (i == 0 && !alpha) return {};
    if (c == ':') return i >= 2 ? scheme : std::string();  // "c:" is a drive, not a scheme
    if (!(alpha || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')) return {};
    scheme += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  return {};
}

std::vector<std::vector<int>> notes_by_chapter(const Book& book) {
  std::vector<std::vector<int>> out(book.chapters.size());
  std::vector<char> placed(book.notes.size(), 0);
  int n_notes = static_cast<int>(book.notes.size());
  for (size_t c = 0; c < book.chapters.size(); ++c) {
    for (int i : book.chapters[c].notes) {
      if (i < 0 || i >= n_notes || placed[i] || book.notes[i].chapter != static_cast<int>(c))
        continue;
      placed[i] = 1;
      out[c].push_back(i);
    }
  }
  for (int i = 0; i < n_notes; ++i) {
    int c = book.notes[i].chapter;
    if (!placed[i] && c >= 0 && c < static_cast<int>(out.size())) {
      placed[i] = 1;
      out[c].push_back(i);
    }
  }
  return out;
}

}  // namespace colophon
