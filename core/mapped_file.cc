// Windowed mmap of a file into a ChunkSink, with a per-thread SIGBUS guard.
#include "core/mapped_file.h"

#include <sys/mman.h>

#include <algorithm>
#include <csetjmp>
#include <csignal>
#include <mutex>

namespace regsweep {
namespace {

// 16 MiB: large enough that mapping costs nothing next to hashing, small enough that a huge
// layer never pins gigabytes of page tables.
constexpr uint64_t kWindow = uint64_t{16} << 20;

// Where this thread's guarded Consume resumes after a SIGBUS; nullptr outside one.
thread_local sigjmp_buf* t_resume = nullptr;

void OnSigbus(int signal_number) {
  if (t_resume != nullptr) siglongjmp(*t_resume, 1);
  // Not raised by a guarded mapping: die as if no handler were installed.
  std::signal(signal_number, SIG_DFL);
  std::raise(signal_number);
}

void InstallSigbusHandlerOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction action = {};
    action.sa_handler = OnSigbus;
    sigemptyset(&action.sa_mask);
    sigaction(SIGBUS, &action, nullptr);
  });
}

// Hands `length` mapped bytes at `data` to the sink; false when a page faulted with SIGBUS.
// Only trivially destructible objects live between sigsetjmp and the jump (ChunkSink's
// contract says the same of Consume).
bool ConsumeGuarded(ChunkSink& sink, const void* data, size_t length) {
  sigjmp_buf resume;
  if (sigsetjmp(resume, 1) != 0) {
    t_resume = nullptr;
    return false;
  }
  t_resume = &resume;
  sink.Consume(static_cast<const unsigned char*>(data), length);
  t_resume = nullptr;
  return true;
}

}  // namespace

bool ConsumeMappedFile(int fd, uint64_t length, ChunkSink& sink) {
  InstallSigbusHandlerOnce();
  for (uint64_t offset = 0; offset < length; offset += kWindow) {
    const auto window = static_cast<size_t>(std::min(kWindow, length - offset));
    void* data =
        mmap(nullptr, window, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, static_cast<off_t>(offset));
    if (data == MAP_FAILED) return false;
    const bool complete = ConsumeGuarded(sink, data, window);
    munmap(data, window);
    if (!complete) return false;
  }
  return true;
}

}  // namespace regsweep
