#include "layout/unicode.h"

#include <unicode/ubidi.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/uloc.h>
#include <unicode/uscript.h>
#include <unicode/utext.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include <cctype>

namespace colophon::unicode {

namespace {

constexpr int kMaxScriptsPerLanguage = 8;  // ja: Kana, Hira, Hani; no language has more
constexpr int kLocaleBytes = 157;          // ULOC_FULLNAME_CAPACITY

// Returns LANGUAGE (a BCP 47 tag) with its likely script and region filled in, as
// "ll-rr" in lower case ("zh-Hant" -> "zh-tw", "ja" -> "ja-jp"): the form fontconfig's
// language tags take. "" when ICU does not know it.
std::string likely_language(std::string_view language) {
  UErrorCode err = U_ZERO_ERROR;
  char id[kLocaleBytes] = "";
  std::string tag(language);
  uloc_forLanguageTag(tag.c_str(), id, sizeof id, nullptr, &err);
  if (U_FAILURE(err)) return "";
  char full[kLocaleBytes] = "";
  uloc_addLikelySubtags(id, full, sizeof full, &err);
  if (U_FAILURE(err)) return "";
  char lang[16] = "", region[16] = "";
  uloc_getLanguage(full, lang, sizeof lang, &err);
  uloc_getCountry(full, region, sizeof region, &err);
  if (U_FAILURE(err) || lang[0] == '\0') return "";
  std::string out = lang;
  if (region[0] != '\0') {
    out += '-';
    for (const char* c = region; *c; ++c) out += static_cast<char>(std::tolower(static_cast<unsigned char>(*c)));
  }
  return out;
}

// Tells whether LANGUAGE is written in SCRIPT (Japanese in Han, Hiragana and Katakana).
bool writes(std::string_view language, UScriptCode script) {
  UErrorCode err = U_ZERO_ERROR;
  UScriptCode codes[kMaxScriptsPerLanguage];
  std::string tag(language);
  int n = uscript_getCode(tag.c_str(), codes, kMaxScriptsPerLanguage, &err);
  if (U_FAILURE(err)) return false;
  for (int i = 0; i < n; ++i)
    if (codes[i] == script) return true;
  return false;
}

}  // namespace

bool continues_cluster(char32_t cp) {
  int v = u_getIntPropertyValue(static_cast<UChar32>(cp), UCHAR_GRAPHEME_CLUSTER_BREAK);
  return v == U_GCB_EXTEND || v == U_GCB_ZWJ || v == U_GCB_SPACING_MARK;
}

bool is_default_ignorable(char32_t cp) {
  return u_hasBinaryProperty(static_cast<UChar32>(cp), UCHAR_DEFAULT_IGNORABLE_CODE_POINT);
}

std::string language_for(char32_t cp, std::string_view language) {
  UErrorCode err = U_ZERO_ERROR;
  UScriptCode script = uscript_getScript(static_cast<UChar32>(cp), &err);
  if (U_FAILURE(err) || script == USCRIPT_COMMON || script == USCRIPT_INHERITED ||
      script == USCRIPT_UNKNOWN)
    return language.empty() ? "" : likely_language(language);
  if (!language.empty() && writes(language, script)) return likely_language(language);
  return likely_language(std::string("und-") + uscript_getShortName(script));
}

bool no_break_before_after_space(char32_t cp, char32_t next) {
  switch (u_getIntPropertyValue(static_cast<UChar32>(cp), UCHAR_LINE_BREAK)) {
    case U_LB_CLOSE_PUNCTUATION:
    case U_LB_CLOSE_PARENTHESIS:
    case U_LB_EXCLAMATION:
    case U_LB_BREAK_SYMBOLS:
      return true;
    case U_LB_INFIX_NUMERIC:
      return next == 0 ||
             u_getIntPropertyValue(static_cast<UChar32>(next), UCHAR_LINE_BREAK) != U_LB_NUMERIC;
    default:
      return false;
  }
}

bool no_break_after_before_space(char32_t cp) {
  return u_getIntPropertyValue(static_cast<UChar32>(cp), UCHAR_LINE_BREAK) ==
         U_LB_OPEN_PUNCTUATION;
}

bool written_without_hyphens(std::string_view language) {
  UErrorCode err = U_ZERO_ERROR;
  UScriptCode codes[kMaxScriptsPerLanguage];
  std::string tag(language);
  int n = uscript_getCode(tag.c_str(), codes, kMaxScriptsPerLanguage, &err);
  if (U_FAILURE(err) || n <= 0) return false;
  for (int i = 0; i < n; ++i)
    if (codes[i] == USCRIPT_LATIN || codes[i] == USCRIPT_GREEK || codes[i] == USCRIPT_CYRILLIC)
      return false;
  return true;
}

std::string han_language(std::string_view text, std::string_view language) {
  if (!language.empty() && writes(language, USCRIPT_HAN)) return std::string(language);
  bool kana = false, hangul = false;
  for (size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    UChar32 cp = 0;
    U8_NEXT(reinterpret_cast<const uint8_t*>(text.data()), i, text.size(), cp);
    if (cp < 0x1100) continue;
    UErrorCode err = U_ZERO_ERROR;
    UScriptCode script = uscript_getScript(cp, &err);
    if (script == USCRIPT_HIRAGANA || script == USCRIPT_KATAKANA) kana = true;
    if (script == USCRIPT_HANGUL) hangul = true;
  }
  if (kana) return "ja";
  if (hangul) return "ko";
  return std::string(language);
}

namespace {

// Calls F(code point) for each code point of TEXT at or above U+0080 (ASCII never matters
// to the questions below), stopping when F returns true; returns whether it did.
template <typename F>
bool any_non_ascii(std::string_view text, F&& f) {
  for (size_t i = 0; i < text.size();) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    UChar32 cp = 0;
    U8_NEXT(reinterpret_cast<const uint8_t*>(text.data()), i, text.size(), cp);
    if (cp >= 0 && f(cp)) return true;
  }
  return false;
}

}  // namespace

