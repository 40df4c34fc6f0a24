#include "core/text.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <utility>

#include <unicode/uchar.h>
#include <unicode/uscript.h>

#include "core/utf8.h"
#include "core/work.h"

namespace colophon {

namespace {
// Lower-cases the letters of Latin-1, Latin Extended-A, Greek and Cyrillic.
char32_t to_lower(char32_t cp) {
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 0x20;
  if (cp >= 0x100 && cp <= 0x17F && cp != 0x130 && cp != 0x131 && cp != 0x138 && cp != 0x149 &&
      cp != 0x17F) {
    bool odd_upper = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
    if (odd_upper ? (cp % 2 == 1) : (cp % 2 == 0)) return cp + 1;
    return cp;
  }
  if (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) return cp + 0x20;
  if (cp >= 0x410 && cp <= 0x42F) return cp + 0x20;
  if (cp >= 0x400 && cp <= 0x40F) return cp + 0x50;
  return cp;
}
}  // namespace

std::string github_slug(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    char32_t cp = next_code_point(text, i);
    if (cp < 0x80) {
      char c = static_cast<char>(cp);
      if (c >= 'A' && c <= 'Z') out += static_cast<char>(c - 'A' + 'a');
      else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-') out += c;
      else if (c == ' ') out += '-';
      continue;
    }
    // Non-ASCII: keep letters and digits of any script, lower-cased where we know
    // how; drop punctuation and symbols such as curly quotes, dashes and NBSP.
    bool punct = (cp >= 0x80 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7 ||
                 (cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) ||
                 (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF || (cp >= 0xFF00 && cp <= 0xFF0F) ||
                 (cp >= 0x1F000);
    if (!punct) append_utf8(out, to_lower(cp));
  }
  return out;
}

namespace {

constexpr size_t kMaxFileSlug = 60;  // bytes: a name that fits a listing's column

// Tells whether WORD (lower case) is a Roman numeral written the usual way ("iv", not
// "iiii" or "ivi"): a volume or part number such as the "ii" of "Part II".
bool is_roman_numeral(std::string_view word) {
  static constexpr std::pair<int, std::string_view> kNumerals[] = {
      {1000, "m"}, {900, "cm"}, {500, "d"}, {400, "cd"}, {100, "c"}, {90, "xc"}, {50, "l"},
      {40, "xl"},  {10, "x"},   {9, "ix"},  {5, "v"},    {4, "iv"},  {1, "i"}};
  int value = 0;
  std::string_view rest = word;
  for (const auto& [v, numeral] : kNumerals)
    while (rest.starts_with(numeral)) {
      value += v;
      rest.remove_prefix(numeral.size());
    }
  if (value == 0 || !rest.empty()) return false;
  std::string usual;  // VALUE written the usual way: WORD must be that
  for (const auto& [v, numeral] : kNumerals)
    for (; value >= v; value -= v) usual += numeral;
  return usual == word;
}

// Tells whether WORD numbers a volume or part: all digits, or a Roman numeral.
bool is_number_word(std::string_view word) {
  return std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
         is_roman_numeral(word);
}

// Joins as many of WORDS, from the first, as fit in BUDGET bytes with '-' between them;
// cuts the first word when even it does not fit.
std::string words_within(const std::vector<std::string>& words, size_t budget) {
  std::string out;
  for (const std::string& w : words) {
    size_t need = out.empty() ? w.size() : out.size() + 1 + w.size();
    if (need > budget) break;
    if (!out.empty()) out += '-';
    out += w;
  }
  if (out.empty() && !words.empty()) out = std::string(utf8_prefix(words.front(), budget));
  return out;
}

}  // namespace

std::string file_slug(std::string_view text, SlugLetters letters) {
  // Words are runs of letters and digits of the title without its accents, lower-cased;
  // with SlugLetters::Any the letters, digits and combining marks of every script count
  // (ICU's character properties), else only ASCII ones. An apostrophe, straight or curly
  // (U+2019), joins ("Don't" gives "dont"), and anything else separates.
  std::string plain = without_accents(text);
  std::vector<std::string> words(1);
  for (size_t i = 0; i < plain.size();) {
    char32_t cp = next_code_point(plain, i);
    if (cp < 0x80 && std::isalnum(static_cast<int>(cp))) {
      words.back() += static_cast<char>(std::tolower(static_cast<int>(cp)));
    } else if (cp >= 0x80 && letters == SlugLetters::Any &&
               (u_isalnum(static_cast<UChar32>(cp)) ||
                (U_GET_GC_MASK(static_cast<UChar32>(cp)) & U_GC_M_MASK) != 0)) {
      append_utf8(words.back(), static_cast<char32_t>(u_tolower(static_cast<UChar32>(cp))));
    } else if (cp != '\'' && cp != 0x2019 && !words.back().empty()) {
      words.emplace_back();
    }
  }
  if (words.back().empty()) words.pop_back();
  if (words.empty()) return "book";
  std::string all = words_within(words, SIZE_MAX);
  if (all.size() <= kMaxFileSlug) return all;
  // Too long: cut after a word, keeping a last word that numbers a volume or part, so
  // that "..., Volume 2" and "..., Volume 3" do not both lose it and give one name.
  std::string last = words.back();
  if (words.size() > 1 && is_number_word(last) && last.size() + 2 <= kMaxFileSlug) {
    words.pop_back();
    return words_within(words, kMaxFileSlug - last.size() - 1) + "-" + last;
  }
  return words_within(words, kMaxFileSlug);
}

namespace {

// Bytes append_xml_escaped must look at: markup characters, quotes and controls.
constexpr std::array<bool, 256> kMaybeEscaped = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = true;
  for (unsigned char c : {'&', '<', '>', '"'}) t[c] = true;
  return t;
}();

}  // namespace

void append_xml_escaped(std::string& out, std::string_view s, bool attribute) {
  work::add(s.size());
  size_t run = 0;  // start of the text not yet copied: copied a run at a time
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (!kMaybeEscaped[c]) continue;  // the common case: nothing to escape
    const char* rep = nullptr;
    switch (c) {
      case '&': rep = "&amp;"; break;
      case '<': rep = "&lt;"; break;
      case '>': rep = "&gt;"; break;
      case '"':
        if (attribute) rep = "&quot;";
        break;
      case '\t':
      case '\n':
      case '\r':
        if (attribute) rep = c == '\t' ? "&#9;" : c == '\n' ? "&#10;" : "&#13;";
        break;
      default: rep = "";  // a control character XML 1.0 forbids
    }
    if (!rep) continue;
    out.append(s.data() + run, i - run);
    out += rep;
    run = i + 1;
  }
  out.append(s.data() + run, s.size() - run);
}

