#include "layout/unicode.h"

#include <unicode/uchar.h>
#include <unicode/uloc.h>
#include <unicode/uscript.h>
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
    return "";
  if (!language.empty() && writes(language, script)) return likely_language(language);
  return likely_language(std::string("und-") + uscript_getShortName(script));
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

}  // namespace colophon::unicode
