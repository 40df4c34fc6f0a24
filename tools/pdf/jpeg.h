// Colour JPEGs made grey for a black-and-white printed interior, with libjpeg (the only
// file of colophon that includes jpeglib.h).
#pragma once
#include <string>
#include <string_view>

namespace colophon {

// A JPEG turned grey: either a greyscale JPEG or, when its luma could not be copied,
// its 8-bit grey samples (rows top to bottom, no padding).
struct GreyJpeg {
  bool is_jpeg = false;  // DATA is a greyscale JPEG file; else grey samples
  int width = 0, height = 0;
  std::string data;
};

// Makes JPEG BYTES grey. A YCbCr JPEG whose luma is at full resolution (nearly every
// photograph) keeps its luma's DCT coefficients as they are, so the grey JPEG loses
// nothing more than the colour; any other (luma subsampled, RGB, CMYK or YCCK) is
// decoded and turned to grey samples. Returns false with a message in ERROR when
// libjpeg cannot read BYTES or the image would take more than MAX_BYTES decoded.
bool jpeg_to_grey(std::string_view bytes, size_t max_bytes, GreyJpeg& out, std::string& error);

// Decodes JPEG BYTES to 8-bit grey samples (whatever its colour space); returns false
// with a message in ERROR when libjpeg cannot read it or it exceeds MAX_BYTES.
bool decode_jpeg_grey(std::string_view bytes, size_t max_bytes, GreyJpeg& out, std::string& error);

}  // namespace colophon
