// Durability: how hard stratus works to keep an acknowledged write across a crash.
// Plain values, no threading rule.
//   SQLite:  kOff -> PRAGMA synchronous=OFF, kNormal -> NORMAL, kFull -> FULL. In WAL mode
//            every level survives a kill -9 of the process; kNormal and kFull also survive an
//            OS crash up to the last checkpoint / last commit respectively.
//   Blobs:   kOff    -> no fsync at all;
//            kNormal -> fsync the temp file before it is renamed to its final name;
//            kFull   -> fsync the file, and fsync its directory after the rename.
#pragma once

#include <string_view>

#include "emulator/util/status.h"

namespace stratus::storage {

enum class Durability { kOff, kNormal, kFull };

// Returns the level for "off", "normal" or "full" (exact, lower case); InvalidArgument naming
// the text and the accepted values otherwise.
Result<Durability> ParseDurability(std::string_view text);

// Returns "off", "normal" or "full".
std::string_view DurabilityName(Durability durability);

}  // namespace stratus::storage
