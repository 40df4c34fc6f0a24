// mdBook's preprocessors: the built-in `links` and `index`, and the commands named in
// book.toml ([preprocessor.NAME]) run with mdBook's JSON protocol. `admonish` is built
// in too (PreprocessorSpec::builtin): the Markdown reader reads its blocks
// (read/admonish.h), so no command runs for it. Internal to the reader.
#pragma once
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.h"
#include "model/model.h"
#include "read/links.h"
#include "read/mapped_text.h"
#include "read/yaml_meta.h"

namespace colophon {

// The renderer name colophon gives preprocessors (`supports colophon`, and "renderer"
// in the context): neither "html" nor "epub", since it writes both an EPUB and a PDF.
inline constexpr std::string_view kRendererName = "colophon";

// The mdBook version whose protocol colophon speaks ("mdbook_version" in the context).
inline constexpr std::string_view kMdbookVersion = "0.5.0";

// How long a preprocessor command may run before it is stopped (only ever hit by a
// command that hangs: real ones take seconds).
inline constexpr std::chrono::seconds kCommandTimeout{300};

// What running a command gave.
struct CommandResult {
  enum class Status { Ok, NotFound, CannotStart, TimedOut };
  Status status = Status::CannotStart;
  int exit_code = -1;    // Ok: the exit status (128 + N when killed by signal N)
  std::string out, err;  // everything it printed
  std::string problem;   // CannotStart: why
};

// Runs ARGV (ARGV[0] looked up on PATH when it has no '/') in DIR with INPUT on its
// standard input, reading its output and errors as they come (no deadlock however much
// either side writes); after TIMEOUT the command and its process group are killed. Never
// leaves a zombie.
CommandResult run_command(const std::vector<std::string>& argv, const std::filesystem::path& dir,
                          std::string_view input, std::chrono::milliseconds timeout);

// Returns the names of the preprocessors to run, in mdBook's order: `links` and `index`
// (unless use-default-preprocessors = false) and every [preprocessor.NAME], sorted by
// their `before` and `after` (names that nothing orders run in alphabetical order).
// A cycle is an error.
std::vector<std::string> preprocessor_order(const Book& book, Diagnostics& diag);

// Returns the command line of each preprocessor of ORDER that is a command (not built
// in) and will run for colophon, by name: asked `supports colophon` (unless its `renderers` name
// colophon); one that cannot be found is one warning, one that does not support us a
// note, and under --safe none runs (a warning each).
std::map<std::string, std::vector<std::string>> commands_to_run(
    const Book& book, const std::vector<std::string>& order, Diagnostics& diag);

// One chapter's text on its way through the preprocessors.
struct ChapterSource {
  bool read = false;                   // the file could be read
  std::string text;                    // the current text, without a byte-order mark
  std::unique_ptr<SourceMap> map;      // where TEXT came from; null = the file as it is
  std::string page_title;              // {{#title ...}}
  std::vector<Diagnostic> found;       // problems found on the way, in order
  std::unique_ptr<YamlMetadata> yaml;  // the first chapter's YAML metadata block
};

// Reads every chapter of BOOK and runs the preprocessors of ORDER over them in turn
// (links under RULES; index; the COMMANDS that commands_to_run found, with the JSON
// protocol).
std::vector<ChapterSource> preprocess_book(
    Book& book, const std::vector<std::string>& order,
    const std::map<std::string, std::vector<std::string>>& commands, const IncludeRules& rules,
    Diagnostics& diag);

}  // namespace colophon
