#include "read/cmark_doc.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>

namespace colophon {

namespace {

// Registers the GFM extensions once per process (the registry is global in cmark-gfm).
void register_extensions() {
  static std::once_flag once;
  std::call_once(once, [] { cmark_gfm_core_extensions_ensure_registered(); });
}

// Every allocation handed to cmark starts 16 bytes after a header that says how big it
// is and whether it came from an arena or, outside any CmarkArenaScope, from malloc.
struct AllocHeader {
  size_t size;
  size_t from_heap;  // 1: malloc'd, freed by free(); 0: in an arena, freed with it
};
static_assert(sizeof(AllocHeader) == 16, "keeps cmark's memory 16-byte aligned");

// Largest arena block made for small allocations (bigger requests get their own block).
constexpr size_t kMaxArenaBlockBytes = 4 * 1024 * 1024;

// The arena of the CmarkArenaScope active on this thread, if any.
thread_local CmarkArena* t_arena = nullptr;

// cmark has no way to report a failed allocation (its own allocator aborts). We throw
// instead: cmark-gfm is C compiled with unwind tables (the default for Debian's
// compilers), so std::bad_alloc unwinds through its frames to the reader, which reports
// it; whatever cmark was building lies in the arena and goes with it.
[[noreturn]] void out_of_memory() { throw std::bad_alloc(); }

// Returns N bytes after a fresh header, from this thread's arena or from malloc.
void* raw_allocate(size_t n) {
  if (n > SIZE_MAX - sizeof(AllocHeader)) out_of_memory();
  AllocHeader* h;
  if (t_arena != nullptr) {
    h = static_cast<AllocHeader*>(t_arena->allocate(sizeof(AllocHeader) + n));
    h->from_heap = 0;
  } else {
    h = static_cast<AllocHeader*>(std::malloc(sizeof(AllocHeader) + n));
    if (h == nullptr) out_of_memory();
    h->from_heap = 1;
  }
  h->size = n;
  return h + 1;
}

void* arena_calloc(size_t count, size_t size) {
  if (size != 0 && count > SIZE_MAX / size) out_of_memory();
  void* p = raw_allocate(count * size);
  std::memset(p, 0, count * size);
  return p;
}

void arena_free(void* p) {
  if (p == nullptr) return;
  AllocHeader* h = static_cast<AllocHeader*>(p) - 1;
  if (h->from_heap) std::free(h);
}

void* arena_realloc(void* p, size_t n) {
  if (p == nullptr) return raw_allocate(n);
  AllocHeader* h = static_cast<AllocHeader*>(p) - 1;
  if (!h->from_heap && t_arena != nullptr) {
    auto* grown = static_cast<AllocHeader*>(
        t_arena->reallocate(h, sizeof(AllocHeader) + h->size, sizeof(AllocHeader) + n));
    grown->size = n;
    return grown + 1;
  }
  void* q = raw_allocate(n);
  std::memcpy(q, p, std::min(h->size, n));
  arena_free(p);
  return q;
}

cmark_mem g_arena_mem = {arena_calloc, arena_realloc, arena_free};

// Rounds N up to the 16-byte alignment every allocation keeps.
size_t align16(size_t n) { return (n + 15) & ~static_cast<size_t>(15); }

}  // namespace

CmarkArena::~CmarkArena() {
  for (void* b : blocks_) std::free(b);
}

void* CmarkArena::allocate(size_t n) {
  n = align16(n);
  if (n > left_) {
    size_t bytes = std::max(n, block_bytes_);
    void* block = std::malloc(bytes);
    if (block == nullptr) out_of_memory();
    blocks_.push_back(block);
    next_ = static_cast<char*>(block);
    left_ = bytes;
    block_bytes_ = std::min(block_bytes_ * 2, kMaxArenaBlockBytes);
  }
  last_ = next_;
  next_ += n;
  left_ -= n;
  return last_;
}

void* CmarkArena::reallocate(void* p, size_t old_size, size_t n) {
  size_t old_aligned = align16(old_size), new_aligned = align16(n);
  if (p == last_ && new_aligned <= old_aligned + left_) {
    next_ = last_ + new_aligned;
    left_ = left_ + old_aligned - new_aligned;
    return p;
  }
  void* q = allocate(n);
  std::memcpy(q, p, std::min(old_size, n));
  return q;
}

CmarkArenaScope::CmarkArenaScope(CmarkArena& arena) : previous_(t_arena) { t_arena = &arena; }

CmarkArenaScope::~CmarkArenaScope() { t_arena = previous_; }

CmarkDocument::CmarkDocument(std::string_view text, int options, bool gfm,
                             const std::vector<cmark_syntax_extension*>& extensions) {
  register_extensions();
  CmarkArenaScope scope(*arena_);
  cmark_parser* parser = cmark_parser_new_with_mem(options, &g_arena_mem);
  for (cmark_syntax_extension* ext : extensions) cmark_parser_attach_syntax_extension(parser, ext);
  if (gfm) {
    for (const char* name : {"table", "strikethrough", "autolink"}) {
      if (cmark_syntax_extension* ext = cmark_find_syntax_extension(name))
        cmark_parser_attach_syntax_extension(parser, ext);
    }
  }
  cmark_parser_feed(parser, text.data(), text.size());
  {
    // cmark-gfm 0.29.0.gfm.6 keeps the characters that can start an inline in one global
    // table: finishing a parse adds its extensions' characters ('~' for strikethrough,
    // ':' and 'w' for autolinks), parses the inlines and clears them again. Two parses
    // finishing at once would race on that table (one clearing '~' while the other looks
    // for strikethrough), so the inline phase runs on one thread at a time; reading the
    // blocks (cmark_parser_feed) has no such state and runs in parallel.
    static std::mutex inline_phase;
    std::lock_guard<std::mutex> lock(inline_phase);
    root_ = cmark_parser_finish(parser);
  }
  cmark_parser_free(parser);
}

void append_plain_text(cmark_node* node, std::string& out) {
  cmark_iter* iter = cmark_iter_new(node);
  cmark_event_type ev;
  while ((ev = cmark_iter_next(iter)) != CMARK_EVENT_DONE) {
    if (ev != CMARK_EVENT_ENTER) continue;
    cmark_node* n = cmark_iter_get_node(iter);
    switch (cmark_node_get_type(n)) {
      case CMARK_NODE_TEXT:
      case CMARK_NODE_CODE:
        if (const char* s = cmark_node_get_literal(n)) out += s;
        break;
      case CMARK_NODE_SOFTBREAK:
      case CMARK_NODE_LINEBREAK:
        out += ' ';
        break;
      default:
        break;
    }
  }
  cmark_iter_free(iter);
}

}  // namespace colophon
