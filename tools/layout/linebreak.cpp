// Stage "linebreak": Knuth and Plass's total-fit algorithm as a dynamic program over
// active breakpoints (one node per breakpoint, fitness class and hyphen run).
#include <algorithm>
#include <cmath>
#include <deque>

#include "core/work.h"
#include "layout/engine.h"

namespace colophon::layout {

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr int kFitnessClasses = 4;        // very loose, loose, decent, tight
constexpr int kDecent = 2;
constexpr double kVeryLooseBadness = 99;  // TeX: badness above this while stretching = very loose
constexpr double kLooseBadness = 12;      // TeX: badness above this = loose (or tight if shrinking)
constexpr double kRuleBreakFactor = 1e4;  // a broken rule (hyphen limit, overfull line) in the last
                                          // pass costs this many times a line of capped badness

// One breakpoint reached by the dynamic program. 24 bytes: a paragraph of a few
// megabytes has millions of them, and the line's totals come from Sums by index.
struct Node {
  int item = -1;          // index of the break item (-1 = paragraph start)
  int prev = -1;          // node of the previous break
  int start = 0;          // index of the item the next line starts at
  uint8_t fitness = kDecent;
  uint8_t hyphen_run = 0;  // consecutive hyphenated lines ending here
  double demerits = 0;    // total from the paragraph start
};

// Running sums of widths, stretch and shrink: sums[i] covers items [0, i).
struct Sums {
  std::vector<double> width, stretch, shrink;
  explicit Sums(const std::vector<Item>& items) {
    size_t n = items.size();
    width.resize(n + 1);
    stretch.resize(n + 1);
    shrink.resize(n + 1);
    for (size_t i = 0; i < n; ++i) {
      const Item& it = items[i];
      bool counts = it.type != Item::Type::Penalty;
      width[i + 1] = width[i] + (counts ? it.width : 0);
      stretch[i + 1] = stretch[i] + (it.type == Item::Type::Glue ? it.stretch : 0);
      shrink[i + 1] = shrink[i] + (it.type == Item::Type::Glue ? it.shrink : 0);
    }
  }
};

// Returns the index where the line after a break at B starts (discardables skipped).
size_t line_start(const std::vector<Item>& items, int b) {
  size_t i = static_cast<size_t>(b + 1);
  while (i < items.size() && items[i].type != Item::Type::Box &&
         !(items[i].type == Item::Type::Penalty && items[i].penalty <= -kInfPenalty))
    ++i;
  return i;
}

// Badness of a line with natural width W, stretch Y, shrink Z in MEASURE; RATIO gets
// the adjustment ratio (negative = shrinking); badness never exceeds CAP.
double badness(double w, double y, double z, double measure, double cap, double& ratio) {
  double shortfall = measure - w;
  if (shortfall > 1e-9) {
    if (y <= 0) {
      ratio = kInfinity;
      return cap;
    }
    ratio = shortfall / y;
  } else if (shortfall < -1e-9) {
    ratio = z > 0 ? shortfall / z : -kInfinity;
    if (ratio < -1) return kInfinity;
  } else {
    ratio = 0;
  }
  return std::min(cap, 100 * std::abs(ratio * ratio * ratio));
}

int fitness_of(double ratio, double bad) {
  if (ratio > 0) return bad > kVeryLooseBadness ? 0 : bad > kLooseBadness ? 1 : kDecent;
  return bad > kLooseBadness ? 3 : kDecent;
}

// Demerits of one line with badness BAD ending at ITEM (TeX's formula).
double line_demerits(const BreakParams& p, double bad, const Item& item) {
  double d = (p.line_penalty + bad) * (p.line_penalty + bad);
  if (item.type == Item::Type::Penalty) {
    if (item.penalty >= 0) d += item.penalty * item.penalty;
    else if (item.penalty > -kInfPenalty) d -= item.penalty * item.penalty;
  }
  return d;
}

}  // namespace

bool is_legal_break(const std::vector<Item>& items, size_t i) {
  const Item& it = items[i];
  if (it.type == Item::Type::Penalty) return it.penalty < kInfPenalty;
  if (it.type == Item::Type::Glue) return i > 0 && items[i - 1].type == Item::Type::Box;
  return false;
}

