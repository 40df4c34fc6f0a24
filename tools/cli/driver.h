// The pipeline behind the command line: read once, run the passes, then the backends.
#pragma once
#include <iosfwd>
#include <string>
#include <vector>

#include "read/read.h"

namespace colophon {

// Exit codes of every command.
constexpr int kExitOk = 0;           // success (warnings allowed)
constexpr int kExitBookErrors = 1;   // the book has errors, or output could not be written
constexpr int kExitUsage = 2;        // the command line was wrong

// What `colophon build` was asked to do.
struct BuildOptions {
  ReadOptions read;
  std::string out_dir = "dist";
  std::vector<std::string> targets;  // target names; empty = the book's [output.*] tables
  bool quiet = false;
  bool stats = false;  // print the units of work of each stage (core/work.h)
};

// What `colophon check` was asked to do.
struct CheckOptions {
  ReadOptions read;
  std::vector<std::string> targets;  // whose refusal rules to check; empty = as for build
  bool quiet = false;
  bool stats = false;  // print the units of work of each stage (core/work.h)
};

// Builds the book: read, passes, then every chosen target at once on its own thread,
// each writing a staged file that is renamed into place only when the whole build has
// no error. Prints diagnostics and progress to ERR. Returns an exit code.
int run_build(const BuildOptions& options, std::ostream& err);

// Reads and checks the book, and what each chosen target's store or device would
// refuse, without writing anything; prints every diagnostic.
int run_check(const CheckOptions& options, std::ostream& err);

// Lets every target read its [output.NAME] table of BOOK (what a build does between
// reading the book and the passes).
void configure_targets(Book& book, Diagnostics& diag);

// Returns the name and summary of every target, one per line, for --help.
std::string describe_targets();

// Prints the book model (or, with PAGES, the laid-out PDF pages) to OUT.
int run_dump(const ReadOptions& options, bool pages, std::ostream& out, std::ostream& err);

// Creates a small book in DIR that builds at once; refuses a non-empty DIR.
int run_new(const std::string& dir, const std::string& title, bool quiet, std::ostream& err);

}  // namespace colophon
