#include "kobo/sentences.h"

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/uchar.h>
#include <unicode/utext.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>

#include "core/work.h"

namespace colophon {

namespace {

// Abbreviations (without their full stop) after which no sentence ends, by primary
// language subtag. Only words that rarely end a sentence: "etc." and "usw." are not here.
// Case matters: "No." (number) is one, "no." is not.
struct Abbreviations {
  std::string_view language;
  std::vector<std::string_view> words;
};

const std::array<Abbreviations, 3>& abbreviation_lists() {
  static const std::array<Abbreviations, 3> kLists = {{
      {"en",
       {"Mr", "Mrs", "Ms", "Dr", "Prof", "Rev", "Gen", "Col", "Capt", "Lt", "Sgt", "Sr", "Jr",
        "St", "Mt", "No", "Nos", "Fig", "Figs", "Vol", "vs", "cf", "approx"}},
      {"de",
       {"Dr", "Prof", "Nr", "Hr", "Hrn", "Fr", "Abb", "Bd", "Kap", "Tab", "Tel", "Str", "ca",
        "vgl", "ggf", "evtl", "inkl", "bzw", "sog", "Mio", "Mrd"}},
      {"ru",
       {"проф", "Проф", "акад", "Акад", "доц", "Доц", "ул", "им", "стр", "рис", "Рис", "см",
        "См", "ср", "Ср", "гг", "тыс", "млн", "млрд", "руб", "коп", "англ", "лат"}},
  }};
  return kLists;
}

// Returns the code point of TEXT at byte I (U+FFFD for a bad sequence) and moves I past it.
UChar32 next_code_point(std::string_view text, size_t& i) {
  UChar32 c = 0;
  int32_t at = static_cast<int32_t>(i);
  U8_NEXT(reinterpret_cast<const uint8_t*>(text.data()), at, static_cast<int32_t>(text.size()),
          c);
  i = static_cast<size_t>(at);
  return c < 0 ? 0xFFFD : c;
}

// Tells whether C is white space (Unicode's White_Space, no-break space included).
bool is_space(UChar32 c) { return u_isUWhiteSpace(c) != 0; }

// Tells whether the first letter at or after byte AT of TEXT (past spaces, quotes,
// brackets and dashes; a digit or other symbol stops the search) is lower case.
bool lower_case_follows(std::string_view text, size_t at) {
  for (size_t i = at; i < text.size();) {
    UChar32 c = next_code_point(text, i);
    if (u_isalpha(c)) return u_islower(c) != 0;
    if (is_space(c) || u_ispunct(c)) continue;
    return false;
  }
  return false;
}

// Returns the word that ends right before byte END of TEXT, its trailing spaces and one
// full stop left out, and tells (through STOP) whether it ended with a full stop. The
// word starts after the last space; opening quotes and brackets are left out.
std::string_view word_before(std::string_view text, size_t end, bool& stop) {
  size_t e = end;
  while (e > 0) {  // back over trailing white space (ASCII and no-break spaces)
    if (text[e - 1] == ' ' || text[e - 1] == '\n' || text[e - 1] == '\t') {
      --e;
    } else if (e >= 2 && text.substr(e - 2, 2) == "\xC2\xA0") {
      e -= 2;
    } else {
      break;
    }
  }
  stop = e > 0 && text[e - 1] == '.';
  if (!stop) return {};
  --e;
  size_t s = e;
  while (s > 0 && text[s - 1] != ' ' && text[s - 1] != '\n' && text[s - 1] != '\t' &&
         !(s >= 2 && text.substr(s - 2, 2) == "\xC2\xA0"))
    --s;
  std::string_view word = text.substr(s, e - s);
  // Leave out what opens it: quotes and brackets (and an earlier full stop: "J.R.R").
  size_t i = 0;
  while (i < word.size()) {
    size_t next = i;
    UChar32 c = next_code_point(word, next);
    if (u_isalnum(c)) break;
    i = next;
  }
  return word.substr(i);
}

// Tells whether WORD is one letter ("z", "J", "А").
bool single_letter(std::string_view word) {
  if (word.empty()) return false;
  size_t i = 0;
  UChar32 c = next_code_point(word, i);
  return i == word.size() && u_isalpha(c);
}

// Tells whether no sentence may end after WORD (followed by a full stop) in LANGUAGE.
bool keeps_sentence(std::string_view word, std::string_view language) {
  if (word.empty()) return false;
  if (single_letter(word)) return true;
  // After an abbreviation with inner stops ("z.B", "e.g", "т.е"): one letter at its end.
  size_t dot = word.rfind('.');
  if (dot != std::string_view::npos && single_letter(word.substr(dot + 1))) return true;
  std::string_view primary = language.substr(0, language.find('-'));
  for (const Abbreviations& list : abbreviation_lists()) {
    if (list.language != primary) continue;
    if (std::find(list.words.begin(), list.words.end(), word) != list.words.end()) return true;
  }
  // A German ordinal: "am 3. Mai", "im 19. Jahrhundert".
  if (primary == "de" && word.size() <= 2 &&
      std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return true;
  return false;
}

}  // namespace

SentenceSplitter::SentenceSplitter() = default;
SentenceSplitter::~SentenceSplitter() = default;

icu::BreakIterator* SentenceSplitter::iterator(const std::string& language) {
  auto found = iterators_.find(language);
  if (found != iterators_.end()) return found->second.get();
  UErrorCode status = U_ZERO_ERROR;
  icu::Locale locale = icu::Locale::forLanguageTag(language, status);
  if (U_FAILURE(status) || locale.isBogus()) {
    status = U_ZERO_ERROR;
    locale = icu::Locale::getRoot();
  }
  std::unique_ptr<icu::BreakIterator> it(icu::BreakIterator::createSentenceInstance(locale, status));
  if (U_FAILURE(status)) it.reset();
  icu::BreakIterator* raw = it.get();
  iterators_.emplace(language, std::move(it));
  return raw;
}

std::vector<size_t> SentenceSplitter::ends(std::string_view text, std::string_view language) {
  std::vector<size_t> out;
  if (text.empty()) return out;
  work::add(text.size());
  icu::BreakIterator* it = iterator(std::string(language));
  if (it != nullptr) {
    UErrorCode status = U_ZERO_ERROR;
    // A line end in the text is a soft break, not the end of a paragraph, as ICU would
    // take it: a space to ICU, at the same offset.
    std::string flat(text);
    std::replace_if(flat.begin(), flat.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
    UText* ut = utext_openUTF8(nullptr, flat.data(), static_cast<int64_t>(flat.size()), &status);
    if (U_SUCCESS(status)) it->setText(ut, status);
    if (U_SUCCESS(status)) {
      for (int32_t at = it->next(); at != icu::BreakIterator::DONE; at = it->next()) {
        auto end = static_cast<size_t>(at);
        if (end >= text.size()) break;
        if (lower_case_follows(text, end)) continue;
        bool stop = false;
        std::string_view word = word_before(text, end, stop);
        if (stop && keeps_sentence(word, language)) continue;
        out.push_back(end);
      }
    }
    utext_close(ut);  // the iterator is given new text before it is used again
  }
  out.push_back(text.size());
  return out;
}

}  // namespace colophon
