// InvocationStore: every invocation recorded in SQLite (request id, function, type, source,
// start, duration, billed ms, init ms (measured and simulated), cold/warm, memory,
// architecture, max memory used, CPU time and cap, GB-seconds and list cost, outcome), for
// /_stratus/invocations, `stratus cost` and replay. Written through the database's group
// commit. Threading: loop thread only.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/functions/invocation.h"
#include "emulator/util/status.h"

namespace stratus::storage {
class Db;
}

namespace stratus::functions {

class InvocationStore {
 public:
  explicit InvocationStore(storage::Db& db) : db_(db) {}

  // The schema, for Db::Migrate("invocations", ...).
  static const std::vector<std::string>& Migrations();

  // Records one attempt of an invocation that reached (or tried to reach) the function.
  void Record(const Invocation& invocation, const InvokeResult& result, int memory_mb,
              const std::string& architecture);

  // The newest `limit` records, optionally of one function, as JSON objects.
  Result<nlohmann::json> List(const std::string& function, int limit);

 private:
  storage::Db& db_;
};

// "success", "error" (a function error), "throttled", or "failed" (never ran).
std::string_view OutcomeName(const InvokeResult& result);

}  // namespace stratus::functions
