// PeriodicThread: a condition variable wait with a timeout, in a loop.
#include "core/periodic_thread.h"

#include <utility>

namespace regsweep {

PeriodicThread::PeriodicThread(std::chrono::milliseconds period, std::function<void()> tick)
    : thread_([this, period, tick = std::move(tick)] {
        std::unique_lock<std::mutex> lock(mutex_);
        while (!wake_.wait_for(lock, period, [this] { return stop_; })) {
          lock.unlock();
          tick();
          lock.lock();
        }
      }) {}

PeriodicThread::~PeriodicThread() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

}  // namespace regsweep
