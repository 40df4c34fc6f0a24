// Unicode's rules for the layout, from ICU, in one place: which characters stick to the
// one before them, which script a character belongs to and what language writes it.
// The only file of colophon that includes ICU's headers.
#pragma once
#include <string>
#include <string_view>

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
// for that script ("zh-Hans" for Han in an English book, "he" for Hebrew); "" for
// characters of no particular script (digits, punctuation, symbols).
std::string language_for(char32_t cp, std::string_view language);

// Returns the language of TEXT, written in a book or passage of LANGUAGE, as far as its
// Chinese characters are concerned: LANGUAGE when it is written with them (Chinese,
// Japanese, Korean), else "ja" when TEXT has kana, "ko" when it has Hangul, else
// LANGUAGE. (A Han character looks different in Chinese and Japanese type.)
std::string han_language(std::string_view text, std::string_view language);

}  // namespace colophon::unicode
