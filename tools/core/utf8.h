// UTF-8 helpers.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace colophon {

// Returns the byte offset of the first invalid UTF-8 sequence in S, or nullopt if S
// is valid (overlong forms, surrogates and code points past U+10FFFF are invalid).
std::optional<size_t> find_invalid_utf8(std::string_view s);

// Decodes the code point at S[I] and advances I past it; returns U+FFFD and advances
// one byte on invalid input.
char32_t next_code_point(std::string_view s, size_t& i);

// Appends code point CP to OUT as UTF-8.
void append_utf8(std::string& out, char32_t cp);

// Counts code points in S (for columns in diagnostics).
size_t utf8_length(std::string_view s);

// Returns the longest start of S that has at most MAX_BYTES bytes and does not end
// inside a UTF-8 sequence.
std::string_view utf8_prefix(std::string_view s, size_t max_bytes);

// Tells whether CP may stand in the text of an XML document colophon writes: a
// character XML 1.0 allows (tab, line feed and carriage return the only controls below
// U+0020), not a C1 control (U+0080..U+009F), not a noncharacter (U+FDD0..U+FDEF and
// the last two code points of every plane). The one rule for text that reaches XML.
bool is_xml_text_char(char32_t cp);

// Replaces every character of S that is_xml_text_char refuses, and every invalid UTF-8
// sequence, by U+FFFD; returns how many it replaced and sets FIRST (when given) to the
// first one replaced (U+FFFD for an invalid sequence). S is left as it was when it is
// clean.
size_t replace_non_xml_chars(std::string& s, char32_t* first = nullptr);

// Returns S in Unicode normalisation form NFC (composed) or, with DECOMPOSED, NFD, by
// ICU's normaliser; S itself when it is ASCII or not valid UTF-8.
std::string unicode_normalized(std::string_view s, bool decomposed);

// Returns S without the accents of its Latin letters: in NFD, the combining diacritical
// marks (U+0300..U+036F) that follow an ASCII letter are dropped, so that such a letter
// keeps its base letter whichever form S is in ("hôtel" written with one code point or
// two gives "hotel"); the rest is returned in NFC, so letters of other scripts keep
// their marks ("Й" stays "Й"). Invalid UTF-8 is kept as it is. The one rule for names
// colophon makes from text: the output's file name, chapter files and the images' names
// in the EPUB.
std::string without_accents(std::string_view s);

}  // namespace colophon
