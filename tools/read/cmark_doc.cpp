#include "read/cmark_doc.h"

#include <mutex>

namespace colophon {

namespace {

// Registers the GFM extensions once per process (the registry is global in cmark-gfm).
void register_extensions() {
  static std::once_flag once;
  std::call_once(once, [] { cmark_gfm_core_extensions_ensure_registered(); });
}

}  // namespace

CmarkDocument::CmarkDocument(std::string_view text, int options, bool gfm) {
  register_extensions();
  cmark_parser* parser = cmark_parser_new(options);
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

CmarkDocument::~CmarkDocument() {
  if (root_ != nullptr) cmark_node_free(root_);
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
