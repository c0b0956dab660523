// The in-memory TreeReader: placeholder descriptors mapped to folders, files from a map.
#include "bench/memory_tree_reader.h"

#include <fcntl.h>

#include <cerrno>
#include <mutex>
#include <utility>

namespace regsweep {

Folder MemoryTreeReader::NewFolder(std::string path) {
  UniqueFd fd(open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return Folder();
  const std::unique_lock lock(mutex_);
  // A descriptor number closed by its owner and reused by open() now stands for `path`.
  folders_[fd.get()] = std::move(path);
  return Folder(std::move(fd));
}

std::optional<std::string> MemoryTreeReader::Resolve(int dirfd, std::string_view relative) const {
  const std::shared_lock lock(mutex_);
  const auto folder = folders_.find(dirfd);
  if (folder == folders_.end()) return std::nullopt;
  if (folder->second.empty()) return std::string(relative);
  return folder->second + "/" + std::string(relative);
}

Folder MemoryTreeReader::OpenFolder(const Folder& at, std::string_view relative, IoStatus* status) {
  std::optional<std::string> path = Resolve(at.fd(), relative);
  Folder folder = path ? NewFolder(std::move(*path)) : Folder();
  *status = folder.valid() ? IoStatus::Ok() : IoStatus::FromErrno(path ? EMFILE : EBADF);
  return folder;
}

IoStatus MemoryTreeReader::List(const Folder& /*folder*/, std::vector<DirEntry>* /*entries*/) {
  return IoStatus::FromErrno(ENOTSUP);
}

SmallFile MemoryTreeReader::ReadSmall(const Folder& at, std::string_view relative,
                                      size_t max_bytes) {
  SmallFile file;
  const std::optional<std::string> path = Resolve(at.fd(), relative);
  if (!path) {
    file.status = ReadStatus::kIoError;
    file.error = EBADF;
    return file;
  }
  const auto found = files_.find(*path);
  if (found == files_.end()) {
    file.status = ReadStatus::kNotFound;
  } else if (found->second.size() > max_bytes) {
    file.status = ReadStatus::kTooLarge;
  } else {
    file.status = ReadStatus::kOk;
    file.content = found->second;
  }
  return file;
}

FileStat MemoryTreeReader::Stat(const Folder& /*at*/, std::string_view /*relative*/,
                                IoStatus* status) {
  *status = IoStatus::FromErrno(ENOTSUP);
  return FileStat();
}

FileStat MemoryTreeReader::StatInChild(const Folder& /*at*/, std::string_view /*child*/,
                                       std::string_view /*name*/, IoStatus* status) {
  *status = IoStatus::FromErrno(ENOTSUP);
  return FileStat();
}

std::unique_ptr<BlobStream> MemoryTreeReader::OpenStream(const Folder& /*at*/,
                                                         std::string_view /*relative*/,
                                                         OpenedFacts* facts) {
  *facts = OpenedFacts();
  facts->status = ReadStatus::kIoError;
  facts->io = IoStatus::FromErrno(ENOTSUP);
  return nullptr;
}

}  // namespace regsweep
