// The EPUB packager: plans file names, renders every document, zips them in memory in
// a fixed order with fixed timestamps, and writes the archive atomically.
#include "epub/epub.h"

#include <tinyxml2.h>
#include <zip.h>

#include <set>

#include "core/paths.h"
#include "core/resources.h"
#include "epub/package.h"
#include "xhtml/xhtml.h"

namespace colophon {

namespace {

// Deflate level for documents (XHTML, CSS, OPF): zlib's default.
constexpr int kDocumentDeflateLevel = 6;
// Deflate level for SVG images: SVG path data deflates slowly; on the corpus's 1.9 MB of
// SVG, level 3 takes a third of level 6's time for 8% more bytes.
constexpr int kSvgDeflateLevel = 3;
// No compression (images that are compressed already, and the mimetype).
constexpr int kStored = 0;

// Unix mode recorded for every entry: a regular file, rw-r--r--.
constexpr zip_uint32_t kUnixFileMode = 0100644;

// One file of the archive.
struct ZipEntry {
  std::string name;  // path inside the archive
  std::string data;
  int level = kDocumentDeflateLevel;  // deflate level; kStored = no compression
};

// Tells whether C may appear in an XML NCName (ASCII subset), FIRST for the first char.
bool ncname_char(char c, bool first) {
  bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  if (first) return letter;
  return letter || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

// Returns ID if it is a usable manifest id not yet in TAKEN, else a fresh one from
// FALLBACK; records the result in TAKEN.
std::string unique_id(const std::string& id, const std::string& fallback,
                      std::set<std::string>& taken) {
  bool ok = !id.empty();
  for (size_t i = 0; ok && i < id.size(); ++i) ok = ncname_char(id[i], i == 0);
  std::string base = ok ? id : fallback;
  std::string candidate = base;
  for (int n = 2; taken.count(candidate); ++n) candidate = base + "-" + std::to_string(n);
  taken.insert(candidate);
  return candidate;
}

// Returns BASE + EXT, or BASE-2 + EXT ... so that it is not in TAKEN; records it.
std::string unique_file(const std::string& base, const std::string& ext,
                        std::set<std::string>& taken) {
  std::string candidate = base + ext;
  for (int n = 2; taken.count(candidate); ++n) candidate = base + "-" + std::to_string(n) + ext;
  taken.insert(candidate);
  return candidate;
}

// Guesses an image media type from a file name's extension.
std::string media_type_for(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  for (char& c : ext)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  if (ext == ".png") return "image/png";
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".gif") return "image/gif";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".webp") return "image/webp";
  return {};
}

// Tells whether an image media type is already compressed (stored, not deflated).
bool already_compressed(const std::string& media_type) {
  return media_type == "image/png" || media_type == "image/jpeg" || media_type == "image/gif" ||
         media_type == "image/webp";
}

// Returns the book's config file for messages.
std::string config_display(const Book& book) {
  return book.display(book.config_file.empty() ? "book.toml" : book.config_file);
}

// Decides file names, manifest ids, the cover and the table of contents.
bool plan_package(const Book& book, PackagePlan& plan, Diagnostics& diag) {
  bool ok = true;
  std::set<std::string> files;
  for (size_t c = 0; c < book.chapters.size(); ++c) {
    std::string name = chapter_file_name(book, static_cast<int>(c));
    if (files.count(name)) name = unique_file(name.substr(0, name.size() - 6), ".xhtml", files);
    files.insert(name);
    plan.chapter_files.push_back(name);
  }
  plan.names.nav = unique_file("nav", ".xhtml", files);
  plan.names.cover = unique_file("cover", ".xhtml", files);
  plan.names.title_page = unique_file("titlepage", ".xhtml", files);
  plan.names.notes = unique_file("notes", ".xhtml", files);
  plan.notes_file = book.note_options.epub_placement == NoteOptions::Placement::Book &&
                    !book.notes.empty();
  plan.identifier = book_identifier(book);

  std::set<std::string> ids = {"nav", "ncx", "css", "cover", "titlepage", "notes"};
  for (size_t c = 0; c < book.chapters.size(); ++c) ids.insert("c" + std::to_string(c + 1));
  std::set<std::string> hrefs;
  plan.assets = book.assets;
  for (size_t a = 0; a < plan.assets.size(); ++a) {
    Asset& asset = plan.assets[a];
    asset.id = unique_id(asset.id, "img-" + std::to_string(a + 1), ids);
    if (asset.media_type.empty()) asset.media_type = media_type_for(asset.href);
    hrefs.insert(asset.href);
    if (!book.meta.cover.empty() && asset.source == book.meta.cover)
      plan.cover_asset = static_cast<int>(a);
  }
  if (!book.meta.cover.empty() && plan.cover_asset < 0) {
    // The asset pass did not record the cover: find it ourselves.
    SafePath p = resolve_inside(book.root, book.root, book.meta.cover);
    std::string type = media_type_for(book.meta.cover);
    if (p.status != SafePath::Status::Ok || type.empty()) {
      diag.error(config_display(book), {},
                 "cover image '" + book.meta.cover + "' not found or not an image",
                 "set cover to a PNG, JPEG, GIF or SVG file inside the book, relative to the "
                 "book root");
      ok = false;
    } else {
      Asset cover;
      cover.source = p.relative;
      cover.path = p.absolute.string();
      cover.media_type = type;
      std::string ext = fs::path(book.meta.cover).extension().string();
      cover.href = unique_file("images/cover", ext, hrefs);
      cover.id = unique_id("cover-image", "cover-image", ids);
      plan.assets.push_back(cover);
      plan.cover_asset = static_cast<int>(plan.assets.size()) - 1;
    }
  }
  plan.toc = build_toc(book, plan.chapter_files);
  return ok;
}

// Builds EPUB/css/epub.css: our stylesheet, then the book's extra CSS files.
bool build_css(const Book& book, std::string& css, Diagnostics& diag) {
  bool ok = true;
  std::optional<std::string_view> base = resource("styles/epub.css");
  if (base) css = std::string(*base);
  for (const std::string& extra : book.epub.extra_css) {
    SafePath p = resolve_inside(book.root, book.root, extra);
    std::optional<std::string> text;
    if (p.status == SafePath::Status::Ok) text = read_file(p.absolute);
    if (!text) {
      diag.error(config_display(book), {},
                 "extra CSS file '" + extra + "' " +
                     (p.status == SafePath::Status::Ok ? "cannot be read" : "not found"),
                 "create " + book.display(extra) +
                     " or remove it from extra-css in [output.epub]");
      ok = false;
      continue;
    }
    css += "\n/* " + p.relative + " */\n";
    css += *text;
    if (!css.empty() && css.back() != '\n') css += '\n';
  }
  return ok;
}

// Checks that a rendered document is well-formed XML; reports FILE when it is not.
bool check_well_formed(const std::string& xhtml, const std::string& file, Diagnostics& diag) {
  tinyxml2::XMLDocument doc;
  if (doc.Parse(xhtml.data(), xhtml.size()) == tinyxml2::XML_SUCCESS) return true;
  diag.error(file, {},
             std::string("the chapter's XHTML is not well-formed: ") + doc.ErrorStr(),
             "check the raw HTML in this chapter: every element opened in it must be closed "
             "in the same chapter");
  return false;
}

// Zips ENTRIES in order into memory; returns false with MESSAGE on failure.
bool zip_to_memory(const std::vector<ZipEntry>& entries, int64_t time, std::string& archive,
                   std::string& message) {
  uint16_t dos_date = 0, dos_time = 0;
  dos_date_time_utc(time, dos_date, dos_time);
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
  if (!buffer) {
    message = zip_error_strerror(&error);
    zip_error_fini(&error);
    return false;
  }
  zip_source_keep(buffer);
  zip_t* za = zip_open_from_source(buffer, ZIP_TRUNCATE, &error);
  if (!za) {
    message = zip_error_strerror(&error);
    zip_error_fini(&error);
    zip_source_free(buffer);
    return false;
  }
  zip_error_fini(&error);
  for (const ZipEntry& e : entries) {
    zip_source_t* src = zip_source_buffer(za, e.data.data(), e.data.size(), 0);
    zip_int64_t index = src ? zip_file_add(za, e.name.c_str(), src, ZIP_FL_ENC_UTF_8) : -1;
    if (index < 0) {
      if (src) zip_source_free(src);
      message = zip_strerror(za);
      zip_discard(za);
      zip_source_free(buffer);
      return false;
    }
    auto i = static_cast<zip_uint64_t>(index);
    bool deflate = e.level != kStored;
    if (zip_set_file_compression(za, i, deflate ? ZIP_CM_DEFLATE : ZIP_CM_STORE,
                                 static_cast<zip_uint32_t>(e.level)) != 0 ||
        zip_file_set_dostime(za, i, dos_time, dos_date, 0) != 0 ||
        zip_file_set_external_attributes(za, i, 0, ZIP_OPSYS_UNIX, kUnixFileMode << 16) != 0) {
      message = zip_strerror(za);
      zip_discard(za);
      zip_source_free(buffer);
      return false;
    }
  }
  if (zip_close(za) != 0) {
    message = zip_strerror(za);
    zip_discard(za);
    zip_source_free(buffer);
    return false;
  }
  bool ok = zip_source_open(buffer) == 0;
  if (ok) {
    ok = zip_source_seek(buffer, 0, SEEK_END) == 0;
    zip_int64_t size = ok ? zip_source_tell(buffer) : -1;
    ok = ok && size >= 0 && zip_source_seek(buffer, 0, SEEK_SET) == 0;
    if (ok) {
      archive.resize(static_cast<size_t>(size));
      ok = zip_source_read(buffer, archive.data(), static_cast<zip_uint64_t>(size)) == size;
    }
    zip_source_close(buffer);
  }
  if (!ok) message = "cannot read the archive back from memory";
  zip_source_free(buffer);
  return ok;
}

}  // namespace

