// The scanner: reads a distribution registry tree into an Inventory of raw facts.
//
// It interprets nothing beyond the layout: which blobs exist (with size, mtime, inode when
// examined; see core/blob_scan.h), and per repository its layer links, manifest revisions, tags
// (current link and index entries) and uploads. What does not fit the layout becomes a Finding
// naming the path and the reason; a repository where something that could decide reachability was
// unreadable is flagged `incomplete`, and the collector later refuses to delete anything it might
// depend on.
//
// To stay cheaper than merely listing the tree, the scanner lists `_layers/<alg>/` and tag
// `index/<alg>/` folders instead of reading every link in them (the folder names are the
// digests); it reads revision links and tags' current links, which decide reachability.
// Repositories and the 256 blob shards are scanned in parallel with TBB. `audit` asks for the
// exhaustive read instead (ScanOptions::read_all_links).
#ifndef REGSWEEP_CORE_SCAN_H_
#define REGSWEEP_CORE_SCAN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/digest.h"
#include "core/finding.h"

namespace regsweep {

class Folder;
class Layout;
class Progress;
class TreeReader;

// The layout of an inventory that does not name one: distribution's (core/distribution_layout.h).
const Layout& DefaultLayout();

// What an examination of a blob's `data` (its lstat, or the open that hashes it) found.
struct BlobFacts {
  uint64_t size = 0;
  uint64_t allocated = 0;  // bytes on disk (st_blocks * 512)
  int64_t mtime_ns = 0;
  uint64_t inode = 0;
};

struct BlobRecord {
  static constexpr uint32_t kNoFacts = UINT32_MAX;

  Digest digest;
  // `data` was examined: Inventory::Facts says what it is. An absent `data` is known too
  // (has_data false, every fact 0). False when it was not looked at
  // (ScanOptions::stat_blob_data) or could not be: then nothing is known of its size or age.
  bool data_known = false;
  bool has_data = false;  // `data` exists and is a regular file
  // Index into Inventory::blob_facts, or kNoFacts. gc examines only the blobs it may delete, so
  // the facts are held apart: a record is 40 bytes, not 72 (most of a large store's memory).
  uint32_t facts = kNoFacts;
};

enum class LinkState : uint8_t {
  kOk,       // link file present and equal to its path
  kMissing,  // folder present, link file absent (an interrupted write or delete)
  kBad,      // unreadable, malformed, not a regular file, or different from its path
};

struct RevisionRecord {
  Digest digest;  // named by the folder
  LinkState link = LinkState::kOk;
  // A well-formed link that names another digest than its folder: both are kept.
  std::optional<Digest> other_target;
  int64_t mtime_ns = 0;  // the link's; 0 when not read (ScanOptions::revision_ages)
};

struct TagRecord {
  // PrintableName of the folder's name: as stored when valid_name, quoted otherwise. Nothing
  // acts on a tag whose name is invalid, so its raw name is never needed again.
  std::string name;
  bool valid_name = true;
  LinkState current_state = LinkState::kOk;
  Digest current;  // meaningful when current_state == kOk
  int64_t mtime_ns = 0;
  std::vector<Digest> index_entries;
};

struct UploadRecord {
  std::string id;
  int64_t started_ns = 0;  // from `startedat`, or the folder's mtime when unreadable
  int64_t mtime_ns = 0;    // newest of the folder and its data
  uint64_t size = 0;       // bytes of `data`
};

struct RepositoryRecord {
  // As stored (it names the repository's folder); reports print PrintedName(record).
  std::string name;
  bool valid_name = true;
  // Something that could decide reachability here could not be read or understood.
  bool incomplete = false;
  // The revisions could not be listed: any blob may be a manifest of this repository.
  bool revisions_unknown = false;
  std::vector<Digest> layer_links;
  // ScanOptions::read_all_links: `_layers` digest folders whose link file is missing or bad, so
  // not in layer_links. gc, which lists without reading links, has them in layer_links: a
  // repository kept whole keeps their blobs as well.
  std::vector<Digest> unusable_layer_links;
  std::vector<RevisionRecord> revisions;
  std::vector<TagRecord> tags;
  std::vector<UploadRecord> uploads;
};

// A repository's name as reports print it (PrintableName), so a hostile folder name cannot
// forge report lines or send terminal escapes.
std::string PrintedName(const RepositoryRecord& record);

struct Inventory {
  // Where the tree keeps what is recorded below (core/layout.h); never null.
  const Layout* layout = &DefaultLayout();
  std::vector<BlobRecord> blobs;               // sorted by digest
  std::vector<BlobFacts> blob_facts;           // of the examined blobs (BlobRecord::facts)
  std::vector<RepositoryRecord> repositories;  // sorted by name
  // Folders of the repository tree that could not be listed (`repositories/` itself, a folder
  // below it, or a repository's `_manifests` or revisions), sorted. What they hold is unknown and
  // may reference any blob, so while this is not empty no blob can be proven unreferenced.
  std::vector<std::string> unlisted_repository_folders;
  // Symbolic links met below `repositories/` (or that `repositories/` itself is), sorted. The
  // registry follows them and regsweep never does, so, as for an unlisted folder, what lies
  // behind them may use any blob; a repository holding one is also incomplete.
  std::vector<std::string> repository_symlinks;
  Findings findings;

