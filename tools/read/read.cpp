// read_book: the reader's driver. Finds what to read (a book folder or one Markdown
// file), reads book.toml and SUMMARY.md, then parses every chapter.
#include "read/read.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/clock.h"
#include "core/paths.h"
#include "core/text.h"
#include "core/threads.h"
#include "read/chapter_parse.h"
#include "read/config.h"
#include "read/extensions.h"
#include "read/links.h"
#include "read/preprocess.h"
#include "read/summary.h"

namespace colophon {

namespace {

// Appends the plain text of inlines (markup dropped, breaks as spaces) to OUT.
void append_plain(const std::vector<Inline>& inlines, std::string& out) {
  for (const Inline& in : inlines) {
    switch (in.kind) {
      case InlineKind::Text:
      case InlineKind::Code:
        out += in.text;
        break;
      case InlineKind::SoftBreak:
      case InlineKind::LineBreak:
        out += ' ';
        break;
      case InlineKind::NoteRef:
        break;
      default:
        append_plain(in.children, out);
    }
  }
}

// Returns the plain text of the chapter's first top-level heading, or "".
std::string first_heading(const Chapter& chapter) {
  for (const Block& b : chapter.blocks) {
    if (b.kind != BlockKind::Heading) continue;
    std::string text;
    append_plain(b.inlines, text);
    return std::string(trim(text));
  }
  return {};
}

// Tells whether PATH ends in .md (any case).
bool is_markdown(const fs::path& path) {
  std::string ext = path.extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".md" || ext == ".markdown";
}

// Runs the links preprocessor over chapter I's BYTES when the book uses it and the text
// holds a directive, then parses the result. Safe on any thread.
std::unique_ptr<ParsedChapter> prepare_chapter(std::string bytes, const Book& book, size_t i,
                                               const std::string& file, const IncludeRules& rules,
                                               bool links) {
  Diagnostics found;
  std::unique_ptr<YamlMetadata> yaml;
  if (i == 0) yaml = take_yaml_metadata(bytes, file, found);
  std::unique_ptr<ParsedChapter> parsed;
  if (!links || !has_link_directives(bytes)) {
    parsed = parse_markdown(std::move(bytes), file, nullptr, &found, book.markdown);
  } else {
    SourceText raw(bytes);
    ExpandedChapter expanded =
        expand_links(raw.text(), book.chapters[i].source, file, rules, found);
    parsed = parse_markdown(std::move(expanded.text), file, std::move(expanded.map), &found,
                            book.markdown);
    parsed->page_title = std::move(expanded.page_title);
  }
  parsed->yaml = std::move(yaml);
  return parsed;
}

// Threads that read and parse chapters while the calling thread converts them, at most.
// cmark-gfm's inline phase runs on one thread at a time (see CmarkDocument), so beyond
// a few workers only block parsing and file reading still gain.
constexpr unsigned kMaxParseWorkers = 3;

// Reads every chapter file of BOOK and parses it; returns the first chapter's YAML
// metadata block, if it has one. Worker threads read the files and
// parse them with cmark-gfm; this thread converts each parsed chapter into the model in
// book order, so notes and diagnostics come out as from a serial read. This thread
// parses only when no worker could be started: cmark-gfm's inline phase is serialised,
// and a converter waiting on it would only slow the parsers down.
std::unique_ptr<YamlMetadata> parse_chapters(Book& book, Diagnostics& diag) {
  const size_t n = book.chapters.size();
  const IncludeRules rules = include_rules(book.root, book.root_display,
                                           book.source.include_dirs, book.source.safe);
  const std::vector<std::string> order = preprocessor_order(book, diag);
  const bool links = std::find(order.begin(), order.end(), "links") != order.end();
  // With a command among the preprocessors, every chapter is read and preprocessed
  // first (a command sees the whole book); else each is expanded as it is parsed.
  std::vector<ChapterSource> prepared;
  const auto commands = commands_to_run(book, order, diag);
  if (!commands.empty()) prepared = preprocess_book(book, order, commands, rules, diag);
  std::vector<std::string> files(n);
  for (size_t i = 0; i < n; ++i) {
    files[i] = book.display(book.chapters[i].source);
    book.read_files.push_back((fs::path(book.root) / book.chapters[i].source).string());
  }

  struct Slot {
    std::unique_ptr<ParsedChapter> parsed;  // null when the file could not be read
    bool out_of_memory = false;             // ... or parsed for lack of memory
    bool done = false;
  };
  std::vector<Slot> slots(n);
  std::atomic<size_t> next{0};
  std::mutex mutex;
  std::condition_variable ready;
  // Reads and parses the next chapter nobody has taken; returns false when none is left.
  auto parse_next = [&]() -> bool {
    size_t i = next++;
    if (i >= n) return false;
    std::unique_ptr<ParsedChapter> parsed;
    bool out_of_memory = false;
    try {
      if (!prepared.empty()) {
        ChapterSource& ready = prepared[i];
        if (ready.read) {
          Diagnostics found;
          for (Diagnostic& d : ready.found) found.add(std::move(d));
          parsed = parse_markdown(std::move(ready.text), files[i], std::move(ready.map), &found,
                                  book.markdown);
          parsed->page_title = std::move(ready.page_title);
          parsed->yaml = std::move(ready.yaml);
        }
      } else {
        FileRead text = read_book_file(book.root, book.chapters[i].source);
        if (text.ok()) parsed = prepare_chapter(std::move(text.data), book, i, files[i], rules, links);
      }
    } catch (const std::bad_alloc&) {
      parsed.reset();
      out_of_memory = true;
    }
    {
      std::lock_guard<std::mutex> lock(mutex);
      slots[i].parsed = std::move(parsed);
      slots[i].out_of_memory = out_of_memory;
      slots[i].done = true;
    }
    ready.notify_one();
    return true;
  };

  // At least one worker even on one core: this thread converts while it parses. When
  // no thread can be started, this thread parses everything itself (below).
  size_t wanted = n < 2 ? 0 : std::clamp<size_t>(spare_cores(), 1, kMaxParseWorkers);
  std::vector<std::thread> workers = start_threads(wanted, [&] {
    while (parse_next()) {
    }
  });

  // Joins the workers on every way out: an exception (out of memory while converting)
  // must not leave them running.
  ThreadJoiner joiner(workers, [&] { next = n; });
  std::unique_ptr<YamlMetadata> yaml;
  for (size_t i = 0; i < n; ++i) {
    if (workers.empty()) parse_next();
    std::unique_ptr<ParsedChapter> parsed;
    {
      std::unique_lock<std::mutex> lock(mutex);
      ready.wait(lock, [&] { return slots[i].done; });
      parsed = std::move(slots[i].parsed);
    }
    if (!parsed && slots[i].out_of_memory) {
      diag.error(files[i], {}, "out of memory while reading this chapter",
                 "close other programs, or raise the memory limit (ulimit -v)");
      continue;
    }
    if (!parsed) {
      // Asked again for the words: a file that cannot be read fails before any byte.
      FileRead r = read_book_file(book.root, book.chapters[i].source);
      diag.error(files[i], {}, "the chapter file " + (r.ok() ? "cannot be read" : r.problem),
                 r.ok() ? "check that you may read it" : r.hint);
      continue;
    }
    // The files it included, for `colophon watch` (those outside the book too).
    for (const SourceMap* m = parsed->map.get(); m != nullptr; m = m->under.get())
      for (const auto& f : m->files)
        if (!f->path.empty()) book.read_files.push_back(f->path);
    convert_chapter(*parsed, book, static_cast<int>(i), diag);
    if (i == 0) yaml = std::move(parsed->yaml);
  }
  report_custom_elements(book, diag);
  report_math(book, diag);
  return yaml;
}

// Lists every .md file under the source folder as a numbered chapter, in byte order
// of their paths (used when there is no SUMMARY.md).
void chapters_from_folder(Book& book, Diagnostics& diag) {
  fs::path src = fs::path(book.root) / book.src_dir;
  std::vector<std::string> files;
  std::error_code ec;
  auto it =
      fs::recursive_directory_iterator(src, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path& p = it->path();
    std::string name = p.filename().string();
    if (!name.empty() && name[0] == '.') {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec) || !is_markdown(p)) continue;
    std::string rel = p.lexically_relative(book.root).generic_string();
    SafePath safe = resolve_inside(book.root, book.root, rel);
    if (safe.status != SafePath::Status::Ok) {
      diag.warning(book.display(rel), {}, "skipped: it leads outside the book folder",
                   "replace the link with the file itself");
      continue;
    }
    files.push_back(safe.relative);
  }
  if (ec) {
    diag.error(book.display(book.src_dir), {}, "cannot list the folder: " + ec.message(),
               "check that the folder exists and that you may read it");
  }
  std::sort(files.begin(), files.end());
  for (std::string& f : files) {
    Chapter& ch = book.chapters.emplace_back();
    ch.source = std::move(f);
    ch.role = ChapterRole::Numbered;
    ch.number = {static_cast<int>(book.chapters.size())};
  }
}

// Reads a book folder: book.toml, SUMMARY.md (or the folder's files), the chapters.
void read_folder(const ReadOptions& options, const fs::path& input, Book& book, Diagnostics& diag) {
  std::error_code ec;
  book.root = fs::weakly_canonical(fs::absolute(input, ec), ec).string();
  book.root_display = options.input;
  fs::path root(book.root);

  // Read as every file of the book is: inside it, never blocking, size capped.
  bool config_ok = true;  // false after an error in it: a key may be there, but unread
  book.read_files.push_back((root / "book.toml").string());
  FileRead config = read_book_file(root, "book.toml");
  if (config.status != FileRead::Status::Missing) {
    book.config_file = "book.toml";
    if (config.ok()) {
      config_ok = read_config(config.data, book.display("book.toml"), book, diag);
    } else {
      diag.error(book.display("book.toml"), {}, "book.toml " + config.problem, config.hint);
    }
  } else {
    diag.warning(book.display("book.toml"), {},
                 "no book.toml; the title comes from the first chapter's first heading",
                 "create book.toml with [book], title = \"...\" and authors = [\"...\"]");
  }

  if (!fs::is_directory(root / book.src_dir, ec)) {
    if (book.src_dir == "src") {  // a custom src was already reported where it is set
      diag.error(book.display("src"), {}, "no src folder in the book",
                 "put the chapters and SUMMARY.md in " + book.display("src") +
                     "/, or set src = \"...\" under [book] in book.toml");
    }
    return;
  }

  std::string summary = source_path(book.src_dir, "SUMMARY.md");
  book.read_files.push_back((root / summary).string());
  FileRead summary_file = read_book_file(root, summary);
  if (summary_file.status != FileRead::Status::Missing) {
    std::optional<std::string> text;
    if (summary_file.ok()) {
      text = std::move(summary_file.data);
      read_summary(*text, book, diag);
    } else {
      diag.error(book.display(summary), {}, "SUMMARY.md " + summary_file.problem,
                 summary_file.hint);
    }
    if (book.chapters.empty() && !diag.has_errors()) {
      // Point at the end of the file, where the first chapter line would go.
      uint32_t end_line = 1;
      if (text) end_line += static_cast<uint32_t>(std::count(text->begin(), text->end(), '\n'));
      diag.error(book.display(summary), SourcePos{end_line, 1}, "SUMMARY.md lists no chapters",
                 "add chapters to " + book.display(summary) + ", one per line: - [Title](file.md)");
    }
  } else {
    book.read_files.push_back((root / book.src_dir).string() + "/");  // every file in it
    chapters_from_folder(book, diag);
    if (book.chapters.empty()) {
      diag.error(book.display(book.src_dir), {}, "the book has no chapters",
                 "add chapters to " + book.display(summary) +
                     " (- [Title](file.md)), or put .md files in " + book.display(book.src_dir) +
                     "/");
    }
  }
  if (book.chapters.empty()) return;

  if (std::unique_ptr<YamlMetadata> yaml = parse_chapters(book, diag))
    apply_yaml_metadata(*yaml, fs::path(book.chapters[0].source).parent_path().generic_string(),
                        book, book.meta.language_set);
  for (Chapter& ch : book.chapters) {
    if (!ch.title.empty()) continue;
    ch.title = first_heading(ch);
    if (ch.title.empty()) ch.title = fs::path(ch.source).stem().string();
  }
  if (book.meta.title.empty()) {
    if (!book.config_file.empty()) {
      if (config_ok)
        diag.warning(book.display("book.toml"), {}, "book.toml has no title; using \"Untitled\"",
                     "add title = \"...\" under [book]");
      book.meta.title = "Untitled";
    } else {
      book.meta.title = first_heading(book.chapters.front());
      if (book.meta.title.empty()) {
        diag.warning(book.display(book.chapters.front().source), {},
                     "no title: no book.toml and no heading in the first chapter; using "
                     "\"Untitled\"",
                     "create book.toml with [book] and title = \"...\"");
        book.meta.title = "Untitled";
      }
    }
  }
}

// Reads one Markdown file as a one-chapter book.
void read_single_file(const ReadOptions& options, const fs::path& input, Book& book,
                      Diagnostics& diag) {
  if (!is_markdown(input)) {
    diag.error(options.input, {}, "not a Markdown file or a book folder",
               "give a folder with book.toml and src/, or a file ending in .md");
    return;
  }
  std::error_code ec;
  fs::path file = fs::weakly_canonical(fs::absolute(input, ec), ec);
  book.root = file.parent_path().string();
  book.root_display = input.parent_path().string();
  book.src_dir.assign(1, '.');  // not = ".", which GCC 12 -O3 flags with a false -Wrestrict
  if (!options.lang.empty()) {
    if (is_language_tag(options.lang)) {
      book.meta.language = options.lang;
      book.meta.language_set = true;
    } else {
      diag.error("--lang", {}, "'" + options.lang + "' is not a BCP 47 language tag",
                 "use a tag such as \"en\", \"en-GB\", \"de\" or \"fr-CA\"");
    }
  }
  if (!options.author.empty()) book.meta.authors = {options.author};

  Chapter& ch = book.chapters.emplace_back();
  ch.source = file.filename().generic_string();
  ch.role = ChapterRole::Numbered;
  ch.number = {1};
  std::unique_ptr<YamlMetadata> yaml = parse_chapters(book, diag);
  ch.title = options.title;
  if (yaml) {  // a pandoc-style manuscript; the command line wins
    apply_yaml_metadata(*yaml, ".", book, book.meta.language_set);
    if (ch.title.empty()) ch.title = yaml->meta.title;
  }
  if (ch.title.empty()) ch.title = first_heading(ch);
  if (ch.title.empty()) ch.title = file.stem().string();
  book.meta.title = ch.title;
}

}  // namespace

Book read_book(const ReadOptions& options, Diagnostics& diag) {
  Book book;
  book.build_time = build_time();
  book.source.safe = options.safe;
  std::string given = options.input.empty() ? "." : options.input;
  fs::path input(given);
  std::error_code ec;
  fs::file_status status = fs::status(input, ec);
  if (!fs::exists(status)) {
    diag.error(given, {}, "no such book folder or Markdown file",
               "give the folder that holds book.toml and src/, or a .md file "
               "(colophon new DIR creates a book)");
  } else if (fs::is_directory(status)) {
    read_folder(options, input, book, diag);
  } else if (fs::is_regular_file(status)) {
    read_single_file(options, input, book, diag);
  } else {
    diag.error(given, {}, "not a file or folder", "give a book folder or a .md file");
  }
  if (!options.dead_links.empty()) book.dead_links_are_errors = options.dead_links == "error";
  return book;
}

}  // namespace colophon
