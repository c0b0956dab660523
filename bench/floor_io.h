// The plain POSIX reads the floor programs (audit_floor, gc_floor) are made of: list a folder,
// open one below another, read a small file, find the repositories. No checks, no error
// reports: a floor measures the machine, not regsweep.
#ifndef REGSWEEP_BENCH_FLOOR_IO_H_
#define REGSWEEP_BENCH_FLOOR_IO_H_

#include <functional>
#include <string>
#include <vector>

namespace regsweep::bench {

// Names in the folder `fd` (left open), without . and ..
std::vector<std::string> List(int fd);
// Opens the folder `name` below `parent` (never following a symlink); -1 when it cannot.
int OpenDir(int parent, const std::string& name);
// Reads `relative` below `dir` (at most 256 bytes); empty when it cannot.
std::string ReadSmall(int dir, const std::string& relative);
// Parses a floor program's `[--depth N] ROOT`; *depth is `default_depth` (0: one per core)
// unless given. False without ROOT.
bool ParseFloorArguments(int argc, char** argv, unsigned* depth, const char** root,
                         unsigned default_depth = 0);
// Runs task(i) for every i < count on `threads` threads (each a blocking reader).
void RunTasks(size_t count, unsigned threads, const std::function<void(size_t)>& task);
// Repository folders (those holding `_layers`) below the open `repositories` folder, as paths
// relative to it, at any depth, sorted; each level of folders is listed on `threads` threads.
std::vector<std::string> FindRepositories(int repositories, unsigned threads = 1);

}  // namespace regsweep::bench

#endif  // REGSWEEP_BENCH_FLOOR_IO_H_
