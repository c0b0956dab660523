// OpenSSL EVP streaming hash of blob data files, fed by the read seam's BlobStream.
#include "audit/check/blob_hasher.h"

#include <openssl/evp.h>

#include <cerrno>
#include <memory>
#include <string>

namespace regsweep::audit {
namespace {

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

// Digests what a stream hands over, counting the bytes. Consume only updates the digest and
// counters, as ChunkSink requires (a mapped chunk may be abandoned part way).
class DigestSink final : public ChunkSink {
 public:
  DigestSink(EVP_MD_CTX* context, const EVP_MD* algorithm, std::atomic<uint64_t>* progress)
      : context_(context), algorithm_(algorithm), progress_(progress) {}

  void Begin() override {
    ready_ = EVP_DigestInit_ex(context_, algorithm_, nullptr) == 1;
    bytes_ = 0;
  }
  void Consume(const unsigned char* data, size_t size) override {
    if (!ready_) return;
    EVP_DigestUpdate(context_, data, size);
    bytes_ += size;
    if (progress_ != nullptr) progress_->fetch_add(size);
  }

  // False when the digest could not be started.
  bool ready() const { return ready_; }
  uint64_t bytes() const { return bytes_; }

 private:
  EVP_MD_CTX* const context_;
  const EVP_MD* const algorithm_;
  std::atomic<uint64_t>* const progress_;
  bool ready_ = false;
  uint64_t bytes_ = 0;
};

}  // namespace

BlobRead HashBlobData(TreeReader& reader, const Folder& shard, const std::string& data,
                      const Digest& name, uint64_t defer_above, std::atomic<uint64_t>* progress) {
  BlobRead result;
  OpenedFacts facts;
  const std::unique_ptr<BlobStream> stream = reader.OpenStream(shard, data, &facts);
  result.inode = facts.inode;
  result.size = facts.size;
  result.allocated = facts.allocated;
  result.mtime_ns = facts.mtime_ns;
  result.io = facts.io;
  if (facts.status != ReadStatus::kOk) {
    result.status = facts.status;
    return result;
  }
  if (stream == nullptr) {  // a reader that broke its contract
    result.io = IoStatus::FromErrno(EIO);
    return result;
  }
  result.opened = true;
  if (facts.size > defer_above) {
    result.deferred = true;
    result.status = ReadStatus::kOk;
    return result;
  }
  // One context per thread, reset by each Begin.
  thread_local const std::unique_ptr<EVP_MD_CTX, EvpContextFree> context(EVP_MD_CTX_new());
  if (!context) {
    result.io = IoStatus::FromErrno(ENOMEM);
    return result;
  }
  DigestSink sink(context.get(), EvpAlgorithm(name.algorithm()), progress);
  const IoStatus read = stream->ForEachChunk(sink);
  result.bytes = sink.bytes();
  if (!read.ok()) {
    result.io = read;
    return result;
  }
  if (!sink.ready()) {
    result.io = IoStatus::FromErrno(ENOMEM);
    return result;
  }
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(context.get(), out, &length);
  result.hash = Digest::FromBytes(name.algorithm(), out);
  result.status = ReadStatus::kOk;
  return result;
}

}  // namespace regsweep::audit
