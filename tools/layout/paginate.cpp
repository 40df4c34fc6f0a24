// Stage "paginate": a greedy page builder over the vertical list (TeX's, with a ragged
// bottom): each page ends at the last legal breakpoint that fits, counting the
// footnotes its lines reference; notes that do not fit continue on the next page.
#include "layout/paginate.h"

#include <algorithm>

#include "core/work.h"

namespace colophon::layout {

namespace {

constexpr double kFitSlack = 0.01;          // points of rounding tolerated when fitting
constexpr double kMinFigureScale = 0.6;     // a figure may shrink this far to fit a page
constexpr int kMinNoteLinesOnRefPage = 2;   // lines of a note that must share its reference's page
constexpr double kMaxCarryShare = 0.5;      // of the page: continued notes required on one page

// One footnote line waiting for a page.
struct NoteLine {
  int note;
  int line;
};

class Paginator {
 public:
  Paginator(const FlowResult& flow, const std::vector<std::vector<VItem>>& notes,
            const PageSpec& spec, std::deque<VItem>& owned)
      : flow_(flow), notes_(notes), spec_(spec), owned_(owned),
        placed_note_(notes.size(), 0) {}

  std::vector<BodyPage> run() {
    size_t i = 0;
    const auto& items = flow_.items;
    bool want_recto = false;
    while (true) {
      // Discard glue and penalties at the top of a page; remember forced recto breaks.
      while (i < items.size() && items[i].kind != VItem::Kind::Box) {
        if (items[i].kind == VItem::Kind::Penalty && items[i].recto) want_recto = true;
        ++i;
      }
      if (i >= items.size() && carry_.empty()) break;
      if (want_recto && spec_.two_sided && pages_.size() % 2 == 1) {
        BodyPage blank;
        blank.blank = true;
        pages_.push_back(std::move(blank));
      }
      want_recto = false;
      i = build_page(i, want_recto);
    }
    return std::move(pages_);
  }

 private:
  // Height the footnotes need at least when NOTES (in order) are referenced on the page.
  double required_foot(const std::vector<int>& notes) const {
    double h = std::min(carry_height_, spec_.height * kMaxCarryShare);
    for (size_t k = 0; k < notes.size(); ++k) {
      const auto& lines = notes_[notes[k]];
      size_t need = k + 1 < notes.size() ? lines.size()
                                         : std::min(lines.size(), size_t(kMinNoteLinesOnRefPage));
      work::add(need + 1);
      for (size_t l = 0; l < need; ++l) h += lines[l].height;
    }
    return h > 0 ? h + spec_.foot_separator : 0;
  }

  bool fits(double body_h, const std::vector<int>& notes) const {
    return body_h + required_foot(notes) <= spec_.height + kFitSlack;
  }

  // Adds the notes of BOX not yet placed (nor pending) to NOTES.
  void add_notes(const VItem& box, std::vector<int>& notes) const {
    for (int n : box.notes) {
      if (n < 0 || n >= static_cast<int>(notes_.size()) || notes_[n].empty() || placed_note_[n])
        continue;
      if (std::find(notes.begin(), notes.end(), n) == notes.end()) notes.push_back(n);
    }
  }

