// collect_assets: every image (and the cover) checked by its bytes and packed once.
#include <atomic>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "core/paths.h"
#include "core/threads.h"
#include "core/utf8.h"
#include "html/svg.h"
#include "passes/common.h"
#include "passes/passes.h"
#include "passes/walk.h"

namespace colophon {

namespace {

// Largest image side accepted, in pixels (bigger is a mistake or a decompression bomb).
constexpr uint32_t kMaxImageSidePx = 20000;
// Bytes read to recognise an image and find its size: PNG and GIF headers come first,
// and a JPEG's frame header follows its metadata segments, rarely 64 KiB in.
constexpr size_t kImageHeadBytes = 64 * 1024;

uint32_t be16(const std::string& d, size_t i) {
  return (static_cast<uint32_t>(static_cast<unsigned char>(d[i])) << 8) |
         static_cast<unsigned char>(d[i + 1]);
}
uint32_t be32(const std::string& d, size_t i) { return (be16(d, i) << 16) | be16(d, i + 2); }
uint32_t le16(const std::string& d, size_t i) {
  return (static_cast<uint32_t>(static_cast<unsigned char>(d[i + 1])) << 8) |
         static_cast<unsigned char>(d[i]);
}

// Reads PNG size and bit depth from IHDR; returns an error message or "".
std::string sniff_png(const std::string& d, Asset& a) {
  if (d.size() < 29 || d.compare(12, 4, "IHDR") != 0 || be32(d, 8) != 13)
    return "PNG file is truncated or corrupt (no IHDR header)";
  a.media_type = "image/png";
  uint32_t w = be32(d, 16), h = be32(d, 20);
  unsigned depth = static_cast<unsigned char>(d[24]), color = static_cast<unsigned char>(d[25]);
  bool ok_depth = false;
  switch (color) {
    case 0: ok_depth = depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16; break;
    case 3: ok_depth = depth == 1 || depth == 2 || depth == 4 || depth == 8; break;
    case 2:
    case 4:
    case 6: ok_depth = depth == 8 || depth == 16; break;
    default: break;
  }
  if (!ok_depth) return "PNG header is corrupt (bit depth " + std::to_string(depth) +
                        " with colour type " + std::to_string(color) + ")";
  if (w == 0 || h == 0 || w > 0x7FFFFFFF || h > 0x7FFFFFFF) return "PNG header is corrupt (size 0)";
  a.width = static_cast<int>(std::min<uint32_t>(w, 0x7FFFFFFF));
  a.height = static_cast<int>(std::min<uint32_t>(h, 0x7FFFFFFF));
  a.bit_depth = static_cast<int>(depth);
  return {};
}

// Reads JPEG size from the first SOF marker; returns an error message or "".
std::string sniff_jpeg(const std::string& d, Asset& a) {
  a.media_type = "image/jpeg";
  size_t i = 2;
  while (i + 4 <= d.size()) {
    if (static_cast<unsigned char>(d[i]) != 0xFF) return "JPEG file is corrupt (bad marker)";
    unsigned m = static_cast<unsigned char>(d[i + 1]);
    if (m == 0xFF) {  // fill byte
      ++i;
      continue;
    }
    if (m == 0x01 || (m >= 0xD0 && m <= 0xD8)) {  // markers without a length
      i += 2;
      continue;
    }
    if (m == 0xD9 || m == 0xDA) break;  // end of image / start of scan before any SOF
    uint32_t len = be16(d, i + 2);
    if (len < 2) return "JPEG file is corrupt (bad segment length)";
    bool sof = (m >= 0xC0 && m <= 0xCF) && m != 0xC4 && m != 0xC8 && m != 0xCC;
    if (sof) {
      if (i + 9 > d.size() || len < 7) break;
      a.height = static_cast<int>(be16(d, i + 5));
      a.width = static_cast<int>(be16(d, i + 7));
      if (a.width == 0 || a.height == 0) return "JPEG header is corrupt (size 0)";
      return {};
    }
    i += 2 + len;
  }
  return "JPEG file is truncated or corrupt (no frame header)";
}

// Reads GIF size from the logical screen descriptor.
std::string sniff_gif(const std::string& d, Asset& a) {
  a.media_type = "image/gif";
  if (d.size() < 10) return "GIF file is truncated";
  a.width = static_cast<int>(le16(d, 6));
  a.height = static_cast<int>(le16(d, 8));
  if (a.width == 0 || a.height == 0) return "GIF header is corrupt (size 0)";
  return {};
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Returns the value of attribute ATTR in the start tag TAG ("" if it has none).
std::string svg_attribute(const std::string& tag, const std::string& attr) {
  size_t p = 0;
  while ((p = tag.find(attr, p)) != std::string::npos) {
    bool start_ok = p > 0 && is_space(tag[p - 1]);
    size_t q = p + attr.size();
    while (q < tag.size() && is_space(tag[q])) ++q;
    if (start_ok && q < tag.size() && tag[q] == '=') {
      ++q;
      while (q < tag.size() && is_space(tag[q])) ++q;
      char quote = q < tag.size() && (tag[q] == '"' || tag[q] == '\'') ? tag[q++] : ' ';
      size_t end = q;
      while (end < tag.size() && tag[end] != quote && !(quote == ' ' && is_space(tag[end])))
        ++end;
      return tag.substr(q, end - q);
    }
    p += attr.size();
  }
  return {};
}

// Reads an SVG length ("120", "120px", "5cm", "2.5in", "72pt") from attribute ATTR of
// TAG, in CSS pixels (96 to the inch); 0 if it has none, or one that gives no size
// (a percentage, which is a share of a viewport an image does not have, or an unknown
// unit).
double svg_length(const std::string& tag, const std::string& attr) {
  std::string v = svg_attribute(tag, attr);
  const char* start = v.c_str();
  while (is_space(*start)) ++start;
  char* end = nullptr;
  double n = std::strtod(start, &end);
  if (end == start || !std::isfinite(n) || n <= 0) return 0;
  std::string unit(end);
  while (!unit.empty() && is_space(unit.back())) unit.pop_back();
  for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  constexpr double kPxPerIn = 96;  // CSS: 1in = 2.54cm = 72pt = 6pc = 96px
  static const std::pair<std::string_view, double> kUnits[] = {
      {"", 1},  {"px", 1},  {"in", kPxPerIn}, {"cm", kPxPerIn / 2.54}, {"mm", kPxPerIn / 25.4},
      {"pt", kPxPerIn / 72}, {"pc", kPxPerIn / 6}, {"em", 16}, {"ex", 8}};
  for (const auto& [name, px] : kUnits)
    if (unit == name) return n * px;
  return 0;
}

// Checks an SVG: XML with an <svg> root, no entity declarations; removes a harmless
// DOCTYPE (into a.data). Returns an error message or "".
std::string sniff_svg(const std::string& d, Asset& a) {
  size_t i = 0;
  if (d.starts_with("\xEF\xBB\xBF")) i = 3;
  size_t doctype_start = std::string::npos, doctype_end = 0;
  while (true) {
    while (i < d.size() && is_space(d[i])) ++i;
    if (d.compare(i, 2, "<?") == 0) {
      size_t e = d.find("?>", i);
      if (e == std::string::npos) return "not an image";
      i = e + 2;
    } else if (d.compare(i, 4, "<!--") == 0) {
      size_t e = d.find("-->", i);
      if (e == std::string::npos) return "not an image";
      i = e + 3;
    } else if (d.compare(i, 9, "<!DOCTYPE") == 0) {
      size_t e = d.find_first_of("[>", i);
      if (e == std::string::npos) return "SVG file is truncated (unclosed DOCTYPE)";
      if (d[e] == '[')
        return "SVG has a DOCTYPE with an internal subset (entity declarations are refused)";
      doctype_start = i;
      doctype_end = e + 1;
      i = e + 1;
    } else {
      break;
    }
  }
  if (i >= d.size() || d[i] != '<') return "not an image";
  size_t name_end = i + 1;
  while (name_end < d.size() && !is_space(d[name_end]) && d[name_end] != '>' && d[name_end] != '/')
    ++name_end;
  std::string name = d.substr(i + 1, name_end - i - 1);
  size_t colon = name.find(':');
  if ((colon == std::string::npos ? name : name.substr(colon + 1)) != "svg") return "not an image";
  a.media_type = "image/svg+xml";
  if (d.find("<!ENTITY") != std::string::npos) return "SVG declares entities, which are refused";
  for (size_t amp = d.find('&'); amp != std::string::npos; amp = d.find('&', amp + 1)) {
    size_t semi = d.find(';', amp);
    if (semi == std::string::npos || semi - amp > 40) continue;
    std::string ref = d.substr(amp + 1, semi - amp - 1);
    if (ref.empty() || ref[0] == '#' || ref == "amp" || ref == "lt" || ref == "gt" ||
        ref == "quot" || ref == "apos")
      continue;
    bool is_name = true;
    for (char c : ref)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.')
        is_name = false;
    if (is_name) return "SVG uses the undefined entity '&" + ref + ";'";
  }
  size_t tag_end = d.find('>', i);
  std::string root = d.substr(i, tag_end == std::string::npos ? std::string::npos : tag_end - i);
  // Its size in CSS pixels: width and height, in any CSS unit; a side that is missing
  // (or a percentage) follows the viewBox's proportions, or is the viewBox's.
  double w = svg_length(root, "width"), h = svg_length(root, "height");
  if (w <= 0 || h <= 0) {
    std::string box = svg_attribute(root, "viewBox");
    char* p = box.data();
    double v[4] = {0, 0, 0, 0};
    for (double& x : v) {
      while (*p == ',' || is_space(*p)) ++p;
      x = std::strtod(p, &p);
    }
    if (v[2] > 0 && v[3] > 0) {
      if (w > 0) {
        h = w * v[3] / v[2];
      } else if (h > 0) {
        w = h * v[2] / v[3];
      } else {
        w = v[2];
        h = v[3];
      }
    }
  }
  if (w > 0 && h > 0 && w < 1e9 && h < 1e9) {
    a.width = static_cast<int>(std::lround(w));
    a.height = static_cast<int>(std::lround(h));
  }
  if (doctype_start != std::string::npos)
    a.data = d.substr(0, doctype_start) + d.substr(doctype_end);
  return {};
}

// What sniff_file returns when the file cannot be read.
constexpr std::string_view kUnreadable = "cannot read";

// Judges the image file at PATH by its bytes and fills A's type and size. A raster image
// is read only as far as its header; an SVG, and a JPEG whose frame header lies further
// in, whole, and an SVG's bytes are kept in A.data (unless its DOCTYPE was cut) for the
// EPUB to pack as they are. Returns "" for an image, "not an image", kUnreadable, or
// another problem to report. REMOVED, when given, records what an SVG's rebuild left out.
std::string sniff_file(const std::filesystem::path& path, Asset& a, Removals* removed = nullptr) {
  bool complete = false;
  std::optional<std::string> data = read_file_prefix(path, kImageHeadBytes, complete);
  if (!data) {
    // Say why: a named pipe or device where the image should be is refused unread.
    std::string problem = regular_file_problem(path);
    return problem.empty() ? std::string(kUnreadable) : problem;
  }
  if (data->starts_with("\x89PNG\r\n\x1A\n")) return sniff_png(*data, a);
  if (data->starts_with("GIF87a") || data->starts_with("GIF89a")) return sniff_gif(*data, a);
  bool jpeg = data->size() >= 3 && data->compare(0, 3, "\xFF\xD8\xFF") == 0;
  std::string problem;
  if (jpeg) problem = sniff_jpeg(*data, a);
  if (!complete && (!jpeg || !problem.empty())) {
    FileRead whole = read_regular_file(path, kMaxDataFileBytes);
    if (!whole.ok()) return whole.problem;
    data = std::move(whole.data);
    if (jpeg) problem = sniff_jpeg(*data, a);
  }
  if (jpeg) return problem;
  problem = sniff_svg(*data, a);
  if (problem.empty()) {
    // Packed as rebuilt from the allow-list: no script, event, foreign content or
    // reference out of the image survives (html/svg.h).
    Removals dropped;
    std::string clean = sanitize_svg(a.data.empty() ? *data : a.data, problem, dropped);
    // A script is not removed quietly but refused: the image was made to run something.
    // The rebuild finds it whatever prefix its element has, and not in a comment.
    for (const Removals::Kind& k : dropped.kinds())
      if (problem.empty() && k.what == "<script>")
        problem = "SVG contains a <script>, which an e-book cannot run";
    if (problem.empty()) a.data = std::move(clean);
    if (removed != nullptr) *removed = std::move(dropped);
  }
  return problem;
}

// Makes a path safe for an EPUB href: ASCII letters, digits, '.', '_', '-' and '/'. A
// letter with accents keeps its letter, whichever normal form the name is in
// ("hôtel" and "hôtel" both give "hotel"); any other byte becomes '-'.
std::string safe_href_path(const std::string& rel) {
  std::string out = without_accents(rel);
  for (char& c : out) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
              c == '/';
    if (!ok || static_cast<unsigned char>(c) >= 0x80) c = '-';
  }
  return out;
}

// Returns HREF ending in the extension of MEDIA_TYPE (the type its bytes show): the name
// of a PNG saved as "shot.jpg" becomes "shot.png", since reading systems go by the name
// and epubcheck warns of the mismatch (PKG-022). A name that fits is kept as it is.
std::string with_type_extension(const std::string& href, const std::string& media_type) {
  std::vector<std::string_view> fitting;
  if (media_type == "image/png") fitting = {".png"};
  if (media_type == "image/jpeg") fitting = {".jpg", ".jpeg", ".jpe"};
  if (media_type == "image/gif") fitting = {".gif"};
  if (media_type == "image/svg+xml") fitting = {".svg"};
  if (fitting.empty()) return href;
  size_t dot = href.rfind('.');
  if (dot == std::string::npos || dot < href.rfind('/')) dot = href.size();
  std::string ext = href.substr(dot);
  for (char& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  for (std::string_view f : fitting)
    if (ext == f) return href;
  return href.substr(0, dot) + std::string(fitting.front());
}

class AssetCollector {
 public:
  AssetCollector(Book& book, Diagnostics& diag) : book_(book), diag_(diag) {}

  void run() {
    for (size_t c = 0; c < book_.chapters.size(); ++c)
      unlink_web_images(book_.chapters[c].blocks, static_cast<int>(c));
    for (Note& n : book_.notes) unlink_web_images(n.blocks, n.chapter);
    report_web_images();
    sniff_ahead();
    if (!book_.meta.cover.empty()) {
      int idx = add(book_.meta.cover, -1, {}, true);
      if (idx >= 0) book_.meta.cover = book_.assets[idx].source;
    }
    std::vector<std::vector<int>> groups = notes_by_chapter(book_);
    for (size_t c = 0; c < book_.chapters.size(); ++c) {
      int ci = static_cast<int>(c);
      auto visit = [&](Inline& in) {
        if (in.kind == InlineKind::Image) in.asset = add(in.url, ci, in.pos, false);
      };
      for_each_inline_in_blocks(book_.chapters[c].blocks, visit);
      for (int n : groups[c]) for_each_inline_in_blocks(book_.notes[n].blocks, visit);
    }
  }

 private:
  void error(int c, SourcePos pos, std::string message, std::string hint) {
    diag_.error(chapter_file(book_, c), pos, std::move(message), std::move(hint));
  }

  // Writes each image on the web (an http: or https: address) among BLOCKS of chapter C
  // as its alternative text, linked to the address: mdBook leaves such an image to the
  // browser, but an EPUB must hold its images and colophon downloads nothing. Inside a
  // link, which cannot hold another, the text stays unlinked. A figure of one becomes a
  // paragraph. report_web_images warns once for them all.
  void unlink_web_images(std::vector<Block>& blocks, int c) {
    auto per_block = [&](Block& b) {
      auto per_list = [&](std::vector<Inline>& inlines) { unlink_web_images(inlines, c, false); };
      for_each_own_inline_list(b, per_list);
      if (b.kind == BlockKind::Figure &&
          (b.inlines.size() != 1 || b.inlines[0].kind != InlineKind::Image))
        b.kind = BlockKind::Paragraph;
    };
    for_each_block(blocks, per_block);
  }

  void unlink_web_images(std::vector<Inline>& inlines, int c, bool in_link) {
    for (Inline& in : inlines) {
      if (in.kind == InlineKind::Image && is_web_address(in.url)) {
        if (web_images_++ == 0) {
          web_file_ = chapter_file(book_, c);
          web_pos_ = in.pos;
          web_example_ = in.url;
        }
        if (in.children.empty()) {  // no alternative text: the address is the text
          Inline text;
          text.pos = in.pos;
          text.text = in.url;
          in.children.push_back(std::move(text));
        }
        in.attr = Attr{};
        if (in_link) {
          in.kind = InlineKind::Span;
          in.element = "span";
          in.url.clear();
          in.title.clear();
        } else {
          in.kind = InlineKind::Link;
          in.target = LinkTarget{};
          in.target.kind = LinkTarget::Kind::External;
        }
      }
      unlink_web_images(in.children, c, in_link || in.kind == InlineKind::Link);
    }
  }

  static bool is_web_address(const std::string& url) {
    std::string scheme = url_scheme(url);
    return scheme == "http" || scheme == "https";
  }

  // Warns once, at the first, for every image unlink_web_images wrote as text.
  void report_web_images() {
    if (web_images_ == 0) return;
    std::string count =
        web_images_ == 1 ? "1 image is" : std::to_string(web_images_) + " images are";
    diag_.warning(web_file_, web_pos_,
                  count + " on the web, not in the book (first: '" + web_example_ +
                      "'); each is written as its alternative text, linked to its address",
                  "to show them, save them into the book (e.g. src/images/) and use relative "
                  "paths");
  }

  // What sniff_file made of one file, judged ahead of the walk.
  struct Sniffed {
    Asset asset;
    Removals removed;
    std::string problem;
  };

  // Returns the path URL (an image of chapter C, or with COVER the cover) names, resolved
  // inside the book, with its status; nullopt when it names no path of the book at all
  // (a scheme, a network path, a path that does not decode). add says why for each.
  std::optional<SafePath> locate(const std::string& url, int c, bool cover) const {
    if (!url_scheme(url).empty() || url.starts_with("//")) return std::nullopt;
    std::optional<std::string> decoded = percent_decode(url.substr(0, url.find('#')));
    if (!decoded || decoded->empty()) return std::nullopt;
    return resolve_inside(book_.root, cover ? std::filesystem::path(book_.root)
                                            : chapter_dir(book_, c), *decoded);
  }

  // Returns the file URL names when it is a regular file inside the book, or nullopt.
  std::optional<std::filesystem::path> image_file(const std::string& url, int c, bool cover) {
    std::optional<SafePath> sp = locate(url, c, cover);
    std::error_code ec;
    if (!sp || sp->status != SafePath::Status::Ok ||
        !std::filesystem::is_regular_file(sp->absolute, ec))
      return std::nullopt;
    return sp->absolute;
  }

  // Judges every image file the book names, each once, on every core, before the walk
  // (which numbers and reports them in the book's order) asks for them: an SVG is read,
  // parsed and rebuilt whole (html/svg.h), the passes' heaviest step on a book with large
  // drawings, and one SVG does not depend on another.
  void sniff_ahead() {
    std::vector<std::filesystem::path> files;
    std::unordered_set<std::string> seen;
    auto want = [&](const std::string& url, int c, bool cover) {
      if (std::optional<std::filesystem::path> f = image_file(url, c, cover))
        if (seen.insert(f->string()).second) files.push_back(std::move(*f));
    };
    if (!book_.meta.cover.empty()) want(book_.meta.cover, -1, true);
    std::vector<std::vector<int>> groups = notes_by_chapter(book_);
    for (size_t c = 0; c < book_.chapters.size(); ++c) {
      int ci = static_cast<int>(c);
      auto visit = [&](Inline& in) {
        if (in.kind == InlineKind::Image) want(in.url, ci, false);
      };
      for_each_inline_in_blocks(book_.chapters[c].blocks, visit);
      for (int n : groups[c]) for_each_inline_in_blocks(book_.notes[n].blocks, visit);
    }
    if (files.size() < 2 || spare_cores() == 0) return;  // the walk sniffs them as it goes
    std::vector<Sniffed> found(files.size());
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t i; (i = next.fetch_add(1)) < files.size();)
        found[i].problem = sniff_file(files[i], found[i].asset, &found[i].removed);
    };
    std::vector<std::thread> threads = start_threads(spare_cores(), work);
    {
      ThreadJoiner joiner(threads, [&] { next = files.size(); });
      work();
    }
    for (size_t i = 0; i < files.size(); ++i)
      sniffed_.emplace(files[i].string(), std::move(found[i]));
  }

