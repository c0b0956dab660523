// Turning log lines into pulls and counting the rest, for one buffer, one file or many files.
#include "gc/retention/access_log.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cstring>

#include "gc/retention/line_reader.h"
#include "gc/retention/log_line.h"

namespace regsweep {
namespace {

// Classifies one line into the stats and the pull log.
void TakeLine(std::string_view line, PullLog* pulls, AccessLogStats* stats) {
  ++stats->lines;
  LogRequest request;
  if (!ParseRequestLine(line, &request)) {
    ++stats->skipped_lines;
    return;
  }
  stats->first_request_ns = std::min(stats->first_request_ns, request.time_ns);
  stats->last_request_ns = std::max(stats->last_request_ns, request.time_ns);
  PullView pull;
  if (!IsManifestPull(request, &pull)) {
    ++stats->other_requests;
    return;
  }
  ++stats->pulls;
  pulls->Add(pull.repository, pull.reference, pull.time_ns);
}

}  // namespace

void AccessLogStats::Add(const AccessLogStats& other) {
  files += other.files;
  gzip_files += other.gzip_files;
  bytes += other.bytes;
  lines += other.lines;
  pulls += other.pulls;
  other_requests += other.other_requests;
  skipped_lines += other.skipped_lines;
  long_lines += other.long_lines;
  first_request_ns = std::min(first_request_ns, other.first_request_ns);
  last_request_ns = std::max(last_request_ns, other.last_request_ns);
}

void ParseAccessLog(std::string_view text, PullLog* pulls, AccessLogStats* stats) {
  stats->bytes += text.size();
  size_t start = 0;
  while (start < text.size()) {
    const void* newline = std::memchr(text.data() + start, '\n', text.size() - start);
    const size_t end = newline == nullptr
                           ? text.size()
                           : static_cast<size_t>(static_cast<const char*>(newline) - text.data());
    TakeLine(text.substr(start, end - start), pulls, stats);
    start = end + 1;
  }
}

bool ReadAccessLog(const std::string& path, PullLog* pulls, AccessLogStats* stats,
                   std::string* error) {
  LineReadStats read;
  AccessLogStats local;
  const bool ok = ForEachLogLine(
      path, [&](std::string_view line) { TakeLine(line, pulls, &local); }, &read, error);
  local.files = 1;
  local.gzip_files = read.gzip ? 1 : 0;
  local.bytes = read.bytes;
  local.long_lines = read.long_lines;
  local.lines += read.long_lines;
  local.skipped_lines += read.long_lines;
  stats->Add(local);
  return ok;
}

bool ReadAccessLogs(const std::vector<std::string>& paths, PullLog* pulls, AccessLogStats* stats,
                    std::string* error) {
  struct PerFile {
    PullLog pulls;
    AccessLogStats stats;
    std::string error;
    bool ok = false;
  };
  std::vector<PerFile> files(paths.size());
  tbb::parallel_for(size_t{0}, paths.size(), [&](size_t i) {
    files[i].ok = ReadAccessLog(paths[i], &files[i].pulls, &files[i].stats, &files[i].error);
  });
  for (PerFile& file : files) {
    if (!file.ok) {
      *error = file.error;
      return false;
    }
  }
  for (PerFile& file : files) {
    pulls->Merge(std::move(file.pulls));
    stats->Add(file.stats);
  }
  return true;
}

}  // namespace regsweep
