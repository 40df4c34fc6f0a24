// Helper threads for work that the calling thread shares with them.
#pragma once
#include <cstddef>
#include <functional>
#include <thread>
#include <vector>

namespace colophon {

// Returns how many threads can run beside the calling one: the machine's cores less
// one (0 on one core, or when the count is unknown).
size_t spare_cores();

// Starts COUNT threads, each running BODY, and returns those that started: fewer when
// the system refuses more threads, so the caller must be able to do all the work
// itself. The caller joins them. Their work units go to the caller's work::Account.
std::vector<std::thread> start_threads(size_t count, const std::function<void()>& body);

// Joins THREADS on every way out of a scope, an exception included (a joinable
// std::thread destroyed ends the process): STOP is called first and must make them
// finish soon, typically by marking the shared work as all taken.
class ThreadJoiner {
 public:
  ThreadJoiner(std::vector<std::thread>& threads, std::function<void()> stop)
      : threads_(threads), stop_(std::move(stop)) {}
  ThreadJoiner(const ThreadJoiner&) = delete;
  ThreadJoiner& operator=(const ThreadJoiner&) = delete;
  ~ThreadJoiner() {
    stop_();
    join();
  }
  // Waits for the threads (they finish the work on their own); safe to call again.
  void join() {
    for (std::thread& t : threads_)
      if (t.joinable()) t.join();
  }

 private:
  std::vector<std::thread>& threads_;
  std::function<void()> stop_;
};

}  // namespace colophon
