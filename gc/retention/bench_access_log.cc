// Benchmark: how many MB of registry log the access-log reader parses per second on one core
// (issue 15 asks for at least 100 MB/s). Generates, once, logs of more than 100 MB in each of
// distribution's formats with the field layout of docker-registry 2.8's real output (see
// tests/retention/fixtures/): a realistic mix of manifest pulls by tag and by digest, blob
// downloads, HEAD requests, pushes, 404s and non-request lines. Then parses them from memory
// (the scanner alone) and from files, plain and gzip (reading and inflating included).
//
//   build/gc/retention/bench_access_log [--benchmark_filter=Text]
#include <benchmark/benchmark.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "gc/retention/access_log.h"

namespace regsweep {
namespace {

constexpr size_t kTargetBytes = size_t{110} << 20;

enum class Format { kText, kJson, kCombined };

class LogGenerator {
 public:
  explicit LogGenerator(Format format) : format_(format) {}

  std::string Generate(size_t bytes) {
    std::string out;
    out.reserve(bytes + 4096);
    while (out.size() < bytes) AppendLine(&out);
    return out;
  }

 private:
  std::string Hex(size_t digits) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex(digits, '0');
    for (char& c : hex) c = kHex[random_() % 16];
    return hex;
  }

  std::string Uuid() { return Hex(8) + "-" + Hex(4) + "-" + Hex(4) + "-" + Hex(4) + "-" + Hex(12); }

  void AppendLine(std::string* out) {
    now_ns_ += static_cast<int64_t>(random_() % 50000000);
    const std::string repo =
        "team" + std::to_string(random_() % 20) + "/app" + std::to_string(random_() % 50);
    const uint64_t kind = random_() % 100;
    std::string method = "GET";
    std::string uri;
    int status = 200;
    std::string type = "application/octet-stream";
    if (kind < 3) {  // not a request: a start-up or storage message
      AppendMessage(out, "redis not configured");
      return;
    }
    if (kind < 25) {  // pull by tag
      uri = "/v2/" + repo + "/manifests/v1." + std::to_string(random_() % 30) + "." +
            std::to_string(random_() % 10);
      type = "application/vnd.oci.image.manifest.v1+json";
    } else if (kind < 35) {  // pull by digest
      uri = "/v2/" + repo + "/manifests/sha256:" + Hex(64);
      type = "application/vnd.oci.image.manifest.v1+json";
    } else if (kind < 42) {  // HEAD of a tag
      method = "HEAD";
      uri = "/v2/" + repo + "/manifests/latest";
      type = "application/vnd.oci.image.index.v1+json";
    } else if (kind < 90) {  // blob download
      uri = "/v2/" + repo + "/blobs/sha256:" + Hex(64);
    } else if (kind < 95) {  // upload
      method = "PATCH";
      status = 202;
      uri = "/v2/" + repo + "/blobs/uploads/" + Uuid() + "?_state=" + Hex(120);
    } else {  // unknown tag
      uri = "/v2/" + repo + "/manifests/nosuchtag";
      status = 404;
      type = "application/json; charset=utf-8";
    }
    AppendRequest(out, method, uri, status, type);
  }

  std::string Rfc3339() const {
    const int64_t seconds = now_ns_ / 1000000000;
    char buffer[64];
    std::snprintf(buffer, sizeof(buffer), "2026-12-05T%02d:%02d:%02d.%09dZ",
                  static_cast<int>(seconds / 3600 % 24), static_cast<int>(seconds / 60 % 60),
                  static_cast<int>(seconds % 60), static_cast<int>(now_ns_ % 1000000000));
    return buffer;
  }

  std::string Apache() const {
    const int64_t seconds = now_ns_ / 1000000000;
    char buffer[64];
    std::snprintf(buffer, sizeof(buffer), "05/Dec/2026:%02d:%02d:%02d +0000",
                  static_cast<int>(seconds / 3600 % 24), static_cast<int>(seconds / 60 % 60),
                  static_cast<int>(seconds % 60));
    return buffer;
  }

  void AppendMessage(std::string* out, const std::string& message) {
    if (format_ == Format::kJson) {
      *out += "{\"go.version\":\"go1.19.8\",\"instance.id\":\"" + Uuid() +
              "\",\"level\":\"info\",\"msg\":\"" + message + "\",\"time\":\"" + Rfc3339() +
              "\",\"version\":\"2.8.2+ds1\"}\n";
    } else {
      // The combined log has no such lines; a text line stands in (a file may mix formats).
      *out += "time=\"" + Rfc3339() + "\" level=info msg=\"" + message +
              "\" go.version=go1.19.8 instance.id=" + Uuid() + " version=2.8.2+ds1\n";
    }
  }