  // Says once for the SVG image at SOURCE (its path in the book) what its rebuild left
  // out: each kind with its count, at the line of the first.
  void report_svg_removals(const std::string& source, const Removals& removed) {
    uint32_t first = 0;
    for (const Removals::Kind& k : removed.kinds())
      if (k.line > 0 && (first == 0 || k.line < first)) first = k.line;
    size_t total = removed.total();
    diag_.warning(book_.display(source), {first, 0},
                  "active content removed from this SVG image: " + removed.summary() +
                      (total > 1 ? " (" + std::to_string(total) + " removals in all)" : ""),
                  "an image in an e-book is a picture only: no scripts, animation or "
                  "references outside it; save it again as plain SVG to silence this");
  }

  // Looks beside the SVG at SVG_PATH for a PNG or JPEG of the same name, inside the
  // book, for the PDF to print instead; records the first usable one in A. One that is
  // not a usable image is passed over: the PDF then prints a placeholder and says so.
  void find_print_version(Asset& a, const std::filesystem::path& svg_path) {
    namespace fs = std::filesystem;
    for (const char* ext : {".png", ".jpg", ".jpeg"}) {
      std::string name = svg_path.stem().string();
      name.append(ext);
      SafePath sp = resolve_inside(book_.root, svg_path.parent_path(), name);
      std::error_code ec;
      if (sp.status != SafePath::Status::Ok || !fs::is_regular_file(sp.absolute, ec)) continue;
      Asset probe;
      if (!sniff_file(sp.absolute, probe).empty() ||
          (probe.media_type != "image/png" && probe.media_type != "image/jpeg") ||
          probe.width <= 0 || probe.height <= 0 ||
          probe.width > static_cast<int>(kMaxImageSidePx) ||
          probe.height > static_cast<int>(kMaxImageSidePx))
        continue;
      a.print_path = sp.absolute.string();
      a.print_media_type = probe.media_type;
      a.print_width = probe.width;
      a.print_height = probe.height;
      return;
    }
  }

