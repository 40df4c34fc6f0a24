#include "pdf/images.h"

#include "pdf/svg_raster.h"

#include <png.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <optional>
#include <system_error>

#include "core/paths.h"
#include "core/work.h"
#include "pdf/deflate_queue.h"
#include "pdf/jpeg.h"

namespace colophon {

namespace {

// Refuses images whose pixels alone would take more than this, so a corrupt or hostile
// header cannot make us allocate gigabytes.
constexpr size_t kMaxDecodedBytes = kMaxImageDecodedBytes;

// zlib level for samples we compress ourselves: the fastest. Level 6 took 4 times the
// CPU on the corpus book's alpha channels for files about 10% smaller.
constexpr int kImageZlibLevel = Z_BEST_SPEED;

// The gamma that 8-bit output means (sRGB's, in PNG's units of 1/100000), and how far a
// file's gAMA may stray from it before libpng converts the samples: such files are
// decoded by libpng so they keep looking as they did.
constexpr uint32_t kSrgbGamma = 45455;
constexpr double kGammaTolerance = 0.05;

// PNG colour types (PNG specification, table 11.1).
constexpr int kGray = 0, kRgb = 2, kPalette = 3, kGrayAlpha = 4, kRgbAlpha = 6;

uint32_t be32(const char* p) {
  auto b = [p](int i) { return static_cast<uint32_t>(static_cast<unsigned char>(p[i])); };
  return b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3);
}

// What encode_png needs from a PNG file's chunks.
struct PngFile {
  uint32_t width = 0, height = 0;
  int depth = 0, color_type = 0, interlace = 0;
  std::string_view palette;  // PLTE: RGB triples
  std::string_view trns;     // tRNS, as stored
  std::optional<uint32_t> gamma;
  bool srgb = false;
  std::string idat;  // the IDAT chunks joined: one zlib stream

  int channels() const {
    switch (color_type) {
      case kRgb:
        return 3;
      case kGrayAlpha:
        return 2;
      case kRgbAlpha:
        return 4;
      default:
        return 1;
    }
  }
  size_t row_bytes() const { return (size_t{width} * channels() * depth + 7) / 8; }
  // Bytes from a sample to the same sample of the previous pixel, as the filters count.
  size_t filter_step() const { return std::max<size_t>(1, channels() * depth / 8); }
};

bool valid_depth(int color_type, int depth) {
  switch (color_type) {
    case kGray:
      return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
    case kPalette:
      return depth == 1 || depth == 2 || depth == 4 || depth == 8;
    case kRgb:
    case kGrayAlpha:
    case kRgbAlpha:
      return depth == 8 || depth == 16;
    default:
      return false;
  }
}

// Reads the chunks of BYTES into PNG; returns false with ERROR for anything libpng
// would refuse too (bad signature, damaged critical chunk, impossible header).
bool parse_png(std::string_view bytes, PngFile& png, std::string& error) {
  static constexpr char kSignature[] = "\x89PNG\r\n\x1a\n";
  if (bytes.size() < 8 || bytes.compare(0, 8, kSignature, 8) != 0) {
    error = "not a PNG file";
    return false;
  }
  bool have_header = false;
  for (size_t at = 8; at < bytes.size();) {
    if (bytes.size() - at < 12) {
      error = "the file is truncated";
      return false;
    }
    const uint32_t length = be32(bytes.data() + at);
    if (length > bytes.size() - at - 12) {
      error = "the file is truncated";
      return false;
    }
    std::string_view type = bytes.substr(at + 4, 4);
    std::string_view data = bytes.substr(at + 8, length);
    const uint32_t stored_crc = be32(bytes.data() + at + 8 + length);
    at += size_t{12} + length;
    const bool critical = (type[0] & 0x20) == 0;
    if (crc32(0, reinterpret_cast<const Bytef*>(type.data()), static_cast<uInt>(4 + length)) !=
        stored_crc) {
      if (!critical) continue;  // libpng drops a damaged ancillary chunk too
      error = "chunk " + std::string(type) + " is damaged (CRC mismatch)";
      return false;
    }
    if (!have_header && type != "IHDR") {
      error = "the file does not start with an IHDR chunk";
      return false;
    }
    if (type == "IHDR") {
      if (length != 13 || have_header) {
        error = "invalid IHDR chunk";
        return false;
      }
      have_header = true;
      png.width = be32(data.data());
      png.height = be32(data.data() + 4);
      png.depth = static_cast<unsigned char>(data[8]);
      png.color_type = static_cast<unsigned char>(data[9]);
      png.interlace = static_cast<unsigned char>(data[12]);
      if (png.width == 0 || png.height == 0 || png.width > 0x7FFFFFFF || png.height > 0x7FFFFFFF ||
          !valid_depth(png.color_type, png.depth) || data[10] != 0 || data[11] != 0 ||
          png.interlace > 1) {
        error = "invalid IHDR chunk";
        return false;
      }
    } else if (type == "PLTE") {
      png.palette = data;
    } else if (type == "tRNS") {
      png.trns = data;
    } else if (type == "gAMA" && length == 4) {
      png.gamma = be32(data.data());
    } else if (type == "sRGB") {
      png.srgb = true;
    } else if (type == "IDAT") {
      png.idat.append(data);
    } else if (type == "IEND") {
      break;
    }
  }
  if (!have_header) {
    error = "the file has no IHDR chunk";
    return false;
  }
  if (png.color_type == kPalette &&
      (png.palette.empty() || png.palette.size() % 3 != 0 || png.palette.size() > 3 * 256)) {
    error = "the palette (PLTE chunk) is missing or invalid";
    return false;
  }
  if (png.idat.empty()) {
    error = "the file has no image data";
    return false;
  }
  return true;
}

// Inflates ZLIB into OUT, which must come out exactly EXPECTED bytes. Returns false when
// the data is damaged or short; EXACT tells whether the zlib stream ended right there,
// with nothing after it, so a PDF reader may take it as it is.
bool inflate_exactly(std::string_view zlib, size_t expected, std::string& out, bool& exact) {
  out.resize(expected);
  z_stream z{};
  if (inflateInit(&z) != Z_OK) return false;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zlib.data()));
  z.avail_in = static_cast<uInt>(zlib.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(expected);
  const int rc = inflate(&z, Z_FINISH);
  const bool full = z.avail_out == 0;
  exact = rc == Z_STREAM_END && full && z.avail_in == 0;
  inflateEnd(&z);
  // Extra data after the image is ignored, as libpng does.
  return full && (rc == Z_STREAM_END || rc == Z_BUF_ERROR || rc == Z_OK);
}

