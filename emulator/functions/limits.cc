#include "emulator/functions/limits.h"

#include "emulator/functions/kernel_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace stratus::functions {

namespace fs = std::filesystem;

namespace {

// The `oom_kill N` entry of a cgroup's "key value" file (memory.events, memory.oom_control).
uint64_t OomKillCount(const std::string& path) {
  std::ifstream in(path);
  std::string key;
  uint64_t value = 0;
  while (in >> key >> value) {
    if (key == "oom_kill") return value;
  }
  return 0;
}

// The peak resident memory of one process (VmHWM), in bytes; 0 once it is gone.
uint64_t PeakRss(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  while (in >> key) {
    if (key == "VmHWM:") {
      uint64_t kib = 0;
      in >> kib;
      return kib * 1024;
    }
    std::getline(in, key);
  }
  return 0;
}

// VmHWM (peak resident memory) from the text of /proc/PID/status, in bytes.
uint64_t VmHwmBytes(std::string_view status) {
  size_t at = status.find("VmHWM:");
  if (at == std::string_view::npos) return 0;
  return std::strtoull(std::string(status.substr(at + 6, 32)).c_str(), nullptr, 10) * 1024;
}

// Watches the process group's resident memory; no kernel help.
class RssAccount : public MemoryAccount {
 public:
  explicit RssAccount(int limit_mb) : limit_(uint64_t(limit_mb) * 1024 * 1024) {}
  Status Adopt(pid_t pid) override {
    pid_ = pid;
    return Status::Ok();
  }
  uint64_t PeakBytes() override {
    OverLimit();
    return std::max(peak_, PeakRss(pid_));
  }
  bool OverLimit() override {
    if (pid_ <= 0) return false;
    uint64_t rss = ProcessGroupRss(pid_);
    peak_ = std::max(peak_, rss);
    return rss > limit_;
  }
  bool OomKilled() override { return false; }

 private:
  uint64_t limit_;
  uint64_t peak_ = 0;
  std::atomic<pid_t> pid_{-1};  // set by Adopt on a worker thread
};

class CgroupAccount : public MemoryAccount {
 public:
  CgroupAccount(std::string dir, bool v2) : dir_(std::move(dir)), v2_(v2) {}
  ~CgroupAccount() override {
    std::error_code ec;
    fs::remove(dir_, ec);  // fails harmlessly while a straggler process is still inside
  }
  Status Adopt(pid_t pid) override {
    pid_ = pid;
    if (!WriteCgroupFile(dir_ + "/cgroup.procs", std::to_string(pid))) {
      return Status::IoError("cannot move process " + std::to_string(pid) + " into " + dir_);
    }
    return Status::Ok();
  }
  // The cgroup's own peak misses what the process touched before it was moved in (v1 cannot
  // move charges on current kernels), so the main process's own peak is a floor.
  uint64_t PeakBytes() override {
    peak_file_.Open(dir_ + (v2_ ? "/memory.peak" : "/memory.max_usage_in_bytes"));
    uint64_t cgroup = peak_file_.ReadNumber();
    pid_t pid = pid_;
    if (pid <= 0) return cgroup;
    // Opened once the pid is known; reads 0 once the process is gone, like PeakRss. Growth
    // after the move into the cgroup shows in the cgroup's own peak, read every time; the
    // process's peak (the kernel formats all of /proc/PID/status for it) only adds what was
    // touched before the move, so it is refreshed on the first reads and then every few.
    status_file_.Open("/proc/" + std::to_string(pid) + "/status");
    if (status_reads_++ % kStatusEvery == 0 || process_peak_ == 0) {
      process_peak_ = std::max(process_peak_, VmHwmBytes(status_file_.Read()));
    }
    return std::max(cgroup, process_peak_);
  }
  bool OverLimit() override { return false; }  // the kernel enforces it
  // v2 counts kills in memory.events, v1 in memory.oom_control (kernels before 4.13 lack the
  // counter there: the exit signal is then all there is).
  bool OomKilled() override {
    return OomKillCount(dir_ + (v2_ ? "/memory.events" : "/memory.oom_control")) > 0;
  }

