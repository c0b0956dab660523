// Reading a log file line by line, plain or gzip-compressed (as logrotate leaves rotated logs:
// app.log.1, app.log.2.gz), told apart by the gzip magic bytes, not by the file name.
//
// Lines are handed out as views into an internal buffer, valid during the callback only. A
// line longer than kMaxLogLineBytes is skipped (and counted); a last line without '\n' is
// handed out too. A gzip file may hold several members one after the other (`cat a.gz b.gz`);
// a truncated or corrupt one is an error, because pulls missing from the logs would make
// pulled_within drop images that were in use.
#ifndef REGSWEEP_GC_RETENTION_LINE_READER_H_
#define REGSWEEP_GC_RETENTION_LINE_READER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace regsweep {

inline constexpr size_t kMaxLogLineBytes = size_t{1} << 20;

struct LineReadStats {
  uint64_t bytes = 0;       // bytes of text read (after decompression)
  uint64_t long_lines = 0;  // lines skipped for being longer than kMaxLogLineBytes
  bool gzip = false;        // the file was gzip-compressed
};

// Calls on_line for every line of the file at `path` (without its '\n'). False with *error
// ("PATH: reason") when the file cannot be opened or read or its compression is broken; the
// lines before the error have been handed out.
bool ForEachLogLine(const std::string& path, const std::function<void(std::string_view)>& on_line,
                    LineReadStats* stats, std::string* error);

}  // namespace regsweep

#endif  // REGSWEEP_GC_RETENTION_LINE_READER_H_
