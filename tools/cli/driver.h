// The pipeline behind the command line: read once, run the passes, then the targets.
#pragma once
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/console.h"
#include "read/read.h"

namespace colophon {

// Exit codes of every command.
constexpr int kExitOk = 0;           // success (warnings allowed)
constexpr int kExitBookErrors = 1;   // the book has errors, or output could not be written
constexpr int kExitUsage = 2;        // the command line was wrong

// What `colophon build` (and watch, serve) was asked to do.
struct BuildOptions {
  ReadOptions read;
  std::string out;                   // -o: FILE.epub, FILE.pdf ... (one target) or a
                                     // folder; empty: next to the book ([build] build-dir)
  std::vector<std::string> targets;  // target names; empty = the book's [output.*] tables
  bool stats = false;  // print the units of work of each stage (core/work.h)
};

// What `colophon check` was asked to do.
struct CheckOptions {
  ReadOptions read;
  std::vector<std::string> targets;  // whose checks to run; empty = as for build
  bool stats = false;  // print the units of work of each stage (core/work.h)
};

// What a watch session keeps from one good build to the next, so that an edit to
// chapters' Markdown renders only those chapters' XHTML again (every EPUB-family
// output, and serve's preview); anything else, or an edit that changes an id, a note's
// number, an asset or the chapters' order, renders every chapter again.
struct Incremental {
  std::vector<std::filesystem::path> changed;  // files changed since the last good build
  bool everything = true;  // anything may have changed (no good build yet, lost events)
  std::string signature;   // the last good build's (see book_signature in driver.cpp)
  std::map<std::string, ChapterMemo> memos;  // by target name: its chapters then
  std::vector<char> unchanged;  // this build: by chapter, whether its model is as then
};

// What one build read and wrote, for `colophon watch` and `colophon serve`.
struct BuildReport {
  std::filesystem::path root;                // the book's folder (absolute); empty when
                                             // the input was not found
  bool single_file = false;                  // the book is one Markdown file
  std::vector<std::filesystem::path> files;  // every file it read or looked for (absolute):
                                             // chapters, includes, images, styles, fonts
  std::vector<std::filesystem::path> trees;  // folders all of whose files are the book's:
                                             // the root, [build] extra-watch-dirs, include-dirs
  std::filesystem::path output_dir;          // where the outputs go (absolute)
  std::vector<std::filesystem::path> written;  // the files this build wrote
  bool ok = false;                           // the build wrote its outputs
  // Called with the built book, the files written and the chapters unchanged since the
  // last good build (Incremental::unchanged) when the build succeeded, before the
  // process keeps the book.
  std::function<void(const Book&, const std::vector<std::filesystem::path>&,
                     const std::vector<char>&)>
      on_built;
  // Set by watch: what the next build may reuse; kept from build to build.
  std::shared_ptr<Incremental> incremental;
};

// Builds the book: read, passes, then every chosen target at once on its own thread,
// each writing a staged file that is renamed into place only when the whole build has
// no error. Prints diagnostics and progress to CONSOLE. Returns an exit code. REPORT,
// when given, is filled with what the build read and wrote.
int run_build(const BuildOptions& options, Console& console, BuildReport* report = nullptr);

// Reads and checks the book and runs every chosen target's checks (everything a build
// would find), without writing anything; prints every diagnostic.
int run_check(const CheckOptions& options, Console& console);

// Removes what `colophon build` wrote next to the book (or into -o DIR).
int run_clean(const BuildOptions& options, Console& console);

// Lets every target read its [output.NAME] table of BOOK (what a build does between
// reading the book and the passes).
void configure_targets(Book& book, Diagnostics& diag);

// Returns the name and summary of every target, one per line, for --help.
std::string describe_targets();

// Returns every table of book.toml and of the PDF style file with the keys it takes:
// the reader's own, each target's [output.NAME], the style's (see KeyTable).
std::vector<KeyTable> config_catalogue();

// Returns the name of every target, in registration order.
std::vector<std::string> target_names();

// Prints the book model (or, with PAGES, the laid-out PDF pages) to OUT.
int run_dump(const ReadOptions& options, bool pages, std::ostream& out, Console& console);

// Creates a small book in DIR that builds at once; refuses a non-empty DIR.
int run_new(const std::string& dir, const std::string& title, Console& console);

// Checks the parts of OPTIONS that need no book: target names, and that -o FILE names
// a file one target writes (agreeing with --target). Prints a usage error and returns
// false when they are wrong.
bool check_build_options(const BuildOptions& options, Console& console);

// Returns the folder a build of BOOK (read as OPTIONS.read) writes into when no -o is
// given: [build] build-dir next to book.toml, or a single file's own folder.
std::filesystem::path default_output_dir(const BuildOptions& options, const Book& book);

}  // namespace colophon
