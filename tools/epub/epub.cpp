// The EPUB packager: plans file names, renders and deflates every document on several
// threads, and zips them in a fixed order with fixed timestamps as they are ready, on a
// writer thread, through a file sink that writes a temporary file and renames it into
// place (file_sink.cpp).
#include "epub/epub.h"

#include <libdeflate.h>
#include <tinyxml2.h>
#include <unistd.h>
#include <zip.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <set>
#include <string_view>
#include <system_error>
#include <thread>

#include "core/paths.h"
#include "core/resources.h"
#include "core/threads.h"
#include "core/work.h"
#include "epub/file_sink.h"
#include "epub/package.h"
#include "html/svg.h"
#include "xhtml/xhtml.h"

namespace colophon {

namespace {

// Deflate levels are libdeflate's (1 fastest .. 12 smallest). On the corpus's 850 KB of
// XHTML and 1.9 MB of SVG path data, level 1 deflates about 60 MB/s per core and comes
// within 6% of the size at level 6, which takes twice as long.
// Deflate level for documents (XHTML, CSS, OPF).
constexpr int kDocumentDeflateLevel = 1;
// Deflate level for SVG images.
constexpr int kSvgDeflateLevel = 1;
// No compression (images that are compressed already, and the mimetype).
constexpr int kStored = 0;
// Highest libdeflate level, for the per-thread compressor cache.
constexpr int kMaxDeflateLevel = 12;
// Threads that pack beside the calling one, at most.
constexpr unsigned kMaxPackWorkers = 3;

// Unix mode recorded for every entry: a regular file, rw-r--r--.
constexpr zip_uint32_t kUnixFileMode = 0100644;

// One file of the archive: its bytes, how to store them, and the deflated result.
struct ZipEntry {
  std::string name;                   // path inside the archive
  std::string data;                   // the bytes, unless `view` points at bytes owned elsewhere
  int level = kDocumentDeflateLevel;  // deflate level; kStored = no compression
  std::string_view view;              // the bytes to pack when `data` is not used
  std::string image_path;             // when set, `data` is read from this file first
  int chapter = -1;                   // when >= 0, `data` is this chapter rendered first
  std::function<std::string()> render;  // when set, makes `data` first (a document)
  bool check_xml = false;             // parse as XML first (documents with raw HTML)
  // Filled by prepare_entry (on a worker thread):
  std::string deflated;  // raw deflate stream of the bytes (deflated entries)
  uint32_t crc = 0;      // CRC-32 of the bytes (deflated entries)
  bool read_failed = false;
  std::string xml_error;  // tinyxml2's message when check_xml found the XML malformed
  bool failed = false;    // deflating failed (out of memory)
  bool ready = false;     // prepared: the writer may zip it (guarded by the ReadyBoard)

  // Returns the bytes to pack.
  std::string_view bytes() const { return view.data() ? view : std::string_view(data); }
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
         media_type == "image/webp" || media_type == "font/woff" || media_type == "font/woff2";
}

// Decides file names, manifest ids, the cover, the embedded fonts and the table of
// contents.
// Fills PLAN's page marks and page list from MAP: which document each page break falls
// in, found by walking the text the XHTML writer writes from the model (a figure's
// caption, but not an inline image's description, which only its alt attribute holds),
// so the page list links only to breaks a document holds.
void plan_page_list(const Book& book, const PageMap& map, PackagePlan& plan) {
  std::vector<PageStart> marks = map.pages;
  std::less<const char*> before;
  std::sort(marks.begin(), marks.end(),
            [&](const PageStart& a, const PageStart& b) { return before(a.at, b.at); });
  std::vector<const std::string*> file_of(marks.size(), nullptr);
  const std::string* file = nullptr;
  // Per document: the runs of text walked so far, and its marks as (run, byte, page, label).
  std::map<const std::string*, std::pair<size_t, std::string>> walked;
  auto find = [&](std::string_view s) {
    if (s.empty()) return;
    auto& [runs, key] = walked[file];
    ++runs;
    auto it = std::lower_bound(marks.begin(), marks.end(), s.data(),
                               [&](const PageStart& p, const char* a) { return before(p.at, a); });
    for (; it != marks.end() && before(it->at, s.data() + s.size()); ++it) {
      file_of[static_cast<size_t>(it - marks.begin())] = file;
      key.append(std::to_string(runs)).append(":").append(std::to_string(it->at - s.data()));
      key.append(":").append(std::to_string(it->page)).append(":").append(it->label).append("\n");
    }
  };
  auto inlines = [&](const std::vector<Inline>& xs, auto& self) -> void {
    for (const Inline& x : xs) {
      work::add();
      if (x.kind == InlineKind::Text || x.kind == InlineKind::Code) find(x.text);
      if (x.kind != InlineKind::Image) self(x.children, self);
    }
  };
  auto blocks = [&](const std::vector<Block>& bs, auto& self) -> void {
    for (const Block& b : bs) {
      work::add();
      if (b.kind == BlockKind::CodeBlock) {
        std::string_view text = b.text;
        if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
        find(text);
      }
      inlines(b.inlines, inlines);
      if (b.kind == BlockKind::Figure)
        for (const Inline& x : b.inlines)
          if (x.kind == InlineKind::Image) inlines(x.children, inlines);
      for (const auto& row : b.table.rows)
        for (const auto& cell : row) inlines(cell, inlines);
      self(b.children, self);
    }
  };
  for (size_t c = 0; c < book.chapters.size(); ++c) {
    file = &plan.chapter_files[c];
    blocks(book.chapters[c].blocks, blocks);
  }
  for (const Note& n : book.notes) {
    if (plan.notes_file) {
      file = &plan.names.notes;
    } else if (n.chapter >= 0 && n.chapter < static_cast<int>(plan.chapter_files.size())) {
      file = &plan.chapter_files[static_cast<size_t>(n.chapter)];
    } else {
      continue;
    }
    blocks(n.blocks, blocks);
  }
  std::vector<size_t> order;
  for (size_t i = 0; i < marks.size(); ++i)
    if (file_of[i] != nullptr) order.push_back(i);
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return marks[a].page < marks[b].page; });
  for (size_t i : order)
    plan.page_list.push_back(
        {0, marks[i].label, encode_href(*file_of[i]) + "#" + page_break_id(marks[i]), false});
  plan.page_marks = std::move(marks);
  for (size_t c = 0; c < book.chapters.size(); ++c)
    plan.chapter_marks[c] = walked[&plan.chapter_files[c]].second;
}

