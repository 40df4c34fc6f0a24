// The command line: the commands, their options, and which function each one runs.
#pragma once
#include <string>
#include <vector>

namespace colophon {

// One command of the command line, as `colophon help` lists it.
struct CommandInfo {
  std::string name;                  // "build"
  std::string summary;               // its line in the list of commands
  std::vector<std::string> options;  // every spelling of every option ("-o", "--out")
};

// Parses ARGV, runs the command it names and returns the exit code (0, 1 or 2).
int run_command_line(int argc, const char* const* argv);

// Returns every command with its options, and the global options as a command named
// "" (for the test that the guide documents each of them).
std::vector<CommandInfo> command_line_catalogue();

}  // namespace colophon