bool has_inner_breaks(std::string_view word) {
  return any_non_ascii(word, [](UChar32 cp) {
    switch (u_getIntPropertyValue(cp, UCHAR_LINE_BREAK)) {
      case U_LB_IDEOGRAPHIC:
      case U_LB_CONDITIONAL_JAPANESE_STARTER:
      case U_LB_H2:
      case U_LB_H3:
      case U_LB_JL:
      case U_LB_JV:
      case U_LB_JT:
      case U_LB_COMPLEX_CONTEXT:
      case U_LB_ZWSPACE:
        return true;
      default:
        return false;
    }
  });
}

LineBreaker::LineBreaker() {
  UErrorCode err = U_ZERO_ERROR;
  iterator_ = ubrk_open(UBRK_LINE, "", nullptr, 0, &err);
  if (U_FAILURE(err)) iterator_ = nullptr;
}

LineBreaker::~LineBreaker() {
  if (iterator_) ubrk_close(static_cast<UBreakIterator*>(iterator_));
  if (text_) utext_close(static_cast<UText*>(text_));
}

const std::vector<uint32_t>& LineBreaker::breaks(std::string_view word) {
  out_.clear();
  if (!iterator_ || word.empty()) return out_;
  UErrorCode err = U_ZERO_ERROR;
  text_ = utext_openUTF8(static_cast<UText*>(text_), word.data(),
                         static_cast<int64_t>(word.size()), &err);
  if (U_FAILURE(err)) return out_;
  auto* it = static_cast<UBreakIterator*>(iterator_);
  ubrk_setUText(it, static_cast<UText*>(text_), &err);
  if (U_FAILURE(err)) return out_;
  for (int32_t at = ubrk_next(it); at != UBRK_DONE; at = ubrk_next(it))
    if (at > 0 && static_cast<size_t>(at) < word.size()) out_.push_back(static_cast<uint32_t>(at));
  return out_;
}

bool has_rtl(std::string_view text) {
  return any_non_ascii(text, [](UChar32 cp) {
    switch (u_charDirection(cp)) {
      case U_RIGHT_TO_LEFT:
      case U_RIGHT_TO_LEFT_ARABIC:
      case U_RIGHT_TO_LEFT_EMBEDDING:
      case U_RIGHT_TO_LEFT_OVERRIDE:
      case U_RIGHT_TO_LEFT_ISOLATE:
      case U_LEFT_TO_RIGHT_EMBEDDING:
      case U_LEFT_TO_RIGHT_OVERRIDE:
      case U_LEFT_TO_RIGHT_ISOLATE:
      case U_FIRST_STRONG_ISOLATE:
        return true;
      default:
        return false;
    }
  });
}

BidiLevels bidi_levels(std::string_view text, std::string_view direction) {
  BidiLevels out;
  out.paragraph = direction == "rtl" ? 1 : 0;
  out.levels.assign(text.size(), out.paragraph);
  std::u16string units;
  std::vector<uint32_t> unit_byte;  // byte offset of the character of each UTF-16 unit
  units.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t at = i;
    UChar32 cp = 0;
    U8_NEXT(reinterpret_cast<const uint8_t*>(text.data()), i, text.size(), cp);
    if (cp < 0) cp = 0xFFFD;
    UChar buf[2];
    int32_t n = 0;
    U16_APPEND_UNSAFE(buf, n, cp);
    for (int32_t k = 0; k < n; ++k) {
      units.push_back(static_cast<char16_t>(buf[k]));
      unit_byte.push_back(static_cast<uint32_t>(at));
    }
  }
  if (units.empty()) return out;
  UErrorCode err = U_ZERO_ERROR;
  UBiDi* bidi = ubidi_openSized(static_cast<int32_t>(units.size()), 0, &err);
  if (U_FAILURE(err)) return out;
  UBiDiLevel para = direction == "rtl" ? 1 : direction == "ltr" ? 0 : UBIDI_DEFAULT_LTR;
  ubidi_setPara(bidi, reinterpret_cast<const UChar*>(units.data()),
                static_cast<int32_t>(units.size()), para, nullptr, &err);
  const UBiDiLevel* levels = U_SUCCESS(err) ? ubidi_getLevels(bidi, &err) : nullptr;
  if (U_SUCCESS(err) && levels) {
    out.paragraph = ubidi_getParaLevel(bidi);
    for (size_t u = 0; u < units.size(); ++u) {
      size_t end = u + 1 < units.size() ? unit_byte[u + 1] : text.size();
      for (size_t b = unit_byte[u]; b < end; ++b) out.levels[b] = levels[u];
    }
  }
  ubidi_close(bidi);
  return out;
}

std::vector<size_t> visual_order(const std::vector<uint8_t>& levels) {
  std::vector<size_t> order(levels.size());
  if (levels.empty()) return order;
  std::vector<int32_t> map(levels.size());
  ubidi_reorderVisual(levels.data(), static_cast<int32_t>(levels.size()), map.data());
  for (size_t i = 0; i < levels.size(); ++i) order[i] = static_cast<size_t>(map[i]);
  return order;
}

}  // namespace colophon::unicode
