// Parallel listing of the blob store's 256 shards per algorithm, and the lstat of blob data.
#include "core/blob_scan.h"

#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>

#include <memory>
#include <string>

#include "core/distribution_layout.h"
#include "core/layout.h"
#include "core/progress.h"
#include "core/shard_folders.h"
#include "core/tree_reader.h"

namespace regsweep {
namespace {

bool IsHexPair(std::string_view name) {
  auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
  return name.size() == 2 && hex(name[0]) && hex(name[1]);
}

struct Shard {
  DigestAlgorithm algorithm;
  std::string name;  // two hex digits
};

// Fills what is known of `blob`'s data, and its `facts`, from an lstat of its data below its
// open blob folder.
void ExamineData(const Layout& layout, TreeReader& fs, const Folder& folder, BlobRecord* blob,
                 BlobFacts* facts, FindingSink& sink) {
  IoStatus status;
  const FileStat data = layout.StatBlobData(fs, folder, blob->digest, &status);
  RecordBlobData(layout, data, status, blob, facts, sink);
}

// The blobs of one shard folder, and with `stat_data` the facts of each (in the same order).
struct ShardBlobs {
  std::vector<BlobRecord> blobs;
  std::vector<BlobFacts> facts;
};

void ScanShard(TreeReader& fs, const Folder& algorithm_dir, const Shard& shard, bool stat_data,
               ShardBlobs* found, FindingSink& sink) {
  const std::string shard_path = std::string(distribution::kBlobsDir) + "/" +
                                 std::string(AlgorithmName(shard.algorithm)) + "/" + shard.name;
  Folder dir;
  std::vector<DirEntry> entries;
  if (const IoStatus status = OpenAndList(fs, algorithm_dir, shard.name, &dir, &entries);
      !status.ok()) {
    ReportUnopenable(sink, shard_path, "", status);
    return;
  }
  found->blobs.reserve(entries.size());
  if (stat_data) found->facts.reserve(entries.size());
  for (const DirEntry& entry : entries) {
    std::string why;
    const auto digest = Digest::FromHex(shard.algorithm, entry.name, &why);
    if (entry.type != EntryType::kDirectory) {
      ReportUnexpected(sink, entry, JoinPath(shard_path, entry.name), "");
      continue;
    }
    if (!digest || entry.name.compare(0, 2, shard.name) != 0) {
      sink.Warning("bad_digest_folder", JoinPath(shard_path, entry.name), "",
                   digest ? "blob folder is in the wrong shard" : "not a digest: " + why);
      continue;
    }
    BlobRecord blob;
    blob.digest = *digest;
    if (stat_data) {
      BlobFacts facts;
      ExamineData(DefaultLayout(), fs, dir, &blob, &facts, sink);
      found->facts.push_back(facts);
    }
    found->blobs.push_back(blob);
  }
}

// The shard folders of the supported algorithms; reports everything else in `blobs/`.
std::vector<Shard> ListShards(TreeReader& fs, const Folder& blobs,
                              std::vector<Folder>* algorithm_dirs, FindingSink& sink) {
  std::vector<DirEntry> algorithms;
  if (const IoStatus status = fs.List(blobs, &algorithms); !status.ok()) {
    ReportUnopenable(sink, std::string(distribution::kBlobsDir), "", status);
    return {};
  }
  std::vector<Shard> shards;
  std::vector<DirEntry> entries;
  for (const DirEntry& alg_entry : algorithms) {
    const std::string alg_path = JoinPath(distribution::kBlobsDir, alg_entry.name);
    const auto algorithm = AlgorithmFolder(sink, alg_entry, alg_path, "");
    if (!algorithm) continue;
    Folder alg_dir;
    if (const IoStatus status = OpenAndList(fs, blobs, alg_entry.name, &alg_dir, &entries);
        !status.ok()) {
      ReportUnopenable(sink, alg_path, "", status);
      continue;
    }
    for (const DirEntry& entry : entries) {
      if (entry.type == EntryType::kDirectory && IsHexPair(entry.name)) {
        shards.push_back(Shard{*algorithm, entry.name});
      } else {
        ReportUnexpected(sink, entry, JoinPath(alg_path, entry.name), "");
      }
    }
    (*algorithm_dirs)[static_cast<size_t>(*algorithm)] = std::move(alg_dir);
  }
  return shards;
}

}  // namespace

void RecordBlobData(const Layout& layout, const FileStat& data, const IoStatus& status,
                    BlobRecord* blob, BlobFacts* facts, FindingSink& sink) {
  // What a symbolic link points to is never looked at: that blob's data is unknown.
  blob->data_known = (data.exists || status.ok()) && data.type != EntryType::kSymlink;
  if (data.exists) {
    facts->mtime_ns = data.mtime_ns;
    facts->inode = data.inode;
    if (data.type == EntryType::kRegular) {
      blob->has_data = true;
      facts->size = data.size;
      facts->allocated = data.allocated;
    } else {
      sink.Error("bad_blob", layout.BlobData(blob->digest), "",
                 data.type == EntryType::kSymlink
                     ? "blob data is a symbolic link: never followed, so the blob is neither "
                       "collected nor counted as present"
                     : "blob data is not a regular file");
    }
  } else if (status.ok()) {
    sink.Warning("missing_blob_data", layout.BlobData(blob->digest), "",
                 "blob folder without data (an interrupted write or delete)");
  } else {
    ReportUnopenable(sink, layout.BlobData(blob->digest), "", status);
  }
}

void ScanBlobStore(TreeReader& fs, const Folder& v2, bool stat_data, ThreadFindings& findings,
                   Inventory* inventory, Progress* progress) {
  IoStatus status;
  const Folder blobs_dir = fs.OpenFolder(v2, distribution::kBlobsDir, &status);
  if (!blobs_dir.valid()) {
    if (status.code != IoCode::kNotFound) {
      FindingSink sink(&findings.local());
      ReportUnopenable(sink, std::string(distribution::kBlobsDir), "", status);
    }
    return;
  }
  std::vector<Folder> algorithm_dirs(2);
  FindingSink sink(&findings.local());
  const std::vector<Shard> shards = ListShards(fs, blobs_dir, &algorithm_dirs, sink);
  // One exactly sized vector per shard, gathered into one of the exact total: the records are
  // never held more than once plus a shard.
  std::vector<ShardBlobs> per_shard(shards.size());
  tbb::parallel_for(size_t{0}, shards.size(), [&](size_t i) {
    FindingSink thread_sink(&findings.local());
    const Shard& shard = shards[i];
    ScanShard(fs, algorithm_dirs[static_cast<size_t>(shard.algorithm)], shard, stat_data,
              &per_shard[i], thread_sink);
    Advance(progress);
  });
  size_t total = 0;
  for (const ShardBlobs& part : per_shard) total += part.blobs.size();
  std::vector<BlobRecord>& blobs = inventory->blobs;
  blobs.reserve(blobs.size() + total);
  if (stat_data) inventory->blob_facts.reserve(inventory->blob_facts.size() + total);
  for (ShardBlobs& part : per_shard) {
    for (size_t i = 0; i < part.blobs.size(); ++i) {
      BlobRecord& blob = part.blobs[i];
      if (stat_data) {
        blob.facts = static_cast<uint32_t>(inventory->blob_facts.size());
        inventory->blob_facts.push_back(part.facts[i]);
      }
      blobs.push_back(blob);
    }
    part = ShardBlobs();
  }
  // Each record takes the index of its facts along.
  tbb::parallel_sort(blobs.begin(), blobs.end(),
                     [](const BlobRecord& a, const BlobRecord& b) { return a.digest < b.digest; });
}

void StatBlobData(const Folder& v2, const std::vector<uint32_t>& which, Inventory* inventory,
                  TreeReader* reader, Progress* progress) {
  TreeReader& fs = reader != nullptr ? *reader : DefaultTreeReader();
  ThreadFindings findings;
  AddTotal(progress, which.size());
  // Each blob folder some blob is in is opened once; the data of blobs in one that cannot be
  // opened stays unknown.
  const Layout& layout = *inventory->layout;
  auto shards = std::make_unique<ShardFolders>(layout);
  for (const uint32_t i : which) shards->Want(inventory->blobs[i].digest);
  inventory->MakeRoomForFacts(which);
  for (const ShardFolders::Failure& failure : shards->OpenWanted(fs, v2)) {
    FindingSink sink(&findings.local());
    ReportUnopenable(sink, failure.path, "", failure.status);
  }
  tbb::parallel_for(size_t{0}, which.size(), [&](size_t k) {
    BlobRecord& blob = inventory->blobs[which[k]];
    const Folder& folder = shards->Of(blob.digest);
    if (!folder.valid()) return;
    FindingSink sink(&findings.local());
    ExamineData(layout, fs, folder, &blob, &inventory->MutableFacts(blob), sink);
    Advance(progress);
  });
  MergeFindings(findings, &inventory->findings);
}

}  // namespace regsweep
