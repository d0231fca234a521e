#include "emulator/billing/meter.h"

#include "emulator/storage/db.h"

namespace stratus::billing {

namespace {
constexpr int64_t kHourMs = 3600 * 1000;
}

Meter::Meter(storage::Db& db, Clock& clock, PriceSheet sheet)
    : clock_(clock), sheet_(std::move(sheet)), rows_(db, &InsertRows) {}

const std::vector<std::string>& Meter::Migrations() {
  static const std::vector<std::string> kSteps = {
      "CREATE TABLE api_requests("
      "  service TEXT NOT NULL, billing_class TEXT NOT NULL, hour_ms INTEGER NOT NULL,"
      "  calls INTEGER NOT NULL, units REAL NOT NULL,"
      "  first_ms INTEGER NOT NULL, last_ms INTEGER NOT NULL,"
      "  PRIMARY KEY (service, billing_class, hour_ms));",
  };
  return kSteps;
}

void Meter::CountRequest(const std::string& service, const std::string& billing_class,
                         int64_t bytes) {
  double units = 1;
  auto s = sheet_.requests.find(service);
  if (s != sheet_.requests.end()) {
    auto c = s->second.find(billing_class);
    if (c != s->second.end()) units = RequestUnits(c->second, bytes);
  }
  Count(service, billing_class, units);
}

void Meter::Count(const std::string& service, const std::string& billing_class, double units) {
  rows_.Add(Row{service, billing_class, clock_.WallNowMs(), units});
}

Status Meter::InsertRows(storage::Db& db, const std::vector<Row>& rows) {
  auto stmt = db.Prepare(
      "INSERT INTO api_requests(service, billing_class, hour_ms, calls, units, first_ms,"
      " last_ms) VALUES (?1, ?2, ?3, 1, ?4, ?5, ?5)"
      " ON CONFLICT(service, billing_class, hour_ms) DO UPDATE SET"
      " calls = calls + 1, units = units + excluded.units, last_ms = excluded.last_ms");
  if (!stmt.ok()) return stmt.status();
  for (const Row& row : rows) {
    (*stmt)->BindAll(row.service, row.billing_class, row.now_ms / kHourMs * kHourMs, row.units,
                     row.now_ms);
    STRATUS_RETURN_IF_ERROR((*stmt)->Run());
  }
  return Status::Ok();
}

Result<std::vector<RequestTotals>> ReadRequestTotals(storage::Db& db) {
  db.FlushPending();  // counts are written a few milliseconds late
  auto stmt = db.Prepare(
      "SELECT service, billing_class, SUM(calls), SUM(units), MIN(first_ms), MAX(last_ms)"
      " FROM api_requests GROUP BY service, billing_class ORDER BY service, billing_class");
  if (!stmt.ok()) return stmt.status();
  std::vector<RequestTotals> totals;
  while (true) {
    auto row = (*stmt)->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    storage::Statement* s = *stmt;
    totals.push_back({s->Text(0), s->Text(1), s->Int64(2), s->Double(3), s->Int64(4),
                      s->Int64(5)});
  }
  return totals;
}

}  // namespace stratus::billing
