#include "cli/driver.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <system_error>
#include <thread>

#include "core/clock.h"
#include "core/paths.h"
#include "core/text.h"
#include "core/threads.h"
#include "core/work.h"
#include "cover/cover.h"
#include "layout/style.h"
#include "passes/passes.h"
#include "passes/walk.h"
#include "pdf/pdf.h"  // dump_pages: the layout with the PDF's fonts, for `dump --pages`
#include "read/config.h"
#include "target/target.h"

namespace colophon {

namespace {

using Clock = Progress::Clock;
using TargetList = std::vector<std::unique_ptr<Target>>;

// Reads the book, lets every target read its [output.NAME] table, and runs the passes:
// the part every command shares. AFTER_READ, when given, is called between the two with
// the book as read (without errors), to start work that may run beside the passes.
Book load(const ReadOptions& options, const TargetList& targets, Diagnostics& diag,
          Progress& progress, const std::function<void(const Book&)>& after_read = {}) {
  auto t0 = Clock::now();
  set_key_catalogue(config_catalogue());  // once: a key in the wrong table says where it goes
  work::Account read_units, pass_units;
  Book book;
  {
    work::Charge charge(&read_units);
    book = read_book(options, diag);
    for (const auto& t : targets) t->configure(book.output(t->name()), book, diag);
  }
  // book.toml's messages in the order of its lines, whichever part of colophon read them.
  if (!book.config_file.empty()) diag.sort_file(book.display(book.config_file));
  progress.stage("read", t0, &read_units);
  if (book.chapters.empty()) return book;
  if (after_read && !diag.has_errors()) after_read(book);
  auto t1 = Clock::now();
  {
    work::Charge charge(&pass_units);
    run_passes(book, diag);
  }
  progress.stage("passes", t1, &pass_units);
  return book;
}

// Gives BOOK the cover every target uses when it names none (a generated one), as a
// build does after the passes: DRAWING's, started beside them (see load), or drawn now.
// The stage's time is what the build waited for it.
void add_cover(Book& book, std::optional<CoverDrawing>& drawing, Diagnostics& diag,
               Progress& progress) {
  auto start = Clock::now();
  if (!drawing) drawing.emplace(book, false);
  drawing->finish(book, diag);
  progress.stage("cover", start, &drawing->units());
}

// The after_read of load that starts drawing the cover into DRAWING.
std::function<void(const Book&)> start_cover(std::optional<CoverDrawing>& drawing) {
  return [&drawing](const Book& book) { drawing.emplace(book); };
}

// Returns the target whose file NAME would be (the longest ending wins: a.kepub.epub is
// Kobo's, not the EPUB's), or nullptr.
Target* target_for_file(const TargetList& targets, const std::string& name) {
  Target* best = nullptr;
  for (const auto& t : targets) {
    std::string ext = t->extension();
    if (name.size() > ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0 &&
        (best == nullptr || ext.size() > best->extension().size()))
      best = t.get();
  }
  return best;
}

// A hidden file a build stages an output in (see StagedOutputs): `.NAME.PID.staged`, or
// the EPUB writer's temporary `.NAME.PID.staged.tmpPID-N` beside it.
struct StagedName {
  std::string output;  // NAME, the output it stands for
  long pid = 0;        // the process that wrote it
};

// Tells whether S is a non-empty run of at most 9 digits.
bool is_small_number(std::string_view s) {
  return !s.empty() && s.size() <= 9 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Returns what the file NAME stages, or nullopt when it is no staged file of ours.
std::optional<StagedName> parse_staged(const std::string& name) {
  size_t at = name.rfind(".staged");
  if (name.size() < 2 || name[0] != '.' || at == std::string::npos || at < 2)
    return std::nullopt;
  std::string_view rest = std::string_view(name).substr(at + 7);  // "" or ".tmp123-4"
  if (!rest.empty()) {
    size_t dash = rest.find('-');
    if (!rest.starts_with(".tmp") || dash == std::string_view::npos ||
        !is_small_number(rest.substr(4, dash - 4)) || !is_small_number(rest.substr(dash + 1)))
      return std::nullopt;
  }
  std::string stem = name.substr(1, at - 1);  // "a.epub.123"
  size_t dot = stem.rfind('.');
  if (dot == std::string::npos || dot == 0 || !is_small_number(stem.substr(dot + 1)))
    return std::nullopt;
  return StagedName{stem.substr(0, dot), std::stol(stem.substr(dot + 1))};
}

// Removes what builds left staged in DIR when they were killed where no handler runs
// (SIGKILL, a crash, a power cut): staged files of an output some target writes whose
// process is gone. Those of a process that still runs (a build beside this one) stay.
void sweep_stale_staged(const fs::path& dir, const TargetList& targets, Diagnostics& diag) {
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    std::optional<StagedName> s = parse_staged(e.path().filename().string());
    if (!s || !e.is_regular_file(ec) || target_for_file(targets, s->output) == nullptr) continue;
    if (s->pid == static_cast<long>(::getpid())) continue;
    if (s->pid > 0 && (::kill(static_cast<pid_t>(s->pid), 0) == 0 || errno != ESRCH)) continue;
    if (fs::remove(e.path(), ec))
      diag.add({Severity::Note, e.path().string(), {},
                "removed, left by a build that was stopped (process " + std::to_string(s->pid) +
                    " is gone)",
                ""});
  }
}

// Tells whether -o OUT names one file rather than a folder: it ends in a target's
// ending, is not an existing folder and is not written with a final slash.
Target* out_file_target(const TargetList& targets, const std::string& out) {
  if (out.empty() || out.back() == '/') return nullptr;
  std::error_code ec;
  if (fs::is_directory(out, ec)) return nullptr;
  return target_for_file(targets, fs::path(out).filename().string());
}

// Picks the targets to write: the one -o FILE names, else those named in WANTED (already
// checked), else those with an [output.NAME] table in book.toml, else the ones on by
// default. Returned in registration order.
std::vector<Target*> select_targets(const TargetList& targets, const BuildOptions& options,
                                    const Book& book) {
  if (Target* t = out_file_target(targets, options.out)) return {t};
  const std::vector<std::string>& wanted = options.targets;
  std::vector<Target*> out;
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

// Tells whether OPTIONS read one Markdown file rather than a book folder.
bool is_single_file(const ReadOptions& options) {
  std::error_code ec;
  return fs::is_regular_file(options.input, ec);
}

// Returns the name of the outputs without their endings: a single file's own name
// ("essay" for essay.md), else the title as a file name.
std::string output_stem(const BuildOptions& options, const Book& book) {
  if (is_single_file(options.read)) {
    std::string stem = fs::path(options.read.input).stem().string();
    if (!stem.empty()) return stem;
  }
  return file_slug(book.meta.title);
}

// Returns the folder the outputs go to, as shown to the user.
fs::path output_dir(const BuildOptions& options, const TargetList& targets, const Book& book) {
  if (options.out.empty()) return default_output_dir(options, book);
  if (out_file_target(targets, options.out)) {
    fs::path dir = fs::path(options.out).parent_path();
    return dir.empty() ? fs::path(".") : dir;
  }
  return fs::path(options.out);
}

// Returns the file target T writes in a build of BOOK.
fs::path output_file(const BuildOptions& options, const TargetList& targets, const Book& book,
                     const Target& t) {
  if (out_file_target(targets, options.out)) return fs::path(options.out);
  return output_dir(options, targets, book) / (output_stem(options, book) + t.extension());
}

// One target's part of a build: what it writes (or only publishes) and how it went.
struct TargetRun {
  Target* target = nullptr;
  fs::path final_path;  // empty: the target runs only to publish what others need
  fs::path stage;
  bool ok = true;
  // Its own, so messages come out in target order, not thread order.
  std::shared_ptr<Diagnostics> diag = std::make_shared<Diagnostics>();
  std::shared_ptr<work::Account> units = std::make_shared<work::Account>();  // --stats
  ChapterReuse* reuse = nullptr;  // watch: chapters it may reuse from the last good build
};

// Adds to RUNS the targets that publish what the written ones require and none of them
// publishes, to run without writing; false (with a diagnostic) when no target can.
bool add_providers(const Book& book, const TargetList& targets, std::vector<TargetRun>& runs,
                   Diagnostics& diag) {
  auto provider_of = [](Target& t, const std::string& key) {
    std::vector<std::string> keys = t.provides();
    return std::find(keys.begin(), keys.end(), key) != keys.end();
  };
  for (size_t i = 0; i < runs.size(); ++i) {
    for (const Need& need : runs[i].target->needs(book)) {
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

// Runs WORK, charging the units it counts on this thread to UNITS, and returns what it
// returns; what escapes it becomes an error about SHOWN in DIAG, and false. The units
// are in UNITS when this returns (a Charge adds them when it ends), so a caller reports
// the stage after it.
template <typename Work>
bool run_charged(work::Account* units, const std::string& shown, Diagnostics& diag, Work work) {
  work::Charge charge(units);
  try {
    return work();
  } catch (const std::bad_alloc&) {
    diag.error(shown, {}, "out of memory",
               "close other programs, or raise the memory limit (ulimit -v)");
  } catch (const std::exception& e) {
    diag.error(shown, {}, std::string("internal error: ") + e.what(),
               "please report this with the book that caused it");
  }
  return false;
}

// Runs RUN's target on CTX, turning what escapes it into a diagnostic, and abandons
// whatever it was to publish and did not.
void render_one(TargetRun& run, RenderContext& ctx, Progress& progress) {
  auto start = Clock::now();
  std::string shown = run.final_path.empty() ? run.target->name() : run.final_path.string();
  run.ok = run_charged(run.units.get(), shown, ctx.diag, [&] { return run.target->render(ctx); });
  for (const std::string& key : run.target->provides()) ctx.exchange.abandon(key);
  if (!run.final_path.empty()) progress.stage(run.target->name(), start, run.units.get());
}

// Runs every target of RUNS at once, each on its own thread, from the one read-only
// BOOK. Targets that publish come first in RUNS, so when threads run out and the rest
// run here one after the other, nobody waits for a target that has not started.
void render_all(const Book& book, std::vector<TargetRun>& runs, Progress& progress) {
  Exchange exchange;
  for (const TargetRun& r : runs)
    for (const std::string& key : r.target->provides()) exchange.expect(key);
  std::vector<RenderContext> contexts;
  contexts.reserve(runs.size());
  for (TargetRun& r : runs)
    contexts.push_back(RenderContext{book, r.stage, *r.diag, exchange, r.reuse});
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

// Runs the CHOSEN targets of a loaded BOOK into their files (see run_build), adding
// their diagnostics to DIAG in target order; returns the files written, and sets OK.
std::vector<fs::path> build_targets(const Book& book, const BuildOptions& options,
                                    const TargetList& targets, const std::vector<Target*>& chosen,
                                    std::map<std::string, ChapterReuse>* reuse,
                                    Diagnostics& diag, Progress& progress, bool& ok) {
  std::error_code ec;
  fs::path out_dir = output_dir(options, targets, book);
  fs::create_directories(out_dir, ec);
  if (ec || !fs::is_directory(out_dir)) {
    diag.error(out_dir.string(), {}, "cannot create the output directory: " + ec.message(),
               "choose another directory with -o DIR");
    ok = false;
    return {};
  }
  sweep_stale_staged(out_dir, targets, diag);
  StagedOutputs staged;
  std::vector<TargetRun> runs;
  for (Target* t : chosen) {
    fs::path final_path = output_file(options, targets, book, *t);
    runs.push_back(TargetRun{t, final_path, staged.stage(final_path), true});
    if (reuse != nullptr) runs.back().reuse = &(*reuse)[t->name()];
  }
  ok = add_providers(book, targets, runs, diag);
  // Targets that publish first (see render_all).
  std::stable_partition(runs.begin(), runs.end(),
                        [](const TargetRun& r) { return !r.target->provides().empty(); });
  if (ok) render_all(book, runs, progress);
  // In the order the targets were chosen, whatever order their threads ended in.
  for (Target* t : chosen) {
    for (const TargetRun& r : runs) {
      if (r.target != t) continue;
      for (Diagnostic d : r.diag->all()) {
        staged.show_final_names(d);
        diag.add(std::move(d));
      }
    }
  }
  for (const TargetRun& r : runs) {
    if (std::find(chosen.begin(), chosen.end(), r.target) != chosen.end()) continue;
    for (Diagnostic d : r.diag->all()) diag.add(std::move(d));  // providers that wrote nothing
  }
  staged.check_replaceable(diag);
  for (const TargetRun& r : runs) ok = ok && r.ok;
  ok = ok && !diag.has_errors();
  std::vector<fs::path> written;
  if (ok) written = staged.commit(diag);
  return written;
}

// Fills REPORT with what reading BOOK touched: every file it read or looked for (even
// when it has errors: an author fixing book.toml needs it watched) and the folders
// whose every file belongs to the book.
void record_inputs(const BuildOptions& options, const TargetList& targets, const Book& book,
                   BuildReport& report) {
  report = BuildReport{{}, false, {}, {}, {}, {}, false, std::move(report.on_built),
                       std::move(report.incremental)};
  if (book.root.empty()) return;
  std::error_code ec;
  fs::path root(book.root);
  report.root = root;
  report.single_file = is_single_file(options.read);
  auto file = [&](const std::string& path) {
    if (path.empty()) return;
    fs::path p = fs::path(path).is_absolute() ? fs::path(path) : root / path;
    report.files.push_back(p.lexically_normal());
  };
  for (const std::string& f : book.read_files) file(f);
  if (report.single_file) file(fs::absolute(options.read.input, ec).string());
  for (const Asset& a : book.assets) {
    file(a.path);
    file(a.print_path);
  }
  file(book.pdf.style);
  for (const std::string& f : book.epub.extra_css) file(f);
  for (const std::string& f : book.epub.fonts) file(f);
  for (const std::string& f : book.pdf.fallback_fonts) file(f);
  if (!report.single_file) {
    report.trees.push_back(root);
    for (const std::string& d : book.watch_dirs)
      report.trees.push_back((root / d).lexically_normal());
    for (const std::string& d : book.source.include_dirs)
      report.trees.push_back((root / d).lexically_normal());
  }
  report.output_dir = fs::absolute(output_dir(options, targets, book), ec).lexically_normal();
}

// Appends to OUT the ids and note references of BLOCKS (and of the inlines in them), in
// document order, with the text of each heading.
void append_ids(const std::vector<Block>& blocks, std::string& out) {
  auto inline_ids = [&out](const Inline& x) {
    if (!x.attr.id.empty()) out.append(" #").append(x.attr.id);
    if (x.kind == InlineKind::NoteRef) out.append(" ^").append(std::to_string(x.note));
  };
  auto inline_list = [&](const std::vector<Inline>& xs) { for_each_inline(xs, inline_ids); };
  auto block_ids = [&](const Block& b) {
    if (!b.attr.id.empty()) out.append(" #").append(b.attr.id);
    if (b.kind == BlockKind::Heading) out.append(" h:").append(plain_text(b.inlines));
    for_each_own_inline_list(b, inline_list);
  };
  for_each_block(blocks, block_ids);
}

// Returns what, besides its own Markdown, a chapter's model depends on in BOOK after the
// passes: the book's title and language, the chapters' order, names, titles and ids
// (every element id, the targets of links), the notes' chapters, numbers and ids and
// where they are referenced, and the assets. In two builds with the same signature, a
// chapter read from the same bytes has the same model, and so the same XHTML.
std::string book_signature(const Book& book) {
  std::string s = book.meta.title + "\n" + book.meta.language + "\n";
  for (const Chapter& ch : book.chapters) {
    s.append("chapter ").append(ch.source).append("|").append(ch.id).append("|");
    s.append(ch.title).append("|").append(ch.page_title).append("|");
    s.append(std::to_string(static_cast<int>(ch.role))).append("|");
    for (int n : ch.number) s.append(std::to_string(n)).append(".");
    s.append("|").append(std::to_string(ch.depth)).append("|").append(std::to_string(ch.part));
    for (int n : ch.notes) s.append(" n").append(std::to_string(n));
    for (const std::string& id : ch.raw_ids) s.append(" #").append(id);
    append_ids(ch.blocks, s);
    s.append("\n");
  }
  for (const Note& n : book.notes) {
    s.append("note ").append(n.label).append("|").append(std::to_string(n.chapter)).append("|");
    s.append(std::to_string(n.number)).append("|").append(n.id).append("|").append(n.ref_id);
    s.append("|").append(std::to_string(n.ref_count));
    append_ids(n.blocks, s);
    s.append("\n");
  }
  for (const Asset& a : book.assets) {
    s.append("asset ").append(a.source).append("|").append(a.path).append("|").append(a.href);
    s.append("|").append(a.media_type).append("|").append(a.id).append("|");
    s.append(std::to_string(a.width)).append("x").append(std::to_string(a.height)).append("|");
    s.append(std::to_string(a.bit_depth)).append("|").append(std::to_string(a.data.size()));
    s.append("|").append(a.print_path).append("\n");
  }
  return s;
}

// Sets INC.unchanged for a build of BOOK: a chapter is unchanged when no file but
// chapters' Markdown changed since the last good build, the book's signature is the same,
// and its own file is not among those changed.
void find_unchanged(const Book& book, Incremental& inc, const std::string& signature) {
  inc.unchanged.assign(book.chapters.size(), 0);
  if (inc.everything || signature != inc.signature) return;
  std::vector<fs::path> sources;
  for (const Chapter& ch : book.chapters)
    sources.push_back((fs::path(book.root) / ch.source).lexically_normal());
  for (const fs::path& p : inc.changed)
    if (std::find(sources.begin(), sources.end(), p.lexically_normal()) == sources.end())
      return;  // not a chapter's Markdown: everything again
  for (size_t c = 0; c < sources.size(); ++c)
    inc.unchanged[c] =
        std::find(inc.changed.begin(), inc.changed.end(), sources[c]) == inc.changed.end();
}

}  // namespace

bool check_build_options(const BuildOptions& options, Console& console) {
  TargetList targets = make_targets();
  std::vector<std::string> names = target_names();
  std::string listed;
  for (const std::string& n : names) listed.append(listed.empty() ? "" : ", ").append(n);
  for (const std::string& name : options.targets) {
    if (std::find(names.begin(), names.end(), name) != names.end()) continue;
    std::string near = closest_match(name, names);
    console.error(
        "unknown target '" + name + "'",
        (near.empty() ? "" : "did you mean '" + near + "'? ") + "the targets are " + listed);
    return false;
  }
  if (Target* t = out_file_target(targets, options.out)) {
    bool agrees =
        options.targets.empty() || (options.targets.size() == 1 && options.targets[0] == t->name());
    if (!agrees) {
      console.error("-o " + options.out + " is the " + t->name() +
                        " target's file, but --target asks for more or others",
                    "give -o a folder (ending in /) to write several targets, or leave "
                    "--target out");
      return false;
    }
  }
  return true;
}

fs::path default_output_dir(const BuildOptions& options, const Book& book) {
  if (is_single_file(options.read)) {
    fs::path dir = fs::path(options.read.input).parent_path();
    return dir.empty() ? fs::path(".") : dir;
  }
  fs::path dir = fs::path(book.root_display.empty() ? "." : book.root_display) / book.build_dir;
  dir = dir.lexically_normal();
  std::string shown = dir.string();
  if (shown.size() > 1 && shown.back() == '/') shown.pop_back();
  return shown.empty() ? fs::path(".") : fs::path(shown);
}

int run_build(const BuildOptions& options, Console& console, BuildReport* report) {
  if (!check_build_options(options, console)) return kExitUsage;
  Diagnostics diag;
  Progress progress(console, options.stats);
  auto start = Clock::now();
  TargetList targets = make_targets();
  std::optional<CoverDrawing> cover;
  Book book = load(options.read, targets, diag, progress, start_cover(cover));
  if (report) record_inputs(options, targets, book, *report);
  if (diag.has_errors()) {
    console.diagnostics(diag);
    return kExitBookErrors;
  }
  std::vector<Target*> chosen = select_targets(targets, options, book);
  add_cover(book, cover, diag, progress);
  // Watch: the chapters whose XHTML the last good build's may stand for.
  Incremental* inc = report ? report->incremental.get() : nullptr;
  std::string signature;
  std::map<std::string, ChapterReuse> reuse;
  if (inc != nullptr) {
    signature = book_signature(book);
    find_unchanged(book, *inc, signature);
    for (Target* t : chosen) {
      ChapterReuse& r = reuse[t->name()];
      r.unchanged = inc->unchanged;
      auto last = inc->memos.find(t->name());
      if (last != inc->memos.end()) r.last = last->second;
    }
  }
  bool ok = true;
  std::vector<fs::path> written = build_targets(book, options, targets, chosen,
                                                inc ? &reuse : nullptr, diag, progress, ok);
  progress.stage("total", start);

  console.diagnostics(diag);
  for (const fs::path& p : written) console.say("wrote " + p.string());
  if (inc != nullptr && ok && !diag.has_errors()) {
    // What the next build may reuse; the count of chapters rendered, for the author (and
    // the tests) to see what an edit cost.
    std::string rendered;
    inc->memos.clear();
    for (auto& [name, r] : reuse) {
      if (r.next.xhtml.empty()) continue;  // no EPUB-family target
      rendered.append(rendered.empty() ? "" : ", ")
          .append(name + " " + std::to_string(r.rendered) + " of " +
                  std::to_string(book.chapters.size()));
      inc->memos[name] = std::move(r.next);
    }
    if (!rendered.empty()) console.say("chapters rendered: " + rendered);
    inc->signature = std::move(signature);
    inc->changed.clear();
    inc->everything = false;
  }
  if (!ok && !chosen.empty())
    console.say("nothing written; " + output_dir(options, targets, book).string() +
                " is as it was");
  if (report) {
    report->ok = ok && !diag.has_errors();
    std::error_code ec;
    for (const fs::path& p : written) report->written.push_back(fs::absolute(p, ec));
    if (report->ok && report->on_built)
      report->on_built(book, report->written, inc ? inc->unchanged : std::vector<char>());
  }
  keep_until_exit(std::move(book));
  return !diag.has_errors() ? kExitOk : kExitBookErrors;
}

int run_check(const CheckOptions& options, Console& console) {
  BuildOptions as_build;
  as_build.read = options.read;
  as_build.targets = options.targets;
  if (!check_build_options(as_build, console)) return kExitUsage;
  Diagnostics diag;
  Progress progress(console, options.stats);
  TargetList targets = make_targets();
  std::optional<CoverDrawing> cover;
  Book book = load(options.read, targets, diag, progress, start_cover(cover));
  std::vector<Target*> chosen = select_targets(targets, as_build, book);
  // What each target would find, when the book could be read at all: each on a thread
  // of its own, reported in the order the targets were chosen.
  if (!book.chapters.empty() && !diag.has_errors()) {
    add_cover(book, cover, diag, progress);
    std::vector<Diagnostics> found(chosen.size());
    std::vector<work::Account> units(chosen.size());
    auto run = [&](size_t i) {
      auto t0 = Clock::now();
      run_charged(&units[i], chosen[i]->name(), found[i], [&] {
        chosen[i]->check(book, found[i]);
        return true;
      });
      progress.stage(chosen[i]->name(), t0, &units[i]);
    };
    std::vector<std::thread> threads;
    std::vector<size_t> here;
    for (size_t i = 0; i < chosen.size(); ++i) {
      try {
        threads.emplace_back(run, i);
      } catch (const std::system_error&) {
        here.push_back(i);
      }
    }
    {
      ThreadJoiner joiner(threads, [] {});
      for (size_t i : here) run(i);
    }
    for (Diagnostics& f : found)
      for (Diagnostic& d : f.all()) diag.add(std::move(d));
  }
  console.diagnostics(diag);
  if (!diag.has_errors()) console.say("no errors");
  keep_until_exit(std::move(book));
  return diag.has_errors() ? kExitBookErrors : kExitOk;
}

int run_clean(const BuildOptions& options, Console& console) {
  if (!check_build_options(options, console)) return kExitUsage;
  Diagnostics diag;
  Progress progress(console);
  TargetList targets = make_targets();
  Book book = load(options.read, targets, diag, progress);
  if (book.root.empty()) {
    console.diagnostics(diag);
    return kExitBookErrors;
  }
  fs::path dir = output_dir(options, targets, book);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    console.say("nothing to clean: " + dir.string() + " does not exist");
    return kExitOk;
  }
  // In a folder of its own, everything any target writes goes (outputs of an older
  // title too); in the book's own folder or above it, only this book's files.
  fs::path real_dir = fs::weakly_canonical(fs::absolute(dir, ec), ec);
  fs::path real_root = fs::weakly_canonical(fs::path(book.root), ec);
  auto [r, d] = std::mismatch(real_root.begin(), real_root.end(), real_dir.begin(), real_dir.end());
  bool shared = d == real_dir.end();  // DIR is the root or one of its parents
  std::string stem = output_stem(options, book);
  std::vector<fs::path> gone;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    if (!e.is_regular_file(ec)) continue;
    std::string name = e.path().filename().string();
    if (std::optional<StagedName> staged = parse_staged(name)) name = staged->output;
    Target* t = target_for_file(targets, name);
    if (t == nullptr) continue;
    if (shared && name != stem + t->extension()) continue;
    if (fs::remove(e.path(), ec)) gone.push_back(e.path());
  }
  for (const fs::path& p : gone) console.detail("removed " + p.string());
  bool own_folder = options.out.empty() && !shared && !is_single_file(options.read);
  if (own_folder && fs::is_empty(dir, ec) && fs::remove(dir, ec)) {
    console.say("removed " + dir.string() + (gone.empty() ? "" : " and the files in it"));
  } else {
    console.say("removed " + std::to_string(gone.size()) +
                (gone.size() == 1 ? " file from " : " files from ") + dir.string());
  }
  return kExitOk;
}

int run_dump(const ReadOptions& options, bool pages, std::ostream& out, Console& console) {
  Diagnostics diag;
  Console silent(console.stream(), Verbosity::Quiet, false);
  Progress progress(silent);
  Book book = load(options, make_targets(), diag, progress);
  // The model is worth seeing even when it has errors: that is when one looks.
  if (!pages) out << dump_book(book);
  else if (!diag.has_errors()) out << dump_pages(book, diag);
  console.diagnostics(diag);
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

std::vector<KeyTable> config_catalogue() {
  std::vector<KeyTable> tables = config_key_tables();
  for (const auto& t : make_targets()) tables.push_back({"output." + t->name(), t->keys()});
  for (const KeyTable& t : style_key_tables()) tables.push_back(t);
  return tables;
}

std::vector<std::string> target_names() {
  std::vector<std::string> out;
  for (const auto& t : make_targets()) out.push_back(t->name());
  return out;
}

}  // namespace colophon
