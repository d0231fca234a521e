#include "emulator/functions/invocation_store.h"

#include <algorithm>

#include "emulator/storage/db.h"

namespace stratus::functions {

const std::vector<std::string>& InvocationStore::Migrations() {
  static const std::vector<std::string> kSteps = {
      "CREATE TABLE invocations("
      "  request_id TEXT NOT NULL, attempt INTEGER NOT NULL, function TEXT NOT NULL,"
      "  type TEXT NOT NULL, source TEXT NOT NULL, start_ms INTEGER NOT NULL,"
      "  duration_ms REAL NOT NULL, billed_ms INTEGER NOT NULL, init_ms REAL NOT NULL,"
      "  cold INTEGER NOT NULL, memory_mb INTEGER NOT NULL, max_memory_mb INTEGER NOT NULL,"
      "  outcome TEXT NOT NULL, error_type TEXT NOT NULL,"
      "  PRIMARY KEY (request_id, attempt));"
      "CREATE INDEX invocations_by_function ON invocations(function, start_ms);",
      // Billing (emulator/billing): what the cold start's INIT was made of, what the call
      // used of the CPU and under which cap, and its charge under the active price sheet.
      "ALTER TABLE invocations ADD COLUMN architecture TEXT NOT NULL DEFAULT 'x86_64';"
      "ALTER TABLE invocations ADD COLUMN init_simulated_ms REAL NOT NULL DEFAULT 0;"
      "ALTER TABLE invocations ADD COLUMN cpu_ms REAL NOT NULL DEFAULT -1;"
      "ALTER TABLE invocations ADD COLUMN cpu_limit TEXT NOT NULL DEFAULT '';"
      "ALTER TABLE invocations ADD COLUMN gb_seconds REAL NOT NULL DEFAULT 0;"
      "ALTER TABLE invocations ADD COLUMN cost REAL NOT NULL DEFAULT 0;",
      // The events, for re-running them (`stratus cost --memory`).
      "CREATE TABLE invocation_events(request_id TEXT PRIMARY KEY, function TEXT NOT NULL,"
      "  payload BLOB NOT NULL);"
      "CREATE INDEX invocation_events_by_function ON invocation_events(function);",
      // A ring of kEventsKept slots per function, overwritten in place: one b-tree write per
      // call instead of three, and no trimming. The newest events carry over, in order.
      "CREATE TABLE invocation_event_ring(function TEXT NOT NULL, slot INTEGER NOT NULL,"
      "  seq INTEGER NOT NULL, payload BLOB NOT NULL, PRIMARY KEY (function, slot))"
      "  WITHOUT ROWID;"
      "INSERT INTO invocation_event_ring SELECT function, (101 - back) % 100, 101 - back,"
      "  payload FROM (SELECT function, payload, ROW_NUMBER() OVER (PARTITION BY function"
      "  ORDER BY rowid DESC) AS back FROM invocation_events) WHERE back <= 100;"
      "DROP TABLE invocation_events;",
      // The (request_id, attempt) key is random: each record's entry landed on a page of its
      // own, rewritten at every group commit. Nothing looks records up by it, and each attempt
      // is recorded once, so the table keeps only its (function, start) index.
      "CREATE TABLE invocations_by_time("
      "  request_id TEXT NOT NULL, attempt INTEGER NOT NULL, function TEXT NOT NULL,"
      "  type TEXT NOT NULL, source TEXT NOT NULL, start_ms INTEGER NOT NULL,"
      "  duration_ms REAL NOT NULL, billed_ms INTEGER NOT NULL, init_ms REAL NOT NULL,"
      "  cold INTEGER NOT NULL, memory_mb INTEGER NOT NULL, max_memory_mb INTEGER NOT NULL,"
      "  outcome TEXT NOT NULL, error_type TEXT NOT NULL, architecture TEXT NOT NULL,"
      "  init_simulated_ms REAL NOT NULL, cpu_ms REAL NOT NULL, cpu_limit TEXT NOT NULL,"
      "  gb_seconds REAL NOT NULL, cost REAL NOT NULL);"
      "INSERT INTO invocations_by_time SELECT request_id, attempt, function, type, source,"
      "  start_ms, duration_ms, billed_ms, init_ms, cold, memory_mb, max_memory_mb, outcome,"
      "  error_type, architecture, init_simulated_ms, cpu_ms, cpu_limit, gb_seconds, cost"
      "  FROM invocations ORDER BY rowid;"
      "DROP TABLE invocations;"
      "ALTER TABLE invocations_by_time RENAME TO invocations;"
      "CREATE INDEX invocations_by_function ON invocations(function, start_ms);",
  };
  return kSteps;
}

std::string_view OutcomeName(const InvokeResult& result) {
  if (!result.status.ok()) {
    return result.status.code() == Status::Code::kResourceExhausted ? "throttled" : "failed";
  }
  return result.function_error ? "error" : "success";
}

InvocationStore::InvocationStore(storage::Db& db) : db_(db), rows_(db, &InsertRows) {}

void InvocationStore::Record(const Invocation& inv, const InvokeResult& result, int memory_mb,
                             const std::string& architecture) {
  // An event that never reached the function (throttled, unknown) says nothing of its cost.
  bool keep_event = inv.attempt == 1 && result.status.ok();
  rows_.Add(Row{inv.request_id, inv.function, std::string(InvocationTypeName(inv.request.type)),
                inv.request.source, std::string(OutcomeName(result)), result.error_type,
                architecture, result.cpu_limit, keep_event ? inv.request.payload : "", inv.attempt, inv.start_wall_ms, result.billed_ms,
                result.cold ? 1 : 0, memory_mb, result.max_memory_mb, result.duration_ms,
                result.init_ms, result.init_simulated_ms, result.cpu_ms, result.gb_seconds,
                result.cost});
}

Status InvocationStore::InsertRows(storage::Db& db, const std::vector<Row>& rows) {
  auto stmt = db.Prepare(
      "INSERT INTO invocations(request_id, attempt, function, type, source,"
      " start_ms, duration_ms, billed_ms, init_ms, cold, memory_mb, max_memory_mb, outcome,"
      " error_type, architecture, init_simulated_ms, cpu_ms, cpu_limit, gb_seconds, cost)"
      " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  if (!stmt.ok()) return stmt.status();
  for (const Row& row : rows) {
    (*stmt)->BindAll(row.request_id, row.attempt, row.function, row.type, row.source,
                     row.start_ms, row.duration_ms, row.billed_ms, row.init_ms, row.cold,
                     row.memory_mb, row.max_memory_mb, row.outcome, row.error_type,
                     row.architecture, row.init_simulated_ms, row.cpu_ms, row.cpu_limit,
                     row.gb_seconds, row.cost);
    STRATUS_RETURN_IF_ERROR((*stmt)->Run());
  }
  return InsertEvents(db, rows);
}

Status InvocationStore::InsertEvents(storage::Db& db, const std::vector<Row>& rows) {
  auto newest = db.Prepare(
      "SELECT COALESCE(MAX(seq), 0) FROM invocation_event_ring WHERE function = ?");
  auto insert = db.Prepare(
      "INSERT OR REPLACE INTO invocation_event_ring(function, slot, seq, payload)"
      " VALUES (?,?,?,?)");
  if (!newest.ok()) return newest.status();
  if (!insert.ok()) return insert.status();
  std::vector<std::pair<std::string, int64_t>> next_seq;  // per function in this batch; few
  for (const Row& row : rows) {
    if (row.event.empty()) continue;
    auto next = std::find_if(next_seq.begin(), next_seq.end(),
                             [&](const auto& entry) { return entry.first == row.function; });
    if (next == next_seq.end()) {
      (*newest)->BindAll(row.function);
      auto found = (*newest)->Step();
      if (!found.ok()) return found.status();
      next_seq.emplace_back(row.function, (*newest)->Int64(0) + 1);
      (*newest)->Reset();
      next = next_seq.end() - 1;
    }
    int64_t seq = next->second++;
    (*insert)->BindAll(row.function, seq % kEventsKept, seq, row.event);
    STRATUS_RETURN_IF_ERROR((*insert)->Run());
  }
  return Status::Ok();
}

Result<std::vector<std::string>> InvocationStore::RecentEvents(storage::Db& db,
                                                             const std::string& function,
                                                             int limit) {
  auto stmt = db.Prepare(
      "SELECT payload FROM (SELECT seq, payload FROM invocation_event_ring WHERE function = ?1"
      " ORDER BY seq DESC LIMIT ?2) ORDER BY seq");
  if (!stmt.ok()) return stmt.status();
  (*stmt)->BindAll(function, static_cast<int64_t>(limit));
  std::vector<std::string> events;
  while (true) {
    auto row = (*stmt)->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    events.push_back((*stmt)->Text(0));
  }
  return events;
}

Result<nlohmann::json> InvocationStore::List(const std::string& function, int limit) {
  db_.FlushPending();
  auto stmt = db_.Prepare(
      "SELECT request_id, attempt, function, type, source, start_ms, duration_ms, billed_ms,"
      " init_ms, cold, memory_mb, max_memory_mb, outcome, error_type, architecture,"
      " init_simulated_ms, cpu_ms, cpu_limit, gb_seconds, cost FROM invocations"
      " WHERE (?1 = '' OR function = ?1) ORDER BY start_ms DESC, rowid DESC LIMIT ?2");
  if (!stmt.ok()) return stmt.status();
  (*stmt)->BindAll(function, static_cast<int64_t>(limit));
  nlohmann::json list = nlohmann::json::array();
  while (true) {
    auto row = (*stmt)->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    storage::Statement* s = *stmt;
    list.push_back({{"request_id", s->Text(0)},     {"attempt", s->Int64(1)},
                    {"function", s->Text(2)},       {"type", s->Text(3)},
                    {"source", s->Text(4)},         {"start_ms", s->Int64(5)},
                    {"duration_ms", s->Double(6)},  {"billed_ms", s->Int64(7)},
                    {"init_ms", s->Double(8)},      {"cold", s->Int64(9) != 0},
                    {"memory_mb", s->Int64(10)},    {"max_memory_mb", s->Int64(11)},
                    {"outcome", s->Text(12)},       {"error_type", s->Text(13)},
                    {"architecture", s->Text(14)},  {"init_simulated_ms", s->Double(15)},
                    {"cpu_ms", s->Double(16)},      {"cpu_limit", s->Text(17)},
                    {"gb_seconds", s->Double(18)},  {"cost", s->Double(19)}});
  }
  return list;
}

}  // namespace stratus::functions
