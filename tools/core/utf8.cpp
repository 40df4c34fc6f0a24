#include "core/utf8.h"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace colophon {

namespace {
// Returns the length of the valid sequence at S[I], or 0 if it is invalid.
size_t valid_sequence_length(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  unsigned char c = b(0);
  if (c < 0x80) return 1;
  size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (n == 0 || c > 0xF4 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((b(k) & 0xC0) != 0x80) return 0;
  if (n == 3) {
    if (c == 0xE0 && b(1) < 0xA0) return 0;   // overlong
    if (c == 0xED && b(1) >= 0xA0) return 0;  // surrogate
  }
  if (n == 4) {
    if (c == 0xF0 && b(1) < 0x90) return 0;   // overlong
    if (c == 0xF4 && b(1) >= 0x90) return 0;  // past U+10FFFF
  }
  return n;
}
}  // namespace

std::optional<size_t> find_invalid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t n = valid_sequence_length(s, i);
    if (n == 0) return i;
    i += n;
  }
  return std::nullopt;
}

char32_t next_code_point(std::string_view s, size_t& i) {
  size_t n = valid_sequence_length(s, i);
  if (n == 0) {
    ++i;
    return 0xFFFD;
  }
  auto b = [&](size_t k) { return static_cast<char32_t>(static_cast<unsigned char>(s[i + k])); };
  char32_t cp;
  switch (n) {
    case 1: cp = b(0); break;
    case 2: cp = ((b(0) & 0x1F) << 6) | (b(1) & 0x3F); break;
    case 3: cp = ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F); break;
    default:
      cp = ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
  }
  i += n;
  return cp;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

size_t utf8_length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string_view utf8_prefix(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

bool is_xml_text_char(char32_t cp) {
  if (cp < 0x20) return cp == 0x9 || cp == 0xA || cp == 0xD;
  if (cp >= 0x7F && cp <= 0x9F) return false;  // DEL and the C1 controls
  if (cp >= 0xD800 && cp <= 0xDFFF) return false;
  if (cp >= 0xFDD0 && cp <= 0xFDEF) return false;
  if ((cp & 0xFFFE) == 0xFFFE) return false;  // U+FFFE, U+FFFF, U+1FFFE ... U+10FFFF
  return cp <= 0x10FFFF;
}

size_t replace_non_xml_chars(std::string& s, char32_t* first) {
  // Clean text, the common case, is only scanned; printable ASCII needs no decoding.
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F) {
      ++i;
      continue;
    }
    size_t at = i;
    bool valid = valid_sequence_length(s, at) != 0;
    if (!valid || !is_xml_text_char(next_code_point(s, i))) {
      i = at;
      break;
    }
  }
  if (i >= s.size()) return 0;
  std::string out;
  out.reserve(s.size() + 16);
  out.append(s, 0, i);
  size_t replaced = 0;
  while (i < s.size()) {
    size_t at = i;
    bool valid = valid_sequence_length(s, at) != 0;
    char32_t cp = next_code_point(s, i);
    if (valid && is_xml_text_char(cp)) {
      out.append(s, at, i - at);
      continue;
    }
    if (replaced++ == 0 && first) *first = valid ? cp : 0xFFFD;
    append_utf8(out, 0xFFFD);
  }
  s = std::move(out);
  return replaced;
}

std::string unicode_normalized(std::string_view s, bool decomposed) {
  bool ascii = std::all_of(s.begin(), s.end(), [](char c) { return (c & 0x80) == 0; });
  if (ascii || s.size() > INT32_MAX || find_invalid_utf8(s)) return std::string(s);
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* form = decomposed ? icu::Normalizer2::getNFDInstance(status)
                                            : icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) return std::string(s);
  icu::UnicodeString text = icu::UnicodeString::fromUTF8(
      icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
  icu::UnicodeString normal = form->normalize(text, status);
  if (U_FAILURE(status)) return std::string(s);
  std::string out;
  normal.toUTF8String(out);
  return out;
}

std::string without_accents(std::string_view s) {
  std::string decomposed = unicode_normalized(s, true);
  std::string out;
  out.reserve(decomposed.size());
  bool after_latin = false;  // the last code point kept is an ASCII letter
  for (size_t i = 0; i < decomposed.size();) {
    size_t at = i;
    char32_t cp = next_code_point(decomposed, i);
    bool accent = cp >= 0x300 && cp <= 0x36F;
    if (accent && after_latin) continue;  // an accent on a Latin letter: the letter is kept
    if (!accent) after_latin = cp < 0x80 && std::isalpha(static_cast<int>(cp));
    out.append(decomposed, at, i - at);
  }
  // Letters of other scripts keep their marks, composed again ("Й" stays one letter).
  return unicode_normalized(out, false);
}

}  // namespace colophon
