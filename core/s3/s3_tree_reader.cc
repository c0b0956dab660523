// Folders over keys: whole listings of the layout's subtrees, one-level listings above them.
#include "core/s3/s3_tree_reader.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <utility>

#include "core/distribution_layout.h"

namespace regsweep::s3 {
namespace {

// One key of a whole listing, named relative to the listed subtree.
struct ListedKey {
  std::string name;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  // The ETag when it is an MD5 (32 hex digits: a single-part object), as bytes.
  std::array<uint8_t, 16> md5{};
  bool has_md5 = false;
};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Fills key->md5 from an ETag of 32 hex digits; a multipart ETag ("...-3") is not an MD5.
void SetMd5(std::string_view etag, ListedKey* key) {
  if (etag.size() != 32) return;
  for (size_t i = 0; i < 16; ++i) {
    const int high = HexValue(etag[2 * i]);
    const int low = HexValue(etag[2 * i + 1]);
    if (high < 0 || low < 0) return;
    key->md5[i] = static_cast<uint8_t>(high * 16 + low);
  }
  key->has_md5 = true;
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// `at`'s key prefix joined with `relative` (which may name a folder with a trailing '/').
std::string KeyOf(const Folder& at, std::string_view relative) {
  std::string key = at.key_prefix();
  key += relative;
  return key;
}

// Streams one object with one GET.
class S3BlobStream final : public BlobStream {
 public:
  S3BlobStream(Client& client, std::string key) : client_(client), key_(std::move(key)) {}
  IoStatus ForEachChunk(ChunkSink& sink) override {
    ObjectInfo info;
    const Result result = client_.GetStream(
        key_, [&sink] { sink.Begin(); },
        [&sink](const unsigned char* data, size_t size) { sink.Consume(data, size); }, &info);
    return result.status;
  }

 private:
  Client& client_;
  const std::string key_;
};

}  // namespace

struct S3TreeReader::Listing {
  std::string prefix;  // the subtree's key prefix, ending in '/'
  std::once_flag once;
  IoStatus status;
  std::vector<ListedKey> keys;  // sorted by name

