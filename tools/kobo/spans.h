// Kobo's markup, added while the XHTML is written (a TextMarkup hook): every sentence in
// <span class="koboSpan" id="kobo.P.S">, where P counts the blocks of the content
// document and S the spans of the block, so an id changes only when its own block or an
// earlier block of the same document does; every image in a span of its own; nothing
// inside pre, code, svg or math; the body in div#book-columns > div#book-inner; and the
// small style block Kobo's own books carry.
#pragma once
#include <memory>

#include "xhtml/xhtml.h"

namespace colophon {

// Makes the Kobo markup for one content document.
std::unique_ptr<TextMarkup> make_kobo_markup();

}  // namespace colophon
