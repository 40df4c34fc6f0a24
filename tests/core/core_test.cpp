// Unit tests of tools/core: diagnostics format, UTF-8, slugs, safe paths, atomic writes, clock.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "core/clock.h"
#include "core/diagnostics.h"
#include "core/paths.h"
#include "core/resources.h"
#include "core/text.h"
#include "core/threads.h"
#include "core/utf8.h"

using namespace colophon;

TEST_CASE("diagnostics print as file:line:col: severity: message") {
  Diagnostic d{Severity::Error, "src/ch02.md", {41, 7}, "image 'map.png' not found (looked in src/)", ""};
  CHECK(format_diagnostic(d) == "src/ch02.md:41:7: error: image 'map.png' not found (looked in src/)\n");
  d.hint = "add the file";
  d.severity = Severity::Warning;
  CHECK(format_diagnostic(d) ==
        "src/ch02.md:41:7: warning: image 'map.png' not found (looked in src/)\n  hint: add the file\n");
  Diagnostics diag;
  diag.warning("a", {}, "w");
  CHECK_FALSE(diag.has_errors());
  diag.error("a", {1, 1}, "e");
  CHECK(diag.has_errors());
  CHECK(diag.count(Severity::Warning) == 1);
}

TEST_CASE("diagnostics of one group print as one line with their count and first places") {
  std::vector<Diagnostic> diags;
  const char* chars[] = {"U+4E2D", "U+0627", "U+05D0", "U+0E01", "U+10A0"};
  for (uint32_t i = 0; i < 5; ++i)
    diags.push_back({Severity::Warning, i < 4 ? "a.md" : "b.md", {i + 1, 2}, "character missing",
                     "name a fallback font", "characters are in none of the PDF fonts",
                     chars[i]});
  diags.push_back({Severity::Error, "a.md", {9, 1}, "image 'x.png' not found", ""});
  CHECK(format_diagnostics(diags, {}) ==
        "a.md:1:2: warning: 5 characters are in none of the PDF fonts: U+4E2D at line 1:2, "
        "U+0627 at line 2:2, U+05D0 at line 3:2 and 2 more\n"
        "  hint: name a fallback font\n"
        "a.md:9:1: error: image 'x.png' not found\n");
  // One alone prints as itself; -q leaves warnings out.
  diags.erase(diags.begin() + 1, diags.begin() + 5);
  CHECK(format_diagnostics(diags, {}) ==
        "a.md:1:2: warning: character missing\n  hint: name a fallback font\n"
        "a.md:9:1: error: image 'x.png' not found\n");
  PrintOptions quiet;
  quiet.errors_only = true;
  CHECK(format_diagnostics(diags, quiet) == "a.md:9:1: error: image 'x.png' not found\n");
}

TEST_CASE("a flood of one message is cut after kMaxOfOneKind, with a count") {
  std::vector<Diagnostic> diags;
  for (uint32_t i = 0; i < 25; ++i)
    diags.push_back({Severity::Error, "a.md", {i + 1, 1},
                     "link to 'x" + std::to_string(i) + "' not found", ""});
  std::string out = format_diagnostics(diags, {});
  size_t lines = static_cast<size_t>(std::count(out.begin(), out.end(), '\n'));
  CHECK(lines == kMaxOfOneKind + 1);
  CHECK(out.find("a.md:10:1: error: link to 'x9' not found\n") != std::string::npos);
  CHECK(out.find("x10") == std::string::npos);
  CHECK(out.find("error: 15 more like \"link to 'x0' not found\" not shown, from a.md:11:1\n") !=
        std::string::npos);
}

