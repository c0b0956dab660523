// The S3 client's transport (core/s3/s3_client.h): one thread drives every caller's transfer in a
// curl multi handle. A caller describes its request as a Call, hands it over and blocks on the
// Call's completion; the thread starts attempts as free slots, rate tokens and retry times allow
// (signing each one afresh), and settles each finished transfer as an answer, a retry later or a
// failure. The caller then reads the Call and nothing else, so a call still waiting while the
// client is destroyed returns safely.
#include "core/s3/s3_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <ctime>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <utility>

#include "core/timestamps.h"

namespace regsweep::s3 {
namespace {

using Clock = std::chrono::steady_clock;
using Params = std::vector<std::pair<std::string, std::string>>;

// The most of an error answer's body kept: its <Code> and <Message> come first.
constexpr size_t kMaxErrorBody = size_t{64} * 1024;
// The largest XML answer read (a page of 1000 keys is about 300 KB): a bound on what a broken
// or hostile endpoint can make the client hold.
constexpr size_t kMaxDocumentBytes = size_t{64} << 20;
// The longest retry wait, whatever the attempt number.
constexpr double kMaxBackoffMs = 5000;
// The transport thread looks at its queues at least this often, even when nothing wakes it.
constexpr int kIdlePollMs = 1000;

struct EasyCleanup {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
using EasyHandle = std::unique_ptr<CURL, EasyCleanup>;

struct MultiCleanup {
  void operator()(CURLM* multi) const { curl_multi_cleanup(multi); }
};
using MultiHandle = std::unique_ptr<CURLM, MultiCleanup>;

struct HeaderListCleanup {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using HeaderList = std::unique_ptr<curl_slist, HeaderListCleanup>;

using BeginFn = std::function<void()>;
using ConsumeFn = std::function<void(const unsigned char*, size_t)>;

// One request, from the caller that waits for it to the transport thread that runs it. The
// caller fills the request part, then only the transport thread touches the Call until `done`
// is ready; after that only the caller does.
struct Call {
  // The request.
  RequestKind kind = RequestKind::kGet;
  const char* method = "GET";
  std::string path;                  // URI-encoded, from the host's root
  Params query;                      // unencoded
  std::vector<std::string> headers;  // sent unsigned: "Content-MD5: ...", "Content-Type: ..."
  std::string body;
  std::string body_sha256 = std::string(kEmptyPayloadSha256);
  bool absent_is_ok = false;  // DELETE: a key that is not there is what was wanted

  // Where a successful answer's body goes: into *body_out (at most max_body bytes), or to the
  // stream callbacks, or nowhere when neither is set.
  std::string* body_out = nullptr;
  size_t max_body = 0;
  const BeginFn* begin = nullptr;
  const ConsumeFn* consume = nullptr;
  std::string document;  // body_out of LIST and DELETE batch: their XML answer

  // DeleteObjects: its answer is read on the transport thread, which counts the keys deleted.
  size_t batch_keys = 0;
  std::vector<DeleteError>* failed = nullptr;

  // The answer.
  Result result;
  std::string error_body;  // of an answer other than 2xx
  curl_off_t content_length = -1;
  std::string last_modified;
  std::string etag;
  std::promise<void> done;