bool write_epub(const Book& book, const std::filesystem::path& out, Diagnostics& diag) {
  PackagePlan plan;
  bool ok = plan_package(book, plan, diag);

  std::vector<ZipEntry> entries;
  entries.push_back({"mimetype", "application/epub+zip", kStored});
  entries.push_back({"META-INF/container.xml", container_xml()});
  const std::string dir = "EPUB/";

  // Chapters first: their manifest properties depend on what they contain.
  XhtmlOptions options;
  options.css_href = plan.names.css;
  if (plan.notes_file) options.notes_file = plan.names.notes;
  NoteRefIndex refs = index_note_refs(book);
  std::vector<ZipEntry> documents;
  for (size_t c = 0; c < book.chapters.size(); ++c) {
    std::string xhtml = chapter_xhtml(book, static_cast<int>(c), options, refs);
    if (!check_well_formed(xhtml, book.display(book.chapters[c].source), diag)) ok = false;
    std::string props;
    if (xhtml.find("<svg") != std::string::npos) props = "svg";
    if (xhtml.find("<math") != std::string::npos) props += props.empty() ? "mathml" : " mathml";
    plan.chapter_properties.push_back(props);
    documents.push_back({dir + plan.chapter_files[c], std::move(xhtml)});
  }
  if (plan.notes_file) {
    std::string xhtml = notes_xhtml(book, options, refs);
    if (!check_well_formed(xhtml, book.display(book.src_dir), diag)) ok = false;
    documents.push_back({dir + plan.names.notes, std::move(xhtml)});
  }

  std::string css;
  if (!build_css(book, css, diag)) ok = false;
  entries.push_back({dir + "package.opf", package_opf(book, plan, diag)});
  entries.push_back({dir + plan.names.nav, nav_xhtml(book, plan)});
  entries.push_back({dir + plan.names.ncx, toc_ncx(book, plan)});
  entries.push_back({dir + plan.names.css, std::move(css)});
  if (plan.cover_asset >= 0) entries.push_back({dir + plan.names.cover, cover_xhtml(book, plan)});
  entries.push_back({dir + plan.names.title_page, title_page_xhtml(book, plan)});
  for (ZipEntry& d : documents) entries.push_back(std::move(d));

  // Images, each once, in asset order.
  for (const Asset& a : plan.assets) {
    std::string data = a.data;
    if (data.empty()) {
      std::optional<std::string> bytes = read_file(a.path);
      if (!bytes) {
        diag.error(book.display(a.source), {}, "cannot read image '" + a.source + "'",
                   "check that the file exists and is readable");
        ok = false;
        continue;
      }
      data = std::move(*bytes);
    }
    int level = already_compressed(a.media_type) ? kStored : kSvgDeflateLevel;
    entries.push_back({dir + a.href, std::move(data), level});
  }
  if (!ok) return false;

  std::string archive, message;
  if (!zip_to_memory(entries, book.build_time, archive, message)) {
    diag.error(out.string(), {}, "cannot build the EPUB archive: " + message,
               "this is a bug in colophon; please report it with the book");
    return false;
  }
  std::string failure = write_file_atomic(out, archive);
  if (!failure.empty()) {
    diag.error(out.string(), {}, failure,
               "check that the output directory is writable and the disk is not full");
    return false;
  }
  return true;
}

}  // namespace colophon