 private:
  std::string dir_;
  bool v2_;
  std::atomic<pid_t> pid_{-1};  // set by Adopt on a worker thread
  static constexpr uint64_t kStatusEvery = 8;
  KernelFile peak_file_;    // loop thread only, like PeakBytes
  KernelFile status_file_;
  uint64_t status_reads_ = 0;
  uint64_t process_peak_ = 0;  // VmHWM at the last read
};

class CgroupLimiter : public MemoryLimiter {
 public:
  CgroupLimiter(std::string root, bool v2) : root_(std::move(root)), v2_(v2) {}
  ~CgroupLimiter() override {
    std::error_code ec;
    fs::remove(root_, ec);
  }
  std::string_view mode() const override { return v2_ ? "cgroup v2" : "cgroup v1"; }
  Result<std::unique_ptr<MemoryAccount>> NewAccount(const std::string& instance,
                                                    int limit_mb) override {
    std::string dir = root_ + "/" + instance;
    std::error_code ec;
    fs::create_directory(dir, ec);
    if (ec) return Status::IoError("cannot create cgroup " + dir + ": " + ec.message());
    uint64_t bytes = uint64_t(limit_mb) * 1024 * 1024;
    bool ok = v2_ ? WriteCgroupFile(dir + "/memory.max", std::to_string(bytes)) &&
                        WriteCgroupFile(dir + "/memory.swap.max", "0")
                  : WriteCgroupFile(dir + "/memory.limit_in_bytes", std::to_string(bytes));
    if (!ok && !v2_) ok = WriteCgroupFile(dir + "/memory.limit_in_bytes", std::to_string(bytes));
    if (!ok) return Status::IoError("cannot set the memory limit of " + dir);
    return std::unique_ptr<MemoryAccount>(new CgroupAccount(dir, v2_));
  }

 private:
  std::string root_;
  bool v2_;
};

std::unique_ptr<MemoryLimiter> TryCgroup(const std::string& name, bool v2) {
  std::string base = v2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/memory";
  std::string own = OwnCgroupPath(v2 ? "" : "memory");
  if (own.empty() || !fs::exists(base + own)) return nullptr;
  if (v2) {
    // The memory controller must be available to children of our cgroup.
    std::ifstream controllers(base + own + "/cgroup.controllers");
    std::string all((std::istreambuf_iterator<char>(controllers)), {});
    if (all.find("memory") == std::string::npos) return nullptr;
    WriteCgroupFile(base + own + "/cgroup.subtree_control", "+memory");
  }
  std::string root = base + (own == "/" ? "" : own) + "/" + name;
  std::error_code ec;
  fs::create_directory(root, ec);
  if (ec || access(root.c_str(), W_OK) != 0) return nullptr;
  if (v2 && !WriteCgroupFile(root + "/cgroup.subtree_control", "+memory")) {
    fs::remove(root, ec);
    return nullptr;
  }
  return std::make_unique<CgroupLimiter>(root, v2);
}

class RssLimiter : public MemoryLimiter {
 public:
  std::string_view mode() const override { return "rss watch"; }
  Result<std::unique_ptr<MemoryAccount>> NewAccount(const std::string&, int limit_mb) override {
    return std::unique_ptr<MemoryAccount>(new RssAccount(limit_mb));
  }
};

}  // namespace

bool WriteCgroupFile(const std::string& path, const std::string& value) {
  std::ofstream out(path);
  out << value;
  out.flush();
  return static_cast<bool>(out);
}

// The cgroup this process is in, for a v1 controller ("memory") or v2 (""), from
// /proc/self/cgroup lines "ID:CONTROLLERS:PATH".
std::string OwnCgroupPath(const std::string& controller) {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    size_t a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    std::string controllers = line.substr(a + 1, b - a - 1);
    bool match = controller.empty() ? (line.compare(0, a, "0") == 0 && controllers.empty())
                                    : (("," + controllers + ",").find("," + controller + ",") !=
                                       std::string::npos);
    if (match) return line.substr(b + 1);
  }
  return "";
}

std::unique_ptr<MemoryLimiter> MemoryLimiter::Create(const std::string& name) {
  // STRATUS_MEMORY_LIMITS=rss chooses the watch even where cgroups are available (tests, or a
  // machine whose cgroup tree should not be touched).
  const char* forced = std::getenv("STRATUS_MEMORY_LIMITS");
  if (forced != nullptr && std::string(forced) == "rss") return std::make_unique<RssLimiter>();
  if (auto v2 = TryCgroup(name, /*v2=*/true)) return v2;
  if (auto v1 = TryCgroup(name, /*v2=*/false)) return v1;
  return std::make_unique<RssLimiter>();
}

uint64_t ProcessGroupRss(pid_t pgid) {
  uint64_t total = 0;
  long page = sysconf(_SC_PAGESIZE);
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return 0;
  while (dirent* entry = readdir(proc)) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    std::string base = std::string("/proc/") + entry->d_name;
    std::ifstream stat(base + "/stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // Fields after "(comm) ": state ppid pgrp ... rss is field 24 overall.
    size_t close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    std::string state;
    long ppid, pgrp;
    rest >> state >> ppid >> pgrp;
    if (pgrp != pgid) continue;
    std::string skip;
    for (int i = 0; i < 18; ++i) rest >> skip;  // fields 6..23
    long rss_pages = 0;
    rest >> rss_pages;
    total += uint64_t(rss_pages) * uint64_t(page);
  }
  closedir(proc);
  return total;
}

}  // namespace stratus::functions
