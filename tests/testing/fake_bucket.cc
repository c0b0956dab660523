// The in-memory bucket: parses each request, asks the fault hook, and answers from a sorted map
// of keys as S3 would (ListObjectsV2 pages with common prefixes and continuation, conditional
// PUT, quiet DeleteObjects), or disturbs the answer as the hook says.
#include "tests/testing/fake_bucket.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <fstream>
#include <iterator>
#include <sstream>
#include <utility>

#include "core/s3/sigv4.h"
#include "core/xml_escape.h"

namespace regsweep::testing {
namespace {

namespace fs = boost::filesystem;

constexpr size_t kMaxDeleteKeys = 1000;  // S3's limit for one DeleteObjects request
constexpr std::string_view kTokenMark = "t/+=";

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    hex += kDigits[byte >> 4];
    hex += kDigits[byte & 0xf];
  }
  return hex;
}

// %XX decoded ('+' is left alone: the client encodes a space as %20).
std::string PercentDecode(std::string_view text) {
  std::string decoded;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
        HexValue(text[i + 2]) >= 0) {
      decoded += static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2]));
      i += 2;
    } else {
      decoded += text[i];
    }
  }
  return decoded;
}

std::map<std::string, std::string> ParseQuery(std::string_view query) {
  std::map<std::string, std::string> params;
  while (!query.empty()) {
    const std::string_view pair = query.substr(0, query.find('&'));
    query.remove_prefix(std::min(query.size(), pair.size() + 1));
    const size_t equals = pair.find('=');
    params[PercentDecode(pair.substr(0, equals))] =
        equals == std::string_view::npos ? std::string() : PercentDecode(pair.substr(equals + 1));
  }
  return params;
}

// The five named entities and numeric ones (&#10;), as DeleteRequestBody writes them.
std::string XmlUnescape(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const size_t semicolon = text[i] == '&' ? text.find(';', i) : std::string_view::npos;
    if (semicolon == std::string_view::npos) {
      out += text[i];
      continue;
    }
    const std::string_view entity = text.substr(i + 1, semicolon - i - 1);
    if (entity == "amp") {
      out += '&';
    } else if (entity == "lt") {
      out += '<';
    } else if (entity == "gt") {
      out += '>';
    } else if (entity == "quot") {
      out += '"';
    } else if (entity == "apos") {
      out += '\'';
    } else if (!entity.empty() && entity[0] == '#') {
      unsigned code = 0;
      std::from_chars(entity.data() + 1, entity.data() + entity.size(), code);
      out += static_cast<char>(code);
    } else {
      out += text.substr(i, semicolon - i + 1);
    }
    i = semicolon;
  }
  return out;
}

// The text of every <name>...</name> element in `xml`, unescaped.
std::vector<std::string> ElementTexts(std::string_view xml, std::string_view name) {
  const std::string open = "<" + std::string(name) + ">";
  const std::string close = "</" + std::string(name) + ">";
  std::vector<std::string> texts;
  size_t at = 0;
  while ((at = xml.find(open, at)) != std::string_view::npos) {
    const size_t start = at + open.size();
    const size_t end = xml.find(close, start);
    if (end == std::string_view::npos) break;
    texts.push_back(XmlUnescape(xml.substr(start, end - start)));
    at = end + close.size();
  }
  return texts;
}

std::string Md5Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_md5(), nullptr);
  return Hex(std::string_view(reinterpret_cast<const char*>(digest), length));
}

