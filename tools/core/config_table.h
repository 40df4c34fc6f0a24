// One table of book.toml kept as plain values with their positions, so that the code
// that owns the table (an output target reading its [output.NAME]) checks its keys
// without including a TOML library, and reports each mistake at its line:col.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.h"

namespace colophon {

struct ConfigEntry;

// One value of a table: a string, number, boolean, date (kept as written), array or table.
struct ConfigValue {
  enum class Type { String, Integer, Float, Boolean, Date, Array, Table };
  Type type = Type::String;
  SourcePos pos;                     // where the value starts
  std::string string;                // String, Date ("2026-11-27")
  int64_t integer = 0;               // Integer
  double number = 0;                 // Float
  bool boolean = false;              // Boolean
  std::vector<ConfigValue> items;    // Array
  std::vector<ConfigEntry> entries;  // Table, in the order written
};

// One key = value of a table.
struct ConfigEntry {
  std::string key;
  SourcePos pos;  // where the key is written
  ConfigValue value;
};

// A named table of book.toml ("epub" for [output.epub]) and the file it was read from.
struct ConfigTable {
  std::string name;
  std::string file;  // as shown in messages ("book/book.toml")
  SourcePos pos;     // where the table's name is written
  std::vector<ConfigEntry> entries;
};

// One table of book.toml (or of the PDF style file) and the keys it takes, as the code
// that reads it lists them.
struct KeyTable {
  std::string name;               // "book", "build", "output.epub"; "" for the top of
                                  // book.toml; "style", "style.margins" ... for the PDF
                                  // style file
  std::vector<std::string> keys;  // every key it takes, in the order it documents them
};

// Tells every reader of book.toml and of style files the tables of all the others (the
// reader's own, each target's [output.NAME], the PDF style's), so that a key in the
// wrong table can be told where it belongs. The driver sets it once, before any book is
// read; later calls change nothing. Safe on any thread.
void set_key_catalogue(std::vector<KeyTable> tables);

// Reports KEY, written at POS of FILE in table TABLE (named as in KeyTable), which takes
// only KNOWN: an error naming the table it belongs in when another table of the
// catalogue (or of NEIGHBOURS, the caller's other tables) takes it, since the setting
// would be lost; else a warning with a "did you mean".
void report_unknown_key(Diagnostics& diag, const std::string& file, SourcePos pos,
                        std::string_view table, std::string_view key,
                        const std::vector<std::string>& known,
                        const std::vector<KeyTable>& neighbours = {});

// Returns how messages name table TABLE: "[book]", "the top of book.toml", "the PDF
// style file", "[margins] of the PDF style file".
std::string describe_table(std::string_view table);

// Turns what the TOML parser says about a syntax error (DESCRIPTION, e.g. "Error while
// parsing value: could not determine value type") into plain words for the author, and
// sets HINT to what to do.
std::string plain_toml_error(std::string_view description, std::string& hint);

// Checks that PATH, written at POS of FILE as the value of KEY, names an existing file
// inside the book folder ROOT; returns its normalised path relative to ROOT, else
// reports why not and returns nullopt.
std::optional<std::string> book_file(const std::string& root, const std::string& path,
                                     const std::string& file, SourcePos pos, std::string_view key,
                                     Diagnostics& diag);

// Reads the values of one table for its owner: each getter returns the value when it
// has the right type and range, else reports an error at the key (naming the allowed
// values) and returns nullopt. Unknown keys are warnings.
class TableReader {
 public:
  // Reads TABLE (shown as [TITLE] in messages, e.g. "output.epub"); files named by
  // values are resolved inside ROOT, the book folder.
  TableReader(const ConfigTable& table, std::string title, std::string root, Diagnostics& diag)
      : table_(table), title_(std::move(title)), root_(std::move(root)), diag_(diag) {}

  // Returns the string of E; EXAMPLE shows the right form in the hint.
  std::optional<std::string> string(const ConfigEntry& e, std::string_view example);
  // Returns the boolean of E.
  std::optional<bool> boolean(const ConfigEntry& e);
  // Returns the whole number of E if it lies in [LO, HI]; WHAT says what it counts.
  std::optional<int64_t> integer(const ConfigEntry& e, int64_t lo, int64_t hi,
                                 std::string_view what);
  // Returns the strings of an array value.
  std::optional<std::vector<std::string>> strings(const ConfigEntry& e, std::string_view example);
  // Returns the string of E if it is one of ALLOWED.
  std::optional<std::string> choice(const ConfigEntry& e,
                                    const std::vector<std::string_view>& allowed);
  // Returns the path, relative to the book folder and normalised, of the existing file
  // that PATH (written at POS for key KEY) names inside the book.
  std::optional<std::string> existing_file(SourcePos pos, std::string_view key,
                                           const std::string& path);
  // Reports that E is not one of KNOWN (see report_unknown_key).
  void unknown(const ConfigEntry& e, const std::vector<std::string_view>& known);
  void unknown(const ConfigEntry& e, const std::vector<std::string>& known);
  // Reports an error at E with a hint.
  void error(const ConfigEntry& e, std::string message, std::string hint);

  // Returns the table's file, for messages.
  const std::string& file() const { return table_.file; }

 private:
  const ConfigTable& table_;
  std::string title_;
  std::string root_;
  Diagnostics& diag_;
};

}  // namespace colophon
