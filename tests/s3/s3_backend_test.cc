// Fault tests of the S3 backend (core/s3: the reader over listings, batched deletions, the lock
// object) over real HTTP, against an in-memory bucket (testing/fake_bucket) loaded from a
// registry tree built on disk: whole gc and audit runs on `s3://bucket/registry` must come to
// what the same runs come to on the tree on disk, however the store misbehaves on the way
// (throttling, errors, resets, keys it refuses to delete), and a run that cannot know must not
// delete. S3's real behaviour is tested end to end against Ceph RGW (scripts/ceph-rgw.sh).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/filesystem.hpp>
#include <chrono>
#include <cstdlib>
#include <future>
#include <set>
#include <string>
#include <vector>

#include "audit/check/audit_run.h"
#include "core/distribution_layout.h"
#include "core/hash.h"
#include "core/run_lock.h"
#include "core/s3/s3_backend.h"
#include "core/s3/s3_location.h"
#include "gc/gc_run.h"
#include "gc/report.h"
#include "tests/testing/consistency.h"
#include "tests/testing/fake_bucket.h"
#include "tests/testing/registry_builder.h"

namespace regsweep {
namespace {

namespace fs = boost::filesystem;
using testing::Blob;
using testing::BucketRequest;
using testing::BucketStats;
using testing::FakeBucket;
using testing::Fault;
using testing::RegistryBuilder;
using testing::TempDir;

constexpr char kRoot[] = "s3://bucket/registry";
constexpr char kV2Prefix[] = "registry/docker/registry/v2/";
constexpr int64_t kAged = 1577836800;  // 2020-01-01, as CopyAgedTree ages a copy
// Listing pages under faults: still several pages for the larger folders, but fewer pages in a
// row waiting for a retry's backoff (50 ms base: ClientOptions cannot be set through gc).
constexpr size_t kFaultPageSize = 10;

Digest Sha(const std::string& content) { return HashBytes(DigestAlgorithm::kSha256, content); }

// An image as RegistryBuilder pushes it: the manifest and every blob it names.
struct Image {
  Blob manifest;
  std::vector<Digest> blobs;  // the manifest, its config and layers
};

Image Push(RegistryBuilder& builder, const std::string& repository,
           const std::vector<std::string>& layers) {
  Image image;
  image.manifest = builder.PushImage(repository, layers);
  image.blobs.push_back(image.manifest.digest);
  std::string joined;
  for (const std::string& layer : layers) {
    image.blobs.push_back(Sha(layer));
    joined += layer + ",";
  }
  image.blobs.push_back(Sha("{\"layers\":\"" + joined + "\"}"));
  return image;
}

std::vector<std::string> Sorted(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  return items;
}

std::vector<std::string> ActionKeys(const Plan& plan) {
  std::vector<std::string> keys;
  for (const Action& action : plan.actions) keys.push_back(plan.Key(action));
  return Sorted(keys);
}

// The regular files below `v2`, relative, sorted, without the run lock.
std::vector<std::string> FilesBelow(const fs::path& v2) {
  std::vector<std::string> files;
  for (fs::recursive_directory_iterator it(v2), end; it != end; ++it) {
    if (!fs::is_regular_file(it->symlink_status())) continue;
    std::string relative = it->path().string().substr(v2.string().size() + 1);
    if (relative != kLockFileName) files.push_back(std::move(relative));
  }
  return Sorted(files);
}

// Keys below the v2 folder, relative to it.
std::vector<std::string> RelativeKeys(const std::vector<std::string>& keys) {
  std::vector<std::string> relative;
  for (const std::string& key : keys) {
    if (key.rfind(kV2Prefix, 0) == 0) relative.push_back(key.substr(sizeof kV2Prefix - 1));
  }
  return relative;
}

// The keys of `keys` that lie at or below a path the plan's actions remove.
std::vector<std::string> KeysOfActions(const std::vector<std::string>& keys, const Plan& plan) {
  std::set<std::string> below;
  for (const Action& action : plan.actions) {
    const std::string path = kV2Prefix + plan.Path(action);
    for (const std::string& key : keys) {
      if (key == path || key.rfind(path + "/", 0) == 0) below.insert(key);
    }
  }
  return {below.begin(), below.end()};
}

std::vector<std::string> Minus(const std::vector<std::string>& from,
                               const std::vector<std::string>& taken) {
  std::vector<std::string> rest;
  std::set_difference(from.begin(), from.end(), taken.begin(), taken.end(),
                      std::back_inserter(rest));
  return rest;
}

std::string Report(const GcOutcome& outcome) { return outcome.fatal + GcTextReport(outcome, true); }

// FNV-1a: the same pseudo-random choice for the same request in every run and on every thread
// schedule.
uint64_t Fnv(std::string_view text, uint64_t seed) {
  uint64_t hash = 14695981039346656037ULL ^ seed;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

class S3BackendTest : public ::testing::Test {
 protected:
  S3BackendTest() : built_(dir_.path() / "built") {}

  void SetUp() override {
    setenv("AWS_ENDPOINT_URL", bucket_.url().c_str(), 1);
    setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", 1);
    for (const char* name : {"AWS_ENDPOINT_URL_S3", "AWS_SESSION_TOKEN", "AWS_PROFILE"}) {
      unsetenv(name);
    }
  }
  void TearDown() override {
    for (const char* name : {"AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}) {
      unsetenv(name);
    }
  }

  // The registry every test collects: tagged and untagged images in three top folders, an
  // index, a repository with nothing tagged (pruned), orphan blobs and a stale upload with
  // `hashstates` hash states; aged to 2020 and loaded into the bucket.
  void Build(size_t orphans = 2, size_t hashstates = 2) {
    app_ = Push(built_, "lib/app", {"base", "app"});
    built_.Tag("lib/app", "1.0", app_.manifest.digest);
    old_app_ = Push(built_, "lib/app", {"base", "old-app"});
    const Image amd = Push(built_, "lib/tool", {"base", "tool-amd64"});
    const Image arm = Push(built_, "lib/tool", {"base", "tool-arm64"});
    const Blob index = built_.PushIndex("lib/tool", {amd.manifest, arm.manifest});
    built_.Tag("lib/tool", "latest", index.digest);
    web_ = Push(built_, "team/web", {"base", "web"});
    built_.Tag("team/web", "prod", web_.manifest.digest);
    old_web_ = Push(built_, "team/web", {"web-old"});
    Push(built_, "scratch", {"scratch-layer"});
    for (size_t i = 0; i < orphans; ++i) built_.AddBlob("orphan-" + std::to_string(i));
    const std::string upload = distribution::UploadDir("lib/app", "a1b2c3d4-upload");
    built_.AddUpload("lib/app", "a1b2c3d4-upload", "2020-01-01T00:00:00Z", "partial");
    for (size_t i = 0; i < hashstates; ++i) {
      built_.WriteFile(upload + "/hashstates/sha256/" + std::to_string(i * 1024), "state");
    }
    built_.SetAllMtimes(kAged);
    ASSERT_GT(bucket_.LoadRegistry(built_.root(), "registry"), 0u);
    initial_ = bucket_.Keys();
  }

  static GcOptions S3Options(bool dry_run) {
    GcOptions options = testing::CollectAgedTree(kRoot, /*delete_untagged=*/true);
    options.dry_run = dry_run;
    return options;
  }

  // gc -m on a fresh aged copy of the built tree: its outcome and the files it leaves.
  struct DiskRun {
    GcOutcome outcome;
    std::vector<std::string> files;
  };
  DiskRun GcOnDisk(bool dry_run) {
    const std::string root = (dir_.path() / ("disk-" + std::to_string(disk_runs_++))).string();
    testing::CopyAgedTree(built_.root().string(), root);
    GcOptions options = testing::CollectAgedTree(root, /*delete_untagged=*/true);
    options.dry_run = dry_run;
    DiskRun run{RunGc(options), {}};
    run.files = FilesBelow(testing::V2Of(root));
    return run;
  }

  // gc -m on the bucket, with the stats of that run only.
  GcOutcome GcOnBucket(bool dry_run) {
    bucket_.ResetStats();
    return RunGc(S3Options(dry_run));
  }

  // The bucket's registry written back to disk, for the consistency check.
  std::vector<std::string> BucketViolations() {
    const fs::path v2 = dir_.path() / ("bucket-" + std::to_string(disk_runs_++)) / "v2";
    bucket_.WriteTree(kV2Prefix, v2);
    return testing::CheckConsistency(v2.string());
  }

  // A dry run and a real run on the bucket come to what they come to on disk: the retries hide
  // the faults the bucket injected, and the report counts them. `exact`: each fault cost one
  // retry the client counted (not so for a connection closed without an answer: libcurl may
  // send the request again on a fresh connection by itself, unseen by the client).
  void ExpectSameAsOnDisk(bool exact = true) {
    const DiskRun disk_dry = GcOnDisk(true);
    ASSERT_EQ(disk_dry.outcome.exit_code, 0) << Report(disk_dry.outcome);
    const GcOutcome dry = GcOnBucket(true);
    ASSERT_EQ(dry.exit_code, 0) << Report(dry);
    EXPECT_EQ(ActionKeys(dry.plan), ActionKeys(disk_dry.outcome.plan));
    EXPECT_EQ(bucket_.Keys(), initial_) << "a dry run changed the bucket";
    ExpectRetriesCounted(dry, exact);

    const DiskRun disk = GcOnDisk(false);
    ASSERT_EQ(disk.outcome.exit_code, 0) << Report(disk.outcome);
    const GcOutcome real = GcOnBucket(false);
    ASSERT_EQ(real.exit_code, 0) << Report(real);
    EXPECT_EQ(ActionKeys(real.plan), ActionKeys(disk.outcome.plan));
    EXPECT_EQ(RelativeKeys(bucket_.Keys()), disk.files);
    ExpectRetriesCounted(real, exact);
  }

  void ExpectRetriesCounted(const GcOutcome& outcome, bool exact) {
    const BucketStats stats = bucket_.stats();
    ASSERT_TRUE(outcome.requests.has_value());
    if (!exact) {
      EXPECT_LE(outcome.requests->retries, stats.faults);
      return;
    }
    // Every request is in the tally, the lock's removal (a real run's last) included.
    EXPECT_EQ(outcome.requests->retries, stats.faults);
    if (outcome.requests->retries != 0) {
      EXPECT_NE(Report(outcome).find(std::to_string(outcome.requests->retries) + " retries"),
                std::string::npos)
          << Report(outcome);
    }
  }

  TempDir dir_{/*in_memory=*/true};
  RegistryBuilder built_;
  FakeBucket bucket_;
  std::vector<std::string> initial_;  // the bucket's keys once loaded
  Image app_, old_app_, web_, old_web_;
  int disk_runs_ = 0;
};

// (a) The plan read from listings is the plan read from the folders.
TEST_F(S3BackendTest, DryRunPlansWhatItPlansOnDisk) {
  Build();
  const DiskRun disk = GcOnDisk(true);
  ASSERT_EQ(disk.outcome.exit_code, 0) << Report(disk.outcome);
  const GcOutcome dry = GcOnBucket(true);
  ASSERT_EQ(dry.exit_code, 0) << Report(dry);
  EXPECT_EQ(ActionKeys(dry.plan), ActionKeys(disk.outcome.plan));
  EXPECT_GT(dry.plan.actions.size(), 10u) << Report(dry);
  EXPECT_EQ(dry.FreedBytes(), disk.outcome.FreedBytes());
  EXPECT_EQ(bucket_.Keys(), initial_);
  EXPECT_EQ(bucket_.stats().Writes(), 0u) << "a dry run sends no PUT or DELETE";
  ASSERT_TRUE(dry.requests.has_value());
  EXPECT_EQ(dry.requests->retries, 0u);
  EXPECT_GT(bucket_.stats().Count(BucketRequest::Kind::kList), 0u);
}

// (b) The keys deleted are exactly those below the plan's paths, 1000 a request at most, and
// what is left is what gc leaves on disk.
TEST_F(S3BackendTest, GcDeletesExactlyTheKeysBelowThePlannedPaths) {
  // Over 1000 keys in the blob phase (many paths a request) and in the upload phase (one path
  // over two requests).
  Build(/*orphans=*/1010, /*hashstates=*/1100);
  bucket_.set_page_size(200);
  const DiskRun disk = GcOnDisk(false);
  ASSERT_EQ(disk.outcome.exit_code, 0) << Report(disk.outcome);
  const GcOutcome real = GcOnBucket(false);
  ASSERT_EQ(real.exit_code, 0) << Report(real);
  EXPECT_EQ(ActionKeys(real.plan), ActionKeys(disk.outcome.plan));

  const BucketStats stats = bucket_.stats();
  const std::vector<std::string> expected = KeysOfActions(initial_, real.plan);
  std::vector<std::string> in_batches;
  size_t largest = 0;
  for (const std::vector<std::string>& batch : stats.delete_batches) {
    largest = std::max(largest, batch.size());
    in_batches.insert(in_batches.end(), batch.begin(), batch.end());
  }
  EXPECT_EQ(Sorted(in_batches), expected) << "every key once, none outside the plan";
  EXPECT_EQ(largest, 1000u);
  // One DeleteObjects per 1000 keys of a phase (a phase: the plan's actions of one kind; its
  // keys: those below its paths that no earlier phase deleted).
  size_t batches = 0;
  std::set<std::string> gone;
  for (size_t begin = 0, end = 0; begin < real.plan.actions.size(); begin = end) {
    Plan phase;
    phase.layout = real.plan.layout;
    phase.repositories = real.plan.repositories;
    for (end = begin; end < real.plan.actions.size() &&
                      real.plan.actions[end].kind == real.plan.actions[begin].kind;
         ++end) {
      phase.actions.push_back(real.plan.actions[end]);
    }
    size_t keys = 0;
    for (const std::string& key : KeysOfActions(initial_, phase)) keys += gone.insert(key).second;
    batches += (keys + 999) / 1000;
  }
  EXPECT_EQ(stats.delete_batches.size(), batches);
  EXPECT_EQ(Minus(initial_, bucket_.Keys()), expected);
  EXPECT_EQ(RelativeKeys(bucket_.Keys()), disk.files);
  // Single DELETEs: the lock object only.
  EXPECT_EQ(stats.Count(BucketRequest::Kind::kDelete), 1u);
  EXPECT_EQ(bucket_.Keys(std::string(kV2Prefix) + kLockFileName).size(), 0u);
  ASSERT_TRUE(real.requests.has_value());
  // The tally is taken after the lock is removed: its key is counted.
  EXPECT_EQ(real.requests->keys_deleted, expected.size() + 1);
  const auto deletes = std::find(real.requests->by_kind.begin(), real.requests->by_kind.end(),
                                 std::pair<std::string, uint64_t>("DELETE", 1));
  EXPECT_NE(deletes, real.requests->by_kind.end()) << "the lock's DELETE is counted";

  const GcOutcome again = GcOnBucket(false);
  EXPECT_EQ(again.exit_code, 0) << Report(again);
  EXPECT_TRUE(again.plan.actions.empty()) << Report(again);
  EXPECT_TRUE(bucket_.stats().delete_batches.empty());
}

// (c) Throttling on the first attempt of every listing page is hidden by the retries.
// The storage turns a path into the keys it stands for from the listings, whatever the path:
// one object, a folder below a listed subtree, a whole listed subtree (a top repository
// folder), a folder above the listed ones (the blob store: listed from there), and a path
// already gone.
TEST_F(S3BackendTest, RemoveTreesDeletesEveryKeyAtOrBelowEachPath) {
  Build();
  s3::Location location;
  std::string error;
  ASSERT_TRUE(s3::ParseS3Root(kRoot, &location, &error)) << error;
  ASSERT_TRUE(s3::FillFromEnvironment(s3::ProcessEnvironment(), &location, &error)) << error;
  const std::unique_ptr<Backend> backend = s3::OpenS3Backend(location, BackendSettings{}, &error);
  ASSERT_NE(backend, nullptr) << error;
  const std::string tag_link = "repositories/lib/app/_manifests/tags/1.0/current/link";
  const std::vector<std::string> paths = {tag_link, "repositories/lib/tool/_manifests",
                                          "repositories/team", "blobs",
                                          "repositories/lib/nothing-here"};
  bucket_.ResetStats();
  const std::vector<StorageStatus> statuses = backend->storage().RemoveTrees(paths, {});
  ASSERT_EQ(statuses.size(), paths.size());
  for (const StorageStatus& status : statuses) EXPECT_TRUE(status.ok()) << status.message;
  std::vector<std::string> expected;
  for (const std::string& key : initial_) {
    const std::string relative = key.substr(sizeof kV2Prefix - 1);
    bool below = false;
    for (const std::string& path : paths) {
      below |= relative == path || relative.rfind(path + "/", 0) == 0;
    }
    if (!below) expected.push_back(key);
  }
  ASSERT_LT(expected.size(), initial_.size());
  ASSERT_GT(expected.size(), 0u);
  EXPECT_EQ(bucket_.Keys(), expected);
  EXPECT_EQ(bucket_.stats().Count(BucketRequest::Kind::kDeleteObjects), 1u);
}

TEST_F(S3BackendTest, SlowDownOnEveryFirstListingIsRetried) {
  Build();
  bucket_.set_page_size(kFaultPageSize);
  bucket_.set_fault_hook([](const BucketRequest& request) {
    return request.kind == BucketRequest::Kind::kList && request.repeat == 0
               ? Fault::Of(Fault::Kind::kSlowDown)
               : Fault::None();
  });
  ExpectSameAsOnDisk();
}

// (c) Throttling of the first attempt of a pseudo-random 30% of the requests (the same ones in
// every run, whatever the threads' order): hidden too.
TEST_F(S3BackendTest, SlowDownOnRandomRequestsIsRetried) {
  Build();
  bucket_.set_page_size(kFaultPageSize);
  bucket_.set_fault_hook([](const BucketRequest& request) {
    const std::string identity = request.http->method + request.http->target + request.http->body;
    return request.repeat == 0 && Fnv(identity, 42) % 100 < 30 ? Fault::Of(Fault::Kind::kSlowDown)
                                                               : Fault::None();
  });
  ExpectSameAsOnDisk();
  EXPECT_GT(bucket_.stats().faults, 0u);
}

// (d) A repository's listing that fails on every attempt: the run says which prefix it could
// not list, fails, and deletes nothing that repository could need.
TEST_F(S3BackendTest, RepositoryThatCannotBeListedKeepsWhatItCouldUse) {
  Build();
  const std::string failing = std::string(kV2Prefix) + "repositories/team/";
  auto attempts = std::make_shared<std::atomic<int>>(0);
  bucket_.set_fault_hook([failing, attempts](const BucketRequest& request) {
    if (request.kind != BucketRequest::Kind::kList || request.prefix != failing) {
      return Fault::None();
    }
    ++*attempts;
    return Fault::Of(Fault::Kind::kInternalError);
  });
  const std::vector<std::string> below_before = bucket_.Keys(failing);
  ASSERT_FALSE(below_before.empty());
  const GcOutcome real = GcOnBucket(false);
  EXPECT_EQ(real.exit_code, 1) << Report(real);
  EXPECT_TRUE(real.fatal.empty()) << real.fatal;
  bool named = false;
  for (const Finding& finding : real.problems) {
    named = named || (finding.severity == Severity::kError &&
                      finding.path.find("repositories/team") != std::string::npos &&
                      finding.reason.find("HTTP 500 InternalError") != std::string::npos &&
                      finding.reason.find("(6 attempts)") != std::string::npos);
  }
  EXPECT_TRUE(named) << Report(real);
  EXPECT_EQ(bucket_.Keys(failing), below_before);
  for (const Image* image : {&web_, &old_web_}) {
    for (const Digest& digest : image->blobs) {
      EXPECT_TRUE(bucket_.Object(kV2Prefix + distribution::BlobData(digest)).has_value())
          << digest.ToString();
    }
  }
  EXPECT_EQ(*attempts, 6) << "the listing is tried ClientOptions::max_attempts times, once";
  EXPECT_EQ(BucketViolations(), std::vector<std::string>());
  EXPECT_FALSE(bucket_.Object(std::string(kV2Prefix) + kLockFileName).has_value());
}

// (e) Keys the store refuses to delete fail their paths; the sweep stops after that phase; a
// rerun finishes, and a third has nothing to do.
TEST_F(S3BackendTest, DeniedBlobDeletionsStopTheSweepAndARerunConverges) {
  Build();
  const std::set<std::string> denied = {kV2Prefix + distribution::BlobData(Sha("old-app")),
                                        kV2Prefix + distribution::BlobData(Sha("orphan-0"))};
  bucket_.set_fault_hook([denied](const BucketRequest& request) {
    Fault fault;
    for (const std::string& key : request.delete_keys) {
      if (denied.count(key) != 0) fault.denied_keys.insert(key);
    }
    return fault;
  });
  const DiskRun disk = GcOnDisk(false);
  ASSERT_EQ(disk.outcome.exit_code, 0) << Report(disk.outcome);

  const GcOutcome first = GcOnBucket(false);
  EXPECT_EQ(first.exit_code, 1) << Report(first);
  EXPECT_TRUE(first.sweep.stopped_early);
  std::vector<std::string> failed;
  for (const Finding& finding : first.sweep.failures) {
    EXPECT_EQ(finding.kind, "delete_failed");
    EXPECT_NE(finding.reason.find("AccessDenied"), std::string::npos) << finding.ToLine();
    failed.push_back(finding.path);
  }
  EXPECT_EQ(Sorted(failed), Sorted({distribution::BlobDir(Sha("old-app")),
                                    distribution::BlobDir(Sha("orphan-0"))}));
  bool later_phases = false;
  for (size_t i = 0; i < first.plan.actions.size(); ++i) {
    const Action& action = first.plan.actions[i];
    if (action.kind == ActionKind::kDeleteUpload || action.kind == ActionKind::kPruneRepository) {
      later_phases = true;
      EXPECT_FALSE(first.sweep.done[i]) << first.plan.Key(action);
    } else if (action.kind == ActionKind::kDeleteBlob) {
      EXPECT_EQ(first.sweep.done[i] != 0,
                denied.count(kV2Prefix + distribution::BlobData(action.digest)) == 0)
          << first.plan.Key(action);
    } else {
      EXPECT_TRUE(first.sweep.done[i]) << first.plan.Key(action);
    }
  }
  EXPECT_TRUE(later_phases) << "the plan must have phases after the blobs";
  const std::string upload = kV2Prefix + distribution::UploadDir("lib/app", "a1b2c3d4-upload");
  std::vector<std::string> upload_keys;
  std::copy_if(initial_.begin(), initial_.end(), std::back_inserter(upload_keys),
               [&upload](const std::string& key) { return key.rfind(upload, 0) == 0; });
  EXPECT_EQ(bucket_.Keys(upload), upload_keys) << "the upload phase must not have started";
  for (const std::string& key : denied) EXPECT_TRUE(bucket_.Object(key).has_value()) << key;
  EXPECT_EQ(bucket_.stats().denied.size(), denied.size());
  EXPECT_EQ(BucketViolations(), std::vector<std::string>());
  EXPECT_FALSE(bucket_.Object(std::string(kV2Prefix) + kLockFileName).has_value());

  bucket_.set_fault_hook(nullptr);
  const GcOutcome second = GcOnBucket(false);
  EXPECT_EQ(second.exit_code, 0) << Report(second);
  EXPECT_EQ(RelativeKeys(bucket_.Keys()), disk.files);
  const GcOutcome third = GcOnBucket(false);
  EXPECT_EQ(third.exit_code, 0) << Report(third);
  EXPECT_TRUE(third.plan.actions.empty()) << Report(third);
  EXPECT_TRUE(bucket_.stats().delete_batches.empty());
  EXPECT_EQ(bucket_.stats().deleted,
            std::vector<std::string>{kV2Prefix + std::string(kLockFileName)});
}

// (f) A connection reset in the middle of every listing page's first answer: retried, and the
// listings are whole.
TEST_F(S3BackendTest, ResetInTheMiddleOfAListingPageIsRetried) {
  Build();
  bucket_.set_page_size(kFaultPageSize);
  bucket_.set_fault_hook([](const BucketRequest& request) {
    return request.kind == BucketRequest::Kind::kList && request.repeat == 0
               ? Fault::Of(Fault::Kind::kResetInBody)
               : Fault::None();
  });
  ExpectSameAsOnDisk();
}

// Answers lost after the store acted (reads cut in their body, deletions whose answer never
// came): every retry finds what a first attempt would have, or finds the work done.
TEST_F(S3BackendTest, AnswersLostAfterTheStoreActedAreRetried) {
  Build();
  bucket_.set_page_size(kFaultPageSize);
  bucket_.set_fault_hook([](const BucketRequest& request) {
    if (request.repeat != 0) return Fault::None();
    switch (request.kind) {
      case BucketRequest::Kind::kGet:
        return Fault::Of(Fault::Kind::kResetInBody);
      case BucketRequest::Kind::kDeleteObjects:
      case BucketRequest::Kind::kDelete:
        return Fault::Of(Fault::Kind::kLoseAnswer);
      default:
        return Fault::None();
    }
  });
  ExpectSameAsOnDisk(/*exact=*/false);
}

// (g) A lock object in the bucket (a run in progress, or one that died): gc refuses, dry or
// not, and deletes nothing.
TEST_F(S3BackendTest, LockObjectRefusesTheRun) {
  Build();
  const std::string lock = std::string(kV2Prefix) + kLockFileName;
  const std::string holder = "pid=4242 host=elsewhere started=2026-01-01T00:00:00Z\n";
  bucket_.PutObject(lock, holder, kAged * 1'000'000'000);
  for (const bool dry_run : {false, true}) {
    const GcOutcome run = GcOnBucket(dry_run);
    EXPECT_EQ(run.exit_code, 2) << Report(run);
    EXPECT_NE(run.fatal.find("pid=4242 host=elsewhere"), std::string::npos) << run.fatal;
    // The lock object named by its whole key, and how to clear it (--break-lock cannot).
    EXPECT_NE(run.fatal.find("s3://bucket/" + lock + " at " + bucket_.url()), std::string::npos)
        << run.fatal;
    EXPECT_NE(run.fatal.find("--break-lock cannot clear it"), std::string::npos) << run.fatal;
    const BucketStats stats = bucket_.stats();
    EXPECT_EQ(stats.Count(BucketRequest::Kind::kDelete), 0u);
    EXPECT_EQ(stats.Count(BucketRequest::Kind::kDeleteObjects), 0u);
  }
  EXPECT_EQ(bucket_.Object(lock), holder);
  EXPECT_EQ(Minus(bucket_.Keys(), {lock}), initial_);
}

// (g) Two runs at once: while the first holds the lock, the second refuses; once the first is
// done, no lock remains.
TEST_F(S3BackendTest, SecondRunWhileTheFirstHoldsTheLockRefuses) {
  Build();
  const std::string lock = std::string(kV2Prefix) + kLockFileName;
  struct Gate {
    std::atomic<bool> closed{false};
    std::promise<void> held;
    std::promise<void> release;
  };
  auto gate = std::make_shared<Gate>();
  std::shared_future<void> released = gate->release.get_future().share();
  // The first run's first repository listing waits until the second run is done.
  bucket_.set_fault_hook([gate, released](const BucketRequest& request) {
    if (request.kind == BucketRequest::Kind::kList &&
        request.prefix.rfind(std::string(kV2Prefix) + "repositories/", 0) == 0 &&
        !gate->closed.exchange(true)) {
      gate->held.set_value();
      released.wait_for(std::chrono::seconds(30));
    }
    return Fault::None();
  });
  bucket_.ResetStats();
  std::future<GcOutcome> first =
      std::async(std::launch::async, [] { return RunGc(S3Options(false)); });
  struct Releaser {
    std::shared_ptr<Gate> gate;
    ~Releaser() { gate->release.set_value(); }
  };
  {
    const Releaser releaser{gate};
    ASSERT_EQ(gate->held.get_future().wait_for(std::chrono::seconds(30)),
              std::future_status::ready);
    EXPECT_TRUE(bucket_.Object(lock).has_value()) << "the first run holds the lock";
    // The holder is named: this process, where the first run is.
    const std::string holder = "pid=" + std::to_string(getpid()) + " ";
    for (const bool dry_run : {false, true}) {
      const GcOutcome second = RunGc(S3Options(dry_run));
      EXPECT_EQ(second.exit_code, 2) << Report(second);
      EXPECT_NE(second.fatal.find(holder), std::string::npos) << second.fatal;
    }
    EXPECT_TRUE(bucket_.stats().deleted.empty());
    EXPECT_TRUE(bucket_.Object(lock).has_value()) << "the second run must not remove it";
  }
  const GcOutcome done = first.get();
  EXPECT_EQ(done.exit_code, 0) << Report(done);
  EXPECT_FALSE(bucket_.Object(lock).has_value());
  EXPECT_EQ(RelativeKeys(bucket_.Keys()), GcOnDisk(false).files);
  bucket_.set_fault_hook(nullptr);
}

// The store created the lock object but its answer was lost (the connection dropped): the
// retry is answered 412, as if another run held the lock. The run must know its own claim,
// not refuse and leave behind a lock that every later run would take for a live one.
TEST_F(S3BackendTest, LockCreatedButItsAnswerLostIsStillOurs) {
  Build();
  bucket_.set_fault_hook([](const BucketRequest& request) {
    return request.kind == BucketRequest::Kind::kPut &&
                   request.http->Header("if-none-match") == "*" && request.repeat == 0
               ? Fault::Of(Fault::Kind::kLoseAnswer)
               : Fault::None();
  });
  const DiskRun disk = GcOnDisk(false);
  ASSERT_EQ(disk.outcome.exit_code, 0) << Report(disk.outcome);
  const GcOutcome real = GcOnBucket(false);
  EXPECT_EQ(real.exit_code, 0) << Report(real);
  EXPECT_EQ(bucket_.stats().faults, 1u);
  EXPECT_FALSE(bucket_.Object(std::string(kV2Prefix) + kLockFileName).has_value());
  EXPECT_EQ(RelativeKeys(bucket_.Keys()), disk.files);
  bucket_.set_fault_hook(nullptr);
  const GcOutcome again = GcOnBucket(false);
  EXPECT_EQ(again.exit_code, 0) << Report(again);
  EXPECT_TRUE(again.plan.actions.empty()) << Report(again);
}

// (h) A manifest whose bytes were altered: audit on the bucket finds what it finds on disk,
// structurally and with the blob data hashed.
TEST_F(S3BackendTest, AuditFindsAnAlteredManifestAsOnDisk) {
  Build();
  const std::string data = distribution::BlobData(app_.manifest.digest);
  std::string altered = *bucket_.Object(kV2Prefix + data);
  const size_t version = altered.find("\"schemaVersion\":2");
  ASSERT_NE(version, std::string::npos);
  altered[version + std::string("\"schemaVersion\":").size()] = '3';
  built_.WriteFile(data, altered);
  built_.SetAllMtimes(kAged);
  bucket_.PutObject(kV2Prefix + data, altered, kAged * 1'000'000'000);
  const std::string disk_root = (dir_.path() / "audited").string();
  testing::CopyAgedTree(built_.root().string(), disk_root);

  for (const bool verify_data : {false, true}) {
    SCOPED_TRACE(verify_data ? "--verify-data" : "structure");
    audit::AuditOptions options;
    options.verify_data = verify_data;
    options.now_ns = int64_t{2000000000} * 1'000'000'000;
    options.root = disk_root;
    const audit::AuditOutcome on_disk = audit::RunAudit(options);
    options.root = kRoot;
    const audit::AuditOutcome on_bucket = audit::RunAudit(options);
    ASSERT_TRUE(on_bucket.fatal.empty()) << on_bucket.fatal;
    std::vector<std::string> disk_lines;
    std::vector<std::string> bucket_lines;
    bool mismatch = false;
    for (const Finding& finding : on_disk.findings) disk_lines.push_back(finding.ToLine());
    for (const Finding& finding : on_bucket.findings) {
      bucket_lines.push_back(finding.ToLine());
      mismatch = mismatch || (finding.kind == "manifest_digest_mismatch" && finding.path == data);
    }
    EXPECT_TRUE(mismatch);
    EXPECT_EQ(Sorted(bucket_lines), Sorted(disk_lines));
    EXPECT_EQ(on_bucket.exit_code, on_disk.exit_code);
    EXPECT_EQ(on_bucket.exit_code, 1);
    EXPECT_EQ(on_bucket.counts.manifests, on_disk.counts.manifests);
    EXPECT_EQ(on_bucket.counts.links, on_disk.counts.links);
    EXPECT_EQ(on_bucket.counts.orphan_blobs, on_disk.counts.orphan_blobs);
  }
  EXPECT_EQ(bucket_.stats().Writes(), 0u);
}

}  // namespace
}  // namespace regsweep
