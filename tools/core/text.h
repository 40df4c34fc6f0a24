// Small text helpers shared by every module.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace colophon {

// Makes a GitHub-style heading slug: lower case, punctuation dropped, spaces to '-'
// ("Getting Started!" -> "getting-started"). Letters of any script are kept.
std::string github_slug(std::string_view text);

// Which letters file_slug keeps: those of every script (the output files a user sees), or
// only ASCII ones (names inside the EPUB, which reading systems and zip tools take best
// in ASCII).
enum class SlugLetters { Any, Ascii };

// Makes a file name from TEXT ("Ten Days!" -> "ten-days"): its words in lower case joined
// by '-', a Latin letter with accents kept as its base letter (without_accents:
// "Misérables" -> "miserables"), an apostrophe dropped ("Don't" -> "dont"); with
// SlugLetters::Any other scripts keep their letters ("Война и мир" -> "война-и-мир"),
// with Ascii they separate words. At most 60 bytes, cut after a word; a last word that
// numbers a volume or part (digits or a Roman numeral) is kept, so volumes of a long
// series title keep their own names. Returns "book" when nothing is left.
std::string file_slug(std::string_view text, SlugLetters letters = SlugLetters::Any);

// The one XML escaper. Text is character data, or with ATTRIBUTE a double-quoted attribute
// value. Policy: & < > are always escaped; " only in an attribute; tab, line feed and
// carriage return in an attribute become character references (a parser would otherwise
// read them as spaces); the other C0 control characters, which XML 1.0 forbids anywhere,
// are dropped (the passes have already replaced those of the book's text, with a
// warning: see clean_xml_text); every other byte, UTF-8 included, is copied as it is.
// Appends S to OUT, escaped.
void append_xml_escaped(std::string& out, std::string_view s, bool attribute = false);
// Returns S escaped.
std::string xml_escape(std::string_view s, bool attribute = false);

// Removes leading and trailing ASCII white space.
std::string_view trim(std::string_view s);

// Returns the lines of S, each trimmed, without those left empty (a marker or block
// compared line by line, whatever its indentation and blank lines).
std::vector<std::string_view> nonblank_lines(std::string_view s);

// Tells whether a line end in the source between the characters BEFORE and AFTER joins
// them with nothing rather than a space, as CSS Text's segment break rule has it: both
// are East Asian full-width, wide or half-width (East_Asian_Width F, W or H) and
// neither is Hangul, whose words are spaced.
bool line_end_joins(char32_t before, char32_t after);

// Counts the edits (insert, delete, replace, swap two neighbours) that turn A into B.
size_t edit_distance(std::string_view a, std::string_view b);

// Returns the candidate WORD was most likely meant to be, for "did you mean": the
// nearest by edit_distance within a third of its length (rounded up; at most 3), or one
// WORD begins; "" when none is that close.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

// Splits a command line into words as a POSIX shell would, without expanding anything:
// quotes ('...' and "...") and backslashes; false when a quote is not closed.
bool split_command(std::string_view line, std::vector<std::string>& words);

}  // namespace colophon