  // The attempt under way.
  unsigned attempts = 0;
  EasyHandle easy;
  HeaderList header_list;
  std::array<char, CURL_ERROR_SIZE> curl_error{};
  bool body_begun = false;
  bool refused = false;  // the body outgrew max_body
  uint64_t received = 0;
};

IoStatus StatusOf(IoCode code) {
  IoStatus status;
  status.code = code;
  return status;
}

Result Failure(const Result& base, std::string code, std::string message) {
  Result result = base;
  result.status = StatusOf(IoCode::kIoError);
  result.code = std::move(code);
  result.message = std::move(message);
  return result;
}

// The curl failures that a later attempt may not see: the connection could not be made, broke
// or went silent. Anything else (a bad URL, a TLS certificate refused) would fail again.
bool TransientCurlError(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_SSL_CONNECT_ERROR:
      return true;
    default:
      return false;
  }
}

// The HTTP answers S3 documents as "try again": internal errors, throttling (503 SlowDown) and
// an overloaded or restarting front end.
bool TransientHttpStatus(long status) {
  return status == 500 || status == 502 || status == 503 || status == 504;
}

// The name of a curl error for Result::code; libcurl itself offers only its sentence.
std::string CurlErrorName(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
      return "CURLE_COULDNT_RESOLVE_HOST";
    case CURLE_COULDNT_CONNECT:
      return "CURLE_COULDNT_CONNECT";
    case CURLE_OPERATION_TIMEDOUT:
      return "CURLE_OPERATION_TIMEDOUT";
    case CURLE_PARTIAL_FILE:
      return "CURLE_PARTIAL_FILE";
    case CURLE_RECV_ERROR:
      return "CURLE_RECV_ERROR";
    case CURLE_SEND_ERROR:
      return "CURLE_SEND_ERROR";
    case CURLE_GOT_NOTHING:
      return "CURLE_GOT_NOTHING";
    case CURLE_SSL_CONNECT_ERROR:
      return "CURLE_SSL_CONNECT_ERROR";
    case CURLE_PEER_FAILED_VERIFICATION:
      return "CURLE_PEER_FAILED_VERIFICATION";
    case CURLE_WRITE_ERROR:
      return "CURLE_WRITE_ERROR";
    default:
      return "CURLE_" + std::to_string(static_cast<int>(code));
  }
}

// The value of response header `name` of the last answer, "" when there is none.
std::string AnswerHeader(CURL* easy, const char* name) {
  curl_header* header = nullptr;
  if (curl_easy_header(easy, name, 0, CURLH_HEADER, -1, &header) != CURLHE_OK) return {};
  return header->value;
}

// An HTTP date as RFC 7231 prefers it ("Sat, 05 Dec 2026 14:00:00 GMT", Last-Modified's form)
// in nanoseconds since the epoch; 0 when it is not one. By hand: strptime depends on the locale.
int64_t ParseHttpDate(std::string_view text) {
  static constexpr std::string_view kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";
  if (text.size() != 29 || text.substr(3, 2) != ", " || text.substr(25) != " GMT") return 0;
  int64_t fields[5] = {};  // day, year, hour, minute, second
  const size_t starts[5] = {5, 12, 17, 20, 23};
  const size_t widths[5] = {2, 4, 2, 2, 2};
  for (size_t i = 0; i < 5; ++i) {
    for (const char c : text.substr(starts[i], widths[i])) {
      if (c < '0' || c > '9') return 0;
      fields[i] = fields[i] * 10 + (c - '0');
    }
  }
  const size_t month = kMonths.find(text.substr(8, 3));
  if (month == std::string_view::npos || month % 3 != 0 || fields[0] < 1 || fields[0] > 31 ||
      fields[2] > 23 || fields[3] > 59 || fields[4] > 60) {
    return 0;
  }
  const int64_t days = DaysFromCivil(fields[1], static_cast<unsigned>(month / 3 + 1),
                                     static_cast<unsigned>(fields[0]));
  const int64_t seconds = days * 86400 + fields[2] * 3600 + fields[3] * 60 + fields[4];
  return seconds * 1'000'000'000;
}

// What the headers of a successful GET or HEAD say about `key`.
ObjectInfo InfoOf(std::string_view key, const Call& call) {
  ObjectInfo info;
  info.key = std::string(key);
  info.size = call.content_length > 0 ? static_cast<uint64_t>(call.content_length) : 0;
  info.mtime_ns = ParseHttpDate(call.last_modified);
  info.etag = call.etag;
  if (info.etag.size() >= 2 && info.etag.front() == '"' && info.etag.back() == '"') {
    info.etag = info.etag.substr(1, info.etag.size() - 2);
  }
  return info;
}

void AddParam(Params* query, const char* name, std::string_view value) {
  if (!value.empty()) query->emplace_back(name, std::string(value));
}

// Appends `line` to *list; false when out of memory (the list is kept whole).
bool AppendHeader(HeaderList* list, const std::string& line) {
  curl_slist* grown = curl_slist_append(list->get(), line.c_str());
  if (grown == nullptr) return false;
  // curl_slist_append returns the head it was given, or the new head of an empty list.
  if (list->get() == nullptr) list->reset(grown);
  return true;
}

// A successful answer's body starts: at its first byte, or at its end when it has none.
void BeginBody(Call* call) {
  call->body_begun = true;
  if (call->body_out != nullptr) {
    call->body_out->clear();
  } else if (call->begin != nullptr) {
    (*call->begin)();
  }
}

// Hands the next bytes of a successful answer's body to where the Call wants them; false when
// they would take it past max_body.
bool DeliverBody(Call* call, const unsigned char* data, size_t size) {
  if (!call->body_begun) BeginBody(call);
  if (call->body_out != nullptr) {
    if (size > call->max_body - call->body_out->size()) {
      call->refused = true;
      return false;
    }
    call->body_out->append(reinterpret_cast<const char*>(data), size);
  } else if (call->consume != nullptr) {
    (*call->consume)(data, size);
  }
  return true;
}

// CURLOPT_WRITEFUNCTION: the body of a 2xx answer goes to the Call's sink, any other answer's
// is kept (bounded) for its error code.
size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* call = static_cast<Call*>(user);
  const size_t bytes = size * count;
  call->received += bytes;
  long status = 0;
  curl_easy_getinfo(call->easy.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status > 299) {
    call->error_body.append(data, std::min(bytes, kMaxErrorBody - call->error_body.size()));
    return bytes;
  }
  // Returning less than `bytes` makes curl stop the transfer (CURLE_WRITE_ERROR).
  return DeliverBody(call, reinterpret_cast<const unsigned char*>(data), bytes) ? bytes : 0;
}

// A token bucket on starting attempts, `rate` a second. It holds at most a hundredth of a
// second's worth (at least one token): enough that the transport thread, which wakes on a
// millisecond clock, keeps up with high rates, and small enough that a burst of callers is
// spread out rather than sent at once.
class RateLimit {
 public:
  RateLimit(double rate, Clock::time_point now)
      : rate_(rate), burst_(std::max(1.0, rate / 100)), tokens_(burst_), at_(now) {}

