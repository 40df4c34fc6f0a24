#include "pdf/cid_fonts.h"

#include <cmath>
#include <cstdio>

#include "core/utf8.h"
#include "pdf/haru.h"

namespace colophon {

namespace {

constexpr int kEntriesPerBlock = 100;  // the CMap format's limit per bfchar block
constexpr int kStemV = 80;             // FontDescriptor /StemV: required, unused by viewers
// FontDescriptor /Flags bits (PDF 1.7, table 123).
constexpr int kFlagFixedPitch = 1, kFlagSerif = 2, kFlagSymbolic = 4, kFlagItalic = 64;

// Returns six capital letters that name a subset of GIDS: the same glyphs give the same
// tag, so the same book gives the same bytes.
std::string subset_tag(const std::vector<uint32_t>& gids, int font) {
  uint64_t h = 1469598103934665603ull ^ static_cast<uint64_t>(font);
  for (uint32_t g : gids) {
    h ^= g;
    h *= 1099511628211ull;
  }
  std::string tag;
  for (int i = 0; i < 6; ++i) {
    tag += static_cast<char>('A' + h % 26);
    h /= 26;
  }
  return tag;
}

// Appends TEXT (UTF-8) as UTF-16BE hex digits.
void append_utf16_hex(std::string& out, std::string_view text) {
  char buf[8];
  for (size_t i = 0; i < text.size();) {
    char32_t cp = next_code_point(text, i);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      std::snprintf(buf, sizeof buf, "%04X", static_cast<unsigned>(0xD800 + (cp >> 10)));
      out += buf;
      std::snprintf(buf, sizeof buf, "%04X", static_cast<unsigned>(0xDC00 + (cp & 0x3FF)));
    } else {
      std::snprintf(buf, sizeof buf, "%04X", static_cast<unsigned>(cp));
    }
    out += buf;
  }
}

}  // namespace

std::string utf16_hex(std::string_view text) {
  std::string out;
  append_utf16_hex(out, text);
  return out;
}

std::string to_unicode_cmap(const std::map<uint32_t, std::string>& glyph_text) {
  std::string s =
      "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
      "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
      "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
      "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n";
  std::vector<std::pair<uint32_t, const std::string*>> entries;
  for (const auto& [gid, text] : glyph_text)
    if (!text.empty() && gid <= 0xFFFF) entries.emplace_back(gid, &text);
  char code[16];
  for (size_t i = 0; i < entries.size(); i += kEntriesPerBlock) {
    size_t n = std::min(entries.size() - i, static_cast<size_t>(kEntriesPerBlock));
    s += std::to_string(n) + " beginbfchar\n";
    for (size_t k = i; k < i + n; ++k) {
      std::snprintf(code, sizeof code, "<%04X> <", static_cast<unsigned>(entries[k].first));
      s += code;
      append_utf16_hex(s, *entries[k].second);
      s += ">\n";
    }
    s += "endbfchar\n";
  }
  s += "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";
  return s;
}

CidFont::CidFont(const RealFontMetrics& metrics, int font, HPDF_Dict type0)
    : metrics_(metrics), font_(font), type0_(type0), info_(metrics.font_info(font)) {
  widths_.assign(info_.glyph_count, -1);
  used_.assign(info_.glyph_count, 0);
  space_ = metrics.glyph_of(font, U' ');
}

double CidFont::width_em(uint32_t gid) {
  if (gid >= widths_.size()) return 0;
  int32_t& w = widths_[gid];
  if (w < 0) w = static_cast<int32_t>(std::lround(metrics_.glyph_advance(font_, gid) * 1000.0 / info_.upem));
  return w / 1000.0;
}

bool CidFont::use(uint32_t gid, std::string_view text) {
  if (gid >= used_.size()) return false;
  if (used_[gid] == 2) return !text.empty() && text_[gid] == text;
  if (text.empty()) {
    used_[gid] = 1;
    return false;
  }
  used_[gid] = 2;  // drawn, and its text is known
  if (text_.empty()) text_.resize(used_.size());
  text_[gid] = std::string(text);
  return true;
}

