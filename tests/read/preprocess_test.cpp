// mdBook preprocessors named in book.toml, run with mdBook's JSON protocol: small
// scripts that add a paragraph, fail, do not support us, or are missing; the order of
// preprocessors; and the command runner (timeout, large output both ways).
#include "read/preprocess.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>

#include "model/model.h"
#include "read/read.h"

using namespace colophon;
namespace fs = std::filesystem;

namespace {

// A preprocessor in Python: `supports colophon` says yes (or no when REFUSE), and the
// run appends a paragraph naming the renderer and the book's title to every chapter.
constexpr const char* kAddParagraph = R"(import json, sys
if len(sys.argv) > 1 and sys.argv[1] == "supports":
    sys.exit(1 if "refuse" in sys.argv[0] else 0)
ctx, book = json.load(sys.stdin)
def walk(items):
    for item in items:
        if isinstance(item, dict) and "Chapter" in item:
            ch = item["Chapter"]
            ch["content"] = "Inserted first.\n\n" + ch["content"] + "\nAdded for " + ctx["renderer"] + \
                " to " + ctx["config"]["book"]["title"] + ", chapter " + ch["source_path"] + ".\n"
            walk(ch["sub_items"])
walk(book["sections"])
json.dump(book, sys.stdout)
)";

constexpr const char* kFail = R"(import sys
if len(sys.argv) > 1 and sys.argv[1] == "supports":
    sys.exit(0)
sys.stdin.read()
sys.stderr.write("warming up\nsomething broke in chapter one\n")
sys.exit(3)
)";

bool have_python() { return std::system("python3 --version >/dev/null 2>&1") == 0; }

// Makes a one-chapter book in a fresh folder with TOML_EXTRA appended to book.toml and
// SCRIPT (when given) saved as NAME.py in the book.
fs::path make_book(const std::string& tag, const std::string& toml_extra,
                   const std::string& name = {}, const std::string& script = {}) {
  fs::path dir = fs::temp_directory_path() / ("colophon-pre-" + tag);
  fs::remove_all(dir);
  fs::create_directories(dir / "src");
  std::ofstream(dir / "book.toml") << "[book]\ntitle = \"Scripted\"\n\n" << toml_extra;
  std::ofstream(dir / "src" / "SUMMARY.md") << "# Summary\n\n- [One](one.md)\n";
  std::ofstream(dir / "src" / "one.md") << "# One\n\nOriginal text.\n\nLast original line.\n";
  if (!script.empty()) std::ofstream(dir / (name + ".py")) << script;
  return dir;
}

Book read_dir(const fs::path& dir, Diagnostics& diag) {
  ReadOptions options;
  options.input = dir.string();
  return read_book(options, diag);
}

// Returns the chapter's text as plain paragraphs, one per line.
std::string paragraphs(const Book& book) {
  std::string out;
  for (const Block& b : book.chapters.at(0).blocks)
    if (b.kind == BlockKind::Paragraph) out += plain_text(b.inlines) + "\n";
  return out;
}

std::string messages(const Diagnostics& diag) {
  std::string out;
  for (const Diagnostic& d : diag.all()) out += format_diagnostic(d);
  return out;
}

}  // namespace

TEST_CASE("preprocessor: a script that adds a paragraph, with mdBook's protocol") {
  if (!have_python()) {
    MESSAGE("SKIPPED: python3 is not installed");
    return;
  }
  fs::path dir =
      make_book("add", "[preprocessor.add]\ncommand = \"python3 add.py\"\n", "add", kAddParagraph);
  Diagnostics diag;
  Book book = read_dir(dir, diag);
  INFO(messages(diag));
  CHECK(diag.all().empty());
  CHECK(paragraphs(book) ==
        "Inserted first.\nOriginal text.\nLast original line.\n"
        "Added for colophon to Scripted, chapter one.md.\n");
  // The text the script kept still maps to its own lines; what it added maps to where
  // its change began.
  const std::vector<Block>& blocks = book.chapters[0].blocks;
  REQUIRE(blocks.size() == 5);
  CHECK(blocks[0].pos.line == 1);  // "Inserted first." stands where the change began
  CHECK(blocks[1].kind == BlockKind::Heading);
  CHECK(blocks[1].pos.line == 1);
  CHECK(blocks[2].pos.line == 3);  // "Original text."
  CHECK(blocks[3].pos.line == 5);  // "Last original line."
  fs::remove_all(dir);
}

