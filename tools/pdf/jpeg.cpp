// Colour JPEGs made grey with libjpeg. libjpeg reports errors by calling a function that
// must not return; ours jumps back (longjmp) into the function that set the trap, which
// therefore holds only plain C data (no object whose destructor a jump would skip), and
// everything it allocates is either libjpeg's own (freed by jpeg_destroy_*) or reachable
// from the caller's Buffers, which the caller frees.
#include "pdf/jpeg.h"

#include <jpeglib.h>

#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/work.h"

namespace colophon {

namespace {

// Where libjpeg's error handler jumps back to, and its message.
struct ErrorTrap {
  jpeg_error_mgr manager;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void trap_error(j_common_ptr cinfo) {
  ErrorTrap* trap = reinterpret_cast<ErrorTrap*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, trap->message);
  std::longjmp(trap->jump, 1);
}

// Warnings (a file cut short, extraneous bytes) are not printed: the image is still
// drawn from what could be read, as every viewer draws it.
void ignore_message(j_common_ptr, int) {}

void set_trap(ErrorTrap& trap) {
  jpeg_std_error(&trap.manager);
  trap.manager.error_exit = trap_error;
  trap.manager.emit_message = ignore_message;
  trap.message[0] = '\0';
}

// Memory that must outlive a jump: malloc'd, freed by the caller.
struct Buffers {
  unsigned char* out = nullptr;      // libjpeg's output buffer (jpeg_mem_dest)
  unsigned long out_size = 0;
  unsigned char* ours = nullptr;     // the buffer we gave jpeg_mem_dest
  unsigned char* pixels = nullptr;   // decoded grey samples
  bool compressing = false;          // the jpeg_compress_struct was created
  int width = 0, height = 0;

