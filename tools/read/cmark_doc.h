// A parsed cmark-gfm document that frees itself, and small helpers over cmark nodes.
// Internal to the reader: the only place (with its .cpp files) that sees cmark-gfm.
#pragma once
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

// Node types of the table and strikethrough extensions; libcmark-gfm-extensions exports
// them but its installed headers do not declare them.
extern "C" {
extern cmark_node_type CMARK_NODE_TABLE;
extern cmark_node_type CMARK_NODE_TABLE_ROW;
extern cmark_node_type CMARK_NODE_TABLE_CELL;
extern cmark_node_type CMARK_NODE_STRIKETHROUGH;
}

namespace colophon {

// The memory of one parsed document: every allocation cmark-gfm makes for it comes
// from a few large blocks and nothing is freed one by one. A document is then freed
// in a handful of calls instead of one per node and string, and threads that parse
// different documents never contend for malloc's locks.
class CmarkArena {
 public:
  CmarkArena() = default;
  CmarkArena(const CmarkArena&) = delete;
  CmarkArena& operator=(const CmarkArena&) = delete;
  ~CmarkArena();

  // Returns N bytes (16-byte aligned, not zeroed); aborts when memory runs out, as
  // cmark-gfm's own allocator does.
  void* allocate(size_t n);
  // Grows or shrinks the allocation P of OLD_SIZE bytes to N bytes: in place when it
  // is the last allocation and the block has room, else by copying.
  void* reallocate(void* p, size_t old_size, size_t n);

 private:
  std::vector<void*> blocks_;
  char* next_ = nullptr;         // free space in the newest block
  size_t left_ = 0;              // bytes free at next_
  char* last_ = nullptr;         // the newest allocation (its header), for in-place growth
  size_t block_bytes_ = 64 * 1024;  // size of the next block; doubles up to a cap
};

// Makes ARENA the memory of every cmark-gfm allocation on this thread while it lives;
// nests, restoring the previous arena. Hold one while calling cmark on a
// CmarkDocument's nodes (parsing, walking, reading literals): cmark may allocate then.
class CmarkArenaScope {
 public:
  explicit CmarkArenaScope(CmarkArena& arena);
  ~CmarkArenaScope();
  CmarkArenaScope(const CmarkArenaScope&) = delete;
  CmarkArenaScope& operator=(const CmarkArenaScope&) = delete;

 private:
  CmarkArena* previous_;
};

// Owns the root of one parsed Markdown text and the arena that holds it.
class CmarkDocument {
 public:
  // Parses TEXT with cmark-gfm OPTIONS; GFM turns on the table, strikethrough and
  // autolink extensions. EXTENSIONS (our own) are attached first, so that their block
  // starts are tried before the table's (which claims every line after a paragraph).
  CmarkDocument(std::string_view text, int options, bool gfm,
                const std::vector<cmark_syntax_extension*>& extensions = {});
  ~CmarkDocument() = default;  // the arena frees the whole tree
  CmarkDocument(const CmarkDocument&) = delete;
  CmarkDocument& operator=(const CmarkDocument&) = delete;

  // Returns the document node. Walk it inside a CmarkArenaScope on arena().
  cmark_node* root() const { return root_; }
  // Returns the memory of the document, for a CmarkArenaScope.
  CmarkArena& arena() { return *arena_; }

 private:
  std::unique_ptr<CmarkArena> arena_ = std::make_unique<CmarkArena>();
  cmark_node* root_ = nullptr;
};

// Appends the plain text of NODE's inline content to OUT (markup dropped, breaks as
// spaces), walking iteratively so any nesting depth is safe.
void append_plain_text(cmark_node* node, std::string& out);

}  // namespace colophon
