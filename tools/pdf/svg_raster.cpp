#include "pdf/svg_raster.h"

#include <cairo.h>
#include <dlfcn.h>
#include <librsvg/rsvg.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <mutex>

#include "core/work.h"

namespace colophon {

namespace {

constexpr double kSvgPrintDpi = 300;  // pixels per inch of the bitmap: print resolution
constexpr double kCssDpi = 96;        // CSS pixels per inch
constexpr double kMaxSvgSide = 8000;  // pixels: the bitmap shrinks to stay within this...
constexpr double kMaxSvgPixels = 24e6;  // ...and this many pixels (about 96 MB while drawn)

// librsvg, and the cairo and GLib it brings, are loaded on the first SVG drawn, not when
// colophon starts: they are about 30 shared libraries, which cost every command (an EPUB
// build, `--version`) 6 ms of start-up for a function only the PDF of a book with SVG
// images calls. The pointers keep the headers' types, so a call that does not match its
// declaration does not compile.
constexpr const char* kRsvgLibrary = "librsvg-2.so.2";  // Debian's librsvg2-2

struct Rsvg {
  decltype(&rsvg_handle_new_from_data) new_from_data = nullptr;
  decltype(&rsvg_handle_get_intrinsic_size_in_pixels) intrinsic_size = nullptr;
  decltype(&rsvg_handle_render_document) render_document = nullptr;
  decltype(&g_object_unref) object_unref = nullptr;
  decltype(&g_clear_error) clear_error = nullptr;
  decltype(&cairo_image_surface_create) surface_create = nullptr;
  decltype(&cairo_surface_status) surface_status = nullptr;
  decltype(&cairo_surface_destroy) surface_destroy = nullptr;
  decltype(&cairo_surface_flush) surface_flush = nullptr;
  decltype(&cairo_image_surface_get_data) surface_data = nullptr;
  decltype(&cairo_image_surface_get_stride) surface_stride = nullptr;
  decltype(&cairo_create) create = nullptr;
  decltype(&cairo_destroy) destroy = nullptr;
  std::string problem;  // why the library could not be used, or ""
};

// Looks NAME up in HANDLE (librsvg and the libraries it depends on) into FN; records the
// first name missing in R.
template <typename Fn>
void bind(void* handle, const char* name, Fn& fn, Rsvg& r) {
  fn = reinterpret_cast<Fn>(dlsym(handle, name));
  if (fn == nullptr && r.problem.empty()) r.problem = std::string(kRsvgLibrary) + " has no " + name;
}

// Returns librsvg, loaded once for the whole process (the library is never unloaded).
const Rsvg& rsvg() {
  static Rsvg r;
  static std::once_flag once;
  std::call_once(once, [] {
    void* h = dlopen(kRsvgLibrary, RTLD_NOW | RTLD_LOCAL);
    if (h == nullptr) {
      const char* why = dlerror();
      r.problem = std::string("SVG images cannot be drawn: ") + (why ? why : kRsvgLibrary) +
                  " (install Debian's librsvg2-2)";
      return;
    }
    bind(h, "rsvg_handle_new_from_data", r.new_from_data, r);
    bind(h, "rsvg_handle_get_intrinsic_size_in_pixels", r.intrinsic_size, r);
    bind(h, "rsvg_handle_render_document", r.render_document, r);
    bind(h, "g_object_unref", r.object_unref, r);
    bind(h, "g_clear_error", r.clear_error, r);
    bind(h, "cairo_image_surface_create", r.surface_create, r);
    bind(h, "cairo_surface_status", r.surface_status, r);
    bind(h, "cairo_surface_destroy", r.surface_destroy, r);
    bind(h, "cairo_surface_flush", r.surface_flush, r);
    bind(h, "cairo_image_surface_get_data", r.surface_data, r);
    bind(h, "cairo_image_surface_get_stride", r.surface_stride, r);
    bind(h, "cairo_create", r.create, r);
    bind(h, "cairo_destroy", r.destroy, r);
  });
  return r;
}

// Returns librsvg's message and frees it.
std::string take_message(const Rsvg& lib, GError*& err, const char* otherwise) {
  std::string m = err != nullptr && err->message != nullptr ? err->message : otherwise;
  lib.clear_error(&err);
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
  const Rsvg& lib = rsvg();
  if (!lib.problem.empty()) {
    error = lib.problem;
    return false;
  }
  GError* err = nullptr;
  RsvgHandle* handle = lib.new_from_data(reinterpret_cast<const guint8*>(svg.data()),
                                                 static_cast<gsize>(svg.size()), &err);
  if (handle == nullptr) {
    error = take_message(lib, err, "not a readable SVG");
    return false;
  }
  double w = css_width, h = css_height;
  if (w <= 0 || h <= 0) {
    gdouble iw = 0, ih = 0;
    if (!lib.intrinsic_size(handle, &iw, &ih) || iw <= 0 || ih <= 0) {
      lib.object_unref(handle);
      error = "the SVG gives no size (width and height, or a viewBox)";
      return false;
    }
    w = iw;
    h = ih;
  }
  const double scale = bitmap_scale(w, h);
  const int pw = bitmap_side(w, scale);
  const int ph = bitmap_side(h, scale);
  cairo_surface_t* surface = lib.surface_create(CAIRO_FORMAT_ARGB32, pw, ph);
  if (lib.surface_status(surface) != CAIRO_STATUS_SUCCESS) {
    lib.surface_destroy(surface);
    lib.object_unref(handle);
    error = "no memory to draw the SVG";
    return false;
  }
  cairo_t* cr = lib.create(surface);
  RsvgRectangle viewport{0, 0, static_cast<double>(pw), static_cast<double>(ph)};
  bool drawn = lib.render_document(handle, cr, &viewport, &err) != FALSE;
  lib.destroy(cr);
  lib.object_unref(handle);
  if (!drawn) {
    lib.surface_destroy(surface);
    error = take_message(lib, err, "librsvg cannot draw it");
    return false;
  }
  lib.surface_flush(surface);
  const unsigned char* data = lib.surface_data(surface);
  const int stride = lib.surface_stride(surface);
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
  lib.surface_destroy(surface);
  if (opaque) out.alpha.clear();
  return true;
}

}  // namespace colophon
