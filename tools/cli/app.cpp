#include "cli/app.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <new>

#include "cli/console.h"
#include "cli/driver.h"
#include "cli/serve.h"
#include "cli/watch.h"
#include "core/clock.h"
#include "core/text.h"
#include "read/config.h"

namespace colophon {

namespace {

namespace fs = std::filesystem;

constexpr const char* kVersionLine = "colophon " COLOPHON_VERSION;

// Picks the book when none is named: the current directory if it holds a book, else
// ./book (so `colophon build` works from this repository's root too).
std::string default_input() {
  if (fs::exists("book.toml") || fs::exists("src/SUMMARY.md") || !fs::exists("book/book.toml"))
    return ".";
  return "book";
}

// Checks --lang as it is parsed, so a bad tag is a usage error (exit 2).
CLI::Validator language_tag() {
  return CLI::Validator(
      [](std::string& tag) -> std::string {
        if (is_language_tag(tag)) return {};
        return "'" + tag + "' is not a BCP 47 language tag (such as en, en-GB, de, fr-CA)";
      },
      "TAG");
}

// The whole command line: the CLI11 description of every command, bound to the options
// of the functions that run them.
class CommandLine {
 public:
  CommandLine();

  // Parses and runs ARGV.
  int run(int argc, const char* const* argv);
  // Lists the commands and their options.
  std::vector<CommandInfo> catalogue() const;

 private:
  // Adds the book argument and the single-file options shared by every reading command.
  void add_read_options(CLI::App* cmd, ReadOptions& read);
  // Adds -q and -v, which work after the command name too.
  void add_verbosity(CLI::App* cmd);
  // Adds the options watch and serve share: the read options, and -o and -t as for build.
  void add_watch_options(CLI::App* cmd, BuildOptions& build);
  // Prints the list of commands (`colophon`, `colophon help`).
  void print_commands(std::ostream& out) const;
  // Returns the spellings of the options of CMD and of the whole program.
  std::vector<std::string> option_names(const CLI::App* cmd) const;
  // Reports the words no option or command took; false when there were any.
  bool check_leftovers(Console& console) const;
  // Reports options that do not apply to what is read; false when there were any.
  bool check_read_options(const CLI::App* cmd, const ReadOptions& read, Console& console) const;
  // Runs the command that was parsed.
  int dispatch(Console& console);

  CLI::App app_{"colophon: builds a Markdown book into EPUB 3 and PDF", "colophon"};
  CLI::App* build_cmd_ = nullptr;
  CLI::App* check_cmd_ = nullptr;
  CLI::App* clean_cmd_ = nullptr;
  CLI::App* watch_cmd_ = nullptr;
  CLI::App* serve_cmd_ = nullptr;
  CLI::App* new_cmd_ = nullptr;
  CLI::App* dump_cmd_ = nullptr;
  CLI::App* help_cmd_ = nullptr;
  std::vector<CLI::App*> commands_;  // in the order `colophon help` lists them

