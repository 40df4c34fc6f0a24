// The runner of tests/spec/*.md: each example (a fence of 32 backticks, "example" and the
// output it shows, "dump" or "xhtml", then options) holds Markdown, a line ".", and the
// expected output followed by every diagnostic. Each example is built as a one-chapter
// book (src/ch.md, with the images of tests/spec/fixtures beside it) through the reader
// and the passes; "dump" shows the chapter's model (`colophon dump` from its first
// block), "xhtml" the chapter's body. COLOPHON_UPDATE_GOLDEN=1 rewrites the expected
// outputs in place, to be reviewed as a diff. Options turn on [output.html] keys:
// mathjax-support, math; no-admonitions and no-definition-lists turn those off; admonish
// names [preprocessor.admonish], admonish-bail with on_failure = "bail", admonish-defaults
// with default = { title = "Remember", collapsible = true }; toc names [preprocessor.toc],
// toc-gitlab with marker = "[[_TOC_]]" and max-level = 2.
// Finally every example without errors becomes a chapter of one EPUB, which epubcheck
// must pass without a message.
#include <doctest/doctest.h>
#include <tinyxml2.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "epub/epub.h"
#include "epub_test_util.h"
#include "passes/passes.h"
#include "read/read.h"
#include "xhtml/xhtml.h"

using namespace colophon;
using namespace colophon::testing;
namespace fs = std::filesystem;

namespace {

const std::string kFence(32, '`');

struct Example {
  std::string file;    // the spec file's name
  size_t line = 0;     // 1-based line of the opening fence
  std::string format;  // "dump" or "xhtml"
  std::vector<std::string> options;
  std::string markdown;
  std::string expected;
  size_t expected_begin = 0, expected_end = 0;  // lines of the expected output (0-based)
};

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Turns the visible tab "→" of the spec files into a tab.
std::string tabs(std::string s) {
  for (size_t at = s.find("\u2192"); at != std::string::npos; at = s.find("\u2192", at + 1))
    s.replace(at, 3, "\t");
  return s;
}

std::vector<Example> read_examples(const fs::path& path, std::vector<std::string>& lines) {
  lines = split_lines(read_text(path));
  std::vector<Example> out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!lines[i].starts_with(kFence + " example")) continue;
    Example e;
    e.file = path.filename().string();
    e.line = i + 1;
    std::istringstream words(lines[i].substr(kFence.size()));
    std::string w;
    words >> w;  // "example"
    words >> e.format;
    while (words >> w) e.options.push_back(w);
    size_t k = i + 1;
    for (; k < lines.size() && lines[k] != "."; ++k) e.markdown += tabs(lines[k]) + "\n";
    e.expected_begin = k + 1;
    for (k = k + 1; k < lines.size() && lines[k] != kFence; ++k) e.expected += lines[k] + "\n";
    e.expected_end = k;
    out.push_back(std::move(e));
    i = k;
  }
  return out;
}

// Writes the example as a book in DIR.
void write_book(const Example& e, const fs::path& dir) {
  fs::create_directories(dir / "src");
  std::string toml = "[book]\ntitle = \"Spec\"\nlanguage = \"en\"\n";
  std::string html;
  for (const std::string& o : e.options) {
    if (o == "mathjax-support") html += "mathjax-support = true\n";
    if (o == "math") html += "math = true\n";
    if (o == "no-admonitions") html += "admonitions = false\n";
    if (o == "no-definition-lists") html += "definition-lists = false\n";
  }
  if (!html.empty()) toml += "\n[output.html]\n" + html;
  for (const std::string& o : e.options) {
    if (o == "admonish") toml += "\n[preprocessor.admonish]\n";
    if (o == "admonish-bail") toml += "\n[preprocessor.admonish]\non_failure = \"bail\"\n";
    if (o == "admonish-defaults")
      toml += "\n[preprocessor.admonish]\ndefault = { title = \"Remember\", collapsible = true }\n";
    if (o == "toc") toml += "\n[preprocessor.toc]\ncommand = \"mdbook-toc\"\n";
    if (o == "toc-gitlab") toml += "\n[preprocessor.toc]\nmarker = \"[[_TOC_]]\"\nmax-level = 2\n";
  }
  std::ofstream(dir / "book.toml") << toml;
  std::ofstream(dir / "src" / "SUMMARY.md") << "# Summary\n\n[Chapter](ch.md)\n";
  std::ofstream(dir / "src" / "ch.md", std::ios::binary) << e.markdown;
  fs::path fixtures = fs::path(COLOPHON_SOURCE_DIR) / "tests" / "spec" / "fixtures";
  for (const auto& f : fs::directory_iterator(fixtures))
    fs::copy_file(f.path(), dir / "src" / f.path().filename(),
                  fs::copy_options::overwrite_existing);
}

