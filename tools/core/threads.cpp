#include "core/threads.h"

#include <system_error>

#include "core/work.h"

namespace colophon {

size_t spare_cores() {
  unsigned cores = std::thread::hardware_concurrency();
  return cores > 1 ? cores - 1 : 0;
}

std::vector<std::thread> start_threads(size_t count, const std::function<void()>& body) {
  std::vector<std::thread> threads;
  work::Account* account = work::current_account();
  for (size_t i = 0; i < count; ++i) {
    try {
      // Each thread's work counts for the stage that started it (--stats).
      threads.emplace_back([body, account] {
        work::Charge charge(account);
        body();
      });
    } catch (const std::system_error&) {
      break;
    }
  }
  return threads;
}

}  // namespace colophon