bool plan_package(const Book& book, const EpubProfile& profile, PackagePlan& plan,
                  Diagnostics& diag) {
  bool ok = true;
  std::set<std::string> files;
  for (size_t c = 0; c < book.chapters.size(); ++c) {
    std::string name = chapter_file_name(book, static_cast<int>(c));
    if (files.count(name)) name = unique_file(name.substr(0, name.size() - 6), ".xhtml", files);
    files.insert(name);
    plan.chapter_files.push_back(name);
  }
  plan.chapter_marks.assign(plan.chapter_files.size(), std::string());
  plan.names.nav = unique_file("nav", ".xhtml", files);
  plan.names.cover = unique_file("cover", ".xhtml", files);
  plan.names.title_page = unique_file("titlepage", ".xhtml", files);
  plan.names.notes = unique_file("notes", ".xhtml", files);
  plan.notes_file =
      book.note_options.epub_placement == NoteOptions::Placement::Book && !book.notes.empty();
  plan.identifier = book_identifier(book);

  std::set<std::string> ids = {"nav", "ncx", "css", "cover", "titlepage", "notes"};
  for (size_t c = 0; c < book.chapters.size(); ++c) {
    std::string id(1, 'c');  // not "c" + ..., which GCC 12 -O3 flags with a false -Wrestrict
    ids.insert(id.append(std::to_string(c + 1)));
  }
  std::set<std::string> hrefs;
  // The plan's assets without their bytes (an SVG's can be megabytes): the packer takes
  // those from book.assets, whose indices the plan keeps.
  plan.assets.reserve(book.assets.size() + 1);
  for (const Asset& a : book.assets) {
    Asset& copy = plan.assets.emplace_back();
    copy.source = a.source;
    copy.path = a.path;
    copy.href = a.href;
    copy.media_type = a.media_type;
    copy.id = a.id;
    copy.width = a.width;
    copy.height = a.height;
    copy.bit_depth = a.bit_depth;
  }
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
      diag.error(book.config_display(), {},
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
  // Fonts the book embeds, under fonts/ by their own names.
  for (const std::string& font : book.epub.fonts) {
    SafePath p = resolve_inside(book.root, book.root, font);
    Asset a;
    a.source = p.relative.empty() ? font : p.relative;
    a.path = p.absolute.string();
    a.media_type = font_media_type(font);
    a.href = unique_file("fonts/" + fs::path(font).stem().string(),
                         fs::path(font).extension().string(), hrefs);
    a.id = unique_id("font-" + fs::path(font).stem().string(),
                     "font-" + std::to_string(plan.assets.size() + 1), ids);
    plan.assets.push_back(std::move(a));
  }
  plan.toc = build_toc(book, plan.chapter_files);
  if (profile.page_map && !profile.page_map->pages.empty())
    plan_page_list(book, *profile.page_map, plan);
  if (profile.toc_levels > 0) {
    // Flattened: every chapter stays, lifted to the deepest level kept; sections below
    // it are left out.
    int deepest = profile.toc_levels - 1;
    std::erase_if(plan.toc, [&](const TocEntry& e) { return e.section && e.level > deepest; });
    for (TocEntry& e : plan.toc) e.level = std::min(e.level, deepest);
  }
  return ok;
}

// Builds EPUB/css/epub.css: our stylesheet, the target's additions, then the book's
// extra CSS files (which stay last, so the author has the final word).
bool build_css(const Book& book, const EpubProfile& profile, std::string& css,
               Diagnostics& diag) {
  bool ok = true;
  std::optional<std::string_view> base = resource("styles/epub.css");
  if (base) css = std::string(*base);
  css += profile.extra_css;
  if (!css.empty() && css.back() != '\n') css += '\n';
  for (const std::string& extra : book.epub.extra_css) {
    SafePath p = resolve_inside(book.root, book.root, extra);
    FileRead file = read_book_file(book.root, extra);
    std::optional<std::string> text;
    if (file.ok()) text = std::move(file.data);
    if (!text) {
      diag.error(book.config_display(), {}, "extra CSS file '" + extra + "' " + file.problem,
                 file.status == FileRead::Status::Missing
                     ? "create " + book.display(extra) + " or remove it from extra-css in [output.epub]"
                     : file.hint);
      ok = false;
      continue;
    }
    // Filtered as every CSS of the book is: nothing remote, no script hook (html/svg.h).
    // What it removes was reported once, when [output.epub] was read (options.cpp), not
    // once per EPUB target.
    Removals removed;
    std::string filtered = filter_css(*text, false, removed);
    css += "\n/* " + p.relative + " */\n";
    css += filtered;
    if (!css.empty() && css.back() != '\n') css += '\n';
  }
  return ok;
}

// Tells whether any of INLINES is a generic container (from raw HTML).
bool has_raw_inline(const std::vector<Inline>& inlines) {
  for (const Inline& in : inlines)
    if (in.kind == InlineKind::Span || has_raw_inline(in.children)) return true;
  return false;
}

// Tells whether any of BLOCKS holds a generic container (raw HTML, mostly): elements
// whose nesting the author chose, so the ones whose document is checked as XML.
bool has_raw_html(const std::vector<Block>& blocks) {
  for (const Block& b : blocks) {
    if (b.kind == BlockKind::Div || has_raw_inline(b.inlines) || has_raw_html(b.children))
      return true;
    for (const auto& row : b.table.rows)
      for (const auto& cell : row)
        if (has_raw_inline(cell)) return true;
  }
  return false;
}

// Tells whether chapter C of BOOK or one of the notes it defines holds raw HTML.
bool chapter_has_raw_html(const Book& book, size_t c) {
  const Chapter& ch = book.chapters[c];
  if (!ch.raw_ids.empty() || has_raw_html(ch.blocks)) return true;
  for (int n : ch.notes)
    if (n >= 0 && static_cast<size_t>(n) < book.notes.size() && has_raw_html(book.notes[n].blocks))
      return true;
  return false;
}

// Returns why XML is not well-formed, or "" when it is.
std::string xml_problem(std::string_view xml) {
  tinyxml2::XMLDocument doc;
  if (doc.Parse(xml.data(), xml.size()) == tinyxml2::XML_SUCCESS) return {};
  std::string why = doc.ErrorStr();
  return why.empty() ? std::string("malformed XML") : why;
}

// One libdeflate compressor per level, made on first use; one Deflater per thread.
class Deflater {
 public:
  Deflater() = default;
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;
  ~Deflater() {
    for (libdeflate_compressor* c : compressors_)
      if (c != nullptr) libdeflate_free_compressor(c);
  }

  // Deflates IN as a raw deflate stream at LEVEL into OUT; returns false when out of
  // memory.
  bool deflate(std::string_view in, int level, std::string& out) {
    level = std::clamp(level, 1, kMaxDeflateLevel);
    libdeflate_compressor*& c = compressors_[static_cast<size_t>(level)];
    if (c == nullptr) c = libdeflate_alloc_compressor(level);
    if (c == nullptr) return false;
    // Into a scratch buffer that is kept, uninitialised, from entry to entry; then copied
    // out at its exact size. Sizing OUT to the bound would zero it first.
    size_t bound = libdeflate_deflate_compress_bound(c, in.size());
    if (bound > scratch_size_) {
      scratch_.reset(new (std::nothrow) char[bound]);
      scratch_size_ = scratch_ ? bound : 0;
      if (!scratch_) return false;
    }
    size_t n = libdeflate_deflate_compress(c, in.data(), in.size(), scratch_.get(), bound);
    out.assign(scratch_.get(), n);
    return n > 0;  // never 0 with the bound's room
  }

 private:
  std::array<libdeflate_compressor*, kMaxDeflateLevel + 1> compressors_{};
  std::unique_ptr<char[]> scratch_;
  size_t scratch_size_ = 0;
};

// The thread writing the archive waits here for the entries the packing threads are
// still preparing: each entry is marked ready once prepared, and the whole packing can be
// cancelled (an error anywhere in the book), which fails the write.
class ReadyBoard {
 public:
  // Marks E prepared (successfully or not) and wakes the writer.
  void mark(ZipEntry& e) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      e.ready = true;
    }
    changed_.notify_all();
  }
  // Stops the writer at the next entry it waits for.
  void cancel() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      cancelled_ = true;
    }
    changed_.notify_all();
  }
  // Waits until E is prepared or the packing cancelled; tells whether E can be written.
  bool wait(const ZipEntry& e) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return e.ready || cancelled_; });
    return !cancelled_ && !e.failed && !e.read_failed && e.xml_error.empty();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool cancelled_ = false;
};

