#include "pdf/svg_raster.h"

#include <cairo.h>
#include <librsvg/rsvg.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "core/work.h"

namespace colophon {

namespace {

constexpr double kSvgPrintDpi = 300;  // pixels per inch of the bitmap: print resolution
constexpr double kCssDpi = 96;        // CSS pixels per inch
constexpr double kMaxSvgSide = 8000;  // pixels: the bitmap shrinks to stay within this...
constexpr double kMaxSvgPixels = 24e6;  // ...and this many pixels (about 96 MB while drawn)

// Returns librsvg's message and frees it.
std::string take_message(GError*& err, const char* otherwise) {
  std::string m = err != nullptr && err->message != nullptr ? err->message : otherwise;
  g_clear_error(&err);
  return m;
}

// Returns the bitmap's side in pixels for a side of CSS_SIDE CSS pixels drawn at SCALE.
int bitmap_side(double css_side, double scale) {
  return std::max(1, static_cast<int>(std::lround(css_side * scale)));
}

// Returns the scale from CSS pixels to bitmap pixels for an SVG of W x H CSS pixels.
double bitmap_scale(double w, double h) {
  return std::min({kSvgPrintDpi / kCssDpi, kMaxSvgSide / w, kMaxSvgSide / h,
                   std::sqrt(kMaxSvgPixels / (w * h))});
}

}  // namespace

uint64_t svg_bitmap_bytes(int css_width, int css_height) {
  constexpr uint64_t kMost = static_cast<uint64_t>(kMaxSvgPixels) * 4;
  if (css_width <= 0 || css_height <= 0) return kMost;
  const double scale = bitmap_scale(css_width, css_height);
  const uint64_t pixels = static_cast<uint64_t>(bitmap_side(css_width, scale)) *
                          static_cast<uint64_t>(bitmap_side(css_height, scale));
  return std::min(kMost, pixels * 4);
}

bool rasterize_svg(std::string_view svg, int css_width, int css_height, RawImage& out,
                   std::string& error) {
  GError* err = nullptr;
  RsvgHandle* handle = rsvg_handle_new_from_data(reinterpret_cast<const guint8*>(svg.data()),
                                                 static_cast<gsize>(svg.size()), &err);
  if (handle == nullptr) {
    error = take_message(err, "not a readable SVG");
    return false;
  }
  double w = css_width, h = css_height;
  if (w <= 0 || h <= 0) {
    gdouble iw = 0, ih = 0;
    if (!rsvg_handle_get_intrinsic_size_in_pixels(handle, &iw, &ih) || iw <= 0 || ih <= 0) {
      g_object_unref(handle);
      error = "the SVG gives no size (width and height, or a viewBox)";
      return false;
    }
    w = iw;
    h = ih;
  }
  const double scale = bitmap_scale(w, h);
  const int pw = bitmap_side(w, scale);
  const int ph = bitmap_side(h, scale);
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, pw, ph);
  if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(surface);
    g_object_unref(handle);
    error = "no memory to draw the SVG";
    return false;
  }
  cairo_t* cr = cairo_create(surface);
  RsvgRectangle viewport{0, 0, static_cast<double>(pw), static_cast<double>(ph)};
  bool drawn = rsvg_handle_render_document(handle, cr, &viewport, &err) != FALSE;
  cairo_destroy(cr);
  g_object_unref(handle);
  if (!drawn) {
    cairo_surface_destroy(surface);
    error = take_message(err, "librsvg cannot draw it");
    return false;
  }
  cairo_surface_flush(surface);
  const unsigned char* data = cairo_image_surface_get_data(surface);
  const int stride = cairo_image_surface_get_stride(surface);
  const size_t pixels = static_cast<size_t>(pw) * static_cast<size_t>(ph);
  work::add(pixels);
  out.width = pw;
  out.height = ph;
  out.channels = 3;
  out.color.assign(pixels * 3, '\0');
  out.alpha.assign(pixels, '\0');
  bool opaque = true;
  size_t i = 0;
  for (int y = 0; y < ph; ++y) {
    const unsigned char* row = data + static_cast<size_t>(y) * static_cast<size_t>(stride);
    for (int x = 0; x < pw; ++x, ++i) {
      uint32_t p;
      std::memcpy(&p, row + static_cast<size_t>(x) * 4, 4);  // native-endian ARGB
      unsigned a = p >> 24;
      unsigned rgb[3] = {(p >> 16) & 0xff, (p >> 8) & 0xff, p & 0xff};
      for (int c = 0; c < 3; ++c)  // cairo's samples are premultiplied by alpha
        out.color[i * 3 + c] = static_cast<char>(a == 0 ? 255 : std::min(255u, (rgb[c] * 255 + a / 2) / a));
      out.alpha[i] = static_cast<char>(a);
      opaque = opaque && a == 255;
    }
  }
  cairo_surface_destroy(surface);
  if (opaque) out.alpha.clear();
  return true;
}

}  // namespace colophon
