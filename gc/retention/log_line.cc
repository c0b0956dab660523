// Scanners for the three request-log formats of distribution (see log_line.h).
#include "gc/retention/log_line.h"

#include <cstring>

#include "core/digest.h"
#include "core/names.h"
#include "core/timestamps.h"

namespace regsweep {
namespace {

constexpr size_t kNpos = std::string_view::npos;
constexpr std::string_view kResponseCompleted = "response completed";

size_t Find(std::string_view text, size_t from, char c) {
  if (from >= text.size()) return kNpos;
  const void* hit = std::memchr(text.data() + from, c, text.size() - from);
  return hit == nullptr ? kNpos : static_cast<size_t>(static_cast<const char*>(hit) - text.data());
}

size_t FindText(std::string_view text, size_t from, std::string_view needle) {
  if (from >= text.size()) return kNpos;
  const void* hit = memmem(text.data() + from, text.size() - from, needle.data(), needle.size());
  return hit == nullptr ? kNpos : static_cast<size_t>(static_cast<const char*>(hit) - text.data());
}

// The closing '"' of a quoted string whose opening quote is at `open` (backslash escapes, as in
// Go's %q and in JSON, are skipped), or kNpos.
size_t ClosingQuote(std::string_view text, size_t open) {
  size_t from = open + 1;
  while (true) {
    const size_t quote = Find(text, from, '"');
    if (quote == kNpos) return kNpos;
    size_t backslashes = 0;
    while (quote - backslashes > open + 1 && text[quote - backslashes - 1] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return quote;
    from = quote + 1;
  }
}

// An HTTP status of three digits.
bool ParseStatus(std::string_view text, int* status) {
  if (text.size() != 3) return false;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *status = value;
  return true;
}

// The fields of a logrus entry that make a request (raw values, quotes removed).
struct LogrusFields {
  std::string_view time, method, uri, status;
  bool request = false;  // msg starts with "response completed"
  bool seen_msg = false;

  bool Complete() const {
    return seen_msg && !time.empty() && !method.empty() && !uri.empty() && !status.empty();
  }

  // Records one field; false when the entry is known not to be a request.
  bool Take(std::string_view key, std::string_view value, bool is_string) {
    switch (key.size()) {
      case 3:  // msg
      case 7:  // message (logstash)
        if (key == "msg" || key == "message") {
          seen_msg = true;
          request = value.substr(0, kResponseCompleted.size()) == kResponseCompleted;
          return request;
        }
        break;
      case 4:   // time
      case 10:  // @timestamp (logstash)
        if ((key == "time" || key == "@timestamp") && is_string) time = value;
        break;
      case 16:
        if (key == "http.request.uri" && is_string) uri = value;
        break;
      case 19:
        if (key == "http.request.method" && is_string) method = value;
        break;
      case 20:
        if (key == "http.response.status") status = value;
        break;
      default:
        break;
    }
    return true;
  }

  bool ToRequest(LogFormat format, LogRequest* request_out) const {
    if (!Complete() || !request) return false;
    const std::optional<int64_t> ns = ParseRfc3339(time);
    if (!ns || !ParseStatus(status, &request_out->status)) return false;
    request_out->format = format;
    request_out->method = method;
    request_out->uri = uri;
    request_out->time_ns = *ns;
    return true;
  }
};

// logrus text from `start` (where "time=" begins): space-separated key=value pairs.
bool ParseLogrusText(std::string_view line, size_t start, LogRequest* request) {
  LogrusFields fields;
  size_t pos = start;
  while (pos < line.size() && !fields.Complete()) {
    const size_t equals = Find(line, pos, '=');
    if (equals == kNpos) break;
    const std::string_view key = line.substr(pos, equals - pos);
    if (key.find(' ') != kNpos) return false;
    size_t value_start = equals + 1;
    size_t value_end = 0;
    if (value_start < line.size() && line[value_start] == '"') {
      value_end = ClosingQuote(line, value_start);
      if (value_end == kNpos) return false;
      pos = value_end + 1;
      ++value_start;
    } else {
      value_end = Find(line, value_start, ' ');
      if (value_end == kNpos) value_end = line.size();
      pos = value_end;
    }
    if (pos < line.size()) {
      if (line[pos] != ' ') return false;
      ++pos;
    }
    if (!fields.Take(key, line.substr(value_start, value_end - value_start), /*is_string=*/true)) {
      return false;
    }
  }
  return fields.ToRequest(LogFormat::kLogrusText, request);
}

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

size_t SkipSpace(std::string_view text, size_t pos) {
  while (pos < text.size() && IsJsonSpace(text[pos])) ++pos;
  return pos;
}

// The end of a JSON value that is not a string (number, literal, object, array), or kNpos.
size_t SkipJsonValue(std::string_view text, size_t pos) {
  int depth = 0;
  while (pos < text.size()) {
    const char c = text[pos];
    if (c == '"') {
      pos = ClosingQuote(text, pos);
      if (pos == kNpos) return kNpos;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return pos;
      --depth;
    } else if (depth == 0 && (c == ',' || IsJsonSpace(c))) {
      return pos;
    }
    ++pos;
  }
  return depth == 0 ? pos : kNpos;
}

// logrus JSON: a flat object starting at `open` ('{').
bool ParseLogrusJson(std::string_view line, size_t open, LogRequest* request) {
  LogrusFields fields;
  size_t pos = open + 1;
  while (!fields.Complete()) {
    pos = SkipSpace(line, pos);
    if (pos >= line.size()) return false;
    if (line[pos] == '}') break;
    if (line[pos] != '"') return false;
    const size_t key_end = ClosingQuote(line, pos);
    if (key_end == kNpos) return false;
    const std::string_view key = line.substr(pos + 1, key_end - pos - 1);
    pos = SkipSpace(line, key_end + 1);
    if (pos >= line.size() || line[pos] != ':') return false;
    pos = SkipSpace(line, pos + 1);
    if (pos >= line.size()) return false;
    std::string_view value;
    const bool is_string = line[pos] == '"';
    if (is_string) {
      const size_t value_end = ClosingQuote(line, pos);
      if (value_end == kNpos) return false;
      value = line.substr(pos + 1, value_end - pos - 1);
      pos = value_end + 1;
    } else {
      const size_t value_end = SkipJsonValue(line, pos);
      if (value_end == kNpos || value_end == pos) return false;
      value = line.substr(pos, value_end - pos);
      pos = value_end;
    }
    if (!fields.Take(key, value, is_string)) return false;
    pos = SkipSpace(line, pos);
    if (pos < line.size() && line[pos] == ',') ++pos;
  }
  return fields.ToRequest(LogFormat::kLogrusJson, request);
}

// Apache combined: ... [05/Dec/2026:11:04:11 +0000] "GET /uri HTTP/1.1" 200 477 "ref" "ua"
bool ParseCombined(std::string_view line, LogRequest* request) {
  constexpr size_t kTimeWidth = 26;
  for (size_t open = Find(line, 0, '['); open != kNpos; open = Find(line, open + 1, '[')) {
    const size_t close = open + 1 + kTimeWidth;
    if (close + 2 >= line.size() || line[close] != ']' || line[close + 1] != ' ' ||
        line[close + 2] != '"') {
      continue;
    }
    const std::optional<int64_t> ns = ParseApacheTime(line.substr(open + 1, kTimeWidth));
    if (!ns) continue;
    const size_t method_start = close + 3;
    const size_t method_end = Find(line, method_start, ' ');
    if (method_end == kNpos || method_end == method_start) return false;
    const size_t uri_end = Find(line, method_end + 1, ' ');
    if (uri_end == kNpos || uri_end == method_end + 1) return false;
    const size_t proto_end = Find(line, uri_end + 1, '"');
    if (proto_end == kNpos || line.substr(uri_end + 1, 5) != "HTTP/") return false;
    const size_t status_start = proto_end + 2;
    if (proto_end + 1 >= line.size() || line[proto_end + 1] != ' ' ||
        !ParseStatus(line.substr(status_start, 3), &request->status) ||
        (status_start + 3 < line.size() && line[status_start + 3] != ' ')) {
      return false;
    }
    request->format = LogFormat::kCombined;
    request->method = line.substr(method_start, method_end - method_start);
    request->uri = line.substr(method_end + 1, uri_end - method_end - 1);
    request->time_ns = *ns;
    return true;
  }
  return false;
}

}  // namespace

bool ParseRequestLine(std::string_view line, LogRequest* request) {
  const size_t first = SkipSpace(line, 0);
  if (first < line.size() && line[first] == '{') return ParseLogrusJson(line, first, request);
  constexpr std::string_view kTimeKey = "time=\"";
  if (line.substr(first, kTimeKey.size()) == kTimeKey) {
    return ParseLogrusText(line, first, request);
  }
  if (ParseCombined(line, request)) return true;
  // A prefix (journalctl, syslog) before a logrus line.
  for (size_t from = first;;) {
    const size_t hit = FindText(line, from, kTimeKey);
    if (hit == kNpos) break;
    if (hit > 0 && line[hit - 1] == ' ') {
      if (ParseLogrusText(line, hit, request)) return true;
      break;
    }
    from = hit + 1;
  }
  const size_t object = FindText(line, first, "{\"");
  return object != kNpos && ParseLogrusJson(line, object, request);
}

bool ParseManifestUri(std::string_view uri, std::string_view* repository,
                      std::string_view* reference) {
  constexpr std::string_view kPrefix = "/v2/";
  constexpr std::string_view kManifests = "/manifests";
  if (uri.substr(0, kPrefix.size()) != kPrefix) return false;
  // One pass (find_first_of would call memchr once per character): cut the query or fragment,
  // refuse percent-encoding and escapes.
  for (size_t i = 0; i < uri.size(); ++i) {
    const char c = uri[i];
    if (c == '?' || c == '#') {
      uri = uri.substr(0, i);
      break;
    }
    if (c == '%' || c == '\\') return false;
  }
  const size_t slash = uri.rfind('/');
  const std::string_view head = uri.substr(0, slash);
  if (head.size() <= kPrefix.size() + kManifests.size() ||
      head.substr(head.size() - kManifests.size()) != kManifests) {
    return false;
  }
  const std::string_view name =
      head.substr(kPrefix.size(), head.size() - kPrefix.size() - kManifests.size());
  const std::string_view ref = uri.substr(slash + 1);
  if (!IsValidRepositoryName(name)) return false;
  if (!IsValidTag(ref) && !Digest::Parse(ref)) return false;
  *repository = name;
  *reference = ref;
  return true;
}

bool IsManifestPull(const LogRequest& request, PullView* pull) {
  if (request.method != "GET" || request.status != 200) return false;
  if (!ParseManifestUri(request.uri, &pull->repository, &pull->reference)) return false;
  pull->time_ns = request.time_ns;
  return true;
}

}  // namespace regsweep