// Returns the XHTML of chapter C of BOOK: what the last good build wrote when REUSE says
// the chapter's model is unchanged and its page breaks (PLAN's) are the same, else
// rendered anew, which sets RENDERED.
std::string chapter_document(const Book& book, size_t c, const XhtmlOptions& options,
                             const NoteRefIndex& refs, const PackagePlan& plan,
                             const ChapterReuse* reuse, bool& rendered) {
  if (reuse != nullptr && c < reuse->unchanged.size() && reuse->unchanged[c] &&
      c < reuse->last.xhtml.size() && c < reuse->last.marks.size() &&
      reuse->last.marks[c] == plan.chapter_marks[c]) {
    rendered = false;
    return reuse->last.xhtml[c];
  }
  rendered = true;
  return chapter_xhtml(book, static_cast<int>(c), options, refs);
}

// Keeps in REUSE (when given) the chapters' documents of this build for the next, with
// PLAN's page breaks, and counts those RENDERED.
void keep_chapters(ChapterReuse* reuse, const PackagePlan& plan,
                   std::vector<std::string> documents, const std::vector<char>& rendered) {
  if (reuse == nullptr) return;
  reuse->next.xhtml = std::move(documents);
  reuse->next.marks = plan.chapter_marks;
  reuse->rendered = static_cast<int>(std::count(rendered.begin(), rendered.end(), 1));
}

