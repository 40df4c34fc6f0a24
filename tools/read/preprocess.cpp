#include "read/preprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/paths.h"
#include "core/text.h"
#include "read/config.h"

extern char** environ;

namespace colophon {

namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

// Closes a file descriptor once, on every way out.
struct Fd {
  int fd = -1;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

// Makes FD non-blocking and close-on-exec.
void prepare_fd(int fd) {
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  ::fcntl(fd, F_SETFD, FD_CLOEXEC);
}

// Writes to a pipe whose reader may be gone without the process receiving SIGPIPE:
// the signal is blocked on this thread for the write and a pending one is consumed.
ssize_t write_no_sigpipe(int fd, const char* data, size_t n) {
  sigset_t pipe_set, old;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
  ssize_t w = ::write(fd, data, n);
  int saved = errno;
  if (w < 0 && errno == EPIPE) {
    timespec zero{0, 0};
    sigtimedwait(&pipe_set, nullptr, &zero);
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  errno = saved;
  return w;
}

// Names a preprocessor for messages.
std::string who(const PreprocessorSpec& spec) { return "preprocessor '" + spec.name + "'"; }

// The command line of SPEC (mdBook's default is mdbook-NAME).
std::string command_of(const PreprocessorSpec& spec) {
  return spec.command.empty() ? "mdbook-" + spec.name : spec.command;
}

// Returns the last lines of S (a command's error output), for a message.
std::string tail_lines(std::string_view s, size_t max_lines) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' '))
    s.remove_suffix(1);
  size_t start = s.size(), lines = 0;
  while (start > 0 && lines < max_lines) {
    size_t nl = s.rfind('\n', start - 1);
    ++lines;
    start = nl == std::string_view::npos ? 0 : nl + 1;
    if (nl == std::string_view::npos) break;
    if (lines < max_lines) start = nl;
  }
  std::string out(s.substr(start));
  if (!out.empty() && out.front() == '\n') out.erase(0, 1);
  return out;
}

}  // namespace

CommandResult run_command(const std::vector<std::string>& argv, const fs::path& dir,
                          std::string_view input, std::chrono::milliseconds timeout) {
  CommandResult result;
  if (argv.empty()) {
    result.problem = "the command is empty";
    return result;
  }
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (::pipe(in_pipe) != 0) {
    result.problem = std::strerror(errno);
    return result;
  }
  Fd in_r{in_pipe[0]}, in_w{in_pipe[1]};
  if (::pipe(out_pipe) != 0) {
    result.problem = std::strerror(errno);
    return result;
  }
  Fd out_r{out_pipe[0]}, out_w{out_pipe[1]};
  if (::pipe(err_pipe) != 0) {
    result.problem = std::strerror(errno);
    return result;
  }
  Fd err_r{err_pipe[0]}, err_w{err_pipe[1]};
  prepare_fd(in_w.fd);
  prepare_fd(out_r.fd);
  prepare_fd(err_r.fd);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_r.fd, 0);
  posix_spawn_file_actions_adddup2(&actions, out_w.fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err_w.fd, 2);
  for (int fd : {in_r.fd, in_w.fd, out_r.fd, out_w.fd, err_r.fd, err_w.fd})
    posix_spawn_file_actions_addclose(&actions, fd);
  std::string dir_text = dir.string();
  posix_spawn_file_actions_addchdir_np(&actions, dir_text.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group, so a timeout stops whatever it started too; default signal
  // handling, whatever this process ignores.
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGXFSZ);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  in_r.reset();
  out_w.reset();
  err_w.reset();
  if (rc != 0) {
    result.status =
        rc == ENOENT ? CommandResult::Status::NotFound : CommandResult::Status::CannotStart;
    result.problem = std::strerror(rc);
    return result;
  }

  auto deadline = std::chrono::steady_clock::now() + timeout;
  size_t written = 0;
  if (input.empty()) in_w.reset();
  bool timed_out = false;
  char buf[65536];
  while (out_r.fd >= 0 || err_r.fd >= 0) {
    pollfd fds[3];
    int n = 0;
    if (in_w.fd >= 0) fds[n++] = {in_w.fd, POLLOUT, 0};
    if (out_r.fd >= 0) fds[n++] = {out_r.fd, POLLIN, 0};
    if (err_r.fd >= 0) fds[n++] = {err_r.fd, POLLIN, 0};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    int ready = ::poll(fds, static_cast<nfds_t>(n),
                       static_cast<int>(std::min<int64_t>(left.count(), 1000)));
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    for (int k = 0; k < n; ++k) {
      if (fds[k].revents == 0) continue;
      if (fds[k].fd == in_w.fd) {
        ssize_t w = write_no_sigpipe(in_w.fd, input.data() + written, input.size() - written);
        if (w > 0) written += static_cast<size_t>(w);
        if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == input.size()) in_w.reset();
        continue;
      }
      Fd& r = fds[k].fd == out_r.fd ? out_r : err_r;
      std::string& sink = fds[k].fd == out_r.fd ? result.out : result.err;
      ssize_t got = ::read(r.fd, buf, sizeof buf);
      if (got > 0)
        sink.append(buf, static_cast<size_t>(got));
      else if (got == 0 || (errno != EAGAIN && errno != EINTR))
        r.reset();
    }
  }
  in_w.reset();
  if (timed_out) ::kill(-pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    result.status = CommandResult::Status::TimedOut;
    return result;
  }
  result.status = CommandResult::Status::Ok;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