  bool quiet_ = false;
  bool verbose_ = false;
  bool list_commands_ = false;
  BuildOptions build_;
  std::string format_;
  CheckOptions check_;
  BuildOptions clean_;
  BuildOptions watch_;
  ServeOptions serve_;
  std::string new_dir_, new_title_;
  ReadOptions dump_;
  bool pages_ = false;
  std::string help_topic_;
};

void CommandLine::add_read_options(CLI::App* cmd, ReadOptions& read) {
  read.input.clear();  // empty = not given; see default_input()
  cmd->add_option("input", read.input, "Book folder or single Markdown file")
      ->default_str(". (or ./book when . holds no book)");
  cmd->add_option("--title", read.title,
                  "Title of a single-file book (default: its first heading)");
  cmd->add_option("--author", read.author, "Author of a single-file book");
  cmd->add_option("--lang", read.lang, "Language of a single-file book (default: en)")
      ->check(language_tag());
  cmd->add_option("--dead-links,--missing-anchors", read.dead_links,
                  "A link to a missing file or #fragment is a warning (default) or an error")
      ->check(CLI::IsMember({"error", "warning"}));
  cmd->add_flag("--safe", read.safe,
                "For books you do not trust: read nothing outside the book folder, run no "
                "preprocessor command");
}

void CommandLine::add_verbosity(CLI::App* cmd) {
  cmd->add_flag("-q,--quiet", quiet_, "Print only errors");
  cmd->add_flag("-v,--verbose", verbose_, "Print every stage with its time, and more");
}

void CommandLine::add_watch_options(CLI::App* cmd, BuildOptions& build) {
  add_read_options(cmd, build.read);
  cmd->add_option("-o,--out", build.out, "Output file or folder, as for build");
  cmd->add_option("-t,--target", build.targets, "Targets to write, as for build")->delimiter(',');
}

CommandLine::CommandLine() {
  // Words no option takes are collected and reported with a suggestion (check_leftovers)
  // rather than by CLI11; subcommands inherit this when they are made.
  app_.allow_extras();
  app_.require_subcommand(0, 1);
  std::string target_help =
      "Targets to write, comma-separated (default: those with an [output.NAME] table in "
      "book.toml, else epub and pdf):\n" +
      describe_targets();
  if (!target_help.empty() && target_help.back() == '\n') target_help.pop_back();

  build_cmd_ =
      app_.add_subcommand("build", "Build the book into EPUB and PDF (or the targets asked for)");
  add_read_options(build_cmd_, build_.read);
  build_cmd_->add_option("-o,--out", build_.out,
                         "Output file (FILE.epub, FILE.pdf: that target only) or folder "
                         "(default: [build] build-dir next to book.toml, else book/; a "
                         "single file's own folder)");
  CLI::Option* target_opt =
      build_cmd_->add_option("-t,--target", build_.targets, target_help)->delimiter(',');
  build_cmd_->add_option("--format", format_, "Older spelling: epub, pdf, or all (= epub,pdf)")
      ->check(CLI::IsMember({"epub", "pdf", "all"}))
      ->excludes(target_opt);
  build_cmd_->add_flag("--stats", build_.stats,
                       "Print the units of work each stage counted (for tests of linear time)");
  add_verbosity(build_cmd_);

  check_cmd_ = app_.add_subcommand(
      "check", "Report every error and warning a build would find, writing nothing");
  add_read_options(check_cmd_, check_.read);
  check_cmd_
      ->add_option("-t,--target", check_.targets,
                   "Check for these targets (default: those a build would write), "
                   "with what their stores or devices refuse")
      ->delimiter(',');
  check_cmd_->add_flag("--stats", check_.stats, "Print the units of work each stage counted");
  add_verbosity(check_cmd_);

  watch_cmd_ = app_.add_subcommand(
      "watch", "Build the book, then again whenever one of its files changes (Ctrl-C stops)");
  add_watch_options(watch_cmd_, watch_);
  add_verbosity(watch_cmd_);

  serve_cmd_ = app_.add_subcommand(
      "serve", "Watch the book and show it in a browser, reloaded after each build");
  add_watch_options(serve_cmd_, serve_.build);
  serve_cmd_
      ->add_option("-p,--port", serve_.port,
                   "Port on 127.0.0.1 to serve the preview on (0: any free port)")
      ->default_val(3000)
      ->check(CLI::Range(0, 65535));
  serve_cmd_->add_flag("--open", serve_.open, "Open the preview in the desktop's browser");
  add_verbosity(serve_cmd_);

  clean_cmd_ = app_.add_subcommand("clean", "Remove the files build wrote next to the book");
  add_read_options(clean_cmd_, clean_.read);
  clean_cmd_->add_option("-o,--out", clean_.out, "The folder to clean, when built with -o DIR");
  add_verbosity(clean_cmd_);

  new_cmd_ = app_.add_subcommand("new", "Create a small book that builds at once");
  new_cmd_->add_option("dir", new_dir_, "Folder to create")->required();
  new_cmd_->add_option("--title", new_title_, "Title of the new book");
  add_verbosity(new_cmd_);

  dump_cmd_ = app_.add_subcommand("dump", "Print the book model (or the PDF pages) as text");
  add_read_options(dump_cmd_, dump_);
  dump_cmd_->add_flag("--pages", pages_, "Print the laid-out PDF pages instead of the model");
  add_verbosity(dump_cmd_);

  help_cmd_ = app_.add_subcommand("help", "List the commands, or show one command's options");
  help_cmd_->add_option("command", help_topic_, "The command to explain");

  commands_ = {build_cmd_, check_cmd_, watch_cmd_, serve_cmd_,
               clean_cmd_, new_cmd_,   dump_cmd_,  help_cmd_};

  // The program's own options: -h lists the commands (the subcommands made above keep
  // CLI11's -h, which shows their options).
  app_.set_help_flag();
  app_.add_flag("-h,--help", list_commands_, "List the commands");
  app_.set_version_flag("-V,--version", std::string(kVersionLine));
  add_verbosity(&app_);
}

void CommandLine::print_commands(std::ostream& out) const {
  out << kVersionLine << ": builds a Markdown book into EPUB 3 and PDF\n\n"
      << "Usage: colophon COMMAND [BOOK] [OPTIONS]\n\nCommands:\n";
  for (const CLI::App* cmd : commands_) {
    std::string name = "  " + cmd->get_name();
    name.resize(10, ' ');
    out << name << cmd->get_description() << '\n';
  }
  out << "\nOptions:\n"
      << "  -q, --quiet    print only errors\n"
      << "  -v, --verbose  print every stage with its time, and more\n"
      << "  -V, --version  print the version\n\n"
      << "BOOK is a folder with book.toml (default: the current one) or one Markdown file.\n"
      << "`colophon help COMMAND` shows the options of a command.\n";
}

std::vector<std::string> CommandLine::option_names(const CLI::App* cmd) const {
  std::vector<std::string> names;
  for (const CLI::App* a : {cmd, static_cast<const CLI::App*>(&app_)}) {
    if (a == nullptr) continue;
    for (const CLI::Option* o : a->get_options()) {
      for (const std::string& n : o->get_lnames()) names.push_back("--" + n);
      for (const std::string& n : o->get_snames()) names.push_back("-" + n);
    }
  }
  return names;
}

std::vector<CommandInfo> CommandLine::catalogue() const {
  std::vector<CommandInfo> out;
  CommandInfo global{"", "", {}};
  for (const CLI::Option* o : app_.get_options()) {
    for (const std::string& n : o->get_lnames()) global.options.push_back("--" + n);
    for (const std::string& n : o->get_snames()) global.options.push_back("-" + n);
  }
  out.push_back(global);
  for (const CLI::App* cmd : commands_) {
    CommandInfo info{cmd->get_name(), cmd->get_description(), {}};
    for (const CLI::Option* o : cmd->get_options()) {
      if (o->get_lnames().empty() && o->get_snames().empty()) continue;  // a positional
      for (const std::string& n : o->get_lnames()) info.options.push_back("--" + n);
      for (const std::string& n : o->get_snames()) info.options.push_back("-" + n);
    }
    out.push_back(std::move(info));
  }
  return out;
}

bool CommandLine::check_leftovers(Console& console) const {
  std::vector<std::string> command_names;
  for (const CLI::App* cmd : commands_) command_names.push_back(cmd->get_name());
  const CLI::App* parsed = nullptr;
  for (const CLI::App* cmd : commands_)
    if (cmd->parsed()) parsed = cmd;
  // Words before the command (or with no command), then those after it.
  std::vector<std::pair<const CLI::App*, std::string>> leftovers;
  for (const std::string& w : app_.remaining()) leftovers.emplace_back(nullptr, w);
  if (parsed)
    for (const std::string& w : parsed->remaining()) leftovers.emplace_back(parsed, w);
  for (const auto& [cmd, word] : leftovers) {
    std::string where = cmd ? "colophon " + cmd->get_name() : "colophon";
    std::string help = cmd ? "colophon " + cmd->get_name() + " --help lists its options"
                           : "colophon help lists the commands and options";
    if (word.size() > 1 && word[0] == '-') {
      std::string name = word.substr(0, word.find('='));
      std::string near = closest_match(name, option_names(cmd));
      console.error("unknown option '" + name + "' for " + where,
                    (near.empty() ? "" : "did you mean '" + near + "'? ") + help);
      return false;
    }
    if (cmd == nullptr && parsed == nullptr) {
      std::string near = closest_match(word, command_names);
      console.error("unknown command '" + word + "'",
                    (near.empty() ? "" : "did you mean '" + near + "'? ") +
                        "colophon help lists the commands");
      return false;
    }
    console.error("unexpected argument '" + word + "' for " + where,
                  cmd ? "the command takes one book, a folder or a .md file; " + help : help);
    return false;
  }
  return true;
}

bool CommandLine::check_read_options(const CLI::App* cmd, const ReadOptions& read,
                                     Console& console) const {
  std::error_code ec;
  if (!fs::is_directory(read.input, ec)) return true;
  for (const char* name : {"--title", "--author", "--lang"}) {
    if (cmd->count(name) == 0) continue;
    console.error(std::string(name) +
                      " applies to a single Markdown file, not to the book "
                      "folder " +
                      read.input,
                  std::string("set ") +
                      (name[2] == 't'   ? "title"
                       : name[2] == 'a' ? "authors"
                                        : "language") +
                      " under [book] in book.toml instead");
    return false;
  }
  return true;
}

int CommandLine::dispatch(Console& console) {
  if (*build_cmd_) {
    if (format_ == "all") {
      build_.targets = {"epub", "pdf"};
    } else if (!format_.empty()) {
      build_.targets = {format_};
    }
    return run_build(build_, console);
  }
  if (*check_cmd_) return run_check(check_, console);
  if (*clean_cmd_) return run_clean(clean_, console);
  if (*watch_cmd_) return run_watch(watch_, console);
  if (*serve_cmd_) return run_serve(serve_, console);
  if (*dump_cmd_) return run_dump(dump_, pages_, std::cout, console);
  if (*new_cmd_) return run_new(new_dir_, new_title_, console);
  if (*help_cmd_ && !help_topic_.empty()) {
    for (const CLI::App* cmd : commands_) {
      if (cmd->get_name() != help_topic_) continue;
      std::cout << cmd->help("colophon");
      return kExitOk;
    }
    std::vector<std::string> names;
    for (const CLI::App* cmd : commands_) names.push_back(cmd->get_name());
    std::string near = closest_match(help_topic_, names);
    console.error(
        "unknown command '" + help_topic_ + "'",
        (near.empty() ? "" : "did you mean '" + near + "'? ") + "colophon help lists the commands");
    return kExitUsage;
  }
  if (*help_cmd_ || list_commands_) {  // `colophon help`, `colophon -h`
    print_commands(std::cout);
    return kExitOk;
  }
  // `colophon` alone: the command is missing, as for mdBook a usage error, answered
  // with the list of commands.
  print_commands(std::cerr);
  return kExitUsage;
}

int CommandLine::run(int argc, const char* const* argv) {
  Console usage(std::cerr, Verbosity::Normal, colour_wanted(STDERR_FILENO));
  try {
    app_.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app_.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app_.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app_.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string command;
    for (int i = 1; i < argc && command.empty(); ++i)
      for (const CLI::App* cmd : commands_)
        if (cmd->get_name() == argv[i]) command = cmd->get_name();
    usage.error(e.what(), command.empty() ? "colophon help lists the commands and options"
                                          : "colophon " + command + " --help lists its options");
    return kExitUsage;
  }
  if (!check_leftovers(usage)) return kExitUsage;
  if (quiet_ && verbose_) {
    usage.error("-q and -v ask for opposite things", "give one of them");
    return kExitUsage;
  }
  if (*build_cmd_ || *check_cmd_ || *watch_cmd_ || *serve_cmd_ || *dump_cmd_) {
    if (std::string problem = source_date_epoch_problem(); !problem.empty()) {
      usage.error(problem,
                  "set it to the seconds since 1970-01-01 UTC (git log -1 --format=%ct gives "
                  "the last commit's), or unset it to use the current time");
      return kExitUsage;
    }
  }
  for (ReadOptions* r :
       {&build_.read, &check_.read, &clean_.read, &watch_.read, &serve_.build.read, &dump_})
    if (r->input.empty()) r->input = default_input();
  for (auto [cmd, read] : {std::pair{build_cmd_, &build_.read},
                           {check_cmd_, &check_.read},
                           {clean_cmd_, &clean_.read},
                           {watch_cmd_, &watch_.read},
                           {serve_cmd_, &serve_.build.read},
                           {dump_cmd_, &dump_}})
    if (*cmd && !check_read_options(cmd, *read, usage)) return kExitUsage;

  Verbosity verbosity = quiet_     ? Verbosity::Quiet
                        : verbose_ ? Verbosity::Verbose
                                   : Verbosity::Normal;
  Console console(std::cerr, verbosity, usage.colour());
  try {
    return dispatch(console);
  } catch (const std::bad_alloc&) {
    console.error("out of memory", "close other programs, or raise the memory limit (ulimit -v)");
    return kExitBookErrors;
  } catch (const std::exception& e) {
    // Every stage reports through Diagnostics; reaching here is a bug in colophon.
    console.error(std::string("internal error: ") + e.what(),
                  "please report this with the book that caused it");
    return kExitBookErrors;
  }
}

}  // namespace

int run_command_line(int argc, const char* const* argv) {
  CommandLine cli;
  return cli.run(argc, argv);
}

std::vector<CommandInfo> command_line_catalogue() {
  CommandLine cli;
  return cli.catalogue();
}

}  // namespace colophon