  // Takes a token if there is one.
  bool Take(Clock::time_point now) {
    if (rate_ <= 0) return true;
    tokens_ = TokensAt(now);
    at_ = now;
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }

  // When the next token is there.
  Clock::time_point NextToken(Clock::time_point now) const {
    if (rate_ <= 0) return now;
    const double missing = 1 - TokensAt(now);
    if (missing <= 0) return now;
    return now + std::chrono::ceil<Clock::duration>(std::chrono::duration<double>(missing / rate_));
  }

 private:
  double TokensAt(Clock::time_point now) const {
    const double elapsed = std::chrono::duration<double>(now - at_).count();
    return std::min(burst_, tokens_ + elapsed * rate_);
  }

  double rate_;
  double burst_;
  double tokens_;
  Clock::time_point at_;
};

// curl_global_init is not thread-safe in every libcurl build; the first client calls it once.
void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

class Client::Transport {
 public:
  Transport(Endpoint endpoint, Credentials credentials, ClientOptions options);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  const Endpoint& endpoint() const { return endpoint_; }
  // A Call for `key` ("" for the bucket itself), its path encoded as it is sent and signed.
  Call NewCall(RequestKind kind, const char* method, std::string_view key) const;
  // Runs `call` to its end, retries included; its answer is then in call->result.
  void Run(Call* call);
  RequestCounts counts() const;

 private:
  // The transport thread.
  void Loop();
  bool TakeSubmitted();
  void FailWaiting();
  void StartDue(Clock::time_point now);
  Call* PopDue(Clock::time_point now);
  void Start(Call* call);
  bool Prepare(CURL* easy, Call* call);
  HeaderList SignedHeaders(const Call& call) const;
  void CollectFinished(bool stopping);
  void Finish(Call* call, CURLcode code, bool stopping);
  bool ReadAnswer(Call* call);
  bool ReadFailure(Call* call, CURLcode code);
  void ReadSuccess(Call* call);
  void ReadDeleteResult(Call* call);
  void Complete(Call* call);
  Clock::duration Backoff(unsigned attempts);
  int PollTimeoutMs(Clock::time_point now) const;

