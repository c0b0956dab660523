// Reading an OCI image layout into an Inventory.
#include "core/oci_scan.h"

#include <simdjson.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>

#include <algorithm>
#include <atomic>
#include <optional>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "core/blob_scan.h"
#include "core/hash.h"
#include "core/layout.h"
#include "core/manifest.h"
#include "core/names.h"
#include "core/oci_layout.h"
#include "core/progress.h"
#include "core/scan_sink.h"
#include "core/tree_reader.h"

namespace regsweep {
namespace {

constexpr std::string_view kRefNameAnnotation = "org.opencontainers.image.ref.name";
constexpr size_t kMaxLayoutFileBytes = 4096;
constexpr size_t kMaxIndexBytes = size_t{64} * 1024 * 1024;
// Blobs up to this size are read whole at once to learn whether they are manifests; larger ones
// (up to kMaxManifestBytes) have their first kHeadBytes read first.
constexpr size_t kReadWholeBytes = size_t{64} * 1024;
constexpr size_t kHeadBytes = 512;

// One entry of index.json.
struct IndexEntry {
  Digest digest;
  std::optional<std::string> ref_name;
};

class OciScanner {
 public:
  OciScanner(const Layout& layout, const Folder& root, const std::string& repository,
             const ScanOptions& options)
      : layout_(layout),
        root_(root),
        options_(options),
        fs_(options.reader != nullptr ? *options.reader : DefaultTreeReader()) {
    inventory_.layout = &layout;
    record_.name = repository;
  }

  Inventory Run() {
    CheckLayoutFile();
    std::vector<IndexEntry> entries;
    int64_t index_mtime_ns = 0;
    ReadIndex(&entries, &index_mtime_ns);
    ScanBlobs();
    std::set<Digest> revisions(discovered_.begin(), discovered_.end());
    for (const IndexEntry& entry : entries) {
      revisions.insert(entry.digest);
      TagRecord tag;
      // An unnamed entry, or one whose name is outside the OCI grammar (printed quoted, as
      // it may hold control bytes), cannot be named by --untag or a pattern; it stays a root.
      std::string why;
      tag.valid_name = entry.ref_name && IsValidOciRefName(*entry.ref_name, &why);
      if (!entry.ref_name) {
        tag.name = "@" + entry.digest.ToString();
      } else {
        tag.name = PrintableName(*entry.ref_name, tag.valid_name);
        if (!tag.valid_name) {
          Sink().Warning("invalid_tag", std::string(OciLayout::kIndexFile), record_.name,
                         "ref name " + tag.name + " of the entry " + entry.digest.ToString() +
                             " is invalid: " + why + " (kept, never deleted)");
        }
      }
      tag.current = entry.digest;
      tag.mtime_ns = index_mtime_ns;
      tag.index_entries.push_back(entry.digest);
      record_.tags.push_back(std::move(tag));
    }
    for (const Digest& digest : revisions) {
      RevisionRecord revision;
      revision.digest = digest;
      const BlobRecord* blob = inventory_.FindBlob(digest);
      revision.mtime_ns = blob != nullptr ? inventory_.Facts(*blob).mtime_ns : index_mtime_ns;
      record_.revisions.push_back(revision);
    }
    for (const BlobRecord& blob : inventory_.blobs) record_.layer_links.push_back(blob.digest);
    record_.incomplete = incomplete_;
    inventory_.repositories.push_back(std::move(record_));
    MergeFindings(findings_, &inventory_.findings);
    return std::move(inventory_);
  }

 private:
  FindingSink Sink() { return FindingSink(&findings_.local()); }

  void Problem(const std::string& path, std::string reason) {
    incomplete_ = true;
    Sink().Error("oci_layout_invalid", path, record_.name, std::move(reason));
  }

  void CheckLayoutFile() {
    const std::string path(OciLayout::kLayoutFile);
    const SmallFile file = fs_.ReadSmall(root_, path, kMaxLayoutFileBytes);
    if (file.status != ReadStatus::kOk) {
      Problem(path, "cannot be read: " + std::string(ReadStatusText(file.status)));
      return;
    }
    simdjson::dom::parser parser;
    simdjson::dom::element document;
    std::string_view version;
    if (parser.parse(file.content).get(document) != simdjson::SUCCESS ||
        document["imageLayoutVersion"].get_string().get(version) != simdjson::SUCCESS) {
      Problem(path, "is not a JSON object with a string imageLayoutVersion");
      return;
    }
    if (version != "1.0.0") {
      Problem(path, "imageLayoutVersion " + QuoteForMessage(version) +
                        " is not supported (only 1.0.0); what it holds is unknown");
    }
  }