TEST_CASE("control characters in a diagnostic reach the terminal only as visible escapes") {
  // ESC [8m hides what follows; OSC 0 retitles the window; a C1 CSI, DEL, a bidi
  // override and a stray byte of invalid UTF-8, from a file name, a message and a hint.
  Diagnostic d{Severity::Error, "src/a\x1b[8m.md", {2, 1},
               "image 'x\x1b]0;owned\x07.png' not found \xc2\x9b\x7f \u202e", "fix\xff it"};
  d.included_from = "src/b\x08.md:1:1";
  std::string out = format_diagnostic(d, true);
  CHECK(out ==
        "\033[1msrc/a\\x1b[8m.md:2:1:\033[0m \033[1;31merror:\033[0m image "
        "'x\\x1b]0;owned\\x07.png' not found \\u009b\\x7f \\u202e\n"
        "  \033[1;32mhint:\033[0m fix\\xff it\n"
        "  \033[1;36mnote:\033[0m included from src/b\\x08.md:1:1\n");
  // Tabs, line feeds (a preprocessor's report, quoted line by line), and every printable
  // character of any script, pass as they are; a carriage return does not.
  CHECK(terminal_text("a\tb\nc \u4e2d\u6587 \u05d0 \u00e9") == "a\tb\nc \u4e2d\u6587 \u05d0 \u00e9");
  CHECK(terminal_text("x\rsrc/y.md:1:1: error: fake") == "x\\x0dsrc/y.md:1:1: error: fake");
  // A message of megabytes is cut, at a character boundary, with an ellipsis.
  std::string huge;
  for (int i = 0; i < 100000; ++i) huge += "\u4e2d";
  std::string cut = terminal_text(huge);
  CHECK(cut.size() <= kMaxTextBytes + 3);
  CHECK(cut.substr(cut.size() - 3) == "\u2026");
  CHECK_FALSE(find_invalid_utf8(cut).has_value());
}

TEST_CASE("past kMaxLinesOfSeverity lines of one severity, the rest are one count") {
  // Every message different (no kind to count), as 100k bad tags of different names.
  std::vector<Diagnostic> diags;
  for (uint32_t i = 0; i < 5000; ++i)
    diags.push_back({Severity::Warning, "a.md", {i + 1, 1},
                     std::string(1, static_cast<char>('a' + i % 26)) + " tag " +
                         std::string(i / 26 + 1, 'z') + " removed",
                     ""});
  diags.push_back({Severity::Error, "a.md", {1, 1}, "one error", ""});
  std::string out = format_diagnostics(diags, {});
  size_t lines = static_cast<size_t>(std::count(out.begin(), out.end(), '\n'));
  CHECK(lines == kMaxLinesOfSeverity + 2);
  CHECK(out.find("a.md:1:1: error: one error\n") != std::string::npos);
  CHECK(out.find("warning: 4900 more warnings not shown (the first 100 lines of them are "
                 "above)\n") != std::string::npos);
}

TEST_CASE("colour: the place in bold, the severity in its colour, the hint in green") {
  Diagnostic d{Severity::Error, "a.md", {3, 4}, "bad", "fix it"};
  CHECK(format_diagnostic(d, true) ==
        "\033[1ma.md:3:4:\033[0m \033[1;31merror:\033[0m bad\n  \033[1;32mhint:\033[0m fix it\n");
}

TEST_CASE("sort_file puts one file's diagnostics in the order of their lines") {
  Diagnostics diag;
  diag.error("src/a.md", {2, 1}, "chapter");
  diag.warning("book.toml", {7, 1}, "late");
  diag.error("src/b.md", {1, 1}, "other chapter");
  diag.error("book.toml", {3, 5}, "early");
  diag.error("book.toml", {3, 1}, "earliest");
  diag.sort_file("book.toml");
  std::vector<std::string> got;
  for (const Diagnostic& d : diag.all()) got.push_back(d.message);
  CHECK(got == std::vector<std::string>{"chapter", "earliest", "early", "late", "other chapter"});
}

TEST_CASE("did you mean: the nearest name within a third of the word's length") {
  CHECK(edit_distance("build", "build") == 0);
  CHECK(edit_distance("biuld", "build") == 1);  // two neighbours swapped
  CHECK(edit_distance("autors", "authors") == 1);
  CHECK(edit_distance("", "abc") == 3);
  std::vector<std::string> commands = {"build", "check", "clean", "new", "dump", "help"};
  CHECK(closest_match("biuld", commands) == "build");
  CHECK(closest_match("chekc", commands) == "check");
  CHECK(closest_match("publish", commands) == "");
  CHECK(closest_match("nwe", commands) == "new");
  std::vector<std::string> options = {"--title", "--target", "--author", "--lang"};
  CHECK(closest_match("--titel", options) == "--title");
  CHECK(closest_match("--auth", options) == "--author");  // an abbreviation
  CHECK(closest_match("--t", options) == "");
  CHECK(closest_match("ebup", std::vector<std::string>{"epub", "pdf"}) == "epub");
}

