#include "pdf/deflate_queue.h"

#include <zlib.h>

#include <algorithm>
#include <new>
#include <system_error>

namespace colophon {

std::string deflate_bytes(std::string_view data, int level, int strategy) {
  z_stream z{};
  if (deflateInit2(&z, level, Z_DEFLATED, MAX_WBITS, MAX_MEM_LEVEL - 1, strategy) != Z_OK) {
    throw std::bad_alloc();
  }
  // The output grows as it fills, from a quarter of the bound: an image that compresses
  // well never costs its own size again, and none keeps the unused room (issue 13).
  const size_t bound = deflateBound(&z, static_cast<uLong>(data.size()));
  std::string out(std::min(bound, bound / 4 + 4096), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  int rc = Z_OK;
  while (true) {
    z.next_out = reinterpret_cast<Bytef*>(out.data() + z.total_out);
    z.avail_out = static_cast<uInt>(out.size() - z.total_out);
    rc = deflate(&z, Z_FINISH);
    if ((rc != Z_OK && rc != Z_BUF_ERROR) || out.size() >= bound) break;
    out.resize(std::min(bound, out.size() * 2));
  }
  out.resize(z.total_out);
  out.shrink_to_fit();
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::bad_alloc();
  return out;
}

DeflateQueue::DeflateQueue(int level) : level_(level) {
  try {
    worker_ = std::thread([this] { run_worker(); });
  } catch (const std::system_error&) {
    // No thread: take() compresses every item itself.
  }
}

DeflateQueue::~DeflateQueue() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  work_.notify_all();
  if (worker_.joinable()) worker_.join();
}

size_t DeflateQueue::add(std::string data) {
  size_t ticket;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ticket = items_.size();
    items_.push_back(std::move(data));
    states_.push_back(State::Pending);
  }
  work_.notify_one();
  return ticket;
}

void DeflateQueue::run_worker() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    work_.wait(lock, [&] { return stop_ || next_ < items_.size(); });
    if (stop_) return;
    const size_t index = next_++;
    if (states_[index] != State::Pending) continue;
    states_[index] = State::Working;
    compress(index, lock);
  }
}

void DeflateQueue::compress(size_t index, std::unique_lock<std::mutex>& lock) {
  // The vector may grow while we work unlocked: move the input out, the result back.
  std::string input = std::move(items_[index]);
  lock.unlock();
  std::string output;
  try {
    output = deflate_bytes(input, level_, Z_DEFAULT_STRATEGY);
  } catch (const std::bad_alloc&) {
    output.clear();  // take() reports an empty result as a failure
  }
  lock.lock();
  items_[index] = std::move(output);
  states_[index] = State::Done;
  done_.notify_all();
}

std::string DeflateQueue::take(size_t ticket) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (ticket >= states_.size() || states_[ticket] == State::Taken) return {};
  if (states_[ticket] == State::Pending) {
    states_[ticket] = State::Working;
    compress(ticket, lock);
  }
  done_.wait(lock, [&] { return states_[ticket] == State::Done; });
  states_[ticket] = State::Taken;
  return std::move(items_[ticket]);
}

}  // namespace colophon