  const Endpoint endpoint_;
  const Credentials credentials_;
  const ClientOptions options_;
  const unsigned max_in_flight_;
  std::string host_;      // the Host header: "127.0.0.1:7480", "bucket.s3.amazonaws.com"
  std::string base_url_;  // scheme and host: "http://127.0.0.1:7480"

  // Callers hand their Calls over here.
  std::mutex mutex_;
  std::vector<Call*> submitted_;
  bool stopping_ = false;

  std::array<std::atomic<uint64_t>, kRequestKinds> sent_{};
  std::atomic<uint64_t> retries_sent_{0};
  std::atomic<uint64_t> bytes_received_{0};
  std::atomic<uint64_t> keys_deleted_{0};

  // The transport thread's own. The multi handle is declared before the pool of easy handles:
  // curl wants the easy handles cleaned up first.
  MultiHandle multi_;
  std::vector<EasyHandle> idle_;
  std::deque<Call*> queued_;                         // not started yet, in order of arrival
  std::multimap<Clock::time_point, Call*> retries_;  // waiting for their next attempt
  unsigned running_ = 0;
  RateLimit rate_;
  std::mt19937_64 random_;

  std::thread thread_;  // last: starts once everything above is built
};

Client::Transport::Transport(Endpoint endpoint, Credentials credentials, ClientOptions options)
    : endpoint_(std::move(endpoint)),
      credentials_(std::move(credentials)),
      options_(options),
      max_in_flight_(std::max(1u, options.max_in_flight)),
      rate_(options.max_requests_per_second, Clock::now()),
      random_(std::random_device{}()) {
  const std::string& url = endpoint_.url;
  const size_t scheme_end = url.find("://");
  const size_t authority_start = scheme_end == std::string::npos ? 0 : scheme_end + 3;
  const std::string authority =
      url.substr(authority_start, url.find('/', authority_start) - authority_start);
  host_ = endpoint_.path_style ? authority : endpoint_.bucket + "." + authority;
  base_url_ = url.substr(0, authority_start) + host_;

  InitCurlOnce();
  multi_.reset(curl_multi_init());
  if (!multi_) {
    // Out of memory: every call fails as on a closed client.
    stopping_ = true;
    return;
  }
  const long connections = max_in_flight_;
  curl_multi_setopt(multi_.get(), CURLMOPT_MAX_TOTAL_CONNECTIONS, connections);
  curl_multi_setopt(multi_.get(), CURLMOPT_MAX_HOST_CONNECTIONS, connections);
  // Keeps as many idle connections as transfers may run, for the next requests to reuse.
  curl_multi_setopt(multi_.get(), CURLMOPT_MAXCONNECTS, connections);
  thread_ = std::thread(&Transport::Loop, this);
}

Client::Transport::~Transport() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  if (thread_.joinable()) {
    curl_multi_wakeup(multi_.get());
    thread_.join();
  }
}

Call Client::Transport::NewCall(RequestKind kind, const char* method, std::string_view key) const {
  Call call;
  call.kind = kind;
  call.method = method;
  const std::string bucket = endpoint_.path_style ? "/" + endpoint_.bucket : "";
  if (key.empty()) {
    call.path = bucket.empty() ? "/" : bucket;
  } else {
    call.path = bucket + "/" + UriEncode(key, false);
  }
  return call;
}

void Client::Transport::Run(Call* call) {
  std::future<void> done = call->done.get_future();
  bool closed = false;
  {
    const std::lock_guard lock(mutex_);
    closed = stopping_;
    if (!closed) {
      submitted_.push_back(call);
      // Under the lock: a destructor that has seen stopping_ set knows no caller is still about
      // to touch multi_.
      curl_multi_wakeup(multi_.get());
    }
  }
  if (closed) {
    call->result = Failure(Result{}, "ClientClosed", "the S3 client is closed");
    return;
  }
  // From here only the Call and its future: once the Call is complete the client may be gone.
  done.wait();
}

