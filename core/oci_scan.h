// The scanner of an OCI image layout (core/oci_layout.h): reads `oci-layout`, `index.json` and
// `blobs/<alg>/<hex>` into the Inventory that gc, audit and usage decide by, with the layout as
// one repository:
//   - blobs: every regular file of blobs/<alg>/ named by a digest, with its size and age;
//   - tags: the entries of index.json, each a root. A named entry (its
//     `org.opencontainers.image.ref.name` annotation) is the tag of that name; an unnamed one is
//     the tag "@<digest>" (which no ref name can be), so --delete-untagged never drops it;
//   - revisions: the manifests in the layout. Nothing lists them, so the scanner reads every
//     blob of at most kMaxManifestBytes that may be JSON (the head of one over 64 KiB first)
//     and keeps those whose bytes hash to their name and parse as a manifest (a referrer not in
//     index.json is found this way, and kept with its subject), plus every entry of
//     index.json;
//   - layer_links: every blob (what a repository kept whole keeps).
// What cannot be read or understood (oci-layout, index.json, a blob folder, a blob that is a
// symbolic link or unreadable) is a finding, and makes the repository incomplete: then gc keeps
// every blob of it.
#ifndef REGSWEEP_CORE_OCI_SCAN_H_
#define REGSWEEP_CORE_OCI_SCAN_H_

#include <string>

#include "core/scan.h"

namespace regsweep {

class Folder;
class Layout;

// Scans the OCI image layout below `root` (opened by options.reader), naming its repository
// `repository`; the inventory's layout is `layout`.
Inventory ScanOciLayout(const Layout& layout, const Folder& root, const std::string& repository,
                        const ScanOptions& options);

}  // namespace regsweep

#endif  // REGSWEEP_CORE_OCI_SCAN_H_
