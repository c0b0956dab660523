// errno to IoStatus, and the words for messages.
#include "core/io_status.h"

#include <cerrno>
#include <cstring>

namespace regsweep {

IoStatus IoStatus::FromErrno(int error) {
  IoStatus status;
  status.sys_error = error;
  switch (error) {
    case 0:
      status.code = IoCode::kOk;
      break;
    case ENOENT:
      status.code = IoCode::kNotFound;
      break;
    case ENOTDIR:
      status.code = IoCode::kNotFolder;
      break;
    case ELOOP:
      status.code = IoCode::kSymlink;
      break;
    case EACCES:
    case EPERM:
      status.code = IoCode::kDenied;
      break;
    default:
      status.code = IoCode::kIoError;
      break;
  }
  return status;
}

std::string IoStatus::Text() const {
  if (sys_error != 0) return std::strerror(sys_error);
  if (http_status != 0) {
    return "HTTP " + std::to_string(http_status) + (detail.empty() ? "" : " " + detail);
  }
  if (!detail.empty()) return detail;
  switch (code) {
    case IoCode::kOk:
      return "ok";
    case IoCode::kNotFound:
      return "not found";
    case IoCode::kNotFolder:
      return "not a folder";
    case IoCode::kSymlink:
      return "symbolic link refused";
    case IoCode::kDenied:
      return "permission denied";
    case IoCode::kIoError:
      break;
  }
  return "I/O error";
}

}  // namespace regsweep