// Tells whether every row of ROWS starts with a known PNG filter type.
bool filter_types_valid(const std::string& rows, size_t height, size_t row_bytes) {
  for (size_t y = 0; y < height; ++y) {
    if (static_cast<unsigned char>(rows[y * (row_bytes + 1)]) > 4) return false;
  }
  return true;
}

unsigned char paeth(int a, int b, int c) {
  const int p = a + b - c;
  const int pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
  if (pa <= pb && pa <= pc) return static_cast<unsigned char>(a);
  return static_cast<unsigned char>(pb <= pc ? b : c);
}

// Undoes the PNG filters of ROWS in place (each row: filter byte, ROW_BYTES bytes).
void unfilter(std::string& rows, size_t height, size_t row_bytes, size_t step) {
  const std::string zero(row_bytes, '\0');
  auto* prev = reinterpret_cast<const unsigned char*>(zero.data());
  for (size_t y = 0; y < height; ++y) {
    auto* row = reinterpret_cast<unsigned char*>(rows.data() + y * (row_bytes + 1));
    const unsigned char type = row[0];
    unsigned char* cur = row + 1;
    switch (type) {
      case 1:
        for (size_t i = step; i < row_bytes; ++i) cur[i] += cur[i - step];
        break;
      case 2:
        for (size_t i = 0; i < row_bytes; ++i) cur[i] += prev[i];
        break;
      case 3:
        for (size_t i = 0; i < row_bytes; ++i) {
          const int left = i >= step ? cur[i - step] : 0;
          cur[i] += static_cast<unsigned char>((left + prev[i]) >> 1);
        }
        break;
      case 4:
        for (size_t i = 0; i < row_bytes; ++i) {
          const int left = i >= step ? cur[i - step] : 0;
          const int upper_left = i >= step ? prev[i - step] : 0;
          cur[i] += paeth(left, prev[i], upper_left);
        }
        break;
      default:
        break;
    }
    prev = cur;
  }
}

// Compresses DATA with zlib at the fast image level; ALPHA picks run-length matching,
// which on alpha channels is both faster and smaller than the default strategy (and
// worse on colour samples).
std::string deflate_fast(std::string_view data, bool alpha = false) {
  return deflate_bytes(data, kImageZlibLevel, alpha ? Z_RLE : Z_DEFAULT_STRATEGY);
}