  // Resolves, checks and records one image; returns its asset index or -1.
  int add(const std::string& url, int c, SourcePos pos, bool cover) {
    namespace fs = std::filesystem;
    std::string what = cover ? "cover image" : "image";
    std::string scheme = url_scheme(url);
    if (!scheme.empty() || url.starts_with("//")) {
      if (scheme == "data")
        error(c, pos, what + " written as a data: URL is not allowed",
              "save the image as a file in the book and link to it");
      else
        error(c, pos, what + " '" + url + "' is not a file of the book",
              "download it into the book (e.g. src/images/) and use a relative path");
      return -1;
    }
    std::optional<SafePath> located = locate(url, c, cover);
    if (!located) {
      error(c, pos, what + " '" + url + "' is not a valid path", "write a relative file path");
      return -1;
    }
    const SafePath& sp = *located;
    switch (sp.status) {
      case SafePath::Status::Absolute:
        error(c, pos, what + " '" + url + "' is an absolute path",
              cover ? "write the path relative to the book root" : "write the path relative to "
                                                                  "this file");
        return -1;
      case SafePath::Status::Escapes:
        error(c, pos, what + " '" + url + "' is outside the book",
              "copy it into the book (e.g. src/images/) and use a relative path");
        return -1;
      case SafePath::Status::Missing: {
        std::string dir = fs::path(sp.relative).parent_path().generic_string();
        error(c, pos,
              what + " '" + url + "' not found (looked in " + (dir.empty() ? "." : dir) + "/)",
              cover ? "cover paths are relative to the book root" : "check the file name");
        return -1;
      }
      case SafePath::Status::Ok: break;
    }
    std::string key = sp.absolute.string();
    if (auto it = by_path_.find(key); it != by_path_.end()) return it->second;
    // A file found wanting is reported once, where it is first used: the other places
    // are the same mistake, mended in one place.
    if (broken_.count(key)) return -1;
    std::error_code ec;
    if (!fs::is_regular_file(sp.absolute, ec)) {
      error(c, pos, what + " '" + url + "' is not a file", "point it at an image file");
      broken_.insert(key);
      return -1;
    }
    // Raster images are judged by their first bytes; the backends read them whole on
    // their own threads. Only an SVG (and a JPEG whose frame header lies further in) is
    // read whole here.
    Asset a;
    Removals removed;
    std::string problem;
    if (auto ahead = sniffed_.find(key); ahead != sniffed_.end()) {
      a = std::move(ahead->second.asset);
      removed = std::move(ahead->second.removed);
      problem = std::move(ahead->second.problem);
      sniffed_.erase(ahead);
    } else {
      problem = sniff_file(sp.absolute, a, &removed);
    }
    a.source = sp.relative;
    a.path = key;
    if (problem.empty() && !removed.empty()) report_svg_removals(a.source, removed);
    if (problem == kUnreadable) {
      error(c, pos, "cannot read " + what + " '" + url + "'", "check the file's permissions");
      broken_.insert(key);
      return -1;
    }
    if (problem == "not an image") {
      error(c, pos, what + " '" + url + "' is not an image",
            "use a PNG, JPEG, GIF or SVG file (the type is read from the bytes, not the name)");
      broken_.insert(key);
      return -1;
    }
    if (!problem.empty()) {
      error(c, pos, what + " '" + url + "': " + problem, "export the image again");
      broken_.insert(key);
      return -1;
    }
    if (a.media_type == "image/svg+xml") find_print_version(a, sp.absolute);
    if (a.width > static_cast<int>(kMaxImageSidePx) || a.height > static_cast<int>(kMaxImageSidePx)) {
      error(c, pos,
            what + " '" + url + "' is " + std::to_string(a.width) + "x" +
                std::to_string(a.height) + " pixels, more than " +
                std::to_string(kMaxImageSidePx) + " on a side",
            "scale it down; a page never needs that many pixels");
      broken_.insert(key);
      return -1;
    }
    std::string rel = a.source;
    std::string src_prefix = book_.src_dir.empty() ? std::string() : book_.src_dir + "/";
    if (!src_prefix.empty() && rel.starts_with(src_prefix)) rel = rel.substr(src_prefix.size());
    std::string href = with_type_extension("media/" + safe_href_path(rel), a.media_type);
    if (hrefs_.count(href)) {
      size_t dot = href.rfind('.');
      if (dot == std::string::npos || dot < href.rfind('/')) dot = href.size();
      std::string stem = href.substr(0, dot), ext = href.substr(dot);
      for (int k = 2; hrefs_.count(href); ++k) href = stem + "-" + std::to_string(k) + ext;
    }
    hrefs_.insert(href);
    a.href = href;
    std::string id_base = "img-";
    for (char ch : safe_href_path(rel)) id_base += (ch == '/' || ch == '.') ? '-' : ch;
    std::string id = id_base;
    for (int k = 2; ids_.count(id); ++k) id = id_base + "-" + std::to_string(k);
    ids_.insert(id);
    a.id = id;
    int idx = static_cast<int>(book_.assets.size());
    book_.assets.push_back(std::move(a));
    by_path_.emplace(key, idx);
    return idx;
  }

  Book& book_;
  Diagnostics& diag_;
  std::unordered_map<std::string, int> by_path_;
  std::unordered_map<std::string, Sniffed> sniffed_;  // by absolute path: sniff_ahead's
  std::unordered_set<std::string> broken_;  // files already reported as unusable
  std::unordered_set<std::string> hrefs_, ids_;
  size_t web_images_ = 0;  // unlink_web_images: how many, and where the first stands
  std::string web_file_, web_example_;
  SourcePos web_pos_;
};

}  // namespace

void collect_assets(Book& book, Diagnostics& diag) {
  book.assets.clear();
  AssetCollector(book, diag).run();
}

}  // namespace colophon
