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

}  // namespace colophon
