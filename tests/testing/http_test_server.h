// Test support: a small, real HTTP/1.1 server on 127.0.0.1 for the fault tests of the S3
// transport (core/s3/s3_client). A test scripts it with a handler that says, request by request,
// what to answer, including what an object store's network does on a bad day: close the
// connection without an answer, reset it in the middle of a body, answer late. The client's
// sockets, keep-alive and curl's error paths are then the real ones. It records every request it
// received for assertions, and how many it was answering at once.
//
// It is not a fake S3: it knows nothing of buckets or signatures. S3's own behaviour is tested
// against a real Ceph RGW (scripts/ceph-rgw.sh).
#ifndef REGSWEEP_TESTS_TESTING_HTTP_TEST_SERVER_H_
#define REGSWEEP_TESTS_TESTING_HTTP_TEST_SERVER_H_

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace regsweep::testing {

// A request as the server read it.
struct HttpRequest {
  std::string method;
  std::string target;                                        // as sent: "/bucket/a%20b?list-type=2"
  std::vector<std::pair<std::string, std::string>> headers;  // names in lowercase, in order
  std::string body;

  // The value of header `name` (lowercase); "" when absent.
  std::string Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
  std::string Path() const;   // the target before '?'
  std::string Query() const;  // the target after '?'; "" when none
};

// What to do with a request.
struct HttpResponse {
  enum class Action : uint8_t {
    kAnswer,       // the status, headers and body; the connection stays open
    kClose,        // close the connection without a byte of answer
    kResetInBody,  // the status, headers and `reset_after` bytes of the body, then a TCP reset
  };
  Action action = Action::kAnswer;
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // Content-Length is added
  std::string body;                                          // HEAD gets its length only
  size_t reset_after = 0;                                    // kResetInBody
  std::chrono::milliseconds delay{0};                        // waited before acting: a slow server

  static HttpResponse Answer(int status, std::string body = {});
  static HttpResponse Close();
  static HttpResponse ResetInBody(std::string body, size_t reset_after);
};

class HttpTestServer {
 public:
  // Called on the connection's thread, for several connections at once.
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  // Listens on an ephemeral port of 127.0.0.1 (a failure to is a test failure).
  explicit HttpTestServer(Handler handler);
  // Closes the connections still open, cutting short delays, and joins every thread.
  ~HttpTestServer();
  HttpTestServer(const HttpTestServer&) = delete;
  HttpTestServer& operator=(const HttpTestServer&) = delete;

  std::string url() const;                    // "http://127.0.0.1:PORT"
  std::string authority() const;              // "127.0.0.1:PORT", the Host header clients send
  std::vector<HttpRequest> requests() const;  // every request read so far, in order
  size_t request_count() const;
  // The most requests being handled at once so far (read, not yet fully answered).
  int max_concurrent() const;

 private:
  void AcceptLoop();
  void Serve(int fd);
  bool ReadRequest(int fd, std::string* buffer, HttpRequest* request);
  bool Act(int fd, const HttpRequest& request, const HttpResponse& response);
  bool Wait(std::chrono::milliseconds delay);
  void CloseConnection(int fd, bool reset);
  void BeginHandling(const HttpRequest& request);
  void EndHandling();

  Handler handler_;
  int listen_fd_ = -1;
  int wake_fds_[2] = {-1, -1};  // a pipe: written once to stop the accept loop
  uint16_t port_ = 0;

  mutable std::mutex mutex_;
  std::condition_variable stopped_;  // cuts delays short
  bool stopping_ = false;
  std::vector<int> open_fds_;  // shut down on destruction, closed by their connection's thread
  std::vector<HttpRequest> requests_;
  int handling_ = 0;
  int max_handling_ = 0;

  std::vector<std::thread> connections_;  // the accept thread's, until it is joined
  std::thread accept_thread_;
};

}  // namespace regsweep::testing

#endif  // REGSWEEP_TESTS_TESTING_HTTP_TEST_SERVER_H_