RequestCounts Client::Transport::counts() const {
  RequestCounts counts;
  for (size_t kind = 0; kind < kRequestKinds; ++kind) counts.sent[kind] = sent_[kind].load();
  counts.retries = retries_sent_.load();
  counts.bytes_received = bytes_received_.load();
  counts.keys_deleted = keys_deleted_.load();
  return counts;
}

void Client::Transport::Loop() {
  for (;;) {
    const bool stopping = TakeSubmitted();
    if (stopping) {
      FailWaiting();
    } else {
      StartDue(Clock::now());
    }
    int still_running = 0;
    curl_multi_perform(multi_.get(), &still_running);
    CollectFinished(stopping);
    if (stopping && running_ == 0) return;
    curl_multi_poll(multi_.get(), nullptr, 0, PollTimeoutMs(Clock::now()), nullptr);
  }
}

// Moves the Calls handed over into the queue; true once the client is closing.
bool Client::Transport::TakeSubmitted() {
  std::vector<Call*> submitted;
  bool stopping = false;
  {
    const std::lock_guard lock(mutex_);
    submitted.swap(submitted_);
    stopping = stopping_;
  }
  queued_.insert(queued_.end(), submitted.begin(), submitted.end());
  return stopping;
}

// The client is closing: the Calls not under way end now.
void Client::Transport::FailWaiting() {
  std::vector<Call*> waiting(queued_.begin(), queued_.end());
  for (const auto& [at, call] : retries_) waiting.push_back(call);
  queued_.clear();
  retries_.clear();
  for (Call* call : waiting) {
    call->result = Failure(call->result, "ClientClosed", "the S3 client was closed");
    call->result.attempts = call->attempts;
    Complete(call);
  }
}

void Client::Transport::StartDue(Clock::time_point now) {
  while (running_ < max_in_flight_) {
    Call* call = PopDue(now);
    if (call == nullptr) return;
    Start(call);
  }
}

// The next Call to start, if one may start now: retries first (they have waited longest), then
// new ones in order; nullptr when none is due or the rate limit says wait.
Call* Client::Transport::PopDue(Clock::time_point now) {
  const bool retry_due = !retries_.empty() && retries_.begin()->first <= now;
  if (!retry_due && queued_.empty()) return nullptr;
  if (!rate_.Take(now)) return nullptr;
  if (retry_due) {
    Call* call = retries_.begin()->second;
    retries_.erase(retries_.begin());
    return call;
  }
  Call* call = queued_.front();
  queued_.pop_front();
  return call;
}

void Client::Transport::Start(Call* call) {
  ++call->attempts;
  ++sent_[static_cast<size_t>(call->kind)];
  if (call->attempts > 1) ++retries_sent_;
  EasyHandle easy;
  if (!idle_.empty()) {
    easy = std::move(idle_.back());
    idle_.pop_back();
  } else {
    easy.reset(curl_easy_init());
  }
  if (easy && Prepare(easy.get(), call) &&
      curl_multi_add_handle(multi_.get(), easy.get()) == CURLM_OK) {
    call->easy = std::move(easy);
    ++running_;
    return;
  }
  if (easy) idle_.push_back(std::move(easy));
  call->result = Failure(Result{}, "CURLE_OUT_OF_MEMORY", "could not start a transfer");
  call->result.attempts = call->attempts;
  Complete(call);
}

// Sets up `easy` for the next attempt of `call`, signed now.
bool Client::Transport::Prepare(CURL* easy, Call* call) {
  call->header_list = SignedHeaders(*call);
  if (!call->header_list) return false;
  call->error_body.clear();
  call->curl_error[0] = '\0';
  call->body_begun = false;
  call->refused = false;
  call->received = 0;

  std::string url = base_url_ + call->path;
  if (!call->query.empty()) url += "?" + CanonicalQuery(call->query);
  // A handle from the pool forgets the previous request's options; its connection cache, which
  // lives in the multi handle, stays.
  curl_easy_reset(easy);
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  // S3 keys may hold "/../" or "/./": the path goes as encoded, not normalized.
  curl_easy_setopt(easy, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, call->header_list.get());
  curl_easy_setopt(easy, CURLOPT_PRIVATE, static_cast<void*>(call));
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, static_cast<void*>(call));
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, call->curl_error.data());
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  // One request per connection at a time, as max_in_flight counts them.
  curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, options_.connect_timeout_ms);
  curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, options_.stall_timeout_s);
  const std::string_view method = call->method;
  if (method == "HEAD") {
    curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
  } else if (method == "PUT" || method == "POST") {
    // The body stays in the Call for every attempt; curl does not copy it.
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, call->body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call->body.size()));
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, call->method);
  } else if (method != "GET") {
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, call->method);
  }
  return true;
}