std::tm UtcOf(int64_t ns) {
  const time_t seconds = static_cast<time_t>(ns / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return tm;
}

// LastModified in a listing: "2020-01-01T00:00:00.000Z".
std::string IsoTime(int64_t ns) {
  const std::tm tm = UtcOf(ns);
  char text[64];
  const size_t length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
  char millis[8];
  std::snprintf(millis, sizeof millis, ".%03dZ", static_cast<int>(ns / 1'000'000 % 1000));
  return std::string(text, length) + millis;
}

// The Last-Modified header: "Wed, 01 Jan 2020 00:00:00 GMT".
std::string HttpDate(int64_t ns) {
  const std::tm tm = UtcOf(ns);
  char text[64];
  const size_t length = std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(text, length);
}

int64_t NowNs() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

HttpResponse Xml(int status, std::string body) {
  HttpResponse response = HttpResponse::Answer(status, std::move(body));
  response.headers.emplace_back("Content-Type", "application/xml");
  return response;
}

HttpResponse S3Error(int status, const std::string& code, const std::string& message,
                     const std::string& resource) {
  return Xml(status, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code +
                         "</Code><Message>" + EscapeXml(message) + "</Message><Resource>" +
                         EscapeXml(resource) + "</Resource><RequestId>fake</RequestId></Error>");
}

// A continuation token: the last entry of the page (a key, or a common prefix), opaque.
std::string EncodeToken(const std::string& last, bool is_prefix) {
  return std::string(kTokenMark) + Hex(last) + (is_prefix ? "p" : "k");
}

bool DecodeToken(std::string_view token, std::string* last, bool* is_prefix) {
  if (!StartsWith(token, kTokenMark) || token.size() < kTokenMark.size() + 1) return false;
  const char type = token.back();
  const std::string_view hex =
      token.substr(kTokenMark.size(), token.size() - kTokenMark.size() - 1);
  if ((type != 'p' && type != 'k') || hex.size() % 2 != 0) return false;
  last->clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int high = HexValue(hex[i]);
    const int low = HexValue(hex[i + 1]);
    if (high < 0 || low < 0) return false;
    *last += static_cast<char>(high * 16 + low);
  }
  *is_prefix = type == 'p';
  return true;
}

}  // namespace

const char* BucketRequestKindName(BucketRequest::Kind kind) {
  switch (kind) {
    case BucketRequest::Kind::kList:
      return "LIST";
    case BucketRequest::Kind::kGet:
      return "GET";
    case BucketRequest::Kind::kHead:
      return "HEAD";
    case BucketRequest::Kind::kPut:
      return "PUT";
    case BucketRequest::Kind::kDelete:
      return "DELETE";
    case BucketRequest::Kind::kDeleteObjects:
      return "DELETE batch";
    case BucketRequest::Kind::kOther:
      return "OTHER";
  }
  return "OTHER";
}

uint64_t BucketStats::Count(BucketRequest::Kind kind) const {
  const auto it = requests.find(BucketRequestKindName(kind));
  return it == requests.end() ? 0 : it->second;
}

uint64_t BucketStats::Writes() const {
  return Count(BucketRequest::Kind::kPut) + Count(BucketRequest::Kind::kDelete) +
         Count(BucketRequest::Kind::kDeleteObjects);
}

FakeBucket::FakeBucket(std::string name, size_t page_size)
    : name_(std::move(name)),
      page_size_(page_size),
      server_(std::make_unique<HttpTestServer>(
          [this](const HttpRequest& request) { return Handle(request); })) {}

FakeBucket::~FakeBucket() { server_.reset(); }

std::string FakeBucket::url() const { return server_->url(); }

void FakeBucket::set_page_size(size_t keys) {
  const std::lock_guard lock(mutex_);
  page_size_ = std::max<size_t>(1, keys);
}

void FakeBucket::set_fault_hook(FaultHook hook) {
  const std::lock_guard lock(mutex_);
  hook_ = std::move(hook);
}

void FakeBucket::PutObject(const std::string& key, std::string data, int64_t mtime_ns) {
  const std::lock_guard lock(mutex_);
  Stored& stored = objects_[key];
  stored.etag = Md5Hex(data);
  stored.data = std::move(data);
  stored.mtime_ns = mtime_ns;
}

