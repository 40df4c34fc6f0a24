#include "core/paths.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <limits>
#include <mutex>
#include <vector>

namespace colophon {

namespace {

// Tells whether P is ROOT or lies under it (both lexically normal and absolute).
bool is_within(const fs::path& root, const fs::path& p) {
  auto r = root.begin(), q = p.begin();
  for (; r != root.end(); ++r, ++q) {
    if (r->empty() && std::next(r) == root.end()) break;  // trailing slash
    if (q == p.end() || *r != *q) return false;
  }
  return true;
}

}  // namespace

SafePath resolve_inside(const fs::path& root, const fs::path& base_dir, std::string_view target) {
  SafePath out;
  std::error_code ec;
  fs::path root_abs = fs::weakly_canonical(fs::absolute(root, ec), ec);
  fs::path t{std::string(target)};
  if (t.is_absolute()) {
    out.status = SafePath::Status::Absolute;
    out.absolute = t;
    return out;
  }
  fs::path base_abs = fs::absolute(base_dir, ec);
  fs::path lexical = (base_abs / t).lexically_normal();
  fs::path lexical_root = fs::absolute(root, ec).lexically_normal();
  if (!is_within(lexical_root, lexical) && !is_within(root_abs, lexical)) {
    out.status = SafePath::Status::Escapes;
    out.absolute = lexical;
    return out;
  }
  out.relative = lexical.lexically_relative(lexical_root).generic_string();
  if (!fs::exists(lexical, ec)) {
    out.status = SafePath::Status::Missing;
    out.absolute = lexical;
    return out;
  }
  fs::path real = fs::canonical(lexical, ec);
  if (ec || !is_within(root_abs, real)) {
    out.status = SafePath::Status::Escapes;
    out.absolute = real;
    return out;
  }
  out.status = SafePath::Status::Ok;
  out.absolute = real;
  return out;
}

SafePath resolve_inside_any(const std::vector<fs::path>& roots, const fs::path& base_dir,
                            std::string_view target) {
  fs::path t{std::string(target)};
  fs::path base = base_dir;
  std::string rel(target);
  if (t.is_absolute()) {  // resolved from "/" so each root can judge it
    base = t.root_path();
    rel = t.relative_path().generic_string();
  }
  SafePath out;
  out.status = SafePath::Status::Escapes;
  for (size_t i = 0; i < roots.size(); ++i) {
    SafePath r = resolve_inside(roots[i], base, rel);
    if (i == 0 || r.status != SafePath::Status::Escapes) out = r;
    out.root = i;
    if (r.status != SafePath::Status::Escapes) return out;
  }
  out.status = SafePath::Status::Escapes;
  return out;
}

fs::path git_work_tree(const fs::path& dir) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::absolute(dir, ec), ec);
  for (; !p.empty(); p = p.parent_path()) {
    if (fs::exists(p / ".git", ec)) return p;
    if (p == p.root_path()) break;
  }
  return {};
}

namespace {

// Reads up to MAX_BYTES of the file PATH into a string sized from its length (one copy,
// no stream buffer); sets COMPLETE when the end of the file was reached.
std::optional<std::string> read_up_to(const fs::path& path, size_t max_bytes, bool& complete) {
  complete = false;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  std::string data;
  bool ok = ::fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode);
  // A file that grows while we read, or reports no size (a pipe), still reads whole.
  if (ok) data.resize(std::min(static_cast<size_t>(std::max<off_t>(st.st_size, 0)), max_bytes));
  size_t done = 0;
  while (ok && done < max_bytes) {
    if (done == data.size()) data.resize(std::min(max_bytes, data.size() + 4096 + data.size() / 2));
    ssize_t got = ::read(fd, data.data() + done, data.size() - done);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) ok = false;
    if (got <= 0) {
      complete = ok;
      break;
    }
    done += static_cast<size_t>(got);
  }
  ::close(fd);
  if (!ok) return std::nullopt;
  data.resize(done);
  return data;
}

}  // namespace

