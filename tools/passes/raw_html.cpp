// check_raw_html: raw HTML tags balance inside their container; raw links and images
// point somewhere the EPUB has.
#include <string>
#include <unordered_map>
#include <vector>

#include "passes/common.h"
#include "passes/passes.h"
#include "passes/walk.h"
#include "core/work.h"

namespace colophon {

namespace {

struct OpenTag {
  std::string name;
  SourcePos pos;
  int phrasing = -1;  // index of the innermost phrasing-only element at or below this one
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

// The raw elements open in one container, with what each tag needs at hand: the innermost
// phrasing-only element and how many of each name are open (scanning the stack for them
// on every tag was quadratic: 100,000 nested <div> took over a minute).
class TagStack {
 public:
  const std::vector<OpenTag>& tags() const { return tags_; }
  size_t size() const { return tags_.size(); }
  // Tells how many NAME elements are open.
  int open(const std::string& name) const {
    auto it = open_.find(name);
    return it == open_.end() ? 0 : it->second;
  }
  void push(const std::string& name, SourcePos pos) {
    int below = tags_.empty() ? -1 : tags_.back().phrasing;
    int self = static_cast<int>(tags_.size());
    tags_.push_back({name, pos, phrasing_only(name) ? self : below});
    ++open_[name];
  }
  // Drops the elements from index K up.
  void pop_to(size_t k) {
    while (tags_.size() > k) {
      --open_[tags_.back().name];
      tags_.pop_back();
    }
  }
  // Returns the innermost open element that takes only phrasing content, if any.
  const OpenTag* innermost_phrasing() const {
    return tags_.empty() || tags_.back().phrasing < 0 ? nullptr : &tags_[tags_.back().phrasing];
  }

 private:
  std::vector<OpenTag> tags_;
  std::unordered_map<std::string, int> open_;
};

class RawChecker {
 public:
  RawChecker(Book& book, Diagnostics& diag, const AnchorTable& anchors)
      : book_(book), diag_(diag), anchors_(anchors) {}

  void run() {
    std::vector<std::vector<int>> groups = notes_by_chapter(book_);
    for (size_t c = 0; c < book_.chapters.size(); ++c) {
      chapter_ = static_cast<int>(c);
      file_ = chapter_file(book_, chapter_);
      too_deep_ = false;
      check_blocks(book_.chapters[c].blocks);
      for (int n : groups[c]) check_blocks(book_.notes[n].blocks);
    }
  }

 private:
  // Applies one tag to STACK: pushes starts, pops matching ends, reports the rest.
  void apply(TagStack& stack, const HtmlTag& t, const char* level, bool in_paragraph = false) {
    if (too_deep_) return;  // reported once; the balance of what follows means nothing
    work::add();
    if (t.open) {
      if (depth_ + raw_open_ + 1 > kMaxNestingDepth) {
        diag_.error(file_, t.pos,
                    "more than " + std::to_string(kMaxNestingDepth) +
                        " nested blocks, inlines and raw HTML elements",
                    "flatten the nesting of <" + t.name +
                        "> and other raw HTML elements, block quotes, lists and emphasis");
        too_deep_ = true;
        return;
      }
      if (!in_paragraph && is_block_element(t.name)) {
        if (const OpenTag* p = stack.innermost_phrasing())
          diag_.error(file_, t.pos,
                      "block element <" + t.name + "> inside <" + p->name + "> opened at " +
                          at(p->pos),
                      "close the <" + p->name + "> first, or use <div> instead of <" + p->name +
                          ">");
      }
      stack.push(t.name, t.pos);
      ++raw_open_;
      return;
    }
    if (stack.open(t.name) > 0) {
      // Every element above the match is popped here, once: linear over the chapter.
      const std::vector<OpenTag>& tags = stack.tags();
      size_t k = tags.size();
      while (tags[--k].name != t.name) work::add();
      for (size_t j = tags.size(); j-- > k + 1;)
        diag_.error(file_, tags[j].pos,
                    "<" + tags[j].name + "> is not closed before </" + t.name + "> at " +
                        at(t.pos),
                    "add </" + tags[j].name + "> before </" + t.name + ">");
      raw_open_ -= tags.size() - k;
      stack.pop_to(k);
      return;
    }
    std::string hint = "remove it, or add the matching <" + t.name + "> " + level;
    for (size_t o = outer_.size(); o-- > 0;) {
      bool found = false;
      if (outer_[o]->open(t.name) == 0) continue;
      for (const OpenTag& ot : outer_[o]->tags())
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

  void report_unclosed(const TagStack& stack, const char* level) {
    raw_open_ -= stack.size();
    if (too_deep_) return;
    for (const OpenTag& o : stack.tags())
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
    TagStack stack;
    ++depth_;
    for (Block& b : blocks) {
      if (b.kind == BlockKind::RawBlock) {
        HtmlFragment f = rescan_html(b.text, b.pos);
        for (const HtmlTag& t : f.tags) apply(stack, t, "at this block level");
        check_urls(f);
        continue;
      }
      if (const OpenTag* p = stack.innermost_phrasing(); p && !too_deep_)
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
    --depth_;
  }

  void check_inlines(std::vector<Inline>& list) {
    TagStack stack;
    ++depth_;
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
    --depth_;
  }

  Book& book_;
  Diagnostics& diag_;
  const AnchorTable& anchors_;
  int chapter_ = 0;
  std::string file_;
  std::vector<TagStack*> outer_;
  size_t depth_ = 0;       // blocks and inlines around the current list (model levels)
  size_t raw_open_ = 0;    // raw elements open in every container around it
  bool too_deep_ = false;  // this chapter passed kMaxNestingDepth (reported once)
};

}  // namespace

void check_raw_html(Book& book, Diagnostics& diag, const AnchorTable& anchors) {
  RawChecker(book, diag, anchors).run();
}

void check_raw_html(Book& book, Diagnostics& diag) {
  check_raw_html(book, diag, build_anchor_table(book));
}

}  // namespace colophon
