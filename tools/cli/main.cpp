// colophon: builds a Markdown book into EPUB 3 and PDF.
#include <CLI/CLI.hpp>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <new>

#include "cli/driver.h"

namespace {

using namespace colophon;

// Picks the book when none is named: the current directory if it holds a book, else
// ./book (so `colophon build` works from this repository's root too).
std::string default_input() {
  namespace fs = std::filesystem;
  if (fs::exists("book.toml") || fs::exists("src/SUMMARY.md") || !fs::exists("book/book.toml"))
    return ".";
  return "book";
}

// Adds the single-file flags shared by build, check and dump.
void add_read_options(CLI::App* cmd, ReadOptions& read) {
  read.input.clear();  // empty = not given; see default_input()
  cmd->add_option("input", read.input, "Book directory or single Markdown file")
      ->default_str(". (or ./book when . holds no book)");
  cmd->add_option("--title", read.title, "Title of a single-file book (default: first heading)");
  cmd->add_option("--author", read.author, "Author of a single-file book");
  cmd->add_option("--lang", read.lang, "Language of a single-file book (default: en)");
  cmd->add_option("--missing-anchors", read.missing_anchors,
                  "A link to a missing #fragment is an error (default) or a warning")
      ->check(CLI::IsMember({"error", "warning"}));
  cmd->add_flag("--safe", read.safe,
                "For books you do not trust: read nothing outside the book folder, run no "
                "preprocessor command");
}

}  // namespace

int main(int argc, char** argv) {
  // Past a file-size limit (ulimit -f) the kernel would kill us with SIGXFSZ and leave
  // a temporary file behind; ignored, the write fails with EFBIG and is reported.
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app{"colophon: builds a Markdown book into EPUB 3 and PDF"};
  app.set_version_flag("--version", std::string("colophon ") + COLOPHON_VERSION);
  app.require_subcommand(1);
  bool quiet = false;
  app.add_flag("-q,--quiet", quiet, "Print only errors");

  std::string target_help =
      "Targets to write, comma-separated (default: those with an [output.NAME] table in "
      "book.toml, else epub and pdf):\n" +
      describe_targets();
  if (!target_help.empty() && target_help.back() == '\n') target_help.pop_back();
  BuildOptions build;
  std::string format;
  CLI::App* build_cmd = app.add_subcommand("build", "Build the book into EPUB and PDF");
  add_read_options(build_cmd, build.read);
  build_cmd->add_option("-o,--out", build.out_dir, "Output directory")->default_str("dist");
  CLI::Option* target_opt =
      build_cmd->add_option("-t,--target", build.targets, target_help)->delimiter(',');
  build_cmd->add_option("--format", format, "Older spelling: epub, pdf, or all (= epub,pdf)")
      ->check(CLI::IsMember({"epub", "pdf", "all"}))
      ->excludes(target_opt);
  build_cmd->add_flag("-q,--quiet", quiet, "Print only errors");
  build_cmd->add_flag("--stats", build.stats,
                      "Print the units of work each stage counted (for tests of linear time)");

  CheckOptions check;
  CLI::App* check_cmd = app.add_subcommand("check", "Check the book without writing anything");
  add_read_options(check_cmd, check.read);
  check_cmd->add_option("-t,--target", check.targets,
                        "Also report what these targets' stores or devices would refuse")
      ->delimiter(',');
  check_cmd->add_flag("-q,--quiet", quiet, "Print only errors");
  check_cmd->add_flag("--stats", check.stats, "Print the units of work each stage counted");

  std::string new_dir, new_title;
  CLI::App* new_cmd = app.add_subcommand("new", "Create a small book that builds at once");
  new_cmd->add_option("dir", new_dir, "Directory to create")->required();
  new_cmd->add_option("--title", new_title, "Title of the new book");
  new_cmd->add_flag("-q,--quiet", quiet, "Print only errors");

  ReadOptions dump;
  bool pages = false;
  CLI::App* dump_cmd = app.add_subcommand("dump", "Print the book model (or the PDF pages) as text");
  add_read_options(dump_cmd, dump);
  dump_cmd->add_flag("--pages", pages, "Print the laid-out PDF pages instead of the model");
  dump_cmd->add_flag("-q,--quiet", quiet, "Print only errors");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }

  for (ReadOptions* r : {&build.read, &check.read, &dump})
    if (r->input.empty()) r->input = default_input();

  try {
    if (*build_cmd) {
      build.quiet = quiet;
      if (format == "all") {
        build.targets = {"epub", "pdf"};
      } else if (!format.empty()) {
        build.targets = {format};
      }
      return run_build(build, std::cerr);
    }
    if (*check_cmd) {
      check.quiet = quiet;
      return run_check(check, std::cerr);
    }
    if (*dump_cmd) return run_dump(dump, pages, std::cout, std::cerr);
    if (*new_cmd) return run_new(new_dir, new_title, quiet, std::cerr);
  } catch (const std::bad_alloc&) {
    std::cerr << "colophon: error: out of memory\n"
              << "  hint: close other programs, or raise the memory limit (ulimit -v)\n";
    return kExitBookErrors;
  } catch (const std::exception& e) {
    // Every stage reports through Diagnostics; reaching here is a bug in colophon.
    std::cerr << "colophon: internal error: " << e.what() << '\n'
              << "  hint: please report this with the book that caused it\n";
    return kExitBookErrors;
  }
  return kExitUsage;
}
