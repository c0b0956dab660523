// Loading, appending to and compacting the verification state file.
#include "audit/check/verify_state.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace regsweep::audit {
namespace {

constexpr const char* kHeader = "# regsweep audit state v1\n";

std::string GoodLine(const Digest& digest, const GoodVerification& good) {
  return "good " + digest.ToString() + " " + std::to_string(good.inode) + " " +
         std::to_string(good.size) + " " + std::to_string(good.mtime_ns) + " " +
         std::to_string(good.verified_ns) + "\n";
}

// Applies one line; malformed lines (a run killed mid-write) are ignored.
void ApplyLine(const std::string& line,
               std::unordered_map<Digest, GoodVerification, DigestHash>* good) {
  std::istringstream in(line);
  std::string word;
  std::string digest_text;
  if (!(in >> word >> digest_text)) return;
  const auto digest = Digest::Parse(digest_text);
  if (!digest) return;
  if (word == "bad") {
    good->erase(*digest);
    return;
  }
  GoodVerification record;
  if (word != "good" ||
      !(in >> record.inode >> record.size >> record.mtime_ns >> record.verified_ns)) {
    return;
  }
  (*good)[*digest] = record;
}

bool WriteAll(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

VerifyState::VerifyState(std::string path, UniqueFd append_fd)
    : path_(std::move(path)), append_fd_(std::move(append_fd)) {}

std::unique_ptr<VerifyState> VerifyState::Open(const std::string& path, std::string* error) {
  UniqueFd fd(open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!fd.valid()) {
    *error = "cannot open state file " + path + ": " + std::strerror(errno);
    return nullptr;
  }
  std::unique_ptr<VerifyState> state(new VerifyState(path, std::move(fd)));
  std::ifstream in(path);
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    if (first && !line.empty() && line[0] != '#' && line.rfind("good ", 0) != 0 &&
        line.rfind("bad ", 0) != 0) {
      *error = "state file " + path + " is not a regsweep audit state file";
      return nullptr;
    }
    first = false;
    ApplyLine(line, &state->good_);
  }
  if (lseek(state->append_fd_.get(), 0, SEEK_END) == 0 &&
      !WriteAll(state->append_fd_.get(), kHeader)) {
    *error = "cannot write state file " + path + ": " + std::strerror(errno);
    return nullptr;
  }
  return state;
}

const GoodVerification* VerifyState::Find(const Digest& digest) const {
  const auto it = good_.find(digest);
  return it == good_.end() ? nullptr : &it->second;
}

void VerifyState::Append(const std::string& line) { WriteAll(append_fd_.get(), line); }

void VerifyState::RecordGood(const Digest& digest, const GoodVerification& good) {
  const std::string line = GoodLine(digest, good);
  std::lock_guard<std::mutex> lock(mutex_);
  good_[digest] = good;
  Append(line);
}

void VerifyState::RecordBad(const Digest& digest) {
  const std::string line = "bad " + digest.ToString() + "\n";
  std::lock_guard<std::mutex> lock(mutex_);
  good_.erase(digest);
  Append(line);
}

bool VerifyState::Compact(std::string* error) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string text = kHeader;
  for (const auto& [digest, good] : good_) text += GoodLine(digest, good);
  const std::string temporary = path_ + ".tmp";
  UniqueFd fd(open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!fd.valid() || !WriteAll(fd.get(), text) || fsync(fd.get()) != 0 ||
      rename(temporary.c_str(), path_.c_str()) != 0) {
    *error = "cannot rewrite state file " + path_ + ": " + std::strerror(errno);
    return false;
  }
  // Later appends (none in a normal run) go to the new file.
  append_fd_ = UniqueFd(open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW));
  return true;
}

}  // namespace regsweep::audit
