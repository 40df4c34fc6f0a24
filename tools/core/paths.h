// File-system helpers: paths that must stay inside the book, whole-file reads, and
// writes that never leave a half-written file behind.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace colophon {

namespace fs = std::filesystem;

// Outcome of resolving a path written in the book against the book directory.
struct SafePath {
  enum class Status { Ok, Missing, Escapes, Absolute };
  Status status = Status::Missing;
  fs::path absolute;     // the file on disk (canonical when it exists)
  std::string relative;  // path relative to the book root, '/'-separated, normalised
  size_t root = 0;       // resolve_inside_any: which of the roots holds it
};

// Resolves TARGET (as written in a file under BASE_DIR, both inside ROOT) and tells
// whether it exists and stays inside ROOT: `..` past the root, absolute paths and
// symlinks that point outside are refused.
SafePath resolve_inside(const fs::path& root, const fs::path& base_dir, std::string_view target);

// Resolves TARGET as resolve_inside does, but allows any of ROOTS (tried in order): Ok
// or Missing for the first root that holds it (RELATIVE is then relative to that root,
// ROOT its index), Escapes when none does. An absolute TARGET is allowed when a root
// holds it.
SafePath resolve_inside_any(const std::vector<fs::path>& roots, const fs::path& base_dir,
                            std::string_view target);

// Returns the top folder of the git work tree that holds DIR (the nearest folder at or
// above it with a .git entry), or an empty path when DIR is in none.
fs::path git_work_tree(const fs::path& dir);

// The largest file of text (Markdown, TOML, CSS, SVG) colophon reads.
constexpr size_t kMaxTextFileBytes = size_t{64} << 20;
// The largest file of any other kind (an image, a font) colophon reads.
constexpr size_t kMaxDataFileBytes = size_t{256} << 20;

// What reading a file gave: its bytes, or why there are none.
struct FileRead {
  enum class Status { Ok, Missing, Outside, NotRegular, TooLarge, Unreadable };
  Status status = Status::Unreadable;
  std::string data;     // Ok: the whole file
  std::string problem;  // otherwise what is wrong, worded to follow the file's name
                        // ("is a named pipe (FIFO), not a regular file")
  std::string hint;     // and what to do about it
  bool ok() const { return status == Status::Ok; }
};

// Reads the file at PATH, never blocking: only a regular file (a link is followed to
// it) of at most MAX_BYTES is read; a named pipe, device, socket or folder is refused
// before a byte is read from it. Every file colophon reads goes through here.
FileRead read_regular_file(const fs::path& path, size_t max_bytes);

// Reads the file the book names at RELATIVE (relative to ROOT), as read_regular_file
// does, after resolving it inside ROOT: a path or link that leads outside ROOT is
// refused (Outside). The one way to read a file of the book: book.toml, SUMMARY.md,
// chapters, includes, style files, CSS.
FileRead read_book_file(const fs::path& root, std::string_view relative,
                        size_t max_bytes = kMaxTextFileBytes);

// Returns what makes PATH unfit to be read (as FileRead::problem), or "" for a regular
// file; opens it without blocking and reads nothing. For files a library opens itself
// (fonts, through FreeType).
std::string regular_file_problem(const fs::path& path);

// Reads a whole file as read_regular_file does, up to kMaxDataFileBytes; nullopt when
// it cannot be read.
std::optional<std::string> read_file(const fs::path& path);

// Returns BYTES as a message names a size ("3.2 MB", "1.5 GB", "512 bytes").
std::string size_text(uint64_t bytes);

// Reads at most MAX_BYTES from the start of a regular file (never blocking) and sets
// COMPLETE when that was the whole file; returns nullopt when it cannot be read.
std::optional<std::string> read_file_prefix(const fs::path& path, size_t max_bytes,
                                            bool& complete);

// Writes all of DATA to the open file FD at OFFSET, retrying short and interrupted
// writes; false with errno set on failure.
bool write_all_at(int fd, std::string_view data, uint64_t offset);

// Writes DATA to PATH through a temporary file in the same directory and a rename,
// so PATH is either the old file or the complete new one. Returns an empty string on
// success, else a message saying what failed.
std::string write_file_atomic(const fs::path& path, std::string_view data);

// Half-written outputs left by an exit in the middle of a build: a library that calls
// exit() when malloc fails (libhyphen does) must not leave temporary files in dist/.
// REMOVE_AT_EXIT records PATH to be deleted if the process exits (exit(), or returning
// from main) before KEEP_AT_EXIT takes it back; both are safe on any thread.
// The files recorded are also removed when SIGINT, SIGTERM or SIGHUP ends the process,
// once remove_on_signal is installed.
void remove_at_exit(const std::string& path);
void keep_at_exit(const std::string& path);

// Installs handlers for SIGINT, SIGTERM and SIGHUP (those not ignored when it is
// called) that remove the files remove_at_exit recorded and then end the process by the
// same signal, so the shell sees 130, 143 or 129 as for any program killed by it. Call
// it once, from main, before any thread starts.
void remove_on_signal();

// Joins a directory as the user wrote it with a relative path, for messages:
// ("." , "src/a.md") -> "src/a.md"; ("book", "src/a.md") -> "book/src/a.md".
std::string display_path(const std::string& dir_as_given, std::string_view relative);

}  // namespace colophon
