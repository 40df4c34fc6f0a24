#include "cli/serve.h"

#include <httplib.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "cli/watch.h"
#include "core/paths.h"
#include "core/text.h"
#include "epub/epub.h"

extern char** environ;

namespace colophon {

namespace {

namespace fs = std::filesystem;

// The only address the preview listens on: it is for the author at this machine.
constexpr const char* kHost = "127.0.0.1";
// The prefix of the preview's own paths; no file of an EPUB's content folder starts so.
constexpr const char* kOwn = "/_colophon/";

// The stylesheet the preview adds to every page: the contents in a sidebar on the left,
// the page as the EPUB's stylesheet sets it on the right.
constexpr const char* kPreviewCss = R"(#colophon-sidebar {
  position: fixed; top: 0; left: 0; bottom: 0; width: 16rem; overflow-y: auto;
  box-sizing: border-box; padding: 1rem; margin: 0; background: #f4f1ea;
  border-right: 1px solid #d8d2c4; font: 0.9rem/1.4 sans-serif; text-indent: 0;
  text-align: left; hyphens: manual; }
#colophon-sidebar ol { list-style: none; margin: 0; padding: 0; }
#colophon-sidebar li { margin: 0.2rem 0; }
#colophon-sidebar p, #colophon-sidebar li { text-indent: 0; }
#colophon-sidebar a { color: #333; text-decoration: none; }
#colophon-sidebar a:hover { text-decoration: underline; }
#colophon-sidebar a.colophon-current { font-weight: bold; }
#colophon-sidebar .colophon-part { font-weight: bold; margin-top: 0.8rem; }
#colophon-sidebar .colophon-downloads { margin: 0 0 1rem 0; }
#colophon-sidebar .colophon-downloads a { margin-right: 0.8rem; text-decoration: underline; }
.colophon-failed { background: #fbe3e1; border: 1px solid #d9534f; padding: 0.5rem;
  font: 0.9rem sans-serif; margin: 0 0 1rem 0; }
body { margin-left: 18rem !important; max-width: 42rem; }
@media (max-width: 40rem) {
  #colophon-sidebar { position: static; width: auto; border: 0; }
  body { margin-left: 1rem !important; }
}
)";

// The script every page runs: it asks the server to answer once a build newer than
// the page's is done (a long poll), then reloads; and marks the current page in the
// sidebar.
constexpr const char* kLiveJs = R"((function () {
  var script = document.currentScript;
  var since = script ? script.getAttribute("data-generation") : "0";
  document.addEventListener("DOMContentLoaded", function () {
    var links = document.querySelectorAll("#colophon-sidebar a[href]");
    for (var i = 0; i < links.length; i++) {
      var a = links[i];
      if (a.pathname === location.pathname && a.hash === "") a.className = "colophon-current";
    }
  });
  function wait() {
    fetch("/_colophon/wait?since=" + since, { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (state) {
        if (String(state.generation) !== String(since)) location.reload();
        else wait();
      })
      .catch(function () { setTimeout(wait, 1000); });
  }
  wait();
})();
)";

// What the preview shows of one good build.
struct Site {
  EpubContent content;
  std::map<std::string, size_t> by_name;      // content.files, by name
  std::map<std::string, fs::path> downloads;  // the built books, by file name
  std::string first_page;                     // where "/" leads
};

// The preview's state, shared by the watch thread (which publishes builds) and the
// server's threads (which read it and wait for the next build).
class Preview {
 public:
  // Records the end of a build; SITE is its preview when it was good, else null (the
  // last good one stays).
  void built(bool ok, std::shared_ptr<const Site> site) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++generation_;
      ok_ = ok;
      if (site) site_ = std::move(site);
    }
    changed_.notify_all();
  }

  // Ends every wait.
  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
  }

  struct Snapshot {
    std::shared_ptr<const Site> site;
    uint64_t generation = 0;
    bool ok = false;
  };

  // Returns the state now.
  Snapshot now() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return {site_, generation_, ok_};
  }

  // Waits until a build other than SINCE is done, LIMIT passes or the server stops;
  // returns the state then.
  Snapshot wait(uint64_t since, std::chrono::seconds limit) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait_for(lock, limit, [&] { return stopping_ || generation_ != since; });
    return {site_, generation_, ok_};
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::shared_ptr<const Site> site_;
  uint64_t generation_ = 0;
  bool ok_ = false;
  bool stopping_ = false;
};

