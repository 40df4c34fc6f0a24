#include "read/hidden_lines.h"

namespace colophon {

bool is_rust_info(std::string_view info) {
  size_t end = info.find_first_of(", \t");
  return info.substr(0, end) == "rust";
}

std::string without_hidden_rust_lines(std::string_view code) {
  std::string out;
  out.reserve(code.size());
  for (size_t start = 0; start < code.size();) {
    size_t end = code.find('\n', start);
    size_t next = end == std::string_view::npos ? code.size() : end + 1;
    std::string_view line = code.substr(start, next - start);
    size_t indent = line.find_first_not_of(" \t");
    std::string_view text =
        indent == std::string_view::npos ? std::string_view() : line.substr(indent);
    std::string_view body = text;
    while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.remove_suffix(1);
    if (body.substr(0, 2) == "##") {
      out.append(line.substr(0, indent));
      out.append(text.substr(1));
    } else if (!(body == "#" || body.substr(0, 2) == "# ")) {
      out.append(line);
    }
    start = next;
  }
  return out;
}

}  // namespace colophon