// What the packing threads share: the book, how to render chapters, and the work.
struct PackJob {
  const Book* book = nullptr;
  const XhtmlOptions* options = nullptr;
  const NoteRefIndex* refs = nullptr;
  std::vector<ZipEntry*> tasks;         // in archive order
  std::atomic<size_t> next{0};          // the next task nobody has taken
  std::vector<std::string>* chapter_properties = nullptr;  // manifest properties per chapter
  ReadyBoard* board = nullptr;
  const PackagePlan* plan = nullptr;
  const ChapterReuse* reuse = nullptr;  // chapters to reuse from the last build, if any
  std::vector<char> rendered;           // by chapter: rendered, not reused
};

// Renders (chapters), reads (SVG images) and deflates one entry; safe on any thread, one
// entry per call.
void prepare_entry(ZipEntry& e, Deflater& deflater, PackJob* job = nullptr) {
  try {
    if (e.render) e.data = e.render();
    if (e.chapter >= 0 && job != nullptr) {
      size_t c = static_cast<size_t>(e.chapter);
      bool rendered = false;
      e.data = chapter_document(*job->book, c, *job->options, *job->refs, *job->plan, job->reuse,
                                rendered);
      job->rendered[c] = rendered ? 1 : 0;
      std::string& props = (*job->chapter_properties)[static_cast<size_t>(e.chapter)];
      if (e.data.find("<svg") != std::string::npos) props = "svg";
      if (e.data.find("<math") != std::string::npos) props += props.empty() ? "mathml" : " mathml";
    }
    if (!e.image_path.empty()) {
      std::optional<std::string> bytes = read_file(e.image_path);
      if (!bytes) {
        e.read_failed = true;
        return;
      }
      e.data = std::move(*bytes);
    }
    std::string_view in = e.bytes();
    if (e.check_xml) e.xml_error = xml_problem(in);
    if (e.level == kStored) return;
    e.crc = libdeflate_crc32(0, in.data(), in.size());
    if (!deflater.deflate(in, e.level, e.deflated)) e.failed = true;
  } catch (const std::exception&) {
    e.failed = true;
  }
}

// Takes and prepares tasks of JOB until none is left, marking each ready.
void run_tasks(PackJob& job) {
  Deflater deflater;
  for (size_t i = job.next++; i < job.tasks.size(); i = job.next++) {
    prepare_entry(*job.tasks[i], deflater, &job);
    job.board->mark(*job.tasks[i]);
  }
}

// The state of a libzip source that hands over an entry's deflated bytes as they are.
struct DeflatedSource {
  const ZipEntry* entry = nullptr;
  ReadyBoard* board = nullptr;
  size_t offset = 0;
  zip_error_t error;
};

