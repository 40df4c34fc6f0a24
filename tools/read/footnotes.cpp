#include "read/footnotes.h"

#include <algorithm>
#include <map>

namespace colophon {

namespace {

constexpr size_t kMaxLabelBytes = 999;    // CommonMark's limit for link labels
constexpr int kMaxContainerMarkers = 32;  // `>` and list markers skipped before a definition

// Reads a label after "[^" at TEXT[FROM]; returns its end (the ']') or npos.
size_t label_end(std::string_view text, size_t from) {
  size_t limit = std::min(text.size(), from + kMaxLabelBytes + 1);
  for (size_t i = from; i < limit; ++i) {
    char c = text[i];
    if (c == ']') return i > from ? i : std::string_view::npos;
    if (c == '[' || c == '\n' || c == '\r') return std::string_view::npos;
    if (c == '\\') ++i;
  }
  return std::string_view::npos;
}

// Returns the byte offset of LINE's content after block quote markers, list markers
// and indentation (where a footnote definition would start).
size_t after_container_markers(std::string_view line) {
  size_t i = 0;
  for (int k = 0; k < kMaxContainerMarkers; ++k) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    char c = line[i];
    if (c == '>') {
      ++i;
      continue;
    }
    if ((c == '-' || c == '*' || c == '+') && i + 1 < line.size() &&
        (line[i + 1] == ' ' || line[i + 1] == '\t')) {
      i += 1;
      continue;
    }
    size_t d = i;
    while (d < line.size() && d - i < 9 && line[d] >= '0' && line[d] <= '9') ++d;
    if (d > i && d + 1 < line.size() && (line[d] == '.' || line[d] == ')') &&
        (line[d + 1] == ' ' || line[d + 1] == '\t')) {
      i = d + 1;
      continue;
    }
    break;
  }
  return i;
}

// Returns the byte ranges [begin, end) of the code spans on LINE (backtick runs
// closed by a run of the same length on the same line).
std::vector<std::pair<size_t, size_t>> code_spans(std::string_view line) {
  std::vector<std::pair<size_t, size_t>> spans;
  size_t i = 0;
  while ((i = line.find('`', i)) != std::string_view::npos) {
    if (i > 0 && line[i - 1] == '\\') {
      ++i;
      continue;
    }
    size_t run_end = line.find_first_not_of('`', i);
    if (run_end == std::string_view::npos) break;
    size_t run = run_end - i;
    size_t j = run_end;
    bool closed = false;
    while ((j = line.find('`', j)) != std::string_view::npos) {
      size_t e = line.find_first_not_of('`', j);
      if (e == std::string_view::npos) e = line.size();
      if (e - j == run) {
        spans.emplace_back(i, e);
        i = e;
        closed = true;
        break;
      }
      j = e;
    }
    if (!closed) i = run_end;
  }
  return spans;
}

// Tells whether a label contains white space (cmark-gfm footnote labels cannot).
bool has_space(std::string_view label) {
  return label.find_first_of(" \t") != std::string_view::npos;
}

// Returns LABEL with white space runs turned into '-', for hints.
std::string dashed(std::string_view label) {
  std::string out;
  for (char c : label) {
    bool space = c == ' ' || c == '\t';
    if (!space)
      out += c;
    else if (!out.empty() && out.back() != '-')
      out += '-';
  }
  return out;
}

}  // namespace

