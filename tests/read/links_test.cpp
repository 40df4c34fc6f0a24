// The links preprocessor: the examples of tests/read/links/examples.md (chapter text in,
// expanded text and diagnostics out), and the map from expanded text back to files.
#include "read/links.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/paths.h"
#include "model/model.h"
#include "read/read.h"
#include "read/source.h"
#include "test_book.h"

using namespace colophon;
namespace fs = std::filesystem;

namespace {

const fs::path kDir = fs::path(COLOPHON_SOURCE_DIR) / "tests" / "read" / "links";
const std::string kFence(32, '`');

// One example: its name, input and expected output, and where its lines are.
struct Example {
  std::string name;
  std::string input;
  std::string expected;
  size_t expected_first = 0, expected_end = 0;  // line indexes of the expected part
};

std::vector<std::string> read_lines(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<Example> parse_examples(const std::vector<std::string>& lines) {
  std::vector<Example> out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind(kFence + " example", 0) != 0) continue;
    Example ex;
    ex.name = lines[i].substr(kFence.size() + 9);
    size_t k = i + 1;
    for (; k < lines.size() && lines[k] != "."; ++k) ex.input += lines[k] + "\n";
    ex.expected_first = ++k;
    for (; k < lines.size() && lines[k] != kFence; ++k) ex.expected += lines[k] + "\n";
    ex.expected_end = k;
    out.push_back(std::move(ex));
    i = k;
  }
  return out;
}