// The headers of an attempt: SigV4's, dated now (a retry after a long wait must not carry a
// stale date), then the Call's own. Empty when out of memory.
HeaderList Client::Transport::SignedHeaders(const Call& call) const {
  RequestToSign request;
  request.method = call.method;
  request.host = host_;
  request.path = call.path;
  request.query = call.query;
  request.payload_sha256 = call.body_sha256;
  request.amz_date = AmzDate(static_cast<long long>(std::time(nullptr)));
  request.region = endpoint_.region;

  // Authorization signs host, x-amz-date, x-amz-content-sha256 and the session token from the
  // fields above: these lines send the same values.
  std::vector<std::string> lines = {
      "Host: " + host_, "Authorization: " + Authorization(request, credentials_),
      "x-amz-content-sha256: " + call.body_sha256, "x-amz-date: " + request.amz_date};
  if (!credentials_.session_token.empty()) {
    lines.push_back("x-amz-security-token: " + credentials_.session_token);
  }
  lines.insert(lines.end(), call.headers.begin(), call.headers.end());
  // curl would wait for "100 Continue" before a body; S3 answers at once.
  const std::string_view method = call.method;
  if (method == "PUT" || method == "POST") lines.emplace_back("Expect:");
  HeaderList list;
  for (const std::string& line : lines) {
    if (!AppendHeader(&list, line)) return {};
  }
  return list;
}

void Client::Transport::CollectFinished(bool stopping) {
  int left = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_.get(), &left)) {
    if (message->msg != CURLMSG_DONE) continue;
    // The message is gone once its handle leaves the multi handle: read it first.
    CURL* easy = message->easy_handle;
    const CURLcode code = message->data.result;
    char* call = nullptr;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &call);
    curl_multi_remove_handle(multi_.get(), easy);
    Finish(reinterpret_cast<Call*>(call), code, stopping);
  }
}

// Settles the attempt that ended with `code`: the Call completes, or waits for its next attempt.
void Client::Transport::Finish(Call* call, CURLcode code, bool stopping) {
  bytes_received_ += call->received;
  call->result = Result{};
  call->result.attempts = call->attempts;
  curl_easy_getinfo(call->easy.get(), CURLINFO_RESPONSE_CODE, &call->result.http_status);
  const bool transient = code == CURLE_OK ? ReadAnswer(call) : ReadFailure(call, code);
  idle_.push_back(std::move(call->easy));
  --running_;
  if (transient && call->attempts < options_.max_attempts && !stopping) {
    retries_.emplace(Clock::now() + Backoff(call->attempts), call);
    return;
  }
  Complete(call);
}

// An answer came; true when it says to try again.
bool Client::Transport::ReadAnswer(Call* call) {
  Result& result = call->result;
  const long status = result.http_status;
  if (status >= 200 && status <= 299) {
    ReadSuccess(call);
    return false;
  }
  ParseErrorBody(call->error_body, &result.code, &result.message);
  if (status == 404) {
    result.status = StatusOf(call->absent_is_ok ? IoCode::kOk : IoCode::kNotFound);
  } else if (status == 401 || status == 403) {
    result.status = StatusOf(IoCode::kDenied);
  } else {
    result.status = StatusOf(IoCode::kIoError);
  }
  if (!result.ok()) result.status.http_status = static_cast<int>(status);
  return TransientHttpStatus(status);
}

