#include "core/paths.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace colophon {

namespace {

// Tells whether P is ROOT or lies under it (both lexically normal and absolute).
bool is_within(const fs::path& root, const fs::path& p) {
  auto r = root.begin(), q = p.begin();
  for (; r != root.end(); ++r, ++q) {
    if (r->empty() && std::next(r) == root.end()) break;  // trailing slash
    if (q == p.end() || *r != *q) return false;
  }
  return true;
}

}  // namespace

SafePath resolve_inside(const fs::path& root, const fs::path& base_dir, std::string_view target) {
  SafePath out;
  std::error_code ec;
  fs::path root_abs = fs::weakly_canonical(fs::absolute(root, ec), ec);
  fs::path t{std::string(target)};
  if (t.is_absolute()) {
    out.status = SafePath::Status::Absolute;
    out.absolute = t;
    return out;
  }
  fs::path base_abs = fs::absolute(base_dir, ec);
  fs::path lexical = (base_abs / t).lexically_normal();
  fs::path lexical_root = fs::absolute(root, ec).lexically_normal();
  if (!is_within(lexical_root, lexical) && !is_within(root_abs, lexical)) {
    out.status = SafePath::Status::Escapes;
    out.absolute = lexical;
    return out;
  }
  out.relative = lexical.lexically_relative(lexical_root).generic_string();
  if (!fs::exists(lexical, ec)) {
    out.status = SafePath::Status::Missing;
    out.absolute = lexical;
    return out;
  }
  fs::path real = fs::canonical(lexical, ec);
  if (ec || !is_within(root_abs, real)) {
    out.status = SafePath::Status::Escapes;
    out.absolute = real;
    return out;
  }
  out.status = SafePath::Status::Ok;
  out.absolute = real;
  return out;
}

std::optional<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return std::move(ss).str();
}

std::string write_file_atomic(const fs::path& path, std::string_view data) {
  fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  // Built with append() rather than operator+: GCC 12 at -O3 warns falsely (-Wrestrict)
  // about the temporaries of "." + name + suffix.
  std::string name = ".";
  name.append(path.filename().string()).append(".XXXXXX");
  std::string tmpl = (dir / name).string();
  int fd = mkstemp(tmpl.data());
  if (fd < 0) return "cannot create a file in '" + dir.string() + "': " + std::strerror(errno);
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::string msg = "cannot write '" + path.string() + "': " + std::strerror(errno);
      ::close(fd);
      ::unlink(tmpl.c_str());
      return msg;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (::fchmod(fd, 0644) != 0 || ::fsync(fd) != 0 || ::close(fd) != 0) {
    std::string msg = "cannot write '" + path.string() + "': " + std::strerror(errno);
    ::unlink(tmpl.c_str());
    return msg;
  }
  if (::rename(tmpl.c_str(), path.c_str()) != 0) {
    std::string msg = "cannot replace '" + path.string() + "': " + std::strerror(errno);
    ::unlink(tmpl.c_str());
    return msg;
  }
  return {};
}

std::string display_path(const std::string& dir_as_given, std::string_view relative) {
  if (dir_as_given.empty() || dir_as_given == ".") return std::string(relative);
  std::string s = dir_as_given;
  if (s.back() != '/') s += '/';
  s += relative;
  return s;
}

}  // namespace colophon