EncodedImage missing(std::string problem, std::string hint) {
  EncodedImage e;
  e.problem = std::move(problem);
  e.hint = std::move(hint);
  return e;
}

EncodedImage bad_png(const std::string& error) {
  return missing("cannot decode PNG image: " + error, "re-save the image as a PNG or JPEG");
}

// Tells whether libpng would convert the samples of PNG for 8-bit sRGB output.
bool needs_gamma_conversion(const PngFile& png) {
  if (png.srgb || !png.gamma || *png.gamma == 0) return false;
  const double ratio = static_cast<double>(*png.gamma) / kSrgbGamma;
  return ratio < 1 - kGammaTolerance || ratio > 1 + kGammaTolerance;
}

// Encodes decoded samples: compressed, with their alpha as a soft mask.
EncodedImage encode_raw(const RawImage& raw) {
  EncodedImage e;
  e.kind = EncodedImage::Kind::Flate;
  e.width = raw.width;
  e.height = raw.height;
  e.colors = raw.channels;
  e.data = deflate_fast(raw.color);
  if (!raw.alpha.empty()) e.alpha = deflate_fast(raw.alpha, true);
  return e;
}

// Encodes a PNG the slow way: libpng decodes it to 8-bit samples, which are compressed.
EncodedImage encode_decoded_png(std::string_view bytes) {
  RawImage raw;
  std::string error;
  if (!decode_png(bytes, raw, error)) return bad_png(error);
  return encode_raw(raw);
}

// Returns the alpha of each palette entry (255 where tRNS says nothing).
std::vector<unsigned char> palette_alpha(const PngFile& png) {
  std::vector<unsigned char> alpha(256, 255);
  const size_t n = std::min(png.trns.size(), png.palette.size() / 3);
  for (size_t i = 0; i < n; ++i) alpha[i] = static_cast<unsigned char>(png.trns[i]);
  return alpha;
}

// Finds the colour-key mask that stands for ALPHA exactly: every entry fully clear or
// fully opaque, the clear ones one run of indices. Returns false when there is none.
bool palette_color_key(const std::vector<unsigned char>& alpha, size_t entries,
                       std::vector<int>& key) {
  int first = -1, last = -1;
  for (size_t i = 0; i < entries; ++i) {
    if (alpha[i] == 255) continue;
    if (alpha[i] != 0) return false;
    if (first >= 0 && last != static_cast<int>(i) - 1) return false;
    if (first < 0) first = static_cast<int>(i);
    last = static_cast<int>(i);
  }
  key = {first, last};
  return true;
}

// Tells whether the first ENTRIES values of ALPHA are their own indices (1), 255 minus
// them (-1), or neither (0).
int alpha_from_index(const std::vector<unsigned char>& alpha, size_t entries) {
  bool same = true, inverted = true;
  for (size_t i = 0; i < entries; ++i) {
    same = same && alpha[i] == i;
    inverted = inverted && alpha[i] == 255 - i;
  }
  return same ? 1 : inverted ? -1 : 0;
}

// Builds the soft mask of a palette image from its unfiltered ROWS: each pixel's
// index looked up in ALPHA. Returns an empty string when every pixel is opaque.
std::string palette_soft_mask(const PngFile& png, const std::string& rows,
                              const std::vector<unsigned char>& alpha) {
  const size_t w = png.width, h = png.height, row_bytes = png.row_bytes();
  const int depth = png.depth;
  const int per_byte = 8 / depth;
  const unsigned mask = (1u << depth) - 1;
  std::string out(w * h, '\0');
  unsigned char all = 255;
  for (size_t y = 0; y < h; ++y) {
    auto* row = reinterpret_cast<const unsigned char*>(rows.data() + y * (row_bytes + 1) + 1);
    auto* dst = reinterpret_cast<unsigned char*>(out.data() + y * w);
    if (depth == 8) {
      for (size_t x = 0; x < w; ++x) all &= dst[x] = alpha[row[x]];
    } else {
      for (size_t x = 0; x < w; ++x) {
        const int shift = 8 - depth * (1 + static_cast<int>(x % static_cast<size_t>(per_byte)));
        all &= dst[x] = alpha[(row[x / static_cast<size_t>(per_byte)] >> shift) & mask];
      }
    }
  }
  if (all == 255) return {};
  return deflate_fast(out, true);
}