std::string CidFont::finish(HPDF_Doc pdf) {
  std::vector<uint32_t> gids;
  for (uint32_t g = 0; g < used_.size(); ++g)
    if (used_[g]) gids.push_back(g);
  FontSubset subset;
  if (!metrics_.subset(font_, gids, subset))
    return "cannot make a subset of font '" + info_.path + "'";
  const double scale = 1000.0 / info_.upem;
  const std::string name = subset_tag(gids, font_) + "+" + info_.ps_name;
  const bool truetype = subset.kind == FontSubset::Kind::TrueType;

  HPDF_Dict program = haru::new_stream(pdf, subset.data, true);
  if (!program) return "cannot embed font '" + info_.path + "'";
  if (truetype) haru::set_int(program, "Length1", static_cast<int64_t>(subset.data.size()));
  else haru::set_name(program, "Subtype", "CIDFontType0C");

  HPDF_Dict descriptor = haru::new_dict(pdf, true);
  haru::set_name(descriptor, "Type", "FontDescriptor");
  haru::set_name(descriptor, "FontName", name);
  int flags = kFlagSymbolic;
  if (info_.fixed_pitch) flags |= kFlagFixedPitch;
  if (info_.serif) flags |= kFlagSerif;
  if (info_.italic_angle != 0) flags |= kFlagItalic;
  haru::set_int(descriptor, "Flags", flags);
  haru::set_numbers(descriptor, "FontBBox",
                    {std::round(info_.bbox[0] * scale), std::round(info_.bbox[1] * scale),
                     std::round(info_.bbox[2] * scale), std::round(info_.bbox[3] * scale)});
  haru::set_real(descriptor, "ItalicAngle", info_.italic_angle);
  haru::set_int(descriptor, "Ascent", std::lround(info_.ascent * scale));
  haru::set_int(descriptor, "Descent", std::lround(info_.descent * scale));
  haru::set_int(descriptor, "CapHeight", std::lround(info_.cap_height * scale));
  haru::set_int(descriptor, "StemV", kStemV);
  haru::set_dict(descriptor, truetype ? "FontFile2" : "FontFile3", program);

  HPDF_Dict cid = haru::new_dict(pdf, true);
  haru::set_name(cid, "Type", "Font");
  haru::set_name(cid, "Subtype", truetype ? "CIDFontType2" : "CIDFontType0");
  haru::set_name(cid, "BaseFont", name);
  HPDF_Dict system = haru::new_dict(pdf, false);
  haru::set_string(system, "Registry", "Adobe");
  haru::set_string(system, "Ordering", "Identity");
  haru::set_int(system, "Supplement", 0);
  haru::set_dict(cid, "CIDSystemInfo", system);
  haru::set_dict(cid, "FontDescriptor", descriptor);
  // Widths of the glyphs drawn, in runs of consecutive glyph ids.
  std::vector<std::pair<uint32_t, std::vector<int>>> groups;
  for (uint32_t g : gids) {
    int w = static_cast<int>(std::lround(width_em(g) * 1000));
    if (groups.empty() || groups.back().first + groups.back().second.size() != g)
      groups.push_back({g, {}});
    groups.back().second.push_back(w);
  }
  haru::set_cid_widths(cid, "W", groups);
  if (truetype) haru::set_name(cid, "CIDToGIDMap", "Identity");

  std::map<uint32_t, std::string> glyph_text;
  for (uint32_t g : gids)
    if (used_[g] == 2) glyph_text.emplace(g, text_[g]);
  HPDF_Dict to_unicode = haru::new_stream(pdf, to_unicode_cmap(glyph_text), true);
  haru::set_name(type0_, "Type", "Font");
  haru::set_name(type0_, "Subtype", "Type0");
  haru::set_name(type0_, "BaseFont", name);
  haru::set_name(type0_, "Encoding", "Identity-H");
  haru::set_dicts(type0_, "DescendantFonts", {cid});
  haru::set_dict(type0_, "ToUnicode", to_unicode);
  return "";
}

CidFont* CidFonts::get(FaceId face) {
  const int number = metrics_.font_of(face);
  if (number < 0) return nullptr;
  if (by_number_.size() <= static_cast<size_t>(number)) by_number_.resize(number + 1);
  std::unique_ptr<CidFont>& slot = by_number_[number];
  if (!slot) {
    HPDF_Dict type0 = haru::new_dict(pdf_, true);
    if (!type0) return nullptr;
    slot = std::make_unique<CidFont>(metrics_, number, type0);
    order_.push_back(slot.get());
  }
  return slot.get();
}

std::string CidFonts::finish() {
  for (CidFont* f : order_) {
    std::string error = f->finish(pdf_);
    if (!error.empty()) return error;
  }
  return "";
}

}  // namespace colophon
