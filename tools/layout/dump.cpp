// `colophon dump --pages`: the laid-out document as text, positions rounded to 0.1 pt.
#include <cmath>
#include <cstdio>

#include "layout/layout.h"

namespace colophon {

namespace {

std::string num(double v) {
  char buf[32];
  double r = std::round(v * 10) / 10;
  if (r == 0) r = 0;  // no "-0.0"
  std::snprintf(buf, sizeof buf, "%.1f", r);
  return buf;
}

std::string face_name(FaceId f) {
  static const char* kNames[] = {"text",     "text-italic",     "text-bold",     "text-bolditalic",
                                 "mono",     "mono-italic",     "mono-bold",     "mono-bolditalic",
                                 "fallback", "fallback-italic", "fallback-bold", "fallback-bolditalic"};
  if (f.font > 0) return "fallback#" + std::to_string(f.font);
  int i = f.index();
  return i >= 0 && i < FaceId::kStyleFaces ? kNames[i] : "?";
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string dump_document(const Document& d) {
  std::string out = "document " + num(d.width) + " x " + num(d.height) + " pt, " +
                    std::to_string(d.pages.size()) + " pages\n";
  for (const PageLabelRange& l : d.labels) {
    const char* style = l.style == PageLabelRange::Style::LowerRoman ? "roman"
                        : l.style == PageLabelRange::Style::Decimal  ? "decimal"
                                                                     : "none";
    out += "labels from page " + std::to_string(l.first_page + 1) + ": " + style + " starting " +
           std::to_string(l.start) + "\n";
  }
  for (size_t i = 0; i < d.pages.size(); ++i) {
    const Page& p = d.pages[i];
    out += "page " + std::to_string(i + 1) + " " + quoted(p.label) + "\n";
    for (const Anchor& a : p.anchors) out += "  anchor " + a.name + " y=" + num(a.y) + "\n";
    for (const TextRun& t : p.texts)
      out += "  text " + num(t.x) + " " + num(t.y) + " " + face_name(t.face) + " " + num(t.size) +
             " " + quoted(t.text) + "\n";
    for (const Rule& r : p.rules)
      out += "  rule " + num(r.x) + " " + num(r.y) + " " + num(r.width) + "x" + num(r.height) + "\n";
    for (const ImageBox& im : p.images)
      out += "  image " + num(im.x) + " " + num(im.y) + " " + num(im.width) + "x" +
             num(im.height) + " asset " + std::to_string(im.asset) + "\n";
    for (const LinkArea& l : p.links)
      out += "  link " + num(l.x) + " " + num(l.y) + " " + num(l.width) + "x" + num(l.height) +
             " -> " + (l.uri.empty() ? "#" + l.dest : l.uri) + "\n";
  }
  for (const OutlineEntry& o : d.outline)
    out += "outline " + std::to_string(o.level) + " " + quoted(o.title) + " page " +
           std::to_string(o.page + 1) + " y=" + num(o.y) + "\n";
  return out;
}

}  // namespace colophon