// Groups the palette entries of PNG by colour, ignoring their alpha: CLASS_OF gets each
// entry's group, COLORS the groups' RGB triples. Returns false when there are more than
// kMaxReducedColors groups (then the palette is kept as it is).
constexpr size_t kMaxReducedColors = 16;  // the most that 4-bit samples can index
bool reduce_palette(const PngFile& png, std::vector<unsigned char>& class_of, std::string& colors) {
  const size_t entries = png.palette.size() / 3;
  class_of.assign(256, 0);
  colors.clear();
  for (size_t i = 0; i < entries; ++i) {
    std::string_view rgb = png.palette.substr(3 * i, 3);
    size_t k = 0;
    while (k < colors.size() / 3 && std::string_view(colors).substr(3 * k, 3) != rgb) ++k;
    if (k == colors.size() / 3) {
      if (k == kMaxReducedColors) return false;
      colors.append(rgb);
    }
    class_of[i] = static_cast<unsigned char>(k);
  }
  return true;
}

// Packs the colour of each pixel of a palette image (unfiltered ROWS) as its index in
// the reduced palette, at the fewest bits per sample that hold NUM_COLORS.
void pack_reduced(const PngFile& png, const std::string& rows,
                  const std::vector<unsigned char>& class_of, size_t num_colors, EncodedImage& e) {
  const int bits = num_colors <= 2 ? 1 : num_colors <= 4 ? 2 : 4;
  const size_t w = png.width, h = png.height, row_bytes = png.row_bytes();
  const size_t out_row = (w * static_cast<size_t>(bits) + 7) / 8;
  const int depth = png.depth;
  const size_t per_byte = static_cast<size_t>(8 / depth);
  const unsigned mask = (1u << depth) - 1;
  std::string out(out_row * h, '\0');
  for (size_t y = 0; y < h; ++y) {
    auto* row = reinterpret_cast<const unsigned char*>(rows.data() + y * (row_bytes + 1) + 1);
    auto* dst = reinterpret_cast<unsigned char*>(out.data() + y * out_row);
    for (size_t x = 0; x < w; ++x) {
      const unsigned index =
          depth == 8
              ? row[x]
              : (row[x / per_byte] >> (8 - depth * static_cast<int>(1 + x % per_byte))) & mask;
      const size_t bit = x * static_cast<size_t>(bits);
      dst[bit / 8] |= static_cast<unsigned char>(class_of[index] << (8 - bits - bit % 8));
    }
  }
  e.bits = bits;
  e.png_rows = false;
  e.data = deflate_fast(out);
}

// Splits the unfiltered 8-bit ROWS of a gray+alpha or RGBA image into colour samples
// and alpha, compressed (ROWS freed on the way); the alpha is left empty when every
// pixel is opaque.
void split_alpha(const PngFile& png, std::string&& rows, EncodedImage& e) {
  const size_t w = png.width, h = png.height, row_bytes = png.row_bytes();
  const size_t colors = static_cast<size_t>(png.channels() - 1);
  std::string color(w * h * colors, '\0');
  std::string alpha(w * h, '\0');
  unsigned char all = 255;
  for (size_t y = 0; y < h; ++y) {
    auto* src = reinterpret_cast<const unsigned char*>(rows.data() + y * (row_bytes + 1) + 1);
    auto* c = reinterpret_cast<unsigned char*>(color.data() + y * w * colors);
    auto* a = reinterpret_cast<unsigned char*>(alpha.data() + y * w);
    if (colors == 3) {
      for (size_t x = 0; x < w; ++x, src += 4, c += 3) {
        c[0] = src[0];
        c[1] = src[1];
        c[2] = src[2];
        all &= a[x] = src[3];
      }
    } else {
      for (size_t x = 0; x < w; ++x, src += 2) {
        c[x] = src[0];
        all &= a[x] = src[1];
      }
    }
  }
  std::string().swap(rows);  // freed before compressing: the image is in COLOR and ALPHA
  e.colors = static_cast<int>(colors);
  e.data = deflate_fast(color);
  if (all != 255) e.alpha = deflate_fast(alpha, true);
}

