// assign_ids: chapter output names and book-wide unique element ids; the anchor table
// the link passes look fragments up in.
#include <filesystem>
#include <unordered_map>
#include <unordered_set>

#include "core/text.h"
#include "core/utf8.h"
#include "passes/common.h"
#include "passes/passes.h"
#include "passes/walk.h"

namespace colophon {

namespace {

// Output names the EPUB writer may use for its own documents.
constexpr const char* kReservedChapterIds[] = {"nav", "cover", "toc", "notes", "titlepage"};

// Where an element id was first defined, for collision messages.
struct Origin {
  std::string file;
  SourcePos pos;
  bool note = false;  // reserved by a footnote (note-N, noteref-N)
};

std::string where(const Origin& o) { return format_place(o.file, o.pos); }

// Turns a GitHub slug into a valid NCName: characters XML refuses become '-', a slug that
// cannot start a name gets a '_' in front, an empty one becomes "section".
std::string ncname_from_slug(const std::string& slug) {
  std::string out;
  bool first_ok = true;
  for (size_t i = 0; i < slug.size();) {
    size_t start = i;
    next_code_point(slug, i);
    std::string ch = slug.substr(start, i - start);
    if (out.empty()) first_ok = is_xml_ncname(ch);
    out += is_xml_ncname("a" + ch) ? ch : std::string("-");
  }
  if (out.empty()) return "section";
  return first_ok ? out : "_" + out;
}

// Tells whether B gets an id from its text: a heading, or a definition term written in
// Markdown (mdBook 0.5 makes terms linkable as it does headings, one slug count for both;
// a <dt> written as raw HTML is kept as written).
bool anchored(const Block& b) {
  return b.kind == BlockKind::Heading ||
         (b.kind == BlockKind::Div && b.element == "dt" && !b.raw_html);
}

// Gives the text B's id is made from: a heading's text, or a term's (its Plain's).
std::string anchor_text(const Block& b) {
  if (b.kind == BlockKind::Heading) return plain_text(b.inlines);
  std::string text;
  for (const Block& c : b.children) text += plain_text(c.inlines);
  return text;
}

// Calls F(heading) for every heading and Markdown definition term of chapter C, then of
// its notes, in document order.
template <typename F>
void for_each_heading(Book& book, int c, const std::vector<int>& notes, F&& f) {
  auto visit = [&](Block& b) {
    if (anchored(b)) f(b);
  };
  for_each_block(book.chapters[c].blocks, visit);
  for (int n : notes) for_each_block(book.notes[n].blocks, visit);
}

}  // namespace

void for_each_heading_slug(Book& book, int c, const std::vector<int>& chapter_notes,
                           const std::function<void(Block&, const std::string&)>& f) {
  std::unordered_set<std::string> seen;
  std::unordered_map<std::string, int> next;
  for_each_heading(book, c, chapter_notes, [&](Block& h) {
    std::string slug = github_slug(anchor_text(h));
    if (seen.count(slug)) {
      int& n = next[slug];
      if (n == 0) n = 1;
      // Built by appending: GCC 12 -O3 warns falsely (-Wrestrict) on "-" + to_string(n).
      auto numbered = [&slug](int k) {
        return std::string(slug).append(1, '-').append(std::to_string(k));
      };
      while (seen.count(numbered(n))) ++n;
      slug = numbered(n++);
    }
    seen.insert(slug);
    f(h, slug);
  });
}

void assign_ids(Book& book, Diagnostics& diag) {
  // Chapter output names.
  std::unordered_set<std::string> chapter_ids(std::begin(kReservedChapterIds),
                                              std::end(kReservedChapterIds));
  for (Chapter& ch : book.chapters) {
    std::string base =
        file_slug(std::filesystem::path(ch.source).stem().string(), SlugLetters::Ascii);
    if (base[0] >= '0' && base[0] <= '9') base = "ch-" + base;
    std::string id = base;
    for (int k = 2; chapter_ids.count(id); ++k) id = base + "-" + std::to_string(k);
    chapter_ids.insert(id);
    ch.id = id;
  }

  std::vector<std::vector<int>> groups = notes_by_chapter(book);
  std::unordered_map<std::string, Origin> taken;

  // Footnote ids first: note-N, noteref-N and noteref-N-K for the K-th reference.
  std::vector<int> refs(book.notes.size(), 0);
  auto count_ref = [&](Inline& in) {
    if (in.kind == InlineKind::NoteRef && in.note >= 0 &&
        in.note < static_cast<int>(book.notes.size()))
      ++refs[in.note];
  };
  for (Chapter& ch : book.chapters) for_each_inline_in_blocks(ch.blocks, count_ref);
  for (Note& n : book.notes) for_each_inline_in_blocks(n.blocks, count_ref);
  for (size_t i = 0; i < book.notes.size(); ++i) {
    Origin o{chapter_file(book, book.notes[i].chapter), book.notes[i].pos, true};
    std::string n = std::to_string(i + 1);
    taken.emplace("note-" + n, o);
    taken.emplace("noteref-" + n, o);
    for (int k = 2; k <= refs[i]; ++k) taken.emplace("noteref-" + n + "-" + std::to_string(k), o);
  }

  // Ids the author gave elements (raw HTML, attribute blocks): kept as written, so they
  // must not collide.
  for (size_t c = 0; c < book.chapters.size(); ++c) {
    std::string file = chapter_file(book, static_cast<int>(c));
    std::vector<std::string> found;
    auto take = [&](const std::string& id, SourcePos pos) {
      if (id.empty()) return;
      if (!is_xml_ncname(id)) {
        diag.error(file, pos, "invalid id '" + id + "'",
                   "an id starts with a letter or '_' and holds no spaces");
        return;
      }
      auto [it, inserted] = taken.emplace(id, Origin{file, pos, false});
      if (inserted) {
        found.push_back(id);
      } else if (it->second.note) {
        diag.error(file, pos, "id '" + id + "' is reserved for footnotes",
                   "rename it; note-N and noteref-N name the book's notes");
      } else {
        diag.error(file, pos, "id '" + id + "' is already defined at " + where(it->second),
                   "ids must be unique in the whole book; rename one of them");
      }
    };
    auto take_inline = [&](Inline& in) { take(in.attr.id, in.pos); };
    auto take_list = [&](std::vector<Inline>& list) { for_each_inline(list, take_inline); };
    auto take_block = [&](Block& b) {  // in document order: the block, then its text
      if (!anchored(b)) take(b.attr.id, b.pos);
      for_each_own_inline_list(b, take_list);
    };
    auto take_all = [&](std::vector<Block>& blocks) { for_each_block(blocks, take_block); };
    take_all(book.chapters[c].blocks);
    for (int n : groups[c]) take_all(book.notes[n].blocks);
    book.chapters[c].raw_ids = std::move(found);
  }

  // Heading ids: GitHub slugs, unique across the book ("intro", "intro-1", ...).
  std::unordered_map<std::string, int> next;
  for (size_t c = 0; c < book.chapters.size(); ++c) {
    std::string file = chapter_file(book, static_cast<int>(c));
    for_each_heading(book, static_cast<int>(c), groups[c], [&](Block& h) {
      auto give = [&](const std::string& base) {  // BASE, or BASE-N when it is taken
        std::string id = base;
        if (taken.count(id)) {
          int& n = next[base];
          if (n == 0) n = 1;
          while (taken.count(base + "-" + std::to_string(n))) ++n;
          id = base + "-" + std::to_string(n++);
        }
        taken.emplace(id, Origin{file, h.pos, false});
        h.attr.id = id;
      };
      if (!h.attr.id.empty()) {  // set by the reader: keep it if it is usable
        if (!is_xml_ncname(h.attr.id)) {
          // pandoc's "sec:intro", mdBook's "1-intro": valid ids in HTML, made names XML
          // takes as slugs are; links to the id as written still reach the heading.
          std::string written = h.attr.id;
          give(ncname_from_slug(written));
          book.chapters[c].id_aliases.emplace_back(written, h.attr.id);
        } else if (auto [it, inserted] = taken.emplace(h.attr.id, Origin{file, h.pos, false});
                   !inserted) {
          diag.error(file, h.pos,
                     "id '" + h.attr.id + "' is already defined at " + where(it->second),
                     "ids must be unique in the whole book; rename one of them");
        }
        return;
      }
      give(ncname_from_slug(github_slug(anchor_text(h))));
    });
  }
}

AnchorTable build_anchor_table(Book& book) {
  AnchorTable t;
  t.by_chapter.resize(book.chapters.size());
  std::vector<std::vector<int>> groups = notes_by_chapter(book);
  for (size_t c = 0; c < book.chapters.size(); ++c) {
    auto& m = t.by_chapter[c];
    auto add = [&](const std::string& id) {
      if (id.empty()) return;
      m.emplace(id, id);
      t.chapter_of.emplace(id, static_cast<int>(c));
    };
    for_each_heading(book, static_cast<int>(c), groups[c], [&](Block& h) { add(h.attr.id); });
    for (const std::string& id : book.chapters[c].raw_ids) add(id);
    for (const auto& [written, id] : book.chapters[c].id_aliases) {
      m.emplace(written, id);
      t.chapter_of.emplace(written, static_cast<int>(c));
    }
    for (int n : groups[c]) {
      add(book.notes[n].id);
      add(book.notes[n].ref_id);
    }
    for_each_heading_slug(book, static_cast<int>(c), groups[c],
                          [&](Block& h, const std::string& slug) {
                            if (!h.attr.id.empty()) m.emplace(slug, h.attr.id);
                          });
  }
  return t;
}

}  // namespace colophon
