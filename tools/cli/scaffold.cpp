// `colophon new DIR`: a small book that builds at once and shows each feature once.
#include <ostream>

#include "cli/driver.h"
#include "core/paths.h"

namespace colophon {

namespace {

struct ScaffoldFile {
  const char* path;
  const char* text;
};

constexpr const char* kBookToml = R"(# The book's metadata and options. See the colophon user guide for every key.
[book]
title = "@TITLE@"
authors = ["Your Name"]
language = "en"
description = "A short description of the book."

# Each [output.NAME] table is a book `colophon build` writes: here the EPUB and the PDF.
# Add [output.kobo] or [output.kindle] for those, or pick with --target.
[output.epub]
toc-depth = 2

[output.pdf]
)";

constexpr ScaffoldFile kFiles[] = {
    {"src/SUMMARY.md",
     "# Summary\n\n[Preface](preface.md)\n\n- [The First Chapter](chapter-1.md)\n"
     "- [The Second Chapter](chapter-2.md)\n"},
    {"src/preface.md",
     "# Preface\n\nThis book was started with `colophon new`. Edit the files under `src/`,\n"
     "list them in `src/SUMMARY.md`, and run `colophon build` to make the EPUB and PDF.\n"},
    {"src/chapter-1.md",
     "# The First Chapter\n\nWrite in plain Markdown: *emphasis*, **strong**, and notes.[^first]\n\n"
     "Quotes and dashes are made typographic for you: \"like this\" -- and so on...\n\n"
     "[^first]: A footnote. In the EPUB it pops up; in the PDF it sits at the foot of the page.\n\n"
     "## A Section\n\nLink to [the next chapter](chapter-2.md) or to [this section](#a-section).\n"},
    {"src/chapter-2.md",
     "# The Second Chapter\n\n| Format | Reader |\n|:-------|:-------|\n| EPUB | e-readers |\n"
     "| PDF | print and screens |\n\n> A block quote.\n\n```\ncolophon build\n```\n"},
};

}  // namespace

int run_new(const std::string& dir, const std::string& title, Console& console) {
  std::error_code ec;
  fs::path root(dir);
  if (fs::exists(root, ec) && !fs::is_empty(root, ec)) {
    console.error(dir + ": the directory exists and is not empty",
                  "name a new directory: colophon new my-book");
    return kExitBookErrors;
  }
  fs::create_directories(root / "src", ec);
  if (ec) {
    console.error(dir + ": cannot create the directory: " + ec.message(),
                  "check that you may write in its parent folder");
    return kExitBookErrors;
  }
  std::string toml = kBookToml;
  std::string t = title.empty() ? "My Book" : title;
  std::string escaped;
  for (char c : t) {
    if (c == '"' || c == '\\') escaped += '\\';
    escaped += c;
  }
  toml.replace(toml.find("@TITLE@"), 7, escaped);
  std::string failed = write_file_atomic(root / "book.toml", toml);
  for (const ScaffoldFile& f : kFiles) {
    if (!failed.empty()) break;
    failed = write_file_atomic(root / f.path, f.text);
  }
  if (!failed.empty()) {
    console.error(dir + ": " + failed, "check that you may write in " + dir);
    return kExitBookErrors;
  }
  console.say("created " + dir + "; build it with: colophon build " + dir);
  return kExitOk;
}

}  // namespace colophon
