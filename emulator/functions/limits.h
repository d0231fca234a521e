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

#include "emulator/util/status.h"

namespace stratus::functions {

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

// Resident memory of every process in process group `pgid`, in bytes (reads /proc).
uint64_t ProcessGroupRss(pid_t pgid);

}  // namespace stratus::functions
