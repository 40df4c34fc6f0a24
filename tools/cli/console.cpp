#include "cli/console.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace colophon {

namespace {

// Serialises the progress lines of targets that run on threads of their own.
std::mutex progress_mutex;

}  // namespace

bool colour_wanted(int fd) {
  const char* no_colour = std::getenv("NO_COLOR");
  if (no_colour != nullptr && no_colour[0] != '\0') return false;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::strcmp(term, "dumb") == 0) return false;
  return isatty(fd) == 1;
}

void Console::diagnostics(const Diagnostics& diag) {
  PrintOptions options;
  options.colour = colour_;
  options.errors_only = verbosity_ == Verbosity::Quiet;
  err_ << format_diagnostics(diag.all(), options);
  size_t e = diag.count(Severity::Error), w = diag.count(Severity::Warning);
  if (e || (w && verbosity_ != Verbosity::Quiet))
    err_ << "colophon: " << e << (e == 1 ? " error" : " errors") << ", " << w
         << (w == 1 ? " warning" : " warnings") << '\n';
  err_.flush();
}

void Console::error(const std::string& message, const std::string& hint) {
  Diagnostic d{Severity::Error, "colophon", {}, message, hint};
  err_ << format_diagnostic(d, colour_);
  err_.flush();
}

void Console::warning(const std::string& message, const std::string& hint) {
  if (verbosity_ == Verbosity::Quiet) return;
  Diagnostic d{Severity::Warning, "colophon", {}, message, hint};
  err_ << format_diagnostic(d, colour_);
  err_.flush();
}

void Console::say(const std::string& text) {
  if (verbosity_ == Verbosity::Quiet) return;
  err_ << "colophon: " << terminal_text(text) << '\n';
  err_.flush();
}

void Console::detail(const std::string& text) {
  if (verbosity_ != Verbosity::Verbose) return;
  err_ << "colophon: " << terminal_text(text) << '\n';
  err_.flush();
}

Progress::Progress(Console& console, bool stats)
    : console_(console), stats_(stats), start_(Clock::now()) {
  constexpr double kDefaultAfterSeconds = 1.0;
  after_seconds_ = kDefaultAfterSeconds;
  if (const char* v = std::getenv("COLOPHON_PROGRESS_AFTER")) {
    char* end = nullptr;
    double d = std::strtod(v, &end);
    if (end != v && d >= 0) after_seconds_ = d;
  }
  live_ = console.verbosity() == Verbosity::Verbose;
}

void Progress::stage(const std::string& name, Clock::time_point since,
                     const work::Account* units) {
  if (stats_ && units != nullptr) {
    std::string line = "colophon: work " + name + " " + std::to_string(units->units()) + "\n";
    std::lock_guard lock(progress_mutex);
    console_.stream() << line;  // one write: targets report from their own threads
    console_.stream().flush();
  }
  if (console_.verbosity() == Verbosity::Quiet) return;
  auto now = Clock::now();
  double ms = std::chrono::duration<double, std::milli>(now - since).count();
  char buf[96];
  std::snprintf(buf, sizeof buf, "colophon: %-8s %8.1f ms\n", name.c_str(), ms);
  std::lock_guard lock(progress_mutex);
  held_ += buf;
  if (!live_ && std::chrono::duration<double>(now - start_).count() < after_seconds_) return;
  live_ = true;
  console_.stream() << held_;
  console_.stream().flush();
  held_.clear();
}

}  // namespace colophon
