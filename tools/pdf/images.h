// Image encoding for the PDF writer. A PNG whose samples a PDF reader can take as they
// are (8 bits or fewer, not interlaced, no alpha channel) keeps its own zlib data, read
// through PNG predictors, so it is neither decoded nor compressed again; a palette's
// transparency becomes a colour-key mask when it is all-or-nothing and a soft mask
// otherwise. Alpha channels, 16-bit samples, interlacing and non-sRGB gamma are decoded
// and compressed at a fast zlib level. JPEG files pass through unchanged (but for print,
// where a colour one becomes a greyscale JPEG, see jpeg.h). ImageEncoder
// does this work on a worker thread, so it overlaps the layout.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "model/model.h"

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

// An image as the PDF stores it: one image stream, perhaps with a soft mask.
struct EncodedImage {
  enum class Kind {
    Missing,  // left out: PROBLEM says why, HINT what to do
    Jpeg,     // DATA is a JPEG file, drawn with /DCTDecode
    Flate,    // DATA is zlib data of the samples described below
  };
  Kind kind = Kind::Missing;
  std::string problem;  // Missing: what went wrong, e.g. "cannot decode PNG image: ..."
  std::string hint;     // Missing: what the author can do about it
  int width = 0, height = 0;
  int bits = 8;                 // bits per sample (1, 2, 4 or 8)
  int colors = 1;               // samples per pixel: 1 (gray or palette index) or 3 (RGB)
  std::string palette;          // when not empty: the samples index these RGB triples
  bool png_rows = false;        // every row starts with a PNG filter byte (/Predictor 15)
  std::string data;             // the image stream's bytes
  std::vector<int> color_key;   // /Mask: min and max sample per colour; such pixels stay clear
  std::string alpha;            // zlib data of an 8-bit gray soft mask, or empty when none
  bool alpha_png_rows = false;  // ALPHA's rows start with a PNG filter byte
  bool alpha_inverted = false;  // ALPHA's samples count transparency (/Decode [1 0])
};

// Encodes image file BYTES of MEDIA_TYPE ("image/png", "image/jpeg") for the PDF; any
// other type or an unreadable file gives Kind::Missing with the reason.
EncodedImage encode_image(std::string_view bytes, std::string_view media_type);

// Encodes ASSET for the PDF, reading its file when it holds no bytes of its own; in
// shades of grey over white, without masks, when GREY is set (a printed interior): a
// colour JPEG then becomes a greyscale JPEG with its luma unchanged.
EncodedImage encode_asset(const Asset& asset, bool grey = false);

// The most bytes one image may decode to for the PDF (its pixels, 8 or 16 bits a sample).
inline constexpr uint64_t kMaxImageDecodedBytes = uint64_t{512} << 20;
// The most bytes of decoded pixels the PDF's images take at once: an image is decoded
// only when it fits beside the ones being decoded (ImageEncoder), so a book of many big
// images costs the memory of one, not of all at once.
inline constexpr uint64_t kImageMemoryAtOnce = uint64_t{512} << 20;
// The most bytes all the images of one book may decode to for its PDF (the book's
// budget, checked from the files' headers before any image is decoded).
inline constexpr uint64_t kBookImageBudget = uint64_t{4} << 30;

// Returns the bytes ASSET's pixels take decoded for the PDF, read from its header (or
// its print version's): 0 for an image the PDF keeps as its file is (a JPEG, unless
// GREY makes it grey) or leaves out (GIF), and for a file it cannot read.
uint64_t decoded_image_bytes(const Asset& asset, bool grey);

// Encodes every asset of a book for the PDF, each once: a worker thread started by the
// constructor goes through them in order while the caller lays the book out, and get()
// encodes an asset itself when the worker has not reached it yet. Each one charges its
// decoded bytes (decoded_image_bytes) before it is decoded, and waits while the images
// being decoded would take more than MEMORY_AT_ONCE with it (one alone never waits).
class ImageEncoder {
 public:
  // Starts encoding ASSETS, which must outlive this object.
  // GREY: in shades of grey, for a black-and-white printed interior.
  explicit ImageEncoder(const std::vector<Asset>& assets, bool grey = false,
                        uint64_t memory_at_once = kImageMemoryAtOnce);
  // Stops the worker after the asset in hand.
  ~ImageEncoder();
  ImageEncoder(const ImageEncoder&) = delete;
  ImageEncoder& operator=(const ImageEncoder&) = delete;

  // Returns asset INDEX (< the number of assets) encoded, waiting for it if needed.
  const EncodedImage& get(size_t index);

  // Returns the most decoded bytes charged at once so far, for tests.
  uint64_t peak_decoding();

 private:
  enum class State { Pending, Working, Done };
  void run_worker();
  // Encodes asset INDEX, which the caller has marked Working, and publishes it.
  void encode_one(size_t index);

  const std::vector<Asset>& assets_;
  bool grey_ = false;
  std::vector<EncodedImage> results_;
  std::vector<State> states_;
  bool stop_ = false;
  std::mutex mutex_;
  std::condition_variable done_;
  uint64_t memory_at_once_;
  uint64_t decoding_ = 0;       // decoded bytes charged by the images being encoded
  uint64_t peak_decoding_ = 0;  // the most DECODING_ has been
  std::condition_variable room_;  // signalled when DECODING_ drops
  std::thread worker_;
};

}  // namespace colophon