  void AppendRequest(std::string* out, const std::string& method, const std::string& uri,
                     int status, const std::string& type) {
    const std::string remote = "10.1." + std::to_string(random_() % 256) + "." +
                               std::to_string(random_() % 256) + ":" +
                               std::to_string(30000 + random_() % 30000);
    const std::string written = std::to_string(200 + random_() % 30000);
    const std::string duration = std::to_string(random_() % 40) + "." + Hex(6) + "ms";
    const bool needs_quotes = uri.find_first_of(":?=") != std::string::npos;
    switch (format_) {
      case Format::kText:
        *out += "time=\"" + Rfc3339() + "\" level=" + (status < 400 ? "info" : "error") +
                " msg=\"response completed" + (status < 400 ? "" : " with error") +
                "\" go.version=go1.19.8 http.request.host=\"registry.example.com:5000\" "
                "http.request.id=" +
                Uuid() + " http.request.method=" + method + " http.request.remoteaddr=\"" + remote +
                "\" http.request.uri=" + (needs_quotes ? "\"" + uri + "\"" : uri) +
                " http.request.useragent=\"containerd/1.7.2\" http.response.contenttype=\"" + type +
                "\" http.response.duration=" + duration +
                " http.response.status=" + std::to_string(status) +
                " http.response.written=" + written + "\n";
        break;
      case Format::kJson:
        *out +=
            "{\"go.version\":\"go1.19.8\",\"http.request.host\":\"registry.example.com:5000\","
            "\"http.request.id\":\"" +
            Uuid() + "\",\"http.request.method\":\"" + method +
            "\",\"http.request.remoteaddr\":\"" + remote + "\",\"http.request.uri\":\"" + uri +
            "\",\"http.request.useragent\":\"containerd/1.7.2\","
            "\"http.response.contenttype\":\"" +
            type + "\",\"http.response.duration\":\"" + duration +
            "\",\"http.response.status\":" + std::to_string(status) +
            ",\"http.response.written\":" + written + ",\"level\":\"" +
            (status < 400 ? "info" : "error") + "\",\"msg\":\"response completed" +
            (status < 400 ? "" : " with error") + "\",\"time\":\"" + Rfc3339() + "\"}\n";
        break;
      case Format::kCombined:
        *out += remote.substr(0, remote.find(':')) + " - - [" + Apache() + "] \"" + method + " " +
                uri + " HTTP/1.1\" " + std::to_string(status) + " " + written +
                " \"\" \"containerd/1.7.2\"\n";
        break;
    }
  }

  Format format_;
  std::mt19937_64 random_{42};
  int64_t now_ns_ = 0;
};

const std::string& Log(Format format) {
  static const std::string text = LogGenerator(Format::kText).Generate(kTargetBytes);
  static const std::string json = LogGenerator(Format::kJson).Generate(kTargetBytes);
  static const std::string combined = LogGenerator(Format::kCombined).Generate(kTargetBytes);
  switch (format) {
    case Format::kText:
      return text;
    case Format::kJson:
      return json;
    case Format::kCombined:
      break;
  }
  return combined;
}

void ParseFromMemory(benchmark::State& state, Format format) {
  const std::string& log = Log(format);
  AccessLogStats stats;
  for (auto _ : state) {
    (void)_;
    PullLog pulls;
    stats = AccessLogStats();
    ParseAccessLog(log, &pulls, &stats);
    benchmark::DoNotOptimize(pulls.size());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * log.size()));
  state.counters["lines"] = static_cast<double>(stats.lines);
  state.counters["pulls"] = static_cast<double>(stats.pulls);
}

void BM_ParseText(benchmark::State& state) { ParseFromMemory(state, Format::kText); }
void BM_ParseJson(benchmark::State& state) { ParseFromMemory(state, Format::kJson); }
void BM_ParseCombined(benchmark::State& state) { ParseFromMemory(state, Format::kCombined); }

// A temporary file holding the text log, plain or gzip; removed at exit.
const std::string& LogFile(bool gzip) {
  static std::string paths[2];
  std::string& path = paths[gzip ? 1 : 0];
  if (!path.empty()) return path;
  char name[] = "/tmp/bench_access_log.XXXXXX";
  const int fd = mkstemp(name);
  if (fd < 0) std::abort();
  path = name;
  const std::string& log = Log(Format::kText);
  if (gzip) {
    gzFile out = gzdopen(fd, "wb6");
    if (out == nullptr || gzwrite(out, log.data(), static_cast<unsigned>(log.size())) <= 0) {
      std::abort();
    }
    gzclose(out);
  } else {
    if (write(fd, log.data(), log.size()) != static_cast<ssize_t>(log.size())) std::abort();
    close(fd);
  }
  std::atexit([] {
    for (const std::string& p : paths) {
      if (!p.empty()) unlink(p.c_str());
    }
  });
  return path;
}

void ReadFile(benchmark::State& state, bool gzip) {
  const std::string& path = LogFile(gzip);
  AccessLogStats stats;
  for (auto _ : state) {
    (void)_;
    PullLog pulls;
    stats = AccessLogStats();
    std::string error;
    if (!ReadAccessLog(path, &pulls, &stats, &error)) state.SkipWithError(error.c_str());
    benchmark::DoNotOptimize(pulls.size());
  }
  // Throughput in bytes of log text, also for gzip (what the 100 MB/s is about).
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * stats.bytes));
  state.counters["pulls"] = static_cast<double>(stats.pulls);
}

void BM_ReadPlainFile(benchmark::State& state) { ReadFile(state, false); }
void BM_ReadGzipFile(benchmark::State& state) { ReadFile(state, true); }

BENCHMARK(BM_ParseText)->Unit(benchmark::kMillisecond)->MinTime(2);
BENCHMARK(BM_ParseJson)->Unit(benchmark::kMillisecond)->MinTime(2);
BENCHMARK(BM_ParseCombined)->Unit(benchmark::kMillisecond)->MinTime(2);
BENCHMARK(BM_ReadPlainFile)->Unit(benchmark::kMillisecond)->MinTime(2);
BENCHMARK(BM_ReadGzipFile)->Unit(benchmark::kMillisecond)->MinTime(2);

}  // namespace
}  // namespace regsweep

BENCHMARK_MAIN();
