#include "cli/driver.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <system_error>
#include <thread>

#include <unistd.h>

#include "core/clock.h"
#include "core/paths.h"
#include "core/text.h"
#include "core/threads.h"
#include "core/work.h"
#include "cover/cover.h"
#include "passes/passes.h"
#include "pdf/pdf.h"  // dump_pages: the layout with the PDF's fonts, for `dump --pages`
#include "target/target.h"

namespace colophon {

namespace {

using Clock = std::chrono::steady_clock;
using TargetList = std::vector<std::unique_ptr<Target>>;

// Prints one progress line per stage: `colophon: read      12.3 ms`; with --stats also
// the units of work the stage counted (core/work.h): `colophon: work read 123456`.
class Progress {
 public:
  Progress(bool quiet, std::ostream& err, bool stats = false)
      : quiet_(quiet), stats_(stats), err_(err) {}
  void stage(const char* name, Clock::time_point since, const work::Account* units = nullptr) {
    std::string out;
    if (!quiet_) {
      double ms = std::chrono::duration<double, std::milli>(Clock::now() - since).count();
      char buf[96];
      std::snprintf(buf, sizeof buf, "colophon: %-8s %8.1f ms\n", name, ms);
      out += buf;
    }
    if (stats_ && units)
      out.append("colophon: work ").append(name).append(" ")
          .append(std::to_string(units->units())).append("\n");
    err_ << out;  // one write: targets report from their own threads
  }

