// Work counting: the hot loops of every stage add the units they go through (characters
// cut, breakpoints tried, elements opened) to a per-thread counter, so that a test proves
// an algorithm linear by counting, deterministically, instead of timing it on a machine
// that may be busy. One plain add per unit. A stage that runs on several threads sums
// them in an Account: each thread charges its units to it (start_threads charges a
// helper thread to the account of the thread that started it), and `colophon build
// --stats` prints each stage's account.
#pragma once
#include <atomic>
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

// The units of one stage, summed over the threads that charge to it.
class Account {
 public:
  // Returns the units charged so far.
  uint64_t units() const { return units_.load(std::memory_order_relaxed); }
  // Adds N units.
  void add(uint64_t n) { units_.fetch_add(n, std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> units_{0};
};

namespace detail {
inline thread_local Account* account = nullptr;
}  // namespace detail

// Returns the account the calling thread charges to, or null.
inline Account* current_account() { return detail::account; }

// Charges the units the calling thread counts while it is alive to ACCOUNT (null: to
// none), which becomes the thread's current account until then.
class Charge {
 public:
  explicit Charge(Account* account)
      : account_(account), previous_(detail::account), meter_() {
    detail::account = account;
  }
  ~Charge() {
    if (account_) account_->add(meter_.units());
    detail::account = previous_;
  }
  Charge(const Charge&) = delete;
  Charge& operator=(const Charge&) = delete;

 private:
  Account* account_;
  Account* previous_;
  Meter meter_;
};

}  // namespace colophon::work
