// CPU caps by memory size (limits.h): cgroup v2 cpu.max or v1 cpu.cfs_quota_us.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "emulator/functions/kernel_file.h"
#include "emulator/functions/limits.h"

#include "emulator/functions/kernel_file.h"

namespace stratus::functions {

namespace fs = std::filesystem;

namespace {

// A short period spreads the quota over short calls: with the kernel's default 100 ms, a 20 ms
// call that starts with the period's quota unspent runs uncapped. 20 ms still leaves the
// smallest size (128 MB, 0.072 vCPU) above the kernel's 1 ms minimum quota.
constexpr int64_t kPeriodUs = 20000;

class CgroupCpuCap : public CpuCap {
 public:
  CgroupCpuCap(std::string dir, bool v2, int64_t quota_us, std::string description)
      : dir_(std::move(dir)), v2_(v2), quota_us_(quota_us), description_(std::move(description)) {}
  ~CgroupCpuCap() override {
    std::error_code ec;
    fs::remove(dir_, ec);  // fails harmlessly while a straggler is still inside
  }
  Status Adopt(pid_t pid) override {
    if (!WriteCgroupFile(dir_ + "/cgroup.procs", std::to_string(pid))) {
      return Status::IoError("cannot move process " + std::to_string(pid) + " into " + dir_);
    }
    return Status::Ok();
  }
  Status Engage() override {
    bool ok = v2_ ? WriteCgroupFile(dir_ + "/cpu.max", std::to_string(quota_us_) + " " +
                                                          std::to_string(kPeriodUs))
                  : WriteCgroupFile(dir_ + "/cpu.cfs_period_us", std::to_string(kPeriodUs)) &&
                        WriteCgroupFile(dir_ + "/cpu.cfs_quota_us", std::to_string(quota_us_));
    return ok ? Status::Ok() : Status::IoError("cannot set the CPU quota of " + dir_);
  }
  const std::string& description() const override { return description_; }

 private:
  std::string dir_;
  bool v2_;
  int64_t quota_us_;
  std::string description_;
};

class CgroupCpuLimiter : public CpuLimiter {
 public:
  CgroupCpuLimiter(std::string root, bool v2) : root_(std::move(root)), v2_(v2) {}
  ~CgroupCpuLimiter() override {
    std::error_code ec;
    fs::remove(root_, ec);
  }
  std::string_view mode() const override {
    return v2_ ? "cgroup v2 cpu.max" : "cgroup v1 cpu.cfs_quota_us";
  }
  Result<std::unique_ptr<CpuCap>> NewCap(const std::string& instance, int memory_mb) override {
    std::string dir = root_ + "/" + instance;
    std::error_code ec;
    fs::create_directory(dir, ec);
    if (ec) return Status::IoError("cannot create cgroup " + dir + ": " + ec.message());
    double vcpus = VcpusFor(memory_mb);
    auto quota = std::max<int64_t>(1000, static_cast<int64_t>(vcpus * kPeriodUs));
    // A quota the kernel refuses shows now rather than at the end of INIT.
    if (!WriteCgroupFile(dir + (v2_ ? "/cpu.max" : "/cpu.cfs_period_us"),
                         v2_ ? "max " + std::to_string(kPeriodUs) : std::to_string(kPeriodUs))) {
      fs::remove(dir, ec);
      return Status::IoError("cannot set the CPU period of " + dir);
    }
    char text[96];
    std::snprintf(text, sizeof text, "%.3f vCPU (%s)", vcpus, std::string(mode()).c_str());
    return std::unique_ptr<CpuCap>(new CgroupCpuCap(dir, v2_, quota, text));
  }

 private:
  std::string root_;
  bool v2_;
};

std::unique_ptr<CpuLimiter> TryCpuCgroup(const std::string& name, bool v2) {
  std::string base = v2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/cpu";
  std::string own = OwnCgroupPath(v2 ? "" : "cpu");
  if (own.empty() || !fs::exists(base + own + (v2 ? "/cgroup.controllers" : "/cpu.cfs_quota_us"))) {
    return nullptr;
  }
  std::string parent = base + (own == "/" ? "" : own);
  if (v2) {
    std::ifstream controllers(parent + "/cgroup.controllers");
    std::string all((std::istreambuf_iterator<char>(controllers)), {});
    if (all.find("cpu") == std::string::npos) return nullptr;
    WriteCgroupFile(parent + "/cgroup.subtree_control", "+cpu");
  }
  std::string root = parent + "/" + name;
  std::error_code ec;
  fs::create_directory(root, ec);
  if (ec || access(root.c_str(), W_OK) != 0) return nullptr;
  if (v2 && !WriteCgroupFile(root + "/cgroup.subtree_control", "+cpu")) {
    fs::remove(root, ec);
    return nullptr;
  }
  return std::make_unique<CgroupCpuLimiter>(root, v2);
}

}  // namespace

double CpuLimiter::VcpusFor(int memory_mb) {
  return std::min(kMaxVcpus, memory_mb / kMbPerVcpu);
}

std::unique_ptr<CpuLimiter> CpuLimiter::Create(const std::string& name, std::string* why) {
  const char* forced = std::getenv("STRATUS_CPU_LIMITS");
  if (forced != nullptr && std::string(forced) == "off") {
    *why = "not capped: STRATUS_CPU_LIMITS=off";
    return nullptr;
  }
  if (auto v2 = TryCpuCgroup(name, /*v2=*/true)) return v2;
  if (auto v1 = TryCpuCgroup(name, /*v2=*/false)) return v1;
  *why = "not capped: no writable cgroup with the cpu controller (run as root or delegate a "
         "cgroup v2 subtree); durations use this machine's full CPU";
  return nullptr;
}

int64_t ProcStatCpuTicks(std::string_view stat) {
  // The command name (field 2) may hold spaces and parentheses: fields resume after the last ')'.
  size_t close = stat.rfind(')');
  if (close == std::string_view::npos) return -1;
  const char* at = stat.data() + close + 1;
  const char* end = stat.data() + stat.size();
  int64_t ticks = 0;
  for (int field = 3; field <= 15; ++field) {  // utime is field 14, stime 15
    while (at < end && *at == ' ') ++at;
    const char* start = at;
    int64_t value = 0;
    for (; at < end && *at >= '0' && *at <= '9'; ++at) value = value * 10 + (*at - '0');
    while (at < end && *at != ' ') ++at;  // the state letter and signed fields
    if (at == start) return -1;
    if (field >= 14) ticks += value;
  }
  return ticks;
}

ProcessCpu::ProcessCpu() : file_(std::make_unique<KernelFile>()) {}
ProcessCpu::~ProcessCpu() = default;

double ProcessCpu::Ms(pid_t pid) {
  if (pid <= 0) return -1;
  if (pid_ != pid) {
    file_ = std::make_unique<KernelFile>();
    file_->Open("/proc/" + std::to_string(pid) + "/stat");
    pid_ = pid;
  }
  int64_t ticks = ProcStatCpuTicks(file_->Read());
  if (ticks < 0) return -1;
  static const double kMsPerTick = 1000.0 / double(sysconf(_SC_CLK_TCK));
  return double(ticks) * kMsPerTick;
}

}  // namespace stratus::functions
