// Helpers for the reader tests: small books written to a temporary folder, and
// lookups over the diagnostics they produce.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/diagnostics.h"
#include "model/model.h"
#include "read/read.h"

namespace colophon::test {

// A book folder under the system temp folder, removed when the object goes away.
class TempBook {
 public:
  TempBook();
  ~TempBook();
  TempBook(const TempBook&) = delete;
  TempBook& operator=(const TempBook&) = delete;

  // Writes CONTENT to the book-relative path REL, creating folders as needed.
  void write(const std::string& rel, std::string_view content) const;
  // Returns the book folder.
  const std::filesystem::path& dir() const { return dir_; }
  // Reads the folder as a book.
  Book read(Diagnostics& diag) const;

 private:
  std::filesystem::path dir_;
};

// Parses TEXT as the only chapter ("src/ch.md") of a book shown as "book".
Book parse_one(std::string_view text, Diagnostics& diag);

// Returns the first diagnostic of SEVERITY whose message contains NEEDLE, if any.
std::optional<Diagnostic> find_diag(const std::vector<Diagnostic>& all, Severity severity,
                                    std::string_view needle);

// Counts the diagnostics of SEVERITY whose message contains NEEDLE.
size_t count_diag(const std::vector<Diagnostic>& all, Severity severity, std::string_view needle);

// Prints every diagnostic (for failure messages).
std::string all_diags(const Diagnostics& diag);

}  // namespace colophon::test