bool break_lines(const std::vector<Item>& items, const BreakParams& p, std::vector<int>& breaks,
                 double* total_demerits) {
  breaks.clear();
  if (items.empty()) return true;
  const Sums sums(items);
  const int max_run = std::max(0, p.max_hyphens);
  // Grown in blocks, never copied: a vector's doubling held up to three times the nodes.
  std::deque<Node> pool;
  std::vector<int> active;
  {
    Node start;  // the paragraph's first item is never discarded, even when it is glue
    pool.push_back(start);
    active.push_back(0);
  }
  // Best candidate per (fitness, hyphen run) at the current breakpoint; reused.
  struct Candidate {
    double demerits;
    int prev;
  };
  std::vector<Candidate> best(kFitnessClasses * (max_run + 1));

  for (size_t b = 0; b < items.size(); ++b) {
    if (!is_legal_break(items, b)) continue;
    const Item& item = items[b];
    const bool forced = item.type == Item::Type::Penalty && item.penalty <= -kInfPenalty;
    const bool hyphenated = item.type == Item::Type::Penalty && item.flagged;
    const bool last = b + 1 == items.size();
    std::fill(best.begin(), best.end(), Candidate{kInfinity, -1});
    bool any = false;
    double rescue_demerits = kInfinity;
    int rescue_prev = -1;
    size_t keep = 0;
    work::add(active.size() + 1);
    for (size_t k = 0; k < active.size(); ++k) {
      const int a = active[k];
      const Node& node = pool[a];
      double w = sums.width[b] - sums.width[node.start];
      if (item.type == Item::Type::Penalty) w += item.width;
      double y = sums.stretch[b] - sums.stretch[node.start] + p.line_end_stretch +
                 p.emergency_stretch;
      double z = sums.shrink[b] - sums.shrink[node.start];
      double ratio = 0;
      double bad = badness(w, y, z, p.measure, p.badness_cap, ratio);
      bool overfull = ratio < -1;
      if (overfull) {
        // Remember the least bad way out, in case nothing else survives (TeX's rescue).
        if (node.demerits < rescue_demerits) {
          rescue_demerits = node.demerits;
          rescue_prev = a;
        }
      } else if ((bad <= p.tolerance || p.rescue) &&
                 (p.rescue || !(hyphenated && node.hyphen_run >= max_run))) {
        double d = line_demerits(p, bad, item);
        // The last pass may exceed the hyphen limit rather than the measure.
        if (hyphenated && node.hyphen_run >= max_run)
          d += kRuleBreakFactor * p.badness_cap * p.badness_cap;
        if (hyphenated && node.hyphen_run > 0) d += p.double_hyphen_demerits;
        if (last && node.hyphen_run > 0) d += p.final_hyphen_demerits;
        int fit = fitness_of(ratio, bad);
        if (std::abs(fit - node.fitness) > 1) d += p.adj_demerits;
        d += node.demerits;
        int run = hyphenated ? std::min(node.hyphen_run + 1, max_run) : 0;
        Candidate& c = best[fit * (max_run + 1) + run];
        if (d < c.demerits) {
          c = {d, a};
          any = true;
        }
      }
      if (!overfull && !forced) active[keep++] = a;
    }
    active.resize(keep);
    if (p.rescue && !any && active.empty() && rescue_prev >= 0) {
      // Nothing feasible remains: break here anyway (an overfull line, never expected
      // because prepare splits every box wider than the measure).
      best[kDecent * (max_run + 1)] = {
          rescue_demerits + kRuleBreakFactor * p.badness_cap * p.badness_cap, rescue_prev};
      any = true;
    }
    if (!any) continue;
    // Exact pruning: (fit, run) is dominated by (fit2, run2) with run2 <= run when its
    // demerits exceed the other's by adj_demerits or more, since every continuation of
    // the first is open to the second and costs at most adj_demerits more there.
    for (int fit = 0; fit < kFitnessClasses; ++fit)
      for (int run = 0; run <= max_run; ++run) {
        Candidate& c = best[fit * (max_run + 1) + run];
        if (c.prev < 0) continue;
        for (int f2 = 0; f2 < kFitnessClasses && c.prev >= 0; ++f2)
          for (int r2 = 0; r2 <= run; ++r2) {
            if (f2 == fit && r2 == run) continue;
            const Candidate& o = best[f2 * (max_run + 1) + r2];
            double margin = p.adj_demerits;
            if (o.prev >= 0 && o.demerits + margin < c.demerits) {
              c.prev = -1;
              break;
            }
          }
      }
    size_t s = line_start(items, static_cast<int>(b));
    for (int fit = 0; fit < kFitnessClasses; ++fit) {
      for (int run = 0; run <= max_run; ++run) {
        const Candidate& c = best[fit * (max_run + 1) + run];
        if (c.prev < 0) continue;
        Node n;
        n.item = static_cast<int>(b);
        n.prev = c.prev;
        n.fitness = static_cast<uint8_t>(fit);
        n.hyphen_run = static_cast<uint8_t>(run);
        n.demerits = c.demerits;
        n.start = static_cast<int>(s);
        active.push_back(static_cast<int>(pool.size()));
        pool.push_back(n);
      }
    }
  }
  // The last item is a forced break: the active nodes now all end there.
  int best_node = -1;
  for (int a : active)
    if (pool[a].item == static_cast<int>(items.size()) - 1 &&
        (best_node < 0 || pool[a].demerits < pool[best_node].demerits))
      best_node = a;
  if (best_node < 0) return false;
  if (total_demerits) *total_demerits = pool[best_node].demerits;
  for (int n = best_node; n > 0; n = pool[n].prev) breaks.push_back(pool[n].item);
  std::reverse(breaks.begin(), breaks.end());
  return true;
}