EncodedImage encode_png(std::string_view bytes) {
  PngFile png;
  std::string error;
  if (!parse_png(bytes, png, error)) return bad_png(error);
  // libpng handles what PDF cannot take as it is: interlaced rows, 16-bit samples
  // (which PDF 1.3 lacks) and gamma that 8-bit sRGB output must convert.
  if (png.interlace != 0 || png.depth == 16 || needs_gamma_conversion(png)) {
    return encode_decoded_png(bytes);
  }
  const size_t row_bytes = png.row_bytes();
  if (png.height > kMaxDecodedBytes / (row_bytes + 1)) {
    return bad_png("image of " + std::to_string(png.width) + "x" + std::to_string(png.height) +
                   " pixels is too large");
  }
  std::string rows;
  bool exact = false;
  if (!inflate_exactly(png.idat, png.height * (row_bytes + 1), rows, exact)) {
    return bad_png("the image data is damaged or incomplete");
  }
  if (!filter_types_valid(rows, png.height, row_bytes)) {
    return bad_png("the image data is damaged (unknown row filter)");
  }
  EncodedImage e;
  e.kind = EncodedImage::Kind::Flate;
  e.width = static_cast<int>(png.width);
  e.height = static_cast<int>(png.height);
  e.bits = png.depth;
  e.colors = png.color_type == kRgb ? 3 : 1;
  if (png.color_type == kGrayAlpha || png.color_type == kRgbAlpha) {
    unfilter(rows, png.height, row_bytes, png.filter_step());
    split_alpha(png, std::move(rows), e);
    return e;
  }
  if (png.color_type == kPalette) e.palette = std::string(png.palette);
  // The samples stay as the file has them: its zlib data when nothing follows the
  // stream, else the rows we inflated, still filtered.
  auto keep_samples = [&] {
    e.png_rows = true;
    e.data = exact ? std::move(png.idat) : deflate_fast(rows);
  };
  if (png.color_type == kPalette && !png.trns.empty()) {
    std::vector<unsigned char> alpha = palette_alpha(png);
    const size_t entries = png.palette.size() / 3;
    const bool opaque = std::all_of(alpha.begin(), alpha.begin() + static_cast<long>(entries),
                                    [](unsigned char a) { return a == 255; });
    if (opaque || palette_color_key(alpha, entries, e.color_key)) {
      keep_samples();
      return e;
    }
    // A soft mask it is. Palettes that vary alpha over a few colours (antialiased line
    // art) repeat those colours; then the colour samples shrink to a few bits each.
    std::vector<unsigned char> class_of;
    std::string colors;
    const bool reduce = reduce_palette(png, class_of, colors);
    // When each entry's alpha is its own index (or 255 minus it), the samples serve
    // as the soft mask too, as they are.
    const int index_alpha = png.depth == 8 ? alpha_from_index(alpha, entries) : 0;
    if (index_alpha != 0) {
      e.alpha = exact ? png.idat : deflate_fast(rows);
      e.alpha_png_rows = true;
      e.alpha_inverted = index_alpha < 0;
    }
    if (!reduce) keep_samples();
    if (!reduce && index_alpha != 0) return e;
    unfilter(rows, png.height, row_bytes, png.filter_step());
    if (index_alpha == 0) e.alpha = palette_soft_mask(png, rows, alpha);
    if (reduce) {
      pack_reduced(png, rows, class_of, colors.size() / 3, e);
      e.palette = std::move(colors);
    }
    return e;
  }
  keep_samples();
  if (png.trns.empty() || png.color_type == kPalette) return e;
  // Gray or RGB with one transparent colour: its 16-bit samples, within the depth.
  const size_t samples = static_cast<size_t>(e.colors);
  if (png.trns.size() < 2 * samples) return e;  // malformed: libpng ignores it as well
  const int max_sample = (1 << png.depth) - 1;
  for (size_t i = 0; i < samples; ++i) {
    const int v = static_cast<unsigned char>(png.trns[2 * i]) << 8 |
                  static_cast<unsigned char>(png.trns[2 * i + 1]);
    if (v > max_sample) {
      e.color_key.clear();  // no pixel can match it
      return e;
    }
    e.color_key.push_back(v);
    e.color_key.push_back(v);
  }
  return e;
}

