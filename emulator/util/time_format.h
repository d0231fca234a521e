// Timestamps as AWS writes them. Threading: any.
#pragma once

#include <cstdint>
#include <string>

namespace stratus {

// "2026-11-28T08:00:00.123Z" (UTC, milliseconds).
std::string IsoTimeUtc(int64_t epoch_ms);

}  // namespace stratus
