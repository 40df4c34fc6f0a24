#include "read/math.h"

#include <cmark-gfm/node.h>
#include <cmark-gfm/parser.h>

#include <mutex>
#include <optional>

namespace colophon {

namespace {

cmark_syntax_extension* g_dollar = nullptr;
cmark_syntax_extension* g_mathjax = nullptr;

bool is_blank(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool is_ascii_punct(unsigned char c) {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
         (c >= '{' && c <= '~');
}

// Returns TEXT with Markdown's backslash escapes undone (`\\` -> `\`, `\_` -> `_`): what
// mdBook hands MathJax.
std::string unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() &&
        is_ascii_punct(static_cast<unsigned char>(text[i + 1])))
      ++i;
    out += text[i];
  }
  return out;
}

// The text an inline matcher reads: the inline parser's chunk (the leaf block's text,
// lines joined by line feeds) and the offset of the character it was called at.
struct InlineText {
  const unsigned char* data = nullptr;
  int len = 0;
  int pos = 0;
};

// Returns what a matcher called at C reads, or nothing when C is not its TRIGGER.
std::optional<InlineText> inline_text(cmark_inline_parser* inline_parser, unsigned char c,
                                      unsigned char trigger) {
  if (c != trigger) return std::nullopt;
  cmark_chunk* chunk = cmark_inline_parser_get_chunk(inline_parser);
  return InlineText{chunk->data, chunk->len, cmark_inline_parser_get_offset(inline_parser)};
}

// Makes the math node for TEX, written from BACK bytes before the parser's offset up to
// END (the offset after it), and moves the parser to END. Its end column is where its
// last byte is on the parser's line count, which does not move past the line ends
// inside it (the reader corrects what follows, see math_line_ends in markdown.cpp).
cmark_node* make_math(cmark_syntax_extension* self, cmark_parser* parser,
                      cmark_inline_parser* inline_parser, const std::string& tex, bool display,
                      int back, int end) {
  cmark_node* node = cmark_node_new_with_mem(CMARK_NODE_CODE, parser->mem);
  cmark_node_set_literal(node, tex.c_str());
  cmark_node_set_syntax_extension(node, self);
  cmark_node_set_user_data(node, display ? node : nullptr);
  node->start_line = node->end_line = cmark_inline_parser_get_line(inline_parser);
  node->start_column = cmark_inline_parser_get_column(inline_parser) - back;
  cmark_inline_parser_set_offset(inline_parser, end);
  node->end_column = cmark_inline_parser_get_column(inline_parser) - 1;
  return node;
}

// Finds where math that starts at FROM in DATA closes, as pulldown-cmark does: at the
// first `$` outside braces (for DISPLAY, a `$$`), a backslash taking the next character
// with it. Returns the closer's offset, or -1 when there is none or the braces do not
// balance.
int dollar_close(const unsigned char* data, int len, int from, bool display) {
  int depth = 0;
  for (int i = from; i < len; ++i) {
    unsigned char c = data[i];
    if (c == '\\') {
      ++i;
    } else if (c == '{') {
      ++depth;
    } else if (c == '}') {
      if (depth == 0) return -1;
      --depth;
    } else if (c == '$' && depth == 0) {
      if (!display) return i;
      return i + 1 < len && data[i + 1] == '$' ? i : -1;
    }
  }
  return -1;
}

// Reads `$...$` or `$$...$$` at a '$'.
cmark_node* match_dollar(cmark_syntax_extension* self, cmark_parser* parser, cmark_node*,
                         unsigned char c, cmark_inline_parser* inline_parser) {
  std::optional<InlineText> t = inline_text(inline_parser, c, '$');
  if (!t) return nullptr;
  bool display = t->pos + 1 < t->len && t->data[t->pos + 1] == '$';
  int from = t->pos + (display ? 2 : 1);
  int close = dollar_close(t->data, t->len, from, display);
  if (close < 0) return nullptr;  // this '$' is text; the next one is tried on its own
  if (!display && (close == from || is_blank(t->data[from]) || is_blank(t->data[close - 1])))
    return nullptr;
  std::string tex(reinterpret_cast<const char*>(t->data) + from,
                  static_cast<size_t>(close - from));
  return make_math(self, parser, inline_parser, tex, display, 0, close + (display ? 2 : 1));
}

