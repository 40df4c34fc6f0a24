#include "core/threads.h"

#include <system_error>

namespace colophon {

size_t spare_cores() {
  unsigned cores = std::thread::hardware_concurrency();
  return cores > 1 ? cores - 1 : 0;
}

std::vector<std::thread> start_threads(size_t count, const std::function<void()>& body) {
  std::vector<std::thread> threads;
  for (size_t i = 0; i < count; ++i) {
    try {
      threads.emplace_back(body);
    } catch (const std::system_error&) {
      break;
    }
  }
  return threads;
}

}  // namespace colophon