std::string xml_escape(std::string_view s, bool attribute) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  append_xml_escaped(out, s, attribute);
  return out;
}

std::string_view trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\n' || s[b] == '\r')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\n' || s[e - 1] == '\r')) --e;
  return s.substr(b, e - b);
}

std::vector<std::string_view> nonblank_lines(std::string_view s) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    size_t nl = s.find('\n');
    std::string_view line = trim(s.substr(0, nl));
    if (!line.empty()) out.push_back(line);
    s.remove_prefix(nl == std::string_view::npos ? s.size() : nl + 1);
  }
  return out;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment: Levenshtein plus the swap of two neighbours, on three rows.
  std::vector<size_t> before(b.size() + 1), last(b.size() + 1), row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) last[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({last[j] + 1, row[j - 1] + 1, last[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        row[j] = std::min(row[j], before[j - 2] + 1);
    }
    before.swap(last);
    last.swap(row);
  }
  return last[b.size()];
}

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  constexpr size_t kMaxEdits = 3;  // beyond this, a suggestion is more often wrong than right
  size_t limit = std::clamp<size_t>((word.size() + 2) / 3, 1, kMaxEdits);
  std::string best;
  size_t best_distance = limit + 1;
  for (const std::string& c : candidates) {
    size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  if (!best.empty()) return best;
  // An abbreviation: "--tit" for "--title", when only one candidate begins so.
  constexpr size_t kMinPrefix = 3;
  if (word.size() < kMinPrefix) return {};
  for (const std::string& c : candidates) {
    if (c.size() <= word.size() || c.compare(0, word.size(), word) != 0) continue;
    if (!best.empty()) return {};
    best = c;
  }
  return best;
}

bool split_command(std::string_view line, std::vector<std::string>& words) {
  words.clear();
  std::string word;
  bool in_word = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else if (c == '\'') {
      size_t close = line.find('\'', i + 1);
      if (close == std::string_view::npos) return false;
      word.append(line.substr(i + 1, close - i - 1));
      in_word = true;
      i = close;
    } else if (c == '"') {
      ++i;
      for (; i < line.size() && line[i] != '"'; ++i) {
        if (line[i] == '\\' && i + 1 < line.size() &&
            (line[i + 1] == '"' || line[i + 1] == '\\' || line[i + 1] == '$' || line[i + 1] == '`'))
          ++i;
        word += line[i];
      }
      if (i >= line.size()) return false;
      in_word = true;
    } else if (c == '\\' && i + 1 < line.size()) {
      word += line[++i];
      in_word = true;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return true;
}

bool line_end_joins(char32_t before, char32_t after) {
  auto wide = [](char32_t cp) {
    auto c = static_cast<UChar32>(cp);
    int width = u_getIntPropertyValue(c, UCHAR_EAST_ASIAN_WIDTH);
    if (width != U_EA_FULLWIDTH && width != U_EA_WIDE && width != U_EA_HALFWIDTH) return false;
    UErrorCode err = U_ZERO_ERROR;
    return uscript_getScript(c, &err) != USCRIPT_HANGUL;
  };
  return before != 0 && after != 0 && wide(before) && wide(after);
}

}  // namespace colophon
