// How many reads regsweep keeps in flight, independent of how many cores it computes on.
//
// On a cold cache, a network file system or a remote store every read is a wait, and a scan
// that issues one read per core leaves the device idle most of the time. The phases that read
// the registry (scan, manifests, the plan's examination of blob data, audit's hashing) run
// inside RunWithIoDepth: their parallel loops then run on `depth` threads, so up to `depth`
// blocking reads are outstanding at once while the parsing and hashing between them share the
// cores; when no read waits (a warm cache), core/depth_governor.h lets only as many threads run
// as there are cores. Phases that only compute (mark, plan, reports) run outside it, on one
// thread per core.
#ifndef REGSWEEP_CORE_IO_DEPTH_H_
#define REGSWEEP_CORE_IO_DEPTH_H_

#include <functional>

namespace regsweep {

// The default `--io-depth`, measured (docs/performance.md, issue 13): with 1 ms per request it
// makes gc 50x faster than depth 1, and on a cold local disk deeper queues gained nothing more.
// A ThreadSanitizer build (tests only) uses 8: every thread costs many times more there, and 8
// in flight exercise the same races.
#ifdef REGSWEEP_THREAD_SANITIZER
inline constexpr unsigned kDefaultIoDepth = 8;
#else
inline constexpr unsigned kDefaultIoDepth = 64;
#endif

// The largest `--jobs` or `--io-depth` accepted: beyond it threads cost more than they gain.
inline constexpr unsigned kMaxThreads = 1024;

// Runs `work` with up to `depth` (at least 1) of its parallel tasks in flight at once.
void RunWithIoDepth(unsigned depth, const std::function<void()>& work);

// Runs `work` (a whole command) computing on `jobs` threads, while allowing the reading phases
// inside it to run RunWithIoDepth(io_depth). TBB honours the smallest thread limit in force, so
// a command sets its limits here, once, rather than capping the process at `jobs`. With more
// requests in flight than jobs, it also limits glibc's malloc arenas to `jobs` (at least 2).
void RunWithThreads(unsigned jobs, unsigned io_depth, const std::function<void()>& work);

}  // namespace regsweep

#endif  // REGSWEEP_CORE_IO_DEPTH_H_