TEST_CASE("split_command: words as a shell splits them, without expansion") {
  std::vector<std::string> w;
  REQUIRE(split_command("cargo run --quiet --manifest-path 'a b/Cargo.toml' \"x\\\"y\" z\\ w", w));
  CHECK(w == std::vector<std::string>{"cargo", "run", "--quiet", "--manifest-path",
                                      "a b/Cargo.toml", "x\"y", "z w"});
  CHECK_FALSE(split_command("open 'quote", w));
}

TEST_CASE("invalid UTF-8 is found at its byte offset") {
  CHECK_FALSE(find_invalid_utf8("plain ascii, кириллица, ελληνικά").has_value());
  CHECK(find_invalid_utf8("abc\xff").value() == 3);
  CHECK(find_invalid_utf8("ab\xc0\x80").value() == 2);        // overlong NUL
  CHECK(find_invalid_utf8("\xed\xa0\x80").value() == 0);      // surrogate
  CHECK(find_invalid_utf8("x\xf4\x90\x80\x80").value() == 1); // past U+10FFFF
  CHECK(find_invalid_utf8("é\xe2\x82").value() == 2);         // truncated
  std::string s;
  append_utf8(s, 0x1F600);
  size_t i = 0;
  CHECK(next_code_point(s, i) == 0x1F600);
  CHECK(i == 4);
}

TEST_CASE("characters XML forbids become U+FFFD, clean text is left alone") {
  // Issue 13, item 4: &#xFFFF; reached the XHTML as a stray byte, U+FFFE and controls
  // as themselves, and the EPUB was not XML.
  std::string clean = "plain, кириллица, \t\n, U+FFFD \xEF\xBF\xBD, \xF0\x9F\x98\x80";
  std::string same = clean;
  CHECK(replace_non_xml_chars(same) == 0);
  CHECK(same == clean);
  std::string bad = "a\x01" "b\x1B\x7F\xC2\x85\xEF\xBF\xBE\xEF\xBF\xBF\xEF\xB7\x90\xF0\x9F\xBF\xBE\xFFz";
  char32_t first = 0;
  CHECK(replace_non_xml_chars(bad, &first) == 9);
  CHECK(first == 0x01);
  std::string fffd = "\xEF\xBF\xBD";
  std::string want = "a" + fffd + "b";
  for (int i = 0; i < 8; ++i) want += fffd;
  CHECK(bad == want + "z");
  CHECK(is_xml_text_char(0xFFFD));
  CHECK(is_xml_text_char(0x10FFFD));
  CHECK_FALSE(is_xml_text_char(0x10FFFF));
  CHECK_FALSE(is_xml_text_char(0xFDEF));
  CHECK_FALSE(is_xml_text_char(0xD800));
}

TEST_CASE("GitHub-style slugs") {
  CHECK(github_slug("Getting Started!") == "getting-started");
  CHECK(github_slug("The PDF output: page & paragraph") == "the-pdf-output-page--paragraph");
  CHECK(github_slug("“Quoted” — dashes") == "quoted--dashes");
  CHECK(github_slug("Über Straße") == "über-straße");
  CHECK(github_slug("Десять дней") == "десять-дней");
  CHECK(github_slug("snake_case-ok") == "snake_case-ok");
}

