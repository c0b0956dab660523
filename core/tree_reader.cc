// The real TreeReader: forwards to core/fs and turns errno into IoStatus.
#include "core/tree_reader.h"

#include <fcntl.h>

#include <cerrno>

#include "core/posix_blob_stream.h"

namespace regsweep {

Folder PosixTreeReader::OpenFolder(const Folder& at, std::string_view relative, IoStatus* status) {
  UniqueFd fd = OpenDirBeneath(at.fd(), relative);
  *status = fd.valid() ? IoStatus::Ok() : IoStatus::FromErrno(errno);
  return Folder(std::move(fd));
}

IoStatus PosixTreeReader::List(const Folder& folder, std::vector<DirEntry>* entries) {
  return ListDir(folder.fd(), entries) ? IoStatus::Ok() : IoStatus::FromErrno(errno);
}

SmallFile PosixTreeReader::ReadSmall(const Folder& at, std::string_view relative,
                                     size_t max_bytes) {
  return ReadSmallFile(at.fd(), relative, max_bytes);
}

FileStat PosixTreeReader::Stat(const Folder& at, std::string_view relative, IoStatus* status) {
  int error = 0;
  FileStat stat = StatBeneath(at.fd(), relative, &error);
  *status = IoStatus::FromErrno(error);
  return stat;
}

FileStat PosixTreeReader::StatInChild(const Folder& at, std::string_view child,
                                      std::string_view name, IoStatus* status) {
  int error = 0;
  FileStat stat = StatInChildFolder(at.fd(), child, name, &error);
  *status = IoStatus::FromErrno(error);
  return stat;
}

std::unique_ptr<BlobStream> PosixTreeReader::OpenStream(const Folder& at, std::string_view relative,
                                                        OpenedFacts* facts) {
  return OpenPosixBlobStream(at.fd(), relative, facts);
}

IoStatus OpenAndList(TreeReader& reader, const Folder& at, std::string_view relative,
                     Folder* folder, std::vector<DirEntry>* entries) {
  IoStatus status;
  *folder = reader.OpenFolder(at, relative, &status);
  if (!folder->valid()) return status;
  return reader.List(*folder, entries);
}

TreeReader& DefaultTreeReader() {
  static PosixTreeReader reader;
  return reader;
}

Folder OpenRootFolder(const std::string& path, IoStatus* status) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  *status = fd.valid() ? IoStatus::Ok() : IoStatus::FromErrno(errno);
  return Folder(std::move(fd));
}

}  // namespace regsweep
