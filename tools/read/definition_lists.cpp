#include "read/definition_lists.h"

#include <cmark-gfm/node.h>
#include <cmark-gfm/parser.h>

#include <mutex>

namespace colophon {

namespace {

cmark_syntax_extension* g_extension = nullptr;
cmark_node_type g_list = CMARK_NODE_NONE;
cmark_node_type g_term = CMARK_NODE_NONE;
cmark_node_type g_definition = CMARK_NODE_NONE;

bool is_space_or_tab(unsigned char c) { return c == ' ' || c == '\t'; }
bool is_line_end(unsigned char c) { return c == '\n' || c == '\r' || c == '\0'; }

// Tells whether NODE's last line was blank, looking into its last child as cmark does
// for list items.
bool ends_with_blank_line(cmark_node* node) {
  while (node != nullptr) {
    if ((node->flags & CMARK_NODE__LAST_LINE_BLANK) != 0) return true;
    auto type = static_cast<cmark_node_type>(node->type);
    if (type != CMARK_NODE_LIST && type != CMARK_NODE_ITEM && type != g_definition) return false;
    node = node->last_child;
  }
  return false;
}

// Makes the paragraph TERM the term of a definition list: of the list just before it
// (reopened), else of a new one put in its place. Returns the list.
cmark_node* make_term(cmark_syntax_extension* self, cmark_parser* parser, cmark_node* term) {
  cmark_node* list = term->prev;
  if (list != nullptr && list->type == g_list) {
    list->flags |= CMARK_NODE__OPEN;
  } else {
    list = cmark_node_new_with_mem_and_ext(g_list, parser->mem, self);
    list->flags = CMARK_NODE__OPEN;
    list->start_line = term->start_line;
    list->start_column = term->start_column;
    list->as.list.tight = true;
    cmark_node_insert_before(term, list);
  }
  if ((term->flags & CMARK_NODE__OPEN) != 0) {  // the paragraph on the line above
    term->end_line = cmark_parser_get_line_number(parser) - 1;
    term->end_column = cmark_parser_get_last_line_length(parser);
    term->flags &= static_cast<uint16_t>(~CMARK_NODE__OPEN);
  }
  cmark_node_unlink(term);
  term->type = static_cast<uint16_t>(g_term);
  term->extension = self;
  cmark_node_append_child(list, term);
  return list;
}

// Opens a definition at a line whose first non-blank character is ':' followed by a
// blank or the line's end, when what comes before it can be its term.
cmark_node* try_opening(cmark_syntax_extension* self, int indented, cmark_parser* parser,
                        cmark_node* parent, unsigned char* input, int len) {
  if (indented != 0) return nullptr;
  int first = cmark_parser_get_first_nonspace(parser);
  if (first >= len || input[first] != ':') return nullptr;
  unsigned char after = first + 1 < len ? input[first + 1] : '\n';
  if (!is_space_or_tab(after) && !is_line_end(after)) return nullptr;

  cmark_node* list = nullptr;
  bool loose = false;
  if (parent->type == g_list) {  // a further definition of the last term
    list = parent;
    loose = parent->last_child != nullptr && ends_with_blank_line(parent->last_child);
  } else if (parent->type == CMARK_NODE_PARAGRAPH) {  // the term is the line(s) just above
    list = make_term(self, parser, parent);
  } else if (cmark_node_can_contain_type(parent, CMARK_NODE_PARAGRAPH) &&
             parent->last_child != nullptr && parent->last_child->type == CMARK_NODE_PARAGRAPH &&
             (parent->last_child->flags & CMARK_NODE__OPEN) == 0) {  // blank lines between
    list = make_term(self, parser, parent->last_child);
    loose = true;
  } else {
    return nullptr;
  }
  if (loose) list->as.list.tight = false;

  // The marker and the blanks after it, measured as a list item's are: one to four
  // blanks are part of the marker; five or more start indented code after one.
  int marker_offset = cmark_parser_get_indent(parser);
  cmark_parser_advance_offset(parser, reinterpret_cast<const char*>(input),
                              first + 1 - cmark_parser_get_offset(parser), 0);
  bufsize_t save_offset = parser->offset, save_column = parser->column;
  bool save_tab = parser->partially_consumed_tab;
  while (parser->column - save_column <= 5 && is_space_or_tab(input[parser->offset]))
    cmark_parser_advance_offset(parser, reinterpret_cast<const char*>(input), 1, 1);
  int blanks = parser->column - save_column;
  int padding = 1 + blanks;
  if (blanks >= 5 || blanks < 1 || is_line_end(input[parser->offset])) {
    padding = 2;
    parser->offset = save_offset;
    parser->column = save_column;
    parser->partially_consumed_tab = save_tab;
    if (blanks > 0) cmark_parser_advance_offset(parser, reinterpret_cast<const char*>(input), 1, 1);
  }
  cmark_node* definition = cmark_parser_add_child(parser, list, g_definition, first + 1);
  definition->extension = self;
  definition->as.list.marker_offset = marker_offset;
  definition->as.list.padding = padding;
  return definition;
}

// Continues an open list (always: a line that is no definition closes it when it is
// added) or definition (a line indented to its content, or a blank line).
int matches(cmark_syntax_extension*, cmark_parser* parser, unsigned char* input, int,
            cmark_node* container) {
  if (container->type == g_list) return 1;
  if (container->type != g_definition) return 0;
  int need = container->as.list.marker_offset + container->as.list.padding;
  if (cmark_parser_get_indent(parser) >= need) {
    cmark_parser_advance_offset(parser, reinterpret_cast<const char*>(input), need, 1);
    return 1;
  }
  if (cmark_parser_is_blank(parser) != 0 && container->first_child != nullptr) {
    cmark_parser_advance_offset(
        parser, reinterpret_cast<const char*>(input),
        cmark_parser_get_first_nonspace(parser) - cmark_parser_get_offset(parser), 0);
    return 1;
  }
  return 0;
}

int can_contain(cmark_syntax_extension*, cmark_node* node, cmark_node_type child) {
  if (node->type == g_list) return child == g_term || child == g_definition;
  if (node->type == g_term) return (child & CMARK_NODE_TYPE_MASK) == CMARK_NODE_TYPE_INLINE;
  if (node->type == g_definition)
    return (child & CMARK_NODE_TYPE_MASK) == CMARK_NODE_TYPE_BLOCK && child != CMARK_NODE_ITEM &&
           child != g_term && child != g_definition;
  return 0;
}

int contains_inlines(cmark_syntax_extension*, cmark_node* node) { return node->type == g_term; }

const char* type_string(cmark_syntax_extension*, cmark_node* node) {
  return node->type == g_list   ? "definition_list"
         : node->type == g_term ? "definition_term"
                                : "definition";
}

void create() {
  g_extension = cmark_syntax_extension_new("colophon_definition_lists");
  g_list = cmark_syntax_extension_add_node(0);
  g_term = cmark_syntax_extension_add_node(0);
  g_definition = cmark_syntax_extension_add_node(0);
  cmark_syntax_extension_set_open_block_func(g_extension, try_opening);
  cmark_syntax_extension_set_match_block_func(g_extension, matches);
  cmark_syntax_extension_set_can_contain_func(g_extension, can_contain);
  cmark_syntax_extension_set_contains_inlines_func(g_extension, contains_inlines);
  cmark_syntax_extension_set_get_type_string_func(g_extension, type_string);
}

void ensure_created() {
  static std::once_flag once;
  std::call_once(once, create);
}

}  // namespace

cmark_syntax_extension* definition_list_extension() {
  ensure_created();
  return g_extension;
}

cmark_node_type definition_list_type() {
  ensure_created();
  return g_list;
}

cmark_node_type definition_term_type() {
  ensure_created();
  return g_term;
}

cmark_node_type definition_type() {
  ensure_created();
  return g_definition;
}

bool definition_list_tight(cmark_node* list) {
  if (list == nullptr || list->type != g_list || !list->as.list.tight) return false;
  // A blank line between two blocks of one definition makes the list loose too.
  for (cmark_node* dd = list->first_child; dd != nullptr; dd = dd->next) {
    if (dd->type != g_definition) continue;
    for (cmark_node* block = dd->first_child; block != nullptr; block = block->next)
      if (block->next != nullptr && ends_with_blank_line(block)) return false;
  }
  return true;
}

}  // namespace colophon