  void free_all() {
    if (out != ours) std::free(out);
    std::free(ours);
    std::free(pixels);
    out = ours = pixels = nullptr;
  }
};

enum class Outcome { Done, NotSuitable, Failed };

// Writes the luma of YCbCr JPEG DATA as a greyscale JPEG into B.out, copying its DCT
// coefficients (what jpegtran -grayscale does): possible when the luma is stored at
// full resolution, as in nearly every JPEG.
Outcome copy_luma(const unsigned char* data, unsigned long size, ErrorTrap& trap, Buffers& b) {
  jpeg_decompress_struct src;
  jpeg_compress_struct dst;
  set_trap(trap);
  src.err = &trap.manager;
  jpeg_create_decompress(&src);
  if (setjmp(trap.jump)) {
    if (b.compressing) jpeg_destroy_compress(&dst);
    jpeg_destroy_decompress(&src);
    return Outcome::Failed;
  }
  jpeg_mem_src(&src, data, size);
  jpeg_read_header(&src, TRUE);
  const bool luma_full = src.jpeg_color_space == JCS_YCbCr && src.num_components == 3 &&
                         src.comp_info[0].h_samp_factor == src.max_h_samp_factor &&
                         src.comp_info[0].v_samp_factor == src.max_v_samp_factor;
  if (!luma_full) {
    jpeg_destroy_decompress(&src);
    return Outcome::NotSuitable;
  }
  jvirt_barray_ptr* coefficients = jpeg_read_coefficients(&src);
  dst.err = &trap.manager;
  jpeg_create_compress(&dst);
  b.compressing = true;
  jpeg_copy_critical_parameters(&src, &dst);
  const int table = dst.comp_info[0].quant_tbl_no;  // the luma keeps its quantisation
  jpeg_set_colorspace(&dst, JCS_GRAYSCALE);
  dst.comp_info[0].quant_tbl_no = table;
  dst.optimize_coding = TRUE;  // Huffman tables made for this image: a smaller file
  // A buffer as large as the colour file: the luma alone needs less, so libjpeg need
  // not grow it (which would leave B.out pointing at freed memory until the end).
  b.out_size = size + 4096;
  b.ours = static_cast<unsigned char*>(std::malloc(b.out_size));
  if (b.ours == nullptr) {
    jpeg_destroy_compress(&dst);
    b.compressing = false;
    jpeg_destroy_decompress(&src);
    std::snprintf(trap.message, sizeof trap.message, "out of memory");
    return Outcome::Failed;
  }
  b.out = b.ours;
  jpeg_mem_dest(&dst, &b.out, &b.out_size);
  jpeg_write_coefficients(&dst, coefficients);
  jpeg_finish_compress(&dst);
  b.width = static_cast<int>(src.image_width);
  b.height = static_cast<int>(src.image_height);
  jpeg_destroy_compress(&dst);
  b.compressing = false;
  jpeg_finish_decompress(&src);
  jpeg_destroy_decompress(&src);
  return Outcome::Done;
}

// Decodes JPEG DATA to 8-bit grey samples in B.pixels: libjpeg turns YCbCr, RGB and
// grey into grey itself; CMYK and YCCK are decoded as CMYK and their inks summed.
Outcome decode_grey(const unsigned char* data, unsigned long size, size_t max_bytes,
                    ErrorTrap& trap, Buffers& b) {
  jpeg_decompress_struct src;
  set_trap(trap);
  src.err = &trap.manager;
  jpeg_create_decompress(&src);
  if (setjmp(trap.jump)) {
    jpeg_destroy_decompress(&src);
    return Outcome::Failed;
  }
  jpeg_mem_src(&src, data, size);
  jpeg_read_header(&src, TRUE);
  const bool cmyk = src.jpeg_color_space == JCS_CMYK || src.jpeg_color_space == JCS_YCCK;
  src.out_color_space = cmyk ? JCS_CMYK : JCS_GRAYSCALE;
  const size_t w = src.image_width, h = src.image_height;
  if (w == 0 || h == 0 || w * h > max_bytes / (cmyk ? 4 : 1)) {
    std::snprintf(trap.message, sizeof trap.message,
                  "image of %zux%zu pixels is empty or too large", w, h);
    jpeg_destroy_decompress(&src);
    return Outcome::Failed;
  }
  b.pixels = static_cast<unsigned char*>(std::malloc(w * h));
  if (b.pixels == nullptr) {
    std::snprintf(trap.message, sizeof trap.message, "out of memory");
    jpeg_destroy_decompress(&src);
    return Outcome::Failed;
  }
  jpeg_start_decompress(&src);
  JSAMPARRAY row = (*src.mem->alloc_sarray)(reinterpret_cast<j_common_ptr>(&src), JPOOL_IMAGE,
                                            static_cast<JDIMENSION>(w * (cmyk ? 4 : 1)), 1);
  // Adobe's CMYK JPEGs (nearly all of them) store the inks inverted: 255 is no ink.
  const bool inverted = src.saw_Adobe_marker;
  while (src.output_scanline < src.output_height) {
    unsigned char* dest = b.pixels + size_t{src.output_scanline} * w;
    jpeg_read_scanlines(&src, row, 1);
    if (!cmyk) {
      std::memcpy(dest, row[0], w);
      continue;
    }
    for (size_t x = 0; x < w; ++x) {
      const unsigned char* px = row[0] + 4 * x;
      double ink[4];
      for (int k = 0; k < 4; ++k) ink[k] = inverted ? 255 - px[k] : px[k];
      // The colour inks weighed as Rec. 601 luma weighs red, green and blue, plus black.
      double cover = 0.299 * ink[0] + 0.587 * ink[1] + 0.114 * ink[2] + ink[3];
      dest[x] = static_cast<unsigned char>(255 - std::min(255.0, cover) + 0.5);
    }
  }
  b.width = static_cast<int>(w);
  b.height = static_cast<int>(h);
  jpeg_finish_decompress(&src);
  jpeg_destroy_decompress(&src);
  return Outcome::Done;
}

}  // namespace

bool decode_jpeg_grey(std::string_view bytes, size_t max_bytes, GreyJpeg& out, std::string& error) {
  ErrorTrap trap;
  Buffers b;
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  Outcome done = decode_grey(data, static_cast<unsigned long>(bytes.size()), max_bytes, trap, b);
  if (done == Outcome::Done) {
    work::add(static_cast<size_t>(b.width) * static_cast<size_t>(b.height));
    out.is_jpeg = false;
    out.width = b.width;
    out.height = b.height;
    out.data.assign(reinterpret_cast<const char*>(b.pixels),
                    static_cast<size_t>(b.width) * static_cast<size_t>(b.height));
  } else {
    error = trap.message[0] ? trap.message : "cannot decode the JPEG data";
  }
  b.free_all();
  return done == Outcome::Done;
}

bool jpeg_to_grey(std::string_view bytes, size_t max_bytes, GreyJpeg& out, std::string& error) {
  ErrorTrap trap;
  Buffers b;
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  Outcome done = copy_luma(data, static_cast<unsigned long>(bytes.size()), trap, b);
  if (done == Outcome::Done) {
    work::add(bytes.size());
    out.is_jpeg = true;
    out.width = b.width;
    out.height = b.height;
    out.data.assign(reinterpret_cast<const char*>(b.out), b.out_size);
  } else if (done == Outcome::Failed) {
    error = trap.message[0] ? trap.message : "cannot read the JPEG data";
  }
  b.free_all();
  if (done == Outcome::NotSuitable) return decode_jpeg_grey(bytes, max_bytes, out, error);
  return done == Outcome::Done;
}

}  // namespace colophon
