#include "core/diagnostics.h"

#include <deque>

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

}  // namespace

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

std::string format_place(const std::string& file, SourcePos pos) {
  IncludedFile f;
  std::string s = lookup(pos.file, f) ? f.display : file;
  if (pos.line) {
    s += ':' + std::to_string(pos.line);
    if (pos.col) s += ':' + std::to_string(pos.col);
  }
  return s;
}

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

std::string format_diagnostic(const Diagnostic& d) {
  std::string s;
  if (!d.file.empty()) {
    s += d.file;
    if (d.pos.line) {
      s += ':' + std::to_string(d.pos.line);
      if (d.pos.col) s += ':' + std::to_string(d.pos.col);
    }
    s += ": ";
  }
  s += d.severity == Severity::Error ? "error: " : d.severity == Severity::Warning ? "warning: "
                                                                                   : "note: ";
  s += d.message;
  s += '\n';
  if (!d.hint.empty()) s += "  hint: " + d.hint + '\n';
  if (!d.included_from.empty()) s += "  note: included from " + d.included_from + '\n';
  return s;
}

}  // namespace colophon