// Checks that BYTES is a JPEG whose frame header a PDF reader understands (baseline,
// extended, progressive or arithmetic; 1, 3 or 4 components), as libharu requires.
EncodedImage encode_jpeg(std::string_view bytes) {
  auto bad = [](const std::string& why) {
    return missing("cannot read JPEG image: " + why,
                   "re-save the image as a baseline JPEG or as a PNG");
  };
  auto byte = [&](size_t i) { return static_cast<unsigned char>(bytes[i]); };
  if (bytes.size() < 4 || byte(0) != 0xFF || byte(1) != 0xD8) return bad("not a JPEG file");
  for (size_t at = 2; at + 4 <= bytes.size();) {
    if (byte(at) != 0xFF) return bad("the file is damaged (lost marker)");
    const unsigned marker = byte(at + 1);
    const size_t size = size_t{byte(at + 2)} << 8 | byte(at + 3);
    if (marker == 0xC0 || marker == 0xC1 || marker == 0xC2 || marker == 0xC9) {
      if (at + 10 > bytes.size()) break;
      const int components = byte(at + 9);
      if (components != 1 && components != 3 && components != 4) {
        return bad(std::to_string(components) + " colour components");
      }
      EncodedImage e;
      e.kind = EncodedImage::Kind::Jpeg;
      e.height = byte(at + 5) << 8 | byte(at + 6);
      e.width = byte(at + 7) << 8 | byte(at + 8);
      e.colors = components;
      e.data = std::string(bytes);
      return e;
    }
    if (size < 2) return bad("the file is damaged (bad segment length)");
    at += 2 + size;
  }
  return bad("no frame header (an unsupported JPEG kind, or a damaged file)");
}

}  // namespace

bool decode_png(std::string_view data, RawImage& out, std::string& error) {
  // libpng's simplified API keeps its setjmp/longjmp error handling inside libpng, so
  // no C++ frame is ever jumped over.
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, data.data(), data.size())) {
    error = image.message[0] ? image.message : "not a PNG file";
    png_image_free(&image);
    return false;
  }
  const bool color = (image.format & PNG_FORMAT_FLAG_COLOR) != 0;
  const bool alpha = (image.format & PNG_FORMAT_FLAG_ALPHA) != 0;
  image.format = color ? (alpha ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB)
                       : (alpha ? PNG_FORMAT_GA : PNG_FORMAT_GRAY);
  // A 16-bit file without gAMA or sRGB is taken as sRGB like an 8-bit one (what image
  // editors write), not as linear light, so 16 -> 8 bits keeps the values.
  image.flags |= PNG_IMAGE_FLAG_16BIT_sRGB;
  const size_t size = PNG_IMAGE_SIZE(image);
  if (image.width == 0 || image.height == 0 || size > kMaxDecodedBytes) {
    error = "image of " + std::to_string(image.width) + "x" + std::to_string(image.height) +
            " pixels is empty or too large";
    png_image_free(&image);
    return false;
  }
  std::string pixels(size, '\0');
  // Composite nothing: a background of null keeps the alpha channel as it is.
  if (!png_image_finish_read(&image, nullptr, pixels.data(), 0, nullptr)) {
    error = image.message[0] ? image.message : "cannot decode the PNG data";
    png_image_free(&image);
    return false;
  }
  out.width = static_cast<int>(image.width);
  out.height = static_cast<int>(image.height);
  out.channels = color ? 3 : 1;
  const size_t count = size_t{image.width} * image.height;
  if (!alpha) {
    out.color = std::move(pixels);
    out.alpha.clear();
    return true;
  }
  const size_t stride = static_cast<size_t>(out.channels) + 1;
  out.color.assign(count * static_cast<size_t>(out.channels), '\0');
  out.alpha.assign(count, '\0');
  bool opaque = true;
  for (size_t i = 0; i < count; ++i) {
    const char* px = pixels.data() + i * stride;
    std::memcpy(out.color.data() + i * static_cast<size_t>(out.channels), px,
                static_cast<size_t>(out.channels));
    out.alpha[i] = px[out.channels];
    opaque = opaque && static_cast<unsigned char>(px[out.channels]) == 0xFF;
  }
  if (opaque) out.alpha.clear();  // no soft mask needed
  return true;
}

EncodedImage encode_image(std::string_view bytes, std::string_view media_type) {
  if (media_type == "image/png") return encode_png(bytes);
  if (media_type == "image/jpeg") return encode_jpeg(bytes);
  return missing("the PDF cannot show " + std::string(media_type) + " images",
                 "convert the image to PNG or JPEG");
}

