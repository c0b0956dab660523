// Per-manifest structural checks.
#include "audit/check/manifest_checks.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <iterator>

#include "core/descriptor_place.h"
#include "core/layout.h"

namespace regsweep::audit {
namespace {

// The first repository (by name) holding each manifest as a revision or a tag target, to name
// it in findings about the manifest.
std::vector<const std::string*> FirstHolders(const Graph& graph) {
  std::vector<const std::string*> holders(graph.nodes().size(), nullptr);
  for (const RepositoryNode& repository : graph.repositories()) {
    const RepositoryRecord& record = *repository.record;
    auto hold = [&](NodeId id) {
      if (holders[id] == nullptr) holders[id] = &record.name;
    };
    for (size_t i = 0; i < record.revisions.size(); ++i) {
      if (record.revisions[i].link == LinkState::kOk) hold(repository.revision_nodes[i]);
    }
    for (size_t t = 0; t < record.tags.size(); ++t) {
      if (record.tags[t].current_state == LinkState::kOk) hold(repository.tag_targets[t]);
    }
  }
  return holders;
}

class ManifestChecker {
 public:
  ManifestChecker(const Graph& graph, const ManifestFactsTable& facts,
                  const std::vector<const std::string*>& holders, Findings* out)
      : graph_(graph), facts_(facts), holders_(holders), out_(out) {}

  void Check(NodeId id) {
    const Node& node = graph_.node(id);
    switch (node.status) {
      case ManifestStatus::kNotLoaded:
      case ManifestStatus::kMissing:  // reported where it is referenced
        return;
      case ManifestStatus::kTooLarge:
        return Report(id, Severity::kError, "manifest_too_large", node.digest, graph_.Problem(id));
      case ManifestStatus::kDigestMismatch:
        return Report(id, Severity::kError, "manifest_digest_mismatch", node.digest,
                      graph_.Problem(id));
      case ManifestStatus::kUnreadable:
        return Report(id, Severity::kError, "manifest_unreadable", node.digest, graph_.Problem(id));
      case ManifestStatus::kInvalid: {
        const ManifestFacts& facts = facts_[id];
        if (facts.kind.empty()) {
          return Report(id, Severity::kError, "manifest_invalid", node.digest, graph_.Problem(id));
        }
        return Report(id, facts.severity, facts.kind, node.digest, facts.reason);
      }
      case ManifestStatus::kOk:
        break;
    }
    if (!facts_[id].manifest) return;
    const Manifest& manifest = *facts_[id].manifest;
    // The graph's node of this manifest names the same descriptors by node, in the same order:
    // config first, then the blobs.
    const ManifestNode& references = graph_.manifest(id);
    size_t next_blob = 0;
    if (manifest.config)
      CheckDescriptor(id, *manifest.config, references.blobs[next_blob++], {"config"});
    const char* blobs_key = BlobsField(manifest.kind);
    for (size_t i = 0; i < manifest.blobs.size(); ++i) {
      CheckDescriptor(id, manifest.blobs[i], references.blobs[next_blob++], {blobs_key, i});
    }
    for (size_t i = 0; i < manifest.children.size(); ++i) {
      const Descriptor& child = manifest.children[i];
      const DescriptorPlace place{"manifests", i};
      if (CheckDescriptor(id, child, references.children[i], place)) {
        CheckMediaType(id, child, references.children[i], place);
      }
    }
    // A missing subject is a property of the referrer in its repository (repository checks).
    if (manifest.subject && BlobOf(*references.subject) != nullptr) {
      CheckDescriptor(id, *manifest.subject, *references.subject, {"subject"});
      CheckMediaType(id, *manifest.subject, *references.subject, {"subject"});
    }
  }

 private:
  // The blob of node `id`, when its data is in the store.
  const BlobRecord* BlobOf(NodeId id) const {
    const BlobRecord* blob = graph_.Blob(id);
    return blob != nullptr && blob->has_data ? blob : nullptr;
  }

  std::string Where(NodeId manifest) const {
    const Node& node = graph_.node(manifest);
    std::string text = std::string(ManifestKindName(graph_.manifest(manifest).kind)) + " " +
                       node.digest.ToString();
    if (holders_[manifest] != nullptr) text += " (in " + *holders_[manifest] + ")";
    return text;
  }

  void Report(NodeId manifest, Severity severity, std::string kind, const Digest& digest,
              std::string reason) {
    const std::string* holder = holders_[manifest];
    out_->push_back(Finding{severity, std::move(kind), graph_.inventory().layout->BlobData(digest),
                            holder != nullptr ? *holder : std::string(), digest.ToString(),
                            std::move(reason)});
  }

  // Returns true when the blob (node `target`) is present with the right size.
  bool CheckDescriptor(NodeId manifest, const Descriptor& descriptor, NodeId target,
                       const DescriptorPlace& place) {
    const BlobRecord* blob = BlobOf(target);
    if (blob == nullptr) {
      if (descriptor.has_urls) {
        Report(manifest, Severity::kWarning, "foreign_blob_missing", descriptor.digest,
               place.Text() + " of " + Where(manifest) +
                   " is not in the blob store; it has `urls`, so clients may fetch it elsewhere");
      } else {
        Report(manifest, Severity::kError, "blob_missing", descriptor.digest,
               place.Text() + " of " + Where(manifest) + " is not in the blob store: pulls fail");
      }
      return false;
    }
    const uint64_t size = graph_.inventory().Facts(*blob).size;
    if (descriptor.size >= 0 && static_cast<uint64_t>(descriptor.size) != size) {
      Report(manifest, Severity::kError, "descriptor_size_mismatch", descriptor.digest,
             place.Text() + " of " + Where(manifest) + " says " + std::to_string(descriptor.size) +
                 " bytes, the blob has " + std::to_string(size));
      return false;
    }
    return true;
  }

  void CheckMediaType(NodeId manifest, const Descriptor& descriptor, NodeId target,
                      const DescriptorPlace& place) {
    if (!facts_[target].manifest) return;
    const std::string& declared = facts_[target].manifest->media_type;
    if (descriptor.media_type.empty() || declared.empty() || declared == descriptor.media_type) {
      return;
    }
    Report(manifest, Severity::kError, "media_type_mismatch", descriptor.digest,
           place.Text() + " of " + Where(manifest) + " says mediaType " + descriptor.media_type +
               ", the manifest itself says " + declared);
  }

  const Graph& graph_;
  const ManifestFactsTable& facts_;
  const std::vector<const std::string*>& holders_;
  Findings* out_;
};

}  // namespace

Findings CheckManifests(const Graph& graph, const ManifestFactsTable& facts) {
  // Manifests are checked in parallel, a block of them into each list, joined in manifest order so
  // that the result does not depend on scheduling.
  const std::vector<const std::string*> holders = FirstHolders(graph);
  constexpr size_t kBlock = 4096;
  const size_t count = graph.nodes().size();
  std::vector<Findings> per_block((count + kBlock - 1) / kBlock);
  tbb::parallel_for(size_t{0}, per_block.size(), [&](size_t block) {
    ManifestChecker checker(graph, facts, holders, &per_block[block]);
    const size_t end = std::min(count, (block + 1) * kBlock);
    for (size_t id = block * kBlock; id < end; ++id) checker.Check(static_cast<NodeId>(id));
  });
  Findings findings;
  for (Findings& part : per_block) {
    findings.insert(findings.end(), std::make_move_iterator(part.begin()),
                    std::make_move_iterator(part.end()));
  }
  return findings;
}

}  // namespace regsweep::audit
