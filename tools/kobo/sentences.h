// Sentences of a run of text, by its language: ICU's sentence break iterator, then a few
// rules of our own for abbreviations. (ICU's own list of them, the "ss" locale keyword,
// also keeps sentences together after words such as "PDF.", so it is not used.)
#pragma once
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <unicode/uversion.h>

U_NAMESPACE_BEGIN
class BreakIterator;
U_NAMESPACE_END

namespace colophon {

// Splits text into sentences; keeps one ICU iterator per language. Not thread-safe: one
// per thread (the Kobo target makes one per document).
class SentenceSplitter {
 public:
  SentenceSplitter();
  ~SentenceSplitter();
  SentenceSplitter(const SentenceSplitter&) = delete;
  SentenceSplitter& operator=(const SentenceSplitter&) = delete;

  // Returns the byte offsets in TEXT (UTF-8) where its sentences end, in order; the last
  // is text.size() (none for empty text). LANGUAGE is a BCP 47 tag ("en", "de-CH").
  // A sentence keeps the spaces that follow it. Beyond ICU's rules, no sentence ends
  // before a lower-case letter (`"Stop!" he said`), after a one-letter abbreviation or
  // initial ("z. B.", "J. R. R."), after the language's common abbreviations ("Dr.",
  // "Prof.", "Nr.", "проф."), nor, in German, after an ordinal number ("am 3. Mai").
  std::vector<size_t> ends(std::string_view text, std::string_view language);

 private:
  // Returns the ICU iterator for LANGUAGE (made on first use), or nullptr.
  icu::BreakIterator* iterator(const std::string& language);

  std::map<std::string, std::unique_ptr<icu::BreakIterator>> iterators_;
};

}  // namespace colophon
