// The scripted HTTP/1.1 test server: an accept thread, and a thread per connection that reads
// requests (request line, headers, a Content-Length body), asks the handler what to do and does
// it, for as long as the client keeps the connection open.
#include "tests/testing/http_test_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>

namespace regsweep::testing {
namespace {

// A request head larger than this is not one a client of these tests sends.
constexpr size_t kMaxHeadBytes = size_t{64} * 1024;
// After the bytes sent before a reset: time for the client to read them, so that the reset
// reliably comes in the middle of the body rather than instead of it.
constexpr std::chrono::milliseconds kPauseBeforeReset{20};

std::string Lowercase(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

const char* ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

// Parses a request head (without its final blank line) into *request and the body's length.
bool ParseHead(std::string_view head, HttpRequest* request, size_t* body_length) {
  size_t line_end = head.find("\r\n");
  const std::string_view request_line = head.substr(0, line_end);
  const size_t method_end = request_line.find(' ');
  const size_t target_end = request_line.rfind(' ');
  if (method_end == std::string_view::npos || target_end <= method_end) return false;
  request->method = std::string(request_line.substr(0, method_end));
  request->target = std::string(request_line.substr(method_end + 1, target_end - method_end - 1));
  *body_length = 0;
  while (line_end != std::string_view::npos) {
    const size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    const std::string_view line = head.substr(start, line_end - start);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) return false;
    request->headers.emplace_back(Lowercase(line.substr(0, colon)),
                                  std::string(Trim(line.substr(colon + 1))));
  }
  const std::string length = request->Header("content-length");
  if (length.empty()) return true;
  const auto [end, error] =
      std::from_chars(length.data(), length.data() + length.size(), *body_length);
  return error == std::errc() && end == length.data() + length.size();
}

// Reads what the socket has into *buffer; false at the end of the connection.
bool ReceiveMore(int fd, std::string* buffer) {
  char chunk[16 * 1024];
  for (;;) {
    const ssize_t got = recv(fd, chunk, sizeof chunk, 0);
    if (got > 0) {
      buffer->append(chunk, static_cast<size_t>(got));
      return true;
    }
    if (got < 0 && errno == EINTR) continue;
    return false;
  }
}

bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t sent = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return false;
    data.remove_prefix(static_cast<size_t>(sent));
  }
  return true;
}

std::string ResponseHead(const HttpResponse& response) {
  std::string head =
      "HTTP/1.1 " + std::to_string(response.status) + " " + ReasonPhrase(response.status) + "\r\n";
  for (const auto& [name, value] : response.headers) head += name + ": " + value + "\r\n";
  head += "Content-Length: " + std::to_string(response.body.size()) + "\r\n\r\n";
  return head;
}

}  // namespace

std::string HttpRequest::Header(std::string_view name) const {
  for (const auto& [header, value] : headers) {
    if (header == name) return value;
  }
  return {};
}

bool HttpRequest::HasHeader(std::string_view name) const {
  return std::any_of(headers.begin(), headers.end(),
                     [name](const auto& header) { return header.first == name; });
}

std::string HttpRequest::Path() const { return target.substr(0, target.find('?')); }

std::string HttpRequest::Query() const {
  const size_t mark = target.find('?');
  return mark == std::string::npos ? std::string() : target.substr(mark + 1);
}

HttpResponse HttpResponse::Answer(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

HttpResponse HttpResponse::Close() {
  HttpResponse response;
  response.action = Action::kClose;
  return response;
}

HttpResponse HttpResponse::ResetInBody(std::string body, size_t reset_after) {
  HttpResponse response;
  response.action = Action::kResetInBody;
  response.body = std::move(body);
  response.reset_after = reset_after;
  return response;
}

HttpTestServer::HttpTestServer(Handler handler) : handler_(std::move(handler)) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  auto* generic = reinterpret_cast<sockaddr*>(&address);
  if (listen_fd_ < 0 || bind(listen_fd_, generic, length) != 0 || listen(listen_fd_, 128) != 0 ||
      getsockname(listen_fd_, generic, &length) != 0 || pipe2(wake_fds_, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "HttpTestServer: cannot listen on 127.0.0.1: " << std::strerror(errno);
    return;
  }
  port_ = ntohs(address.sin_port);
  accept_thread_ = std::thread(&HttpTestServer::AcceptLoop, this);
}

HttpTestServer::~HttpTestServer() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
    for (const int fd : open_fds_) shutdown(fd, SHUT_RDWR);
  }
  stopped_.notify_all();
  if (accept_thread_.joinable()) {
    const char stop = 's';
    if (write(wake_fds_[1], &stop, 1) != 1) ADD_FAILURE() << "HttpTestServer: cannot stop";
    accept_thread_.join();
  }
  for (std::thread& connection : connections_) connection.join();
  for (const int fd : {listen_fd_, wake_fds_[0], wake_fds_[1]}) {
    if (fd >= 0) close(fd);
  }
}