TEST_CASE("file_slug: the output's file name made from the title, by example") {
  struct Example {
    std::string_view title, name;
  };
  const Example examples[] = {
      {"Ten Days That Shook the World", "ten-days-that-shook-the-world"},
      {"  --Hello, World!--  ", "hello-world"},
      {"2001: A Space Odyssey", "2001-a-space-odyssey"},
      {"", "book"},
      {"!!! ???", "book"},
      // Accents: the base letter, whichever normal form the title is in.
      {"Les Mis\u00e9rables", "les-miserables"},
      {"Les Mise\u0301rables", "les-miserables"},
      {"Caf\u00e9 Society", "cafe-society"},
      {"\u00c0 la recherche du temps perdu", "a-la-recherche-du-temps-perdu"},
      // An apostrophe, straight or curly, does not split a word.
      {"Don't Panic", "dont-panic"},
      {"Don\u2019t Panic", "dont-panic"},
      // Other scripts keep their letters, lower-cased, marks and all (no spelling in
      // Latin letters, which guesses: ICU's gave Chinese readings to Japanese titles).
      {"Ελληνικά", "ελληνικά"},
      {"Война и мир, Том 2",
       "война-и-мир-том-2"},
      {"Война", "война"},  // NFD: й composed
      {"東京物語", "東京物語"},
      {"हिन्दी पुस्तक",
       "हिन्दी-पुस्तक"},  // vowel signs kept
      {"Straße des Ærø, Łódź", "straße-des-ærø-łodz"},
      {"٣ Arabic-Indic digits", "٣-arabic-indic-digits"},
      {"★★★ 📚", "book"},  // symbols alone: the fallback
      {"bad\xff\xc3 bytes", "bad-bytes"},          // invalid UTF-8 separates
      // Punctuation and symbols separate words.
      {"\u201cQuoted\u201d \u2014 dashes", "quoted-dashes"},
      // At most 60 bytes, cut after a word...
      {"A Very Long Title That Goes On and On Without Any Numbers Whatsoever",
       "a-very-long-title-that-goes-on-and-on-without-any-numbers"},
      {std::string_view("Supercalifragilisticexpialidocious"
                        "Supercalifragilisticexpialidocious"),
       "supercalifragilisticexpialidocioussupercalifragilisticexpial"},
      // ...keeping a last word that numbers the volume or part: digits or Roman.
      {"The Collected Letters of Someone Quite Long Winded, Volume 2",
       "the-collected-letters-of-someone-quite-long-winded-volume-2"},  // 59 bytes: whole
      {"The Collected Letters of Someone Quite Long Winded and Verbose, Volume 2",
       "the-collected-letters-of-someone-quite-long-winded-and-2"},
      {"The Collected Letters of Someone Quite Long Winded and Verbose, Volume 3",
       "the-collected-letters-of-someone-quite-long-winded-and-3"},
      {"The Collected Letters of Someone Quite Long Winded and Verbose, Part IV",
       "the-collected-letters-of-someone-quite-long-winded-and-iv"},
      {"The Collected Letters of Someone Quite Long Winded and Verbose, Part 1234567",
       "the-collected-letters-of-someone-quite-long-winded-1234567"},
      // "IIII" is not how a number is written: an ordinary last word.
      {"The Collected Letters of Someone Quite Long Winded and Verbose, Part IIII",
       "the-collected-letters-of-someone-quite-long-winded-and"},
  };
  for (const Example& e : examples) {
    CAPTURE(e.title);
    std::string name = file_slug(e.title);
    CHECK(name == e.name);
    CHECK(name.size() <= 60);
  }
  // Names inside the EPUB keep only ASCII letters.
  CHECK(file_slug("Café Жизнь 2", SlugLetters::Ascii) == "cafe-2");
  CHECK(file_slug("東京", SlugLetters::Ascii) == "book");
  // A cut never splits a character: 30 Cyrillic letters are 60 bytes, 31 are cut to 30.
  std::string word;
  for (int i = 0; i < 31; ++i) word += "ж";
  std::string cut = file_slug(word);
  CHECK(cut.size() == 60);
  CHECK(cut == word.substr(0, 60));
}

TEST_CASE("the XML escaper, by example (its policy is in core/text.h)") {
  struct Example {
    std::string_view in;
    bool attribute;
    std::string_view out;
  };
  const Example examples[] = {
      {"a<b & \"c\"", true, "a&lt;b &amp; &quot;c&quot;"},
      {"a<b & \"c\"", false, "a&lt;b &amp; \"c\""},
      {"a\"<&>\n\tb", true, "a&quot;&lt;&amp;&gt;&#10;&#9;b"},
      {"line\r\nnext\t", true, "line&#13;&#10;next&#9;"},
      {"line\r\nnext\t", false, "line\r\nnext\t"},
      {"bell\x07 and escape\x1b", false, "bell and escape"},
      {"bell\x07", true, "bell"},
      {"]]> 'single' déjà vu карта", false, "]]&gt; 'single' déjà vu карта"},
      {"", true, ""},
      {"&amp;", false, "&amp;amp;"},
  };
  for (const Example& e : examples) {
    CAPTURE(e.in);
    CHECK(xml_escape(e.in, e.attribute) == e.out);
    std::string appended = "kept:";
    append_xml_escaped(appended, e.in, e.attribute);
    CHECK(appended == "kept:" + std::string(e.out));
  }
}

