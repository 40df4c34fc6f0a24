// `colophon new DIR`: a small book that builds at once and shows each feature once.
#include <ostream>
#include <string_view>

#include "cli/driver.h"
#include "core/paths.h"

namespace colophon {

namespace {

struct ScaffoldFile {
  const char* path;
  std::string_view data;
};

// A small picture of a sun over the sea (96 x 64 pixels, four colours), our own.
constexpr char kHarbourPng[] =
    "\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x60\x00\x00\x00\x40"
    "\x02\x03\x00\x00\x00\x98\x5a\x9a\x9d\x00\x00\x00\x0c\x50\x4c\x54\x45\xdd\xe8\xf0\xe8\xa3\x3c\x2f"
    "\x5d\x7c\xf4\xf1\xea\x58\x8a\x62\x7e\x00\x00\x00\xe7\x49\x44\x41\x54\x78\xda\xed\x52\xc1\x0d\xc2"
    "\x30\x0c\x4c\x2b\xf8\xf4\xcf\x12\x4c\xc1\x08\x7d\x90\x7d\x18\x85\x27\x72\x1e\x1e\xc1\xfb\x64\x84"
    "\x3e\x62\x72\x0e\x14\x09\x12\x21\x50\x45\x3f\x58\xa9\x7c\xf1\x5d\xec\x38\xae\x73\x7f\x7b\x67\x9b"
    "\x46\x7c\xeb\x8f\x75\xc2\x7b\x7f\xa8\xc5\xbb\x4c\x8c\xf5\x4c\xbe\x9e\x6b\x97\x09\xff\x11\x81\x78"
    "\xb5\xfa\x72\x44\x67\xc4\xb8\x4e\xf1\x2f\x9e\xa4\xf9\xba\xcd\x79\x34\x27\xd8\x9e\x79\xf3\x2f\x59"
    "\xc1\x06\xa2\x4b\x41\x44\x74\x2a\x08\xae\xcf\x5b\x3a\x63\xb7\x07\x02\xe8\x1d\x15\x59\x51\x0e\x06"
    "\x70\x98\x6e\xc1\x57\x5b\x98\x60\x55\xc3\xac\xc9\xbc\xc0\x83\xd0\x28\x53\x76\x41\xe9\xee\x35\x82"
    "\x90\xf8\xf8\x70\xb4\x7c\x2e\x72\x32\xd5\x7c\x4a\xe1\x39\xb9\xa7\xfc\x73\x9d\x65\xfb\x28\x59\x45"
    "\x4b\x89\x68\x57\x98\x32\x21\x13\xee\x19\x12\xe3\x36\x1a\xa0\x92\x28\xd1\x01\xe5\x25\xb6\x38\x52"
    "\xe6\x43\x5e\xc9\x41\xce\x13\xe4\x21\x99\x5c\xad\x43\x71\x48\x40\xa5\x19\xb1\x02\x6c\x1d\xfe\x6c"
    "\x50\x55\xbb\x02\x48\xd3\xab\x4e\xec\x0b\x34\x33\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82";

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
     "| PDF | print and screens |\n\n> A block quote.\n\n```\ncolophon build\n```\n\n"
     "An image alone in its paragraph is a figure, captioned with its alternative text.\n"
     "Keep images under src/images/:\n\n"
     "![The sun over the sea, drawn in four colours](images/harbour.png)\n"},
    {"src/images/harbour.png", std::string_view(kHarbourPng, sizeof kHarbourPng - 1)},
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
  fs::create_directories(root / "src" / "images", ec);
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
    failed = write_file_atomic(root / f.path, f.data);
  }
  if (!failed.empty()) {
    console.error(dir + ": " + failed, "check that you may write in " + dir);
    return kExitBookErrors;
  }
  console.say("created " + dir + "; build it with: colophon build " + dir);
  return kExitOk;
}

}  // namespace colophon