  void ReadIndex(std::vector<IndexEntry>* entries, int64_t* mtime_ns) {
    const std::string path(OciLayout::kIndexFile);
    const SmallFile file = fs_.ReadSmall(root_, path, kMaxIndexBytes);
    Advance(options_.progress);
    if (file.status != ReadStatus::kOk) {
      Problem(path, "cannot be read: " + std::string(ReadStatusText(file.status)) +
                        "; the layout's images are unknown, so every blob is kept");
      return;
    }
    *mtime_ns = file.mtime_ns;
    simdjson::dom::parser parser;
    simdjson::dom::element document;
    simdjson::dom::array manifests;
    if (parser.parse(file.content).get(document) != simdjson::SUCCESS ||
        document["manifests"].get_array().get(manifests) != simdjson::SUCCESS) {
      Problem(path, "is not a JSON image index with a `manifests` array; every blob is kept");
      return;
    }
    size_t position = 0;
    for (simdjson::dom::element descriptor : manifests) {
      const std::string where = path + " manifests[" + std::to_string(position++) + "]";
      std::string_view digest_text;
      if (descriptor["digest"].get_string().get(digest_text) != simdjson::SUCCESS) {
        Problem(path, where + " has no digest; every blob is kept");
        continue;
      }
      std::string why;
      const std::optional<Digest> digest = Digest::Parse(digest_text, &why);
      if (!digest) {
        Problem(path, where + ": " + why + "; every blob is kept");
        continue;
      }
      IndexEntry entry{*digest, std::nullopt};
      std::string_view ref;
      if (descriptor["annotations"][kRefNameAnnotation].get_string().get(ref) ==
          simdjson::SUCCESS) {
        entry.ref_name = std::string(ref);
      }
      entries->push_back(std::move(entry));
    }
  }

  void ScanBlobs() {
    const std::string blobs_path(OciLayout::kBlobsDir);
    Folder blobs;
    std::vector<DirEntry> algorithms;
    if (const IoStatus status = OpenAndList(fs_, root_, blobs_path, &blobs, &algorithms);
        !status.ok()) {
      if (status.code == IoCode::kNotFound) return;  // no blob yet
      incomplete_ = true;
      FindingSink sink = Sink();
      ReportUnopenable(sink, blobs_path, record_.name, status);
      return;
    }
    for (const DirEntry& algorithm_entry : algorithms) {
      const std::string path = JoinPath(blobs_path, algorithm_entry.name);
      FindingSink sink = Sink();
      const auto algorithm = AlgorithmFolder(sink, algorithm_entry, path, record_.name);
      if (!algorithm) {
        // Blobs, manifests among them, may lie behind a symbolic link.
        if (algorithm_entry.type == EntryType::kSymlink) incomplete_ = true;
        continue;
      }
      ScanAlgorithm(blobs, *algorithm, algorithm_entry.name);
    }
    tbb::parallel_sort(
        inventory_.blobs.begin(), inventory_.blobs.end(),
        [](const BlobRecord& a, const BlobRecord& b) { return a.digest < b.digest; });
  }

  // Lists blobs/<alg>/, then examines every blob in parallel: its size and age, and whether it
  // is a manifest.
  void ScanAlgorithm(const Folder& blobs, DigestAlgorithm algorithm, const std::string& name) {
    const std::string path = JoinPath(OciLayout::kBlobsDir, name);
    Folder folder;
    std::vector<DirEntry> entries;
    if (const IoStatus status = OpenAndList(fs_, blobs, name, &folder, &entries); !status.ok()) {
      incomplete_ = true;
      FindingSink sink = Sink();
      ReportUnopenable(sink, path, record_.name, status);
      return;
    }
    Advance(options_.progress);
    std::vector<Digest> digests;
    for (const DirEntry& entry : entries) {
      std::string why;
      const auto digest = Digest::FromHex(algorithm, entry.name, &why);
      if (entry.type != EntryType::kRegular) {
        // A symbolic link may be a manifest whose references are unknown.
        if (entry.type == EntryType::kSymlink || entry.type == EntryType::kDirectory) {
          incomplete_ = true;
        }
        FindingSink sink = Sink();
        ReportUnexpected(sink, entry, JoinPath(path, entry.name), record_.name);
        continue;
      }
      if (!digest) {
        Sink().Warning("bad_blob_name", JoinPath(path, entry.name), record_.name,
                       "not a digest: " + why + "; left alone");
        continue;
      }
      digests.push_back(*digest);
    }
    std::vector<BlobRecord> examined(digests.size());
    std::vector<BlobFacts> facts(digests.size());
    std::vector<uint8_t> is_manifest(digests.size(), 0);
    tbb::enumerable_thread_specific<simdjson::dom::parser> parsers;
    tbb::parallel_for(size_t{0}, digests.size(), [&](size_t i) {
      BlobRecord& blob = examined[i];
      blob.digest = digests[i];
      FindingSink sink = Sink();
      IoStatus status;
      const FileStat data = layout_.StatBlobData(fs_, folder, blob.digest, &status);
      RecordBlobData(layout_, data, status, &blob, &facts[i], sink);
      if (!blob.data_known || (data.exists && !blob.has_data)) incomplete_ = true;
      if (blob.has_data && facts[i].size <= kMaxManifestBytes) {
        is_manifest[i] = IsManifest(folder, blob, facts[i].size, parsers.local(), sink) ? 1 : 0;
      }
    });
    for (size_t i = 0; i < digests.size(); ++i) {
      if (is_manifest[i] != 0) discovered_.push_back(digests[i]);
      inventory_.AddBlob(examined[i], facts[i]);
    }
  }

