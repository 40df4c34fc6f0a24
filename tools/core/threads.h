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
// itself. The caller joins them.
std::vector<std::thread> start_threads(size_t count, const std::function<void()>& body);

}  // namespace colophon
