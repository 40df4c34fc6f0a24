// The pipeline behind the command line: read once, run the passes, then the backends.
#pragma once
#include <iosfwd>
#include <string>

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
  bool epub = true;
  bool pdf = true;
  bool quiet = false;
};

// Builds the book: read, passes, then EPUB and PDF in parallel threads, each written
// through a temporary file. Prints diagnostics and progress to ERR. Returns an exit code.
int run_build(const BuildOptions& options, std::ostream& err);

// Reads and checks the book without writing anything; prints every diagnostic.
int run_check(const ReadOptions& options, bool quiet, std::ostream& err);

// Prints the book model (or, with PAGES, the laid-out PDF pages) to OUT.
int run_dump(const ReadOptions& options, bool pages, std::ostream& out, std::ostream& err);

// Creates a small book in DIR that builds at once; refuses a non-empty DIR.
int run_new(const std::string& dir, const std::string& title, bool quiet, std::ostream& err);

}  // namespace colophon
