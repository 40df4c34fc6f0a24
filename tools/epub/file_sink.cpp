// A libzip write source backed by a file we own. libzip's own file source writes 8 KB at
// a time and leaves every byte dirty in the page cache until the end; replacing last
// build's EPUB by rename then makes ext4 push the whole new file out first (its
// auto_da_alloc safety), which took 5-6 ms of a 50 ms build on one core. Here the bytes
// are gathered into large writes and the kernel is asked to start writing each of them
// to disk at once (sync_file_range, which does not wait), on the thread that writes the
// archive while the book is still being packed; by the time of the rename most of the
// file is on its way to disk. Nothing is fsync'd: as before, this is a build output.
#include "epub/file_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <new>
#include <string>

#include "core/paths.h"

namespace colophon {

namespace {

constexpr size_t kWriteChunk = 512 * 1024;  // bytes gathered before one write

struct FileSink {
  std::string path;          // the archive's final name
  std::string temp;          // where it is written until committed
  int fd = -1;
  std::string buffer;        // bytes not yet in the file; they start at buffer_at
  uint64_t buffer_at = 0;
  uint64_t position = 0;     // where libzip's next write goes
  uint64_t end = 0;          // size of the archive so far
  uint64_t started = 0;      // bytes the kernel was asked to start writing to disk
  zip_error_t error;
};

// Records the system error ERR as a libzip error of kind CODE; returns -1.
zip_int64_t fail(FileSink& s, int code, int err) {
  zip_error_set(&s.error, code, err);
  return -1;
}

// Writes the buffer out and asks the kernel to start writing it to disk.
bool flush(FileSink& s) {
  if (!s.buffer.empty()) {
    if (!write_all_at(s.fd, s.buffer, s.buffer_at)) return false;
    s.buffer_at += s.buffer.size();
    s.buffer.clear();
  }
  if (s.buffer_at > s.started) {
    // Only a hint: a file system without it still gets the data at the rename.
    ::sync_file_range(s.fd, static_cast<off_t>(s.started),
                      static_cast<off_t>(s.buffer_at - s.started), SYNC_FILE_RANGE_WRITE);
    s.started = s.buffer_at;
  }
  return true;
}

// Opens a new temporary file beside S.path (mode 0666 less the umask, as any new file).
bool open_temp(FileSink& s) {
  static std::atomic<unsigned> counter{0};
  for (int attempt = 0; attempt < 100; ++attempt) {
    s.temp = s.path + ".tmp" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    // Recorded before it exists: a signal that ends the build right after the open
    // must still find the name to remove (the file holds our pid, so an older file of
    // that name is a dead build's leftover).
    remove_at_exit(s.temp);
    s.fd = ::open(s.temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (s.fd >= 0) return true;
    keep_at_exit(s.temp);
    if (errno != EEXIST) break;
  }
  return false;
}

void discard(FileSink& s) {
  if (s.fd >= 0) ::close(s.fd);
  s.fd = -1;
  if (!s.temp.empty()) {
    ::unlink(s.temp.c_str());
    keep_at_exit(s.temp);
  }
  s.temp.clear();
}

// Copies LEN bytes of DATA to the archive at the current position.
zip_int64_t write(FileSink& s, const char* data, uint64_t len) {
  const uint64_t at = s.position;
  const uint64_t buffer_end = s.buffer_at + s.buffer.size();
  uint64_t done = 0;
  if (at < s.buffer_at) {
    // Before the buffer (libzip rewriting a local header): straight into the file.
    uint64_t n = std::min(len, s.buffer_at - at);
    if (!write_all_at(s.fd, std::string_view(data, n), at)) return fail(s, ZIP_ER_WRITE, errno);
    done = n;
  } else if (at > buffer_end) {
    // Past the end (not done by libzip): write what is gathered and start afresh there.
    if (!flush(s)) return fail(s, ZIP_ER_WRITE, errno);
    s.buffer_at = at;
  }
  if (done < len) {
    size_t offset = static_cast<size_t>(at + done - s.buffer_at);
    size_t rest = static_cast<size_t>(len - done);
    size_t overlap = std::min(rest, s.buffer.size() - offset);
    std::memcpy(s.buffer.data() + offset, data + done, overlap);
    s.buffer.append(data + done + overlap, rest - overlap);
  }
  s.position = at + len;
  s.end = std::max(s.end, s.position);
  if (s.buffer.size() >= kWriteChunk && !flush(s)) return fail(s, ZIP_ER_WRITE, errno);
  return static_cast<zip_int64_t>(len);
}

zip_int64_t handle(FileSink& s, void* data, zip_uint64_t len, zip_source_cmd_t cmd) {
  switch (cmd) {
    case ZIP_SOURCE_STAT:
      // Always a new archive: libzip reads "no such file" as "create it".
      return fail(s, ZIP_ER_READ, ENOENT);
    case ZIP_SOURCE_BEGIN_WRITE:
      discard(s);
      s.buffer.clear();
      s.buffer.reserve(kWriteChunk + 64 * 1024);
      s.buffer_at = s.position = s.end = s.started = 0;
      if (!open_temp(s)) return fail(s, ZIP_ER_TMPOPEN, errno);
      return 0;
    case ZIP_SOURCE_WRITE:
      return write(s, static_cast<const char*>(data), len);
    case ZIP_SOURCE_SEEK_WRITE: {
      zip_int64_t to = zip_source_seek_compute_offset(s.position, s.end, data, len, &s.error);
      if (to < 0) return -1;
      s.position = static_cast<uint64_t>(to);
      return 0;
    }
    case ZIP_SOURCE_TELL_WRITE:
      return static_cast<zip_int64_t>(s.position);
    case ZIP_SOURCE_COMMIT_WRITE: {
      if (!flush(s)) {
        int err = errno;
        discard(s);
        return fail(s, ZIP_ER_WRITE, err);
      }
      int closed = ::close(s.fd);
      int err = errno;
      s.fd = -1;
      if (closed != 0) {
        discard(s);
        return fail(s, ZIP_ER_CLOSE, err);
      }
      if (::rename(s.temp.c_str(), s.path.c_str()) != 0) {
        err = errno;
        discard(s);
        return fail(s, ZIP_ER_RENAME, err);
      }
      keep_at_exit(s.temp);  // renamed: PATH is the caller's to keep or remove
      s.temp.clear();
      return 0;
    }
    case ZIP_SOURCE_ROLLBACK_WRITE:
      discard(s);
      return 0;
    case ZIP_SOURCE_REMOVE:
      discard(s);
      if (::unlink(s.path.c_str()) != 0 && errno != ENOENT) return fail(s, ZIP_ER_REMOVE, errno);
      return 0;
    case ZIP_SOURCE_ERROR:
      return zip_error_to_data(&s.error, data, len);
    case ZIP_SOURCE_FREE:
      discard(s);
      zip_error_fini(&s.error);
      delete &s;
      return 0;
    case ZIP_SOURCE_SUPPORTS:
      return zip_source_make_command_bitmap(
          ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR,
          ZIP_SOURCE_FREE, ZIP_SOURCE_SEEK, ZIP_SOURCE_TELL, ZIP_SOURCE_SUPPORTS,
          ZIP_SOURCE_BEGIN_WRITE, ZIP_SOURCE_COMMIT_WRITE, ZIP_SOURCE_ROLLBACK_WRITE,
          ZIP_SOURCE_WRITE, ZIP_SOURCE_SEEK_WRITE, ZIP_SOURCE_TELL_WRITE, ZIP_SOURCE_REMOVE, -1);
    default:
      // Reading: never asked of a new archive.
      return fail(s, ZIP_ER_OPNOTSUPP, 0);
  }
}

// libzip is C: no exception may leave the callback (growing the buffer can throw).
zip_int64_t callback(void* state, void* data, zip_uint64_t len, zip_source_cmd_t cmd) {
  auto& s = *static_cast<FileSink*>(state);
  try {
    return handle(s, data, len, cmd);
  } catch (const std::bad_alloc&) {
    return fail(s, ZIP_ER_MEMORY, 0);
  } catch (...) {
    return fail(s, ZIP_ER_INTERNAL, 0);
  }
}

}  // namespace

zip_source_t* file_sink_create(const std::string& path, zip_error_t* error) {
  auto* sink = new FileSink;
  sink->path = path;
  zip_error_init(&sink->error);
  zip_source_t* src = zip_source_function_create(callback, sink, error);
  if (src == nullptr) {
    zip_error_fini(&sink->error);
    delete sink;
  }
  return src;
}

}  // namespace colophon
