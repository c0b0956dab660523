// Per-repository structural checks.
#include "audit/check/repository_checks.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <iterator>

#include "core/descriptor_place.h"
#include "core/distribution_layout.h"
#include "core/format.h"
#include "core/layout.h"
#include "core/oci_layout.h"

namespace regsweep::audit {
namespace {

class RepositoryChecker {
 public:
  RepositoryChecker(const Graph& graph, const ManifestFactsTable& facts,
                    const RepositoryNode& repository, int64_t now_ns, Findings* out)
      : graph_(graph),
        facts_(facts),
        repository_(repository),
        record_(*repository.record),
        now_ns_(now_ns),
        out_(out),
        linked_(repository.layer_links) {
    std::sort(linked_.begin(), linked_.end());
  }

  void Check() {
    if (!graph_.inventory().layout->HasLinkFiles()) {
      CheckIndexEntries();
      return;
    }
    // The graph has each revision with a valid link once, and each link, by node.
    for (const auto& [id, index] : repository_.revisions) CheckRevision(id);
    for (const TagRecord& tag : record_.tags) CheckTag(tag);
    for (size_t i = 0; i < record_.layer_links.size(); ++i) {
      const Digest& link = record_.layer_links[i];
      if (!Present(repository_.layer_links[i])) {
        Report(Severity::kWarning, "dangling_layer_link",
               distribution::LayerLinkDir(name(), link) + "/link", link,
               "`_layers` link to a blob that is not in the blob store");
      }
    }
    for (const UploadRecord& upload : record_.uploads) {
      if (now_ns_ - upload.started_ns > kStaleUploadNs) {
        Report(Severity::kInfo, "stale_upload", distribution::UploadDir(name(), upload.id),
               Digest(),
               "upload started over 168h ago and never finished (" + FormatBytes(upload.size) +
                   "); `gc` removes it",
               false);
      }
    }
    if (repository_.revisions.empty() && record_.tags.empty() && record_.uploads.empty()) {
      Report(Severity::kInfo, "empty_repository", distribution::RepositoryDir(name()), Digest(),
             "no manifest, no tag and no upload (" + std::to_string(record_.layer_links.size()) +
                 " `_layers` links); `gc --prune-empty-repos` removes it once no link is left "
                 "(gc keeps a link whose blob another repository uses)",
             false);
    }
  }

 private:
  const std::string& name() const { return record_.name; }

  bool Present(NodeId id) const {
    const BlobRecord* blob = graph_.Blob(id);
    return blob != nullptr && blob->has_data;
  }
  bool Present(const Digest& digest) const {
    const auto id = graph_.Find(digest);
    return id && Present(*id);
  }
  bool IsRevision(const Digest& digest) const {
    const auto id = graph_.Find(digest);
    return id && repository_.HasRevision(*id);
  }
  bool IsLinked(NodeId id) const { return std::binary_search(linked_.begin(), linked_.end(), id); }
  std::string RevisionLink(const Digest& digest) const {
    return distribution::RevisionDir(name(), digest) + "/link";
  }
  std::string TagPath(const TagRecord& tag) const {
    return distribution::TagsDir(name()) + "/" + tag.name;
  }

  void Report(Severity severity, const char* kind, std::string path, const Digest& digest,
              std::string reason, bool with_digest = true) {
    out_->push_back(Finding{severity, kind, std::move(path), name(),
                            with_digest ? digest.ToString() : std::string(), std::move(reason)});
  }