  // Whether the blob (of `size`, at most kMaxManifestBytes) is a manifest: JSON whose bytes hash
  // to its name and parse as one. One read of a blob up to kReadWholeBytes; a larger one is read
  // whole only when its head may start a JSON object.
  bool IsManifest(const Folder& folder, const BlobRecord& blob, uint64_t size,
                  simdjson::dom::parser& parser, FindingSink& sink) {
    const std::string name = layout_.BlobDataInFolder(blob.digest);
    if (size > kReadWholeBytes) {
      const SmallFile head = fs_.ReadHead(folder, name, kHeadBytes);
      if (!Readable(head, blob, sink)) return false;
      if (!MayStartJsonObject(head.content)) return false;
    }
    const SmallFile file = fs_.ReadSmall(folder, name, kMaxManifestBytes);
    if (!Readable(file, blob, sink)) return false;
    if (!MayStartJsonObject(file.content) || file.content.empty()) return false;
    if (!MatchesDigest(blob.digest, file.content)) {
      // JSON that is not what its name says may be a tampered manifest: keep everything.
      incomplete_ = true;
      sink.Error("digest_mismatch", layout_.BlobData(blob.digest), record_.name,
                 "JSON blob whose bytes do not hash to its name (tampered or truncated)");
      return false;
    }
    // A config or a JSON layer is no manifest. A known kind of manifest of the wrong shape, or
    // a document with a schemaVersion (every manifest has one) and a media type regsweep does
    // not know, is a revision all the same: building the graph refuses it, and the layout is
    // kept whole. A JSON layer with a media type of its own (a sigstore bundle) is no manifest.
    switch (ParseManifest(parser, file.content).refusal) {
      case ManifestRefusal::kNone:
      case ManifestRefusal::kInvalid:
        return true;
      case ManifestRefusal::kUnknownMediaType:
        return HasSchemaVersion(parser, file.content);
      case ManifestRefusal::kNotJson:
      case ManifestRefusal::kBadSchemaVersion:
        return false;
    }
    return false;
  }

  // Whether a blob's read went well; if not, it may be a referrer of a kept manifest, so the
  // layout becomes incomplete.
  bool Readable(const SmallFile& file, const BlobRecord& blob, FindingSink& sink) {
    if (file.status == ReadStatus::kOk) return true;
    incomplete_ = true;
    sink.Error("unreadable", layout_.BlobData(blob.digest), record_.name,
               "blob could not be read to learn whether it is a manifest: " +
                   std::string(ReadStatusText(file.status)));
    return false;
  }

  // Whether `bytes` (a file's head) may begin a JSON object: '{' after white space, or white
  // space only.
  static bool MayStartJsonObject(std::string_view bytes) {
    const size_t first = bytes.find_first_not_of(" \t\r\n");
    return first == std::string_view::npos || bytes[first] == '{';
  }

  static bool HasSchemaVersion(simdjson::dom::parser& parser, const std::string& json) {
    simdjson::dom::element document;
    simdjson::dom::element version;
    return parser.parse(json).get(document) == simdjson::SUCCESS &&
           document["schemaVersion"].get(version) == simdjson::SUCCESS;
  }

  const Layout& layout_;
  const Folder& root_;
  const ScanOptions& options_;
  TreeReader& fs_;
  Inventory inventory_;
  RepositoryRecord record_;
  ThreadFindings findings_;
  std::vector<Digest> discovered_;
  std::atomic<bool> incomplete_{false};
};

}  // namespace

Inventory ScanOciLayout(const Layout& layout, const Folder& root, const std::string& repository,
                        const ScanOptions& options) {
  return OciScanner(layout, root, repository, options).Run();
}

}  // namespace regsweep
