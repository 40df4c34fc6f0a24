// Hyphenation with libhyphen and the dictionary of the book's language.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/diagnostics.h"

namespace colophon {

// Finds the hyphenation points of words with one libhyphen dictionary, caching each
// word's answer. One instance per layout (not shared between threads).
class Hyphenator {
 public:
  // Words of fewer letters are never hyphenated.
  static constexpr size_t kMinWordLetters = 5;

  // Loads the dictionary for LANGUAGE (BCP 47, e.g. "en-GB", "de"); when there is none,
  // warns (at FILE:POS), unless the language is written in a script no dictionary
  // covers (Chinese, Thai ...), and hyphenates nothing.
  Hyphenator(const std::string& language, Diagnostics& diag, const std::string& file,
             SourcePos pos = {});
  ~Hyphenator();
  Hyphenator(const Hyphenator&) = delete;
  Hyphenator& operator=(const Hyphenator&) = delete;

  // Tells whether a dictionary was loaded.
  bool available() const { return dict_ != nullptr; }

  // Returns the byte offsets inside WORD (UTF-8 letters only) after which a hyphen may
  // go, respecting the left and right minimums (in characters). The result lives
  // until the next call.
  const std::vector<uint32_t>& points(std::string_view word);

  // Returns the path of the dictionary file chosen for LANGUAGE, or "" when none exists.
  static std::string dictionary_for(const std::string& language);

  // Tells whether C is a letter of the scripts the dictionaries cover (Latin, Greek,
  // Cyrillic): only words made of them are hyphenated.
  static bool is_letter(char32_t c);

 private:
  void* dict_ = nullptr;  // HyphenDict*
  int left_min_ = 2;      // TeX's \lefthyphenmin for the language
  int right_min_ = 3;     // TeX's \righthyphenmin
  // Hashes strings and string views alike, so lookups need no copy.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::vector<uint32_t>, Hash, std::equal_to<>> cache_;
  std::string lower_;
  std::vector<char> buffer_;
  std::vector<uint32_t> empty_;
};

}  // namespace colophon