TEST_CASE("without_accents: a letter keeps its base letter, in NFC or NFD") {
  struct Example {
    std::string_view in, out;
  };
  const Example examples[] = {
      {"h\u00f4tel", "hotel"},                    // NFC: ô one code point
      {"ho\u0302tel", "hotel"},                   // NFD: o and a combining circumflex
      {"Les Mis\u00e9rables", "Les Miserables"},
      {"\u00c9cole \u00c0 la \u1ec7", "Ecole A la e"},  // capitals; two accents on one letter
      {"Stra\u00dfe \u00f8 \u0142", "Stra\u00dfe \u00f8 \u0142"},  // no decomposition: kept
      {"\u0419 \u0401", "\u0419 \u0401"},           // Cyrillic letters keep their marks
      {"\u0418\u0306", "\u0419"},                    // and are composed (NFC)
      {"\u6771\u4eac", "\u6771\u4eac"},              // nothing to drop
      {"plain-name_1.png", "plain-name_1.png"},
      {"bad\xff\xc3", "bad\xff\xc3"},              // invalid UTF-8: bytes kept
      {"", ""},
  };
  for (const Example& e : examples) {
    CAPTURE(e.in);
    CHECK(without_accents(e.in) == e.out);
  }
}

TEST_CASE("paths must stay inside the book") {
  namespace fs = std::filesystem;
  fs::path root = fs::temp_directory_path() / "colophon-core-test";
  fs::remove_all(root);
  fs::create_directories(root / "src/images");
  REQUIRE(write_file_atomic(root / "src/images/a.png", "x").empty());
  fs::create_symlink("/etc/passwd", root / "src/evil.png");

  auto ok = resolve_inside(root, root / "src", "images/a.png");
  CHECK(ok.status == SafePath::Status::Ok);
  CHECK(ok.relative == "src/images/a.png");
  CHECK(resolve_inside(root, root / "src", "missing.png").status == SafePath::Status::Missing);
  CHECK(resolve_inside(root, root / "src", "../../x.png").status == SafePath::Status::Escapes);
  CHECK(resolve_inside(root, root / "src", "/etc/passwd").status == SafePath::Status::Absolute);
  CHECK(resolve_inside(root, root / "src", "evil.png").status == SafePath::Status::Escapes);
  CHECK(resolve_inside(root, root / "src", "../src/images/a.png").status == SafePath::Status::Ok);
  fs::remove_all(root);
}

TEST_CASE("a name is found whichever Unicode normalisation form the file system keeps") {
  // Issue 13, item 12: "café.md" written in NFC (é one code point) was not found when the
  // file on disk was saved in NFD (e and a combining accent), and the other way round.
  namespace fs = std::filesystem;
  fs::path root = fs::temp_directory_path() / "colophon-nfd-test";
  fs::remove_all(root);
  fs::create_directories(root / "src");
  const std::string nfc = "caf\u00e9.md", nfd = "cafe\u0301.md";
  CHECK(unicode_normalized(nfd, false) == nfc);
  CHECK(unicode_normalized(nfc, true) == nfd);
  CHECK(unicode_normalized("plain.md", true) == "plain.md");
  REQUIRE(write_file_atomic(root / "src" / nfd, "x").empty());
  REQUIRE(write_file_atomic(root / "src" / "h\u00f4tel.png", "x").empty());
  fs::create_symlink("/etc/passwd", root / "src" / "evi\u0301l.png");

  SafePath chapter = resolve_inside(root, root / "src", nfc);
  CHECK(chapter.status == SafePath::Status::Ok);
  CHECK(chapter.relative == "src/" + nfd);  // the name on disk
  CHECK(resolve_inside(root, root / "src", "ho\u0302tel.png").status == SafePath::Status::Ok);
  CHECK(read_book_file(root, "src/" + nfc).data == "x");
  // The other form is held to the same rules: a link out of the book stays refused.
  CHECK(resolve_inside(root, root / "src", "ev\u00edl.png").status ==
        SafePath::Status::Escapes);
  CHECK(resolve_inside(root, root / "src", "caf\u00e8.md").status == SafePath::Status::Missing);
  fs::remove_all(root);
}

