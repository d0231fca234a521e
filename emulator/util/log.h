// Log: stratus's own diagnostics, one line each on stderr ("stratus: LEVEL message").
// Function output is not logged here: it has its own store and prefixes.
// Threading: any thread (each line is written with one write call).
#pragma once

#include <string_view>

namespace stratus::log {

enum class Level { kDebug, kInfo, kWarn, kError };

void SetLevel(Level level);
bool Enabled(Level level);
void Write(Level level, std::string_view message);

inline void Debug(std::string_view m) { Write(Level::kDebug, m); }
inline void Info(std::string_view m) { Write(Level::kInfo, m); }
inline void Warn(std::string_view m) { Write(Level::kWarn, m); }
inline void Error(std::string_view m) { Write(Level::kError, m); }

}  // namespace stratus::log
