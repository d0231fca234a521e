// InvocationStore: every invocation recorded in SQLite (request id, function, type, source,
// start, duration, billed ms, init ms, cold/warm, memory, max memory used, outcome), for
// /_stratus/invocations, `stratus cost` and replay. Written through the database's deferred
// group commit (a few milliseconds later, many records per transaction); List commits what is
// pending first, so a record is listed as soon as its invocation has answered.
// Threading: loop thread only.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/functions/invocation.h"
#include "emulator/storage/deferred_rows.h"
#include "emulator/util/status.h"

namespace stratus::functions {

class InvocationStore {
 public:
  explicit InvocationStore(storage::Db& db);

  // The schema, for Db::Migrate("invocations", ...).
  static const std::vector<std::string>& Migrations();

  // Records one attempt of an invocation that reached (or tried to reach) the function.
  void Record(const Invocation& invocation, const InvokeResult& result, int memory_mb);

  // The newest `limit` records, optionally of one function, as JSON objects.
  Result<nlohmann::json> List(const std::string& function, int limit);

 private:
  struct Row {
    std::string request_id, function, type, source, outcome, error_type;
    int64_t attempt, start_ms, billed_ms, cold, memory_mb, max_memory_mb;
    double duration_ms, init_ms;
  };
  static Status InsertRows(storage::Db& db, const std::vector<Row>& rows);

  storage::Db& db_;
  storage::DeferredRows<Row> rows_;
};

// "success", "error" (a function error), "throttled", or "failed" (never ran).
std::string_view OutcomeName(const InvokeResult& result);

}  // namespace stratus::functions
