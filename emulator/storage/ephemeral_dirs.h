// Data directories for `--ephemeral` runs: made under the system's temp directory (TMPDIR),
// removed by their emulator at exit. A run killed by SIGKILL (a CI timeout, a crash test)
// cannot remove its own, so every ephemeral start first removes the ones whose emulator is
// gone: those marked ephemeral whose lock file nobody holds. The marker is written only once
// the owner holds the lock, so a directory being set up is never taken for abandoned.
// Threading: any thread; blocking file-system calls (start-up only).
#pragma once

#include <string>

#include "emulator/util/status.h"

namespace stratus::storage {

// Makes DIR = $TMPDIR/stratus-XXXXXX (mode 0700). IoError when it cannot.
Result<std::string> MakeEphemeralDir();

// Marks `dir` as ephemeral; call once its lock (`dir`/lock, flock) is held.
Status MarkEphemeral(const std::string& dir);

// Removes every stratus-XXXXXX directory under `parent` that this user owns, is marked
// ephemeral and whose lock is free; returns how many it removed. Anything else is left alone.
int RemoveAbandonedEphemeralDirs(const std::string& parent);

// The parent ephemeral directories are made in ($TMPDIR, else /tmp).
std::string EphemeralParent();

}  // namespace stratus::storage
