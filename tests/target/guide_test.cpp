// The guide matches the tool: every book.toml key, style key and command-line option,
// taken from the code's own tables, is mentioned in code (`key`, or a code block) in
// the user guide under book/src.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "cli/app.h"
#include "cli/driver.h"

namespace colophon {

namespace {

namespace fs = std::filesystem;

// Returns the code of every page of the guide: inline code spans and code blocks.
std::string guide_code() {
  std::string code;
  for (const auto& e : fs::directory_iterator(fs::path(COLOPHON_SOURCE_DIR) / "book" / "src")) {
    if (e.path().extension() != ".md") continue;
    std::ifstream in(e.path());
    std::string line;
    bool fenced = false;
    while (std::getline(in, line)) {
      if (line.rfind("```", 0) == 0) {
        fenced = !fenced;
        continue;
      }
      if (fenced) {
        code += line + "\n";
        continue;
      }
      for (size_t open = line.find('`'); open != std::string::npos;) {
        size_t close = line.find('`', open + 1);
        if (close == std::string::npos) break;
        code += line.substr(open + 1, close - open - 1) + "\n";
        open = line.find('`', close + 1);
      }
    }
  }
  return code;
}

// Tells whether WORD stands in TEXT as a whole word (not inside a longer key).
bool mentions(const std::string& text, const std::string& word) {
  auto part = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; };
  for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
    bool before = at == 0 || !part(text[at - 1]) || (word[0] == '-' && text[at - 1] != '-');
    bool after = at + word.size() == text.size() || !part(text[at + word.size()]);
    if (before && after) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("guide: every book.toml key, style key and command-line option is documented") {
  std::string code = guide_code();
  REQUIRE(code.size() > 1000);
  std::string missing;
  for (const KeyTable& table : config_catalogue()) {
    for (const std::string& key : table.keys)
      if (!mentions(code, key)) missing += "  key '" + key + "' of [" + table.name + "]\n";
  }
  for (const CommandInfo& cmd : command_line_catalogue()) {
    if (!cmd.name.empty() && !mentions(code, "colophon " + cmd.name))
      missing += "  command '" + cmd.name + "'\n";
    for (const std::string& option : cmd.options)
      if (!mentions(code, option))
        missing += "  option '" + option + "' of colophon " + cmd.name + "\n";
  }
  INFO("not in the guide (book/src), in code:\n" << missing);
  CHECK(missing.empty());
}

}  // namespace colophon