std::vector<std::string> preprocessor_order(const Book& book, Diagnostics& diag) {
  const std::string file = book.config_display();
  std::set<std::string> names;
  if (book.source.default_preprocessors) names = {"links", "index"};
  for (const PreprocessorSpec& p : book.source.preprocessors) names.insert(p.name);
  std::map<std::string, std::set<std::string>> runs_after;  // name -> names that go first
  for (const std::string& n : names) runs_after[n];
  for (const PreprocessorSpec& p : book.source.preprocessors) {
    for (const std::string& b : p.before) {
      if (names.count(b)) {
        runs_after[b].insert(p.name);
      } else {
        diag.warning(
            file, p.pos,
            "preprocessor '" + p.name + "' is to run before '" + b + "', which is not in the book",
            "check the name in its before = [...]");
      }
    }
    for (const std::string& a : p.after) {
      if (names.count(a)) {
        runs_after[p.name].insert(a);
      } else {
        diag.warning(
            file, p.pos,
            "preprocessor '" + p.name + "' is to run after '" + a + "', which is not in the book",
            "check the name in its after = [...]");
      }
    }
  }
  std::vector<std::string> order;
  while (!runs_after.empty()) {
    std::vector<std::string> ready;
    for (const auto& [n, deps] : runs_after)
      if (deps.empty()) ready.push_back(n);  // the map is sorted: alphabetical order
    if (ready.empty()) {
      std::string left;
      for (const auto& [n, deps] : runs_after) left += (left.empty() ? "" : ", ") + n;
      diag.error(file, {}, "the preprocessors " + left + " must each run before another",
                 "remove a before = [...] or after = [...] that closes the circle");
      break;
    }
    for (const std::string& n : ready) {
      runs_after.erase(n);
      for (auto& [other, deps] : runs_after) deps.erase(n);
      order.push_back(n);
    }
  }
  return order;
}

