// What the command line prints to its author: diagnostics (coloured on a terminal,
// grouped by kind), progress lines for long builds, and the last word of each command.
#pragma once
#include <chrono>
#include <ostream>
#include <string>

#include "core/diagnostics.h"
#include "core/work.h"

namespace colophon {

// How much a command prints besides errors: -q, nothing given, -v.
enum class Verbosity { Quiet, Normal, Verbose };

// Tells whether diagnostics written to FD should be coloured: FD is a terminal, NO_COLOR
// is unset (or empty) and TERM is not "dumb".
bool colour_wanted(int fd);

// The standard error of one command: its verbosity and whether it is coloured.
class Console {
 public:
  Console(std::ostream& err, Verbosity verbosity, bool colour)
      : err_(err), verbosity_(verbosity), colour_(colour) {}

  // Prints DIAG's diagnostics (errors only when quiet), grouped by kind, then a count
  // line when there was anything to count.
  void diagnostics(const Diagnostics& diag);
  // Prints `colophon: error: MESSAGE` and its hint: a usage error or a failure that
  // belongs to no file.
  void error(const std::string& message, const std::string& hint = {});
  // Prints `colophon: warning: MESSAGE` and its hint, unless quiet.
  void warning(const std::string& message, const std::string& hint = {});
  // Prints `colophon: TEXT`, unless quiet (what was written, what happens next).
  void say(const std::string& text);
  // Prints `colophon: TEXT` with -v only.
  void detail(const std::string& text);

  Verbosity verbosity() const { return verbosity_; }
  bool colour() const { return colour_; }
  std::ostream& stream() { return err_; }

 private:
  std::ostream& err_;
  Verbosity verbosity_;
  bool colour_;
};

// Prints one line per stage with its time once a command has run for longer than
// COLOPHON_PROGRESS_AFTER seconds (default 1): a quick build stays silent, a long one
// says where it is. With -v every stage is printed; with -q none. With STATS (--stats)
// each stage also prints the units of work it counted (core/work.h), even with -q:
// `colophon: work read 123456`. Safe on any thread.
class Progress {
 public:
  using Clock = std::chrono::steady_clock;
  explicit Progress(Console& console, bool stats = false);

  // Reports that stage NAME, started at SINCE, is done, having counted UNITS (if given).
  void stage(const std::string& name, Clock::time_point since,
             const work::Account* units = nullptr);

 private:
  Console& console_;
  bool stats_;
  Clock::time_point start_;
  double after_seconds_;
  bool live_ = false;
  std::string held_;  // lines of stages that ended before the threshold
};

}  // namespace colophon