// Returns the dump from the chapter's first block on (notes and assets included).
std::string dump_chapter(const Book& book) {
  std::string d = dump_book(book);
  size_t at = d.find("\nChapter 0 ");
  at = d.find('\n', at + 1);
  return at == std::string::npos ? std::string() : d.substr(at + 1);
}

// Returns the chapter's XHTML body: what stands inside its <section>.
std::string xhtml_body(const Book& book, std::string& parse_error) {
  std::string x = chapter_xhtml(book, 0, {});
  tinyxml2::XMLDocument doc;
  if (doc.Parse(x.data(), x.size()) != tinyxml2::XML_SUCCESS) parse_error = doc.ErrorStr();
  size_t from = x.find('\n', x.find("<section")) + 1;
  size_t to = x.find("</section>");
  std::string body = x.substr(from, to - from);
  const std::string title = "<h1 class=\"chapter-title\">Chapter</h1>\n";  // SUMMARY's
  if (body.starts_with(title)) body.erase(0, title.size());
  return body;
}

// Runs one example; returns what it printed.
std::string run_example(const Example& e, const fs::path& dir, bool& clean, Book& book_out) {
  write_book(e, dir);
  Diagnostics diag;
  ReadOptions options;
  options.input = dir.string();
  Book book = read_book(options, diag);
  run_passes(book, diag);
  std::string out;
  std::string parse_error;
  if (e.format == "xhtml")
    out = xhtml_body(book, parse_error);
  else
    out = dump_chapter(book);
  CHECK_MESSAGE(parse_error.empty(),
                e.file << ":" << e.line << ": not well-formed: " << parse_error);
  std::string prefix = dir.string() + "/";
  for (const Diagnostic& d : diag.all()) {
    std::string line = format_diagnostic(d);
    for (size_t at = line.find(prefix); at != std::string::npos; at = line.find(prefix))
      line.erase(at, prefix.size());
    out += line;
    if (out.back() != '\n') out += '\n';
  }
  clean = !diag.has_errors();
  book_out = std::move(book);
  return out;
}

}  // namespace

