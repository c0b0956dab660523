// Test support for audit: a registry tree built with RegistryBuilder, a way to run the whole
// audit on it, to find findings by kind and path and to record which blobs it hashed, and a
// snapshot of every file (type, size, content hash, symlink target) to prove an audit changed
// nothing.
#ifndef REGSWEEP_TESTS_AUDIT_AUDIT_FIXTURE_H_
#define REGSWEEP_TESTS_AUDIT_AUDIT_FIXTURE_H_

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "audit/check/audit_run.h"
#include "audit/check/blob_hasher.h"
#include "tests/testing/registry_builder.h"

namespace regsweep::audit::testing {

using regsweep::testing::RegistryBuilder;
using regsweep::testing::TempDir;

// Every entry below `root`: relative path -> type, size and content hash (or link target).
std::map<std::string, std::string> SnapshotTree(const boost::filesystem::path& root);

class AuditTest : public ::testing::Test {
 protected:
  AuditTest() : builder_(dir_.path() / "root") {}

  AuditOutcome Audit(AuditOptions options = {}) {
    options.root = builder_.root().string();
    if (options.now_ns == 0) options.now_ns = kNow;
    return RunAudit(options);
  }
  // Runs the audit and checks that it changed nothing in the tree.
  AuditOutcome AuditReadOnly(AuditOptions options = {}) {
    const auto before = SnapshotTree(builder_.root());
    AuditOutcome outcome = Audit(std::move(options));
    EXPECT_EQ(before, SnapshotTree(builder_.root())) << "the audit modified the tree";
    return outcome;
  }

  static const Finding* Find(const AuditOutcome& outcome, const std::string& kind,
                             const std::string& path) {
    for (const Finding& f : outcome.findings) {
      if (f.kind == kind && f.path == path) return &f;
    }
    return nullptr;
  }
  static std::string Describe(const AuditOutcome& outcome) {
    std::string text = outcome.fatal;
    for (const Finding& f : outcome.findings) text += "\n" + f.ToLine();
    return text;
  }
  // No finding above info.
  static bool Clean(const AuditOutcome& outcome) {
    return outcome.fatal.empty() && outcome.Count(Severity::kError) == 0 &&
           outcome.Count(Severity::kWarning) == 0;
  }

  // Hashes as audit does and records in hashed_ the name of every blob it is asked to hash
  // (read hashed_ once the run has returned).
  BlobHashFunction RecordingHash() {
    return [this](TreeReader& reader, const Folder& shard, const std::string& data,
                  const Digest& name, uint64_t defer_above, std::atomic<uint64_t>* progress) {
      {
        std::lock_guard<std::mutex> lock(hashed_mutex_);
        hashed_.insert(name);
      }
      return HashBlobData(reader, shard, data, name, defer_above, progress);
    };
  }

  // A fixed "now" well after the files' mtimes.
  static constexpr int64_t kNow = int64_t{2000000000} * 1000000000;

  TempDir dir_;
  RegistryBuilder builder_;
  std::mutex hashed_mutex_;
  std::multiset<Digest> hashed_;  // by RecordingHash
};

}  // namespace regsweep::audit::testing

#endif  // REGSWEEP_TESTS_AUDIT_AUDIT_FIXTURE_H_
