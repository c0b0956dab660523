// The audit pipeline.
#include "audit/check/audit_run.h"

#include <sys/stat.h>
#include <tbb/parallel_invoke.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <random>

#include "audit/check/data_subset.h"
#include "audit/check/manifest_checks.h"
#include "audit/check/manifest_facts.h"
#include "audit/check/orphan_blobs.h"
#include "audit/check/quarantine.h"
#include "audit/check/repository_checks.h"
#include "audit/check/verify_state.h"
#include "core/fs.h"
#include "core/graph.h"
#include "core/io_depth.h"
#include "core/layout.h"
#include "core/progress.h"
#include "core/registry_root.h"
#include "core/registry_run.h"
#include "core/scan.h"
#include "core/storage.h"
#include "core/tree_reader.h"

namespace regsweep::audit {
namespace {

using Clock = std::chrono::steady_clock;

void Append(Findings* to, Findings&& from) {
  to->insert(to->end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

AuditCounts Count(const Inventory& inventory, const Graph& graph) {
  AuditCounts counts;
  counts.repositories = inventory.repositories.size();
  counts.blobs = inventory.blobs.size();
  for (const BlobRecord& blob : inventory.blobs) counts.blob_bytes += inventory.Facts(blob).size;
  for (const Node& node : graph.nodes()) {
    counts.manifests += node.status != ManifestStatus::kNotLoaded ? 1 : 0;
  }
  // An OCI image layout has no link files to count.
  if (!inventory.layout->HasLinkFiles()) return counts;
  for (const RepositoryRecord& record : inventory.repositories) {
    counts.links += record.layer_links.size() + record.revisions.size() + record.tags.size();
    for (const TagRecord& tag : record.tags) counts.links += tag.index_entries.size();
  }
  return counts;
}

// Most severe first, then grouped by kind, then by path.
void SortFindings(Findings* findings) {
  std::stable_sort(findings->begin(), findings->end(), [](const Finding& a, const Finding& b) {
    if (a.severity != b.severity) return a.severity < b.severity;
    if (a.kind != b.kind) return a.kind < b.kind;
    return a.path < b.path;
  });
}

// The blobs whose bytes the graph read and found equal to their digest (the manifests it
// loaded): (index into the inventory's blobs, the node's; byte count), sorted by index.
std::vector<std::pair<uint32_t, uint64_t>> VerifiedManifestBlobs(const Graph& graph,
                                                                 const ManifestFactsTable& facts) {
  std::vector<std::pair<uint32_t, uint64_t>> verified;
  facts.ForEach([&](NodeId id, const ManifestFacts& one) {
    const int32_t blob = graph.node(id).blob;
    if (one.verified_bytes && blob >= 0) {
      verified.emplace_back(static_cast<uint32_t>(blob), *one.verified_bytes);
    }
  });
  std::sort(verified.begin(), verified.end());
  return verified;
}

// Checks the flag combinations; returns why they cannot run together, or an empty string.
std::string ValidateOptions(const AuditOptions& options) {
  if (!options.verify_data && !options.state_path.empty()) return "--state needs --verify-data";
  if (!options.verify_data && !options.quarantine_dir.empty()) {
    return "--quarantine needs --verify-data";
  }
  if (options.max_age_ns >= 0 && options.state_path.empty()) return "--max-age needs --state";
  return "";
}

// Opens (creating it when missing) the quarantine folder, which must lie outside the tree: a
// place on the local filesystem the operator named, like the state file.
Folder OpenQuarantine(const std::string& dir, const std::string& v2_path, std::string* error) {
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    *error = "cannot create quarantine folder " + dir + ": " + std::strerror(errno);
    return Folder();
  }
  const std::string real = ResolvePath(dir);
  if (real == v2_path || real.rfind(v2_path + "/", 0) == 0) {
    *error = "the quarantine folder " + dir + " must be outside the registry tree";
    return Folder();
  }
  IoStatus status;
  Folder folder = OpenRootFolder(real, &status);
  if (!folder.valid()) *error = "cannot open quarantine folder " + dir + ": " + status.Text();
  return folder;
}

}  // namespace

size_t AuditOutcome::Count(Severity severity) const {
  return static_cast<size_t>(std::count_if(
      findings.begin(), findings.end(), [&](const Finding& f) { return f.severity == severity; }));
}

AuditOutcome RunAudit(const AuditOptions& options) {
  AuditOutcome outcome;
  outcome.verified_data = options.verify_data;
  outcome.subset = options.subset;
  const auto start = Clock::now();
  auto fatal = [&](std::string message) {
    outcome.fatal = std::move(message);
    outcome.exit_code = 2;
    return std::move(outcome);
  };
  if (const std::string invalid = ValidateOptions(options); !invalid.empty()) return fatal(invalid);
  RunAccess access;
  access.wait_advice = "audit it";
  std::string open_error;
  std::optional<RegistryRun> run =
      RegistryRun::Open(options.root, options.Backend(), access, &open_error);
  if (!run) return fatal(open_error);
  outcome.v2_path = run->v2_path();
  const Folder& v2 = run->v2();
  std::unique_ptr<VerifyState> state;
  if (!options.state_path.empty()) {
    std::string error;
    state = VerifyState::Open(options.state_path, &error);
    if (!state) return fatal(error);
  }
  Folder quarantine;
  if (!options.quarantine_dir.empty()) {
    std::string error;
    quarantine = OpenQuarantine(options.quarantine_dir, outcome.v2_path, &error);
    if (!quarantine.valid()) return fatal(error);
  }
  const int64_t now_ns = options.now_ns != 0 ? options.now_ns : NowNs();

  run->set_progress(options.progress);
  TreeReader& reader =
      options.reader_override != nullptr ? *options.reader_override : run->backend().reader();
  ScanOptions scan_options;
  scan_options.reader = &reader;
  scan_options.read_all_links = true;
  scan_options.list_tag_folders = options.tag_strays;
  scan_options.revision_ages = false;
  // Hashing every blob opens every blob's data anyway, so then the scan does not also stat it:
  // the hashing open records its size and age (on a store of many small blobs that is a third
  // of the audit's path walks). Sizes are needed before hashing only for the progress estimate
  // and for the state file's unchanged check.
  const bool hashing_examines_data = options.verify_data && !state &&
                                     options.subset.mode == DataSubset::Mode::kAll &&
                                     !options.on_progress && options.progress == nullptr;
  scan_options.stat_blob_data = !hashing_examines_data;
  VerifyOptions verify;
  if (options.verify_data) {
    verify.subset = options.subset;
    verify.seed = options.seed != 0 ? options.seed : std::random_device{}();
    verify.state = state.get();
    verify.max_age_ns = options.max_age_ns;
    verify.now_ns = now_ns;
    verify.reader = &reader;
    verify.hash = options.hash;
    verify.on_progress = options.on_progress;
    if (options.progress != nullptr) {
      verify.on_progress = [&options](const HashProgress& hashed) {
        options.progress->Set(hashed.bytes_done, hashed.bytes_total);
        if (options.on_progress) options.on_progress(hashed);
      };
    }
  }
  // When every blob's data is hashed, the blobs the graph cannot need first (layers and
  // configs) are hashed while the manifests load, on the cores and reads that leaves idle.
  std::optional<DataVerifier> verifier;
  auto make_verifier = [&](Inventory* inventory) {
    verify.layout = inventory->layout;
    verifier.emplace(inventory, v2, verify);
  };
  BesideBuild hash_early;
  hash_early.prepare = [&](Inventory* inventory) {
    make_verifier(inventory);
    verifier->PickEarly();
  };
  hash_early.run = [&] { verifier->HashEarly(); };
  hash_early.phase = "verify";
  // The phases that wait on storage keep options.io_depth reads in flight; the checks only
  // compute.
  ManifestFactsCollector collector;
  const ManifestObserver observer = collector.Observer();
  const std::unique_ptr<RegistryModel> model = run->Read(
      scan_options, options.io_depth, &observer, hashing_examines_data ? &hash_early : nullptr);
  Inventory& inventory = model->inventory;
  const Graph& graph = model->graph;
  const ManifestFactsTable facts = collector.Take(graph.nodes().size());
  if (options.verify_data) {
    // After an early start, the phase is already running.
    if (!verifier) {
      run->StartPhase("verify", "bytes");
      make_verifier(&inventory);
    }
    std::vector<std::pair<uint32_t, uint64_t>> already_verified;
    if (!state) already_verified = VerifiedManifestBlobs(graph, facts);
    RunWithIoDepth(options.io_depth, [&] { outcome.verify = verifier->Finish(already_verified); });
    Append(&outcome.findings, std::move(outcome.verify.findings));
    outcome.verify.findings.clear();
    std::string error;
    if (state && !state->Compact(&error)) {
      outcome.findings.push_back(
          Finding{Severity::kError, "state_file_failed", options.state_path, "", "", error});
    }
    run->EndPhase();
  }
  run->StartPhase("checks");
  outcome.counts = Count(inventory, graph);
  Append(&outcome.findings, std::move(inventory.findings));
  // The three only read the graph and the facts; run together, the serial parts of each (the
  // mark, finding each manifest's first holder) overlap the parallel parts of the others.
  Findings manifest_findings;
  Findings repository_findings;
  OrphanBlobs orphans;
  tbb::parallel_invoke([&] { manifest_findings = CheckManifests(graph, facts); },
                       [&] { repository_findings = CheckRepositories(graph, facts, now_ns); },
                       [&] { orphans = FindOrphanBlobs(graph); });
  Append(&outcome.findings, std::move(manifest_findings));
  Append(&outcome.findings, std::move(repository_findings));
  outcome.counts.orphan_blobs = orphans.count;
  outcome.counts.orphan_bytes = orphans.bytes;
  Append(&outcome.findings, std::move(orphans.findings));
  run->EndPhase();
  outcome.timings = run->timings();
  // Only after every check has read the tree as it was.
  Storage& storage =
      options.storage_override != nullptr ? *options.storage_override : run->backend().storage();
  for (const Digest& digest : outcome.verify.corrupt) {
    if (!quarantine.valid()) break;
    const std::string path = inventory.layout->BlobData(digest);
    const StorageStatus moved = QuarantineBlob(storage, quarantine, path);
    if (moved.ok()) {
      outcome.quarantined.push_back(path);
      outcome.findings.push_back(
          Finding{Severity::kInfo, "blob_quarantined", path, "", digest.ToString(),
                  "corrupt data moved to " + options.quarantine_dir + "/" + path});
    } else {
      outcome.findings.push_back(Finding{Severity::kError, "quarantine_failed", path, "",
                                         digest.ToString(), moved.message});
    }
  }
  SortFindings(&outcome.findings);
  outcome.requests = run->Finish();
  outcome.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const bool failed = outcome.Count(Severity::kError) > 0 ||
                      (options.strict && outcome.Count(Severity::kWarning) > 0);
  outcome.exit_code = failed ? 1 : 0;
  return outcome;
}

}  // namespace regsweep::audit
