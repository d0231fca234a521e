#include "emulator/storage/ephemeral_dirs.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace stratus::storage {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPrefix = "stratus-";
constexpr size_t kSuffixLength = 6;  // mkdtemp's XXXXXX
constexpr const char* kMarker = "ephemeral";

// Another user's directory in a shared temp directory is never ours to judge.
bool OwnedByUs(const fs::path& dir) {
  struct stat info {};
  return ::lstat(dir.c_str(), &info) == 0 && info.st_uid == ::geteuid();
}

// True when `dir`/lock exists and nobody holds it (its owner has exited or was killed).
bool LockIsFree(const fs::path& dir) {
  int fd = ::open((dir / "lock").c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return false;
  bool free = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
  ::close(fd);  // releases it again at once
  return free;
}

}  // namespace

std::string EphemeralParent() {
  std::error_code ec;
  fs::path parent = fs::temp_directory_path(ec);
  return ec ? std::string("/tmp") : parent.string();
}

Result<std::string> MakeEphemeralDir() {
  std::string pattern = (fs::path(EphemeralParent()) / (std::string(kPrefix) + "XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Status::IoError("cannot create a temporary data directory: " +
                           std::string(std::strerror(errno)));
  }
  return pattern;
}

Status MarkEphemeral(const std::string& dir) {
  std::ofstream marker(fs::path(dir) / kMarker);
  if (!marker) return Status::IoError("cannot write " + dir + "/" + kMarker);
  return Status::Ok();
}

int RemoveAbandonedEphemeralDirs(const std::string& parent) {
  int removed = 0;
  std::error_code ec;
  for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.size() != std::strlen(kPrefix) + kSuffixLength || name.rfind(kPrefix, 0) != 0) continue;
    std::error_code status_ec;
    if (!it->is_directory(status_ec) || it->is_symlink(status_ec)) continue;
    if (!OwnedByUs(it->path())) continue;
    if (!fs::exists(it->path() / kMarker, status_ec) || !LockIsFree(it->path())) continue;
    if (fs::remove_all(it->path(), status_ec) != static_cast<std::uintmax_t>(-1) && !status_ec) {
      ++removed;
    }
  }
  return removed;
}

}  // namespace stratus::storage