namespace {

// Moves what SCRATCH holds to a chapter's list of problems.
void note(ChapterSource& ch, Diagnostics& scratch) {
  for (Diagnostic& d : scratch.all()) ch.found.push_back(std::move(d));
}

// Returns a map whose origin 0 is CH's current text, explained by CH's map if it has
// one (so maps chain: each preprocessor's changes over the ones before).
std::unique_ptr<SourceMap> map_over(ChapterSource& ch) {
  auto map = std::make_unique<SourceMap>();
  auto self = std::make_unique<LoadedSource>();
  self->bytes = ch.text;
  self->index = std::make_unique<SourceText>(self->bytes);
  map->origins.push_back({self.get(), 0});
  map->files.push_back(std::move(self));
  map->under = std::move(ch.map);
  return map;
}

// Runs the links preprocessor over every chapter.
void run_links(Book& book, std::vector<ChapterSource>& chapters, const IncludeRules& rules) {
  for (size_t i = 0; i < chapters.size(); ++i) {
    ChapterSource& ch = chapters[i];
    if (!ch.read || !has_link_directives(ch.text)) continue;
    Diagnostics found;
    const std::string file = book.display(book.chapters[i].source);
    std::unique_ptr<SourceMap> before = std::move(ch.map);
    // Directives are found in the current text; their places are answered through the
    // map of that text when a command changed it first.
    ExpandedChapter ex =
        expand_links(ch.text, book.chapters[i].source, file, rules, found, std::move(before));
    note(ch, found);
    if (!ex.page_title.empty()) ch.page_title = ex.page_title;
    ch.map = std::move(ex.map);
    ch.text = std::move(ex.text);
  }
}

// Lines a command's changes are looked for over: an unchanged line up to this many
// lines further on is found again (a preprocessor that removed lines).
constexpr size_t kRemapLookahead = 64;

// Splits TEXT into lines, each with its line end: [begin, end) offsets.
std::vector<std::pair<size_t, size_t>> lines_with_ends(std::string_view text) {
  std::vector<std::pair<size_t, size_t>> out;
  for (size_t b = 0; b < text.size();) {
    size_t e = text.find('\n', b);
    e = e == std::string_view::npos ? text.size() : e + 1;
    out.emplace_back(b, e);
    b = e;
  }
  return out;
}

// Keeps what can be kept of CH's map after a command changed its text to NEW_TEXT: each
// line the command left as it was still maps to its place, found again in order; the
// lines it added or changed map to the start of the old line where they stand.
void remap_changed(ChapterSource& ch, std::string new_text) {
  std::unique_ptr<SourceMap> map = map_over(ch);
  std::string_view old_text = map->files[0]->index->text();
  auto old_lines = lines_with_ends(old_text);
  auto new_lines = lines_with_ends(new_text);
  auto line_of = [](std::string_view t, const std::pair<size_t, size_t>& l) {
    return t.substr(l.first, l.second - l.first);
  };
  MappedText after;
  size_t j = 0;
  for (const auto& nl : new_lines) {
    std::string_view line = line_of(new_text, nl);
    size_t found = old_lines.size();
    if (j < old_lines.size() && line_of(old_text, old_lines[j]) == line) {
      found = j;
    } else if (line.find_first_not_of(" \t\r\n") != std::string_view::npos) {
      // A blank line is too common to be found again further on.
      for (size_t k = j + 1; k < old_lines.size() && k <= j + kRemapLookahead; ++k) {
        if (line_of(old_text, old_lines[k]) == line) {
          found = k;
          break;
        }
      }
    }
    if (found < old_lines.size()) {
      after.append_origin(0, old_text, old_lines[found].first, old_lines[found].second);
      j = found + 1;
    } else {
      size_t at = j < old_lines.size() ? old_lines[j].first : old_text.size();
      after.append_made(line, 0, at);
    }
  }
  map->spans = std::move(after.spans);
  ch.map = std::move(map);
  ch.text = std::move(new_text);
}

// Builds mdBook's JSON for the chapters (a tree of sections, parts as PartTitle).
json book_json(const Book& book, const std::vector<ChapterSource>& chapters, bool index_ran) {
  json sections = json::array();
  std::vector<json*> open;  // the sub_items arrays by depth
  int part = -1;
  std::vector<std::string> parent_names;
  for (size_t i = 0; i < book.chapters.size(); ++i) {
    const Chapter& c = book.chapters[i];
    if (c.part != part && c.part >= 0 && c.part < static_cast<int>(book.parts.size())) {
      sections.push_back({{"PartTitle", book.parts[c.part]}});
      open.clear();
    }
    part = c.part;
    fs::path rel = fs::path(c.source).lexically_relative(book.src_dir);
    fs::path path = rel;
    std::string stem = rel.stem().string();
    std::transform(stem.begin(), stem.end(), stem.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    if (index_ran && stem == "readme") path = rel.parent_path() / "index.md";
    json ch = {{"name", c.title},
               {"content", chapters[i].text},
               {"number", c.number.empty() ? json(nullptr) : json(c.number)},
               {"sub_items", json::array()},
               {"path", path.generic_string()},
               {"source_path", rel.generic_string()},
               {"parent_names", json::array()}};
    size_t depth = static_cast<size_t>(std::max(0, c.depth));
    if (depth > open.size()) depth = open.size();
    open.resize(depth);
    parent_names.resize(depth);
    ch["parent_names"] = parent_names;
    json& list = depth == 0 ? sections : *open.back();
    list.push_back({{"Chapter", std::move(ch)}});
    // Safe to keep: a list only grows while the levels below it are closed.
    open.push_back(&list.back()["Chapter"]["sub_items"]);
    parent_names.push_back(c.title);
  }
  return json{{"sections", sections}, {"__non_exhaustive", nullptr}};
}

// Collects the chapters of a returned book, depth first.
void collect_chapters(const json& items, std::vector<const json*>& out) {
  if (!items.is_array()) return;
  for (const json& item : items) {
    if (!item.is_object() || !item.contains("Chapter")) continue;
    const json& ch = item["Chapter"];
    out.push_back(&ch);
    if (ch.contains("sub_items")) collect_chapters(ch["sub_items"], out);
  }
}

// Returns the command line of SPEC when it is to run for colophon: its `renderers`
// name colophon, or it answers `supports colophon` with 0; reports why not otherwise.
std::optional<std::vector<std::string>> ready_command(const PreprocessorSpec& spec,
                                                      const Book& book, Diagnostics& diag) {
  const std::string file = book.config_display();
  std::string line = command_of(spec);
  std::vector<std::string> argv;
  if (!split_command(line, argv) || argv.empty()) {
    diag.error(file, spec.pos, who(spec) + ": cannot read its command '" + line + "'",
               "write command = \"program arguments\" with closed quotes");
    return std::nullopt;
  }
  // As mdBook: a bare name is looked up on PATH, a path is relative to the book root.
  if (argv[0].find('/') != std::string::npos && !fs::path(argv[0]).is_absolute())
    argv[0] = (fs::path(book.root) / argv[0]).string();
  std::vector<std::string> supports = argv;
  supports.push_back("supports");
  supports.push_back(std::string(kRendererName));
  bool asked = !spec.has_renderers;
  if (!spec.runs_for(kRendererName)) return std::nullopt;  // renderers = [...] without us
  if (asked) {
    CommandResult r = run_command(supports, book.root, {}, kCommandTimeout);
    if (r.status == CommandResult::Status::NotFound) {
      if (spec.optional) {
        diag.add({Severity::Note,
                  file,
                  spec.pos,
                  who(spec) + " skipped: command '" + argv[0] + "' not found (optional)",
                  {}});
      } else {
        diag.warning(file, spec.pos,
                     who(spec) + " not run: command '" + argv[0] +
                         "' not found; the book is built without it",
                     "install it, or set optional = true in [preprocessor." + spec.name + "]");
      }
      return std::nullopt;
    }
    if (r.status != CommandResult::Status::Ok) {
      diag.error(file, spec.pos,
                 who(spec) + ": cannot run '" + line + "': " +
                     (r.status == CommandResult::Status::TimedOut ? "it did not answer in time"
                                                                  : r.problem),
                 "check its command in [preprocessor." + spec.name + "]");
      return std::nullopt;
    }
    if (r.exit_code != 0) {
      // mdBook's answer for "no" is any failure; a status other than 1 with an error
      // message usually means the command itself is broken, so that is shown too.
      std::string why;
      std::string err = tail_lines(r.err, 1);
      if (r.exit_code != 1 && !err.empty())
        why = " (exit status " + std::to_string(r.exit_code) + ": " + err + ")";
      diag.add({Severity::Note, file, spec.pos,
                who(spec) + " skipped: it does not support the renderer '" +
                    std::string(kRendererName) + "'" + why,
                "to run it anyway, add renderers = [\"" + std::string(kRendererName) +
                    "\"] to [preprocessor." + spec.name + "]"});
      return std::nullopt;
    }
  }
  return argv;
}

// Runs the command ARGV of preprocessor SPEC over the book.
void run_one(const PreprocessorSpec& spec, const std::vector<std::string>& argv, Book& book,
             std::vector<ChapterSource>& chapters, bool index_ran, Diagnostics& diag) {
  const std::string file = book.config_display();
  const std::string line = command_of(spec);
  json context = {{"root", book.root},
                  {"config", json::object()},
                  {"renderer", std::string(kRendererName)},
                  {"mdbook_version", std::string(kMdbookVersion)}};
  if (!book.config_file.empty()) {
    if (FileRead text = read_book_file(book.root, book.config_file); text.ok()) {
      json parsed = json::parse(config_json(text.data), nullptr, false);
      if (!parsed.is_discarded()) context["config"] = std::move(parsed);
    }
  }
  std::string input = json::array({context, book_json(book, chapters, index_ran)}).dump();
  CommandResult r = run_command(argv, book.root, input, kCommandTimeout);
  if (r.status == CommandResult::Status::NotFound) {
    diag.warning(
        file, spec.pos,
        who(spec) + " not run: command '" + argv[0] + "' not found; the book is built without it",
        "install it, or remove [preprocessor." + spec.name + "] from book.toml");
    return;
  }
  if (r.status == CommandResult::Status::TimedOut) {
    diag.error(file, spec.pos,
               who(spec) + " stopped: it ran longer than " +
                   std::to_string(kCommandTimeout.count()) + " s",
               "check that it reads the book from its standard input and ends");
    return;
  }
  if (r.status != CommandResult::Status::Ok) {
    diag.error(file, spec.pos, who(spec) + ": cannot run '" + line + "': " + r.problem,
               "check its command in [preprocessor." + spec.name + "]");
    return;
  }
  if (r.exit_code != 0) {
    std::string err = tail_lines(r.err, 20);
    diag.error(
        file, spec.pos,
        who(spec) + " failed (exit status " + std::to_string(r.exit_code) + ")" +
            (err.empty() ? std::string() : ":\n" + err),
        "fix the problem it reports, or remove [preprocessor." + spec.name + "] from book.toml");
    return;
  }
  json out = json::parse(r.out, nullptr, false);
  std::vector<const json*> returned;
  if (!out.is_discarded() && out.is_object() && out.contains("sections"))
    collect_chapters(out["sections"], returned);
  else if (!out.is_discarded() && out.is_object() && out.contains("items"))
    collect_chapters(out["items"], returned);
  if (out.is_discarded() || returned.empty()) {
    diag.error(file, spec.pos,
               who(spec) + " did not print a book as JSON (" + std::to_string(r.out.size()) +
                   " bytes of output)",
               "a preprocessor prints the book it was given, changed, as JSON on its standard "
               "output; anything else goes to its standard error");
    return;
  }
  // Chapters are matched by their source file; others are not taken.
  std::map<std::string, size_t> by_source;
  for (size_t i = 0; i < book.chapters.size(); ++i)
    by_source[fs::path(book.chapters[i].source).lexically_relative(book.src_dir).generic_string()] =
        i;
  size_t ignored = 0;
  for (const json* ch : returned) {
    const json& sp = ch->contains("source_path") ? (*ch)["source_path"] : (*ch)["path"];
    auto it = sp.is_string() ? by_source.find(sp.get<std::string>()) : by_source.end();
    if (it == by_source.end()) {
      ++ignored;
      continue;
    }
    size_t i = it->second;
    if (ch->contains("name") && (*ch)["name"].is_string())
      book.chapters[i].title = (*ch)["name"].get<std::string>();
    if (ch->contains("content") && (*ch)["content"].is_string()) {
      std::string content = (*ch)["content"].get<std::string>();
      if (content != chapters[i].text) remap_changed(chapters[i], std::move(content));
    }
  }
  if (ignored > 0) {
    diag.warning(file, spec.pos,
                 who(spec) + " returned " + std::to_string(ignored) +
                     " chapter(s) that are not in SUMMARY.md; they are left out",
                 "colophon takes a preprocessor's changes to the chapters' text and names");
  }
}

}  // namespace

std::vector<ChapterSource> preprocess_book(
    Book& book, const std::vector<std::string>& order,
    const std::map<std::string, std::vector<std::string>>& commands, const IncludeRules& rules,
    Diagnostics& diag) {
  std::vector<ChapterSource> chapters(book.chapters.size());
  for (size_t i = 0; i < book.chapters.size(); ++i) {
    FileRead file = read_book_file(book.root, book.chapters[i].source);
    if (!file.ok()) continue;  // reported where the chapters are parsed
    std::optional<std::string> bytes = std::move(file.data);
    chapters[i].read = true;
    if (i == 0) {
      Diagnostics found;
      chapters[0].yaml = take_yaml_metadata(*bytes, book.display(book.chapters[0].source), found);
      note(chapters[0], found);
    }
    SourceText raw(*bytes);
    chapters[i].text = raw.bom_size() > 0 ? bytes->substr(raw.bom_size()) : std::move(*bytes);
  }
  bool index_ran = false;
  const std::string file = book.config_display();
  for (const std::string& name : order) {
    if (name == "links") {
      run_links(book, chapters, rules);
      continue;
    }
    if (name == "index") {
      index_ran = true;
      continue;
    }
    auto spec = std::find_if(book.source.preprocessors.begin(), book.source.preprocessors.end(),
                             [&](const PreprocessorSpec& p) { return p.name == name; });
    auto command = commands.find(name);
    if (spec == book.source.preprocessors.end() || command == commands.end()) continue;
    run_one(*spec, command->second, book, chapters, index_ran, diag);
  }
  return chapters;
}

std::map<std::string, std::vector<std::string>> commands_to_run(
    const Book& book, const std::vector<std::string>& order, Diagnostics& diag) {
  std::map<std::string, std::vector<std::string>> out;
  const std::string file = book.config_display();
  for (const std::string& name : order) {
    if (name == "links" || name == "index") continue;
    auto spec = std::find_if(book.source.preprocessors.begin(), book.source.preprocessors.end(),
                             [&](const PreprocessorSpec& p) { return p.name == name; });
    if (spec == book.source.preprocessors.end() || spec->builtin) continue;
    if (book.source.safe) {
      diag.warning(file, spec->pos,
                   who(*spec) + " not run: --safe runs no command; the book is built without it",
                   "build without --safe if you trust the book and its preprocessors");
      continue;
    }
    if (auto argv = ready_command(*spec, book, diag)) out.emplace(name, std::move(*argv));
  }
  return out;
}

}  // namespace colophon
