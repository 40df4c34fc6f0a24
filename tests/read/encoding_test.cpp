// Chapter bytes: invalid UTF-8, NUL bytes, a byte-order mark, CRLF line ends.
#include <doctest/doctest.h>

#include "test_book.h"

using namespace colophon;
using namespace colophon::test;

TEST_CASE("invalid UTF-8 is an error with line:col and the byte offset") {
  Diagnostics diag;
  std::string text = "Line one.\n\nAé \xFF bad.\n";
  parse_one(text, diag);
  auto all = diag.all();
  REQUIRE(all.size() == 1);
  CHECK(all[0].severity == Severity::Error);
  CHECK(all[0].message == "invalid UTF-8 at byte 15 of the file");
  CHECK(all[0].pos.line == 3);
  CHECK(all[0].pos.col == 4);
}

TEST_CASE("invalid UTF-8 far into a long ASCII file is still found") {
  Diagnostics diag;
  std::string text(100000, 'a');
  text[77777] = '\n';
  text[88888] = '\xC3';  // a lead byte followed by ASCII
  parse_one(text, diag);
  std::optional<Diagnostic> d =
      find_diag(diag.all(), Severity::Error, "invalid UTF-8 at byte 88888");
  REQUIRE(d.has_value());
  CHECK(d->pos.line == 2);
  CHECK(d->pos.col == 88888 - 77777);
}

TEST_CASE("a NUL byte is an error at its line") {
  Diagnostics diag;
  std::string text = "One.\n\nTwo";
  text += '\0';
  text += "x\0y\n";
  text += '\0';
  parse_one(text, diag);
  auto all = diag.all();
  REQUIRE(all.size() == 1);
  CHECK(all[0].message.find("NUL byte") != std::string::npos);
  CHECK(all[0].message.find("2 in the file") != std::string::npos);
  CHECK(all[0].pos.line == 3);
  CHECK(all[0].pos.col == 4);
}

TEST_CASE("a byte-order mark is skipped and positions ignore it") {
  Diagnostics diag;
  Book book = parse_one("\xEF\xBB\xBF# Title\n\nText *x*\n", diag);
  CHECK(diag.all().empty());
  const auto& b = book.chapters[0].blocks;
  REQUIRE(b.size() == 2);
  CHECK(b[0].kind == BlockKind::Heading);
  CHECK(b[0].inlines.at(0).text == "Title");
  CHECK(b[0].pos.col == 1);
  CHECK(b[1].inlines.at(1).pos.line == 3);
  CHECK(b[1].inlines.at(1).pos.col == 6);
}

TEST_CASE("CRLF line ends: same model and positions as LF") {
  std::string lf = "# T\n\nPara *a*\nline *b*[^n]\n\n> q *c*\n\n[^n]: Note.\n\nbad[^u]\n";
  std::string crlf;
  for (char c : lf) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  Diagnostics d1, d2;
  Book a = parse_one(lf, d1), b = parse_one(crlf, d2);
  CHECK(dump_book(a) == dump_book(b));
  auto e1 = d1.all(), e2 = d2.all();
  REQUIRE(e1.size() == 1);
  REQUIRE(e2.size() == 1);
  CHECK(e2[0].pos.line == 10);
  CHECK(e2[0].pos.col == 4);
  CHECK(e1[0].pos.line == e2[0].pos.line);
  CHECK(e1[0].pos.col == e2[0].pos.col);
  const auto& para = b.chapters[0].blocks.at(1).inlines;
  CHECK(para.at(1).pos.line == 3);
  CHECK(para.at(1).pos.col == 6);
  CHECK(para.at(4).pos.line == 4);
  CHECK(para.at(4).pos.col == 6);
}

TEST_CASE("invalid UTF-8 in a chapter file read from disk reports the file") {
  TempBook tb;
  tb.write("book.toml", "[book]\ntitle = \"T\"\n");
  tb.write("src/SUMMARY.md", "- [A](a.md)\n");
  tb.write("src/a.md", "\xEF\xBB\xBFok\n\xC0\xAF\n");
  Diagnostics diag;
  tb.read(diag);
  std::optional<Diagnostic> d = find_diag(diag.all(), Severity::Error, "invalid UTF-8 at byte 6");
  REQUIRE(d.has_value());
  CHECK(d->file.size() > 8);
  CHECK(d->file.substr(d->file.size() - 8) == "src/a.md");
  CHECK(d->pos.line == 2);
  CHECK(d->pos.col == 1);
}