  void CheckRevision(NodeId id) {
    const Digest& digest = graph_.node(id).digest;
    if (!Present(id)) {
      Report(Severity::kError, "revision_blob_missing", RevisionLink(digest), digest,
             "manifest revision whose blob is not in the blob store: pulls by this digest fail");
      return;
    }
    if (!facts_[id].manifest) return;
    const Manifest& manifest = *facts_[id].manifest;
    // The graph's node of this manifest names the same descriptors, in the same order: config
    // first, then the blobs (manifest_checks.cc walks them the same way).
    const ManifestNode& node = graph_.manifest(id);
    size_t next_blob = 0;
    auto need_link = [&](const Descriptor& descriptor, const DescriptorPlace& place) {
      const NodeId blob = node.blobs[next_blob++];
      if (descriptor.has_urls || IsLinked(blob)) return;
      Report(Severity::kError, "layer_link_missing",
             distribution::LayerLinkDir(name(), descriptor.digest) + "/link", descriptor.digest,
             place.Text() + " of manifest " + digest.ToString() +
                 " is not linked in this repository's `_layers`: pulls answer \"blob unknown\"");
    };
    if (manifest.config) need_link(*manifest.config, {"config"});
    const char* blobs_key = BlobsField(manifest.kind);
    for (size_t i = 0; i < manifest.blobs.size(); ++i) need_link(manifest.blobs[i], {blobs_key, i});
    for (size_t i = 0; i < manifest.children.size(); ++i) {
      const Descriptor& child = manifest.children[i];
      if (repository_.HasRevision(node.children[i])) continue;
      Report(Severity::kError, "index_child_not_revision", RevisionLink(child.digest), child.digest,
             "child of index " + digest.ToString() +
                 " is not a manifest revision of this repository: pulling that platform fails" +
                 (Present(node.children[i]) ? "" : " (its blob is not in the store either)"));
    }
    if (manifest.subject && !repository_.HasRevision(*node.subject)) {
      Report(Severity::kWarning, "referrer_subject_missing", RevisionLink(digest), digest,
             "referrer whose subject " + manifest.subject->digest.ToString() +
                 " is not a manifest of this repository" +
                 (Present(*node.subject) ? "" : " (nor in the blob store)"));
    }
  }

  // An OCI image layout has no link files: its tags are the entries of index.json, and what
  // its manifests reference is checked with the manifests (manifest_checks.h).
  void CheckIndexEntries() {
    for (const TagRecord& tag : record_.tags) {
      if (Present(tag.current)) continue;
      Report(Severity::kError, "index_entry_missing", std::string(OciLayout::kIndexFile),
             tag.current,
             "index.json names " + tag.name +
                 ", a manifest whose blob is not in blobs/: " + "pulling it fails");
    }
  }

  void CheckTag(const TagRecord& tag) {
    if (tag.current_state == LinkState::kOk && !IsRevision(tag.current)) {
      Report(
          Severity::kError, "tag_target_not_revision", TagPath(tag) + "/current/link", tag.current,
          "tag " + tag.name +
              " points at a manifest that is not a revision of this "
              "repository" +
              (Present(tag.current) ? "" : " (nor in the blob store)") + ": pulling the tag fails");
    }
    for (const Digest& entry : tag.index_entries) {
      if (IsRevision(entry)) continue;
      const std::string path = TagPath(tag) + "/index/" +
                               std::string(AlgorithmName(entry.algorithm())) + "/" + entry.Hex() +
                               "/link";
      if (Present(entry)) {
        Report(Severity::kInfo, "tag_index_stale", path, entry,
               "tag history entry for a manifest no longer in this repository (history only)");
      } else {
        Report(Severity::kWarning, "tag_index_dangling", path, entry,
               "tag history entry for a manifest whose blob is not in the store");
      }
    }
  }

  const Graph& graph_;
  const ManifestFactsTable& facts_;
  const RepositoryNode& repository_;
  const RepositoryRecord& record_;
  const int64_t now_ns_;
  Findings* out_;
  std::vector<NodeId> linked_;  // the nodes of this repository's `_layers` links, sorted
};

}  // namespace

Findings CheckRepositories(const Graph& graph, const ManifestFactsTable& facts, int64_t now_ns) {
  // Repositories are checked in parallel, each into its own list, joined in repository order so
  // that the result does not depend on scheduling.
  std::vector<Findings> per_repository(graph.repositories().size());
  tbb::parallel_for(size_t{0}, per_repository.size(), [&](size_t i) {
    RepositoryChecker(graph, facts, graph.repositories()[i], now_ns, &per_repository[i]).Check();
  });
  Findings findings;
  for (Findings& part : per_repository) {
    findings.insert(findings.end(), std::make_move_iterator(part.begin()),
                    std::make_move_iterator(part.end()));
  }
  return findings;
}

}  // namespace regsweep::audit
