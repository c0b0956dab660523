// A thread that calls a function every period until it is stopped: the progress line, audit's
// hashing progress and the depth governor's sampling all run on one.
#ifndef REGSWEEP_CORE_PERIODIC_THREAD_H_
#define REGSWEEP_CORE_PERIODIC_THREAD_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace regsweep {

class PeriodicThread {
 public:
  // Starts a thread that calls `tick` every `period` (first after one period).
  PeriodicThread(std::chrono::milliseconds period, std::function<void()> tick);
  // Stops the thread: a tick under way finishes, no other starts; returns once it has ended.
  ~PeriodicThread();
  PeriodicThread(const PeriodicThread&) = delete;
  PeriodicThread& operator=(const PeriodicThread&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace regsweep

#endif  // REGSWEEP_CORE_PERIODIC_THREAD_H_
