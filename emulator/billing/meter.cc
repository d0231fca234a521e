#include "emulator/billing/meter.h"

#include <algorithm>
#include <map>
#include <string_view>
#include <tuple>

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
  // A batch holds up to hundreds of calls of a few classes: summed first, they cost one
  // statement per class and hour instead of one per call.
  struct Sum {
    int64_t calls = 0;
    double units = 0;
    int64_t first_ms = 0, last_ms = 0;
  };
  std::map<std::tuple<std::string_view, std::string_view, int64_t>, Sum> sums;
  for (const Row& row : rows) {
    Sum& sum = sums[{row.service, row.billing_class, row.now_ms / kHourMs * kHourMs}];
    sum.first_ms = sum.calls++ == 0 ? row.now_ms : std::min(sum.first_ms, row.now_ms);
    sum.last_ms = std::max(sum.last_ms, row.now_ms);
    sum.units += row.units;
  }
  auto stmt = db.Prepare(
      "INSERT INTO api_requests(service, billing_class, hour_ms, calls, units, first_ms,"
      " last_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
      " ON CONFLICT(service, billing_class, hour_ms) DO UPDATE SET"
      " calls = calls + excluded.calls, units = units + excluded.units,"
      " first_ms = min(first_ms, excluded.first_ms), last_ms = max(last_ms, excluded.last_ms)");
  if (!stmt.ok()) return stmt.status();
  for (const auto& [key, sum] : sums) {
    const auto& [service, billing_class, hour_ms] = key;
    (*stmt)->BindAll(service, billing_class, hour_ms, sum.calls, sum.units, sum.first_ms,
                     sum.last_ms);
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
