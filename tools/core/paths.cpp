#include "core/paths.h"

#include "core/utf8.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <atomic>
#include <csignal>
#include <memory>
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

// Resolves TARGET as resolve_inside does, with its name exactly as written.
SafePath resolve_as_written(const fs::path& root, const fs::path& base_dir,
                            std::string_view target) {
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

}  // namespace

SafePath resolve_inside(const fs::path& root, const fs::path& base_dir, std::string_view target) {
  SafePath out = resolve_as_written(root, base_dir, target);
  if (out.status != SafePath::Status::Missing) return out;
  // Names that look the same may differ in their bytes: "café" typed on Linux is
  // usually NFC (é one code point), a file saved on macOS NFD (e and a combining
  // accent). A name not found is looked for again in the other form.
  for (bool decomposed : {false, true}) {
    std::string other = unicode_normalized(target, decomposed);
    if (other == target) continue;
    SafePath again = resolve_as_written(root, base_dir, other);
    if (again.status != SafePath::Status::Missing) return again;
  }
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

// Returns a file type as a message names it.
std::string kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISFIFO(mode)) return "a named pipe (FIFO)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "a special file";
}

// Opens PATH for reading without blocking (a FIFO opens at once) and checks that it is
// a regular file; returns the descriptor, or -1 with OUT's status, problem and hint set.
int open_regular(const fs::path& path, FileRead& out, struct stat& st) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    int e = errno;
    out.status = e == ENOENT || e == ENOTDIR ? FileRead::Status::Missing
                                             : FileRead::Status::Unreadable;
    out.problem = e == ENOENT || e == ENOTDIR ? "is not found"
                                              : std::string("cannot be read: ") + std::strerror(e);
    out.hint = e == EACCES ? "check that you may read it" : "check the path";
    return -1;
  }
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    out.status = FileRead::Status::Unreadable;
    out.problem = std::string("cannot be read: ") + std::strerror(e);
    out.hint = "check the file";
    return -1;
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    out.status = FileRead::Status::NotRegular;
    out.problem = "is " + kind_of(st.st_mode) + ", not a regular file";
    out.hint = "put a regular file there: colophon reads only regular files";
    return -1;
  }
  return fd;
}

// Reads up to MAX_BYTES of the regular file open as FD into OUT.DATA, in a string sized
// from its length (one copy, no stream buffer); sets COMPLETE when the end was reached.
bool read_fd(int fd, const struct stat& st, size_t max_bytes, std::string& data, bool& complete) {
  complete = false;
  data.resize(std::min(static_cast<size_t>(std::max<off_t>(st.st_size, 0)), max_bytes));
  size_t done = 0;
  bool ok = true;
  // A file that grows while we read still reads whole, up to MAX_BYTES. Once the size it
  // had at open is read, a small probe looks for more: growing DATA just to meet the end
  // of the file would copy every file once more.
  char probe[512];
  while (done < max_bytes) {
    ssize_t got = done < data.size()
                      ? ::read(fd, data.data() + done, data.size() - done)
                      : ::read(fd, probe, std::min(sizeof probe, max_bytes - done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) ok = false;
    if (got <= 0) {
      complete = ok;
      break;
    }
    if (done == data.size()) data.append(probe, static_cast<size_t>(got));  // it grew
    done += static_cast<size_t>(got);
  }
  data.resize(done);
  return ok;
}

}  // namespace

FileRead read_regular_file(const fs::path& path, size_t max_bytes) {
  FileRead out;
  struct stat st {};
  int fd = open_regular(path, out, st);
  if (fd < 0) return out;
  auto too_large = [&](uint64_t size) {
    out.status = FileRead::Status::TooLarge;
    out.problem = "is " + size_text(size) + "; colophon reads files of at most " +
                  size_text(max_bytes);
    out.hint = "split it into smaller files";
    out.data.clear();
  };
  if (static_cast<uint64_t>(std::max<off_t>(st.st_size, 0)) > max_bytes) {
    ::close(fd);
    too_large(static_cast<uint64_t>(st.st_size));
    return out;
  }
  bool complete = false;
  // One byte more than allowed tells a file that grew past the limit.
  size_t room = max_bytes == std::numeric_limits<size_t>::max() ? max_bytes : max_bytes + 1;
  bool ok = read_fd(fd, st, room, out.data, complete);
  int e = errno;
  ::close(fd);
  if (!ok) {
    out.status = FileRead::Status::Unreadable;
    out.problem = std::string("cannot be read: ") + std::strerror(e);
    out.hint = "check the file";
    out.data.clear();
  } else if (out.data.size() > max_bytes) {
    too_large(out.data.size());
  } else {
    out.status = FileRead::Status::Ok;
  }
  return out;
}

FileRead read_book_file(const fs::path& root, std::string_view relative, size_t max_bytes) {
  SafePath p = resolve_inside(root, root, relative);
  FileRead out;
  switch (p.status) {
    case SafePath::Status::Ok:
      return read_regular_file(p.absolute, max_bytes);
    case SafePath::Status::Missing:
      out.status = FileRead::Status::Missing;
      out.problem = "is not found";
      out.hint = "check the path";
      return out;
    case SafePath::Status::Escapes:
    case SafePath::Status::Absolute:
      out.status = FileRead::Status::Outside;
      out.problem = "leads outside the book folder (to " + p.absolute.string() + ")";
      out.hint = "put the file itself in the book folder instead of a link to it";
      return out;
  }
  return out;
}

