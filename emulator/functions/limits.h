// Memory limits for function processes, done honestly: RLIMIT_AS breaks V8 and the JVM
// (they reserve huge address space), so a limit is a cgroup where stratus may create one
// (cgroup v2 with the memory controller delegated, or v1's memory hierarchy, typically as
// root) and otherwise a watch of the process tree's resident memory, killing it over the
// limit. Either way Max Memory Used is measured; MemoryMode() says which is in force.
// Threading: loop thread only; the file-system calls are small and happen at spawn and exit.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "emulator/util/status.h"

namespace stratus::functions {

class KernelFile;

// One process tree's memory account.
class MemoryAccount {
 public:
  virtual ~MemoryAccount() = default;
  // Puts the freshly spawned process (and so its future children) under the account.
  virtual Status Adopt(pid_t pid) = 0;
  // The highest resident memory seen so far, in bytes (0 if unknown).
  virtual uint64_t PeakBytes() = 0;
  // Samples the tree now; returns true when it is over its limit (the watch kills then).
  virtual bool OverLimit() = 0;
  // Whether the kernel killed a process of the tree for lack of memory.
  virtual bool OomKilled() = 0;
};

class MemoryLimiter {
 public:
  // A cgroup-based limiter when this process may create cgroups, else the resident-memory
  // watch (also chosen by the environment variable STRATUS_MEMORY_LIMITS=rss). `name` prefixes the cgroups made (one directory per stratus process).
  static std::unique_ptr<MemoryLimiter> Create(const std::string& name);
  virtual ~MemoryLimiter() = default;

  // "cgroup v2", "cgroup v1" or "rss watch": shown in reports so nothing pretends.
  virtual std::string_view mode() const = 0;
  // An account for one instance, limited to `limit_mb`.
  virtual Result<std::unique_ptr<MemoryAccount>> NewAccount(const std::string& instance,
                                                            int limit_mb) = 0;
};

// One instance's CPU cap: a cgroup whose quota is the instance's share of a vCPU. It is
// engaged when INIT ends, not at the spawn: Lambda's INIT does not run slower at small memory
// sizes (published Init Durations at 128 MB and 1,024 MB barely differ, lambda.md), so a
// runtime starting at 0.072 vCPU would show cold starts several times the cloud's.
class CpuCap {
 public:
  virtual ~CpuCap() = default;
  // Puts the freshly spawned process (and its future children) under the cap.
  virtual Status Adopt(pid_t pid) = 0;
  // Applies the quota (from now on the process gets its share of a vCPU).
  virtual Status Engage() = 0;
  // "0.289 vCPU (cgroup v2 cpu.max)": shown in the invocation record.
  virtual const std::string& description() const = 0;
};

// CPU in proportion to memory, as Lambda gives it (1,769 MB = one vCPU, up to 6 vCPUs), with
// a cgroup CPU quota where this process may create one (cgroup v2 with the cpu controller
// delegated, or v1's cpu hierarchy). Where it may not, Create() returns null and `*why` says
// why, for reports: nothing pretends durations are the cloud's.
class CpuLimiter {
 public:
  static constexpr double kMbPerVcpu = 1769;
  static constexpr double kMaxVcpus = 6;

  // Null (and `*why`) when no cgroup CPU control is available or STRATUS_CPU_LIMITS=off.
  static std::unique_ptr<CpuLimiter> Create(const std::string& name, std::string* why);
  virtual ~CpuLimiter() = default;
  virtual std::string_view mode() const = 0;  // "cgroup v2 cpu.max", "cgroup v1 cpu.cfs_quota_us"
  virtual Result<std::unique_ptr<CpuCap>> NewCap(const std::string& instance, int memory_mb) = 0;

  // The vCPUs a function of `memory_mb` gets.
  static double VcpusFor(int memory_mb);
};

// CPU time (user + system) one live process has used, read from /proc/PID/stat through a
// file opened once: an invocation reads it twice, at its START and at its END.
class ProcessCpu {
 public:
  ProcessCpu();
  ~ProcessCpu();
  ProcessCpu(const ProcessCpu&) = delete;
  ProcessCpu& operator=(const ProcessCpu&) = delete;
  // In ms; -1 when `pid` is not a live process. Binds to the first pid asked about.
  double Ms(pid_t pid);

 private:
  std::unique_ptr<KernelFile> file_;
  pid_t pid_ = -1;
};

// utime + stime of a /proc/PID/stat line, in clock ticks; -1 when it is not one.
int64_t ProcStatCpuTicks(std::string_view stat);

// Writes `value` to a cgroup control file; false when the kernel refuses it.
bool WriteCgroupFile(const std::string& path, const std::string& value);
// This process's cgroup path for v1 controller `controller` ("memory", "cpu"), or for cgroup
// v2 when it is empty, from /proc/self/cgroup; "" when absent.
std::string OwnCgroupPath(const std::string& controller);

// Resident memory of every process in process group `pgid`, in bytes (reads /proc).
uint64_t ProcessGroupRss(pid_t pgid);

}  // namespace stratus::functions
