// What a storage request came to, as a status rather than errno: the code says what callers
// decide on (absent, a symbolic link refused, access denied, any other failure), and the system
// error, where there is one, only feeds the message. Backends map their own failures here
// (the local filesystem its errno values; an object store its HTTP answers).
#ifndef REGSWEEP_CORE_IO_STATUS_H_
#define REGSWEEP_CORE_IO_STATUS_H_

#include <cstdint>
#include <string>

namespace regsweep {

enum class IoCode : uint8_t {
  kOk,
  kNotFound,   // nothing there
  kNotFolder,  // a folder was asked for and a component on the way is a file
  kSymlink,    // a symbolic link on the way was refused (never followed)
  kDenied,     // no permission
  kIoError,    // anything else: the device, the network, a limit
};

struct IoStatus {
  IoCode code = IoCode::kOk;
  int sys_error = 0;    // the errno behind `code` on the local filesystem; 0 when there is none
  int http_status = 0;  // the HTTP answer behind `code` from an object store; 0 when none came
  // An object store's own words for a failure, for messages: its error code and message, or the
  // connection's error, and the attempts made ("InternalError: We encountered an internal
  // error. (6 attempts)"). Empty otherwise.
  std::string detail;

  bool ok() const { return code == IoCode::kOk; }
  // Nothing is there to read: absent, or a file where a folder was expected.
  bool absent() const { return code == IoCode::kNotFound || code == IoCode::kNotFolder; }

  static IoStatus Ok() { return {}; }
  // The status of a failed system call that set `error` (ENOENT, ELOOP, EACCES, ...).
  static IoStatus FromErrno(int error);
  // For messages: "No such file or directory", "Permission denied", "HTTP 503 SlowDown: Please
  // reduce your request rate. (6 attempts)", ...
  std::string Text() const;
};

}  // namespace regsweep

#endif  // REGSWEEP_CORE_IO_STATUS_H_