// Serves libzip an already deflated entry: its stat says deflate with the size and CRC
// known, so zip_close copies the bytes into the archive without compressing them again.
// The stat waits until a packing thread has prepared the entry: zip_close asks for it
// first, so the archive is written while the later entries are still being deflated.
zip_int64_t deflated_source_callback(void* state, void* data, zip_uint64_t len,
                                     zip_source_cmd_t cmd) {
  auto* src = static_cast<DeflatedSource*>(state);
  switch (cmd) {
    case ZIP_SOURCE_OPEN:
      src->offset = 0;
      return 0;
    case ZIP_SOURCE_READ: {
      const std::string& bytes = src->entry->deflated;
      size_t n = std::min(static_cast<size_t>(len), bytes.size() - src->offset);
      std::copy_n(bytes.data() + src->offset, n, static_cast<char*>(data));
      src->offset += n;
      return static_cast<zip_int64_t>(n);
    }
    case ZIP_SOURCE_CLOSE:
      return 0;
    case ZIP_SOURCE_STAT: {
      if (len < sizeof(zip_stat_t)) {
        zip_error_set(&src->error, ZIP_ER_INVAL, 0);
        return -1;
      }
      bool usable = false;
      try {
        usable = src->board->wait(*src->entry);
      } catch (const std::exception&) {  // libzip is C: nothing may be thrown through it
      }
      if (!usable) {
        zip_error_set(&src->error, ZIP_ER_CANCELLED, 0);
        return -1;
      }
      auto* st = static_cast<zip_stat_t*>(data);
      zip_stat_init(st);
      st->size = src->entry->bytes().size();
      st->comp_size = src->entry->deflated.size();
      st->comp_method = ZIP_CM_DEFLATE;
      st->encryption_method = ZIP_EM_NONE;
      st->crc = src->entry->crc;
      st->valid = ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_COMP_METHOD |
                  ZIP_STAT_ENCRYPTION_METHOD | ZIP_STAT_CRC;
      return sizeof(zip_stat_t);
    }
    case ZIP_SOURCE_ERROR:
      return zip_error_to_data(&src->error, data, len);
    case ZIP_SOURCE_FREE:
      zip_error_fini(&src->error);
      delete src;
      return 0;
    case ZIP_SOURCE_SUPPORTS:
      return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE,
                                            ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1);
    default:
      zip_error_set(&src->error, ZIP_ER_OPNOTSUPP, 0);
      return -1;
  }
}

// Returns a libzip source for entry E: a stored image straight from its file, stored
// bytes (ready before writing starts), or deflated bytes once prepared; nullptr on
// failure.
zip_source_t* entry_source(zip_t* za, const ZipEntry& e, ReadyBoard& board) {
  if (e.level == kStored && !e.image_path.empty())
    return zip_source_file(za, e.image_path.c_str(), 0, 0);  // 0: to the end of the file
  if (e.level == kStored) return zip_source_buffer(za, e.bytes().data(), e.bytes().size(), 0);
  auto* state = new DeflatedSource;
  state->entry = &e;
  state->board = &board;
  zip_error_init(&state->error);
  zip_source_t* src = zip_source_function(za, deflated_source_callback, state);
  if (!src) {
    zip_error_fini(&state->error);
    delete state;
  }
  return src;
}

// Zips ENTRIES in order into the file PATH as the packing threads prepare them; returns
// false with MESSAGE on failure (or when the packing is cancelled). The file sink writes a
// temporary file beside PATH and renames it into place only when libzip has written the
// whole archive (and removes it when writing fails), so PATH is either untouched or
// complete.
bool zip_to_file(const std::vector<ZipEntry>& entries, ReadyBoard& board, int64_t time,
                 const std::string& path, std::string& message) {
  uint16_t dos_date = 0, dos_time = 0;
  dos_date_time_utc(time, dos_date, dos_time);
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* sink = file_sink_create(path, &error);
  zip_t* za = sink ? zip_open_from_source(sink, ZIP_CREATE | ZIP_TRUNCATE, &error) : nullptr;
  if (za == nullptr) {
    if (sink) zip_source_free(sink);
    message = zip_error_strerror(&error);
    zip_error_fini(&error);
    return false;
  }
  zip_error_fini(&error);
  for (const ZipEntry& e : entries) {
    zip_source_t* src = nullptr;
    bool out_of_memory = false;
    try {
      src = entry_source(za, e, board);
    } catch (const std::bad_alloc&) {
      out_of_memory = true;
    }
    zip_int64_t index = src ? zip_file_add(za, e.name.c_str(), src, ZIP_FL_ENC_UTF_8) : -1;
    if (index < 0) {
      if (src) zip_source_free(src);
      message = out_of_memory ? "out of memory" : zip_strerror(za);
      zip_discard(za);
      return false;
    }
    auto i = static_cast<zip_uint64_t>(index);
    if ((e.level == kStored && zip_set_file_compression(za, i, ZIP_CM_STORE, 0) != 0) ||
        zip_file_set_dostime(za, i, dos_time, dos_date, 0) != 0 ||
        zip_file_set_external_attributes(za, i, 0, ZIP_OPSYS_UNIX, kUnixFileMode << 16) != 0) {
      message = zip_strerror(za);
      zip_discard(za);
      return false;
    }
  }
  if (zip_close(za) != 0) {
    message = zip_strerror(za);
    zip_discard(za);
    return false;
  }
  return true;
}

// Runs zip_to_file on a thread of its own; the destructor cancels and waits for it, so
// no path out of write_epub leaves it running. When no thread can be started, the
// archive is written by finish() instead, once every entry is ready.
class ArchiveWriter {
 public:
  ArchiveWriter(const std::vector<ZipEntry>& entries, ReadyBoard& board, int64_t time,
                std::string path)
      : entries_(entries), board_(board), time_(time), path_(std::move(path)) {
    try {
      thread_ = std::thread([this] { write(); });
    } catch (const std::system_error&) {
      // No thread (a process limit): finish() writes the archive on the caller's.
    }
  }
  ArchiveWriter(const ArchiveWriter&) = delete;
  ArchiveWriter& operator=(const ArchiveWriter&) = delete;
  ~ArchiveWriter() {
    if (!thread_.joinable()) return;
    board_.cancel();
    thread_.join();
  }
  // Waits for the archive (or writes it); returns whether it was written, else false
  // with MESSAGE.
  bool finish(std::string& message) {
    if (thread_.joinable()) {
      thread_.join();
    } else {
      write();
    }
    message = message_;
    return ok_;
  }