// Reads `\\( ... \\)` at its '(': the escaped backslash before it is already a text node
// "\" of PARENT, which the math replaces.
cmark_node* match_paren(cmark_syntax_extension* self, cmark_parser* parser, cmark_node* parent,
                        unsigned char c, cmark_inline_parser* inline_parser) {
  std::optional<InlineText> t = inline_text(inline_parser, c, '(');
  if (!t) return nullptr;
  const unsigned char* data = t->data;
  int len = t->len, pos = t->pos;
  if (pos < 2 || data[pos - 1] != '\\' || data[pos - 2] != '\\') return nullptr;
  cmark_node* escaped = cmark_node_last_child(parent);
  if (escaped == nullptr || cmark_node_get_type(escaped) != CMARK_NODE_TEXT) return nullptr;
  const char* lit = cmark_node_get_literal(escaped);
  if (lit == nullptr || std::string_view(lit) != "\\") return nullptr;
  int close = -1;
  for (int i = pos + 1; i < len; ++i) {
    if (data[i] != '\\' || i + 1 >= len) continue;
    if (data[i + 1] == '\\' && i + 2 < len && data[i + 2] == ')') {
      close = i;
      break;
    }
    if (is_ascii_punct(data[i + 1])) ++i;  // an escape: the pair stands for one character
  }
  if (close < 0) return nullptr;
  std::string_view raw(reinterpret_cast<const char*>(data) + pos + 1,
                       static_cast<size_t>(close - pos - 1));
  cmark_node* node = make_math(self, parser, inline_parser, mathjax_tex(raw), false, 2, close + 3);
  cmark_node_free(escaped);
  return node;
}

// Reads `$$ ... $$` at a '$', MathJax's other display delimiters (its default ones, which
// mdBook keeps): up to the next `$$` in the leaf block, a backslash escape taking the
// character after it; the TeX as for `\\[`, escapes undone.
cmark_node* match_double_dollar(cmark_syntax_extension* self, cmark_parser* parser,
                                cmark_inline_parser* inline_parser, const InlineText& t) {
  if (t.pos + 1 >= t.len || t.data[t.pos + 1] != '$') return nullptr;
  int from = t.pos + 2, close = -1;
  for (int i = from; i + 1 < t.len; ++i) {
    if (t.data[i] == '\\' && is_ascii_punct(t.data[i + 1])) {
      ++i;
    } else if (t.data[i] == '$' && t.data[i + 1] == '$') {
      close = i;
      break;
    }
  }
  if (close < 0) return nullptr;  // text, as MathJax leaves a `$$` it cannot close
  std::string tex = mathjax_tex(std::string_view(reinterpret_cast<const char*>(t.data) + from,
                                                 static_cast<size_t>(close - from)));
  if (tex.empty()) return nullptr;
  return make_math(self, parser, inline_parser, tex, true, 0, close + 2);
}

// Reads MathJax's inline delimiters: `\\( ... \\)` at its '(', `$$ ... $$` at a '$'.
cmark_node* match_mathjax(cmark_syntax_extension* self, cmark_parser* parser, cmark_node* parent,
                          unsigned char c, cmark_inline_parser* inline_parser) {
  if (std::optional<InlineText> t = inline_text(inline_parser, c, '$'))
    return match_double_dollar(self, parser, inline_parser, *t);
  return match_paren(self, parser, parent, c, inline_parser);
}

// Tells whether the line ends with `\\]` (blanks after it allowed).
bool ends_display(const unsigned char* line, int len) {
  while (len > 0 && is_blank(line[len - 1])) --len;
  return len >= 3 && line[len - 3] == '\\' && line[len - 2] == '\\' && line[len - 1] == ']';
}

