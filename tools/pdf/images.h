// Image decoding for the PDF writer: PNGs of any kind become 8-bit samples plus an
// optional 8-bit alpha channel, which libharu embeds reliably (its own PNG loader
// garbles 16-bit files).
#pragma once
#include <string>
#include <string_view>

namespace colophon {

// Decoded pixels: rows top to bottom, 8 bits per sample, no padding.
struct RawImage {
  int width = 0, height = 0;
  int channels = 0;   // 1 (gray) or 3 (RGB)
  std::string color;  // width * height * channels bytes
  std::string alpha;  // width * height bytes, or empty when the image is opaque
};

// Decodes PNG DATA (any bit depth, palette, gray, transparency, interlacing) to 8-bit
// samples; returns false with a message in ERROR when DATA is not a readable PNG.
bool decode_png(std::string_view data, RawImage& out, std::string& error);

}  // namespace colophon