 private:
  void write() {
    try {
      ok_ = zip_to_file(entries_, board_, time_, path_, message_);
    } catch (const std::exception& e) {
      message_ = e.what();
    }
  }

  const std::vector<ZipEntry>& entries_;
  ReadyBoard& board_;
  int64_t time_;
  std::string path_;
  bool ok_ = false;
  std::string message_;
  std::thread thread_;
};

}  // namespace

std::string font_media_type(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  for (char& c : ext)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  if (ext == ".ttf") return "font/ttf";
  if (ext == ".otf") return "font/otf";
  if (ext == ".woff") return "font/woff";
  if (ext == ".woff2") return "font/woff2";
  return {};
}

bool write_epub(const Book& book, const std::filesystem::path& out, Diagnostics& diag) {
  return write_epub(book, out, EpubProfile{}, diag);
}

bool write_epub(const Book& book, const std::filesystem::path& out, const EpubProfile& profile,
                Diagnostics& diag) {
  PackagePlan plan;
  bool ok = plan_package(book, profile, plan, diag);

  // Every entry of the archive, in archive order: mimetype first (OCF), the stored
  // images, the documents this thread makes at once, the deflated images (SVG, the
  // slowest per byte) largest first, the chapters, and last the package document, which
  // needs the chapters' manifest properties. The packing threads prepare them in that
  // order and a writer thread zips each as soon as it is ready; the vector must not move
  // after that.
  const std::string dir = "EPUB/";
  std::vector<ZipEntry> entries;
  entries.reserve(8 + plan.assets.size() + book.chapters.size() + 1);
  auto add = [&entries](std::string name, std::string data) -> ZipEntry& {
    ZipEntry& e = entries.emplace_back();
    e.name = std::move(name);
    e.data = std::move(data);
    return e;
  };
  Diagnostics later;  // the documents' diagnostics follow the chapters'
  bool css_ok = true;
  std::vector<size_t> deflated_images, stored_images;  // indices into plan.assets
  for (size_t i = 0; i < plan.assets.size(); ++i)
    (already_compressed(plan.assets[i].media_type) ? stored_images : deflated_images).push_back(i);
  // Bytes the asset pass rewrote (an SVG) stay in book.assets; the plan has none.
  auto kept = [&book](size_t i) -> const std::string* {
    return i < book.assets.size() && !book.assets[i].data.empty() ? &book.assets[i].data
                                                                   : nullptr;
  };
  std::vector<std::pair<size_t, size_t>> image_entries;  // (entry, asset)
  // Adds the entry of asset I at LEVEL: its bytes if the asset pass kept them, else its
  // file, read when the entry is prepared (or, stored, copied by libzip as it writes).
  auto add_image = [&](size_t i, int level) -> ZipEntry& {
    ZipEntry& e = add(dir + plan.assets[i].href, std::string());
    e.level = level;
    if (const std::string* d = kept(i)) {
      e.view = *d;
    } else {
      e.image_path = plan.assets[i].path;
    }
    image_entries.emplace_back(entries.size() - 1, i);
    return e;
  };
  add("mimetype", "application/epub+zip").level = kStored;
  // The stored images next: they need no preparing, so the writer copies them (often
  // most of the book's bytes) while the packing threads deflate the rest.
  for (size_t i : stored_images) {
    ZipEntry& e = add_image(i, kStored);
    // libzip copies a stored image from its file as it writes the archive: no copy of
    // its (often megabytes of) already compressed bytes in memory. Check it can.
    if (!e.image_path.empty()) e.read_failed = ::access(e.image_path.c_str(), R_OK) != 0;
  }
  const size_t first_document = entries.size();
  // The documents are made by this thread once the packing threads have started.
  auto add_document = [&](std::string name, std::function<std::string()> render) {
    add(std::move(name), std::string()).render = std::move(render);
  };
  add_document("META-INF/container.xml", [] { return container_xml(); });
  // Apple Books uses a book's own fonts only when this file says so.
  if (!book.epub.fonts.empty())
    add_document("META-INF/com.apple.ibooks.display-options.xml",
                 [] { return apple_display_options_xml(); });
  for (const auto& [name, bytes] : profile.extra_files)
    add_document(name, [&bytes = bytes] { return bytes; });
  // Returns a markup hook for one generated document, or none.
  auto markup = [&profile] {
    return profile.markup ? profile.markup() : std::unique_ptr<TextMarkup>();
  };
  add_document(dir + plan.names.nav, [&] { return nav_xhtml(book, plan, markup().get()); });
  add_document(dir + plan.names.ncx, [&] { return toc_ncx(book, plan); });
  add_document(dir + plan.names.css, [&] {
    std::string css;
    css_ok = build_css(book, profile, css, later);
    return css;
  });
  if (plan.cover_asset >= 0)
    add_document(dir + plan.names.cover, [&] { return cover_xhtml(book, plan, markup().get()); });
  add_document(dir + plan.names.title_page,
               [&] { return title_page_xhtml(book, plan, markup().get()); });
  const size_t documents = entries.size();

  auto size_of = [&](size_t i) -> uint64_t {
    if (const std::string* d = kept(i)) return d->size();
    std::error_code ec;
    uint64_t n = fs::file_size(plan.assets[i].path, ec);
    return ec ? 0 : n;
  };
  std::vector<uint64_t> sizes(plan.assets.size());
  for (size_t i : deflated_images) sizes[i] = size_of(i);
  std::stable_sort(deflated_images.begin(), deflated_images.end(),
                   [&sizes](size_t x, size_t y) { return sizes[x] > sizes[y]; });
  for (size_t i : deflated_images) add_image(i, kSvgDeflateLevel);
  XhtmlOptions options;
  options.css_href = plan.names.css;
  if (!plan.page_marks.empty()) options.page_marks = &plan.page_marks;
  options.markup = profile.markup;
  if (plan.notes_file) options.notes_file = plan.names.notes;
  NoteRefIndex refs = index_note_refs(book);
  const size_t first_chapter = entries.size();
  std::vector<std::string> chapter_display;
  for (size_t c = 0; c < book.chapters.size(); ++c) {
    ZipEntry& e = add(dir + plan.chapter_files[c], std::string());
    e.chapter = static_cast<int>(c);
    // Only raw HTML, which our writer copies, can make a chapter malformed.
    e.check_xml = chapter_has_raw_html(book, c);
    chapter_display.push_back(book.display(book.chapters[c].source));
  }
  if (plan.notes_file) {
    ZipEntry& e = add(dir + plan.names.notes, std::string());
    e.render = [&] { return notes_xhtml(book, options, refs); };
    for (const Note& n : book.notes) e.check_xml = e.check_xml || has_raw_html(n.blocks);
    chapter_display.push_back(book.display(book.src_dir));
  }
  const size_t last_chapter = entries.size();
  ZipEntry& opf = add(dir + "package.opf", std::string());
  plan.chapter_properties.assign(book.chapters.size(), std::string());

  // This thread prepares the documents; the packing threads (this one too, afterwards)
  // take the images and chapters; the writer zips them in order as they become ready.
  ReadyBoard board;
  PackJob job;
  job.book = &book;
  job.options = &options;
  job.refs = &refs;
  job.chapter_properties = &plan.chapter_properties;
  job.board = &board;
  job.plan = &plan;
  job.reuse = profile.reuse;
  job.rendered.assign(book.chapters.size(), 0);
  // Nothing to prepare: mimetype and the images are stored as they are.
  for (size_t i = 0; i < first_document; ++i) board.mark(entries[i]);
  for (size_t i = documents; i + 1 < entries.size(); ++i) job.tasks.push_back(&entries[i]);
  std::string out_path = out.string();
  ArchiveWriter writer(entries, board, book.build_time, out_path);
  std::vector<std::thread> workers =
      start_threads(std::min<size_t>({spare_cores(), kMaxPackWorkers, job.tasks.size()}),
                    [&job] { run_tasks(job); });
  // On every way out (out of memory on this thread too) the workers stop and are joined.
  ThreadJoiner joiner(workers, [&job] { job.next = job.tasks.size(); });
  {
    Deflater deflater;
    for (size_t i = first_document; i < documents; ++i) {
      prepare_entry(entries[i], deflater);
      board.mark(entries[i]);
    }
  }
  // Help the workers, then wait for them.
  run_tasks(job);
  joiner.join();

  for (size_t i = first_chapter; i < last_chapter; ++i) {
    const ZipEntry& e = entries[i];
    if (e.xml_error.empty()) continue;
    diag.error(chapter_display[i - first_chapter], {},
               "the chapter's XHTML is not well-formed: " + e.xml_error,
               "check the raw HTML in this chapter: every element opened in it must be closed "
               "in the same chapter");
    ok = false;
  }
  if (profile.reuse != nullptr) {
    std::vector<std::string> documents;
    for (size_t i = first_chapter; i < first_chapter + book.chapters.size(); ++i)
      documents.push_back(entries[i].data);
    keep_chapters(profile.reuse, plan, std::move(documents), job.rendered);
  }
  opf.data = package_opf(book, plan, later);  // needs the chapters' manifest properties
  {
    Deflater deflater;
    prepare_entry(opf, deflater);
  }
  for (Diagnostic& d : later.all()) diag.add(std::move(d));
  if (!css_ok || later.has_errors()) ok = false;
  for (auto [entry, asset] : image_entries) {
    if (!entries[entry].read_failed) continue;
    std::string what = plan.assets[asset].media_type.starts_with("font/") ? "font" : "image";
    diag.error(book.display(plan.assets[asset].source), {},
               "cannot read " + what + " '" + plan.assets[asset].source + "'",
               "check that the file exists and is readable");
    ok = false;
  }
  for (const ZipEntry& e : entries) {
    if (!e.failed) continue;
    diag.error(out_path, {}, "cannot compress '" + e.name + "': out of memory",
               "close other programs and build again");
    ok = false;
    break;
  }
  if (!ok) return false;  // the writer is cancelled and leaves no file

  board.mark(opf);
  std::string message;
  if (!writer.finish(message)) {
    diag.error(out_path, {}, "cannot write the EPUB: " + message,
               "check that the output directory is writable and the disk is not full");
    return false;
  }
  return true;
}

