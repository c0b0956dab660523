// Test support: a ChunkSink (core/blob_stream.h) that hashes what a stream hands it with
// sha256 and counts the bytes, the chunks and the times the stream started over, so stream
// tests can compare what arrived with the file's bytes without keeping them.
#ifndef REGSWEEP_TESTS_TESTING_HASHING_SINK_H_
#define REGSWEEP_TESTS_TESTING_HASHING_SINK_H_

#include <openssl/evp.h>

#include <cstdint>
#include <functional>
#include <memory>

#include "core/blob_stream.h"
#include "core/digest.h"

namespace regsweep::testing {

class HashingSink final : public ChunkSink {
 public:
  HashingSink() : context_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {}

  void Begin() override {
    ++begins_;
    bytes_ = 0;
    EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr);
  }
  void Consume(const unsigned char* data, size_t size) override {
    ++chunks_;
    if (chunks_ == 1 && before_first_chunk) before_first_chunk();
    EVP_DigestUpdate(context_.get(), data, size);
    bytes_ += size;
  }

  // The sha256 of the bytes consumed since the last Begin; call once, at the end.
  Digest Finish() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(context_.get(), out, &length);
    return Digest::FromBytes(DigestAlgorithm::kSha256, out);
  }
  int begins() const { return begins_; }
  uint64_t bytes() const { return bytes_; }  // since the last Begin
  int chunks() const { return chunks_; }     // all of them

  // Runs in the first Consume, before its bytes are read (e.g. to shrink the file underneath).
  std::function<void()> before_first_chunk;

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context_;
  int begins_ = 0;
  int chunks_ = 0;
  uint64_t bytes_ = 0;
};

}  // namespace regsweep::testing

#endif  // REGSWEEP_TESTS_TESTING_HASHING_SINK_H_
