// The compiled copy of libhyphen dictionaries (layout/hyphen_cache.h): a copy read back
// is the very automaton libhyphen built, it hyphenates alike, damage is refused, and a
// cached load is used only for the file it was made from.
#include "layout/hyphen_cache.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace colophon;

namespace {

bool same_string(const char* a, const char* b) {
  return (a == nullptr) == (b == nullptr) && (a == nullptr || std::strcmp(a, b) == 0);
}

// Compares two automata field by field, level by level; returns "" or the first difference.
std::string difference(const HyphenDict* a, const HyphenDict* b) {
  for (int level = 0; a != nullptr || b != nullptr; ++level, a = a->nextlevel, b = b->nextlevel) {
    std::string at = "level " + std::to_string(level) + ": ";
    if ((a == nullptr) != (b == nullptr)) return at + "one chain is shorter";
    if (a->lhmin != b->lhmin || a->rhmin != b->rhmin || a->clhmin != b->clhmin ||
        a->crhmin != b->crhmin)
      return at + "minimums";
    // nohyphen holds nohyphenl + 1 strings, one after the other.
    if ((a->nohyphen == nullptr) != (b->nohyphen == nullptr) || a->nohyphenl != b->nohyphenl)
      return at + "nohyphen";
    for (size_t off = 0, i = 0; a->nohyphen && i <= static_cast<size_t>(a->nohyphenl); ++i) {
      if (std::strcmp(a->nohyphen + off, b->nohyphen + off) != 0) return at + "nohyphen";
      off += std::strlen(a->nohyphen + off) + 1;
    }
    if (std::strcmp(a->cset, b->cset) != 0 || a->utf8 != b->utf8) return at + "charset";
    if (a->num_states != b->num_states) return at + "state count";
    for (int i = 0; i < a->num_states; ++i) {
      const HyphenState& x = a->states[i];
      const HyphenState& y = b->states[i];
      std::string st = at + "state " + std::to_string(i) + " ";
      if (!same_string(x.match, y.match) || !same_string(x.repl, y.repl)) return st + "strings";
      // Without a replacement string libhyphen leaves these two unset: not compared.
      if (x.repl && (x.replindex != y.replindex || x.replcut != y.replcut))
        return st + "replacement";
      if (x.fallback_state != y.fallback_state) return st + "fallback";
      if (x.num_trans != y.num_trans) return st + "transition count";
      for (int t = 0; t < x.num_trans; ++t)
        if (x.trans[t].ch != y.trans[t].ch || x.trans[t].new_state != y.trans[t].new_state)
          return st + "transition " + std::to_string(t);
    }
  }
  return {};
}

// The hyphens libhyphen finds in WORD (bytes in the dictionary's encoding).
std::string hyphens(HyphenDict* d, const std::string& word) {
  std::vector<char> out(word.size() + 5, 0);
  std::vector<char> hyphenated(word.size() * 2 + 8, 0);
  char** rep = nullptr;
  int* pos = nullptr;
  int* cut = nullptr;
  hnj_hyphen_hyphenate3(d, word.data(), static_cast<int>(word.size()), out.data(),
                        hyphenated.data(), &rep, &pos, &cut, 1, 1, 1, 1);
  if (rep) {
    for (size_t j = 0; j < word.size(); ++j) std::free(rep[j]);
    std::free(rep);
  }
  std::free(pos);
  std::free(cut);
  return std::string(out.data(), word.size());
}

std::string dictionary(const char* name) {
  std::string p = std::string("/usr/share/hyphen/") + name;
  return fs::exists(p) ? p : std::string();
}

// Sets XDG_CACHE_HOME to a fresh folder for the test's life.
struct TempCache {
  fs::path dir;
  std::string old;
  bool had_old = false;
  TempCache() {
    dir = fs::temp_directory_path() / ("colophon-hyphen-cache-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    if (const char* o = std::getenv("XDG_CACHE_HOME")) had_old = true, old = o;
    ::setenv("XDG_CACHE_HOME", dir.c_str(), 1);
  }
  ~TempCache() {
    if (had_old) ::setenv("XDG_CACHE_HOME", old.c_str(), 1);
    else ::unsetenv("XDG_CACHE_HOME");
    fs::remove_all(dir);
  }
};

}  // namespace

TEST_CASE("a dictionary's compiled copy is the automaton libhyphen built, level by level") {
  const std::vector<std::string> words = {"hyphenation", "information", "dictionary",
                                          "typesetting", "extraordinary", "constitution"};
  int tried = 0;
  for (const char* name : {"hyph_en_US.dic", "hyph_fr.dic", "hyph_ru_RU.dic", "hyph_el_GR.dic"}) {
    std::string path = dictionary(name);
    if (path.empty()) continue;
    ++tried;
    CAPTURE(path);
    HyphenDict* loaded = hnj_hyphen_load(path.c_str());
    REQUIRE(loaded != nullptr);
    std::string bytes = serialize_hyphen_dictionary(*loaded);
    HyphenDict* copy = deserialize_hyphen_dictionary(bytes);
    REQUIRE(copy != nullptr);
    CHECK(difference(loaded, copy) == "");
    for (const std::string& w : words) CHECK(hyphens(loaded, w) == hyphens(copy, w));
    // Serialising the copy gives the same bytes: nothing is lost or added on the way.
    CHECK(serialize_hyphen_dictionary(*copy) == bytes);
    hnj_hyphen_free(copy);
    hnj_hyphen_free(loaded);
  }
  REQUIRE_MESSAGE(tried > 0, "Debian's hyphen-en-us must be installed (tools/dev installs it)");
}

TEST_CASE("a damaged copy is refused, never trusted") {
  std::string path = dictionary("hyph_en_US.dic");
  REQUIRE(!path.empty());
  HyphenDict* loaded = hnj_hyphen_load(path.c_str());
  REQUIRE(loaded != nullptr);
  std::string bytes = serialize_hyphen_dictionary(*loaded);
  hnj_hyphen_free(loaded);
  CHECK(deserialize_hyphen_dictionary("") == nullptr);
  CHECK(deserialize_hyphen_dictionary("colophon hyphen automaton 0 and more") == nullptr);
  // Every truncation (at a spread of lengths) and a byte too many.
  for (size_t n = 0; n < bytes.size(); n += 1 + bytes.size() / 997)
    CHECK(deserialize_hyphen_dictionary(std::string_view(bytes).substr(0, n)) == nullptr);
  CHECK(deserialize_hyphen_dictionary(bytes + "x") == nullptr);
  // A state count past the end, and a transition to a state that does not exist.
  size_t header = bytes.find('\n') + 1;
  std::string huge = bytes;
  int32_t levels = 0;
  std::memcpy(&levels, huge.data() + header, 4);
  CHECK(levels >= 1);
  // The first level's state count sits after the level count, 4 minimums, nohyphen's
  // count, length and bytes, cset and utf8.
  size_t at = header + 4 + 4 + 4;
  int32_t nohyphen_len = 0;
  std::memcpy(&nohyphen_len, huge.data() + at, 4);
  at += 4 + (nohyphen_len > 0 ? static_cast<size_t>(nohyphen_len) : 0) + MAX_NAME + 4;
  int32_t big = 0x7fffffff;
  std::memcpy(huge.data() + at, &big, 4);
  CHECK(deserialize_hyphen_dictionary(huge) == nullptr);
  std::string wild = bytes;
  size_t last_state = wild.size() - 4;  // the last transition's target, at the very end
  int32_t nowhere = 1 << 30;
  std::memcpy(wild.data() + last_state, &nowhere, 4);
  CHECK(deserialize_hyphen_dictionary(wild) == nullptr);
}

TEST_CASE("a large dictionary is cached once and read back from the cache") {
  std::string path = dictionary("hyph_de_DE.dic");
  if (path.empty()) {
    MESSAGE("SKIPPED: Debian's hyphen-de is not installed, no dictionary large enough to cache");
    return;
  }
  TempCache cache;
  std::string file = hyphen_cache_file(path);
  REQUIRE(!file.empty());
  CHECK(file.rfind(cache.dir.string(), 0) == 0);
  CHECK(!fs::exists(file));
  HyphenDict* first = load_hyphen_dictionary(path);  // libhyphen's load, then the copy written
  REQUIRE(first != nullptr);
  REQUIRE(fs::exists(file));
  HyphenDict* second = load_hyphen_dictionary(path);  // read from the copy
  REQUIRE(second != nullptr);
  CHECK(difference(first, second) == "");
  for (const std::string w : {"silbentrennung", "wörterbuch", "donaudampfschifffahrt"}) {
    std::string latin1;
    for (size_t i = 0; i < w.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(w[i]);
      if (c == 0xC3 && i + 1 < w.size()) latin1 += static_cast<char>(static_cast<unsigned char>(w[++i]) + 0x40);
      else latin1 += static_cast<char>(c);
    }
    CHECK(hyphens(first, latin1) == hyphens(second, latin1));
  }
  hnj_hyphen_free(first);
  hnj_hyphen_free(second);
}

TEST_CASE("small dictionaries are not cached, a damaged copy is ignored, no cache folder is no copy") {
  std::string path = dictionary("hyph_en_US.dic");
  REQUIRE(!path.empty());
  TempCache cache;
  HyphenDict* d = load_hyphen_dictionary(path);
  REQUIRE(d != nullptr);
  hnj_hyphen_free(d);
  CHECK(!fs::exists(cache.dir / "colophon"));
  // A damaged file where the copy would be is not trusted: the source is loaded instead.
  std::string file = hyphen_cache_file(path);
  REQUIRE(!file.empty());
  fs::create_directories(fs::path(file).parent_path());
  std::ofstream(file, std::ios::binary) << "colophon hyphen automaton 1 junk";
  HyphenDict* fresh = hnj_hyphen_load(path.c_str());
  HyphenDict* again = load_hyphen_dictionary(path);
  REQUIRE(again != nullptr);
  CHECK(difference(fresh, again) == "");
  hnj_hyphen_free(fresh);
  hnj_hyphen_free(again);
  ::setenv("XDG_CACHE_HOME", "relative/not/allowed", 1);
  const char* home = std::getenv("HOME");
  std::string saved_home = home ? home : "";
  ::unsetenv("HOME");
  CHECK(hyphen_cache_file(path).empty());
  if (home) ::setenv("HOME", saved_home.c_str(), 1);
}
