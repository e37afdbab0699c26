// Runs jobs on at most N threads; the first failure stops jobs not yet
// started and is rethrown once every running job has returned.
#ifndef BERTH_OCI_PARALLEL_H_
#define BERTH_OCI_PARALLEL_H_

#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace berth::oci {

inline void ForEachBounded(size_t count, int limit, const std::function<void(size_t index)>& job) {
  if (count == 0) return;
  size_t threads = std::min<size_t>(count, size_t(std::max(1, limit)));
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr first;
  std::mutex mutex;
  auto work = [&] {
    while (!failed.load()) {
      size_t index = next.fetch_add(1);
      if (index >= count) return;
      try {
        job(index);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!first) first = std::current_exception();
        failed = true;
      }
    }
  };
  if (threads == 1) {
    work();
  } else {
    std::vector<std::thread> pool;
    for (size_t i = 0; i < threads; ++i) pool.emplace_back(work);
    for (auto& thread : pool) thread.join();
  }
  if (first) std::rethrow_exception(first);
}

}  // namespace berth::oci

#endif  // BERTH_OCI_PARALLEL_H_
