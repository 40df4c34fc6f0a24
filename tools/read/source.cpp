#include "read/source.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include "core/utf8.h"
#include "read/mapped_text.h"

namespace colophon {

namespace {
constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

// Finds the first invalid UTF-8 sequence like find_invalid_utf8, skipping ASCII eight
// bytes at a time: a multi-byte sequence never contains an ASCII byte, so each run of
// non-ASCII bytes can be checked on its own.
std::optional<size_t> first_invalid_utf8(std::string_view s) {
  constexpr uint64_t kHighBits = 0x8080808080808080ULL;
  const char* p = s.data();
  size_t i = 0, n = s.size();
  while (i < n) {
    while (i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, p + i, 8);
      if (word & kHighBits) break;
      i += 8;
    }
    while (i < n && static_cast<unsigned char>(p[i]) < 0x80) ++i;
    if (i >= n) break;
    size_t j = i;
    while (j < n && static_cast<unsigned char>(p[j]) >= 0x80) ++j;
    if (auto bad = find_invalid_utf8(s.substr(i, j - i))) return i + *bad;
    i = j;
  }
  return std::nullopt;
}
}  // namespace

SourceText::SourceText(std::string_view raw) : text_(raw) {
  if (text_.substr(0, kByteOrderMark.size()) == kByteOrderMark) {
    bom_ = kByteOrderMark.size();
    text_.remove_prefix(bom_);
  }
  // Line ends as CommonMark (and cmark) count them: "\n", "\r\n" or a lone "\r".
  const char* data = text_.data();
  const size_t n = text_.size();
  line_starts_.reserve(n / 64 + 1);
  line_ends_.reserve(n / 64 + 1);
  size_t start = 0;
  while (start < n) {
    const void* nl = std::memchr(data + start, '\n', n - start);
    size_t brk = nl != nullptr ? static_cast<size_t>(static_cast<const char*>(nl) - data) : n;
    if (const void* cr = std::memchr(data + start, '\r', brk - start))
      brk = static_cast<size_t>(static_cast<const char*>(cr) - data);
    line_starts_.push_back(static_cast<uint32_t>(start));
    line_ends_.push_back(static_cast<uint32_t>(brk));
    if (brk + 1 < n && data[brk] == '\r' && data[brk + 1] == '\n') ++brk;
    start = brk + 1;
  }
  if (line_starts_.empty()) {
    line_starts_.push_back(0);
    line_ends_.push_back(0);
  }
}

std::string_view SourceText::line(uint32_t line) const {
  if (line == 0 || line > line_starts_.size()) return {};
  return text_.substr(line_starts_[line - 1], line_ends_[line - 1] - line_starts_[line - 1]);
}

SourcePos SourceText::pos(uint32_t line, uint32_t byte_col) const {
  if (line == 0 || byte_col == 0) return {line, byte_col};
  if (line > line_starts_.size()) return {line, byte_col};
  std::string_view text = this->line(line);
  uint32_t bytes = static_cast<uint32_t>(std::min<size_t>(byte_col - 1, text.size()));
  if (map_ != nullptr) return map_->pos_at(line_starts_[line - 1] + bytes);
  if (line != cache_line_ || bytes < cache_byte_) {
    cache_line_ = line;
    cache_byte_ = 0;
    cache_col_ = 0;
  }
  cache_col_ += static_cast<uint32_t>(utf8_length(text.substr(cache_byte_, bytes - cache_byte_)));
  cache_byte_ = bytes;
  return {line, cache_col_ + 1};
}

SourcePos SourceText::pos_at(size_t offset) const {
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  uint32_t line = static_cast<uint32_t>(it - line_starts_.begin());  // 1-based
  if (line == 0) line = 1;
  if (map_ != nullptr) return map_->pos_at(offset);
  return pos(line, static_cast<uint32_t>(offset - line_starts_[line - 1] + 1));
}

bool SourceText::check_encoding(const std::string& file, Diagnostics& diag) const {
  bool clean = true;
  if (auto bad = first_invalid_utf8(text_)) {
    diag.error(file, pos_at(*bad),
               "invalid UTF-8 at byte " + std::to_string(*bad + bom_) + " of the file",
               "save the file as UTF-8 (most editors offer it under \"Save with encoding\")");
    clean = false;
  }
  const char* nul = static_cast<const char*>(std::memchr(text_.data(), '\0', text_.size()));
  if (nul != nullptr) {
    size_t first = static_cast<size_t>(nul - text_.data());
    size_t count = static_cast<size_t>(std::count(text_.begin() + first, text_.end(), '\0'));
    diag.error(file, pos_at(first),
               count == 1 ? std::string("NUL byte in the text")
                          : "NUL byte in the text (" + std::to_string(count) +
                                " in the file; this is the first)",
               "remove the NUL bytes; is this a binary file or a UTF-16 file saved by mistake?");
    clean = false;
  }
  return clean;
}

}  // namespace colophon
