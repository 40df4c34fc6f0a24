// `colophon serve`: watch, and a live preview of the book in a browser.
#pragma once
#include <string>

#include "cli/console.h"
#include "cli/driver.h"

namespace colophon {

// What `colophon serve` was asked to do.
struct ServeOptions {
  BuildOptions build;  // what each build reads and writes, as for watch
  int port = 3000;     // 0: any free port (printed)
  bool open = false;   // open the preview in the desktop's browser
};

// How long a browser's request for the next build waits before it is answered with
// "nothing new" and asked again (seconds).
constexpr int kLongPollSeconds = 20;

// Watches the book as run_watch does and serves on 127.0.0.1 (never another address) a
// live preview of it: the EPUB's documents, stylesheet and images with a contents
// sidebar and links to the built EPUB and PDF; each page reloads itself after every
// build (a long poll of /_colophon/wait). Paths outside the preview are refused. Runs
// until SIGINT or SIGTERM; returns an exit code.
int run_serve(const ServeOptions& options, Console& console);

// Tells whether the decoded request path PATH may name a file of the preview: it starts
// with one "/", and has no "..", backslash, "%" (a second encoding), NUL or empty
// segment. The answer to every other path is 403.
bool preview_path_allowed(const std::string& path);

}  // namespace colophon
