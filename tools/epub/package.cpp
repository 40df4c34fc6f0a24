// OPF, nav, NCX, container and generated pages of the EPUB, as text.
#include "epub/package.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <optional>
#include <unordered_map>

#include "core/clock.h"
#include "core/paths.h"
#include "core/text.h"
#include "core/work.h"
#include "xhtml/xhtml.h"

namespace colophon {

namespace {

// A UUID namespace of our own for identifiers derived from title and authors.
constexpr std::array<uint8_t, 16> kColophonUuidNamespace = {
    0x5c, 0x0b, 0x1f, 0x6e, 0x9a, 0x42, 0x4e, 0x17, 0x8d, 0x3a, 0x61, 0xc4, 0x2e, 0x90, 0x7b, 0x05};

uint32_t rotl(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

// Computes the SHA-1 digest (FIPS 180-4) of DATA.
std::array<uint8_t, 20> sha1(const std::string& data) {
  uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  std::string msg = data;
  uint64_t bit_length = static_cast<uint64_t>(data.size()) * 8;
  msg += static_cast<char>(0x80);
  while (msg.size() % 64 != 56) msg += '\0';
  for (int i = 7; i >= 0; --i) msg += static_cast<char>((bit_length >> (i * 8)) & 0xff);
  for (size_t block = 0; block < msg.size(); block += 64) {
    uint32_t w[80];
    for (int i = 0; i < 16; ++i) {
      const auto* p = reinterpret_cast<const uint8_t*>(msg.data() + block + i * 4);
      w[i] = (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
    }
    for (int i = 16; i < 80; ++i) w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; ++i) {
      uint32_t f, k;
      if (i < 20) {
        f = (b & c) | (~b & d);
        k = 0x5A827999;
      } else if (i < 40) {
        f = b ^ c ^ d;
        k = 0x6ED9EBA1;
      } else if (i < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8F1BBCDC;
      } else {
        f = b ^ c ^ d;
        k = 0xCA62C1D6;
      }
      uint32_t t = rotl(a, 5) + f + e + k + w[i];
      e = d;
      d = c;
      c = rotl(b, 30);
      b = a;
      a = t;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
  }
  std::array<uint8_t, 20> out{};
  for (int i = 0; i < 20; ++i) out[i] = static_cast<uint8_t>(h[i / 4] >> (24 - 8 * (i % 4)));
  return out;
}

// Appends S escaped for XML (a short alias).
void esc(std::string& out, std::string_view s, bool attribute = false) {
  append_xml_escaped(out, s, attribute);
}

// Appends TEXT as a block of its own: escaped, through MARKUP when given (in LANGUAGE).
void block_text(std::string& out, std::string_view text, TextMarkup* markup,
                std::string_view language) {
  if (markup == nullptr) {
    esc(out, text);
    return;
  }
  markup->block();
  markup->text(out, text, language.empty() ? std::string_view("en") : language, {});
}

// Appends <TAG ATTRS>escaped text</TAG> and a newline (the text through MARKUP when
// given, in LANGUAGE).
void element(std::string& out, const char* tag, std::string_view text, const char* attrs = "",
             TextMarkup* markup = nullptr, std::string_view language = {}) {
  out += '<';
  out += tag;
  out += attrs;
  out += '>';
  block_text(out, text, markup, language);
  out += "</";
  out += tag;
  out += ">\n";
}

// Tells whether DATE is a W3CDTF date as epubcheck wants it (YYYY, YYYY-MM, YYYY-MM-DD,
// optionally followed by a time).
bool is_w3c_date(const std::string& date) {
  auto digits = [&](size_t from, size_t n) {
    if (date.size() < from + n) return false;
    for (size_t i = from; i < from + n; ++i)
      if (date[i] < '0' || date[i] > '9') return false;
    return true;
  };
  if (!digits(0, 4)) return false;
  if (date.size() == 4) return true;
  if (date[4] != '-' || !digits(5, 2)) return false;
  if (date.size() == 7) return true;
  if (date.size() < 10 || date[7] != '-' || !digits(8, 2)) return false;
  if (date.size() == 10) return true;
  return date[10] == 'T' && date.size() >= 16;
}

// Tells whether GIF data holds more than one frame (an animation), or cannot be read.
bool gif_may_animate(std::string_view gif) {
  constexpr size_t kHeaderBytes = 13;  // signature, version, logical screen descriptor
  if (gif.size() < kHeaderBytes || gif.substr(0, 3) != "GIF") return true;
  auto byte = [&](size_t i) { return static_cast<uint8_t>(gif[i]); };
  auto table_bytes = [&](uint8_t flags) -> size_t {
    return (flags & 0x80) ? 3u * (1u << ((flags & 7) + 1)) : 0u;
  };
  auto skip_sub_blocks = [&](size_t at) {
    while (at < gif.size() && byte(at) != 0) at += byte(at) + 1u;
    return at + 1;
  };
  size_t at = kHeaderBytes + table_bytes(byte(10));
  int frames = 0;
  while (at < gif.size()) {
    uint8_t kind = byte(at);
    if (kind == 0x3B) return frames > 1;  // trailer
    if (kind == 0x21) {                   // extension: label, then data sub-blocks
      at = skip_sub_blocks(at + 2);
    } else if (kind == 0x2C) {            // image descriptor
      constexpr size_t kDescriptorBytes = 10;
      if (at + kDescriptorBytes > gif.size()) return true;
      if (++frames > 1) return true;
      at += kDescriptorBytes + table_bytes(byte(at + 9));
      at = skip_sub_blocks(at + 1);  // LZW minimum code size, then image data
    } else {
      return true;
    }
  }
  return true;  // no trailer: damaged, so make no promise
}

// Returns the plain text of a heading for the table of contents.
std::string heading_label(const Block& b) { return std::string(trim(plain_text(b.inlines))); }

}  // namespace

std::string sha1_hex(const std::string& data) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (uint8_t b : sha1(data)) {
    s += kHex[b >> 4];
    s += kHex[b & 15];
  }
  return s;
}

std::string uuid_v5(const std::string& name) {
  std::string input(kColophonUuidNamespace.begin(), kColophonUuidNamespace.end());
  input += name;
  std::array<uint8_t, 20> d = sha1(input);
  d[6] = static_cast<uint8_t>((d[6] & 0x0f) | 0x50);  // version 5
  d[8] = static_cast<uint8_t>((d[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
    s += kHex[d[i] >> 4];
    s += kHex[d[i] & 15];
  }
  return s;
}

std::string book_identifier(const Book& book) {
  if (!book.meta.identifier.empty()) return book.meta.identifier;
  std::string name = book.meta.title;
  for (const std::string& a : book.meta.authors) name += "\n" + a;
  return "urn:uuid:" + uuid_v5(name);
}

void dos_date_time_utc(int64_t seconds, uint16_t& dos_date, uint16_t& dos_time) {
  constexpr int64_t kSecondsPerDay = 86400;
  constexpr int64_t kDosEpoch = 315532800;   // 1980-01-01T00:00:00Z
  constexpr int64_t kDosLast = 4354819198;   // 2107-12-31T23:59:58Z
  seconds = std::clamp(seconds, kDosEpoch, kDosLast);
  int64_t days = seconds / kSecondsPerDay;
  int64_t rest = seconds % kSecondsPerDay;
  // Civil date from days since 1970-01-01 (proleptic Gregorian, 400-year eras).
  int64_t z = days + 719468;
  int64_t era = z / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t day = doy - (153 * mp + 2) / 5 + 1;
  int64_t month = mp < 10 ? mp + 3 : mp - 9;
  int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  dos_date = static_cast<uint16_t>(((year - 1980) << 9) | (month << 5) | day);
  dos_time = static_cast<uint16_t>(((rest / 3600) << 11) | (((rest / 60) % 60) << 5) |
                                   ((rest % 60) / 2));
}

std::vector<TocEntry> build_toc(const Book& book, const std::vector<std::string>& files) {
  std::vector<TocEntry> toc;
  int part = -1;
  int depth_limit = std::max(1, book.epub.toc_depth);
  for (size_t c = 0; c < book.chapters.size(); ++c) {
    const Chapter& ch = book.chapters[c];
    // Prefix and suffix chapters stand outside parts, like mdBook's sidebar.
    int chapter_part = ch.role == ChapterRole::Numbered ? ch.part : -1;
    if (chapter_part != part) {
      part = chapter_part;
      if (part >= 0 && part < static_cast<int>(book.parts.size()))
        toc.push_back({0, book.parts[part], ""});
      else
        part = -1;
    }
    int level = (part >= 0 ? 1 : 0) + std::max(0, ch.depth);
    toc.push_back({level, ch.title.empty() ? ch.id : ch.title, encode_href(files[c])});
    if (depth_limit < 2) continue;
    // The chapter's own heading (the first block that shows text) is its title.
    // Blocks at the chapter's top level, and inside section-like containers (a raw
    // <div class="section"> around the chapter).
    std::vector<const Block*> top;
    auto gather = [&](const std::vector<Block>& list, auto& self) -> void {
      for (const Block& b : list) {
        if (is_section_like(b) && !b.children.empty())
          self(b.children, self);
        else
          top.push_back(&b);
      }
    };
    gather(ch.blocks, gather);
    int title_block = -1;
    int min_level = 7;
    for (size_t i = 0; i < top.size(); ++i) {
      const Block& b = *top[i];
      bool anchor_only = (b.kind == BlockKind::Plain && trim(plain_text(b.inlines)).empty()) ||
                         (b.kind == BlockKind::Div && b.children.empty());
      if (title_block < 0 && !anchor_only) {
        title_block = b.kind == BlockKind::Heading ? static_cast<int>(i) : -2;
      }
      if (b.kind == BlockKind::Heading) min_level = std::min(min_level, b.level);
    }
    int base = title_block >= 0 ? top[title_block]->level : min_level - 1;
    for (size_t i = 0; i < top.size(); ++i) {
      const Block& b = *top[i];
      if (b.kind != BlockKind::Heading || static_cast<int>(i) == title_block || b.attr.id.empty())
        continue;
      int rel = std::max(b.level - base, 1) + 1;  // chapter title = 1
      if (rel > depth_limit) continue;
      std::string label = heading_label(b);
      if (label.empty()) continue;
      toc.push_back({level + rel - 1, label, encode_href(files[c]) + "#" + b.attr.id, true});
    }
  }
  // Never nest deeper than one level below the previous entry (a list item needs a label).
  int prev = -1;
  for (TocEntry& e : toc) {
    e.level = std::min(e.level, prev + 1);
    prev = e.level;
  }
  return toc;
}

std::string container_xml() {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<container version=\"1.0\" xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\">\n"
         "<rootfiles>\n"
         "<rootfile full-path=\"EPUB/package.opf\" media-type=\"application/oebps-package+xml\"/>\n"
         "</rootfiles>\n"
         "</container>\n";
}

std::string apple_display_options_xml() {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<display_options>\n"
         "<platform name=\"*\">\n"
         "<option name=\"specified-fonts\">true</option>\n"
         "</platform>\n"
         "</display_options>\n";
}

std::string package_opf(const Book& book, const PackagePlan& plan, Diagnostics& diag) {
  const Metadata& m = book.meta;
  std::string config = book.config_display();
  std::string out;
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\" "
         "unique-identifier=\"bookid\" xml:lang=\"";
  esc(out, m.language, true);
  out += "\">\n<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n";
  element(out, "dc:identifier", plan.identifier, " id=\"bookid\"");
  element(out, "dc:title", m.title.empty() ? "Untitled" : m.title);
  for (size_t i = 0; i < m.authors.size(); ++i) {
    std::string id = "creator-" + std::to_string(i + 1);
    element(out, "dc:creator", m.authors[i], (" id=\"" + id + "\"").c_str());
    out += "<meta refines=\"#" + id + "\" property=\"role\" scheme=\"marc:relators\">aut</meta>\n";
  }
  element(out, "dc:language", m.language.empty() ? "en" : m.language);
  if (!m.description.empty()) element(out, "dc:description", m.description);
  if (!m.publisher.empty()) element(out, "dc:publisher", m.publisher);
  if (!m.date.empty()) {
    if (is_w3c_date(m.date)) {
      element(out, "dc:date", m.date);
    } else {
      diag.warning(config, {}, "date '" + m.date + "' is not a W3C date; left out of the EPUB",
                   "write it as YYYY, YYYY-MM or YYYY-MM-DD");
    }
  }
  if (!m.rights.empty()) element(out, "dc:rights", m.rights);
  if (!plan.page_list.empty()) {
    // Where the page breaks come from: the PDF made in the same build, which has no
    // identifier of its own. EPUB 3.2's form of pageBreakSource (EPUB Accessibility 1.1's
    // a11y:pageBreakSource is an undefined property to epubcheck 4).
    element(out, "dc:source",
            (m.title.empty() ? std::string("Untitled") : m.title) + ", PDF edition",
            " id=\"page-source\"");
    out += "<meta refines=\"#page-source\" property=\"source-of\">pagination</meta>\n";
  }
  for (const std::string& s : m.subjects) element(out, "dc:subject", s);
  element(out, "meta", iso8601_utc(book.build_time), " property=\"dcterms:modified\"");
  if (plan.cover_asset >= 0) {
    out += "<meta name=\"cover\" content=\"";
    esc(out, plan.assets[plan.cover_asset].id, true);
    out += "\"/>\n";
  }

  // Accessibility metadata (schema.org), claiming only what the content has: images with
  // and without text alternatives (Markdown and raw HTML alike) and animated GIFs.
  int images = 0, missing_alt = 0;
  auto scan_inlines = [&](const std::vector<Inline>& xs, auto& self) -> void {
    for (const Inline& x : xs) {
      if (x.kind == InlineKind::Image) {
        ++images;
        if (trim(plain_text(x.children)).empty()) ++missing_alt;
      }
      self(x.children, self);
    }
  };
  auto scan_blocks = [&](const std::vector<Block>& bs, auto& self) -> void {
    for (const Block& b : bs) {
      scan_inlines(b.inlines, scan_inlines);
      for (const auto& row : b.table.rows)
        for (const auto& cell : row) scan_inlines(cell, scan_inlines);
      self(b.children, self);
    }
  };
  for (const Chapter& ch : book.chapters) scan_blocks(ch.blocks, scan_blocks);
  for (const Note& n : book.notes) scan_blocks(n.blocks, scan_blocks);
  bool animation = false;
  for (const Asset& a : plan.assets) {
    if (a.media_type != "image/gif") continue;
    std::optional<std::string> bytes;
    if (a.data.empty()) bytes = read_file(a.path);
    animation = animation || gif_may_animate(a.data.empty() ? (bytes ? *bytes : std::string())
                                                            : a.data);
  }
  bool all_alt = missing_alt == 0;
  auto a11y = [&](const char* property, const std::string& value) {
    out += "<meta property=\"schema:";
    out += property;
    out += "\">";
    esc(out, value);
    out += "</meta>\n";
  };
  a11y("accessMode", "textual");
  if (images > 0 || plan.cover_asset >= 0) a11y("accessMode", "visual");
  a11y("accessModeSufficient", images > 0 && !all_alt ? "textual,visual" : "textual");
  a11y("accessibilityFeature", "structuralNavigation");
  a11y("accessibilityFeature", "tableOfContents");
  a11y("accessibilityFeature", "readingOrder");
  if (images > 0 && all_alt) a11y("accessibilityFeature", "alternativeText");
  const bool pages = !plan.page_list.empty();  // (dc:source above says from where)
  if (pages) {
    a11y("accessibilityFeature", "pageBreakMarkers");
    a11y("accessibilityFeature", "pageNavigation");
  }
  a11y("accessibilityFeature", "displayTransformability");
  a11y("accessibilityHazard", animation ? "unknown" : "none");
  std::string summary =
      "This publication has a table of contents, structured headings and a logical reading "
      "order. Text can be resized and restyled by the reading system. ";
  summary += pages ? "Its page list and page break markers follow the pages of its PDF "
                     "edition, made with it."
                   : "It has no page list and no page break markers: it follows no print "
                     "edition's pages.";
  if (images > 0 && all_alt) {
    summary += images == 1 ? " Its image has a text alternative."
                           : " Every image has a text alternative.";
  } else if (images == 1) {
    summary += " Its image has no text alternative.";
  } else if (images > 0) {
    // append() rather than " " + ...: GCC 12 at -O3 warns falsely (-Wrestrict) on that.
    summary.append(" ").append(std::to_string(missing_alt)).append(" of its ");
    summary.append(std::to_string(images)).append(" images ");
    summary.append(missing_alt == 1 ? "has" : "have").append(" no text alternative.");
  }
  if (animation)
    summary += " It contains animated (or unreadable) GIF images, which have not been "
               "checked for flashing.";
  a11y("accessibilitySummary", summary);
  out += "</metadata>\n";

  // Manifest.
  out += "<manifest>\n";
  auto item = [&](const std::string& id, const std::string& href, const std::string& type,
                  const std::string& properties) {
    out += "<item id=\"";
    esc(out, id, true);
    out += "\" href=\"";
    esc(out, encode_href(href), true);
    out += "\" media-type=\"";
    esc(out, type, true);
    out += '"';
    if (!properties.empty()) {
      out += " properties=\"";
      out += properties;
      out += '"';
    }
    out += "/>\n";
  };
  item("nav", plan.names.nav, "application/xhtml+xml", "nav");
  item("ncx", plan.names.ncx, "application/x-dtbncx+xml", "");
  item("css", plan.names.css, "text/css", "");
  if (plan.cover_asset >= 0) item("cover", plan.names.cover, "application/xhtml+xml", "");
  item("titlepage", plan.names.title_page, "application/xhtml+xml", "");
  for (size_t c = 0; c < book.chapters.size(); ++c) {
    std::string id(1, 'c');  // not "c" + ...: GCC 12 -O3 flags that with a false -Wrestrict
    item(id.append(std::to_string(c + 1)), plan.chapter_files[c], "application/xhtml+xml",
         plan.chapter_properties[c]);
  }
  if (plan.notes_file) item("notes", plan.names.notes, "application/xhtml+xml", "");
  for (size_t a = 0; a < plan.assets.size(); ++a) {
    const Asset& asset = plan.assets[a];
    item(asset.id, asset.href, asset.media_type,
         static_cast<int>(a) == plan.cover_asset ? "cover-image" : "");
  }
  out += "</manifest>\n";

  // Spine: cover, title page, chapters, notes.
  // A right-to-left book turns its pages leftwards ([book] text-direction).
  out += book.meta.direction.empty()
             ? std::string("<spine toc=\"ncx\">\n")
             : "<spine toc=\"ncx\" page-progression-direction=\"" + book.meta.direction + "\">\n";
  if (plan.cover_asset >= 0) out += "<itemref idref=\"cover\"/>\n";
  out += "<itemref idref=\"titlepage\"/>\n";
  out += "<itemref idref=\"nav\"/>\n";  // a contents page in the reading order
  for (size_t c = 0; c < book.chapters.size(); ++c)
    out += "<itemref idref=\"c" + std::to_string(c + 1) + "\"/>\n";
  if (plan.notes_file) out += "<itemref idref=\"notes\"/>\n";
  out += "</spine>\n";

  // Guide, for Kindle and other EPUB 2 era reading systems.
  const std::string& lang = m.language;
  auto reference = [&](const char* type, const std::string& title, const std::string& href) {
    out += "<reference type=\"";
    out += type;
    out += "\" title=\"";
    esc(out, title, true);
    out += "\" href=\"";
    esc(out, encode_href(href), true);
    out += "\"/>\n";
  };
  out += "<guide>\n";
  if (plan.cover_asset >= 0) reference("cover", generated_label(lang, "cover"), plan.names.cover);
  reference("title-page", generated_label(lang, "title-page"), plan.names.title_page);
  reference("toc", generated_label(lang, "contents"), plan.names.nav);
  int start = -1;
  for (size_t c = 0; c < book.chapters.size() && start < 0; ++c)
    if (book.chapters[c].role == ChapterRole::Numbered) start = static_cast<int>(c);
  if (start < 0 && !book.chapters.empty()) start = 0;
  if (start >= 0) reference("text", generated_label(lang, "start"), plan.chapter_files[start]);
  out += "</guide>\n";
  out += "</package>\n";
  return out;
}

std::string nav_xhtml(const Book& book, const PackagePlan& plan, TextMarkup* markup) {
  const std::string& lang = book.meta.language;
  std::string out;
  std::string contents = generated_label(lang, "contents");
  append_document_start(out, book.meta, contents, plan.names.css, markup);
  auto esc = [&](std::string& o, std::string_view text) { block_text(o, text, markup, lang); };
  out += "<nav epub:type=\"toc\" role=\"doc-toc\" id=\"toc\">\n<h1>";
  esc(out, contents);
  out += "</h1>\n<ol>\n";
  std::vector<TocEntry> toc = plan.toc;
  if (toc.empty()) toc.push_back({0, generated_label(lang, "title-page"), plan.names.title_page});
  int prev = 0;
  for (size_t i = 0; i < toc.size(); ++i) {
    const TocEntry& e = toc[i];
    if (i > 0) {
      if (e.level > prev) {
        out += "\n<ol>\n";
      } else {
        out += "</li>\n";
        for (int l = prev; l > e.level; --l) out += "</ol>\n</li>\n";
      }
    }
    if (e.href.empty()) {
      out += "<li><span>";
      esc(out, e.label);
      out += "</span>";
    } else {
      out += "<li><a href=\"";
      append_xml_escaped(out, e.href, true);
      out += "\">";
      esc(out, e.label);
      out += "</a>";
    }
    prev = e.level;
  }
  out += "</li>\n";
  for (int l = prev; l > 0; --l) out += "</ol>\n</li>\n";
  out += "</ol>\n</nav>\n";

  // Landmarks.
  out += "<nav epub:type=\"landmarks\" id=\"landmarks\" hidden=\"hidden\">\n<h2>";
  esc(out, generated_label(lang, "landmarks"));
  out += "</h2>\n<ol>\n";
  auto landmark = [&](const char* type, const std::string& file, const std::string& label,
                      const char* fragment = "") {
    out += "<li><a epub:type=\"";
    out += type;
    out += "\" href=\"";
    append_xml_escaped(out, encode_href(file), true);
    out += fragment;
    out += "\">";
    esc(out, label);
    out += "</a></li>\n";
  };
  if (plan.cover_asset >= 0) landmark("cover", plan.names.cover, generated_label(lang, "cover"));
  landmark("titlepage", plan.names.title_page, generated_label(lang, "title-page"));
  landmark("toc", plan.names.nav, contents, "#toc");
  int start = -1;
  for (size_t c = 0; c < book.chapters.size() && start < 0; ++c)
    if (book.chapters[c].role == ChapterRole::Numbered) start = static_cast<int>(c);
  if (start < 0 && !book.chapters.empty()) start = 0;
  if (start >= 0) landmark("bodymatter", plan.chapter_files[start], generated_label(lang, "start"));
  out += "</ol>\n</nav>\n";
  if (!plan.page_list.empty()) {
    // The print edition's pages, each a link to its pagebreak element.
    out +=
        "<nav epub:type=\"page-list\" role=\"doc-pagelist\" id=\"page-list\" "
        "hidden=\"hidden\">\n<h2>";
    esc(out, generated_label(lang, "pages"));
    out += "</h2>\n<ol>\n";
    for (const TocEntry& e : plan.page_list) {
      out += "<li><a href=\"";
      append_xml_escaped(out, e.href, true);
      out += "\">";
      esc(out, e.label);
      out += "</a></li>\n";
    }
    out += "</ol>\n</nav>\n";
  }
  append_document_end(out, markup);
  return out;
}

std::string toc_ncx(const Book& book, const PackagePlan& plan) {
  std::string out;
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<ncx xmlns=\"http://www.daisy.org/z3986/2005/ncx/\" version=\"2005-1\" xml:lang=\"";
  esc(out, book.meta.language, true);
  out += "\">\n<head>\n<meta name=\"dtb:uid\" content=\"";
  esc(out, plan.identifier, true);
  int depth = 1;
  for (const TocEntry& e : plan.toc) depth = std::max(depth, e.level + 1);
  out += "\"/>\n<meta name=\"dtb:depth\" content=\"" + std::to_string(depth) + "\"/>\n";
  out += "<meta name=\"dtb:totalPageCount\" content=\"0\"/>\n";
  out += "<meta name=\"dtb:maxPageNumber\" content=\"0\"/>\n</head>\n";
  out += "<docTitle><text>";
  esc(out, book.meta.title.empty() ? "Untitled" : book.meta.title);
  out += "</text></docTitle>\n";
  for (const std::string& a : book.meta.authors) {
    out += "<docAuthor><text>";
    esc(out, a);
    out += "</text></docAuthor>\n";
  }
  out += "<navMap>\n";
  std::vector<TocEntry> toc = plan.toc;
  if (toc.empty())
    toc.push_back({0, generated_label(book.meta.language, "title-page"), plan.names.title_page});
  // Entries that point at the same place share a play order (a part and its first chapter).
  // A part title points at its first chapter: the next entry with a target.
  std::vector<std::string> src_of(toc.size());
  for (size_t i = toc.size(); i-- > 0;)
    src_of[i] = !toc[i].href.empty() || i + 1 == toc.size() ? toc[i].href : src_of[i + 1];
  std::unordered_map<std::string, size_t> order_of;  // target -> play order
  int prev = 0;
  for (size_t i = 0; i < toc.size(); ++i) {
    const TocEntry& e = toc[i];
    if (i > 0) {
      if (e.level <= prev) {
        out += "</navPoint>\n";
        for (int l = prev; l > e.level; --l) out += "</navPoint>\n";
      }
    }
    work::add();
    const std::string& src = src_of[i];
    size_t order = order_of.try_emplace(src, order_of.size() + 1).first->second;
    out += "<navPoint id=\"navpoint-" + std::to_string(i + 1) + "\" playOrder=\"" +
           std::to_string(order) + "\">\n<navLabel><text>";
    esc(out, e.label);
    out += "</text></navLabel>\n<content src=\"";
    esc(out, src, true);
    out += "\"/>\n";
    prev = e.level;
  }
  for (int l = prev; l >= 0; --l) out += "</navPoint>\n";
  out += "</navMap>\n</ncx>\n";
  return out;
}

std::string title_page_xhtml(const Book& book, const PackagePlan& plan, TextMarkup* markup) {
  const Metadata& m = book.meta;
  std::string title = m.title.empty() ? "Untitled" : m.title;
  std::string out;
  append_document_start(out, m, title, plan.names.css, markup);
  out += "<section epub:type=\"titlepage\" class=\"titlepage\">\n";
  element(out, "h1", title, " class=\"title\"", markup, m.language);
  if (!m.subtitle.empty())
    element(out, "p", m.subtitle, " class=\"subtitle\"", markup, m.language);
  for (const std::string& a : m.authors)
    element(out, "p", a, " class=\"author\"", markup, m.language);
  if (!m.publisher.empty())
    element(out, "p", m.publisher, " class=\"publisher\"", markup, m.language);
  out += "</section>\n";
  append_document_end(out, markup);
  return out;
}

std::string cover_xhtml(const Book& book, const PackagePlan& plan, TextMarkup* markup) {
  const Metadata& m = book.meta;
  std::string label = generated_label(m.language, "cover");
  std::string out;
  append_document_start(out, m, label, plan.names.css, markup);
  out += "<section epub:type=\"cover\" class=\"cover\">\n";
  std::string img = "<img role=\"doc-cover\" src=\"";
  esc(img, encode_href(plan.assets[plan.cover_asset].href), true);
  img += "\" alt=\"";
  esc(img, m.title.empty() ? label : m.title, true);
  img += "\"/>";
  if (markup != nullptr) {
    markup->block();
    markup->image(out, img);
  } else {
    out += img;
  }
  out += "\n</section>\n";
  append_document_end(out, markup);
  return out;
}

}  // namespace colophon