std::string HttpTestServer::url() const { return "http://" + authority(); }

std::string HttpTestServer::authority() const { return "127.0.0.1:" + std::to_string(port_); }

std::vector<HttpRequest> HttpTestServer::requests() const {
  const std::lock_guard lock(mutex_);
  return requests_;
}

size_t HttpTestServer::request_count() const {
  const std::lock_guard lock(mutex_);
  return requests_.size();
}

int HttpTestServer::max_concurrent() const {
  const std::lock_guard lock(mutex_);
  return max_handling_;
}

void HttpTestServer::AcceptLoop() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fds_[0], POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      ADD_FAILURE() << "HttpTestServer: poll: " << std::strerror(errno);
      return;
    }
    if (fds[1].revents != 0) return;
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    {
      const std::lock_guard lock(mutex_);
      if (stopping_) {
        close(fd);
        return;
      }
      open_fds_.push_back(fd);
    }
    // Answers are written in one piece; no reason to hold them back.
    const int on = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    connections_.emplace_back(&HttpTestServer::Serve, this, fd);
  }
}

void HttpTestServer::Serve(int fd) {
  std::string buffer;  // what was read past the previous request
  HttpRequest request;
  bool reset = false;
  while (ReadRequest(fd, &buffer, &request)) {
    BeginHandling(request);
    const HttpResponse response = handler_(request);
    const bool open = Wait(response.delay) && Act(fd, request, response);
    EndHandling();
    if (!open) {
      reset = response.action == HttpResponse::Action::kResetInBody;
      break;
    }
    request = HttpRequest();
  }
  CloseConnection(fd, reset);
}

bool HttpTestServer::ReadRequest(int fd, std::string* buffer, HttpRequest* request) {
  size_t head_end = 0;
  while ((head_end = buffer->find("\r\n\r\n")) == std::string::npos) {
    if (buffer->size() > kMaxHeadBytes || !ReceiveMore(fd, buffer)) return false;
  }
  size_t body_length = 0;
  if (!ParseHead(std::string_view(*buffer).substr(0, head_end), request, &body_length)) {
    ADD_FAILURE() << "HttpTestServer: not an HTTP request head: " << buffer->substr(0, head_end);
    return false;
  }
  const size_t body_start = head_end + 4;
  while (buffer->size() < body_start + body_length) {
    if (!ReceiveMore(fd, buffer)) return false;
  }
  request->body = buffer->substr(body_start, body_length);
  buffer->erase(0, body_start + body_length);
  return true;
}

// Does what `response` says; false when the connection is to end.
bool HttpTestServer::Act(int fd, const HttpRequest& request, const HttpResponse& response) {
  if (response.action == HttpResponse::Action::kClose) return false;
  const std::string head = ResponseHead(response);
  if (response.action == HttpResponse::Action::kResetInBody) {
    SendAll(fd, head + response.body.substr(0, response.reset_after));
    std::this_thread::sleep_for(kPauseBeforeReset);
    return false;
  }
  const bool sent = SendAll(fd, request.method == "HEAD" ? head : head + response.body);
  return sent && Lowercase(request.Header("connection")) != "close";
}

// Waits `delay` unless the server stops first; false then.
bool HttpTestServer::Wait(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  return !stopped_.wait_for(lock, delay, [this] { return stopping_; });
}

// Closes `fd`, with a TCP reset when `reset`. Under the lock, so that the destructor never shuts
// down a descriptor number that has been closed and reused.
void HttpTestServer::CloseConnection(int fd, bool reset) {
  const std::lock_guard lock(mutex_);
  open_fds_.erase(std::find(open_fds_.begin(), open_fds_.end(), fd));
  if (reset) {
    // A zero linger time makes close() send RST instead of FIN.
    const linger abort{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
  }
  close(fd);
}

void HttpTestServer::BeginHandling(const HttpRequest& request) {
  const std::lock_guard lock(mutex_);
  requests_.push_back(request);
  max_handling_ = std::max(max_handling_, ++handling_);
}

void HttpTestServer::EndHandling() {
  const std::lock_guard lock(mutex_);
  --handling_;
}

}  // namespace regsweep::testing
