// KernelFile: a small kernel file (cgroup counter, /proc/PID/stat or status) opened once and
// re-read with pread. Every invocation reads a few of them for its REPORT line and CPU time,
// and opening them each time cost more than the rest of the invocation's bookkeeping.
// Threading: one owner thread; not copyable.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace stratus::functions {

class KernelFile {
 public:
  KernelFile() = default;
  KernelFile(const KernelFile&) = delete;
  KernelFile& operator=(const KernelFile&) = delete;
  ~KernelFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool is_open() const { return fd_ >= 0; }
  // Opens `path` unless a file is open already; a failure leaves it closed (reads give "").
  void Open(const std::string& path) {
    if (fd_ < 0) fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  }
  // The whole file (its first 4 KiB; enough for the fields read here), or "" on failure.
  std::string_view Read() {
    if (fd_ < 0) return {};
    ssize_t n = ::pread(fd_, buffer_, sizeof(buffer_) - 1, 0);
    if (n <= 0) return {};
    buffer_[n] = '\0';  // so strtoull stops at the end of what was read
    return std::string_view(buffer_, static_cast<size_t>(n));
  }
  uint64_t ReadNumber() {
    std::string_view text = Read();
    return text.empty() ? 0 : std::strtoull(text.data(), nullptr, 10);
  }

 private:
  int fd_ = -1;
  char buffer_[4096];
};

}  // namespace stratus::functions