TEST_CASE("spec examples: Markdown in, model dump or XHTML out") {
  fs::path spec_dir = fs::path(COLOPHON_SOURCE_DIR) / "tests" / "spec";
  bool update = std::getenv("COLOPHON_UPDATE_GOLDEN") != nullptr;
  fs::path work = fs::path(COLOPHON_BINARY_DIR) / "tests" / "spec-work";
  fs::remove_all(work);
  std::vector<fs::path> files;
  for (const auto& f : fs::directory_iterator(spec_dir))
    if (f.path().extension() == ".md") files.push_back(f.path());
  std::sort(files.begin(), files.end());
  REQUIRE(!files.empty());
  Book combined;
  int examples = 0, n = 0;
  for (const fs::path& path : files) {
    std::vector<std::string> lines;
    std::vector<Example> list = read_examples(path, lines);
    CHECK_MESSAGE(!list.empty(), path.filename().string() << " has no examples");
    std::vector<std::string> actual;
    for (const Example& e : list) {
      ++examples;
      bool clean = false;
      Book book;
      std::string got = run_example(e, work / ("ex" + std::to_string(++n)), clean, book);
      actual.push_back(got);
      if (!update) {
        INFO(e.file << ":" << e.line << ": example\n" << e.markdown);
        CHECK(got == e.expected);
      }
      if (clean && e.format == "xhtml") {
        // Collect the chapter (and what it uses) into the book epubcheck reads.
        int offset = static_cast<int>(combined.notes.size());
        int asset_offset = static_cast<int>(combined.assets.size());
        Chapter ch = book.chapters[0];
        ch.id = "ex" + std::to_string(n);
        ch.title = e.file + ":" + std::to_string(e.line);
        for (int& k : ch.notes) k += offset;
        std::function<void(std::vector<Inline>&)> fix_inlines = [&](std::vector<Inline>& xs) {
          for (Inline& x : xs) {
            if (x.note >= 0) x.note += offset;
            if (x.asset >= 0) x.asset += asset_offset;
            if (x.target.chapter == 0)
              x.target.chapter = static_cast<int>(combined.chapters.size());
            fix_inlines(x.children);
          }
        };
        std::function<void(std::vector<Block>&)> fix_blocks = [&](std::vector<Block>& bs) {
          for (Block& b : bs) {
            fix_inlines(b.inlines);
            for (auto& row : b.table.rows)
              for (auto& cell : row) fix_inlines(cell);
            fix_blocks(b.children);
          }
        };
        fix_blocks(ch.blocks);
        for (Note note : book.notes) {
          note.chapter = static_cast<int>(combined.chapters.size());
          fix_blocks(note.blocks);
          note.id = "note-" + std::to_string(combined.notes.size() + 1);
          note.ref_id = "noteref-" + std::to_string(combined.notes.size() + 1);
          combined.notes.push_back(note);
        }
        for (Asset a : book.assets) {
          a.id += "-" + std::to_string(n);
          a.href = "media/ex" + std::to_string(n) + "/" + a.href.substr(6);
          combined.assets.push_back(a);
        }
        combined.chapters.push_back(std::move(ch));
      }
    }
    if (update) {
      std::string text;
      size_t next = 0;
      for (size_t k = 0; k < list.size(); ++k) {
        for (size_t i = next; i < list[k].expected_begin; ++i) text += lines[i] + "\n";
        text += actual[k];
        next = list[k].expected_end;
      }
      for (size_t i = next; i < lines.size(); ++i) text += lines[i] + "\n";
      std::ofstream(path, std::ios::binary) << text;
    }
  }
  MESSAGE(examples << " examples in " << files.size() << " files");

  // Ids must stay unique across the combined book: examples reuse them.
  combined.meta.title = "Spec examples";
  combined.meta.language = "en";
  combined.meta.identifier = "urn:uuid:0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f";
  combined.build_time = 1700000000;
  std::function<void(std::vector<Block>&, const std::string&)> rename =
      [&](std::vector<Block>& bs, const std::string& suffix) {
        std::function<void(std::vector<Inline>&)> in = [&](std::vector<Inline>& xs) {
          for (Inline& x : xs) {
            if (!x.attr.id.empty()) x.attr.id += suffix;
            if (!x.target.anchor.empty() && !x.target.anchor.starts_with("note"))
              x.target.anchor += suffix;
            in(x.children);
          }
        };
        for (Block& b : bs) {
          if (!b.attr.id.empty()) b.attr.id += suffix;
          in(b.inlines);
          for (auto& row : b.table.rows)
            for (auto& cell : row) in(cell);
          rename(b.children, suffix);
        }
      };
  for (Chapter& ch : combined.chapters) rename(ch.blocks, "-" + ch.id);
  fs::path epub = work / "spec.epub";
  Diagnostics diag;
  REQUIRE(write_epub(combined, epub, diag));
  for (const Diagnostic& d : diag.all()) MESSAGE(format_diagnostic(d));
  MESSAGE("epubcheck on " << combined.chapters.size() << " examples");
  EpubcheckResult r = run_epubcheck(epub);
  if (r.skipped) {
    MESSAGE("SKIPPED epubcheck: java or /usr/bin/epubcheck is not installed");
    return;
  }
  INFO(r.output);
  CHECK(r.ran);
  CHECK(r.errors + r.fatals + r.warnings == 0);
}
