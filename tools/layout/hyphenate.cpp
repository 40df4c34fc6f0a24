// Hyphenation: libhyphen patterns, words converted to the dictionary's encoding.
#include "layout/hyphenate.h"

#include <hyphen.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <unordered_map>

#include "core/utf8.h"
#include "layout/hyphen_cache.h"
#include "layout/unicode.h"

namespace colophon {

namespace {

constexpr const char* kHyphenDir = "/usr/share/hyphen/";
constexpr size_t kMaxWordBytes = 96;  // libhyphen works on short buffers; longer "words" are not words
// ISO 8859-7 (Debian's Greek dictionary) holds U+0386..U+03CE at this distance below.
constexpr char32_t kIso8859_7Offset = 0x2D0;

// KOI8-R bytes 0xC0..0xDF hold these lower-case Cyrillic letters, in this order.
constexpr char16_t kKoi8Lower[32] = {u'ю', u'а', u'б', u'ц', u'д', u'е', u'ф', u'г',
                                     u'х', u'и', u'й', u'к', u'л', u'м', u'н', u'о',
                                     u'п', u'я', u'р', u'с', u'т', u'у', u'ж', u'в',
                                     u'ь', u'ы', u'з', u'ш', u'э', u'щ', u'ч', u'ъ'};

// Lower-cases the letters hyphenation dictionaries know (Latin, Greek, Cyrillic).
char32_t to_lower(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if ((c >= 0xC0 && c <= 0xDE && c != 0xD7)) return c + 32;
  if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) return c | 1;
  if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1) ? c + 1 : c;
  if (c == 0x178) return 0xFF;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;
  if (c == 0x386) return 0x3AC;                  // Ά
  if (c >= 0x388 && c <= 0x38A) return c + 37;   // Έ Ή Ί
  if (c == 0x38C) return 0x3CC;                  // Ό
  if (c == 0x38E || c == 0x38F) return c + 63;   // Ύ Ώ
  return c;
}

// Returns the dictionary in the file PATH, loaded on first use (through the compiled
// copy of hyphen_cache.h) and kept for the rest of the process: loading English takes
// about 30 ms (most of a small book's layout), German seconds without the copy, and
// hyphenating only reads it, so every Hyphenator on any thread can share it.
HyphenDict* shared_dictionary(const std::string& path) {
  static std::mutex mutex;
  // Never freed: the dictionaries stay reachable from here until the process ends.
  static auto* loaded = new std::unordered_map<std::string, HyphenDict*>();
  std::lock_guard<std::mutex> lock(mutex);
  auto it = loaded->find(path);
  if (it != loaded->end()) return it->second;
  HyphenDict* d = load_hyphen_dictionary(path);
  if (d != nullptr) loaded->emplace(path, d);
  return d;
}

}  // namespace

std::string Hyphenator::dictionary_for(const std::string& language) {
  std::string lang, region;
  size_t sep = language.find_first_of("-_");
  lang = language.substr(0, sep);
  if (sep != std::string::npos) region = language.substr(sep + 1, 2);
  for (char& c : lang) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (char& c : region) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  static const struct {
    const char* lang;
    const char* region;
  } kDefaultRegion[] = {{"en", "US"}, {"de", "DE"}, {"fr", "FR"}, {"ru", "RU"}, {"es", "ES"},
                        {"it", "IT"}, {"pt", "PT"}, {"nl", "NL"}};
  std::vector<std::string> names;
  if (!region.empty()) names.push_back("hyph_" + lang + "_" + region + ".dic");
  for (const auto& d : kDefaultRegion)
    if (lang == d.lang) names.push_back("hyph_" + lang + "_" + d.region + ".dic");
  names.push_back("hyph_" + lang + ".dic");
  std::error_code ec;
  for (const std::string& n : names)
    if (std::filesystem::is_regular_file(kHyphenDir + n, ec)) return kHyphenDir + n;
  // A language with no patterns of its own is divided by those of a language with the
  // same syllable rules: Ancient Greek as Modern Greek (words in the monotonic letters
  // the Greek dictionary knows; polytonic ones are left whole).
  static const struct {
    const char* lang;
    const char* like;
  } kRelated[] = {{"grc", "el"}};
  for (const auto& r : kRelated)
    if (lang == r.lang) return dictionary_for(r.like);
  return {};
}

bool Hyphenator::is_letter(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) ||
         (c >= 0x386 && c <= 0x3FF && c != 0x387) || (c >= 0x400 && c <= 0x4FF);
}

