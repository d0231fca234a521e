// JSON output that never throws: nlohmann::json's dump() throws on invalid UTF-8, and the
// strings stratus writes out often come from elsewhere (a function's error type, a request
// path, a log line). Invalid sequences become U+FFFD instead of taking the loop down.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace stratus {

inline std::string DumpJson(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace stratus