 private:
  bool quiet_, stats_;
  std::ostream& err_;
};

// Prints the diagnostics (all of them, or only errors when quiet) and a count line.
void report(Diagnostics& diag, bool quiet, std::ostream& err) {
  if (quiet) {
    for (const Diagnostic& d : diag.all())
      if (d.severity == Severity::Error) err << format_diagnostic(d);
  } else {
    diag.flush(err);
  }
  size_t e = diag.count(Severity::Error), w = diag.count(Severity::Warning);
  if (e || (w && !quiet))
    err << "colophon: " << e << (e == 1 ? " error" : " errors") << ", " << w
        << (w == 1 ? " warning" : " warnings") << '\n';
}

// Reads the book, lets every target read its [output.NAME] table, and runs the passes:
// the part every command shares.
Book load(const ReadOptions& options, const TargetList& targets, Diagnostics& diag,
          Progress& progress) {
  auto t0 = Clock::now();
  work::Account read_units, pass_units;
  Book book;
  {
    work::Charge charge(&read_units);
    book = read_book(options, diag);
    for (const auto& t : targets) t->configure(book.output(t->name()), book, diag);
  }
  progress.stage("read", t0, &read_units);
  if (book.chapters.empty()) return book;
  auto t1 = Clock::now();
  {
    work::Charge charge(&pass_units);
    run_passes(book, diag);
  }
  progress.stage("passes", t1, &pass_units);
  return book;
}

// Returns the names of TARGETS joined as "a, b, c".
std::string target_names(const TargetList& targets) {
  std::string out;
  for (const auto& t : targets) out.append(out.empty() ? "" : ", ").append(t->name());
  return out;
}

// Picks the targets to write: those named in WANTED (checked against TARGETS: an unknown
// name is reported in ERR and gives nullopt), else those with an [output.NAME] table in
// book.toml, else the ones on by default. Returned in registration order.
std::optional<std::vector<Target*>> select_targets(const TargetList& targets,
                                                   const std::vector<std::string>& wanted,
                                                   const Book& book, std::ostream& err) {
  std::vector<Target*> out;
  for (const std::string& name : wanted) {
    bool known = false;
    for (const auto& t : targets) known = known || t->name() == name;
    if (!known) {
      err << "colophon: error: unknown target '" << name << "'\n"
          << "  hint: the targets are " << target_names(targets) << '\n';
      return std::nullopt;
    }
  }
  auto pick = [&](auto&& chosen) {
    for (const auto& t : targets)
      if (chosen(*t)) out.push_back(t.get());
  };
  if (!wanted.empty()) {
    pick([&](const Target& t) {
      return std::find(wanted.begin(), wanted.end(), t.name()) != wanted.end();
    });
  } else {
    pick([&](const Target& t) { return book.output(t.name()) != nullptr; });
    if (out.empty()) pick([](const Target& t) { return t.default_on(); });
  }
  return out;
}

// One target's part of a build: what it writes (or only publishes) and how it went.
struct TargetRun {
  Target* target = nullptr;
  fs::path final_path;  // empty: the target runs only to publish what others need
  fs::path stage;
  bool ok = true;
  std::shared_ptr<work::Account> units = std::make_shared<work::Account>();  // --stats
};

// Adds to RUNS the targets that publish what the written ones require and none of them
// publishes, to run without writing; false (with a diagnostic) when no target can.
bool add_providers(const TargetList& targets, std::vector<TargetRun>& runs, Diagnostics& diag) {
  auto provider_of = [](Target& t, const std::string& key) {
    std::vector<std::string> keys = t.provides();
    return std::find(keys.begin(), keys.end(), key) != keys.end();
  };
  for (size_t i = 0; i < runs.size(); ++i) {
    for (const Need& need : runs[i].target->needs()) {
      if (!need.required) continue;
      bool provided = false;
      for (const TargetRun& r : runs) provided = provided || provider_of(*r.target, need.key);
      if (provided) continue;
      Target* provider = nullptr;
      for (const auto& t : targets)
        if (provider == nullptr && provider_of(*t, need.key)) provider = t.get();
      if (provider == nullptr) {
        diag.error(runs[i].target->name(), {},
                   "no target makes '" + need.key + "', which this target needs",
                   "this is a bug in colophon; please report it");
        return false;
      }
      runs.push_back(TargetRun{provider, {}, {}, true});
    }
  }
  return true;
}

// Runs RUN's target on CTX, turning what escapes it into a diagnostic, and abandons
// whatever it was to publish and did not.
void render_one(TargetRun& run, RenderContext& ctx, Progress& progress) {
  auto start = Clock::now();
  std::string shown = run.final_path.empty() ? run.target->name() : run.final_path.string();
  try {
    work::Charge charge(run.units.get());
    run.ok = run.target->render(ctx);
  } catch (const std::bad_alloc&) {
    run.ok = false;
    ctx.diag.error(shown, {}, "out of memory",
                   "close other programs, or raise the memory limit (ulimit -v)");
  } catch (const std::exception& e) {
    run.ok = false;
    ctx.diag.error(shown, {}, std::string("internal error: ") + e.what(),
                   "please report this with the book that caused it");
  }
  for (const std::string& key : run.target->provides()) ctx.exchange.abandon(key);
  if (!run.final_path.empty()) progress.stage(run.target->name().c_str(), start, run.units.get());
}

// Runs every target of RUNS at once, each on its own thread, from the one read-only
// BOOK. Targets that publish come first in RUNS, so when threads run out and the rest
// run here one after the other, nobody waits for a target that has not started.
void render_all(const Book& book, std::vector<TargetRun>& runs, Diagnostics& diag,
                Progress& progress) {
  Exchange exchange;
  for (const TargetRun& r : runs)
    for (const std::string& key : r.target->provides()) exchange.expect(key);
  std::vector<RenderContext> contexts;
  contexts.reserve(runs.size());
  for (TargetRun& r : runs)
    contexts.push_back(RenderContext{book, r.stage, diag, exchange});
  std::vector<std::thread> threads;
  std::vector<size_t> here = {0};  // runs to do on this thread, in order
  for (size_t i = 1; i < runs.size(); ++i) {
    try {
      threads.emplace_back([&, i] { render_one(runs[i], contexts[i], progress); });
    } catch (const std::system_error&) {
      here.push_back(i);  // no thread (a process limit): run it here
    }
  }
  ThreadJoiner joiner(threads, [] {});
  for (size_t i : here) render_one(runs[i], contexts[i], progress);
}

// Replaces every FROM in TEXT with TO.
void replace_all(std::string& text, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

// The files of one build. Each target writes a staged file beside its final one (hidden,
// in the same directory so the rename is atomic, unique to this process); all of them
// are renamed into place only when the whole build has no error, so a failed build
// leaves the output directory as it was. Every staged file is removed on every way out,
// and at exit if a library ends the process.
class StagedOutputs {
 public:
  StagedOutputs() = default;
  StagedOutputs(const StagedOutputs&) = delete;
  StagedOutputs& operator=(const StagedOutputs&) = delete;
  ~StagedOutputs() {
    std::error_code ec;
    for (const auto& [stage, final_path] : files_) {
      fs::remove(stage, ec);
      keep_at_exit(stage.string());
    }
  }

  // Returns the name to write FINAL_PATH under until the build is known to be good.
  fs::path stage(const fs::path& final_path) {
    std::string name = ".";
    name.append(final_path.filename().string())
        .append(".")
        .append(std::to_string(static_cast<long>(getpid())))
        .append(".staged");
    fs::path stage = final_path.parent_path() / name;
    remove_at_exit(stage.string());
    files_.emplace_back(stage, final_path);
    return stage;
  }

  // Rewrites the staged names in D to the final ones: messages name the files the user
  // asked for.
  void show_final_names(Diagnostic& d) const {
    for (std::string* text : {&d.file, &d.message, &d.hint})
      for (const auto& [stage, final_path] : files_)
        replace_all(*text, stage.string(), final_path.string());
  }

  // Reports, before any rename, a final path that cannot be replaced (a directory is
  // there), so the outputs are replaced together or not at all.
  void check_replaceable(Diagnostics& diag) const {
    std::error_code ec;
    for (const auto& [stage, final_path] : files_)
      if (fs::is_directory(final_path, ec))
        diag.error(final_path.string(), {}, "cannot replace a directory with the output file",
                   "move the directory " + final_path.string() + " away, or choose another -o DIR");
  }

  // Renames every staged file over its final path; returns the final paths written and
  // reports each failure against its final path.
  std::vector<fs::path> commit(Diagnostics& diag) {
    std::vector<fs::path> written;
    for (const auto& [stage, final_path] : files_) {
      std::error_code ec;
      fs::rename(stage, final_path, ec);
      if (!ec) {
        written.push_back(final_path);
      } else {
        diag.error(final_path.string(), {}, "cannot replace the file: " + ec.message(),
                   "check that " + final_path.string() + " is a file you may overwrite");
      }
    }
    return written;
  }

 private:
  std::vector<std::pair<fs::path, fs::path>> files_;  // (staged, final)
};

// Hands BOOK over to the end of the process without freeing it. The model of a long book
// is hundreds of thousands of small allocations, and freeing them one by one just before
// exit took 1-3 ms of a 60 ms build; the kernel drops the whole heap at once (compilers
// do the same: clang's -disable-free). The pointer stays reachable, so LeakSanitizer
// does not count it as a leak.
void keep_until_exit(Book&& book) {
  static Book* kept = nullptr;
  delete kept;  // a second build in one process (tests) frees the first
  kept = new Book(std::move(book));
}

}  // namespace

int run_build(const BuildOptions& options, std::ostream& err) {
  Diagnostics diag;
  Progress progress(options.quiet, err, options.stats);
  auto start = Clock::now();
  TargetList targets = make_targets();
  Book book = load(options.read, targets, diag, progress);
  std::optional<std::vector<Target*>> chosen = select_targets(targets, options.targets, book, err);
  if (!chosen) return kExitUsage;
  if (diag.has_errors()) {
    report(diag, options.quiet, err);
    return kExitBookErrors;
  }
  auto cover_start = Clock::now();
  work::Account cover_units;
  {
    work::Charge charge(&cover_units);
    add_generated_cover(book, diag);  // the cover of every target, when the book names none
  }
  progress.stage("cover", cover_start, &cover_units);

  std::error_code ec;
  fs::path out_dir(options.out_dir);
  fs::create_directories(out_dir, ec);
  if (ec || !fs::is_directory(out_dir)) {
    diag.error(options.out_dir, {}, "cannot create the output directory: " + ec.message(),
               "choose another directory with -o DIR");
    report(diag, options.quiet, err);
    return kExitBookErrors;
  }
  std::string slug = file_slug(book.meta.title);
  StagedOutputs staged;
  std::vector<TargetRun> runs;
  for (Target* t : *chosen) {
    fs::path final_path = out_dir / (slug + t->extension());
    runs.push_back(TargetRun{t, final_path, staged.stage(final_path), true});
  }
  bool ok = add_providers(targets, runs, diag);
  // Targets that publish first (see render_all).
  std::stable_partition(runs.begin(), runs.end(),
                        [](const TargetRun& r) { return !r.target->provides().empty(); });
  Diagnostics target_diag;
  if (ok) render_all(book, runs, target_diag, progress);
  for (Diagnostic d : target_diag.all()) {
    staged.show_final_names(d);
    diag.add(std::move(d));
  }
  staged.check_replaceable(diag);
  for (const TargetRun& r : runs) ok = ok && r.ok;
  ok = ok && !diag.has_errors();
  std::vector<fs::path> written;
  if (ok) written = staged.commit(diag);
  progress.stage("total", start);

  report(diag, options.quiet, err);
  if (!options.quiet) {
    for (const fs::path& p : written) err << "colophon: wrote " << p.string() << '\n';
    if (!ok && !runs.empty())
      err << "colophon: nothing written; " << out_dir.string() << " is as it was\n";
  }
  keep_until_exit(std::move(book));
  return !diag.has_errors() ? kExitOk : kExitBookErrors;
}

int run_check(const CheckOptions& options, std::ostream& err) {
  Diagnostics diag;
  Progress progress(options.quiet, err, options.stats);
  TargetList targets = make_targets();
  Book book = load(options.read, targets, diag, progress);
  std::optional<std::vector<Target*>> chosen = select_targets(targets, options.targets, book, err);
  if (!chosen) return kExitUsage;
  // What each store or device would refuse, when the book could be read at all.
  if (!book.chapters.empty())
    for (Target* t : *chosen) t->check(book, diag);
  report(diag, options.quiet, err);
  if (!diag.has_errors() && !options.quiet) err << "colophon: no errors\n";
  return diag.has_errors() ? kExitBookErrors : kExitOk;
}

int run_dump(const ReadOptions& options, bool pages, std::ostream& out, std::ostream& err) {
  Diagnostics diag;
  Progress progress(true, err);
  Book book = load(options, make_targets(), diag, progress);
  // The model is worth seeing even when it has errors: that is when one looks.
  if (!pages) out << dump_book(book);
  else if (!diag.has_errors()) out << dump_pages(book, diag);
  report(diag, false, err);
  return diag.has_errors() ? kExitBookErrors : kExitOk;
}

void configure_targets(Book& book, Diagnostics& diag) {
  for (const auto& t : make_targets()) t->configure(book.output(t->name()), book, diag);
}

std::string describe_targets() {
  std::string out;
  for (const auto& t : make_targets()) {
    std::string line = "  " + t->name();
    line.resize(std::max<size_t>(line.size() + 1, 10), ' ');
    out += line + t->summary() + " (" + t->extension() + (t->default_on() ? ", default)\n" : ")\n");
  }
  return out;
}

}  // namespace colophon