// Makes the preview of a good build of BOOK that wrote WRITTEN, reusing the documents
// of the chapters REUSE says are unchanged and keeping this build's in it.
std::shared_ptr<const Site> make_site(const Book& book, const std::vector<fs::path>& written,
                                      ChapterReuse& reuse) {
  auto site = std::make_shared<Site>();
  Diagnostics ignored;  // the build reported them
  EpubProfile profile;
  profile.reuse = &reuse;
  make_epub_content(book, profile, site->content, ignored);
  for (size_t i = 0; i < site->content.files.size(); ++i)
    site->by_name.emplace(site->content.files[i].name, i);
  for (const fs::path& p : written) site->downloads.emplace(p.filename().string(), p);
  const EpubContent& c = site->content;
  site->first_page = !c.chapter_files.empty() ? c.chapter_files.front()
                     : !c.spine.empty()       ? c.spine.front()
                                              : c.nav;
  return site;
}

// Returns the sidebar of SITE's pages: the built books to download, then the contents.
std::string sidebar(const Site& site) {
  std::string out = "<nav id=\"colophon-sidebar\"><p class=\"colophon-downloads\">";
  for (const auto& [name, path] : site.downloads) {
    std::string label = fs::path(name).extension().string();
    if (!label.empty()) label.erase(0, 1);
    for (char& ch : label) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    out += "<a href=\"" + xml_escape(std::string(kOwn) + "files/" + name, true) + "\" title=\"" +
           xml_escape(name, true) + "\">" + xml_escape(label) + "</a>";
  }
  out += "</p><ol>";
  for (const EpubContent::Entry& e : site.content.toc) {
    std::string indent = "padding-left:" + std::to_string(e.level) + "rem";
    if (e.href.empty()) {
      out +=
          "<li class=\"colophon-part\" style=\"" + indent + "\">" + xml_escape(e.label) + "</li>";
    } else {
      out += "<li style=\"" + indent + "\"><a href=\"/" + xml_escape(e.href, true) + "\">" +
             xml_escape(e.label) + "</a></li>";
    }
  }
  return out + "</ol></nav>";
}

// Returns DOCUMENT (an XHTML page of the EPUB) with the preview's stylesheet, script and
// sidebar added, and a notice when the last build failed.
std::string preview_page(std::string document, const Site& site, uint64_t generation, bool ok) {
  size_t head_end = document.find("</head>");
  size_t body = document.find("<body");
  size_t body_end = body == std::string::npos ? body : document.find('>', body);
  if (head_end == std::string::npos || body_end == std::string::npos || head_end > body)
    return document;  // not a page we made; shown as it is
  std::string top = sidebar(site);
  if (!ok) {
    top +=
        "<p class=\"colophon-failed\">The last build had errors (the terminal running "
        "colophon serve lists them); this is the last good build.</p>";
  }
  document.insert(body_end + 1, top);
  document.insert(head_end, std::string("<link rel=\"stylesheet\" href=\"") + kOwn +
                                "preview.css\"/><script src=\"" + kOwn +
                                "live.js\" data-generation=\"" + std::to_string(generation) +
                                "\"></script>");
  return document;
}

// Tells whether a request's Host names this server (a page elsewhere that makes the
// browser ask 127.0.0.1 under another name is refused: DNS rebinding).
bool host_allowed(const std::string& host, int port) {
  std::string p = ":" + std::to_string(port);
  return host == std::string(kHost) + p || host == "localhost" + p;
}

