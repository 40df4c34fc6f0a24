// A compiled copy of each large libhyphen dictionary, kept in the user's cache folder:
// see hyphen_cache.h for why.
#include "layout/hyphen_cache.h"

#include <sys/stat.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "core/paths.h"

namespace colophon {

namespace {

namespace fs = std::filesystem;

// Bumped whenever the layout below changes; part of every file's first bytes, together
// with the sizes of the C types it stores, so a copy made by another build is refused.
constexpr char kMagic[] = "colophon hyphen automaton 1";
// Dictionaries smaller than this load in a few tens of milliseconds at most (English:
// 106 KB, 28 ms) and are not worth a file in the user's cache.
constexpr uintmax_t kCacheFromBytes = 256 * 1024;
// libhyphen chains at most two levels (a compound level and the main one); more than
// this many in a file means it is not one we wrote.
constexpr int kMaxLevels = 4;

class Writer {
 public:
  void bytes(const void* p, size_t n) { out_.append(static_cast<const char*>(p), n); }
  void i32(int32_t v) { bytes(&v, sizeof v); }
  void i8(signed char v) { bytes(&v, 1); }
  void str(const char* s) {  // -1 for a null pointer
    if (s == nullptr) return i32(-1);
    size_t n = std::strlen(s);
    i32(static_cast<int32_t>(n));
    bytes(s, n);
  }
  // COUNT strings, each ended by its NUL, one after the other: libhyphen's nohyphen,
  // whose nohyphenl counts the commas between them, so it holds nohyphenl + 1 strings.
  void strs(const char* s, int count) {
    if (s == nullptr) return i32(-1);
    size_t n = 0;
    for (int i = 0; i < count; ++i) n += std::strlen(s + n) + 1;
    i32(static_cast<int32_t>(n));
    bytes(s, n);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool at_end() const { return pos_ == in_.size(); }
  void fail() { ok_ = false; }
  bool bytes(void* p, size_t n) {
    if (!ok_ || in_.size() - pos_ < n) return ok_ = false;
    std::memcpy(p, in_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  int32_t i32() {
    int32_t v = 0;
    bytes(&v, sizeof v);
    return v;
  }
  signed char i8() {
    signed char v = 0;
    bytes(&v, 1);
    return v;
  }
  // A malloc'd copy (libhyphen frees these with free), or null for -1 or on failure.
  char* str() {
    int32_t n = i32();
    if (!ok_ || n == -1) return nullptr;
    if (n < 0 || static_cast<size_t>(n) > in_.size() - pos_) {
      ok_ = false;
      return nullptr;
    }
    char* s = static_cast<char*>(std::malloc(static_cast<size_t>(n) + 1));
    if (s == nullptr) {
      ok_ = false;
      return nullptr;
    }
    std::memcpy(s, in_.data() + pos_, static_cast<size_t>(n));
    s[n] = '\0';
    last_length_ = n;
    pos_ += static_cast<size_t>(n);
    return s;
  }
  // Reads what Writer::strs wrote, checking it holds COUNT NUL-ended strings.
  char* strs(int count) {
    char* s = str();
    if (s == nullptr) return nullptr;
    size_t n = 0, len = static_cast<size_t>(last_length_);
    for (int i = 0; i < count && ok_; ++i) {
      const void* end = std::memchr(s + n, '\0', len + 1 - n);
      if (end == nullptr || static_cast<const char*>(end) - s >= static_cast<std::ptrdiff_t>(len)) ok_ = false;
      else n = static_cast<size_t>(static_cast<const char*>(end) - s) + 1;
    }
    return s;
  }
  size_t left() const { return in_.size() - pos_; }

 private:
  std::string_view in_;
  size_t pos_ = 0;
  int32_t last_length_ = 0;  // of the last string str() read
  bool ok_ = true;
};

std::string header() {
  std::ostringstream h;
  h << kMagic << ' ' << sizeof(HyphenDict) << ' ' << sizeof(HyphenState) << ' '
    << sizeof(HyphenTrans) << ' ' << MAX_NAME << '\n';
  return h.str();
}

void write_level(Writer& w, const HyphenDict& d) {
  w.i8(d.lhmin);
  w.i8(d.rhmin);
  w.i8(d.clhmin);
  w.i8(d.crhmin);
  w.i32(d.nohyphenl);
  w.strs(d.nohyphen, d.nohyphenl + 1);
  w.bytes(d.cset, sizeof d.cset);
  w.i32(d.utf8);
  w.i32(d.num_states);
  for (int i = 0; i < d.num_states; ++i) {
    const HyphenState& s = d.states[i];
    w.str(s.match);
    w.str(s.repl);
    // libhyphen leaves these unset in states without a replacement (two loads of one
    // file differ there); they are read only with repl, so the copy stores 0.
    w.i8(s.repl ? s.replindex : 0);
    w.i8(s.repl ? s.replcut : 0);
    w.i32(s.fallback_state);
    w.i32(s.num_trans);
    for (int t = 0; t < s.num_trans; ++t) {
      w.i8(static_cast<signed char>(s.trans[t].ch));
      w.i32(s.trans[t].new_state);
    }
  }
}

// Reads one level into a dictionary allocated as libhyphen allocates (calloc'd, so a
// partial one can be released with hnj_hyphen_free), or returns null.
HyphenDict* read_level(Reader& r) {
  auto* d = static_cast<HyphenDict*>(std::calloc(1, sizeof(HyphenDict)));
  if (d == nullptr) return nullptr;
  d->lhmin = static_cast<char>(r.i8());
  d->rhmin = static_cast<char>(r.i8());
  d->clhmin = static_cast<char>(r.i8());
  d->crhmin = static_cast<char>(r.i8());
  d->nohyphenl = r.i32();
  if (d->nohyphenl < 0) {
    d->nohyphenl = 0;
    r.fail();
  }
  d->nohyphen = r.strs(d->nohyphenl + 1);
  r.bytes(d->cset, sizeof d->cset);
  d->cset[sizeof d->cset - 1] = '\0';
  d->utf8 = r.i32();
  int32_t n = r.i32();
  // Every state takes at least 18 bytes of the file: a count past that is damage.
  if (!r.ok() || n < 1 || static_cast<size_t>(n) > r.left() / 18) {
    hnj_hyphen_free(d);
    return nullptr;
  }
  d->states = static_cast<HyphenState*>(std::calloc(static_cast<size_t>(n), sizeof(HyphenState)));
  if (d->states == nullptr) {
    hnj_hyphen_free(d);
    return nullptr;
  }
  d->num_states = n;
  for (int i = 0; i < n && r.ok(); ++i) {
    HyphenState& s = d->states[i];
    s.match = r.str();
    s.repl = r.str();
    s.replindex = r.i8();
    s.replcut = r.i8();
    s.fallback_state = r.i32();
    int32_t t = r.i32();
    if (!r.ok() || s.fallback_state < -1 || s.fallback_state >= n || t < 0 ||
        static_cast<size_t>(t) > r.left() / 5) {
      hnj_hyphen_free(d);
      return nullptr;
    }
    if (t > 0) {
      s.trans = static_cast<HyphenTrans*>(std::calloc(static_cast<size_t>(t), sizeof(HyphenTrans)));
      if (s.trans == nullptr) {
        hnj_hyphen_free(d);
        return nullptr;
      }
      s.num_trans = t;
      for (int k = 0; k < t; ++k) {
        s.trans[k].ch = static_cast<char>(r.i8());
        s.trans[k].new_state = r.i32();
        if (s.trans[k].new_state < 0 || s.trans[k].new_state >= n) {
          hnj_hyphen_free(d);
          return nullptr;
        }
      }
    }
  }
  if (!r.ok()) {
    hnj_hyphen_free(d);
    return nullptr;
  }
  return d;
}

// The cache file's bytes, or "" when it is not a regular file of a plausible size (a
// FIFO or a link to a device there must not block or flood the build).
std::string read_whole(const std::string& path) {
  constexpr uintmax_t kMaxBytes = 256u << 20;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec) || fs::file_size(path, ec) > kMaxBytes || ec) return {};
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::string serialize_hyphen_dictionary(const HyphenDict& dict) {
  Writer w;
  std::string h = header();
  w.bytes(h.data(), h.size());
  int levels = 0;
  for (const HyphenDict* d = &dict; d != nullptr && levels < kMaxLevels; d = d->nextlevel) ++levels;
  w.i32(levels);
  const HyphenDict* d = &dict;
  for (int i = 0; i < levels; ++i, d = d->nextlevel) write_level(w, *d);
  return w.take();
}

HyphenDict* deserialize_hyphen_dictionary(std::string_view bytes) {
  std::string h = header();
  if (bytes.substr(0, h.size()) != h) return nullptr;
  Reader r(bytes.substr(h.size()));
  int32_t levels = r.i32();
  if (!r.ok() || levels < 1 || levels > kMaxLevels) return nullptr;
  HyphenDict* first = nullptr;
  HyphenDict* last = nullptr;
  for (int i = 0; i < levels; ++i) {
    HyphenDict* d = read_level(r);
    if (d == nullptr) {
      if (first) hnj_hyphen_free(first);  // frees the levels read so far, chained
      return nullptr;
    }
    (last ? last->nextlevel : first) = d;
    last = d;
  }
  if (!r.at_end()) {
    hnj_hyphen_free(first);
    return nullptr;
  }
  return first;
}

std::string hyphen_cache_file(const std::string& path) {
  std::error_code ec;
  fs::path real = fs::canonical(path, ec);
  if (ec) return {};
  struct stat st {};
  if (::stat(real.c_str(), &st) != 0) return {};
  fs::path dir;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x != nullptr && x[0] == '/') {
    dir = x;
  } else if (const char* home = std::getenv("HOME"); home != nullptr && home[0] == '/') {
    dir = fs::path(home) / ".cache";
  } else {
    return {};
  }
  // The name says which file, of which size and modification time, the copy was made
  // from: an updated package gets a new copy, never a stale one. The folder's hash
  // (FNV-1a) tells apart dictionaries of one name in different folders.
  uint64_t hash = 1469598103934665603ull;
  for (unsigned char c : real.parent_path().string()) hash = (hash ^ c) * 1099511628211ull;
  std::ostringstream name;
  name << real.filename().string() << '-' << std::hex << hash << std::dec << '-' << st.st_size << '-'
       << st.st_mtim.tv_sec << '.' << st.st_mtim.tv_nsec << ".bin";
  return (dir / "colophon" / "hyphen" / name.str()).string();
}

HyphenDict* load_hyphen_dictionary(const std::string& path) {
  std::string cache = hyphen_cache_file(path);
  if (!cache.empty()) {
    std::string bytes = read_whole(cache);
    if (!bytes.empty())
      if (HyphenDict* d = deserialize_hyphen_dictionary(bytes)) return d;
  }
  HyphenDict* d = hnj_hyphen_load(path.c_str());
  std::error_code ec;
  if (d != nullptr && !cache.empty() && fs::file_size(path, ec) >= kCacheFromBytes && !ec) {
    fs::create_directories(fs::path(cache).parent_path(), ec);
    if (!ec) write_file_atomic(cache, serialize_hyphen_dictionary(*d));  // best effort
  }
  return d;
}

}  // namespace colophon
