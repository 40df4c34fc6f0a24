// libharu's object layer, used where its public API stops (see haru.h for why).
#include "pdf/haru.h"

#include <hpdf.h>
#include <hpdf_catalog.h>
#include <hpdf_conf.h>
#include <hpdf_doc.h>
#include <hpdf_objects.h>
#include <hpdf_page_label.h>
#include <hpdf_pages.h>
#include <hpdf_streams.h>

#include <algorithm>
#include <cstring>
#include <string>

namespace colophon::haru {

namespace {

// Adds the /Filter entry of a stream that holds zlib data already (libharu calls this
// while writing the stream's dictionary): libharu drops any /Filter of a stream it does
// not compress itself.
HPDF_STATUS write_flate_filter(HPDF_Dict, HPDF_Stream stream) {
  return HPDF_Stream_WriteStr(stream, "/Filter /FlateDecode\012");
}

// A libharu input stream over a string that someone else owns.
struct Reader {
  static StreamSource& of(HPDF_Stream stream) { return *static_cast<StreamSource*>(stream->attr); }
  static HPDF_STATUS read(HPDF_Stream stream, HPDF_BYTE* out, HPDF_UINT* size) {
    StreamSource& r = of(stream);
    const size_t n = std::min<size_t>(*size, r.data->size() - r.pos);
    std::memcpy(out, r.data->data() + r.pos, n);
    r.pos += n;
    const bool short_read = n < *size;
    *size = static_cast<HPDF_UINT>(n);
    return short_read ? HPDF_STREAM_EOF : HPDF_OK;
  }
  static HPDF_STATUS seek(HPDF_Stream stream, HPDF_INT pos, HPDF_WhenceMode mode) {
    StreamSource& r = of(stream);
    const long base = mode == HPDF_SEEK_CUR   ? static_cast<long>(r.pos)
                      : mode == HPDF_SEEK_END ? static_cast<long>(r.data->size())
                                              : 0;
    const long at = base + pos;
    if (at < 0 || at > static_cast<long>(r.data->size())) return HPDF_STREAM_EOF;
    r.pos = static_cast<size_t>(at);
    return HPDF_OK;
  }
  static HPDF_INT32 tell(HPDF_Stream stream) { return static_cast<HPDF_INT32>(of(stream).pos); }
  static HPDF_UINT32 size(HPDF_Stream stream) {
    return static_cast<HPDF_UINT32>(of(stream).data->size());
  }
};

// Appends what libharu writes to the string its output stream was made for.
HPDF_STATUS append_to_string(HPDF_Stream stream, const HPDF_BYTE* data, HPDF_UINT size) {
  static_cast<std::string*>(stream->attr)->append(reinterpret_cast<const char*>(data), size);
  return HPDF_OK;
}

// Returns NAME as a C string libharu can keep (names never hold NUL).
std::string c_name(std::string_view name) { return std::string(name.substr(0, name.find('\0'))); }

}  // namespace

HPDF_Dict new_dict(HPDF_Doc pdf, bool indirect) {
  HPDF_Dict dict = HPDF_Dict_New(pdf->mmgr);
  if (dict && indirect && HPDF_Xref_Add(pdf->xref, dict) != HPDF_OK) return nullptr;
  return dict;
}

HPDF_Dict new_stream(HPDF_Doc pdf, std::string_view bytes, bool compress) {
  HPDF_Dict dict = HPDF_DictStream_New(pdf->mmgr, pdf->xref);
  if (!dict) return nullptr;
  if (compress) dict->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
  if (!bytes.empty())
    HPDF_Stream_Write(dict->stream, reinterpret_cast<const HPDF_BYTE*>(bytes.data()),
                      static_cast<HPDF_UINT>(bytes.size()));
  return dict;
}

void set_name(HPDF_Dict dict, const char* key, std::string_view name) {
  HPDF_Dict_AddName(dict, key, c_name(name).c_str());
}

void set_int(HPDF_Dict dict, const char* key, int64_t value) {
  HPDF_Dict_AddNumber(dict, key, static_cast<HPDF_INT32>(value));
}

void set_real(HPDF_Dict dict, const char* key, double value) {
  HPDF_Dict_AddReal(dict, key, static_cast<HPDF_REAL>(value));
}

void set_string(HPDF_Dict dict, const char* key, std::string_view text) {
  HPDF_Dict_Add(dict, key, HPDF_String_New(dict->mmgr, c_name(text).c_str(), nullptr));
}

void set_bool(HPDF_Dict dict, const char* key, bool value) {
  HPDF_Dict_AddBoolean(dict, key, value ? HPDF_TRUE : HPDF_FALSE);
}

void set_dict(HPDF_Dict dict, const char* key, HPDF_Dict value) {
  if (value) HPDF_Dict_Add(dict, key, value);
}

void set_numbers(HPDF_Dict dict, const char* key, std::initializer_list<double> values) {
  HPDF_Array array = HPDF_Array_New(dict->mmgr);
  if (!array) return;
  HPDF_Dict_Add(dict, key, array);
  for (double v : values) {
    if (v == static_cast<double>(static_cast<HPDF_INT32>(v)))
      HPDF_Array_AddNumber(array, static_cast<HPDF_INT32>(v));
    else
      HPDF_Array_AddReal(array, static_cast<HPDF_REAL>(v));
  }
}

void set_dicts(HPDF_Dict dict, const char* key, const std::vector<HPDF_Dict>& values) {
  HPDF_Array array = HPDF_Array_New(dict->mmgr);
  if (!array) return;
  HPDF_Dict_Add(dict, key, array);
  for (HPDF_Dict v : values)
    if (v) HPDF_Array_Add(array, v);
}

void set_cid_widths(HPDF_Dict dict, const char* key,
                    const std::vector<std::pair<uint32_t, std::vector<int>>>& groups) {
  HPDF_Array array = HPDF_Array_New(dict->mmgr);
  if (!array) return;
  HPDF_Dict_Add(dict, key, array);
  for (const auto& [first, widths] : groups) {
    HPDF_Array_AddNumber(array, static_cast<HPDF_INT32>(first));
    HPDF_Array inner = HPDF_Array_New(dict->mmgr);
    if (!inner) return;
    HPDF_Array_Add(array, inner);
    for (int w : widths) HPDF_Array_AddNumber(inner, w);
  }
}

HPDF_Dict catalog(HPDF_Doc pdf) { return pdf->catalog; }

HPDF_Dict info(HPDF_Doc pdf) {
  if (!pdf->info) HPDF_SetInfoAttr(pdf, HPDF_INFO_CREATOR, "colophon");  // makes it
  return pdf->info;
}

void set_trailer_id(HPDF_Doc pdf, const std::string& id) {
  HPDF_Array array = HPDF_Array_New(pdf->mmgr);
  if (!array) return;
  HPDF_Dict_Add(pdf->trailer, "ID", array);
  std::string bytes = id;  // libharu's binary objects take a mutable buffer
  for (int copy = 0; copy < 2; ++copy)
    HPDF_Array_Add(array, HPDF_Binary_New(pdf->mmgr, reinterpret_cast<HPDF_BYTE*>(bytes.data()),
                                          static_cast<HPDF_UINT>(bytes.size())));
}

void set_version(HPDF_Doc pdf, int version) {
  int v = std::clamp(version, 12, 17) - 12;
  pdf->pdf_version = static_cast<HPDF_PDFVer>(HPDF_VER_12 + v);
}

int version(HPDF_Doc pdf) { return 12 + (static_cast<int>(pdf->pdf_version) - HPDF_VER_12); }

const char* font_resource(HPDF_Page page, HPDF_Dict font) {
  return HPDF_Page_GetLocalFontName(page, font);
}

void append_content(HPDF_Page page, std::string_view bytes) {
  HPDF_Stream_Write(static_cast<HPDF_PageAttr>(page->attr)->stream,
                    reinterpret_cast<const HPDF_BYTE*>(bytes.data()),
                    static_cast<HPDF_UINT>(bytes.size()));
}

std::optional<std::string> take_content(HPDF_Page page) {
  auto* attr = page ? static_cast<HPDF_PageAttr>(page->attr) : nullptr;
  if (!attr || !attr->contents || attr->stream != attr->contents->stream ||
      attr->stream->type != HPDF_STREAM_MEMORY || attr->gmode != HPDF_GMODE_PAGE_DESCRIPTION ||
      (attr->gstate && attr->gstate->prev)) {
    return std::nullopt;
  }
  HPDF_Stream stream = attr->stream;
  std::string bytes;
  bytes.reserve(stream->size);
  const HPDF_UINT chunks = HPDF_MemStream_GetBufCount(stream);
  for (HPDF_UINT i = 0; i < chunks; ++i) {
    HPDF_UINT length = 0;
    const HPDF_BYTE* chunk = HPDF_MemStream_GetBufPtr(stream, i, &length);
    if (chunk) bytes.append(reinterpret_cast<const char*>(chunk), length);
  }
  if (bytes.size() != stream->size) return std::nullopt;  // not as expected: leave it
  HPDF_MemStream_FreeData(stream);
  return bytes;
}

bool put_deflated_content(HPDF_Page page, const std::string& zlib) {
  auto* attr = static_cast<HPDF_PageAttr>(page->attr);
  if (attr->stream->size != 0) return false;
  HPDF_Stream_Write(attr->stream, reinterpret_cast<const HPDF_BYTE*>(zlib.data()),
                    static_cast<HPDF_UINT>(zlib.size()));
  attr->contents->filter = HPDF_STREAM_FILTER_NONE;
  attr->contents->write_fn = write_flate_filter;
  return true;
}

HPDF_Dict image_stream(HPDF_Doc pdf, const std::string& data, int width, int height, int bits,
                       std::deque<StreamSource>& sources) {
  HPDF_Dict img = HPDF_DictStream_New(pdf->mmgr, pdf->xref);
  if (!img) return nullptr;
  StreamSource& source = sources.emplace_back(StreamSource{&data, 0});
  HPDF_Stream stream = HPDF_CallbackReader_New(pdf->mmgr, Reader::read, Reader::seek,
                                               Reader::tell, Reader::size, &source);
  if (!stream) return nullptr;
  HPDF_Stream_Free(img->stream);
  img->stream = stream;
  img->header.obj_class |= HPDF_OSUBCLASS_XOBJECT;
  img->filter = HPDF_STREAM_FILTER_NONE;
  img->write_fn = write_flate_filter;
  HPDF_Dict_AddName(img, "Type", "XObject");
  HPDF_Dict_AddName(img, "Subtype", "Image");
  HPDF_Dict_AddNumber(img, "Width", width);
  HPDF_Dict_AddNumber(img, "Height", height);
  HPDF_Dict_AddNumber(img, "BitsPerComponent", bits);
  return img;
}

Array new_array_in(HPDF_Dict dict, const char* key) {
  HPDF_Array array = HPDF_Array_New(dict->mmgr);
  if (array) HPDF_Dict_Add(dict, key, array);
  return array;
}

void array_add_name(Array handle, std::string_view name) {
  if (auto array = static_cast<HPDF_Array>(handle)) HPDF_Array_AddName(array, c_name(name).c_str());
}

void array_add_number(Array handle, double value) {
  auto array = static_cast<HPDF_Array>(handle);
  if (!array) return;
  if (value == static_cast<double>(static_cast<HPDF_INT32>(value)))
    HPDF_Array_AddNumber(array, static_cast<HPDF_INT32>(value));
  else
    HPDF_Array_AddReal(array, static_cast<HPDF_REAL>(value));
}

void array_add_binary(Array handle, std::string_view bytes) {
  auto array = static_cast<HPDF_Array>(handle);
  if (!array) return;
  std::string copy(bytes);  // libharu's binary objects take a mutable buffer
  HPDF_Array_Add(array, HPDF_Binary_New(array->mmgr, reinterpret_cast<HPDF_BYTE*>(copy.data()),
                                        static_cast<HPDF_UINT>(copy.size())));
}

void add_unnumbered_page_label(HPDF_Doc pdf, unsigned first, int start) {
  HPDF_Dict label = HPDF_PageLabel_New(pdf, HPDF_PAGE_NUM_STYLE_DECIMAL, start, "");
  if (!label) return;
  HPDF_Dict_RemoveElement(label, "S");
  HPDF_Catalog_AddPageLabel(pdf->catalog, first, label);
}

std::optional<std::string> save(HPDF_Doc pdf) {
  std::string bytes;
  if (pdf->stream) HPDF_Stream_Free(pdf->stream);
  pdf->stream = HPDF_CallbackWriter_New(pdf->mmgr, append_to_string, &bytes);
  bool ok = pdf->stream && HPDF_SaveToStream(pdf) == HPDF_OK;
  if (pdf->stream) HPDF_Stream_Free(pdf->stream);  // its target goes out of scope
  pdf->stream = nullptr;
  if (!ok) return std::nullopt;
  return bytes;
}

}  // namespace colophon::haru
