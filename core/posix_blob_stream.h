// The local filesystem's BlobStream: what PosixTreeReader::OpenStream returns.
//
// The file is opened beneath its folder without following symbolic links and non-blocking, and
// checked to be a regular file (fstat) before any read, so a FIFO or device in its place is
// never read. A file of up to 1 MiB is read in 1 MiB reads; a short read that reaches the size
// fstat gave ends it, so a small file costs one open, fstat, read and close. A larger one is
// announced as read sequentially (posix_fadvise) and handed over from read-only mappings with
// no copy (core/mapped_file.h); when a mapping fails or the file shrinks while mapped, it is
// read in 1 MiB chunks instead, from the start.
#ifndef REGSWEEP_CORE_POSIX_BLOB_STREAM_H_
#define REGSWEEP_CORE_POSIX_BLOB_STREAM_H_

#include <memory>
#include <string_view>

#include "core/blob_stream.h"

namespace regsweep {

// Opens `relative` beneath the open folder `dirfd` for streaming (see TreeReader::OpenStream):
// a stream when facts->status is kOk, nullptr otherwise.
std::unique_ptr<BlobStream> OpenPosixBlobStream(int dirfd, std::string_view relative,
                                                OpenedFacts* facts);

}  // namespace regsweep

#endif  // REGSWEEP_CORE_POSIX_BLOB_STREAM_H_