// Answers one GET of the preview.
void answer(const httplib::Request& req, httplib::Response& res, Preview& preview, int port) {
  res.set_header("Cache-Control", "no-store");
  res.set_header("X-Content-Type-Options", "nosniff");
  if (!host_allowed(req.get_header_value("Host"), port)) {
    res.status = 403;
    res.set_content("this server answers only http://127.0.0.1:" + std::to_string(port) + "/\n",
                    "text/plain");
    return;
  }
  const std::string& path = req.path;  // percent-decoded by the library
  if (!preview_path_allowed(path)) {
    res.status = 403;
    res.set_content("not a path of the preview\n", "text/plain");
    return;
  }
  if (path == std::string(kOwn) + "wait") {
    uint64_t since = 0;
    try {
      since = std::stoull(req.get_param_value("since"));
    } catch (const std::exception&) {
      since = 0;
    }
    Preview::Snapshot s = preview.wait(since, std::chrono::seconds(kLongPollSeconds));
    res.set_content("{\"generation\": " + std::to_string(s.generation) +
                        ", \"ok\": " + (s.ok ? "true" : "false") + "}\n",
                    "application/json");
    return;
  }
  if (path == std::string(kOwn) + "preview.css") return res.set_content(kPreviewCss, "text/css");
  if (path == std::string(kOwn) + "live.js") return res.set_content(kLiveJs, "text/javascript");
  Preview::Snapshot s = preview.now();
  if (!s.site) {
    res.status = 503;
    res.set_header("Retry-After", "1");
    // A page that waits for the first good build and then shows it.
    res.set_content(std::string("<!DOCTYPE html><html><head><meta charset=\"utf-8\"/>") +
                        "<title>colophon serve</title><script src=\"" + kOwn +
                        "live.js\" data-generation=\"" + std::to_string(s.generation) +
                        "\"></script></head><body><p>The book has not built yet: the terminal "
                        "running colophon serve lists its errors. This page reloads after "
                        "the next build.</p></body></html>",
                    "text/html");
    return;
  }
  const Site& site = *s.site;
  if (path == "/") {
    res.set_redirect("/" + site.first_page);
    return;
  }
  std::string files = std::string(kOwn) + "files/";
  if (path.starts_with(files)) {
    auto it = site.downloads.find(path.substr(files.size()));
    std::optional<std::string> data;
    if (it != site.downloads.end()) data = read_file(it->second);
    if (!data) {
      res.status = 404;
      return;
    }
    std::string type = path.ends_with(".pdf") ? "application/pdf" : "application/epub+zip";
    res.set_header("Content-Disposition", "attachment");
    res.set_content(std::move(*data), type.c_str());
    return;
  }
  auto it = site.by_name.find(path.substr(1));
  if (it == site.by_name.end()) {
    res.status = 404;
    res.set_content("no such file in the book\n", "text/plain");
    return;
  }
  const EpubFile& f = site.content.files[it->second];
  std::string data = f.data;
  if (data.empty() && !f.path.empty()) data = read_file(f.path).value_or(std::string());
  if (f.media_type == "application/xhtml+xml") data = preview_page(data, site, s.generation, s.ok);
  res.set_content(std::move(data), f.media_type.c_str());
}

// How long --open waits for the opener it started to fail (ms): xdg-open without a
// browser fails at once, while a browser started directly runs until it is closed.
constexpr int kOpenerGraceMs = 1000;

// Returns the commands --open tries in turn, each as its words with URL in them: those
// of $BROWSER (colon-separated, as xdg-open and sensible-browser read it; "%s" stands
// for the URL, else it is the last word), else xdg-open.
std::vector<std::vector<std::string>> opener_commands(const std::string& url) {
  std::vector<std::vector<std::string>> commands;
  const char* browser = std::getenv("BROWSER");
  std::string_view list = browser != nullptr ? browser : "";
  while (!list.empty()) {
    size_t colon = list.find(':');
    std::string_view entry = list.substr(0, colon);
    list = colon == std::string_view::npos ? std::string_view() : list.substr(colon + 1);
    std::vector<std::string> words;
    if (!split_command(entry, words) || words.empty()) continue;
    bool placed = false;
    for (std::string& w : words) {
      for (size_t at = w.find("%s"); at != std::string::npos; at = w.find("%s", at + url.size())) {
        w.replace(at, 2, url);
        placed = true;
      }
    }
    if (!placed) words.push_back(url);
    commands.push_back(std::move(words));
  }
  if (commands.empty()) commands.push_back({"xdg-open", url});
  return commands;
}

