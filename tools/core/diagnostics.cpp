#include "core/diagnostics.h"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <map>

#include "core/utf8.h"

namespace colophon {

namespace {

// One file registered by register_included_file.
struct IncludedFile {
  std::string display;
  std::string included_from;
};

// The registry of included files: ids are positions + 1. Never destroyed, so a
// diagnostic formatted while the process exits still finds its file.
std::mutex& registry_mutex() {
  static auto* m = new std::mutex;
  return *m;
}
std::deque<IncludedFile>& registry() {
  static auto* files = new std::deque<IncludedFile>;
  return *files;
}

// Copies the registered file ID into OUT; false for 0 or an unknown id.
bool lookup(uint32_t id, IncludedFile& out) {
  if (id == 0) return false;
  std::lock_guard lock(registry_mutex());
  if (id > registry().size()) return false;
  out = registry()[id - 1];
  return true;
}

// ANSI SGR sequences, as GCC and Clang colour their diagnostics.
constexpr const char* kBold = "\033[1m";
constexpr const char* kRed = "\033[1;31m";
constexpr const char* kMagenta = "\033[1;35m";
constexpr const char* kCyan = "\033[1;36m";
constexpr const char* kGreen = "\033[1;32m";
constexpr const char* kReset = "\033[0m";

// Returns `file:line:col` (as much as is known), naming the included file when POS is
// in one.
std::string place(const std::string& file, SourcePos pos) {
  IncludedFile f;
  std::string s = lookup(pos.file, f) ? f.display : file;
  if (pos.line) {
    s += ':' + std::to_string(pos.line);
    if (pos.col) s += ':' + std::to_string(pos.col);
  }
  return s;
}

// Returns D's place as seen from a line about HEAD's file: `line:col` in the same file.
std::string place_from(const Diagnostic& d, const Diagnostic& head) {
  if (d.file == head.file && d.pos.line) {
    std::string s = "line " + std::to_string(d.pos.line);
    if (d.pos.col) s += ':' + std::to_string(d.pos.col);
    return s;
  }
  return place(d.file, d.pos);
}

const char* severity_word(Severity s) {
  return s == Severity::Error ? "error:" : s == Severity::Warning ? "warning:" : "note:";
}

const char* severity_colour(Severity s) {
  return s == Severity::Error ? kRed : s == Severity::Warning ? kMagenta : kCyan;
}

// Tells whether CP would act on a terminal or reorder what it shows: a control
// character (C0 but tab and line feed, DEL, C1) or a bidirectional mark, embedding,
// override or isolate. A line feed stays: a preprocessor's report is quoted line by line.
bool acts_on_terminal(char32_t cp) {
  return (cp < 0x20 && cp != '\t' && cp != '\n') || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C ||
         cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

// Formats one line `place: severity: text`, its hint, and where its text was included
// from, each part made safe for a terminal.
std::string format_line(Severity severity, const std::string& where_raw,
                        const std::string& text_raw, const std::string& hint_raw, bool colour,
                        const std::string& included_from_raw = {}) {
  std::string where = terminal_text(where_raw), text = terminal_text(text_raw);
  std::string hint = terminal_text(hint_raw), included_from = terminal_text(included_from_raw);
  std::string s;
  if (!where.empty()) {
    if (colour) s += kBold;
    s += where + ":";
    if (colour) s += kReset;
    s += ' ';
  }
  if (colour) s += severity_colour(severity);
  s += severity_word(severity);
  if (colour) s += kReset;
  s += ' ' + text + '\n';
  if (!hint.empty()) {
    s += "  ";
    if (colour) s += kGreen;
    s += "hint:";
    if (colour) s += kReset;
    s += ' ' + hint + '\n';
  }
  if (!included_from.empty()) {
    s += "  ";
    if (colour) s += kCyan;
    s += "note:";
    if (colour) s += kReset;
    s += " included from " + included_from + '\n';
  }
  return s;
}

// Returns MESSAGE with what varies between diagnostics of one kind (quoted names,
// numbers) blanked out, so that floods of one kind can be counted.
std::string message_kind(Severity severity, const std::string& message) {
  std::string out(1, static_cast<char>('0' + static_cast<int>(severity)));
  bool quoted = false;
  for (size_t i = 0; i < message.size(); ++i) {
    char c = message[i];
    if (c == '\'') {
      quoted = !quoted;
      out += c;
    } else if (quoted) {
      continue;
    } else if (c >= '0' && c <= '9') {
      if (out.back() != '#') out += '#';
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace


std::string terminal_text(std::string_view text, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  for (size_t i = 0; i < text.size();) {
    if (out.size() >= max_bytes) {
      out = std::string(utf8_prefix(out, max_bytes));
      out += "\u2026";  // an ellipsis
      break;
    }
    size_t start = i;
    char32_t cp = next_code_point(text, i);
    char buf[16];
    if (cp == 0xFFFD && i - start == 1) {  // a byte of invalid UTF-8
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(text[start]));
      out += buf;
    } else if (cp < 0x80 && acts_on_terminal(cp)) {
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(cp));
      out += buf;
    } else if (acts_on_terminal(cp)) {
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
      out += buf;
    } else {
      out.append(text.substr(start, i - start));
    }
  }
  return out;
}

uint32_t register_included_file(std::string display, std::string included_from) {
  std::lock_guard lock(registry_mutex());
  registry().push_back({std::move(display), std::move(included_from)});
  return static_cast<uint32_t>(registry().size());
}

std::string included_file_name(uint32_t id) {
  IncludedFile f;
  return lookup(id, f) ? f.display : std::string();
}

std::string included_from(uint32_t id) {
  IncludedFile f;
  return lookup(id, f) ? f.included_from : std::string();
}

std::string format_place(const std::string& file, SourcePos pos) { return place(file, pos); }

void Diagnostics::error(std::string file, SourcePos pos, std::string message, std::string hint) {
  add({Severity::Error, std::move(file), pos, std::move(message), std::move(hint)});
}

void Diagnostics::warning(std::string file, SourcePos pos, std::string message,
                          std::string hint) {
  add({Severity::Warning, std::move(file), pos, std::move(message), std::move(hint)});
}

void Diagnostics::add(Diagnostic d) {
  IncludedFile f;
  if (lookup(d.pos.file, f)) {
    d.file = std::move(f.display);
    d.included_from = std::move(f.included_from);
  }
  std::lock_guard lock(mutex_);
  items_.push_back(std::move(d));
}

bool Diagnostics::has_errors() const { return count(Severity::Error) > 0; }

size_t Diagnostics::count(Severity s) const {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  for (const Diagnostic& d : items_) n += d.severity == s;
  return n;
}

std::vector<Diagnostic> Diagnostics::all() const {
  std::lock_guard lock(mutex_);
  return items_;
}

void Diagnostics::flush(std::ostream& out) {
  std::lock_guard lock(mutex_);
  for (; printed_ < items_.size(); ++printed_) out << format_diagnostic(items_[printed_]);
  out.flush();
}

void Diagnostics::sort_file(const std::string& file) {
  std::lock_guard lock(mutex_);
  auto of_file = [&file](const Diagnostic& d) { return d.file == file; };
  auto first =
      std::find_if(items_.begin() + static_cast<std::ptrdiff_t>(printed_), items_.end(), of_file);
  if (first == items_.end()) return;
  // Gather them right after the first, keeping the others' order, then sort them.
  auto end = std::stable_partition(first, items_.end(), of_file);
  // Those about the whole file (no line) after those at a place.
  std::stable_sort(first, end, [](const Diagnostic& a, const Diagnostic& b) {
    uint32_t la = a.pos.line ? a.pos.line : UINT32_MAX, lb = b.pos.line ? b.pos.line : UINT32_MAX;
    return la != lb ? la < lb : a.pos.col < b.pos.col;
  });
}

std::string format_diagnostic(const Diagnostic& d, bool colour) {
  return format_line(d.severity, place(d.file, d.pos), d.message, d.hint, colour, d.included_from);
}

std::string format_diagnostics(const std::vector<Diagnostic>& diags, const PrintOptions& options) {
  auto shown = [&](const Diagnostic& d) {
    return !options.errors_only || d.severity == Severity::Error;
  };
  // Lines printed and diagnostics left out, per severity, past kMaxLinesOfSeverity.
  size_t lines[3] = {0, 0, 0}, hidden[3] = {0, 0, 0};
  std::string out;
  auto emit = [&](Severity severity, size_t represents, const std::string& line) {
    size_t k = static_cast<size_t>(severity);
    if (lines[k] < kMaxLinesOfSeverity) {
      ++lines[k];
      out += line;
    } else {
      hidden[k] += represents;
    }
  };
  // The members of each group, and how many of each kind of message there are.
  std::map<std::pair<Severity, std::string>, std::vector<size_t>> groups;
  for (size_t i = 0; i < diags.size(); ++i)
    if (shown(diags[i]) && !diags[i].group.empty())
      groups[{diags[i].severity, diags[i].group}].push_back(i);
  std::map<std::string, std::vector<size_t>> kinds;  // of the ungrouped ones
  for (size_t i = 0; i < diags.size(); ++i) {
    const Diagnostic& d = diags[i];
    if (!shown(d)) continue;
    if (!d.group.empty()) {
      const std::vector<size_t>& members = groups[{d.severity, d.group}];
      if (members.size() > 1) {
        if (members.front() != i) continue;  // printed with the first of the group
        std::string text = std::to_string(members.size()) + " " + d.group + ": ";
        for (size_t k = 0; k < members.size() && k < kPlacesShown; ++k) {
          const Diagnostic& m = diags[members[k]];
          if (k > 0) text += ", ";
          text += m.detail.empty() ? place_from(m, d) : m.detail + " at " + place_from(m, d);
        }
        if (members.size() > kPlacesShown)
          text += " and " + std::to_string(members.size() - kPlacesShown) + " more";
        emit(d.severity, members.size(),
             format_line(d.severity, place(d.file, d.pos), text, d.hint, options.colour,
                         d.included_from));
        continue;
      }
    }
    std::vector<size_t>& same = kinds[message_kind(d.severity, d.message)];
    same.push_back(i);
    if (same.size() <= kMaxOfOneKind) emit(d.severity, 1, format_diagnostic(d, options.colour));
  }
  // One line for each kind past the limit, after everything else.
  std::vector<const std::vector<size_t>*> floods;
  for (const auto& [kind, members] : kinds)
    if (members.size() > kMaxOfOneKind) floods.push_back(&members);
  std::sort(floods.begin(), floods.end(), [](auto* a, auto* b) { return a->front() < b->front(); });
  for (const std::vector<size_t>* members : floods) {
    const Diagnostic& d = diags[(*members)[kMaxOfOneKind]];
    std::string text = std::to_string(members->size() - kMaxOfOneKind) + " more like \"" +
                       diags[members->front()].message + "\" not shown, from " +
                       place(d.file, d.pos);
    emit(d.severity, members->size() - kMaxOfOneKind,
         format_line(d.severity, std::string(), text, std::string(), options.colour));
  }
  // Last, what the limit of lines left out.
  for (Severity severity : {Severity::Error, Severity::Warning, Severity::Note}) {
    size_t n = hidden[static_cast<size_t>(severity)];
    if (n == 0) continue;
    const char* word = severity == Severity::Error     ? (n == 1 ? "error" : "errors")
                       : severity == Severity::Warning ? (n == 1 ? "warning" : "warnings")
                                                       : (n == 1 ? "note" : "notes");
    out += format_line(severity, std::string(),
                       std::to_string(n) + " more " + word + " not shown (the first " +
                           std::to_string(kMaxLinesOfSeverity) + " lines of them are above)",
                       std::string(), options.colour);
  }
  return out;
}

}  // namespace colophon