std::string regular_file_problem(const fs::path& path) {
  FileRead out;
  struct stat st {};
  int fd = open_regular(path, out, st);
  if (fd < 0) return out.problem;
  ::close(fd);
  return {};
}

std::optional<std::string> read_file(const fs::path& path) {
  FileRead r = read_regular_file(path, kMaxDataFileBytes);
  if (!r.ok()) return std::nullopt;
  return std::move(r.data);
}

std::optional<std::string> read_file_prefix(const fs::path& path, size_t max_bytes,
                                            bool& complete) {
  FileRead out;
  struct stat st {};
  int fd = open_regular(path, out, st);
  if (fd < 0) return std::nullopt;
  std::string data;
  bool ok = read_fd(fd, st, max_bytes, data, complete);
  ::close(fd);
  if (!ok) return std::nullopt;
  // Exactly MAX_BYTES read: the file is complete only if nothing follows.
  if (!complete && data.size() == max_bytes)
    complete = static_cast<size_t>(st.st_size) == max_bytes;
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

// The same files for a signal handler, which may take no lock and allocate nothing:
// slots of C strings, each copy made once and never freed (a handler on another thread
// may be reading one when keep_at_exit takes it back).
constexpr size_t kSignalSlots = 1024;
std::atomic<const char*> signal_slots[kSignalSlots];
static_assert(std::atomic<const char*>::is_always_lock_free);

// Keeps every copy made for signal_slots reachable (never destroyed).
std::vector<std::unique_ptr<char[]>>& signal_copies() {
  static auto* v = new std::vector<std::unique_ptr<char[]>>;
  return *v;
}

// Puts a copy of PATH in a free slot (when all are taken, a signal leaves it behind,
// and the next build sweeps it). Called with exit_list_mutex held.
void add_signal_slot(const std::string& path) {
  auto copy = std::make_unique<char[]>(path.size() + 1);
  std::memcpy(copy.get(), path.c_str(), path.size() + 1);
  for (std::atomic<const char*>& slot : signal_slots) {
    const char* expected = nullptr;
    if (slot.compare_exchange_strong(expected, copy.get())) {
      signal_copies().push_back(std::move(copy));
      return;
    }
  }
}

// Empties the slot that holds PATH. Called with exit_list_mutex held.
void drop_signal_slot(const std::string& path) {
  for (std::atomic<const char*>& slot : signal_slots) {
    const char* p = slot.load();
    if (p != nullptr && path == p) {
      slot.store(nullptr);
      return;
    }
  }
}

// Removes the recorded files, then lets SIG end the process as it would have: the
// handler was installed with SA_RESETHAND, so the raised signal, delivered once this
// returns, takes its default action. Only async-signal-safe calls.
extern "C" void remove_files_on_signal(int sig) {
  int saved = errno;
  for (std::atomic<const char*>& slot : signal_slots)
    if (const char* p = slot.load()) ::unlink(p);
  ::raise(sig);
  errno = saved;
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
  add_signal_slot(path);
}

void keep_at_exit(const std::string& path) {
  std::lock_guard<std::mutex> lock(exit_list_mutex());
  std::vector<std::string>& list = exit_list();
  auto it = std::find(list.begin(), list.end(), path);
  if (it != list.end()) list.erase(it);
  drop_signal_slot(path);
}

void remove_on_signal() {
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction old {};
    if (::sigaction(sig, nullptr, &old) != 0 || old.sa_handler == SIG_IGN) continue;
    struct sigaction act {};
    act.sa_handler = remove_files_on_signal;
    sigemptyset(&act.sa_mask);
    act.sa_flags = SA_RESETHAND;
    ::sigaction(sig, &act, nullptr);
  }
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
  // A hidden name of our own, `.NAME.tmpPID-N` (`.NAME.PID.staged.tmpPID-N` for a staged
  // output, which the next build sweeps if a SIGKILL leaves it), recorded for removal
  // before the file exists: a signal right after its creation still finds it to remove.
  // O_CREAT | O_EXCL never follows a link, and never takes a file that is there (an
  // older one of that name is a dead build's, and another name is tried).
  static std::atomic<unsigned> counter{0};
  std::string filename = path.filename().string();
  std::string tmpl;
  int fd = -1;
  for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
    // Built with append() rather than operator+: GCC 12 at -O3 warns falsely (-Wrestrict)
    // about the temporaries of "." + name + suffix.
    std::string name = filename.starts_with(".") ? std::string() : std::string(".");
    name.append(filename).append(".tmp").append(std::to_string(::getpid()));
    name.append("-").append(std::to_string(counter++));
    tmpl = (dir / name).string();
    remove_at_exit(tmpl);
    fd = ::open(tmpl.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) break;
    int e = errno;
    keep_at_exit(tmpl);
    if (e != EEXIST) {
      errno = e;
      break;
    }
  }
  if (fd < 0) return "cannot create a file in '" + dir.string() + "': " + std::strerror(errno);
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

std::string size_text(uint64_t bytes) {
  char buf[32];
  if (bytes >= (uint64_t{1} << 30))
    std::snprintf(buf, sizeof buf, "%.1f GB", static_cast<double>(bytes) / (1 << 30));
  else if (bytes >= (uint64_t{1} << 20))
    std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / (1 << 20));
  else
    std::snprintf(buf, sizeof buf, "%llu bytes", static_cast<unsigned long long>(bytes));
  return buf;
}

}  // namespace colophon
