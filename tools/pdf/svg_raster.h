// SVG drawn for the PDF: librsvg renders the (already sanitised) SVG to a bitmap at
// print resolution, which the PDF stores as any decoded image.
#pragma once
#include <string>
#include <string_view>

#include "pdf/images.h"

namespace colophon {

// Renders SVG, whose size is CSS_WIDTH by CSS_HEIGHT CSS pixels (its own size when
// either is 0), at kSvgPrintDpi into OUT (RGB with an alpha channel when any pixel is
// not opaque); returns false with a message in ERROR when librsvg cannot read or draw it.
bool rasterize_svg(std::string_view svg, int css_width, int css_height, RawImage& out,
                   std::string& error);

}  // namespace colophon
