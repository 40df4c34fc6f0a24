// Unicode's rules for the layout, from ICU, in one place: which characters stick to the
// one before them, which script a character belongs to and what language writes it.
// The only file of colophon that includes ICU's headers.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace colophon::unicode {

// Tells whether CP continues the character before it (a combining mark, a joiner, a
// variation selector: Grapheme_Cluster_Break Extend, ZWJ or SpacingMark), and so must
// be drawn in the same font.
bool continues_cluster(char32_t cp);

// Tells whether CP is default-ignorable (joiners, variation selectors, soft hyphen ...):
// a font need not have it, and nothing is drawn for it.
bool is_default_ignorable(char32_t cp);

// Returns the language a font should be chosen for to draw CP in text of LANGUAGE
// (BCP 47): LANGUAGE when it is written in CP's script, else the language most likely
// for that script ("zh-Hans" for Han in an English book, "he" for Hebrew). A character
// of no particular script (digits, punctuation, symbols) takes LANGUAGE too: a Chinese
// full stop is drawn differently in Chinese and Japanese type ("" when LANGUAGE is).
std::string language_for(char32_t cp, std::string_view language);

// Returns the language of TEXT, written in a book or passage of LANGUAGE, as far as its
// Chinese characters are concerned: LANGUAGE when it is written with them (Chinese,
// Japanese, Korean), else "ja" when TEXT has kana, "ko" when it has Hangul, else
// LANGUAGE. (A Han character looks different in Chinese and Japanese type.)
std::string han_language(std::string_view text, std::string_view language);

// Tells whether LANGUAGE (BCP 47) is written in scripts none of which hyphenation
// dictionaries cover (they cover Latin, Greek and Cyrillic): Chinese, Japanese, Korean,
// Thai, Arabic ... Such text is never divided with a hyphen, so no dictionary is missing.
// False for a language ICU does not know.
bool written_without_hyphens(std::string_view language);

// Tells whether WORD, text without spaces, may break between its characters by
// Unicode's line breaking rules (UAX #14): it has Chinese, Japanese or Korean
// characters, Thai-like text that needs a dictionary, or a zero-width space. A word of
// Latin, Greek or Cyrillic letters does not (the layout hyphenates those instead).
bool has_inner_breaks(std::string_view word);

// Tells whether a line may not begin with CP even where a space comes before it
// (UAX #14 rule LB13: closing punctuation and brackets, "!" and "?", "/", and separators
// such as "," and ";" -- French "oui !", Chinese "（ AVX ）"), NEXT being the character
// after it: a separator before a digit may begin one (LB15c: ".5").
bool no_break_before_after_space(char32_t cp, char32_t next);

// Tells whether a line may not end with CP even where a space follows it (LB14: opening
// punctuation and brackets, as in "( a" or "（ AVX").
bool no_break_after_before_space(char32_t cp);

// Finds where WORD may break by UAX #14 (ICU's line break iterator, with its dictionaries
// for Thai, Lao, Khmer and Burmese): byte offsets strictly inside WORD, after which a
// line may end. Never before closing punctuation, never after opening punctuation.
// One instance per thread.
class LineBreaker {
 public:
  LineBreaker();
  ~LineBreaker();
  LineBreaker(const LineBreaker&) = delete;
  LineBreaker& operator=(const LineBreaker&) = delete;
  // Returns the break offsets inside WORD, in order.
  const std::vector<uint32_t>& breaks(std::string_view word);

 private:
  void* iterator_ = nullptr;  // UBreakIterator
  void* text_ = nullptr;      // UText
  std::vector<uint32_t> out_;
};

// Tells whether TEXT has a character written right to left (Hebrew, Arabic ...), or a
// bidi control, so that its lines need reordering.
bool has_rtl(std::string_view text);

// The embedding level of each byte of a paragraph by the Unicode bidi algorithm
// (UAX #9): even levels run left to right, odd ones right to left.
struct BidiLevels {
  uint8_t paragraph = 0;        // the paragraph's own level: 0 LTR, 1 RTL
  std::vector<uint8_t> levels;  // per byte of the text
};

// Runs the bidi algorithm over TEXT (one paragraph; U+2028 between its lines). The
// paragraph's direction is DIRECTION ("ltr" or "rtl"), or, when "", that of its first
// letter with a direction (rule P2).
BidiLevels bidi_levels(std::string_view text, std::string_view direction);

// Reorders ITEMS, given in reading order with their LEVELS, into the order they are
// seen on the line, left to right (rule L2): returns the indexes of the items.
std::vector<size_t> visual_order(const std::vector<uint8_t>& levels);

}  // namespace colophon::unicode
