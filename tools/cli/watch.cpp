#include "cli/watch.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <map>
#include <string>
#include <system_error>

namespace colophon {

namespace {

namespace fs = std::filesystem;

// What a folder's watch reports: a file written, created, removed or renamed, and the
// folder itself going away.
constexpr uint32_t kWatchMask = IN_CLOSE_WRITE | IN_MODIFY | IN_CREATE | IN_DELETE | IN_MOVED_FROM |
                                IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;

// The write end of the pipe SIGINT and SIGTERM write to (-1 when none is installed).
volatile sig_atomic_t stop_write_fd = -1;

void on_stop_signal(int) {
  int fd = stop_write_fd;
  if (fd >= 0) {
    char byte = 1;
    ssize_t n = write(fd, &byte, 1);  // async-signal-safe; a full pipe is already a stop
    (void)n;
  }
}

// Turns SIGINT and SIGTERM into a readable pipe while it lives, so Ctrl-C ends the wait
// for changes (and a build in progress finishes first) instead of killing the process
// with staged files about. The previous handlers come back when it ends.
class StopSignal {
 public:
  StopSignal() {
    if (pipe2(fds_, O_CLOEXEC | O_NONBLOCK) != 0) {
      fds_[0] = fds_[1] = -1;
      return;
    }
    stop_write_fd = fds_[1];
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
  }
  StopSignal(const StopSignal&) = delete;
  StopSignal& operator=(const StopSignal&) = delete;
  ~StopSignal() {
    if (fds_[0] < 0) return;
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
    stop_write_fd = -1;
    close(fds_[0]);
    close(fds_[1]);
  }

  // Returns the end to poll; readable once a stop was asked for.
  int fd() const { return fds_[0]; }
  bool ok() const { return fds_[0] >= 0; }

 private:
  int fds_[2] = {-1, -1};
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

// Tells whether PATH is DIR or inside it (compared by their components).
bool is_inside(const fs::path& path, const fs::path& dir) {
  if (dir.empty()) return false;
  auto [d, p] = std::mismatch(dir.begin(), dir.end(), path.begin(), path.end());
  return d == dir.end() || (std::next(d) == dir.end() && d->empty());  // "dir/" too
}

// Tells whether a file named NAME is an editor's or our own scratch file: hidden
// (".chapter.md.swp", the staged outputs), a backup ("chapter.md~"), or vim's test
// of whether a folder is writable ("4913").
bool is_scratch_name(const std::string& name) {
  if (name.empty() || name[0] == '.' || name.back() == '~' || name == "4913") return true;
  for (const char* ext : {".swp", ".swx", ".tmp"})
    if (name.ends_with(ext)) return true;
  return false;
}

// The inotify watches of one watch session: a watch per folder, added as the book's
// folders appear and never removed while they exist, so no change between two builds
// is lost.
class Inotify {
 public:
  Inotify() : fd_(inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {}
  Inotify(const Inotify&) = delete;
  Inotify& operator=(const Inotify&) = delete;
  ~Inotify() {
    if (fd_ >= 0) close(fd_);
  }

  int fd() const { return fd_; }
  bool ok() const { return fd_ >= 0; }

  // Watches DIR and, with TREE, every folder under it but hidden ones and those inside
  // SKIP (the output folder; empty for none).
  void watch(const fs::path& dir, bool tree, const fs::path& skip) {
    if (is_inside(dir, skip)) return;
    add(dir, tree, skip);
    if (!tree) return;
    std::error_code ec;
    fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_directory(ec) || it->is_symlink(ec)) continue;
      std::string name = it->path().filename().string();
      if ((!name.empty() && name[0] == '.') || is_inside(it->path(), skip)) {
        it.disable_recursion_pending();
        continue;
      }
      add(it->path(), true, skip);
    }
  }