Hyphenator::Hyphenator(const std::string& language, Diagnostics& diag, const std::string& file,
                       SourcePos pos) {
  std::string path = dictionary_for(language);
  std::string primary = language.substr(0, language.find_first_of("-_"));
  for (char& c : primary) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // Chinese or Thai is never hyphenated: its Latin words are left whole, and nothing
  // could be installed to change that, so there is nothing to warn of.
  if (path.empty() && unicode::written_without_hyphens(language)) return;
  if (path.empty()) {
    diag.warning(file, pos, "no hyphenation dictionary for language '" + language + "'",
                 "install Debian's hyphen-" + primary +
                     " package if there is one; the PDF sets text in this language "
                     "without hyphenation");
    return;
  }
  HyphenDict* d = shared_dictionary(path);
  if (!d) {
    diag.warning(file, pos, "cannot load hyphenation dictionary " + path,
                 "reinstall the package it came from; the PDF sets text in this language "
                 "without hyphenation");
    return;
  }
  dict_ = d;
  if (primary == "en") {
    left_min_ = 2;  // TeX's English \lefthyphenmin
    right_min_ = 3;  // TeX's English \righthyphenmin
  } else {
    left_min_ = std::max(2, static_cast<int>(d->lhmin));
    right_min_ = std::max(2, static_cast<int>(d->rhmin));
  }
}

Hyphenator::~Hyphenator() = default;  // the dictionary is shared (shared_dictionary)

const std::vector<uint32_t>& Hyphenator::points(std::string_view word) {
  if (!dict_ || word.size() > kMaxWordBytes) return empty_;
  auto it = cache_.find(word);
  if (it != cache_.end()) return it->second;

  HyphenDict* d = static_cast<HyphenDict*>(dict_);
  std::string cset(d->cset);
  bool latin1 = cset.find("8859-1") != std::string::npos || cset.find("8859-15") != std::string::npos;
  bool koi8 = cset.find("KOI8") != std::string::npos;
  bool greek = cset.find("8859-7") != std::string::npos;
  // Encode the lower-cased word; remember where each character ends in both encodings.
  lower_.clear();
  std::vector<uint32_t> end_in_lower, end_in_word;
  bool ok = true;
  size_t i = 0;
  while (i < word.size()) {
    char32_t c = next_code_point(word, i);
    if (!is_letter(c)) ok = false;
    char32_t l = to_lower(c);
    if (d->utf8) {
      append_utf8(lower_, l);
    } else if (latin1 && l < 0x100) {
      lower_ += static_cast<char>(l);
    } else if (greek && (l < 0x80 || (l >= 0x386 && l <= 0x3CE))) {
      lower_ += static_cast<char>(l < 0x80 ? l : l - kIso8859_7Offset);
    } else if (koi8) {
      auto* p = std::find(std::begin(kKoi8Lower), std::end(kKoi8Lower), static_cast<char16_t>(l));
      if (p == std::end(kKoi8Lower)) ok = false;
      else lower_ += static_cast<char>(0xC0 + (p - kKoi8Lower));
    } else {
      ok = false;
    }
    end_in_lower.push_back(static_cast<uint32_t>(lower_.size()));
    end_in_word.push_back(static_cast<uint32_t>(i));
  }
  std::vector<uint32_t> result;
  int n = static_cast<int>(end_in_word.size());
  if (ok && n >= left_min_ + right_min_) {
    buffer_.assign(lower_.size() + 5, 0);
    std::vector<char> hyphenated(lower_.size() * 2 + 8, 0);
    char** rep = nullptr;
    int* pos = nullptr;
    int* cut = nullptr;
    if (hnj_hyphen_hyphenate3(d, lower_.data(), static_cast<int>(lower_.size()), buffer_.data(),
                              hyphenated.data(), &rep, &pos, &cut, 1, 1, 1, 1) == 0) {
      for (int k = left_min_ - 1; k < n - right_min_; ++k) {
        uint32_t b = end_in_lower[k] - 1;
        if ((buffer_[b] & 1) && !(rep && rep[b])) result.push_back(end_in_word[k]);
      }
    }
    if (rep) {
      for (size_t j = 0; j < lower_.size(); ++j) std::free(rep[j]);
      std::free(rep);
    }
    std::free(pos);
    std::free(cut);
  }
  return cache_.emplace(std::string(word), std::move(result)).first->second;
}

}  // namespace colophon