size_t FakeBucket::LoadRegistry(const fs::path& root, const std::string& prefix) {
  const fs::path v2 = root / "docker" / "registry" / "v2";
  const std::string key_prefix = (prefix.empty() ? "" : prefix + "/") + "docker/registry/v2/";
  size_t loaded = 0;
  for (fs::recursive_directory_iterator it(v2), end; it != end; ++it) {
    struct stat st {};
    if (lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    std::ifstream in(it->path().string(), std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    const std::string relative = it->path().string().substr(v2.string().size() + 1);
    PutObject(key_prefix + relative, content.str(),
              int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec);
    ++loaded;
  }
  return loaded;
}

std::vector<std::string> FakeBucket::Keys(std::string_view prefix) const {
  const std::lock_guard lock(mutex_);
  std::vector<std::string> keys;
  for (auto it = objects_.lower_bound(std::string(prefix));
       it != objects_.end() && StartsWith(it->first, prefix); ++it) {
    keys.push_back(it->first);
  }
  return keys;
}

std::optional<std::string> FakeBucket::Object(const std::string& key) const {
  const std::lock_guard lock(mutex_);
  const auto it = objects_.find(key);
  if (it == objects_.end()) return std::nullopt;
  return it->second.data;
}

void FakeBucket::WriteTree(const std::string& key_prefix, const fs::path& folder) const {
  const std::lock_guard lock(mutex_);
  fs::create_directories(folder);
  for (auto it = objects_.lower_bound(key_prefix);
       it != objects_.end() && StartsWith(it->first, key_prefix); ++it) {
    const std::string relative = it->first.substr(key_prefix.size());
    if (relative.empty() || relative.back() == '/') continue;  // a folder marker
    const fs::path path = folder / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path.string(), std::ios::binary) << it->second.data;
    const time_t seconds = static_cast<time_t>(it->second.mtime_ns / 1'000'000'000);
    const timespec times[2] = {{seconds, it->second.mtime_ns % 1'000'000'000},
                               {seconds, it->second.mtime_ns % 1'000'000'000}};
    utimensat(AT_FDCWD, path.c_str(), times, 0);
  }
}

BucketStats FakeBucket::stats() const {
  const std::lock_guard lock(mutex_);
  return stats_;
}

void FakeBucket::ResetStats() {
  const std::lock_guard lock(mutex_);
  stats_ = BucketStats();
  seen_.clear();
}

HttpResponse FakeBucket::Handle(const HttpRequest& http) {
  BucketRequest request;
  request.http = &http;
  const std::string path = PercentDecode(http.Path());
  const std::map<std::string, std::string> query = ParseQuery(http.Query());
  const std::string bucket_path = "/" + name_;
  if (path != bucket_path && !StartsWith(path, bucket_path + "/")) {
    return S3Error(404, "NoSuchBucket", "The specified bucket does not exist", path);
  }
  const std::string key =
      path.size() > bucket_path.size() + 1 ? path.substr(bucket_path.size() + 1) : std::string();
  size_t max_keys = 1000;
  if (key.empty() && http.method == "GET" && query.count("list-type") != 0) {
    request.kind = BucketRequest::Kind::kList;
    const auto get = [&query](const char* name) {
      const auto it = query.find(name);
      return it == query.end() ? std::string() : it->second;
    };
    request.prefix = get("prefix");
    request.delimiter = get("delimiter");
    request.continuation_token = get("continuation-token");
    if (const std::string text = get("max-keys"); !text.empty()) {
      std::from_chars(text.data(), text.data() + text.size(), max_keys);
    }
  } else if (key.empty() && http.method == "POST" && query.count("delete") != 0) {
    request.kind = BucketRequest::Kind::kDeleteObjects;
    request.delete_keys = ElementTexts(http.body, "Key");
  } else if (!key.empty()) {
    request.key = key;
    if (http.method == "GET") request.kind = BucketRequest::Kind::kGet;
    if (http.method == "HEAD") request.kind = BucketRequest::Kind::kHead;
    if (http.method == "PUT") request.kind = BucketRequest::Kind::kPut;
    if (http.method == "DELETE") request.kind = BucketRequest::Kind::kDelete;
  }
  FaultHook hook;
  {
    const std::lock_guard lock(mutex_);
    request.repeat = seen_[http.method + '\n' + http.target + '\n' + http.body]++;
    ++stats_.requests[BucketRequestKindName(request.kind)];
    hook = hook_;
    max_keys = std::min(max_keys, page_size_);
  }
  const Fault fault = hook ? hook(request) : Fault::None();
  if (fault.kind != Fault::Kind::kNone || !fault.denied_keys.empty()) {
    const std::lock_guard lock(mutex_);
    ++stats_.faults;
  }
  switch (fault.kind) {
    case Fault::Kind::kSlowDown:
      return S3Error(503, "SlowDown", "Please reduce your request rate.", path);
    case Fault::Kind::kInternalError:
      return S3Error(500, "InternalError", "We encountered an internal error. Please try again.",
                     path);
    case Fault::Kind::kClose:
      return HttpResponse::Close();
    default:
      break;
  }
  HttpResponse response =
      request.kind == BucketRequest::Kind::kList ? List(request, max_keys) : Carry(request, fault);
  if (fault.kind == Fault::Kind::kLoseAnswer ||
      (fault.kind == Fault::Kind::kResetInBody &&
       (response.body.empty() || request.kind == BucketRequest::Kind::kHead))) {
    return HttpResponse::Close();
  }
  if (fault.kind == Fault::Kind::kResetInBody) {
    HttpResponse reset = HttpResponse::ResetInBody(response.body, response.body.size() / 2);
    reset.status = response.status;
    reset.headers = response.headers;
    return reset;
  }
  return response;
}

HttpResponse FakeBucket::Carry(const BucketRequest& request, const Fault& fault) {
  const HttpRequest& http = *request.http;
  switch (request.kind) {
    case BucketRequest::Kind::kGet:
    case BucketRequest::Kind::kHead: {
      const std::lock_guard lock(mutex_);
      const auto it = objects_.find(request.key);
      if (it == objects_.end()) {
        // HEAD answers carry no body; the status says it.
        return S3Error(404, "NoSuchKey", "The specified key does not exist.", request.key);
      }
      HttpResponse response = HttpResponse::Answer(200, it->second.data);
      response.headers = {{"Last-Modified", HttpDate(it->second.mtime_ns)},
                          {"ETag", "\"" + it->second.etag + "\""},
                          {"Content-Type", "application/octet-stream"}};
      return response;
    }
    case BucketRequest::Kind::kPut: {
      const std::lock_guard lock(mutex_);
      if (http.Header("if-none-match") == "*" && objects_.count(request.key) != 0) {
        return S3Error(412, "PreconditionFailed",
                       "At least one of the pre-conditions you specified did not hold",
                       request.key);
      }
      Stored& stored = objects_[request.key];
      stored.data = http.body;
      stored.etag = Md5Hex(http.body);
      stored.mtime_ns = NowNs();
      HttpResponse response = HttpResponse::Answer(200);
      response.headers.emplace_back("ETag", "\"" + stored.etag + "\"");
      return response;
    }
    case BucketRequest::Kind::kDelete: {
      const std::lock_guard lock(mutex_);
      if (objects_.erase(request.key) != 0) stats_.deleted.push_back(request.key);
      return HttpResponse::Answer(204);
    }
    case BucketRequest::Kind::kDeleteObjects:
      return DeleteObjects(request, fault);
    default:
      return S3Error(405, "MethodNotAllowed",
                     "The fake bucket does not serve " + http.method + " " + http.target,
                     http.target);
  }
}

HttpResponse FakeBucket::List(const BucketRequest& request, size_t max_keys) {
  const std::lock_guard lock(mutex_);
  const std::string& prefix = request.prefix;
  const std::string& delimiter = request.delimiter;
  auto it = objects_.lower_bound(prefix);
  if (!request.continuation_token.empty()) {
    std::string last;
    bool last_is_prefix = false;
    if (!DecodeToken(request.continuation_token, &last, &last_is_prefix)) {
      return S3Error(400, "InvalidArgument", "The continuation token provided is incorrect",
                     request.continuation_token);
    }
    it = objects_.upper_bound(std::max(last, prefix));
    while (last_is_prefix && it != objects_.end() && StartsWith(it->first, last)) ++it;
  }
  std::string contents;
  std::string prefixes;
  size_t count = 0;
  bool truncated = false;
  std::string last;
  bool last_is_prefix = false;
  while (it != objects_.end() && StartsWith(it->first, prefix)) {
    if (count == max_keys) {
      truncated = true;
      break;
    }
    ++count;
    const size_t cut =
        delimiter.empty() ? std::string::npos : it->first.find(delimiter, prefix.size());
    if (cut != std::string::npos) {
      last = it->first.substr(0, cut + delimiter.size());
      last_is_prefix = true;
      prefixes += "<CommonPrefixes><Prefix>" + EscapeXml(last) + "</Prefix></CommonPrefixes>";
      while (it != objects_.end() && StartsWith(it->first, last)) ++it;
      continue;
    }
    last = it->first;
    last_is_prefix = false;
    contents += "<Contents><Key>" + EscapeXml(it->first) + "</Key><LastModified>" +
                IsoTime(it->second.mtime_ns) + "</LastModified><ETag>&quot;" + it->second.etag +
                "&quot;</ETag><Size>" + std::to_string(it->second.data.size()) +
                "</Size><StorageClass>STANDARD</StorageClass></Contents>";
    ++it;
  }
  std::string body =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>" +
      EscapeXml(name_) + "</Name><Prefix>" + EscapeXml(prefix) + "</Prefix><KeyCount>" +
      std::to_string(count) + "</KeyCount><MaxKeys>" + std::to_string(max_keys) + "</MaxKeys>";
  if (!delimiter.empty()) body += "<Delimiter>" + EscapeXml(delimiter) + "</Delimiter>";
  body += std::string("<IsTruncated>") + (truncated ? "true" : "false") + "</IsTruncated>";
  if (!request.continuation_token.empty()) {
    body += "<ContinuationToken>" + EscapeXml(request.continuation_token) + "</ContinuationToken>";
  }
  if (truncated) {
    body += "<NextContinuationToken>" + EscapeXml(EncodeToken(last, last_is_prefix)) +
            "</NextContinuationToken>";
  }
  body += contents + prefixes + "</ListBucketResult>";
  return Xml(200, std::move(body));
}

HttpResponse FakeBucket::DeleteObjects(const BucketRequest& request, const Fault& fault) {
  const HttpRequest& http = *request.http;
  if (http.Header("content-md5") != s3::Md5Base64(http.body)) {
    return S3Error(400, "InvalidDigest", "The Content-MD5 you specified was invalid.", "/");
  }
  if (request.delete_keys.empty() || request.delete_keys.size() > kMaxDeleteKeys) {
    return S3Error(400, "MalformedXML",
                   "The XML you provided was not well-formed or did not validate against our "
                   "published schema (" +
                       std::to_string(request.delete_keys.size()) + " keys)",
                   "/");
  }
  const bool quiet = http.body.find("<Quiet>true</Quiet>") != std::string::npos;
  const std::lock_guard lock(mutex_);
  stats_.delete_batches.push_back(request.delete_keys);
  std::string results;
  for (const std::string& key : request.delete_keys) {
    if (fault.denied_keys.count(key) != 0) {
      stats_.denied.push_back(key);
      results += "<Error><Key>" + EscapeXml(key) +
                 "</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>";
      continue;
    }
    if (objects_.erase(key) != 0) stats_.deleted.push_back(key);
    if (!quiet) results += "<Deleted><Key>" + EscapeXml(key) + "</Key></Deleted>";
  }
  return Xml(200,
             "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
             "<DeleteResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" +
                 results + "</DeleteResult>");
}

}  // namespace regsweep::testing
