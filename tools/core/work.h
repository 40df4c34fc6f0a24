// Work counting: the hot loops of every stage add the units they go through (characters
// cut, breakpoints tried, elements opened) to a per-thread counter, so that a test proves
// an algorithm linear by counting, deterministically, instead of timing it on a machine
// that may be busy. One relaxed add per unit; nothing else reads it.
#pragma once
#include <cstdint>

namespace colophon::work {

namespace detail {
inline thread_local uint64_t counter = 0;
}  // namespace detail

// Adds N units of work done by the calling thread.
inline void add(uint64_t n = 1) { detail::counter += n; }

// Returns the units of work the calling thread has done so far.
inline uint64_t done() { return detail::counter; }

// Counts the work the calling thread does while one of these is alive.
class Meter {
 public:
  Meter() : start_(done()) {}
  // Returns the units counted since construction.
  uint64_t units() const { return done() - start_; }

 private:
  uint64_t start_;
};

}  // namespace colophon::work