// Opens a `\\[` block at a line that starts with it.
cmark_node* open_display(cmark_syntax_extension* self, int indented, cmark_parser* parser,
                         cmark_node* parent, unsigned char* input, int len) {
  if (indented != 0) return nullptr;
  int first = cmark_parser_get_first_nonspace(parser);
  if (first + 3 > len || input[first] != '\\' || input[first + 1] != '\\' ||
      input[first + 2] != '[')
    return nullptr;
  // `\\[x\\] is ...` on one line is inline math in its paragraph, not a block.
  for (int i = first + 3; i + 2 < len; ++i)
    if (input[i] == '\\' && input[i + 1] == '\\' && input[i + 2] == ']' &&
        !ends_display(input + first + 3, len - first - 3))
      return nullptr;
  cmark_node* block = cmark_parser_add_child(parser, parent, CMARK_NODE_CODE_BLOCK, first + 1);
  cmark_node_set_syntax_extension(block, self);
  block->as.code.fenced = false;
  block->as.code.fence_char = 0;
  block->as.code.fence_offset = 0;
  block->as.code.info = cmark_chunk_literal("");
  // fence_length: 1 once the closing `\\]` is read.
  block->as.code.fence_length = ends_display(input + first + 3, len - first - 3) ? 1 : 0;
  return block;
}

// Continues a `\\[` block up to the line that ends with `\\]`; a blank line ends it
// unclosed.
int continue_display(cmark_syntax_extension*, cmark_parser* parser, unsigned char* input,
                     int len, cmark_node* block) {
  if (cmark_node_get_type(block) != CMARK_NODE_CODE_BLOCK) return 0;
  if (block->as.code.fence_length == 1 || cmark_parser_is_blank(parser) != 0) return 0;
  if (ends_display(input, len)) block->as.code.fence_length = 1;
  return 1;
}

cmark_llist* special_chars(std::initializer_list<unsigned char> chars) {
  cmark_llist* list = nullptr;
  for (unsigned char c : chars)
    list = cmark_llist_append(cmark_get_default_mem_allocator(), list,
                              reinterpret_cast<void*>(static_cast<size_t>(c)));
  return list;
}

void create() {
  g_dollar = cmark_syntax_extension_new("colophon_dollar_math");
  cmark_syntax_extension_set_match_inline_func(g_dollar, match_dollar);
  cmark_syntax_extension_set_special_inline_chars(g_dollar, special_chars({'$'}));
  g_mathjax = cmark_syntax_extension_new("colophon_mathjax");
  cmark_syntax_extension_set_match_inline_func(g_mathjax, match_mathjax);
  cmark_syntax_extension_set_special_inline_chars(g_mathjax, special_chars({'(', '$'}));
  cmark_syntax_extension_set_open_block_func(g_mathjax, open_display);
  cmark_syntax_extension_set_match_block_func(g_mathjax, continue_display);
}

void ensure_created() {
  static std::once_flag once;
  std::call_once(once, create);
}

}  // namespace

cmark_syntax_extension* dollar_math_extension() {
  ensure_created();
  return g_dollar;
}

cmark_syntax_extension* mathjax_extension() {
  ensure_created();
  return g_mathjax;
}

bool is_math_node(cmark_node* node) {
  if (node == nullptr || cmark_node_get_type(node) != CMARK_NODE_CODE) return false;
  cmark_syntax_extension* ext = cmark_node_get_syntax_extension(node);
  return ext != nullptr && (ext == g_dollar || ext == g_mathjax);
}

bool is_display_math(cmark_node* node) { return cmark_node_get_user_data(node) != nullptr; }

std::string display_block_tex(cmark_node* node, bool& closed) {
  const char* lit = cmark_node_get_literal(node);
  std::string_view text = lit != nullptr ? lit : "";
  closed = node->as.code.fence_length == 1;
  while (!text.empty() && is_blank(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  if (!closed) return unescape(text);
  while (!text.empty() && is_blank(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  text.remove_prefix(3);   // "\\["
  text.remove_suffix(3);   // "\\]"
  return mathjax_tex(text);
}

std::string mathjax_tex(std::string_view raw) {
  while (!raw.empty() && is_blank(static_cast<unsigned char>(raw.front()))) raw.remove_prefix(1);
  while (!raw.empty() && is_blank(static_cast<unsigned char>(raw.back()))) raw.remove_suffix(1);
  return unescape(raw);
}


}  // namespace colophon