namespace {

// Encodes colour JPEG BYTES (E, as encode_jpeg read it) in shades of grey: its luma
// copied into a greyscale JPEG, or its decoded samples made grey (jpeg_to_grey).
EncodedImage grey_jpeg(std::string_view bytes, EncodedImage e) {
  GreyJpeg grey;
  std::string error;
  if (!jpeg_to_grey(bytes, kMaxDecodedBytes, grey, error))
    return missing("cannot turn colour JPEG image grey for print: " + error,
                   "save it as a greyscale JPEG or as a PNG");
  e.width = grey.width;
  e.height = grey.height;
  e.colors = 1;
  if (grey.is_jpeg) {
    e.data = std::move(grey.data);
    return e;
  }
  e.kind = EncodedImage::Kind::Flate;
  e.bits = 8;
  e.data = deflate_fast(grey.data);
  return e;
}

EncodedImage encode_grey_raw(const RawImage& raw);

// Encodes image file BYTES of MEDIA_TYPE in shades of grey, for a black-and-white
// printed interior: a PNG is decoded, turned to luma and laid over white (no mask); a
// colour JPEG becomes a greyscale one (grey_jpeg).
EncodedImage encode_grey_image(std::string_view bytes, std::string_view media_type) {
  if (media_type == "image/jpeg") {
    EncodedImage e = encode_jpeg(bytes);
    if (e.kind != EncodedImage::Kind::Jpeg || e.colors == 1) return e;
    return grey_jpeg(bytes, std::move(e));
  }
  if (media_type != "image/png") return encode_image(bytes, media_type);
  RawImage raw;
  std::string error;
  if (!decode_png(bytes, raw, error)) return bad_png(error);
  return encode_grey_raw(raw);
}

// Encodes decoded samples in shades of grey laid over white, without a mask.
EncodedImage encode_grey_raw(const RawImage& raw) {
  const size_t pixels = static_cast<size_t>(raw.width) * static_cast<size_t>(raw.height);
  std::string grey(pixels, '\0');
  work::add(pixels);
  for (size_t i = 0; i < pixels; ++i) {
    const auto* c = reinterpret_cast<const unsigned char*>(raw.color.data()) +
                    i * static_cast<size_t>(raw.channels);
    // Rec. 601 luma, the weights PDF's own DeviceRGB to DeviceGray conversion uses.
    double y = raw.channels == 3 ? 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2] : c[0];
    if (!raw.alpha.empty()) {  // composited over white paper: print has no transparency
      double a = static_cast<unsigned char>(raw.alpha[i]) / 255.0;
      y = y * a + 255.0 * (1 - a);
    }
    grey[i] = static_cast<char>(static_cast<unsigned char>(std::lround(y)));
  }
  EncodedImage e;
  e.kind = EncodedImage::Kind::Flate;
  e.width = raw.width;
  e.height = raw.height;
  e.bits = 8;
  e.colors = 1;
  e.data = deflate_fast(grey);
  return e;
}

}  // namespace

EncodedImage encode_asset(const Asset& asset, bool grey) {
  auto encode = [grey](std::string_view bytes, std::string_view type) {
    return grey ? encode_grey_image(bytes, type) : encode_image(bytes, type);
  };
  if (!asset.print_path.empty()) {  // an SVG's PNG or JPEG for print
    std::optional<std::string> bytes = read_file(asset.print_path);
    if (bytes) return encode(*bytes, asset.print_media_type);
  }
  if (asset.media_type == "image/svg+xml") {  // drawn by librsvg at print resolution
    std::optional<std::string> file;
    if (asset.data.empty()) file = read_file(asset.path);
    if (asset.data.empty() && !file)
      return missing("cannot read image for the PDF", "check that the file exists and is readable");
    RawImage raw;
    std::string error;
    if (!rasterize_svg(asset.data.empty() ? *file : asset.data, asset.width, asset.height, raw,
                       error))
      return missing("cannot draw SVG image: " + error,
                     "check that it opens in a browser, or put a PNG of the same name beside it");
    return grey ? encode_grey_raw(raw) : encode_raw(raw);
  }
  if (asset.media_type != "image/png" && asset.media_type != "image/jpeg") {
    return encode_image({}, asset.media_type);
  }
  if (!asset.data.empty()) return encode(asset.data, asset.media_type);
  std::optional<std::string> bytes = read_file(asset.path);
  if (!bytes) {
    return missing("cannot read image for the PDF", "check that the file exists and is readable");
  }
  return encode(*bytes, asset.media_type);
}