std::optional<std::string> read_file(const fs::path& path) {
  bool complete = false;
  return read_up_to(path, std::numeric_limits<size_t>::max(), complete);
}

std::optional<std::string> read_file_prefix(const fs::path& path, size_t max_bytes,
                                            bool& complete) {
  std::optional<std::string> data = read_up_to(path, max_bytes, complete);
  // Exactly MAX_BYTES read: the file is complete only if nothing follows.
  if (data && !complete && data->size() == max_bytes) {
    struct stat st {};
    complete = ::stat(path.c_str(), &st) == 0 && static_cast<size_t>(st.st_size) == max_bytes;
  }
  return data;
}

namespace {

// The files remove_at_exit recorded. Never destroyed: they are used while the process
// exits.
std::mutex& exit_list_mutex() {
  static auto* m = new std::mutex;
  return *m;
}
std::vector<std::string>& exit_list() {
  static auto* v = new std::vector<std::string>;
  return *v;
}

void remove_listed_files() {
  // Another thread may hold the lock as the process exits (and will never let go):
  // then the list may be half-changed, and is left alone.
  std::unique_lock<std::mutex> lock(exit_list_mutex(), std::try_to_lock);
  if (!lock.owns_lock()) return;
  for (const std::string& p : exit_list()) ::unlink(p.c_str());
  exit_list().clear();
}

}  // namespace

void remove_at_exit(const std::string& path) {
  static std::once_flag once;
  std::call_once(once, [] {
    exit_list_mutex();
    exit_list();
    std::atexit(remove_listed_files);
  });
  std::lock_guard<std::mutex> lock(exit_list_mutex());
  exit_list().push_back(path);
}

void keep_at_exit(const std::string& path) {
  std::lock_guard<std::mutex> lock(exit_list_mutex());
  std::vector<std::string>& list = exit_list();
  auto it = std::find(list.begin(), list.end(), path);
  if (it != list.end()) list.erase(it);
}

bool write_all_at(int fd, std::string_view data, uint64_t offset) {
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::pwrite(fd, p, left, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      return false;
    }
    p += n;
    left -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return true;
}

std::string write_file_atomic(const fs::path& path, std::string_view data) {
  fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  // Built with append() rather than operator+: GCC 12 at -O3 warns falsely (-Wrestrict)
  // about the temporaries of "." + name + suffix.
  std::string name = ".";
  name.append(path.filename().string()).append(".XXXXXX");
  std::string tmpl = (dir / name).string();
  int fd = mkstemp(tmpl.data());
  if (fd < 0) return "cannot create a file in '" + dir.string() + "': " + std::strerror(errno);
  remove_at_exit(tmpl);
  struct Forget {  // on every way out the file is renamed or removed below
    const std::string& path;
    ~Forget() { keep_at_exit(path); }
  } forget{tmpl};
  if (!write_all_at(fd, data, 0)) {
    std::string msg = "cannot write '" + path.string() + "': " + std::strerror(errno);
    ::close(fd);
    ::unlink(tmpl.c_str());
    return msg;
  }
  if (::fchmod(fd, 0644) != 0 || ::fsync(fd) != 0 || ::close(fd) != 0) {
    std::string msg = "cannot write '" + path.string() + "': " + std::strerror(errno);
    ::unlink(tmpl.c_str());
    return msg;
  }
  if (::rename(tmpl.c_str(), path.c_str()) != 0) {
    std::string msg = "cannot replace '" + path.string() + "': " + std::strerror(errno);
    ::unlink(tmpl.c_str());
    return msg;
  }
  return {};
}

std::string display_path(const std::string& dir_as_given, std::string_view relative) {
  if (dir_as_given.empty() || dir_as_given == ".") return std::string(relative);
  std::string s = dir_as_given;
  if (s.back() != '/') s += '/';
  s += relative;
  return s;
}

}  // namespace colophon
