// OpenSSL EVP streaming hash of blob data files with large sequential reads.
#include "audit/check/blob_hasher.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <vector>

#include "audit/check/mapped_digest.h"

namespace regsweep::audit {
namespace {

constexpr size_t kReadChunk = size_t{1} << 20;

struct EvpContextFree {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

// Fetched once and kept: with OpenSSL 3, EVP_sha256() makes every EVP_DigestInit_ex look the
// implementation up again under a lock.
const EVP_MD* EvpAlgorithm(DigestAlgorithm algorithm) {
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  static EVP_MD* const sha512 = EVP_MD_fetch(nullptr, "SHA2-512", nullptr);
  return algorithm == DigestAlgorithm::kSha256 ? sha256 : sha512;
}

}  // namespace

BlobRead HashBlobData(int shard_fd, const Digest& name, uint64_t defer_above,
                      std::atomic<uint64_t>* progress) {
  BlobRead result;
  const OpenedFile file = OpenRegularFile(shard_fd, name.Hex() + "/data");
  result.inode = file.inode;
  result.size = file.size;
  result.allocated = file.allocated;
  result.mtime_ns = file.mtime_ns;
  result.error = file.error;
  if (file.status != ReadStatus::kOk) {
    result.status = file.status;
    return result;
  }
  if (file.size > defer_above) {
    result.deferred = true;
    result.status = ReadStatus::kOk;
    return result;
  }
  const UniqueFd& fd = file.fd;
  const EVP_MD* algorithm = EvpAlgorithm(name.algorithm());
  // One context per thread, reset by each init.
  thread_local const std::unique_ptr<EVP_MD_CTX, EvpContextFree> context(EVP_MD_CTX_new());
  if (!context || EVP_DigestInit_ex(context.get(), algorithm, nullptr) != 1) {
    result.error = ENOMEM;
    return result;
  }
  auto finish = [&] {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(context.get(), out, &length);
    result.hash = Digest::FromBytes(name.algorithm(), out);
    result.status = ReadStatus::kOk;
    return result;
  };
  if (file.size > kReadChunk) {
    posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
    if (DigestMappedFile(fd.get(), file.size, context.get(), progress)) {
      result.bytes = file.size;
      return finish();
    }
    // The mapping failed or the file shrank underneath it: read it instead, from the start.
    if (EVP_DigestInit_ex(context.get(), algorithm, nullptr) != 1) {
      result.error = ENOMEM;
      return result;
    }
  }
  thread_local std::vector<unsigned char> buffer(kReadChunk);
  while (true) {
    const ssize_t n = read(fd.get(), buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      result.error = errno;
      return result;
    }
    if (n == 0) break;
    EVP_DigestUpdate(context.get(), buffer.data(), static_cast<size_t>(n));
    result.bytes += static_cast<uint64_t>(n);
    if (progress != nullptr) progress->fetch_add(static_cast<uint64_t>(n));
    // A short read that reached the size fstat gave is the end: no read just to see 0.
    if (static_cast<size_t>(n) < buffer.size() && result.bytes >= file.size) break;
  }
  return finish();
}

}  // namespace regsweep::audit
