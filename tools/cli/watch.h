// `colophon watch`: builds the book, then again after every change to a file it reads.
#pragma once
#include <filesystem>
#include <functional>
#include <vector>

#include "cli/console.h"
#include "cli/driver.h"

namespace colophon {

// How long watch waits after a change for the next one before it rebuilds (ms): an
// editor's save is often several writes and a rename, and a copied folder many files.
constexpr int kDebounceMs = 150;

// What watch lets a caller (serve) do around its builds.
struct WatchHooks {
  // Called with the book, the files written and the chapters unchanged since the last
  // good build (by chapter) after each build that succeeded.
  std::function<void(const Book&, const std::vector<std::filesystem::path>&,
                     const std::vector<char>&)>
      on_built;
  // Called after every build, good or bad, with whether it wrote its outputs.
  std::function<void(bool ok)> after_build;
  // Called once the first build is done and the watches are set, before waiting.
  std::function<void()> ready;
};

// Builds as run_build does, then waits on inotify for a change to any file the build
// read (chapters, includes, images, book.toml, styles, fonts, extra CSS) or any file in
// the book's folders (new folders too), waits kDebounceMs for the changes to settle, and
// builds again; a build with errors prints them and leaves the last good outputs. Runs
// until SIGINT or SIGTERM, then returns 0 (1 when inotify cannot be used, 2 on a usage
// error).
int run_watch(const BuildOptions& options, Console& console, const WatchHooks& hooks = {});

}  // namespace colophon