// No whole answer came; true when the failure may pass.
bool Client::Transport::ReadFailure(Call* call, CURLcode code) {
  Result& result = call->result;
  result.status = StatusOf(IoCode::kIoError);
  if (call->refused) {
    result.too_large = true;
    result.message = "the body is larger than " + std::to_string(call->max_body) + " bytes";
    return false;
  }
  result.code = CurlErrorName(code);
  result.message = call->curl_error[0] != '\0' ? call->curl_error.data() : curl_easy_strerror(code);
  return TransientCurlError(code);
}

void Client::Transport::ReadSuccess(Call* call) {
  CURL* easy = call->easy.get();
  // An empty body starts too: a stream's consumer learns that the object is empty.
  if (!call->body_begun) BeginBody(call);
  curl_easy_getinfo(easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &call->content_length);
  call->last_modified = AnswerHeader(easy, "Last-Modified");
  call->etag = AnswerHeader(easy, "ETag");
  if (call->kind == RequestKind::kDelete) ++keys_deleted_;
  if (call->kind == RequestKind::kDeleteBatch) ReadDeleteResult(call);
}

// DeleteObjects answers 200 with the keys it could not delete; read here, where they are counted.
void Client::Transport::ReadDeleteResult(Call* call) {
  std::string error;
  call->failed->clear();
  if (!ParseDeleteResult(call->document, call->failed, &error)) {
    call->result = Failure(call->result, "BadXml", "DeleteObjects answer: " + error);
    return;
  }
  keys_deleted_ += call->batch_keys - std::min(call->batch_keys, call->failed->size());
}

// Hands the Call back to its caller, which may return (and free it) at once.
void Client::Transport::Complete(Call* call) {
  Result& result = call->result;
  if (!result.ok()) result.status.detail = result.Detail();
  call->header_list.reset();
  call->done.set_value();
}

// Full jitter: a uniform wait in [0, base * 2^attempts), at most kMaxBackoffMs.
Clock::duration Client::Transport::Backoff(unsigned attempts) {
  const double ceiling =
      std::min(kMaxBackoffMs, options_.base_backoff_ms *
                                  std::ldexp(1.0, static_cast<int>(std::min(attempts, 30u))));
  std::uniform_real_distribution<double> wait_ms(0, ceiling);
  return std::chrono::ceil<Clock::duration>(
      std::chrono::duration<double, std::milli>(wait_ms(random_)));
}

// How long the transport thread may sleep: until a waiting Call may start, or kIdlePollMs (curl
// shortens it for its own timers; a new Call or a socket wakes it earlier).
int Client::Transport::PollTimeoutMs(Clock::time_point now) const {
  if (running_ >= max_in_flight_ || (queued_.empty() && retries_.empty())) return kIdlePollMs;
  Clock::time_point next = queued_.empty() ? retries_.begin()->first : now;
  if (!retries_.empty()) next = std::min(next, retries_.begin()->first);
  next = std::max(next, rate_.NextToken(now));
  const auto wait = std::chrono::ceil<std::chrono::milliseconds>(next - now).count();
  return static_cast<int>(std::clamp<decltype(wait)>(wait, 0, kIdlePollMs));
}

const char* RequestKindName(RequestKind kind) {
  switch (kind) {
    case RequestKind::kList:
      return "LIST";
    case RequestKind::kGet:
      return "GET";
    case RequestKind::kHead:
      return "HEAD";
    case RequestKind::kPut:
      return "PUT";
    case RequestKind::kDelete:
      return "DELETE";
    case RequestKind::kDeleteBatch:
      return "DELETE batch";
  }
  return "?";
}

std::string Result::Detail() const {
  std::string text = code;
  if (!message.empty()) text += (text.empty() ? "" : ": ") + message;
  if (!text.empty()) text += ' ';
  return text + "(" + std::to_string(attempts) + (attempts == 1 ? " attempt)" : " attempts)");
}

std::string Result::Text() const {
  if (http_status != 0) return "HTTP " + std::to_string(http_status) + " " + Detail();
  if (code.empty() && message.empty()) {
    IoStatus plain = status;
    plain.detail.clear();
    return plain.Text() + " " + Detail();
  }
  return Detail();
}

Client::Client(Endpoint endpoint, Credentials credentials, ClientOptions options)
    : transport_(
          std::make_unique<Transport>(std::move(endpoint), std::move(credentials), options)) {}