  // Reads every event waiting and returns the paths that changed. A folder made inside
  // a watched tree is watched at once (with what is already in it). Sets OVERFLOW when
  // the kernel dropped events: then anything may have changed.
  std::vector<fs::path> drain(bool& overflow) {
    std::vector<fs::path> changed;
    alignas(inotify_event) char buffer[16 * 1024];
    for (;;) {
      ssize_t n = read(fd_, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      for (char* at = buffer; at < buffer + n;) {
        auto* event = reinterpret_cast<inotify_event*>(at);
        at += sizeof(inotify_event) + event->len;
        if (event->mask & IN_Q_OVERFLOW) {
          overflow = true;
          continue;
        }
        auto dir = dirs_.find(event->wd);
        if (dir == dirs_.end()) continue;
        if (event->mask & IN_IGNORED) {  // the folder is gone
          changed.push_back(dir->second.path);
          dirs_.erase(dir);
          continue;
        }
        fs::path path = event->len > 0 ? dir->second.path / event->name : dir->second.path;
        changed.push_back(path);
        bool new_dir = (event->mask & (IN_CREATE | IN_MOVED_TO)) && (event->mask & IN_ISDIR);
        if (new_dir && dir->second.tree) watch(path, true, dir->second.skip);
      }
    }
    return changed;
  }

  // Returns how many folders are watched.
  size_t count() const { return dirs_.size(); }
  // Tells (once) that the system's limit on watches was reached.
  bool limit_reached() {
    bool first = limit_ && !limit_said_;
    limit_said_ = limit_said_ || limit_;
    return first;
  }

 private:
  struct Dir {
    fs::path path;
    bool tree = false;
    fs::path skip;  // for a tree: the folder inside it not to watch
  };

  void add(const fs::path& dir, bool tree, const fs::path& skip) {
    int wd = inotify_add_watch(fd_, dir.c_str(), kWatchMask);
    if (wd < 0) {
      if (errno == ENOSPC) limit_ = true;
      return;
    }
    Dir& d = dirs_[wd];
    d.path = dir;
    if (tree) {
      d.tree = true;
      d.skip = skip;
    }
  }

  int fd_;
  std::map<int, Dir> dirs_;  // by watch descriptor
  bool limit_ = false;
  bool limit_said_ = false;
};

// Sets the watches a build's REPORT asks for: its folders as trees, and the folder of
// each file it read outside them (or the nearest one that exists).
void watch_inputs(Inotify& inotify, const BuildReport& report) {
  // The outputs are not watched, unless they go into the book's own folder.
  for (const fs::path& tree : report.trees)
    inotify.watch(tree, true, is_inside(tree, report.output_dir) ? fs::path() : report.output_dir);
  for (const fs::path& file : report.files) {
    bool covered = false;
    for (const fs::path& tree : report.trees) covered = covered || is_inside(file, tree);
    if (covered) continue;
    std::error_code ec;
    fs::path dir = file.parent_path();
    while (!dir.empty() && dir != dir.root_path() && !fs::is_directory(dir, ec))
      dir = dir.parent_path();
    if (!dir.empty() && dir != dir.root_path()) inotify.watch(dir, false, {});
  }
}

// Tells whether a change to PATH calls for a new build of the book REPORT describes.
bool calls_for_build(const fs::path& path, const BuildReport& report) {
  if (std::find(report.files.begin(), report.files.end(), path) != report.files.end()) return true;
  if (is_scratch_name(path.filename().string())) return false;
  if (std::find(report.written.begin(), report.written.end(), path) != report.written.end())
    return false;
  if (is_inside(path, report.output_dir) && !is_inside(report.root, report.output_dir))
    return false;
  for (const fs::path& tree : report.trees)
    if (is_inside(path, tree)) return true;
  return false;
}

// Returns PATH as the user would write it from the current folder.
std::string shown(const fs::path& path) {
  std::error_code ec;
  fs::path here = fs::current_path(ec);
  if (ec) return path.string();
  fs::path rel = path.lexically_relative(here);
  if (rel.empty() || *rel.begin() == "..") return path.string();
  return rel.string();
}

// What a wait for events ended with.
enum class Woken { Timeout, Changes, Stop };

// Waits up to TIMEOUT_MS (-1: for ever) for inotify events or a stop.
Woken wait_for(const Inotify& inotify, const StopSignal& stop, int timeout_ms) {
  pollfd fds[2] = {{stop.fd(), POLLIN, 0}, {inotify.fd(), POLLIN, 0}};
  for (;;) {
    int n = poll(fds, 2, timeout_ms);
    if (n < 0 && errno == EINTR) continue;  // the signal handler ran: its byte is waiting
    if (n <= 0) return Woken::Timeout;
    if (fds[0].revents != 0) return Woken::Stop;
    return Woken::Changes;
  }
}

}  // namespace

int run_watch(const BuildOptions& options, Console& console, const WatchHooks& hooks) {
  if (!check_build_options(options, console)) return kExitUsage;
  Inotify inotify;
  StopSignal stop;
  if (!inotify.ok() || !stop.ok()) {
    console.error(std::string("cannot watch files: ") + std::strerror(errno),
                  "raise fs.inotify.max_user_instances, or run colophon build instead");
    return kExitBookErrors;
  }
  BuildReport report;
  report.on_built = hooks.on_built;
  report.incremental = std::make_shared<Incremental>();
  auto build = [&] {
    run_build(options, console, &report);
    if (hooks.after_build) hooks.after_build(report.ok);
    watch_inputs(inotify, report);
    if (inotify.limit_reached()) {
      console.warning(
          "the system's limit on watched folders is reached; changes in some "
          "folders are not seen",
          "raise it: sysctl fs.inotify.max_user_watches=524288");
    }
  };
  build();
  if (hooks.ready) hooks.ready();
  std::string where = report.root.empty() ? options.read.input : shown(report.root);
  for (;;) {
    console.say("watching " + where + " for changes (" + std::to_string(inotify.count()) +
                (inotify.count() == 1 ? " folder" : " folders") + "); Ctrl-C stops");
    // Waits for a change that matters, then for the changes to settle.
    std::vector<fs::path> changed;
    Woken woken = Woken::Changes;
    while (woken != Woken::Stop) {
      woken = wait_for(inotify, stop, changed.empty() ? -1 : kDebounceMs);
      if (woken == Woken::Timeout) break;
      if (woken != Woken::Changes) continue;
      bool overflow = false;
      for (const fs::path& p : inotify.drain(overflow))
        if (calls_for_build(p, report) &&
            std::find(changed.begin(), changed.end(), p) == changed.end())
          changed.push_back(p);
      if (overflow && changed.empty()) changed.push_back(report.root);
    }
    if (woken == Woken::Stop) break;
    std::string what = shown(changed.front());
    if (changed.size() > 1) what += " and " + std::to_string(changed.size() - 1) + " more";
    console.say("changed: " + what + "; building");
    // Kept until a build succeeds: it renders again what changed since the last good one.
    std::vector<fs::path>& since = report.incremental->changed;
    since.insert(since.end(), changed.begin(), changed.end());
    build();
  }
  console.say("stopped watching");
  return kExitOk;
}

}  // namespace colophon