TEST_CASE("files of the book are read only when regular, inside it and not too large") {
  // Issue 13, items 1 and 6: a named pipe blocked the build for ever, a link to
  // /dev/zero was read until memory ran out, a link out of the book was read into it.
  namespace fs = std::filesystem;
  fs::path root = fs::temp_directory_path() / "colophon-read-test";
  fs::remove_all(root);
  fs::create_directories(root / "dir");
  REQUIRE(write_file_atomic(root / "ok.md", "text").empty());
  REQUIRE(write_file_atomic(root / "big.md", std::string(2000, 'x')).empty());
  REQUIRE(::mkfifo((root / "pipe.md").c_str(), 0600) == 0);
  fs::create_symlink("/dev/zero", root / "zero.md");
  fs::create_symlink(root / "ok.md", root / "link.md");

  FileRead ok = read_book_file(root, "ok.md");
  CHECK(ok.ok());
  CHECK(ok.data == "text");
  CHECK(read_book_file(root, "link.md").data == "text");  // a link inside the book is fine
  FileRead pipe = read_book_file(root, "pipe.md");      // returns at once: never blocks
  CHECK(pipe.status == FileRead::Status::NotRegular);
  CHECK(pipe.problem.find("named pipe") != std::string::npos);
  CHECK(read_book_file(root, "zero.md").status == FileRead::Status::Outside);
  CHECK(read_regular_file("/dev/zero", 100).status == FileRead::Status::NotRegular);
  CHECK(read_book_file(root, "dir").status == FileRead::Status::NotRegular);
  CHECK(read_book_file(root, "none.md").status == FileRead::Status::Missing);
  FileRead big = read_book_file(root, "big.md", 1000);
  CHECK(big.status == FileRead::Status::TooLarge);
  CHECK(big.data.empty());
  CHECK(read_book_file(root, "big.md", 2000).ok());
  CHECK_FALSE(read_file(root / "pipe.md").has_value());
  bool complete = true;
  CHECK_FALSE(read_file_prefix(root / "pipe.md", 10, complete).has_value());
  CHECK(regular_file_problem(root / "pipe.md").find("named pipe") != std::string::npos);
  CHECK(regular_file_problem(root / "ok.md").empty());
  fs::remove_all(root);
}

TEST_CASE("a file is read whole whatever its size, and a prefix exactly") {
  // read_fd sizes its string from the size at open and probes for more past it: every
  // size around the probe's 512 bytes reads back byte for byte, and a file the kernel
  // reports as empty (/proc) is still read to its end.
  namespace fs = std::filesystem;
  fs::path file = fs::temp_directory_path() / "colophon-read-sizes.bin";
  for (size_t size : {0, 1, 511, 512, 513, 1024, 4097, 100000}) {
    std::string bytes;
    for (size_t i = 0; i < size; ++i) bytes += static_cast<char>('a' + i * 7 % 26);
    REQUIRE(write_file_atomic(file, bytes).empty());
    CAPTURE(size);
    std::optional<std::string> read = read_file(file);
    REQUIRE(read.has_value());
    CHECK(*read == bytes);
    for (size_t cap : {size, size + 1, size / 2}) {
      CAPTURE(cap);
      bool complete = false;
      std::optional<std::string> head = read_file_prefix(file, cap, complete);
      REQUIRE(head.has_value());
      CHECK(*head == bytes.substr(0, cap));
      CHECK(complete == (cap >= size));
    }
  }
  fs::remove(file);
  std::optional<std::string> status = read_file("/proc/self/status");
  REQUIRE(status.has_value());
  CHECK(status->find("Name:") == 0);
  CHECK(status->size() > 512);  // more than one probe's worth, none of it in the size
}

TEST_CASE("atomic writes replace the file whole or not at all") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "colophon-atomic-test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  REQUIRE(write_file_atomic(dir / "out.txt", "old").empty());
  REQUIRE(write_file_atomic(dir / "out.txt", "new").empty());
  CHECK(read_file(dir / "out.txt").value() == "new");
  CHECK_FALSE(write_file_atomic(dir / "no-such-dir" / "out.txt", "x").empty());
  int files = 0;
  for ([[maybe_unused]] auto& e : fs::directory_iterator(dir)) ++files;
  CHECK(files == 1);  // no temporary file left behind
  fs::remove_all(dir);
}