// Runs the links preprocessor over INPUT as the chapter src/chapter.md of the example
// book, allowed to read only inside it; returns the text, the title and diagnostics.
std::string run_example(const std::string& input) {
  IncludeRules rules;
  rules.book_root = kDir / "book";
  rules.book_display = "book";
  rules.roots = {rules.book_root};
  Diagnostics diag;
  ExpandedChapter ex = expand_links(input, "src/chapter.md", "book/src/chapter.md", rules, diag);
  std::string out = ex.text;
  if (!ex.page_title.empty()) out += "! title: " + ex.page_title + "\n";
  for (const Diagnostic& d : diag.all()) {
    std::istringstream lines(format_diagnostic(d));
    for (std::string line; std::getline(lines, line);) out += "! " + line + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("links preprocessor: every example of tests/read/links/examples.md") {
  fs::path file = kDir / "examples.md";
  std::vector<std::string> lines = read_lines(file);
  std::vector<Example> examples = parse_examples(lines);
  REQUIRE(examples.size() >= 25);
  bool update = std::getenv("COLOPHON_UPDATE_GOLDEN") != nullptr;
  std::vector<std::string> rewritten;
  size_t copied = 0;
  for (const Example& ex : examples) {
    std::string actual = run_example(ex.input);
    if (update) {
      rewritten.insert(rewritten.end(), lines.begin() + static_cast<long>(copied),
                       lines.begin() + static_cast<long>(ex.expected_first));
      std::istringstream in(actual);
      for (std::string line; std::getline(in, line);) rewritten.push_back(line);
      copied = ex.expected_end;
      continue;
    }
    INFO("example: " << ex.name);
    CHECK(actual == ex.expected);
  }
  if (update) {
    rewritten.insert(rewritten.end(), lines.begin() + static_cast<long>(copied), lines.end());
    std::ofstream out(file);
    for (const std::string& l : rewritten) out << l << '\n';
  }
}

TEST_CASE("links preprocessor: places in included text map back to their file, line and column") {
  IncludeRules rules;
  rules.book_root = kDir / "book";
  rules.book_display = "book";
  rules.roots = {rules.book_root};
  Diagnostics diag;
  std::string chapter = "Intro line.\n> {{#include files/outer.md}}\nEnd.\n";
  ExpandedChapter ex = expand_links(chapter, "src/chapter.md", "book/src/chapter.md", rules, diag);
  REQUIRE(ex.map);
  SourceText text(ex.text);
  text.set_map(ex.map.get());
  // "*second*" sits on line 2, column 9 of sub/inner.md, included from outer.md:2:1,
  // which the chapter includes at 2:3.
  size_t at = ex.text.find("*second*");
  REQUIRE(at != std::string::npos);
  SourcePos pos = text.pos_at(at);
  CHECK(pos.line == 2);
  CHECK(pos.col == 9);
  CHECK(included_file_name(pos.file) == "book/src/files/sub/inner.md");
  CHECK(included_from(pos.file) ==
        "book/src/files/outer.md:2:1, included from book/src/chapter.md:2:3");
  // The "> " repeated before the included lines maps to the chapter's own "> ".
  size_t second_quote = ex.text.find("> ", ex.text.find('\n', ex.text.find("> ")));
  SourcePos quote = text.pos_at(second_quote);
  CHECK(quote.file == 0);
  CHECK(quote.line == 2);
  CHECK(quote.col == 1);
  // Text after the include is the chapter's again.
  SourcePos end = text.pos_at(ex.text.find("End."));
  CHECK(end.file == 0);
  CHECK(end.line == 3);
  CHECK(end.col == 1);
  CHECK(diag.all().empty());
}

TEST_CASE("links preprocessor: a problem in included Markdown names the included file") {
  fs::path dir = fs::temp_directory_path() / "colophon-links-diag";
  fs::remove_all(dir);
  fs::create_directories(dir / "src");
  std::ofstream(dir / "book.toml") << "[book]\ntitle = \"T\"\n";
  std::ofstream(dir / "src" / "SUMMARY.md") << "# Summary\n\n- [One](one.md)\n";
  std::ofstream(dir / "src" / "one.md") << "# One\n\nBefore.\n\n{{#include part.md}}\n";
  std::ofstream(dir / "src" / "part.md") << "Fine line.\n\nSee [there](missing.md).\n";
  Diagnostics diag;
  ReadOptions options;
  options.input = dir.string();
  options.safe = true;  // the temporary folder may be inside a git work tree
  Book book = read_book(options, diag);
  REQUIRE(book.chapters.size() == 1);
  const Block& para = book.chapters[0].blocks.back();
  REQUIRE(para.kind == BlockKind::Paragraph);
  CHECK(para.pos.line == 3);
  CHECK(para.pos.col == 1);
  CHECK(included_file_name(para.pos.file) == dir.string() + "/src/part.md");
  const Inline& link = para.inlines[1];
  CHECK(link.kind == InlineKind::Link);
  CHECK(link.pos.col == 5);
  // A diagnostic given the chapter's file and that place names the included file.
  Diagnostics later;
  later.error(book.display(book.chapters[0].source), link.pos, "example");
  std::vector<Diagnostic> all = later.all();
  REQUIRE(all.size() == 1);
  all[0].hint = "a hint";
  CHECK(format_diagnostic(all[0]) == dir.string() + "/src/part.md:3:5: error: example\n" +
                                         "  hint: a hint\n  note: included from " +
                                         dir.string() + "/src/one.md:5:1\n");
  fs::remove_all(dir);
}

TEST_CASE("links preprocessor: includes may read the git work tree or include-dirs; --safe not") {
  fs::path tree = fs::temp_directory_path() / "colophon-links-tree";
  fs::remove_all(tree);
  fs::create_directories(tree / "book" / "src");
  fs::create_directories(tree / "examples");
  std::ofstream(tree / "examples" / "x.rs") << "fn shared() {}\n";
  const std::string chapter = "{{#include ../../examples/x.rs}}\n";
  auto expand = [&](const IncludeRules& rules, Diagnostics& diag) {
    return expand_links(chapter, "src/ch.md", "book/src/ch.md", rules, diag).text;
  };
  // Not in a git work tree, nothing allowed outside the book: an error naming the setting.
  IncludeRules closed;
  closed.book_root = tree / "book";
  closed.book_display = "book";
  closed.roots = {closed.book_root};
  Diagnostics refused;
  CHECK(expand(closed, refused) == chapter);
  REQUIRE(refused.all().size() == 1);
  CHECK(refused.all()[0].hint.find("include-dirs = [\"../examples\"]") != std::string::npos);
  // [book] include-dirs opens the folder.
  Diagnostics with_dirs;
  CHECK(expand(include_rules(tree / "book", "book", {"../examples"}, false), with_dirs) ==
        "fn shared() {}\n");
  CHECK(with_dirs.all().empty());
  // So does a git work tree around the book, as mdBook's guide needs.
  fs::create_directories(tree / ".git");
  Diagnostics in_tree;
  CHECK(expand(include_rules(tree / "book", "book", {}, false), in_tree) == "fn shared() {}\n");
  CHECK(in_tree.all().empty());
  // --safe reads nothing outside the book, whatever allows it otherwise.
  Diagnostics safe;
  CHECK(expand(include_rules(tree / "book", "book", {"../examples"}, true), safe) == chapter);
  REQUIRE(safe.all().size() == 1);
  CHECK(safe.all()[0].message.find("--safe reads nothing outside it") != std::string::npos);
  fs::remove_all(tree);
}

TEST_CASE("Rust code blocks: the lines mdBook hides are left out, ## shows as #") {
  Diagnostics diag;
  Book book = test::parse_one(
      "```rust\n# fn main() {\nlet x = 1;\n    # let hidden = 2;\n#\n## not hidden\n# }\n```\n\n"
      "```rust,no_run\n# use std::io;\nfn f() {}\n```\n\n"
      "```python\n# a Python comment stays\n```\n",
      diag);
  const auto& blocks = book.chapters.at(0).blocks;
  REQUIRE(blocks.size() == 3);
  CHECK(blocks[0].text == "let x = 1;\n# not hidden\n");
  CHECK(blocks[1].text == "fn f() {}\n");
  CHECK(blocks[2].text == "# a Python comment stays\n");
}
