// zlib compression for the PDF writer: one call for a whole buffer, and a queue that
// compresses page contents on a worker thread while the pages are being drawn.
#pragma once
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace colophon {

// Compresses DATA into one zlib stream at LEVEL (0-9) with zlib's STRATEGY
// (Z_DEFAULT_STRATEGY, Z_RLE ...). Throws std::bad_alloc when zlib runs out of memory.
std::string deflate_bytes(std::string_view data, int level, int strategy);

// Compresses byte strings at one zlib level on a worker thread while the caller goes
// on; each result is taken back by the ticket add() gave, in any order, and take()
// compresses an item itself when the worker has not started on it yet.
class DeflateQueue {
 public:
  // Starts the worker; without a thread to be had, take() does all the work.
  explicit DeflateQueue(int level);
  // Stops the worker after the item in hand; untaken results are dropped.
  ~DeflateQueue();
  DeflateQueue(const DeflateQueue&) = delete;
  DeflateQueue& operator=(const DeflateQueue&) = delete;

  // Queues DATA for compression and returns its ticket.
  size_t add(std::string data);
  // Returns the compressed bytes of TICKET (once), waiting for the worker if needed.
  std::string take(size_t ticket);

 private:
  enum class State { Pending, Working, Done, Taken };
  void run_worker();
  // Compresses item INDEX, which the caller has marked Working, and publishes it.
  void compress(size_t index, std::unique_lock<std::mutex>& lock);

  const int level_;
  std::vector<std::string> items_;  // input while Pending or Working, output once Done
  std::vector<State> states_;
  size_t next_ = 0;  // the first item the worker has not looked at
  bool stop_ = false;
  std::mutex mutex_;
  std::condition_variable work_;
  std::condition_variable done_;
  std::thread worker_;
};

}  // namespace colophon
