// One line of a distribution registry's log: is it a request, and is that request a manifest
// pull? Hand-written scanners over std::string_view (no regex, no allocation), for the three
// formats the registry writes, recognised line by line (a file may mix them):
//
// - logrus text, `log.formatter: text` (the default), on stderr:
//     time="2026-12-05T11:04:11.39321459Z" level=info msg="response completed" ...
//     http.request.method=GET ... http.request.uri=/v2/team/app/manifests/v1 ...
//     http.response.status=200 http.response.written=477
//   Values are quoted (Go %q) only when they hold characters outside [A-Za-z0-9-._/@^+]: a
//   tag URI is bare, a digest URI ("sha256:...") or one with a query is quoted.
// - logrus JSON lines, `log.formatter: json` (and `logstash`, whose time and message keys are
//   "@timestamp" and "message"): one flat object per line, keys sorted, the status a number:
//     {...,"http.request.method":"GET",...,"http.request.uri":"/v2/team/app/manifests/v1",
//      ...,"http.response.status":200,...,"msg":"response completed","time":"2026-..."}
// - the Apache combined log of gorilla's CombinedLoggingHandler (`log.accesslog`, on stdout):
//     127.0.0.1 - - [05/Dec/2026:11:04:11 +0000] "GET /v2/team/app/manifests/v1 HTTP/1.1"
//     200 477 "" "skopeo/1.9.3"
//
// A line may carry a prefix, as `journalctl` prints it ("Dec 05 11:04:11 host
// docker-registry[812]: time=..."). The logrus formats log a request when it completes
// ("response completed", status 2xx/3xx, or "response completed with error"), with the time it
// completed; the combined log with the time it started. logrus text written to a terminal
// (colored, no date) has no usable time and is not read.
#ifndef REGSWEEP_GC_RETENTION_LOG_LINE_H_
#define REGSWEEP_GC_RETENTION_LOG_LINE_H_

#include <cstdint>
#include <string_view>

namespace regsweep {

enum class LogFormat { kLogrusText, kLogrusJson, kCombined };

// A request read from one line; views into the line.
struct LogRequest {
  LogFormat format = LogFormat::kLogrusText;
  std::string_view method;  // "GET"
  std::string_view uri;     // the request URI as logged (quoted forms still escaped)
  int status = 0;           // HTTP status
  int64_t time_ns = 0;      // nanoseconds since the epoch, UTC
};

// Reads a request line in any of the formats; false for anything else (start-up messages,
// other log lines, lines without a readable time, method, URI or status).
bool ParseRequestLine(std::string_view line, LogRequest* request);

// Splits a manifest URI, "/v2/<name>/manifests/<reference>" (a query string is ignored), into
// its repository name and reference, a tag or a digest. False when the path is anything else,
// when the name or reference is not valid (core/names.h, core/digest.h), or when the URI holds
// '%' or '\' (percent-encoded or escaped names are never valid ones).
bool ParseManifestUri(std::string_view uri, std::string_view* repository,
                      std::string_view* reference);

// A pull: what the retention rules count.
struct PullView {
  std::string_view repository;
  std::string_view reference;  // tag or "sha256:<hex>"
  int64_t time_ns = 0;
};

// True when the request is a manifest pull that counts: GET, status 200, manifest URI. (HEAD
// only asks for the digest: clients that resolve a tag with HEAD then GET the digest, which
// counts for every tag pointing at it.)
bool IsManifestPull(const LogRequest& request, PullView* pull);

}  // namespace regsweep

#endif  // REGSWEEP_GC_RETENTION_LOG_LINE_H_