TEST_CASE("files recorded with remove_at_exit go when the process exits, unless kept") {
  // As when libhyphen calls exit(1) in the middle of a build (malloc failed): the child
  // records two files, takes one back, and exits at once.
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "colophon-exit-test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const char* name : {"half-written", "committed"})
    REQUIRE(write_file_atomic(dir / name, "x").empty());
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    remove_at_exit((dir / "half-written").string());
    remove_at_exit((dir / "committed").string());
    keep_at_exit((dir / "committed").string());
    std::exit(3);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 3);
  CHECK_FALSE(fs::exists(dir / "half-written"));
  CHECK(fs::exists(dir / "committed"));
  fs::remove_all(dir);
}

TEST_CASE("SIGINT, SIGTERM and SIGHUP remove the recorded files and end the process by the signal") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "colophon-signal-test";
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    fs::remove_all(dir);
    fs::create_directories(dir);
    for (const char* name : {"staged", "committed"})
      REQUIRE(write_file_atomic(dir / name, "x").empty());
    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      std::signal(sig, SIG_DFL);  // as from a shell, whatever the test runner ignores
      remove_on_signal();
      remove_at_exit((dir / "staged").string());
      remove_at_exit((dir / "committed").string());
      keep_at_exit((dir / "committed").string());
      ::kill(::getpid(), sig);
      std::_Exit(0);  // not reached: the signal ends the process
    }
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == sig);
    CHECK_FALSE(fs::exists(dir / "staged"));
    CHECK(fs::exists(dir / "committed"));
  }
  fs::remove_all(dir);
}

TEST_CASE("the clock honours SOURCE_DATE_EPOCH in UTC") {
  setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
  setenv("TZ", "Pacific/Auckland", 1);
  CHECK(build_time() == 1700000000);
  CHECK(iso8601_utc(build_time()) == "2023-11-14T22:13:20Z");
  CHECK(iso_date_utc(build_time()) == "2023-11-14");
  // Anything else is a usage error, never a silent fall-back to the current time, nor a
  // year past 9999.
  for (const char* bad : {"yesterday", "17e8", " 1700000000", "-1", "99999999999999",
                          "253402300800", "99999999999999999999999"}) {
    setenv("SOURCE_DATE_EPOCH", bad, 1);
    CHECK_FALSE(source_date_epoch_problem().empty());
  }
  for (const char* good : {"", "0", "1700000000", "253402300799"}) {
    setenv("SOURCE_DATE_EPOCH", good, 1);
    CHECK(source_date_epoch_problem().empty());
  }
  unsetenv("SOURCE_DATE_EPOCH");
  CHECK(source_date_epoch_problem().empty());
  CHECK(build_time() > 1700000000);
}

TEST_CASE("styles are embedded in the executable") {
  CHECK(resource("styles/epub.css").has_value());
  CHECK(resource("styles/pdf.toml").has_value());
  CHECK_FALSE(resource("styles/none.css").has_value());
}

TEST_CASE("start_threads runs the body once on every thread it starts") {
  std::atomic<int> runs{0};
  std::vector<std::thread> threads = start_threads(3, [&runs] { ++runs; });
  CHECK(threads.size() == 3);
  for (std::thread& t : threads) t.join();
  CHECK(runs == 3);
  CHECK(start_threads(0, [&runs] { ++runs; }).empty());
  unsigned cores = std::thread::hardware_concurrency();
  CHECK(spare_cores() == (cores > 1 ? cores - 1 : 0));
}

TEST_CASE("nonblank_lines trims each line and leaves out the blank ones") {
  using V = std::vector<std::string_view>;
  CHECK(nonblank_lines("") == V{});
  CHECK(nonblank_lines(" \n\t\r\n") == V{});
  CHECK(nonblank_lines("<!-- toc -->\n") == V{"<!-- toc -->"});
  CHECK(nonblank_lines("  * auto-gen TOC;\r\n\n  {:toc}  ") == V{"* auto-gen TOC;", "{:toc}"});
}