std::string normalize_label(std::string_view label) {
  std::string out;
  out.reserve(label.size());
  bool space = false;
  for (char c : label) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

std::pair<std::string, uint32_t> definition_label(const SourceText& source, uint32_t line,
                                                  uint32_t byte_col) {
  std::string_view text = source.line(line);
  size_t limit = byte_col > 0 ? std::min<size_t>(byte_col - 1, text.size()) : text.size();
  size_t at = text.substr(0, limit).rfind("[^");
  // The content may start on a later line than the label (`[^x]:` alone on its line).
  for (uint32_t back = 1; at == std::string_view::npos && back <= 2 && line > back; ++back) {
    text = source.line(line - back);
    at = text.rfind("[^");
    if (at != std::string_view::npos) line -= back;
  }
  if (at == std::string_view::npos) return {{}, 0};
  size_t end = label_end(text, at + 2);
  if (end == std::string_view::npos) return {{}, 0};
  return {std::string(text.substr(at + 2, end - at - 2)), static_cast<uint32_t>(at + 1)};
}

void collect_literal_labels(std::string_view text, std::set<std::string>& labels) {
  size_t i = 0;
  while ((i = text.find("[^", i)) != std::string_view::npos) {
    size_t end = label_end(text, i + 2);
    if (end != std::string_view::npos) labels.insert(std::string(text.substr(i + 2, end - i - 2)));
    i += 2;
  }
}

void check_footnotes(const SourceText& source, const FootnoteFacts& facts, const std::string& file,
                     Diagnostics& diag) {
  std::vector<bool> verbatim(source.line_count() + 2, false);
  for (auto [first, last] : facts.verbatim_lines)
    for (uint32_t l = first; l <= last && l < verbatim.size(); ++l) verbatim[l] = true;
  std::set<uint32_t> kept_lines;
  std::map<std::string, uint32_t> first_line;  // normalised label -> line of its first definition
  for (const auto& [line, label] : facts.kept) {
    kept_lines.insert(line);
    first_line.emplace(label, line);
  }

  struct Finding {
    SourcePos pos;
    bool error;
    std::string message, hint;
  };
  std::vector<Finding> findings;
  for (uint32_t l = 1; l <= source.line_count(); ++l) {
    if (verbatim[l]) continue;
    std::string_view text = source.line(l);
    if (text.find("[^") == std::string_view::npos) continue;
    size_t content = after_container_markers(text);
    std::vector<std::pair<size_t, size_t>> spans;
    bool spans_known = false;
    size_t i = 0;
    while ((i = text.find("[^", i)) != std::string_view::npos) {
      size_t at = i;
      i += 2;
      size_t end = label_end(text, at + 2);
      if (end == std::string_view::npos) continue;
      std::string label(text.substr(at + 2, end - at - 2));
      SourcePos pos = source.pos(l, static_cast<uint32_t>(at + 1));
      bool definition = at == content && end + 1 < text.size() && text[end + 1] == ':';
      if (definition) {
        if (kept_lines.count(l) != 0) continue;
        std::string key = normalize_label(label);
        auto [it, first] = first_line.emplace(key, l);
        if (has_space(label)) {
          findings.push_back({pos, false,
                              "footnote label [^" + label +
                                  "] contains white space, so this is not a footnote; it is "
                                  "left out",
                              "use a label without spaces, e.g. [^" + dashed(label) +
                                  "], here and in its references"});
        } else if (first) {
          findings.push_back(
              {pos, false, "footnote [^" + label + "] is never referenced; it is left out",
               "refer to it in the text with [^" + label + "], or delete the definition"});
        } else {
          findings.push_back({pos, false,
                              "footnote [^" + label + "] is defined twice (first at line " +
                                  std::to_string(it->second) + "); this definition is ignored",
                              "give this note a label of its own, e.g. [^" + label +
                                  "-2], and use it in its reference"});
        }
        continue;
      }
      if (facts.literal_labels.count(label) == 0) continue;
      if (facts.references.count({l, static_cast<uint32_t>(at + 1)}) != 0) continue;
      size_t slashes = 0;
      while (slashes < at && text[at - 1 - slashes] == '\\') ++slashes;
      if (slashes % 2 == 1) continue;  // \[^x] is literal text on purpose
      if (!spans_known) {
        spans = code_spans(text);
        spans_known = true;
      }
      bool in_code = std::any_of(spans.begin(), spans.end(),
                                 [&](const auto& s) { return at >= s.first && at < s.second; });
      if (in_code) continue;
      if (has_space(label)) {
        findings.push_back({pos, true,
                            "footnote label [^" + label +
                                "] contains white space, so this is not a footnote reference",
                            "use a label without spaces, e.g. [^" + dashed(label) +
                                "], here and in its definition"});
        continue;
      }
      findings.push_back({pos, true, "footnote [^" + label + "] is not defined",
                          "add its text on a line of its own in this file: [^" + label +
                              "]: The note. (Each chapter file defines its own notes.)"});
    }
  }
  for (Finding& f : findings) {
    if (f.error)
      diag.error(file, f.pos, std::move(f.message), std::move(f.hint));
    else
      diag.warning(file, f.pos, std::move(f.message), std::move(f.hint));
  }
}

}  // namespace colophon
