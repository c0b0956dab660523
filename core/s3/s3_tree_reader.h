// The read seam over an S3 bucket: a registry's keys seen as the folder tree gc and audit read.
//
// An object store has keys, not folders: "a/b/link" exists, "a/b/" only as the prefix of keys.
// This reader answers TreeReader's folder questions from listings, sending as few requests as
// the layout allows:
//   - A blob shard `blobs/<alg>/<xx>/` and a top repository folder `repositories/<name>/` are
//     listed whole, every key below them, 1000 keys a page (distribution::WholeListingPrefix), the
//     first time anything below them is asked about; every later question below them (list a
//     folder, stat a file, is a link there, how large is a blob's data) is answered from that
//     listing, with LastModified as the mtime. Different subtrees are listed at the same time
//     by the callers' threads (--io-depth).
//   - The few folders above those (the v2 folder, `blobs/`, `blobs/<alg>/`, `repositories/`)
//     are listed one level at a time (delimiter "/").
//   - Only file contents cost a GET (links, manifests, blob data for audit); a file the listing
//     shows absent, too large or a folder is answered without one.
// A listing that fails fails every question below it, with its status: the scan then treats
// that subtree as unreadable, as it would an unreadable folder on disk. The listings are a
// snapshot: a key written after its subtree was listed is not seen (regsweep runs while the
// registry is stopped or read-only).
#ifndef REGSWEEP_CORE_S3_S3_TREE_READER_H_
#define REGSWEEP_CORE_S3_S3_TREE_READER_H_

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/s3/s3_client.h"
#include "core/tree_reader.h"

namespace regsweep::s3 {

class S3TreeReader final : public TreeReader {
 public:
  // Reads the registry whose v2 folder is at `v2_prefix` ("PREFIX/docker/registry/v2/", or
  // "docker/registry/v2/" at the bucket's top) through `client` (not owned).
  S3TreeReader(Client& client, std::string v2_prefix);
  ~S3TreeReader() override;

  // The v2 folder.
  Folder Root() const { return Folder::OfKeyPrefix(v2_prefix_); }
  const std::string& v2_prefix() const { return v2_prefix_; }

  Folder OpenFolder(const Folder& at, std::string_view relative, IoStatus* status) override;
  IoStatus List(const Folder& folder, std::vector<DirEntry>* entries) override;
  SmallFile ReadSmall(const Folder& at, std::string_view relative, size_t max_bytes) override;
  FileStat Stat(const Folder& at, std::string_view relative, IoStatus* status) override;
  FileStat StatInChild(const Folder& at, std::string_view child, std::string_view name,
                       IoStatus* status) override;
  // One GET, streamed: the facts come from the listing (or a HEAD above the listed subtrees).
  std::unique_ptr<BlobStream> OpenStream(const Folder& at, std::string_view relative,
                                         OpenedFacts* facts) override;
  // From the listing: size and ETag (MD5) match `content`. Saves the GET of every revision link,
  // whose content its key names.
  bool HoldsExactly(const Folder& at, std::string_view relative, std::string_view content,
                    int64_t* mtime_ns) override;

  // When the subtree `key` lies in is listed whole (true): `key` itself if it is an object,
  // otherwise every key below `key/` (none: it is gone), with *status the listing's. The storage
  // deletes them without listing again. False when `key` lies above the listed subtrees.
  bool ListedKeysAt(const std::string& key, std::vector<std::string>* keys, IoStatus* status);

 private:
  struct Listing;
  // The whole listing of the subtree `key` lies in, fetched on first use; nullptr when `key` is
  // above the listed subtrees. *status is the listing's.
  std::shared_ptr<Listing> ListingOf(std::string_view key, IoStatus* status);
  void Fetch(Listing& listing);
  // One level below `folder_key`, with a delimiter, every page.
  IoStatus ListOneLevel(const std::string& folder_key, std::vector<DirEntry>* entries);
  // What the listing says of `key` (a key below or at its subtree): no request.
  static FileStat StatListed(const Listing& listing, const std::string& key);
  // `key` from its listing, or with a HEAD (and a listing, for a folder) above the listed ones.
  FileStat StatKey(const std::string& key, IoStatus* status);

  Client& client_;
  const std::string v2_prefix_;
  std::mutex mutex_;  // guards listings_ (not the listings, which fill once: Listing::once)
  std::unordered_map<std::string, std::shared_ptr<Listing>> listings_;
};

}  // namespace regsweep::s3

#endif  // REGSWEEP_CORE_S3_S3_TREE_READER_H_
