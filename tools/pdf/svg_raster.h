// SVG drawn for the PDF: librsvg renders the (already sanitised) SVG to a bitmap at
// print resolution, which the PDF stores as any decoded image.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "pdf/images.h"

namespace colophon {

// Renders SVG, whose size is CSS_WIDTH by CSS_HEIGHT CSS pixels (its own size when
// either is 0), at kSvgPrintDpi into OUT (RGB with an alpha channel when any pixel is
// not opaque); returns false with a message in ERROR when librsvg cannot read or draw it.
bool rasterize_svg(std::string_view svg, int css_width, int css_height, RawImage& out,
                   std::string& error);

// Returns the bytes of the bitmap rasterize_svg draws for an SVG of CSS_WIDTH by
// CSS_HEIGHT CSS pixels (the most it ever draws when either is 0, the size unknown).
uint64_t svg_bitmap_bytes(int css_width, int css_height);

}  // namespace colophon
