// Parallel scanner of distribution's filesystem layout.
#include "core/scan.h"

#include <tbb/concurrent_vector.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_for_each.h>

#include <algorithm>
#include <array>

#include "core/blob_scan.h"
#include "core/distribution_layout.h"
#include "core/fs.h"
#include "core/names.h"
#include "core/progress.h"
#include "core/scan_sink.h"
#include "core/timestamps.h"
#include "core/tree_reader.h"

namespace regsweep {
namespace {

// Links of one folder read per task. Small, so that a repository with thousands of revisions
// keeps as many reads in flight as the I/O depth allows (core/io_depth.h).
constexpr size_t kLinksPerTask = 8;

// Runs body(i) for every i < count, kLinksPerTask to a task, each task with its own sink.
template <typename Body>
void ForEachLink(size_t count, ThreadFindings& findings, const Body& body) {
  tbb::parallel_for(
      tbb::blocked_range<size_t>(0, count, kLinksPerTask),
      [&](const tbb::blocked_range<size_t>& range) {
        FindingSink sink(&findings.local());
        for (size_t i = range.begin(); i != range.end(); ++i) body(i, sink);
      },
      tbb::simple_partitioner());
}

// Appends the digests named by the folders `entries` of `alg_path` (`<dir>/<alg>`); reports
// anything else found there.
void AddDigestFolders(const std::vector<DirEntry>& entries, DigestAlgorithm algorithm,
                      const std::string& alg_path, const std::string& repository,
                      std::vector<Digest>* digests, FindingSink& sink) {
  digests->reserve(digests->size() + entries.size());
  for (const DirEntry& entry : entries) {
    std::string why;
    const auto digest = Digest::FromHex(algorithm, entry.name, &why);
    if (!digest || entry.type != EntryType::kDirectory) {
      if (entry.type != EntryType::kDirectory) {
        ReportUnexpected(sink, entry, JoinPath(alg_path, entry.name), repository);
      } else {
        sink.Warning("bad_digest_folder", JoinPath(alg_path, entry.name), repository,
                     "folder name is not a digest: " + why);
      }
      continue;
    }
    digests->push_back(*digest);
  }
}

// Reads and checks one link file, `relative` below `dir`; its path for messages is
// `dir_path`/`relative`, built only when there is something to report. `expected` is the digest
// named by the link's folder, if any. `decides` is false for the links gc never reads (`_layers`
// and tag index links, whose folder's name is what counts): a symbolic link there is a bad link,
// not an unknown part of the tree. `*mtime_ns` is the link's mtime; with nullptr, the link is
// first read without asking its age or type (TreeReader::ReadContent: one request fewer on the
// local filesystem) and its bytes are taken only when they name `expected`; other bytes are
// read again as ReadSmall does (they may be a FIFO's or device's), so what is reported is
// always what a typed read finds.
LinkState ReadLink(TreeReader& fs, const Folder& dir, std::string_view relative,
                   std::string_view dir_path, const std::string& repository, const Digest* expected,
                   Digest* target, int64_t* mtime_ns, FindingSink& sink, bool decides = true) {
  const bool untyped = mtime_ns == nullptr && expected != nullptr;
  SmallFile file = untyped ? fs.ReadContent(dir, relative, distribution::kMaxLinkBytes)
                           : fs.ReadSmall(dir, relative, distribution::kMaxLinkBytes);
  if (untyped && file.status == ReadStatus::kOk) {
    std::string why;
    const auto digest = ParseLinkContent(file.content, &why);
    if (digest && *digest == *expected) {
      *target = *digest;
      return LinkState::kOk;
    }
    file = fs.ReadSmall(dir, relative, distribution::kMaxLinkBytes);
  }
  if (mtime_ns != nullptr) *mtime_ns = file.mtime_ns;
  if (file.status == ReadStatus::kNotFound) return LinkState::kMissing;
  auto path = [&] { return JoinPath(dir_path, relative); };
  if (file.status == ReadStatus::kSymlink && decides) {
    ReportSymlink(sink, path(), repository);
    return LinkState::kBad;
  }
  if (file.status != ReadStatus::kOk) {
    std::string reason = "link file is " + std::string(ReadStatusText(file.status));
    if (file.status == ReadStatus::kIoError) reason += ": " + ErrnoText(file.error);
    if (file.status == ReadStatus::kTooLarge) {
      reason += " (over " + std::to_string(distribution::kMaxLinkBytes) + " bytes)";
    }
    sink.Error("bad_link", path(), repository, reason);
    return LinkState::kBad;
  }
  std::string why;
  const auto digest = ParseLinkContent(file.content, &why);
  if (!digest) {
    sink.Error("bad_link", path(), repository, "malformed link: " + why);
    return LinkState::kBad;
  }
  *target = *digest;
  if (expected != nullptr && !(*digest == *expected)) {
    sink.Error(
        "bad_link", path(), repository,
        "link holds " + digest->ToString() + " but its folder names " + expected->ToString());
    return LinkState::kBad;
  }
  return LinkState::kOk;
}

// ScanOptions::read_all_links: reads `<hex>/link` below the open algorithm folder `alg_dir`
// (`alg_path`) for digests[first..], in parallel, and keeps only the digests whose link names
// its folder. The others go to *unusable, when given.
void KeepDigestsWithGoodLinks(TreeReader& fs, const Folder& alg_dir, const std::string& alg_path,
                              const std::string& repository, size_t first,
                              std::vector<Digest>* digests, std::vector<Digest>* unusable,
                              ThreadFindings& findings) {
  std::vector<LinkState> states(digests->size() - first);
  ForEachLink(states.size(), findings, [&](size_t k, FindingSink& sink) {
    const Digest& digest = (*digests)[first + k];
    const std::string relative = digest.HexThen("/link");
    Digest target = digest;
    states[k] = ReadLink(fs, alg_dir, relative, alg_path, repository, &digest, &target,
                         /*mtime_ns=*/nullptr, sink, /*decides=*/false);
    if (states[k] == LinkState::kMissing) {
      sink.Add(Severity::kInfo, "missing_link", JoinPath(alg_path, relative), repository,
               "digest folder without a link file (deleted through the API, or an interrupted "
               "write)");
    }
  });
  size_t kept = first;
  for (size_t k = 0; k < states.size(); ++k) {
    const Digest digest = (*digests)[first + k];
    if (states[k] == LinkState::kOk) {
      (*digests)[kept++] = digest;
    } else if (unusable != nullptr) {
      unusable->push_back(digest);
    }
  }
  digests->resize(kept);
}

// Lists the digest-named folders under `<dir>/<alg>/` for every algorithm folder in `dir`.
// Returns false when `dir` or one of its algorithm folders could not be listed.
// `name` is the folder's path below `parent`, `dir_path` its path for messages.
// `*unknown_algorithm` (when given) is set when a folder of an unsupported algorithm was left
// unread. With `read_links`, each folder's link is read below its algorithm folder (two path
// components per link) and only the digests whose link names its folder are kept (the others
// go to *unusable, when given).
bool ListDigestFolders(TreeReader& fs, const Folder& parent, std::string_view name,
                       const std::string& dir_path, const std::string& repository,
                       std::vector<Digest>* digests, ThreadFindings& findings,
                       bool* unknown_algorithm = nullptr, bool read_links = false,
                       std::vector<Digest>* unusable = nullptr) {
  FindingSink sink(&findings.local());
  Folder dir;
  std::vector<DirEntry> algorithms;
  if (const IoStatus status = OpenAndList(fs, parent, name, &dir, &algorithms); !status.ok()) {
    ReportUnopenable(sink, dir_path, repository, status);
    return false;
  }
  std::vector<DirEntry> entries;
  for (const DirEntry& alg_entry : algorithms) {
    const std::string alg_path = JoinPath(dir_path, alg_entry.name);
    const auto algorithm = ParseAlgorithmName(alg_entry.name);
    if (alg_entry.type != EntryType::kDirectory || !algorithm) {
      if (alg_entry.type == EntryType::kDirectory) {
        sink.Warning("unknown_algorithm", alg_path, repository,
                     "digest algorithm not supported (only sha256 and sha512); left alone");
        if (unknown_algorithm != nullptr) *unknown_algorithm = true;
      } else {
        ReportUnexpected(sink, alg_entry, alg_path, repository);
      }
      continue;
    }
    Folder alg_dir;
    if (const IoStatus status = OpenAndList(fs, dir, alg_entry.name, &alg_dir, &entries);
        !status.ok()) {
      ReportUnopenable(sink, alg_path, repository, status);
      return false;
    }
    const size_t first = digests->size();
    AddDigestFolders(entries, *algorithm, alg_path, repository, digests, sink);
    if (read_links) {
      KeepDigestsWithGoodLinks(fs, alg_dir, alg_path, repository, first, digests, unusable,
                               findings);
    }
  }
  return true;
}

// The cheaper read of a tag's index: opens `<tag>/index/<alg>` directly for each supported
// algorithm instead of listing `index` first (an absent folder is empty). Stray entries in
// `index` itself are left to ScanOptions::list_tag_folders. With `read_links` (audit), each
// entry's link is read and only the digests whose link names its folder are kept, as
// ListDigestFolders does. Returns false when a folder could not be listed.
bool ListTagIndex(TreeReader& fs, const Folder& tags, const std::string& tag,
                  const std::string& tag_path, const std::string& repository,
                  std::vector<Digest>* digests, ThreadFindings& findings, bool read_links) {
  FindingSink sink(&findings.local());
  std::vector<DirEntry> entries;
  for (const DigestAlgorithm algorithm : {DigestAlgorithm::kSha256, DigestAlgorithm::kSha512}) {
    const std::string relative = tag + "/index/" + std::string(AlgorithmName(algorithm));
    Folder dir;
    const IoStatus status = OpenAndList(fs, tags, relative, &dir, &entries);
    if (!dir.valid() && status.absent()) continue;
    const std::string path = tag_path + "/index/" + std::string(AlgorithmName(algorithm));
    if (!status.ok()) {
      ReportUnopenable(sink, path, repository, status);
      return false;
    }
    const size_t first = digests->size();
    AddDigestFolders(entries, algorithm, path, repository, digests, sink);
    if (read_links) {
      KeepDigestsWithGoodLinks(fs, dir, path, repository, first, digests, nullptr, findings);
    }
  }
  return true;
}

// Reads the revision links below `manifests`. Without options.read_all_links, a link the
// storage vouches for (TreeReader::HoldsExactly: on an object store, its listed size and MD5
// match "<alg>:<hex>" of its folder) is not read: it is exactly what reading it would accept.
void ScanRevisions(TreeReader& fs, const Folder& manifests, RepositoryRecord* repo,
                   const ScanOptions& options, ThreadFindings& findings) {
  const std::string base = distribution::RepositoryDir(repo->name) + "/_manifests/revisions";
  std::vector<Digest> digests;
  bool unknown_algorithm = false;
  if (!ListDigestFolders(fs, manifests, "revisions", base, repo->name, &digests, findings,
                         &unknown_algorithm)) {
    repo->incomplete = true;
    repo->revisions_unknown = true;
    return;
  }
  // Manifests of an unsupported algorithm cannot be verified, so what they use is unknown.
  if (unknown_algorithm) repo->incomplete = true;
  // Links are read below `revisions/<alg>`, one path component fewer for each; each algorithm
  // folder that holds some is opened once, before the reads.
  std::array<Folder, 2> algorithm_dirs;
  std::array<std::string, 2> alg_paths;
  for (const Digest& digest : digests) {
    const size_t a = static_cast<size_t>(digest.algorithm());
    if (!alg_paths[a].empty()) continue;
    const std::string algorithm(AlgorithmName(digest.algorithm()));
    IoStatus ignored;  // a folder that cannot be opened makes every read below it fail
    algorithm_dirs[a] = fs.OpenFolder(manifests, "revisions/" + algorithm, &ignored);
    alg_paths[a] = base + "/" + algorithm;
  }
  repo->revisions.resize(digests.size());
  ForEachLink(digests.size(), findings, [&](size_t i, FindingSink& sink) {
    const Digest& digest = digests[i];
    const size_t a = static_cast<size_t>(digest.algorithm());
    const std::string relative = digest.HexThen("/link");
    RevisionRecord& revision = repo->revisions[i];
    revision.digest = digest;
    if (!options.read_all_links &&
        fs.HoldsExactly(algorithm_dirs[a], relative, digest.ToString(), &revision.mtime_ns)) {
      revision.link = LinkState::kOk;
      return;
    }
    Digest target = digest;
    revision.link = ReadLink(fs, algorithm_dirs[a], relative, alg_paths[a], repo->name, &digest,
                             &target, options.revision_ages ? &revision.mtime_ns : nullptr, sink);
    if (!(target == digest)) revision.other_target = target;
    if (revision.link == LinkState::kMissing) {
      // distribution's DELETE of a manifest removes the link file and leaves the folder.
      sink.Add(Severity::kInfo, "missing_link", JoinPath(alg_paths[a], relative), repo->name,
               "revision folder without a link file (manifest deleted through the API, or an "
               "interrupted write)");
    }
  });
  for (const RevisionRecord& revision : repo->revisions) {
    if (revision.link == LinkState::kBad) repo->incomplete = true;
  }
}

// Reads one tag (`entry`, a folder of `<repository>/_manifests/tags`, open as `tags`): its
// current link and its index. Returns nothing for an entry that is not a folder.
std::optional<TagRecord> ScanTag(TreeReader& fs, const Folder& tags, const DirEntry& entry,
                                 const std::string& base, const std::string& repository,
                                 const ScanOptions& options, ThreadFindings& findings) {
  FindingSink sink(&findings.local());
  const std::string tag_path = JoinPath(base, entry.name);
  if (entry.type != EntryType::kDirectory) {
    ReportUnexpected(sink, entry, tag_path, repository);
    return std::nullopt;
  }
  TagRecord tag;
  std::string why;
  tag.valid_name = IsValidTag(entry.name, &why);
  tag.name = PrintableName(entry.name, tag.valid_name);
  if (!tag.valid_name) {
    sink.Warning("invalid_tag", tag_path, repository,
                 "tag name " + tag.name + " is invalid: " + why + " (kept, never deleted)");
  }
  // The index is reached without listing the tag, unless audit --tag-strays lists the tag's
  // folder for entries that do not belong (below). gc takes its entries by their folders'
  // names; audit reads and judges each one's link.
  const bool list_tag_folder = options.read_all_links && options.list_tag_folders;
  if (!list_tag_folder) {
    ListTagIndex(fs, tags, entry.name, tag_path, repository, &tag.index_entries, findings,
                 /*read_links=*/options.read_all_links);
  }
  const std::string current_link = entry.name + "/current/link";
  bool vouched = false;
  if (!options.read_all_links) {
    // gc reads only what decides reachability: the index, then the current link, unless the
    // storage vouches that it names one of the index's digests (the registry adds every digest
    // a tag is set to to its index; on an object store that saves a GET per tag).
    for (const Digest& candidate : tag.index_entries) {
      if (fs.HoldsExactly(tags, current_link, candidate.ToString(), &tag.mtime_ns)) {
        tag.current = candidate;
        vouched = true;
        break;
      }
    }
  }
  if (!vouched) {
    tag.current_state = ReadLink(fs, tags, current_link, base, repository, nullptr, &tag.current,
                                 &tag.mtime_ns, sink);
    if (tag.current_state == LinkState::kMissing) {
      sink.Warning("missing_link", tag_path + "/current/link", repository,
                   "tag without a current link: not a tag the registry can serve");
    }
  }
  if (!list_tag_folder) return tag;
  Folder tag_dir;
  std::vector<DirEntry> tag_entries;
  if (OpenAndList(fs, tags, entry.name, &tag_dir, &tag_entries).ok()) {
    for (const DirEntry& tag_entry : tag_entries) {
      if (tag_entry.name == "index" && tag_entry.type == EntryType::kDirectory) {
        ListDigestFolders(fs, tag_dir, "index", tag_path + "/index", repository, &tag.index_entries,
                          findings, nullptr, /*read_links=*/true);
      } else if (tag_entry.name != "current" || tag_entry.type != EntryType::kDirectory) {
        ReportUnexpected(sink, tag_entry, JoinPath(tag_path, tag_entry.name), repository);
      }
    }
  }
  return tag;
}

void ScanTags(TreeReader& fs, const Folder& manifests, RepositoryRecord* repo,
              const ScanOptions& options, ThreadFindings& findings) {
  const std::string base = distribution::TagsDir(repo->name);
  Folder tags_dir;
  std::vector<DirEntry> entries;
  if (const IoStatus status = OpenAndList(fs, manifests, "tags", &tags_dir, &entries);
      !status.ok()) {
    FindingSink sink(&findings.local());
    ReportUnopenable(sink, base, repo->name, status);
    repo->incomplete = true;
    return;
  }
  std::vector<std::optional<TagRecord>> tags(entries.size());
  tbb::parallel_for(
      tbb::blocked_range<size_t>(0, entries.size(), 1),
      [&](const tbb::blocked_range<size_t>& range) {
        for (size_t i = range.begin(); i != range.end(); ++i) {
          tags[i] = ScanTag(fs, tags_dir, entries[i], base, repo->name, options, findings);
        }
      },
      tbb::simple_partitioner());
  repo->tags.reserve(entries.size());
  for (std::optional<TagRecord>& tag : tags) {
    if (!tag) continue;
    if (tag->current_state == LinkState::kBad) repo->incomplete = true;
    repo->tags.push_back(std::move(*tag));
  }
}

void ScanManifests(TreeReader& fs, const Folder& repo_dir, RepositoryRecord* repo,
                   const ScanOptions& options, ThreadFindings& findings) {
  FindingSink sink(&findings.local());
  const std::string base = distribution::RepositoryDir(repo->name) + "/_manifests";
  Folder manifests;
  std::vector<DirEntry> entries;
  if (const IoStatus status =
          OpenAndList(fs, repo_dir, distribution::kManifestsDir, &manifests, &entries);
      !status.ok()) {
    ReportUnopenable(sink, base, repo->name, status);
    repo->incomplete = true;
    repo->revisions_unknown = true;
    return;
  }
  for (const DirEntry& entry : entries) {
    if (entry.type == EntryType::kDirectory && entry.name == "revisions") {
      ScanRevisions(fs, manifests, repo, options, findings);
    } else if (entry.type == EntryType::kDirectory && entry.name == "tags") {
      ScanTags(fs, manifests, repo, options, findings);
    } else {
      ReportUnexpected(sink, entry, JoinPath(base, entry.name), repo->name);
    }
  }
}

void ScanUploads(TreeReader& fs, const Folder& repo_dir, RepositoryRecord* repo,
                 FindingSink& sink) {
  const std::string base = distribution::RepositoryDir(repo->name) + "/_uploads";
  Folder uploads;
  std::vector<DirEntry> entries;
  if (const IoStatus status =
          OpenAndList(fs, repo_dir, distribution::kUploadsDir, &uploads, &entries);
      !status.ok()) {
    ReportUnopenable(sink, base, repo->name, status);
    return;
  }
  for (const DirEntry& entry : entries) {
    const std::string path = JoinPath(base, entry.name);
    if (entry.type != EntryType::kDirectory) {
      ReportUnexpected(sink, entry, path, repo->name);
      continue;
    }
    if (!IsValidUploadId(entry.name)) {
      sink.Warning("invalid_upload", path, repo->name,
                   "upload folder name " + QuoteForMessage(entry.name) +
                       " is not an upload id (left alone)");
      continue;
    }
    UploadRecord upload;
    upload.id = entry.name;
    IoStatus folder_status;
    IoStatus data_status;
    const FileStat folder = fs.Stat(uploads, entry.name, &folder_status);
    const FileStat data = fs.Stat(uploads, entry.name + "/data", &data_status);
    const SmallFile started = fs.ReadSmall(uploads, entry.name + "/startedat", 64);
    const IoStatus status = !folder_status.ok() ? folder_status
                            : !data_status.ok() ? data_status
                            : started.status == ReadStatus::kIoError
                                ? IoStatus::FromErrno(started.error)
                                : IoStatus::Ok();
    if (!status.ok() || !folder.exists) {
      // Its age is unknown, so it is left alone.
      if (!status.ok()) {
        ReportUnopenable(sink, path, repo->name, status);
      } else {
        sink.Error("unreadable", path, repo->name, "vanished during the scan");
      }
      continue;
    }
    if (data.type == EntryType::kSymlink || started.status == ReadStatus::kSymlink) {
      ReportSymlink(sink, JoinPath(path, data.type == EntryType::kSymlink ? "data" : "startedat"),
                    repo->name);
      continue;  // left alone
    }
    upload.mtime_ns = std::max(folder.mtime_ns, data.mtime_ns);
    upload.size = data.exists && data.type == EntryType::kRegular ? data.size : 0;
    const auto started_ns =
        started.status == ReadStatus::kOk ? ParseRfc3339(started.content) : std::nullopt;
    upload.started_ns = started_ns ? *started_ns : folder.mtime_ns;
    repo->uploads.push_back(std::move(upload));
  }
}

void ScanLayers(TreeReader& fs, const Folder& repo_dir, RepositoryRecord* repo,
                const ScanOptions& options, ThreadFindings& findings) {
  const std::string base = distribution::RepositoryDir(repo->name) + "/_layers";
  if (!ListDigestFolders(fs, repo_dir, distribution::kLayersDir, base, repo->name,
                         &repo->layer_links, findings, nullptr, options.read_all_links,
                         &repo->unusable_layer_links)) {
    repo->incomplete = true;
  }
}

bool IsRepositoryMarker(const DirEntry& entry) {
  return entry.name == distribution::kManifestsDir || entry.name == distribution::kLayersDir ||
         entry.name == distribution::kUploadsDir;
}

// Scans one folder below repositories/: records it when it is a repository and returns the
// names of the sub-folders that may hold nested repositories.
std::vector<std::string> ScanRepositoryFolder(TreeReader& fs, const Folder& repositories,
                                              const std::string& name, const ScanOptions& options,
                                              tbb::concurrent_vector<RepositoryRecord>* out,
                                              tbb::concurrent_vector<std::string>* unlisted,
                                              ThreadFindings& findings) {
  FindingSink sink(&findings.local());
  std::vector<std::string> children;
  const std::string path = distribution::RepositoryDir(name);
  Folder dir;
  std::vector<DirEntry> entries;
  if (const IoStatus status = OpenAndList(fs, repositories, name, &dir, &entries); !status.ok()) {
    ReportUnopenable(sink, path, name, status,
                     "(the repositories in it are unknown: no blob is deleted)");
    // A symbolic link is recorded as one (Inventory::repository_symlinks).
    if (status.code != IoCode::kSymlink) unlisted->push_back(path);
    return children;
  }
  // An empty folder counts as an empty repository: it is what an interrupted prune leaves, and
  // --prune-empty-repos then finishes the job.
  const bool is_repository =
      entries.empty() || std::any_of(entries.begin(), entries.end(), [](const DirEntry& e) {
        return e.type == EntryType::kDirectory && IsRepositoryMarker(e);
      });
  RepositoryRecord repo;
  repo.name = name;
  if (is_repository) {
    std::string why;
    if (!IsValidRepositoryName(name, &why)) {
      repo.valid_name = false;
      sink.Warning("invalid_repository_name", path, QuoteForMessage(name),
                   "repository name is invalid: " + why + " (kept whole, never collected)");
    }
  }
  for (const DirEntry& entry : entries) {
    const std::string entry_path = JoinPath(path, entry.name);
    if (entry.type == EntryType::kDirectory && entry.name[0] != '_') {
      children.push_back(JoinPath(name, entry.name));
    } else if (!is_repository || entry.type != EntryType::kDirectory) {
      ReportUnexpected(sink, entry, entry_path, is_repository ? name : std::string());
    } else if (entry.name == distribution::kLayersDir) {
      ScanLayers(fs, dir, &repo, options, findings);
    } else if (entry.name == distribution::kManifestsDir) {
      ScanManifests(fs, dir, &repo, options, findings);
    } else if (entry.name == distribution::kUploadsDir) {
      ScanUploads(fs, dir, &repo, sink);
    } else {
      ReportUnexpected(sink, entry, entry_path, name);
    }
  }
  if (is_repository) out->push_back(std::move(repo));
  return children;
}

// Fills the inventory's repositories and unlisted_repository_folders.
void ScanRepositories(TreeReader& fs, const Folder& v2, const ScanOptions& options,
                      ThreadFindings& findings, Inventory* inventory) {
  tbb::concurrent_vector<RepositoryRecord> repositories;
  tbb::concurrent_vector<std::string> unlisted;
  Folder root;
  std::vector<DirEntry> top;
  const IoStatus status = OpenAndList(fs, v2, distribution::kRepositoriesDir, &root, &top);
  if (!root.valid() && status.code == IoCode::kNotFound) return;
  if (!status.ok()) {
    FindingSink sink(&findings.local());
    ReportUnopenable(sink, std::string(distribution::kRepositoriesDir), "", status,
                     "(no repository is known: no blob is deleted)");
    if (status.code != IoCode::kSymlink) {
      inventory->unlisted_repository_folders.emplace_back(distribution::kRepositoriesDir);
    }
    return;
  }
  std::vector<std::string> start;
  for (const DirEntry& entry : top) {
    if (entry.type == EntryType::kDirectory) {
      start.push_back(entry.name);
    } else {
      FindingSink sink(&findings.local());
      ReportUnexpected(sink, entry, JoinPath(distribution::kRepositoriesDir, entry.name), "");
    }
  }
  tbb::parallel_for_each(
      start.begin(), start.end(), [&](const std::string& name, tbb::feeder<std::string>& feeder) {
        for (std::string& child :
             ScanRepositoryFolder(fs, root, name, options, &repositories, &unlisted, findings)) {
          feeder.add(std::move(child));
        }
        Advance(options.progress);
      });
  std::vector<RepositoryRecord>& sorted = inventory->repositories;
  sorted.assign(std::make_move_iterator(repositories.begin()),
                std::make_move_iterator(repositories.end()));
  std::sort(sorted.begin(), sorted.end(),
            [](const RepositoryRecord& a, const RepositoryRecord& b) { return a.name < b.name; });
  inventory->unlisted_repository_folders.assign(unlisted.begin(), unlisted.end());
  for (const RepositoryRecord& repo : sorted) {
    if (repo.revisions_unknown) {
      inventory->unlisted_repository_folders.push_back(distribution::RepositoryDir(repo.name) +
                                                       "/_manifests");
    }
  }
  std::sort(inventory->unlisted_repository_folders.begin(),
            inventory->unlisted_repository_folders.end());
}

// Every symbolic link met below `repositories/` was reported as a kSymlinkFinding; records them
// (sorted, as the findings are) and marks the repositories that hold one incomplete.
void RecordRepositorySymlinks(Inventory* inventory) {
  std::vector<RepositoryRecord>& repositories = inventory->repositories;
  for (const Finding& finding : inventory->findings) {
    if (finding.kind != kSymlinkFinding ||
        finding.path.compare(0, distribution::kRepositoriesDir.size(),
                             distribution::kRepositoriesDir) != 0) {
      continue;
    }
    inventory->repository_symlinks.push_back(finding.path);
    const auto holder = std::lower_bound(
        repositories.begin(), repositories.end(), finding.repository,
        [](const RepositoryRecord& record, const std::string& name) { return record.name < name; });
    if (holder != repositories.end() && holder->name == finding.repository) {
      holder->incomplete = true;
    }
  }
}

}  // namespace

const BlobRecord* Inventory::FindBlob(const Digest& digest) const {
  const auto it = std::lower_bound(
      blobs.begin(), blobs.end(), digest,
      [](const BlobRecord& record, const Digest& wanted) { return record.digest < wanted; });
  return it != blobs.end() && it->digest == digest ? &*it : nullptr;
}

const BlobFacts& Inventory::Facts(const BlobRecord& blob) const {
  static const BlobFacts kUnknown;
  return blob.facts == BlobRecord::kNoFacts ? kUnknown : blob_facts[blob.facts];
}

void Inventory::MakeRoomForFacts(const std::vector<uint32_t>& which) {
  for (const uint32_t i : which) FactsToFill(i);
}

BlobFacts& Inventory::FactsToFill(uint32_t i) {
  BlobRecord& blob = blobs[i];
  if (blob.facts == BlobRecord::kNoFacts) {
    blob.facts = static_cast<uint32_t>(blob_facts.size());
    blob_facts.emplace_back();
  }
  return blob_facts[blob.facts];
}

void Inventory::AddBlob(BlobRecord blob, const BlobFacts& facts) {
  blob.facts = static_cast<uint32_t>(blob_facts.size());
  blob_facts.push_back(facts);
  blobs.push_back(blob);
}

std::optional<Digest> ParseLinkContent(std::string_view content, std::string* why) {
  if (content.empty()) {
    *why = "empty link file";
    return std::nullopt;
  }
  return Digest::Parse(content, why);
}

std::string PrintedName(const RepositoryRecord& record) {
  return PrintableName(record.name, record.valid_name);
}

Inventory ScanRegistry(const Folder& v2, const ScanOptions& options) {
  TreeReader& fs = options.reader != nullptr ? *options.reader : DefaultTreeReader();
  Inventory inventory;
  ThreadFindings findings;
  ScanBlobStore(fs, v2, options.stat_blob_data, findings, &inventory, options.progress);
  ScanRepositories(fs, v2, options, findings, &inventory);
  MergeFindings(findings, &inventory.findings);
  RecordRepositorySymlinks(&inventory);
  return inventory;
}

}  // namespace regsweep