double evaluate_breaks(const std::vector<Item>& items, const BreakParams& p,
                       const std::vector<int>& breaks) {
  const Sums sums(items);
  double total = 0;
  int prev = -1;
  int fitness = kDecent;
  int run = 0;
  for (size_t k = 0; k < breaks.size(); ++k) {
    size_t b = static_cast<size_t>(breaks[k]);
    if (b >= items.size() || !is_legal_break(items, b)) return kInfinity;
    const Item& item = items[b];
    size_t s = prev < 0 ? 0 : line_start(items, prev);
    double w = sums.width[b] - sums.width[s];
    if (item.type == Item::Type::Penalty) w += item.width;
    double y = sums.stretch[b] - sums.stretch[s] + p.line_end_stretch + p.emergency_stretch;
    double z = sums.shrink[b] - sums.shrink[s];
    double ratio = 0;
    double bad = badness(w, y, z, p.measure, p.badness_cap, ratio);
    if (ratio < -1 || (bad > p.tolerance && !p.rescue)) return kInfinity;
    bool hyphenated = item.type == Item::Type::Penalty && item.flagged;
    const int max_run = std::max(0, p.max_hyphens);
    if (hyphenated && run >= max_run && !p.rescue) return kInfinity;
    double d = line_demerits(p, bad, item);
    if (hyphenated && run >= max_run) d += kRuleBreakFactor * p.badness_cap * p.badness_cap;
    if (hyphenated && run > 0) d += p.double_hyphen_demerits;
    if (b + 1 == items.size() && run > 0) d += p.final_hyphen_demerits;
    int fit = fitness_of(ratio, bad);
    if (std::abs(fit - fitness) > 1) d += p.adj_demerits;
    total += d;
    fitness = fit;
    run = hyphenated ? std::min(run + 1, max_run) : 0;
    prev = static_cast<int>(b);
  }
  // Every forced break must be among the breaks, and the last must be the last item.
  if (breaks.empty() || static_cast<size_t>(breaks.back()) + 1 != items.size()) return kInfinity;
  for (size_t i = 0; i < items.size(); ++i)
    if (items[i].type == Item::Type::Penalty && items[i].penalty <= -kInfPenalty &&
        std::find(breaks.begin(), breaks.end(), static_cast<int>(i)) == breaks.end())
      return kInfinity;
  return total;
}

}  // namespace colophon::layout
