#include "emulator/util/log.h"

#include <unistd.h>

#include <atomic>
#include <string>

namespace stratus::log {

namespace {
std::atomic<Level> g_level{Level::kInfo};

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warning";
    case Level::kError: return "error";
  }
  return "?";
}
}  // namespace

void SetLevel(Level level) { g_level = level; }
bool Enabled(Level level) { return level >= g_level.load(); }

void Write(Level level, std::string_view message) {
  if (!Enabled(level)) return;
  std::string line = "stratus: ";
  if (level != Level::kInfo) {
    line += LevelName(level);
    line += ": ";
  }
  line += message;
  line += '\n';
  // One write per line, so lines from several threads never interleave mid-line.
  [[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace stratus::log
