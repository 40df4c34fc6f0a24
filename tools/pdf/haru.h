// What colophon does with libharu beyond its documented API, in one place.
//
// libharu writes the PDF file: its objects, cross-reference table, pages, outlines,
// links and page labels. Its public API has no way to draw glyph ids with a font of our
// own making (CID fonts from HarfBuzz's subsets), to write a page's content stream in
// one piece, to keep zlib data it is given as it is, or to add the keys of PDF/X (page
// boxes, output intents, the trailer ID, the version). So haru.cpp reaches into
// libharu's object layer (dictionaries, arrays, streams, the cross-reference table) and
// into the structures behind its handles. It is the only file that does: the rest of
// tools/pdf uses hpdf.h's functions and these. Written against libharu 2.3.0 (Debian 12).
#pragma once
#include <hpdf.h>

#include <cstdint>
#include <deque>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace colophon::haru {

// Returns a new dictionary; INDIRECT ones are numbered objects that others refer to.
HPDF_Dict new_dict(HPDF_Doc pdf, bool indirect);
// Returns a new indirect stream object holding a copy of BYTES, deflated by libharu
// when COMPRESS.
HPDF_Dict new_stream(HPDF_Doc pdf, std::string_view bytes, bool compress);

// Sets KEY of DICT to the name NAME (/NAME).
void set_name(HPDF_Dict dict, const char* key, std::string_view name);
// Sets KEY of DICT to a whole number.
void set_int(HPDF_Dict dict, const char* key, int64_t value);
// Sets KEY of DICT to a real number.
void set_real(HPDF_Dict dict, const char* key, double value);
// Sets KEY of DICT to a text string (bytes as they are, escaped as PDF needs).
void set_string(HPDF_Dict dict, const char* key, std::string_view text);
// Sets KEY of DICT to a boolean.
void set_bool(HPDF_Dict dict, const char* key, bool value);
// Sets KEY of DICT to VALUE: a reference when VALUE is indirect, else the dictionary.
void set_dict(HPDF_Dict dict, const char* key, HPDF_Dict value);
// Sets KEY of DICT to an array of numbers.
void set_numbers(HPDF_Dict dict, const char* key, std::initializer_list<double> values);
// Sets KEY of DICT to an array of the dictionaries VALUES (references when indirect).
void set_dicts(HPDF_Dict dict, const char* key, const std::vector<HPDF_Dict>& values);
// Sets KEY of DICT to a CIDFont width array: [first [w1 w2 ...] first [w ...] ...].
void set_cid_widths(HPDF_Dict dict, const char* key,
                    const std::vector<std::pair<uint32_t, std::vector<int>>>& groups);

// Returns the document catalog, the information dictionary and the trailer.
HPDF_Dict catalog(HPDF_Doc pdf);
HPDF_Dict info(HPDF_Doc pdf);
// Sets the trailer's /ID to two copies of the 16 bytes ID.
void set_trailer_id(HPDF_Doc pdf, const std::string& id);
// Sets the version the file's header declares (e.g. 13 for PDF 1.3, 14, 16).
void set_version(HPDF_Doc pdf, int version);
// Returns the PDF version the document will be written as, times ten (14 for 1.4).
int version(HPDF_Doc pdf);

// Returns the name under which PAGE's resources know FONT (adding it), or nullptr.
const char* font_resource(HPDF_Page page, HPDF_Dict font);
// Appends BYTES to PAGE's content stream (inside a text object the caller opened).
void append_content(HPDF_Page page, std::string_view bytes);
// Takes the content stream of PAGE, just drawn, out of libharu for compression
// elsewhere; nullopt when libharu might still add to it (an open text object, path or
// saved graphics state), in which case libharu compresses it itself.
std::optional<std::string> take_content(HPDF_Page page);
// Puts PAGE's contents back as ZLIB, deflated data libharu writes as it is; returns
// false when the page was drawn on after its contents were taken.
bool put_deflated_content(HPDF_Page page, const std::string& zlib);

// The read positions of image streams that libharu reads in place (stable addresses).
struct StreamSource {
  const std::string* data;
  size_t pos;
};
// Makes an image XObject whose stream is DATA, zlib data written as it is (with
// /Filter /FlateDecode). DATA must outlive the document; SOURCES keeps the read state.
HPDF_Dict image_stream(HPDF_Doc pdf, const std::string& data, int width, int height, int bits,
                       std::deque<StreamSource>& sources);
// An array object inside a dictionary (libharu's HPDF_Array).
using Array = void*;
// Returns a new, empty array set at KEY of DICT.
Array new_array_in(HPDF_Dict dict, const char* key);
// Appends a name, a number or a binary string to ARRAY.
void array_add_name(Array array, std::string_view name);
void array_add_number(Array array, double value);
void array_add_binary(Array array, std::string_view bytes);

// Adds a page label from page FIRST on that shows no number (libharu's call always
// names a numbering style).
void add_unnumbered_page_label(HPDF_Doc pdf, unsigned first, int start);

// Saves the document straight into a string (libharu writes through a stream of ours);
// nullopt when libharu fails.
std::optional<std::string> save(HPDF_Doc pdf);

}  // namespace colophon::haru
