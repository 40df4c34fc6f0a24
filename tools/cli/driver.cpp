#include "cli/driver.h"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <thread>

#include <unistd.h>

#include "core/clock.h"
#include "core/paths.h"
#include "core/text.h"
#include "epub/epub.h"
#include "passes/passes.h"
#include "pdf/pdf.h"

namespace colophon {

namespace {

using Clock = std::chrono::steady_clock;

// Prints one progress line per stage: `colophon: read      12.3 ms`.
class Progress {
 public:
  Progress(bool quiet, std::ostream& err) : quiet_(quiet), err_(err) {}
  void stage(const char* name, Clock::time_point since) {
    if (quiet_) return;
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - since).count();
    char buf[96];
    std::snprintf(buf, sizeof buf, "colophon: %-8s %8.1f ms\n", name, ms);
    err_ << buf;
  }

 private:
  bool quiet_;
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

// Reads the book and runs the passes: the part every command shares.
Book load(const ReadOptions& options, Diagnostics& diag, Progress& progress) {
  auto t0 = Clock::now();
  Book book = read_book(options, diag);
  progress.stage("read", t0);
  if (book.chapters.empty()) return book;
  auto t1 = Clock::now();
  run_passes(book, diag);
  progress.stage("passes", t1);
  return book;
}

// Returns the name a backend writes FINAL under until the build is known to be good:
// hidden, in the same directory (so the rename is atomic), unique to this process.
fs::path staged(const fs::path& final_path) {
  std::string name = ".";
  name.append(final_path.filename().string())
      .append(".")
      .append(std::to_string(static_cast<long>(getpid())))
      .append(".staged");
  return final_path.parent_path() / name;
}

// Replaces every FROM in TEXT with TO.
void replace_all(std::string& text, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

// Renames STAGE over FINAL; reports a failure against FINAL.
bool commit(const fs::path& stage, const fs::path& final_path, Diagnostics& diag) {
  std::error_code ec;
  fs::rename(stage, final_path, ec);
  if (!ec) return true;
  diag.error(final_path.string(), {}, "cannot replace the file: " + ec.message(),
             "check that " + final_path.string() + " is a file you may overwrite");
  return false;
}

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
  Progress progress(options.quiet, err);
  auto start = Clock::now();
  Book book = load(options.read, diag, progress);
  if (diag.has_errors()) {
    report(diag, options.quiet, err);
    return kExitBookErrors;
  }

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
  fs::path epub_path = out_dir / (slug + ".epub");
  fs::path pdf_path = out_dir / (slug + ".pdf");
  // Each backend writes a staged file beside the final one; both are renamed into place
  // only when the whole build has no error, so a failed build leaves dist/ as it was.
  fs::path epub_stage = staged(epub_path), pdf_stage = staged(pdf_path);
  // Removed below on every normal way out; removed at exit if a library ends the process.
  for (const fs::path* p : {&epub_stage, &pdf_stage}) remove_at_exit(p->string());
  Diagnostics backend_diag;

  // The two backends share nothing but the (now read-only) model: run them at once.
  bool epub_ok = true, pdf_ok = true;
  Clock::time_point epub_start{}, pdf_start{};
  std::thread pdf_thread;
  if (options.pdf) {
    pdf_thread = std::thread([&] {
      pdf_start = Clock::now();
      pdf_ok = write_pdf(book, pdf_stage, backend_diag);
      progress.stage("pdf", pdf_start);
    });
  }
  if (options.epub) {
    epub_start = Clock::now();
    epub_ok = write_epub(book, epub_stage, backend_diag);
    progress.stage("epub", epub_start);
  }
  if (pdf_thread.joinable()) pdf_thread.join();
  // Messages name the files the user asked for, not the staged ones.
  for (Diagnostic d : backend_diag.all()) {
    for (std::string* text : {&d.file, &d.message, &d.hint}) {
      replace_all(*text, epub_stage.string(), epub_path.string());
      replace_all(*text, pdf_stage.string(), pdf_path.string());
    }
    diag.add(std::move(d));
  }
  // A directory where a file goes cannot be replaced: say so before renaming either
  // file, so the two outputs are replaced together or not at all.
  for (auto [wanted, path] : {std::pair{options.epub, &epub_path}, {options.pdf, &pdf_path}})
    if (wanted && fs::is_directory(*path, ec))
      diag.error(path->string(), {}, "cannot replace a directory with the output file",
                 "move the directory " + path->string() + " away, or choose another -o DIR");
  bool ok = epub_ok && pdf_ok && !diag.has_errors();
  bool wrote_epub = false, wrote_pdf = false;
  if (ok && options.epub) wrote_epub = commit(epub_stage, epub_path, diag);
  if (ok && options.pdf) wrote_pdf = commit(pdf_stage, pdf_path, diag);
  fs::remove(epub_stage, ec);
  fs::remove(pdf_stage, ec);
  for (const fs::path* p : {&epub_stage, &pdf_stage}) keep_at_exit(p->string());
  progress.stage("total", start);

  report(diag, options.quiet, err);
  if (!options.quiet) {
    if (wrote_epub) err << "colophon: wrote " << epub_path.string() << '\n';
    if (wrote_pdf) err << "colophon: wrote " << pdf_path.string() << '\n';
    if (!ok && (options.epub || options.pdf))
      err << "colophon: nothing written; " << out_dir.string() << " is as it was\n";
  }
  keep_until_exit(std::move(book));
  return !diag.has_errors() ? kExitOk : kExitBookErrors;
}

int run_check(const ReadOptions& options, bool quiet, std::ostream& err) {
  Diagnostics diag;
  Progress progress(quiet, err);
  load(options, diag, progress);
  report(diag, quiet, err);
  if (!diag.has_errors() && !quiet) err << "colophon: no errors\n";
  return diag.has_errors() ? kExitBookErrors : kExitOk;
}

int run_dump(const ReadOptions& options, bool pages, std::ostream& out, std::ostream& err) {
  Diagnostics diag;
  Progress progress(true, err);
  Book book = load(options, diag, progress);
  // The model is worth seeing even when it has errors: that is when one looks.
  if (!pages) out << dump_book(book);
  else if (!diag.has_errors()) out << dump_pages(book, diag);
  report(diag, false, err);
  return diag.has_errors() ? kExitBookErrors : kExitOk;
}

}  // namespace colophon