  // The blob of `digest` (blobs are sorted by digest), or null when the store has none.
  const BlobRecord* FindBlob(const Digest& digest) const;
  // What is known of blobs[i]'s data: zeros when it was not examined.
  const BlobFacts& Facts(const BlobRecord& blob) const;
  // Gives each of blobs[i], i in `which`, that has none a place for its facts (zeros), so that
  // examinations in parallel can each fill their own (MutableFacts).
  void MakeRoomForFacts(const std::vector<uint32_t>& which);
  // The facts of blobs[i], given a place first if it has none. Not while others fill theirs:
  // making room may move every blob's facts.
  BlobFacts& FactsToFill(uint32_t i);
  // The facts of a blob that has a place for them (MakeRoomForFacts, or AddBlob).
  BlobFacts& MutableFacts(const BlobRecord& blob) { return blob_facts[blob.facts]; }
  // Appends a blob with its facts (tests, benchmarks and scans that build an inventory).
  void AddBlob(BlobRecord blob, const BlobFacts& facts);
};

struct ScanOptions {
  // Also read every `_layers` link and tag index link and check its content. Only links that are
  // present and name their own folder are then recorded in layer_links and index_entries; the
  // others become findings (a missing link file is info, a bad one an error).
  bool read_all_links = false;
  // With read_all_links, also list each tag's folder and its `index` to report what the
  // registry never writes there (stray files, symbolic links, folders of unknown algorithms).
  // Nothing the registry serves reads those entries, and on a tree of many tags the two
  // listings per tag are a tenth of an audit (docs/performance.md): `audit --tag-strays`.
  // Without it a tag's index is reached as gc reaches it, at `index/<alg>`.
  bool list_tag_folders = false;
  // Record each revision link's age (RevisionRecord::mtime_ns), which gc's grace period for
  // untagged manifests reads. Without it a revision link read with read_all_links is read as a
  // `_layers` link is, without the fstat that finds its age (audit has no use for the age).
  bool revision_ages = true;
  // Examine every blob's `data` (size, age). gc turns this off and examines only the blobs whose
  // size or age can decide something, with StatBlobData (core/blob_scan.h).
  bool stat_blob_data = true;
  // Where the tree is read; nullptr for the local filesystem (tests inject faults here).
  TreeReader* reader = nullptr;
  // Advanced once per folder of the repository tree and per blob shard listed (may be null).
  Progress* progress = nullptr;
};

// Parses the content of a link file: exactly "<alg>:<hex>", nothing around it.
std::optional<Digest> ParseLinkContent(std::string_view content, std::string* why);

// Scans the tree below the open v2 folder `v2` (opened by options.reader, or on the local
// filesystem). Never fails as a whole: what cannot be read is reported in the inventory's
// findings.
Inventory ScanRegistry(const Folder& v2, const ScanOptions& options = {});

}  // namespace regsweep

#endif  // REGSWEEP_CORE_SCAN_H_