  // The first key at or after `name`.
  std::vector<ListedKey>::const_iterator LowerBound(std::string_view name) const {
    return std::lower_bound(keys.begin(), keys.end(), name,
                            [](const ListedKey& key, std::string_view n) { return key.name < n; });
  }
  const ListedKey* Find(std::string_view name) const {
    const auto it = LowerBound(name);
    return it != keys.end() && it->name == name ? &*it : nullptr;
  }
  // Whether some key lies below the folder `folder` ("" or ending in '/'), and the newest
  // mtime among those keys.
  bool HasBelow(std::string_view folder, int64_t* newest) const {
    bool any = false;
    for (auto it = LowerBound(folder); it != keys.end() && StartsWith(it->name, folder); ++it) {
      any = true;
      *newest = std::max(*newest, it->mtime_ns);
    }
    return any;
  }
};

S3TreeReader::S3TreeReader(Client& client, std::string v2_prefix)
    : client_(client), v2_prefix_(std::move(v2_prefix)) {}

S3TreeReader::~S3TreeReader() = default;

std::shared_ptr<S3TreeReader::Listing> S3TreeReader::ListingOf(std::string_view key,
                                                               IoStatus* status) {
  if (!StartsWith(key, v2_prefix_)) return nullptr;
  const size_t length = distribution::WholeListingPrefix(key.substr(v2_prefix_.size()));
  if (length == 0) return nullptr;
  const std::string prefix(key.substr(0, v2_prefix_.size() + length));
  std::shared_ptr<Listing> listing;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    std::shared_ptr<Listing>& slot = listings_[prefix];
    if (slot == nullptr) {
      slot = std::make_shared<Listing>();
      slot->prefix = prefix;
    }
    listing = slot;
  }
  std::call_once(listing->once, [&] { Fetch(*listing); });
  *status = listing->status;
  return listing;
}

void S3TreeReader::Fetch(Listing& listing) {
  std::string token;
  do {
    ListPage page;
    const Result result = client_.ListObjects(listing.prefix, "", token, &page);
    if (!result.ok()) {
      listing.status = result.status;
      listing.keys.clear();
      return;
    }
    for (ObjectInfo& object : page.objects) {
      if (!StartsWith(object.key, listing.prefix)) continue;  // not ours: never trusted
      ListedKey key{object.key.substr(listing.prefix.size()), object.size, object.mtime_ns};
      SetMd5(object.etag, &key);
      listing.keys.push_back(std::move(key));
    }
    token = page.truncated ? page.next_token : std::string();
  } while (!token.empty());
  std::sort(listing.keys.begin(), listing.keys.end(),
            [](const ListedKey& a, const ListedKey& b) { return a.name < b.name; });
}

IoStatus S3TreeReader::ListOneLevel(const std::string& folder_key, std::vector<DirEntry>* entries) {
  entries->clear();
  std::string token;
  do {
    ListPage page;
    const Result result = client_.ListObjects(folder_key, "/", token, &page);
    if (!result.ok()) return result.status;
    for (const std::string& prefix : page.common_prefixes) {
      if (!StartsWith(prefix, folder_key) || prefix.size() <= folder_key.size() + 1) continue;
      entries->push_back(
          DirEntry{prefix.substr(folder_key.size(), prefix.size() - folder_key.size() - 1),
                   EntryType::kDirectory});
    }
    for (const ObjectInfo& object : page.objects) {
      // A key equal to the prefix is a folder marker some tools write: not an entry.
      if (!StartsWith(object.key, folder_key) || object.key.size() == folder_key.size()) continue;
      entries->push_back(DirEntry{object.key.substr(folder_key.size()), EntryType::kRegular});
    }
    token = page.truncated ? page.next_token : std::string();
  } while (!token.empty());
  if (entries->empty()) return IoStatus::FromErrno(ENOENT);
  return IoStatus::Ok();
}

Folder S3TreeReader::OpenFolder(const Folder& at, std::string_view relative, IoStatus* status) {
  std::string key = KeyOf(at, relative);
  if (!key.empty() && key.back() != '/') key += '/';
  std::shared_ptr<Listing> listing = ListingOf(key, status);
  if (listing != nullptr) {
    if (!status->ok()) return Folder();
    const std::string_view below = std::string_view(key).substr(listing->prefix.size());
    int64_t newest = 0;
    if (!listing->HasBelow(below, &newest)) {
      const bool is_file = !below.empty() && listing->Find(below.substr(0, below.size() - 1));
      *status = IoStatus::FromErrno(is_file ? ENOTDIR : ENOENT);
      return Folder();
    }
    *status = IoStatus::Ok();
    return Folder::OfKeyPrefix(std::move(key));
  }
  // Above the listed subtrees: a folder is there when a key lies below it.
  ListPage page;
  const Result result = client_.ListObjects(key, "/", "", &page);
  *status = result.status;
  if (!result.ok()) return Folder();
  if (page.objects.empty() && page.common_prefixes.empty()) {
    *status = IoStatus::FromErrno(ENOENT);
    return Folder();
  }
  return Folder::OfKeyPrefix(std::move(key));
}

IoStatus S3TreeReader::List(const Folder& folder, std::vector<DirEntry>* entries) {
  const std::string& key = folder.key_prefix();
  IoStatus status;
  std::shared_ptr<Listing> listing = ListingOf(key, &status);
  if (listing == nullptr) return ListOneLevel(key, entries);
  entries->clear();
  if (!status.ok()) return status;
  const std::string_view below = std::string_view(key).substr(listing->prefix.size());
  for (auto it = listing->LowerBound(below);
       it != listing->keys.end() && StartsWith(it->name, below); ++it) {
    const std::string_view rest = std::string_view(it->name).substr(below.size());
    const size_t slash = rest.find('/');
    const std::string_view name = rest.substr(0, slash);
    if (name.empty()) continue;  // a folder marker, or a doubled '/': no entry of this folder
    const EntryType type =
        slash == std::string_view::npos ? EntryType::kRegular : EntryType::kDirectory;
    // Keys below one child are adjacent in the sorted listing, but a file "x" and a folder "x/"
    // may be separated by keys such as "x.y": a name seen again as a folder is a folder.
    auto same = std::find_if(entries->rbegin(), entries->rend(),
                             [name](const DirEntry& e) { return e.name == name; });
    if (same != entries->rend()) {
      if (type == EntryType::kDirectory) same->type = EntryType::kDirectory;
      continue;
    }
    entries->push_back(DirEntry{std::string(name), type});
  }
  if (entries->empty()) return IoStatus::FromErrno(ENOENT);
  return IoStatus::Ok();
}

FileStat S3TreeReader::StatListed(const Listing& listing, const std::string& key) {
  FileStat stat;
  // `key` is the listed subtree's own folder, or lies below it.
  const std::string_view name = key.size() < listing.prefix.size()
                                    ? std::string_view()
                                    : std::string_view(key).substr(listing.prefix.size());
  const std::string folder = name.empty() ? std::string() : std::string(name) + '/';
  int64_t newest = 0;
  if (const ListedKey* found = name.empty() ? nullptr : listing.Find(name)) {
    stat.exists = true;
    stat.type = EntryType::kRegular;
    stat.size = found->size;
    stat.allocated = found->size;
    stat.mtime_ns = found->mtime_ns;
  } else if (listing.HasBelow(folder, &newest)) {
    // A folder has no time of its own: its newest key's is the conservative one (recent
    // protects).
    stat.exists = true;
    stat.type = EntryType::kDirectory;
    stat.mtime_ns = newest;
  }
  return stat;
}

FileStat S3TreeReader::StatKey(const std::string& key, IoStatus* status) {
  FileStat stat;
  std::shared_ptr<Listing> listing = ListingOf(key + '/', status);
  if (listing != nullptr) return status->ok() ? StatListed(*listing, key) : stat;
  ObjectInfo info;
  const Result head = client_.Head(key, &info);
  if (head.ok()) {
    *status = IoStatus::Ok();
    stat.exists = true;
    stat.type = EntryType::kRegular;
    stat.size = info.size;
    stat.allocated = info.size;
    stat.mtime_ns = info.mtime_ns;
    return stat;
  }
  if (head.status.code != IoCode::kNotFound) {
    *status = head.status;
    return stat;
  }
  ListPage page;
  const Result below = client_.ListObjects(key + '/', "/", "", &page);
  *status = below.status;
  if (below.ok() && (!page.objects.empty() || !page.common_prefixes.empty())) {
    stat.exists = true;
    stat.type = EntryType::kDirectory;
    for (const ObjectInfo& object : page.objects) {
      stat.mtime_ns = std::max(stat.mtime_ns, object.mtime_ns);
    }
  }
  return stat;
}

FileStat S3TreeReader::Stat(const Folder& at, std::string_view relative, IoStatus* status) {
  std::string key = KeyOf(at, relative);
  while (!key.empty() && key.back() == '/') key.pop_back();
  return StatKey(key, status);
}

FileStat S3TreeReader::StatInChild(const Folder& at, std::string_view child, std::string_view name,
                                   IoStatus* status) {
  std::string relative(child);
  relative += '/';
  relative += name;
  return Stat(at, relative, status);
}

SmallFile S3TreeReader::ReadSmall(const Folder& at, std::string_view relative, size_t max_bytes) {
  SmallFile file;
  const std::string key = KeyOf(at, relative);
  IoStatus status;
  if (const std::shared_ptr<Listing> listing = ListingOf(key + '/', &status)) {
    // Listed: what is not a small regular file there is answered without a GET.
    if (!status.ok()) {
      file.status = ReadStatus::kIoError;
      file.error = EIO;
      return file;
    }
    const FileStat listed = StatListed(*listing, key);
    if (!listed.exists) {
      file.status = ReadStatus::kNotFound;
      return file;
    }
    if (listed.type != EntryType::kRegular) {
      file.status = ReadStatus::kNotRegular;
      return file;
    }
    if (listed.size > max_bytes) {
      file.status = ReadStatus::kTooLarge;
      return file;
    }
  }
  ObjectInfo info;
  const Result result = client_.Get(key, max_bytes, &file.content, &info);
  if (result.too_large) {
    file.status = ReadStatus::kTooLarge;
    file.content.clear();
  } else if (result.status.code == IoCode::kNotFound) {
    file.status = ReadStatus::kNotFound;
  } else if (!result.ok()) {
    file.status = ReadStatus::kIoError;
    file.error = result.status.code == IoCode::kDenied ? EACCES : EIO;
  } else {
    file.status = ReadStatus::kOk;
    file.mtime_ns = info.mtime_ns;
  }
  return file;
}

std::unique_ptr<BlobStream> S3TreeReader::OpenStream(const Folder& at, std::string_view relative,
                                                     OpenedFacts* facts) {
  *facts = OpenedFacts{};
  IoStatus status;
  const FileStat stat = Stat(at, relative, &status);
  facts->io = status;
  if (!status.ok()) {
    facts->status = ReadStatus::kIoError;
    return nullptr;
  }
  if (!stat.exists) {
    facts->status = ReadStatus::kNotFound;
    facts->io = IoStatus::FromErrno(ENOENT);
    return nullptr;
  }
  facts->size = stat.size;
  facts->allocated = stat.allocated;
  facts->mtime_ns = stat.mtime_ns;
  if (stat.type != EntryType::kRegular) {
    facts->status = ReadStatus::kNotRegular;
    return nullptr;
  }
  facts->status = ReadStatus::kOk;
  return std::make_unique<S3BlobStream>(client_, KeyOf(at, relative));
}

bool S3TreeReader::HoldsExactly(const Folder& at, std::string_view relative,
                                std::string_view content, int64_t* mtime_ns) {
  const std::string key = KeyOf(at, relative);
  IoStatus status;
  std::shared_ptr<Listing> listing = ListingOf(key + '/', &status);
  if (listing == nullptr || !status.ok() || key.size() <= listing->prefix.size()) return false;
  const ListedKey* found = listing->Find(std::string_view(key).substr(listing->prefix.size()));
  if (found == nullptr || !found->has_md5 || found->size != content.size()) return false;
  std::array<uint8_t, 16> md5{};
  unsigned int length = 0;
  if (EVP_Digest(content.data(), content.size(), md5.data(), &length, EVP_md5(), nullptr) != 1 ||
      length != md5.size() || md5 != found->md5) {
    return false;
  }
  *mtime_ns = found->mtime_ns;
  return true;
}

bool S3TreeReader::ListedKeysAt(const std::string& key, std::vector<std::string>* keys,
                                IoStatus* status) {
  const std::shared_ptr<Listing> listing = ListingOf(key + '/', status);
  if (listing == nullptr) return false;
  if (!status->ok()) return true;
  // `key` is the listed subtree's own folder (all of it), or lies below it.
  const std::string_view name = key.size() < listing->prefix.size()
                                    ? std::string_view()
                                    : std::string_view(key).substr(listing->prefix.size());
  if (!name.empty() && listing->Find(name) != nullptr) {
    keys->push_back(key);
    return true;
  }
  const std::string below = name.empty() ? std::string() : std::string(name) + '/';
  for (auto it = listing->LowerBound(below);
       it != listing->keys.end() && StartsWith(it->name, below); ++it) {
    keys->push_back(listing->prefix + it->name);
  }
  return true;
}

}  // namespace regsweep::s3
