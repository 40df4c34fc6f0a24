#include "read/mapped_text.h"

#include <algorithm>

namespace colophon {

namespace {

// Returns the span holding byte OFFSET of a text with SPANS (the last one past the end).
std::vector<TextSpan>::const_iterator span_at(const std::vector<TextSpan>& spans, size_t offset) {
  auto it = std::upper_bound(spans.begin(), spans.end(), offset,
                             [](size_t o, const TextSpan& s) { return o < s.start; });
  return it == spans.begin() ? it : it - 1;
}

}  // namespace

void MappedText::append_origin(uint32_t origin, std::string_view source_text, size_t begin,
                               size_t end) {
  if (end <= begin) return;
  const TextSpan* last = spans.empty() ? nullptr : &spans.back();
  bool continues = last != nullptr && !last->fixed && last->origin == origin &&
                   last->offset + (text.size() - last->start) == begin;
  if (!continues) spans.push_back({text.size(), origin, begin, false});
  text.append(source_text.substr(begin, end - begin));
}

void MappedText::append_made(std::string_view made, uint32_t origin, size_t offset) {
  if (made.empty()) return;
  spans.push_back({text.size(), origin, offset, true});
  text.append(made);
}

void MappedText::append(const MappedText& from, size_t begin, size_t end) {
  end = std::min(end, from.text.size());
  if (end <= begin) return;
  for (auto it = span_at(from.spans, begin); it != from.spans.end() && it->start < end; ++it) {
    size_t lo = std::max(begin, it->start);
    size_t skip = it->fixed ? 0 : lo - it->start;
    const TextSpan* last = spans.empty() ? nullptr : &spans.back();
    bool continues = last != nullptr && !it->fixed && !last->fixed && last->origin == it->origin &&
                     last->offset + (text.size() - last->start) == it->offset + skip;
    if (!continues) spans.push_back({text.size(), it->origin, it->offset + skip, it->fixed});
    size_t hi = std::next(it) == from.spans.end() ? end : std::min(end, std::next(it)->start);
    text.append(from.text, lo, hi - lo);
  }
}

std::pair<uint32_t, size_t> MappedText::origin_of(size_t offset) const {
  if (spans.empty()) return {0, offset};
  auto it = span_at(spans, offset);
  return {it->origin, it->fixed ? it->offset : it->offset + (offset - it->start)};
}

SourcePos SourceMap::origin_pos(uint32_t origin, size_t offset) const {
  if (origin == 0 && under) return under->pos_at(offset);
  if (origin >= origins.size() || origins[origin].source == nullptr) return {};
  SourcePos pos = origins[origin].source->index->pos_at(offset);
  pos.file = origins[origin].file_id;
  return pos;
}

SourcePos SourceMap::pos_at(size_t offset) const {
  if (spans.empty()) return origin_pos(0, offset);
  auto it = span_at(spans, offset);
  return origin_pos(it->origin, it->fixed ? it->offset : it->offset + (offset - it->start));
}

}  // namespace colophon
