// Diagnostics: every problem found in a book, with the file, line and column it is at.
#pragma once
#include <cstdint>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace colophon {

// A place in a source file; line and column count from 1, 0 means "unknown". FILE is 0
// for the file a diagnostic names (the chapter's own), else the id of a file included
// into it (register_included_file), whose name then replaces the diagnostic's.
struct SourcePos {
  uint32_t line = 0;
  uint32_t col = 0;
  uint32_t file = 0;
};

// Records a file whose text was included into a chapter, shown as DISPLAY, and where it
// was included from (INCLUDED_FROM, e.g. "src/ch1.md:12:1"); returns the id that
// SourcePos::file carries for places in its text. Safe on any thread; ids are never
// reused in a process.
uint32_t register_included_file(std::string display, std::string included_from);

// Returns the display name of included file ID ("" for 0 or an unknown id).
std::string included_file_name(uint32_t id);

// Returns where included file ID was included from ("" for 0 or an unknown id).
std::string included_from(uint32_t id);

// Formats FILE:line:col for messages, naming the included file when POS is in one.
std::string format_place(const std::string& file, SourcePos pos);


enum class Severity { Note, Warning, Error };

// One message for the author, printed as `file:line:col: error: message` plus an
// optional hint line telling what to do.
struct Diagnostic {
  Severity severity = Severity::Error;
  std::string file;  // as shown to the user, e.g. "book/src/ch02.md"
  SourcePos pos;
  std::string message;
  std::string hint;
  // Diagnostics of one kind that come in numbers (a missing glyph per character, a
  // placeholder per image) share a GROUP: the plural phrase printed after their count
  // when there are several ("characters are in none of the PDF fonts"); empty: printed
  // one by one.
  std::string group = {};
  std::string detail = {};  // what sets this one apart in its group ("U+4E2D '中'")
  std::string included_from = {};  // in included text: where that text was included
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
  // Puts the diagnostics about FILE in the order of their places in it (line, then
  // column; those about the whole file last), where the first of them was; the others
  // keep their order.
  void sort_file(const std::string& file);

 private:
  mutable std::mutex mutex_;
  std::vector<Diagnostic> items_;
  size_t printed_ = 0;
};

// How format_diagnostics writes.
struct PrintOptions {
  bool colour = false;       // ANSI colours, for a terminal that wants them
  bool errors_only = false;  // leave warnings and notes out (-q)
};

// At most this many diagnostics with the same message (apart from quoted names and
// numbers) are printed one by one; the rest are counted on one line.
constexpr size_t kMaxOfOneKind = 10;
// A grouped line names this many places; the others are counted.
constexpr size_t kPlacesShown = 3;
// At most this many lines of each severity are printed (single diagnostics, grouped
// lines and flood counts alike); the rest are counted on one last line.
constexpr size_t kMaxLinesOfSeverity = 100;
// A message, hint or place longer than this many bytes is cut, with an ellipsis.
constexpr size_t kMaxTextBytes = 1000;

// Returns TEXT as it may reach a terminal: every control character (C0 but tab and line
// feed, DEL, C1), every bidirectional override or isolate, and every byte of invalid UTF-8 shown
// visibly as an escape (`\x1b`, `\u009b`, `\u202e`), so that no input can move the
// cursor, hide text or retitle the window; cut past MAX_BYTES with an ellipsis.
std::string terminal_text(std::string_view text, size_t max_bytes = kMaxTextBytes);

// Formats one diagnostic as `file:line:col: severity: message` (and `  hint: ...`),
// every part passed through terminal_text.
std::string format_diagnostic(const Diagnostic& d, bool colour = false);

// Formats DIAGS for the author, in order: several of one group become one line with
// their count and first places (at the first of them), and past kMaxOfOneKind of one
// message the rest are counted on one line, and past kMaxLinesOfSeverity lines of one
// severity the rest are counted on the last line, so nothing floods the screen.
std::string format_diagnostics(const std::vector<Diagnostic>& diags, const PrintOptions& options);

}  // namespace colophon
