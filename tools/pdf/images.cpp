#include "pdf/images.h"

#include <png.h>

#include <cstring>

namespace colophon {

namespace {

// Refuses images whose pixels alone would take more than this, so a corrupt or hostile
// header cannot make us allocate gigabytes.
constexpr size_t kMaxDecodedBytes = size_t{512} * 1024 * 1024;

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

}  // namespace colophon
