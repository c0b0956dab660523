// SigV4 in the four steps of the S3 documentation: canonical request, string to sign, signing
// key, signature. OpenSSL's one-shot EVP digests and HMAC do the cryptography.
#include "core/s3/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <ctime>

namespace regsweep::s3 {
namespace {

using Header = std::pair<std::string, std::string>;

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

std::string Hex(const unsigned char* bytes, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    hex += kDigits[bytes[i] >> 4];
    hex += kDigits[bytes[i] & 0xf];
  }
  return hex;
}

// The raw digest of `data` with `md` (SHA-256 or MD5).
std::string Digest(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), out, &size, md, nullptr) != 1) return {};
  return {reinterpret_cast<const char*>(out), size};
}

// The raw HMAC-SHA256 of `data` under `key`.
std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out,
           &size) == nullptr) {
    return {};
  }
  return {reinterpret_cast<const char*>(out), size};
}

std::string HexOf(std::string_view raw) {
  return Hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// ASCII only: header names are tokens, and the C library's tolower would follow the locale.
std::string Lowercase(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

// SigV4's Trimall: no leading or trailing spaces, and each run of inner spaces as one (a proxy
// may fold whitespace, so S3 signs the folded value).
std::string TrimAll(std::string_view value) {
  std::string out;
  bool pending_space = false;
  for (const char c : value) {
    if (c == ' ' || c == '\t') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

bool HasHeader(const std::vector<Header>& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const Header& header) { return Lowercase(header.first) == name; });
}

// The headers signed, sorted by name, each with its values trimmed and joined by ',' in the
// order given (as SigV4 folds a repeated header). host and x-amz-date always are; S3 also
// wants its x-amz-content-sha256, and other services do not know that header.
std::vector<Header> CanonicalHeaders(const RequestToSign& request) {
  std::vector<Header> all = {{"host", request.host}};
  for (const auto& [name, value] : request.headers) all.emplace_back(Lowercase(name), value);
  if (!HasHeader(request.headers, "x-amz-date")) all.emplace_back("x-amz-date", request.amz_date);
  if (request.service == "s3" && !HasHeader(request.headers, "x-amz-content-sha256")) {
    all.emplace_back("x-amz-content-sha256", request.payload_sha256);
  }
  std::stable_sort(all.begin(), all.end(),
                   [](const Header& a, const Header& b) { return a.first < b.first; });
  std::vector<Header> merged;
  for (const auto& [name, value] : all) {
    if (!merged.empty() && merged.back().first == name) {
      merged.back().second += "," + TrimAll(value);
    } else {
      merged.emplace_back(name, TrimAll(value));
    }
  }
  return merged;
}

std::string SignedHeaderNames(const std::vector<Header>& headers) {
  std::string names;
  for (const auto& header : headers) {
    if (!names.empty()) names += ';';
    names += header.first;
  }
  return names;
}

std::string CanonicalRequestWith(const RequestToSign& request, const std::vector<Header>& headers) {
  std::string text =
      request.method + "\n" + request.path + "\n" + CanonicalQuery(request.query) + "\n";
  for (const auto& [name, value] : headers) text += name + ":" + value + "\n";
  text += "\n" + SignedHeaderNames(headers) + "\n" + request.payload_sha256;
  return text;
}

// "20130524/us-east-1/s3/aws4_request": the date is the first 8 characters of amz_date.
std::string CredentialScope(const RequestToSign& request) {
  return request.amz_date.substr(0, 8) + "/" + request.region + "/" + request.service +
         "/aws4_request";
}

std::string SigningKey(const RequestToSign& request, std::string_view secret_key) {
  const std::string date_key =
      HmacSha256("AWS4" + std::string(secret_key), request.amz_date.substr(0, 8));
  const std::string region_key = HmacSha256(date_key, request.region);
  const std::string service_key = HmacSha256(region_key, request.service);
  return HmacSha256(service_key, "aws4_request");
}

}  // namespace

std::string UriEncode(std::string_view text, bool encode_slash) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (IsUnreserved(byte) || (c == '/' && !encode_slash)) {
      out += c;
    } else {
      out += '%';
      out += kDigits[byte >> 4];
      out += kDigits[byte & 0xf];
    }
  }
  return out;
}

std::string CanonicalQuery(const std::vector<std::pair<std::string, std::string>>& query) {
  // Sorted by the encoded forms: that is the byte order S3 compares.
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [name, value] : query) {
    encoded.emplace_back(UriEncode(name, true), UriEncode(value, true));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string text;
  for (const auto& [name, value] : encoded) {
    if (!text.empty()) text += '&';
    text += name + "=" + value;
  }
  return text;
}

std::string CanonicalRequest(const RequestToSign& request) {
  return CanonicalRequestWith(request, CanonicalHeaders(request));
}

std::string Authorization(const RequestToSign& request, const Credentials& credentials) {
  // A session token is part of what is signed, so it travels with the request's headers.
  RequestToSign signed_request = request;
  if (!credentials.session_token.empty() && !HasHeader(request.headers, "x-amz-security-token")) {
    signed_request.headers.emplace_back("x-amz-security-token", credentials.session_token);
  }
  const std::vector<Header> headers = CanonicalHeaders(signed_request);
  const std::string scope = CredentialScope(signed_request);
  const std::string string_to_sign = std::string(kAlgorithm) + "\n" + signed_request.amz_date +
                                     "\n" + scope + "\n" +
                                     Sha256Hex(CanonicalRequestWith(signed_request, headers));
  const std::string signature =
      HexOf(HmacSha256(SigningKey(signed_request, credentials.secret_key), string_to_sign));
  return std::string(kAlgorithm) + " Credential=" + credentials.access_key + "/" + scope +
         ",SignedHeaders=" + SignedHeaderNames(headers) + ",Signature=" + signature;
}

std::string Sha256Hex(std::string_view data) { return HexOf(Digest(EVP_sha256(), data)); }

std::string Md5Base64(std::string_view data) {
  const std::string md5 = Digest(EVP_md5(), data);
  unsigned char out[32];  // 24 characters and a NUL
  const int size = EVP_EncodeBlock(out, reinterpret_cast<const unsigned char*>(md5.data()),
                                   static_cast<int>(md5.size()));
  return {reinterpret_cast<const char*>(out), static_cast<size_t>(size)};
}

std::string AmzDate(long long unix_seconds) {
  const auto seconds = static_cast<time_t>(unix_seconds);
  struct tm tm {};
  char text[32];
  if (gmtime_r(&seconds, &tm) == nullptr ||
      strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &tm) == 0) {
    return {};
  }
  return text;
}

}  // namespace regsweep::s3
