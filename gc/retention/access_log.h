// Pull times from the registry's own logs (`gc --access-log FILE...`): nothing on disk records
// a pull, so pulled_within and most_recently_pulled read what distribution logged.
//
// Every line of every file is read (formats: log_line.h; plain or gzip: line_reader.h). A pull
// is a GET with status 200 of /v2/<name>/manifests/<reference>; the reference is kept as
// logged, a tag or a digest, and resolved to a digest later (decide.h) through the tag's
// history. Other requests and lines that are not requests are skipped and counted. The same
// pull logged twice (the logrus line and the combined line, when both are enabled) is harmless:
// only the latest pull of an image matters.
//
// Speed: one pass of memchr-driven scanning, no regex, no allocation except the strings of a
// pull; see bench_access_log.cc (well above 100 MB/s per core).
#ifndef REGSWEEP_GC_RETENTION_ACCESS_LOG_H_
#define REGSWEEP_GC_RETENTION_ACCESS_LOG_H_

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "gc/retention/pull_log.h"

namespace regsweep {

struct AccessLogStats {
  uint64_t files = 0;
  uint64_t gzip_files = 0;
  uint64_t bytes = 0;  // bytes of log text (decompressed)
  uint64_t lines = 0;
  uint64_t pulls = 0;           // manifest pulls recorded
  uint64_t other_requests = 0;  // requests that are not a counted pull (HEAD, blobs, 404, ...)
  uint64_t skipped_lines = 0;   // lines that are not requests (including over-long ones)
  uint64_t long_lines = 0;      // of which longer than kMaxLogLineBytes
  // The span of request times seen, to tell when the logs cover less than a pulled_within
  // window (INT64_MAX / INT64_MIN when no request was seen).
  int64_t first_request_ns = std::numeric_limits<int64_t>::max();
  int64_t last_request_ns = std::numeric_limits<int64_t>::min();

  void Add(const AccessLogStats& other);
};

// Reads log text already in memory: every line, the last one with or without '\n'. Appends the
// pulls to *pulls and adds to *stats.
void ParseAccessLog(std::string_view text, PullLog* pulls, AccessLogStats* stats);

// Reads one log file, plain or gzip. False with *error ("PATH: reason") when it cannot be read
// completely: the caller must then not decide by pulls at all.
bool ReadAccessLog(const std::string& path, PullLog* pulls, AccessLogStats* stats,
                   std::string* error);

// Reads several files, in parallel (TBB); the pulls are merged in the order of `paths`. False
// with the first error (by path order) if any file fails.
bool ReadAccessLogs(const std::vector<std::string>& paths, PullLog* pulls, AccessLogStats* stats,
                    std::string* error);

}  // namespace regsweep

#endif  // REGSWEEP_GC_RETENTION_ACCESS_LOG_H_