namespace {

// Returns the bytes a PNG whose file starts with HEAD decodes to: its rows as inflated
// (a filter byte and the samples as stored), or libpng's 8-bit samples for what it
// decodes (interlaced or 16-bit); 0 when HEAD is no PNG header.
uint64_t png_decoded_bytes(std::string_view head) {
  if (head.size() < 29 || !head.starts_with("\x89PNG\r\n\x1A\n") || head.substr(12, 4) != "IHDR")
    return 0;
  const uint64_t w = be32(head.data() + 16), h = be32(head.data() + 20);
  const int depth = static_cast<unsigned char>(head[24]);
  const int color_type = static_cast<unsigned char>(head[25]);
  const bool interlaced = head[28] != 0;
  PngFile png;
  png.color_type = color_type;
  const uint64_t channels = static_cast<uint64_t>(png.channels());
  const uint64_t rows = h * ((w * channels * static_cast<uint64_t>(depth) + 7) / 8 + 1);
  if (!interlaced && depth != 16) return rows;
  // libpng's output: palette entries become RGB with alpha (at most).
  const uint64_t out_channels = color_type == kPalette ? 4 : channels;
  return std::max(rows, w * h * out_channels);
}

// Returns the first bytes of the image file at PATH (or DATA when it holds the bytes).
std::string image_head(const std::string& data, const std::string& path) {
  if (!data.empty()) return data.substr(0, 64);
  bool complete = false;
  return read_file_prefix(path, 64, complete).value_or(std::string());
}

}  // namespace

uint64_t decoded_image_bytes(const Asset& asset, bool grey) {
  const bool print_version = !asset.print_path.empty();
  const std::string& type = print_version ? asset.print_media_type : asset.media_type;
  if (type == "image/svg+xml") return svg_bitmap_bytes(asset.width, asset.height);
  const uint64_t w = static_cast<uint64_t>(print_version ? asset.print_width : asset.width);
  const uint64_t h = static_cast<uint64_t>(print_version ? asset.print_height : asset.height);
  if (type == "image/jpeg") return grey ? w * h * 3 : 0;  // at most: decoded to grey
  if (type != "image/png") return 0;
  return png_decoded_bytes(print_version ? image_head({}, asset.print_path)
                                         : image_head(asset.data, asset.path));
}

ImageEncoder::ImageEncoder(const std::vector<Asset>& assets, bool grey, uint64_t memory_at_once)
    : assets_(assets),
      grey_(grey),
      results_(assets.size()),
      states_(assets.size(), State::Pending),
      memory_at_once_(memory_at_once) {
  if (assets.empty()) return;
  try {
    worker_ = std::thread([this] { run_worker(); });
  } catch (const std::system_error&) {
    // No thread to be had: get() encodes each image when it is asked for.
  }
}

ImageEncoder::~ImageEncoder() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  if (worker_.joinable()) worker_.join();
}

void ImageEncoder::run_worker() {
  for (size_t i = 0; i < assets_.size(); ++i) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stop_) return;
      if (states_[i] != State::Pending) continue;
      states_[i] = State::Working;
    }
    encode_one(i);
  }
}

void ImageEncoder::encode_one(size_t index) {
  // Charged before decoding, so the images decoded at once stay within the budget.
  const uint64_t need = decoded_image_bytes(assets_[index], grey_);
  {
    std::unique_lock<std::mutex> lock(mutex_);
    room_.wait(lock, [&] { return decoding_ == 0 || decoding_ + need <= memory_at_once_; });
    decoding_ += need;
    peak_decoding_ = std::max(peak_decoding_, decoding_);
  }
  EncodedImage result;
  try {
    result = encode_asset(assets_[index], grey_);
  } catch (const std::exception& e) {
    result = missing(std::string("cannot encode image: ") + e.what(),
                     "make the image smaller, or free some memory");
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    decoding_ -= need;
    results_[index] = std::move(result);
    states_[index] = State::Done;
  }
  room_.notify_all();
  done_.notify_all();
}

uint64_t ImageEncoder::peak_decoding() {
  std::lock_guard<std::mutex> lock(mutex_);
  return peak_decoding_;
}

const EncodedImage& ImageEncoder::get(size_t index) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (states_[index] == State::Pending) {
    states_[index] = State::Working;
    lock.unlock();
    encode_one(index);
    lock.lock();
  }
  done_.wait(lock, [&] { return states_[index] == State::Done; });
  return results_[index];
}

}  // namespace colophon
