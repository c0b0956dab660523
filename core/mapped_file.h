// Handing a range of an open file to a ChunkSink through a read-only memory mapping, for the
// POSIX blob stream's large files.
//
// read() copies every byte out of the page cache before the sink sees it; handing the sink the
// mapped page cache pages directly skips that copy (about 12% more hashing throughput on large
// layers, see docs/performance.md). A mapping has one hazard a read does not: if the file
// shrinks while it is mapped, touching a page past the new end raises SIGBUS, which would kill
// the process. So the sink runs under a per-thread guard: a SIGBUS raised while this thread is
// in the sink's Consume of a mapping abandons that call and returns here as a failure, and the
// caller reads the file instead (ChunkSink's contract allows the abandoned call). A SIGBUS
// raised anywhere else keeps its default action.
#ifndef REGSWEEP_CORE_MAPPED_FILE_H_
#define REGSWEEP_CORE_MAPPED_FILE_H_

#include <cstdint>

#include "core/blob_stream.h"

namespace regsweep {

// Hands bytes [0, length) of `fd` to `sink.Consume`, one mapped window (16 MiB) at a time; does
// not call Begin(). False when a window could not be mapped or the file shrank underneath
// (SIGBUS): the sink then holds a part only and must be started again.
bool ConsumeMappedFile(int fd, uint64_t length, ChunkSink& sink);

}  // namespace regsweep

#endif  // REGSWEEP_CORE_MAPPED_FILE_H_