  // Builds one page from item I; returns the index the next page starts at.
  size_t build_page(size_t i, bool& want_recto) {
    const auto& items = flow_.items;
    BodyPage page;
    std::vector<Placed> body;
    double h = 0;
    // A page that starts inside a table repeats the table's header.
    if (i < items.size() && items[i].table_header >= 0 &&
        items[i].table_header < static_cast<int>(flow_.table_headers.size())) {
      for (const VItem& hv : flow_.table_headers[items[i].table_header]) {
        body.push_back({&hv, h});
        h += hv.height;
      }
    }
    carry_height_ = 0;
    for (const NoteLine& l : carry_) carry_height_ += notes_[l.note][l.line].height;
    std::vector<int> notes;
    struct Snapshot {
      size_t item = 0;
      size_t body = 0;
      size_t notes = 0;
      double h = 0;
    };
    Snapshot best;
    bool have_best = false;
    bool has_box = false;
    size_t j = i;
    size_t next = items.size();
    bool ended = false;
    for (; j < items.size(); ++j) {
      const VItem& it = items[j];
      work::add();
      if (it.kind == VItem::Kind::Penalty) {
        if (has_box && it.penalty < kInfPenalty) {
          best = {j, body.size(), notes.size(), h};
          have_best = true;
        }
        if (has_box && it.penalty <= -kInfPenalty) {
          if (it.recto) want_recto = true;
          next = j + 1;
          ended = true;
          break;
        }
        continue;
      }
      if (it.kind == VItem::Kind::Glue) {
        if (has_box && j > 0 && items[j - 1].kind == VItem::Kind::Box) {
          best = {j, body.size(), notes.size(), h};
          have_best = true;
        }
        h += it.height;
        continue;
      }
      if (it.notes.empty() && fits(h + it.height, notes)) {
        body.push_back({&it, h});
        h += it.height;
        has_box = true;
        continue;
      }
      std::vector<int> with = notes;
      add_notes(it, with);
      if (fits(h + it.height, with)) {
        body.push_back({&it, h});
        h += it.height;
        notes = std::move(with);
        has_box = true;
        continue;
      }
      // A figure may shrink to fit the rest of the page.
      if (it.image_height > 0) {
        double room = spec_.height - h - required_foot(with);
        double s = (room - (it.height - it.image_height)) / it.image_height;
        if (s >= kMinFigureScale && s < 1) {
          const VItem& scaled = scale_figure(it, s);
          body.push_back({&scaled, h});
          h += scaled.height;
          notes = std::move(with);
          has_box = true;
          continue;
        }
      }
      if (have_best) {
        body.resize(best.body);
        notes.resize(best.notes);
        h = best.h;
        next = best.item + 1;
        if (items[best.item].kind == VItem::Kind::Penalty && items[best.item].recto)
          want_recto = true;
      } else if (has_box) {
        next = j;  // nothing legal fits: break before this box rather than overflow
      } else {
        body.push_back({&it, h});  // a box taller than the page: it goes alone
        h += it.height;
        notes = std::move(with);
        next = j + 1;
      }
      ended = true;
      break;
    }
    if (!ended) next = items.size();

    // Footnotes: continued lines first, but never so many that a note referenced here
    // must wait; then the notes referenced here, as many lines as fit.
    double own_required = 0;
    for (size_t k = 0; k < notes.size(); ++k) {
      const auto& lines = notes_[notes[k]];
      size_t need = k + 1 < notes.size() ? lines.size()
                                         : std::min(lines.size(), size_t(kMinNoteLinesOnRefPage));
      for (size_t l = 0; l < need; ++l) own_required += lines[l].height;
    }
    const double room = spec_.height - h - spec_.foot_separator;
    std::vector<NoteLine> placed, rest;
    double used = 0;
    for (const NoteLine& l : carry_) {
      double lh = notes_[l.note][l.line].height;
      bool first = placed.empty() && notes.empty();
      if (rest.empty() && (used + lh <= room - own_required + kFitSlack || first)) {
        placed.push_back(l);
        used += lh;
      } else {
        rest.push_back(l);
      }
    }
    bool stop = false;
    for (int n : notes) {
      placed_note_[n] = 1;
      for (size_t l = 0; l < notes_[n].size(); ++l) {
        double lh = notes_[n][l].height;
        NoteLine nl{n, static_cast<int>(l)};
        if (!stop && (used + lh <= room + kFitSlack || placed.empty())) {
          placed.push_back(nl);
          used += lh;
        } else {
          stop = true;
          rest.push_back(nl);
        }
      }
    }
    carry_ = std::move(rest);
    if (!placed.empty()) {
      page.foot_top = spec_.height - used - spec_.foot_separator;
      double y = spec_.height - used;
      for (const NoteLine& l : placed) {
        const VItem& line = notes_[l.note][l.line];
        page.notes.push_back({&line, y});
        y += line.height;
      }
    }
    page.body = std::move(body);
    for (const Placed& p : page.body) {
      if (p.item->opening) page.opening = true;
    }
    for (const Placed& p : page.body)
      if (p.item->chapter >= 0 || p.item->opening) {
        page.chapter = p.item->chapter;
        break;
      }
    pages_.push_back(std::move(page));
    return next;
  }

  const VItem& scale_figure(const VItem& it, double s) {
    VItem v = it;
    double cut = it.image_height * (1 - s);
    // The figure's image comes first; images inside its caption move up with its text.
    for (size_t k = 0; k < v.content.images.size(); ++k) {
      ImageBox& im = v.content.images[k];
      if (k > 0) {
        im.y -= cut;
        continue;
      }
      double w = im.width * s;
      im.x += (im.width - w) / 2;
      im.width = w;
      im.height *= s;
    }
    for (TextRun& t : v.content.texts) t.y -= cut;
    for (LinkArea& l : v.content.links) l.y -= cut;
    v.image_height *= s;
    v.height -= cut;
    owned_.push_back(std::move(v));
    return owned_.back();
  }

  const FlowResult& flow_;
  const std::vector<std::vector<VItem>>& notes_;
  const PageSpec& spec_;
  std::deque<VItem>& owned_;
  std::vector<char> placed_note_;
  std::vector<NoteLine> carry_;
  double carry_height_ = 0;
  std::vector<BodyPage> pages_;
};

}  // namespace

std::vector<BodyPage> paginate(const FlowResult& flow,
                               const std::vector<std::vector<VItem>>& note_lines,
                               const PageSpec& spec, std::deque<VItem>& owned) {
  return Paginator(flow, note_lines, spec, owned).run();
}

}  // namespace colophon::layout
