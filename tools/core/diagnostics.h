// Diagnostics: every problem found in a book, with the file, line and column it is at.
#pragma once
#include <cstdint>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

namespace colophon {

// A place in a source file; line and column count from 1, 0 means "unknown".
struct SourcePos {
  uint32_t line = 0;
  uint32_t col = 0;
};

enum class Severity { Note, Warning, Error };

// One message for the author, printed as `file:line:col: error: message` plus an
// optional hint line telling what to do.
struct Diagnostic {
  Severity severity = Severity::Error;
  std::string file;  // as shown to the user, e.g. "book/src/ch02.md"
  SourcePos pos;
  std::string message;
  std::string hint;
};

// Collects diagnostics from every stage; safe to use from several threads.
class Diagnostics {
 public:
  // Records an error (the build will exit 1).
  void error(std::string file, SourcePos pos, std::string message, std::string hint = {});
  // Records a warning (the build still succeeds).
  void warning(std::string file, SourcePos pos, std::string message, std::string hint = {});
  // Records a diagnostic of any severity.
  void add(Diagnostic d);

  // Tells whether any error was recorded.
  bool has_errors() const;
  // Counts the recorded diagnostics of one severity.
  size_t count(Severity s) const;
  // Returns a copy of every diagnostic, in the order they were recorded.
  std::vector<Diagnostic> all() const;
  // Prints every diagnostic not yet printed, one per line (hint on the next line).
  void flush(std::ostream& out);

 private:
  mutable std::mutex mutex_;
  std::vector<Diagnostic> items_;
  size_t printed_ = 0;
};

// Formats one diagnostic as `file:line:col: severity: message` (and `  hint: ...`).
std::string format_diagnostic(const Diagnostic& d);

}  // namespace colophon
