// number_notes: shown numbers in order of first reference, unique element ids.
#include <string>
#include <vector>

#include "passes/common.h"
#include "passes/passes.h"
#include "passes/walk.h"

namespace colophon {

void number_notes(Book& book, Diagnostics&) {
  // The reader already reported undefined, unused and duplicate notes; this pass only
  // numbers. Numbers follow the order readers meet the references in (as pandoc and
  // GitHub do), notes referenced only from other notes come after the note that cites
  // them, and unreferenced notes last in their chapter.
  int n_notes = static_cast<int>(book.notes.size());
  for (int i = 0; i < n_notes; ++i) {
    book.notes[i].id = "note-" + std::to_string(i + 1);
    book.notes[i].ref_id = "noteref-" + std::to_string(i + 1);
  }
  std::vector<std::vector<int>> groups = notes_by_chapter(book);
  std::vector<char> numbered(n_notes, 0);
  int continuous = 0;
  for (size_t c = 0; c < book.chapters.size(); ++c) {
    std::vector<int> order;
    auto meet = [&](Inline& in) {
      if (in.kind != InlineKind::NoteRef || in.note < 0 || in.note >= n_notes) return;
      if (book.notes[in.note].chapter != static_cast<int>(c) || numbered[in.note]) return;
      numbered[in.note] = 1;
      order.push_back(in.note);
    };
    for_each_inline_in_blocks(book.chapters[c].blocks, meet);
    for (size_t k = 0; k < order.size(); ++k)  // grows while notes cite notes
      for_each_inline_in_blocks(book.notes[order[k]].blocks, meet);
    for (int i : groups[c]) {
      if (numbered[i]) continue;
      numbered[i] = 1;
      order.push_back(i);
      for (size_t k = order.size() - 1; k < order.size(); ++k)
        for_each_inline_in_blocks(book.notes[order[k]].blocks, meet);
    }
    int per_chapter = 0;
    for (int i : order) {
      ++continuous;
      ++per_chapter;
      book.notes[i].number =
          book.note_options.numbering == NoteOptions::Numbering::PerChapter ? per_chapter
                                                                            : continuous;
    }
    book.chapters[c].notes = std::move(order);  // listed in the order of their numbers
  }
  for (int i = 0; i < n_notes; ++i)  // notes outside any chapter (should not happen)
    if (!numbered[i]) book.notes[i].number = ++continuous;
}

}  // namespace colophon