// Opens URL in the desktop's browser without waiting for the browser: starts each of
// opener_commands in turn until one starts and does not fail within kOpenerGraceMs (as
// xdg-open tries the commands of $BROWSER). Returns false when none did; TRIED names
// the commands tried.
bool open_in_browser(const std::string& url, std::string& tried) {
  for (const std::vector<std::string>& words : opener_commands(url)) {
    tried.append(tried.empty() ? "" : ", ").append(words.front());
    std::vector<char*> argv;
    for (const std::string& w : words) argv.push_back(const_cast<char*>(w.c_str()));
    argv.push_back(nullptr);
    pid_t pid = 0;
    if (posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) continue;
    int status = 0;
    pid_t done = 0;
    for (int waited = 0; waited < kOpenerGraceMs && done == 0; waited += 10) {
      done = waitpid(pid, &status, WNOHANG);
      if (done == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (done == pid) {
      if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
      continue;  // failed at once: the next command
    }
    if (done < 0) continue;
    // Still running (a browser itself): reaped when it ends, never waited for here.
    std::thread([pid] {
      int ignored = 0;
      waitpid(pid, &ignored, 0);
    }).detach();
    return true;
  }
  return false;
}

}  // namespace

bool preview_path_allowed(const std::string& path) {
  if (path.empty() || path[0] != '/') return false;
  if (path.find_first_of(std::string("\\%\0", 3)) != std::string::npos) return false;
  if (path.find("//") != std::string::npos) return false;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string_view segment(path.data() + start, end - start);
    if (segment == ".." || segment == ".") return false;
    start = end + 1;
  }
  return true;
}

int run_serve(const ServeOptions& options, Console& console) {
  if (!check_build_options(options.build, console)) return kExitUsage;
  std::signal(SIGPIPE, SIG_IGN);  // a browser that goes away is a failed write, no more
  httplib::Server server;
  int port = options.port;
  bool bound =
      port == 0 ? (port = server.bind_to_any_port(kHost)) > 0 : server.bind_to_port(kHost, port);
  if (!bound) {
    console.error("cannot listen on " + std::string(kHost) + ":" + std::to_string(options.port),
                  "another program uses the port: choose another with --port N (0: any free "
                  "port)");
    return kExitBookErrors;
  }
  Preview preview;
  server.Get(".*", [&](const httplib::Request& req, httplib::Response& res) {
    answer(req, res, preview, port);
  });
  std::thread listener([&] { server.listen_after_bind(); });
  std::string url = "http://" + std::string(kHost) + ":" + std::to_string(port) + "/";

  WatchHooks hooks;
  std::shared_ptr<const Site> next;
  ChapterMemo preview_memo;  // the preview's chapters of the last good build
  hooks.on_built = [&](const Book& book, const std::vector<fs::path>& written,
                       const std::vector<char>& unchanged) {
    ChapterReuse reuse{unchanged, std::move(preview_memo), {}, 0};
    next = make_site(book, written, reuse);
    preview_memo = std::move(reuse.next);
    console.say("preview: " + std::to_string(reuse.rendered) + " of " +
                std::to_string(book.chapters.size()) + " chapters rendered");
  };
  hooks.after_build = [&](bool ok) { preview.built(ok, std::move(next)); };
  hooks.ready = [&] {
    console.say("serving the preview at " + url);
    std::string tried;
    if (options.open && !open_in_browser(url, tried))
      console.warning("could not open a browser (" + tried + " failed)",
                      "open " + url + " yourself, or set BROWSER to your browser's command");
  };
  int code = run_watch(options.build, console, hooks);
  preview.stop();
  server.stop();
  listener.join();
  return code;
}

}  // namespace colophon