bool make_epub_content(const Book& book, EpubContent& content, Diagnostics& diag) {
  return make_epub_content(book, EpubProfile{}, content, diag);
}

bool make_epub_content(const Book& book, const EpubProfile& profile, EpubContent& content,
                       Diagnostics& diag) {
  PackagePlan plan;
  bool ok = plan_package(book, profile, plan, diag);
  const std::string kXhtml = "application/xhtml+xml";
  auto add = [&content](std::string name, std::string media_type, std::string data) {
    content.files.push_back({std::move(name), std::move(media_type), std::move(data), {}});
  };
  XhtmlOptions options;
  options.css_href = plan.names.css;
  if (!plan.page_marks.empty()) options.page_marks = &plan.page_marks;
  if (plan.notes_file) options.notes_file = plan.names.notes;
  NoteRefIndex refs = index_note_refs(book);

  // The documents in reading order, as package_opf's spine has them.
  if (plan.cover_asset >= 0) add(plan.names.cover, kXhtml, cover_xhtml(book, plan));
  add(plan.names.title_page, kXhtml, title_page_xhtml(book, plan));
  std::vector<std::string> documents;
  std::vector<char> rendered(book.chapters.size(), 0);
  for (size_t c = 0; c < book.chapters.size(); ++c) {
    bool fresh = false;
    std::string xhtml = chapter_document(book, c, options, refs, plan, profile.reuse, fresh);
    rendered[c] = fresh ? 1 : 0;
    // Only raw HTML, which our writer copies, can make a chapter malformed.
    if (chapter_has_raw_html(book, c)) {
      std::string problem = xml_problem(xhtml);
      if (!problem.empty()) {
        diag.error(book.display(book.chapters[c].source), {},
                   "the chapter's XHTML is not well-formed: " + problem,
                   "check the raw HTML in this chapter: every element opened in it must be "
                   "closed in the same chapter");
        ok = false;
      }
    }
    std::string& props = plan.chapter_properties.emplace_back();
    if (xhtml.find("<svg") != std::string::npos) props = "svg";
    if (xhtml.find("<math") != std::string::npos) props += props.empty() ? "mathml" : " mathml";
    if (profile.reuse != nullptr) documents.push_back(xhtml);
    add(plan.chapter_files[c], kXhtml, std::move(xhtml));
  }
  keep_chapters(profile.reuse, plan, std::move(documents), rendered);
  if (plan.notes_file) {
    std::string xhtml = notes_xhtml(book, options, refs);
    bool raw = false;
    for (const Note& n : book.notes) raw = raw || has_raw_html(n.blocks);
    std::string problem = raw ? xml_problem(xhtml) : std::string();
    if (!problem.empty()) {
      diag.error(book.display(book.src_dir), {},
                 "the chapter's XHTML is not well-formed: " + problem,
                 "check the raw HTML in the notes: every element opened in one must be closed "
                 "in it");
      ok = false;
    }
    add(plan.names.notes, kXhtml, std::move(xhtml));
  }
  for (const EpubFile& f : content.files) content.spine.push_back(f.name);
  content.chapter_files = plan.chapter_files;
  add(plan.names.nav, kXhtml, nav_xhtml(book, plan));
  content.nav = plan.names.nav;
  Diagnostics later;  // as in write_epub: the stylesheet's and the package's come last
  std::string css;
  if (!build_css(book, profile, css, later)) ok = false;
  add(plan.names.css, "text/css", std::move(css));
  add(plan.names.ncx, "application/x-dtbncx+xml", toc_ncx(book, plan));
  std::string opf = package_opf(book, plan, later);
  for (Diagnostic& d : later.all()) diag.add(std::move(d));
  if (later.has_errors()) ok = false;
  add("package.opf", "application/oebps-package+xml", std::move(opf));
  for (size_t i = 0; i < plan.assets.size(); ++i) {
    const Asset& a = plan.assets[i];
    EpubFile f{a.href, a.media_type, {}, {}};
    if (i < book.assets.size() && !book.assets[i].data.empty()) {
      f.data = book.assets[i].data;
    } else if (::access(a.path.c_str(), R_OK) == 0) {
      f.path = a.path;
    } else {
      diag.error(book.display(a.source), {}, "cannot read image '" + a.source + "'",
                 "check that the file exists and is readable");
      ok = false;
      continue;
    }
    content.files.push_back(std::move(f));
  }
  for (const TocEntry& e : plan.toc) content.toc.push_back({e.level, e.label, e.href});
  return ok;
}

}  // namespace colophon
