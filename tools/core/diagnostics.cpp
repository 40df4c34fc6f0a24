#include "core/diagnostics.h"

namespace colophon {

void Diagnostics::error(std::string file, SourcePos pos, std::string message, std::string hint) {
  add({Severity::Error, std::move(file), pos, std::move(message), std::move(hint)});
}

void Diagnostics::warning(std::string file, SourcePos pos, std::string message,
                          std::string hint) {
  add({Severity::Warning, std::move(file), pos, std::move(message), std::move(hint)});
}

void Diagnostics::add(Diagnostic d) {
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
  return s;
}

}  // namespace colophon
