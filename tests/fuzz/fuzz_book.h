// Shared helpers of the fuzz targets: a one-chapter book from fuzzer bytes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/diagnostics.h"
#include "model/model.h"

namespace colophon::fuzz {

// Caps the input a target looks at, in bytes, so one case stays fast under ASan.
constexpr size_t kMaxInputBytes = 64 * 1024;

// Builds a book whose only chapter is the Markdown TEXT, read and passed through
// run_passes as the CLI would; problems go to DIAG.
Book one_chapter_book(std::string_view text, Diagnostics& diag);

// Returns the fuzzer bytes as text, cut to kMaxInputBytes.
std::string_view as_text(const uint8_t* data, size_t size);

}  // namespace colophon::fuzz