TEST_CASE("preprocessor: one that fails is an error with what it printed") {
  if (!have_python()) {
    MESSAGE("SKIPPED: python3 is not installed");
    return;
  }
  fs::path dir = make_book("fail", "[preprocessor.broken]\ncommand = \"python3 broken.py\"\n",
                           "broken", kFail);
  Diagnostics diag;
  read_dir(dir, diag);
  CHECK(diag.has_errors());
  std::string all = messages(diag);
  CHECK(all.find("book.toml:4:") != std::string::npos);
  CHECK(all.find("error: preprocessor 'broken' failed (exit status 3):\n"
                 "warming up\nsomething broke in chapter one\n") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("preprocessor: one that does not support colophon is skipped with a note") {
  if (!have_python()) {
    MESSAGE("SKIPPED: python3 is not installed");
    return;
  }
  fs::path dir = make_book("refuse", "[preprocessor.refuse]\ncommand = \"python3 refuse.py\"\n",
                           "refuse", kAddParagraph);
  Diagnostics diag;
  Book book = read_dir(dir, diag);
  CHECK_FALSE(diag.has_errors());
  CHECK(paragraphs(book) == "Original text.\nLast original line.\n");
  CHECK(messages(diag).find("note: preprocessor 'refuse' skipped: it does not support the "
                            "renderer 'colophon'") != std::string::npos);
  // Unless book.toml names colophon among its renderers: then it is not asked.
  fs::path named = make_book("named",
                             "[preprocessor.refuse]\ncommand = \"python3 refuse.py\"\n"
                             "renderers = [\"colophon\"]\n",
                             "refuse", kAddParagraph);
  Diagnostics diag2;
  Book book2 = read_dir(named, diag2);
  CHECK(diag2.all().empty());
  CHECK(paragraphs(book2).find("Added for colophon") != std::string::npos);
  fs::remove_all(dir);
  fs::remove_all(named);
}

TEST_CASE("preprocessor: a missing command is one warning and the book is built without it") {
  fs::path dir =
      make_book("missing", "[preprocessor.gone]\ncommand = \"colophon-no-such-preprocessor x\"\n");
  Diagnostics diag;
  Book book = read_dir(dir, diag);
  CHECK_FALSE(diag.has_errors());
  CHECK(diag.count(Severity::Warning) == 1);
  CHECK(messages(diag).find("warning: preprocessor 'gone' not run: command "
                            "'colophon-no-such-preprocessor' not found") != std::string::npos);
  CHECK(paragraphs(book) == "Original text.\nLast original line.\n");
  fs::remove_all(dir);
}

TEST_CASE("preprocessor: --safe runs no command") {
  fs::path dir =
      make_book("safe", "[preprocessor.add]\ncommand = \"python3 add.py\"\n", "add", kAddParagraph);
  Diagnostics diag;
  ReadOptions options;
  options.input = dir.string();
  options.safe = true;
  Book book = read_book(options, diag);
  CHECK(messages(diag).find("not run: --safe runs no command") != std::string::npos);
  CHECK(paragraphs(book) == "Original text.\nLast original line.\n");
  fs::remove_all(dir);
}

TEST_CASE("preprocessor order: links and index built in, before/after, then by name") {
  Book book;
  book.config_file = "book.toml";
  PreprocessorSpec a;
  a.name = "aaa";  // alphabetically before links: sees the {{#include}} directives
  PreprocessorSpec z;
  z.name = "zzz";
  z.before = {"index"};
  PreprocessorSpec m;
  m.name = "mmm";
  m.after = {"links"};
  book.source.preprocessors = {a, z, m};
  Diagnostics diag;
  std::vector<std::string> order = preprocessor_order(book, diag);
  CHECK(order == std::vector<std::string>{"aaa", "links", "zzz", "index", "mmm"});
  CHECK(diag.all().empty());
  // A circle is an error.
  book.source.preprocessors[0].after = {"mmm"};
  book.source.preprocessors[2].after = {"aaa"};
  Diagnostics circle;
  preprocessor_order(book, circle);
  CHECK(circle.has_errors());
  // Without the defaults, links and index are not run.
  book.source.preprocessors.clear();
  book.source.default_preprocessors = false;
  CHECK(preprocessor_order(book, diag).empty());
}

TEST_CASE("run_command: both pipes at once, no deadlock; a hang is stopped") {
  if (!have_python()) {
    MESSAGE("SKIPPED: python3 is not installed");
    return;
  }
  std::string input(4 << 20, 'x');  // far beyond a pipe's buffer, both ways
  CommandResult r =
      run_command({"python3", "-c",
                   "import sys\nd = sys.stdin.read()\nsys.stderr.write('e' * 3000000)\n"
                   "sys.stdout.write(d + d)\n"},
                  fs::temp_directory_path(), input, std::chrono::seconds(120));
  REQUIRE(r.status == CommandResult::Status::Ok);
  CHECK(r.exit_code == 0);
  CHECK(r.out.size() == 2 * input.size());
  CHECK(r.err.size() == 3000000);
  // A command that never ends is killed at the timeout (generous here only for the
  // start of python; the sleep is far longer).
  CommandResult hang = run_command({"python3", "-c", "import time\ntime.sleep(600)\n"},
                                   fs::temp_directory_path(), {}, std::chrono::seconds(3));
  CHECK(hang.status == CommandResult::Status::TimedOut);
  // A command that does not read its input does not stop the caller (no SIGPIPE).
  CommandResult deaf =
      run_command({"true"}, fs::temp_directory_path(), input, std::chrono::seconds(60));
  CHECK(deaf.status == CommandResult::Status::Ok);
  CHECK(run_command({"colophon-no-such-command"}, fs::temp_directory_path(), {},
                    std::chrono::seconds(5))
            .status == CommandResult::Status::NotFound);
}