Client::~Client() = default;

const Endpoint& Client::endpoint() const { return transport_->endpoint(); }

Result Client::ListObjects(std::string_view prefix, std::string_view delimiter,
                           std::string_view continuation_token, ListPage* page) {
  Call call = transport_->NewCall(RequestKind::kList, "GET", "");
  call.query.emplace_back("list-type", "2");
  AddParam(&call.query, "prefix", prefix);
  AddParam(&call.query, "delimiter", delimiter);
  AddParam(&call.query, "continuation-token", continuation_token);
  call.query.emplace_back("max-keys", "1000");
  call.body_out = &call.document;
  call.max_body = kMaxDocumentBytes;
  transport_->Run(&call);
  if (!call.result.ok()) return call.result;
  *page = ListPage{};
  std::string error;
  if (!ParseListPage(call.document, page, &error)) {
    return Failure(call.result, "BadXml", "ListObjectsV2 answer: " + error);
  }
  return call.result;
}

Result Client::Get(std::string_view key, size_t max_bytes, std::string* body, ObjectInfo* info) {
  Call call = transport_->NewCall(RequestKind::kGet, "GET", key);
  call.body_out = body;
  call.max_body = max_bytes;
  transport_->Run(&call);
  if (call.result.ok() && info != nullptr) {
    *info = InfoOf(key, call);
    info->size = body->size();
  }
  return call.result;
}

Result Client::GetStream(std::string_view key, const std::function<void()>& begin,
                         const std::function<void(const unsigned char*, size_t)>& consume,
                         ObjectInfo* info) {
  Call call = transport_->NewCall(RequestKind::kGet, "GET", key);
  call.begin = &begin;
  call.consume = &consume;
  transport_->Run(&call);
  if (call.result.ok() && info != nullptr) *info = InfoOf(key, call);
  return call.result;
}

Result Client::Head(std::string_view key, ObjectInfo* info) {
  Call call = transport_->NewCall(RequestKind::kHead, "HEAD", key);
  transport_->Run(&call);
  if (call.result.ok() && info != nullptr) *info = InfoOf(key, call);
  return call.result;
}

Result Client::Put(std::string_view key, std::string_view body) {
  Call call = transport_->NewCall(RequestKind::kPut, "PUT", key);
  call.body = std::string(body);
  call.body_sha256 = Sha256Hex(body);
  // Else curl labels the body application/x-www-form-urlencoded, and S3 keeps that label.
  call.headers.emplace_back("Content-Type: application/octet-stream");
  transport_->Run(&call);
  return call.result;
}

Result Client::PutIfAbsent(std::string_view key, std::string_view body) {
  Call call = transport_->NewCall(RequestKind::kPut, "PUT", key);
  call.body = std::string(body);
  call.body_sha256 = Sha256Hex(body);
  call.headers.emplace_back("Content-Type: application/octet-stream");
  call.headers.emplace_back("If-None-Match: *");
  transport_->Run(&call);
  return call.result;
}

Result Client::Delete(std::string_view key) {
  Call call = transport_->NewCall(RequestKind::kDelete, "DELETE", key);
  call.absent_is_ok = true;
  transport_->Run(&call);
  return call.result;
}

Result Client::DeleteObjects(const std::vector<std::string>& keys,
                             std::vector<DeleteError>* failed) {
  failed->clear();
  // S3 refuses an empty batch (MalformedXML); nothing to delete is a success.
  if (keys.empty()) return Result{};
  Call call = transport_->NewCall(RequestKind::kDeleteBatch, "POST", "");
  call.query.emplace_back("delete", "");
  call.body = DeleteRequestBody(keys);
  call.body_sha256 = Sha256Hex(call.body);
  call.headers.push_back("Content-MD5: " + Md5Base64(call.body));
  call.headers.emplace_back("Content-Type: application/xml");
  call.body_out = &call.document;
  call.max_body = kMaxDocumentBytes;
  call.batch_keys = keys.size();
  call.failed = failed;
  transport_->Run(&call);
  return call.result;
}

RequestCounts Client::counts() const { return transport_->counts(); }

}  // namespace regsweep::s3
