// InvocationStore: every invocation recorded in SQLite (request id, function, type, source,
// start, duration, billed ms, init ms (measured and simulated), cold/warm, memory,
// architecture, max memory used, CPU time and cap, GB-seconds and list cost, outcome), for
// /_stratus/invocations, `stratus cost` and replay. The events themselves (the payloads of
// first attempts that ran) are kept too, the newest kEventsKept per function, so `stratus
// cost --memory` can run them again at other memory sizes. Written through the database's deferred
// group commit (a few milliseconds later, many records per transaction); List commits what is
// pending first, so a record is listed as soon as its invocation has answered. Other readers
// of the table call Db::FlushPending() first.
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
  void Record(const Invocation& invocation, const InvokeResult& result, int memory_mb,
              const std::string& architecture);

  // The newest `limit` records, optionally of one function, as JSON objects.
  Result<nlohmann::json> List(const std::string& function, int limit);

  // Events kept per function: enough for a what-if sample, bounded on disk.
  static constexpr int kEventsKept = 100;
  // The newest `limit` stored events of `function`, oldest first (other readers of `db`
  // than the store's own: call Db::FlushPending() first on a live database).
  static Result<std::vector<std::string>> RecentEvents(storage::Db& db,
                                                       const std::string& function, int limit);

 private:
  struct Row {
    std::string request_id, function, type, source, outcome, error_type, architecture, cpu_limit;
    std::string event;  // the payload, kept for first attempts that ran; else empty
    int64_t attempt, start_ms, billed_ms, cold, memory_mb, max_memory_mb;
    double duration_ms, init_ms, init_simulated_ms, cpu_ms, gb_seconds, cost;
  };
  static Status InsertRows(storage::Db& db, const std::vector<Row>& rows);
  static Status InsertEvents(storage::Db& db, const std::vector<Row>& rows);

  storage::Db& db_;
  storage::DeferredRows<Row> rows_;
};

// "success", "error" (a function error), "throttled", or "failed" (never ran).
std::string_view OutcomeName(const InvokeResult& result);

}  // namespace stratus::functions
