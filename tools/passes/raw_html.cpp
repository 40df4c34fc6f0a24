// check_raw_html: raw HTML tags balance inside their container; raw links and images
// point somewhere the EPUB has.
#include <string>
#include <vector>

#include "passes/common.h"
#include "passes/passes.h"
#include "passes/walk.h"

namespace colophon {

namespace {

struct OpenTag {
  std::string name;
  SourcePos pos;
};

// Tells whether an element may hold only phrasing content (no block elements).
bool phrasing_only(const std::string& name) {
  if (name == "a" || name == "del" || name == "ins") return false;  // transparent
  if (name == "p" || name == "pre" || name == "summary" || name == "dt" ||
      (name.size() == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6'))
    return true;
  return !is_block_element(name);
}

std::string at(SourcePos p) { return std::to_string(p.line) + ":" + std::to_string(p.col); }

class RawChecker {
 public:
  RawChecker(Book& book, Diagnostics& diag, const AnchorTable& anchors)
      : book_(book), diag_(diag), anchors_(anchors) {}

  void run() {
    std::vector<std::vector<int>> groups = notes_by_chapter(book_);
    for (size_t c = 0; c < book_.chapters.size(); ++c) {
      chapter_ = static_cast<int>(c);
      file_ = chapter_file(book_, chapter_);
      check_blocks(book_.chapters[c].blocks);
      for (int n : groups[c]) check_blocks(book_.notes[n].blocks);
    }
  }

 private:
  // Applies one tag to STACK: pushes starts, pops matching ends, reports the rest.
  void apply(std::vector<OpenTag>& stack, const HtmlTag& t, const char* level,
             bool in_paragraph = false) {
    if (t.open) {
      if (!in_paragraph && is_block_element(t.name)) {
        if (const OpenTag* p = innermost_phrasing(stack))
          diag_.error(file_, t.pos,
                      "block element <" + t.name + "> inside <" + p->name + "> opened at " +
                          at(p->pos),
                      "close the <" + p->name + "> first, or use <div> instead of <" + p->name +
                          ">");
      }
      stack.push_back({t.name, t.pos});
      return;
    }
    for (size_t k = stack.size(); k-- > 0;) {
      if (stack[k].name != t.name) continue;
      for (size_t j = stack.size(); j-- > k + 1;)
        diag_.error(file_, stack[j].pos,
                    "<" + stack[j].name + "> is not closed before </" + t.name + "> at " +
                        at(t.pos),
                    "add </" + stack[j].name + "> before </" + t.name + ">");
      stack.resize(k);
      return;
    }
    std::string hint = "remove it, or add the matching <" + t.name + "> " + level;
    for (size_t o = outer_.size(); o-- > 0;) {
      bool found = false;
      for (const OpenTag& ot : *outer_[o])
        if (ot.name == t.name) {
          hint = "the <" + t.name + "> opened at " + at(ot.pos) +
                 " is outside this container (list item, quote, paragraph); close it there, "
                 "after a blank line";
          found = true;
        }
      if (found) break;
    }
    diag_.error(file_, t.pos, "stray </" + t.name + ">: no <" + t.name + "> is open " + level,
                hint);
  }

  // Returns the innermost open element of STACK that takes only phrasing content, if any.
  static const OpenTag* innermost_phrasing(const std::vector<OpenTag>& stack) {
    for (size_t k = stack.size(); k-- > 0;)
      if (phrasing_only(stack[k].name)) return &stack[k];
    return nullptr;
  }

  void report_unclosed(const std::vector<OpenTag>& stack, const char* level) {
    for (const OpenTag& o : stack)
      diag_.error(file_, o.pos, "<" + o.name + "> opened here is not closed " + level,
                  std::string("close it with </") + o.name + "> " + level);
  }

  // Checks the URLs of raw HTML: links must be fragments of this chapter, images are refused.
  void check_urls(const HtmlFragment& f) {
    for (const HtmlUrl& u : f.urls) {
      std::string scheme = url_scheme(u.value);
      if (u.attribute == "href") {
        if (!scheme.empty()) continue;
        if (u.value.starts_with("#")) {
          std::string frag = percent_decode(u.value.substr(1)).value_or(u.value.substr(1));
          const auto& m = anchors_.by_chapter[chapter_];
          auto it = m.find(frag);
          if (it == m.end()) {
            diag_.error(file_, u.pos, "no heading or id '#" + frag + "' in this chapter",
                        "link to an id defined in this chapter");
          } else if (it->second != frag) {
            diag_.error(file_, u.pos, "raw HTML link '#" + frag + "' must use the real id",
                        "write href=\"#" + it->second + "\" (or use a Markdown link)");
          }
          continue;
        }
        diag_.error(file_, u.pos, "links in raw HTML are not resolved: '" + u.value + "'",
                    "use a Markdown link: [text](" + u.value + ")");
      } else {
        diag_.error(file_, u.pos,
                    "images in raw HTML are not packed into the book: '" + u.value + "'",
                    scheme.empty() ? "use Markdown: ![alt](" + u.value + ")"
                                   : "download the image into the book and use ![alt](path)");
      }
    }
  }

  void check_blocks(std::vector<Block>& blocks) {
    std::vector<OpenTag> stack;
    for (Block& b : blocks) {
      if (b.kind == BlockKind::RawBlock) {
        HtmlFragment f = rescan_html(b.text, b.pos);
        for (const HtmlTag& t : f.tags) apply(stack, t, "at this block level");
        check_urls(f);
        continue;
      }
      if (const OpenTag* p = innermost_phrasing(stack))
        diag_.error(file_, b.pos,
                    "Markdown block inside the raw <" + p->name + "> opened at " + at(p->pos),
                    "a raw <" + p->name + "> may hold only text; use <div> around Markdown blocks");
      outer_.push_back(&stack);
      auto per_list = [&](std::vector<Inline>& list) { check_inlines(list); };
      for_each_own_inline_list(b, per_list);
      check_blocks(b.children);
      outer_.pop_back();
    }
    report_unclosed(stack, "at this block level");
  }

  void check_inlines(std::vector<Inline>& list) {
    std::vector<OpenTag> stack;
    for (Inline& in : list) {
      if (in.kind == InlineKind::RawInline) {
        HtmlFragment f = rescan_html(in.text, in.pos);
        for (const HtmlTag& t : f.tags) {
          if (t.open && is_block_element(t.name))
            diag_.error(file_, t.pos, "block element <" + t.name + "> inside a paragraph",
                        "start it on a line of its own, with a blank line before it");
          apply(stack, t, "in this paragraph", true);
        }
        check_urls(f);
        continue;
      }
      if (in.children.empty()) continue;
      outer_.push_back(&stack);
      check_inlines(in.children);
      outer_.pop_back();
    }
    report_unclosed(stack, "in this paragraph");
  }

  Book& book_;
  Diagnostics& diag_;
  const AnchorTable& anchors_;
  int chapter_ = 0;
  std::string file_;
  std::vector<std::vector<OpenTag>*> outer_;
};

}  // namespace

void check_raw_html(Book& book, Diagnostics& diag, const AnchorTable& anchors) {
  RawChecker(book, diag, anchors).run();
}

void check_raw_html(Book& book, Diagnostics& diag) {
  check_raw_html(book, diag, build_anchor_table(book));
}

}  // namespace colophon
