// Meter: what stratus bills, as it happens. Every invocation is charged against the active
// price sheet (billed ms, GB-seconds, list cost; the fields go into its invocation record,
// emulator/functions/invocation_store), and every API request a trigger serves is counted by
// service and billing class in SQLite (table api_requests, hourly buckets), for `stratus cost`.
//
// For triggers:
//   emulator.meter().Count("sqs", "standard", billing::RequestUnits(cls, bytes));
// or more simply
//   emulator.meter().CountRequest("sqs", "standard", body.size());
//   emulator.meter().CountRequest("apigateway", "http");
//   emulator.meter().CountRequest("dynamodb", "write", item_bytes);
// Classes are those of the sheet (fixtures/pricing/aws-us-east-1.yaml, `requests:`); a class
// the sheet lacks is still counted (one unit per call) and reported as unpriced.
// Threading: loop thread only. Counts go through the database's deferred group commit (a
// few milliseconds late, many per transaction, so a request on the hot path costs no commit
// of its own); readers call Db::FlushPending() first.
#pragma once

#include <string>
#include <vector>

#include "emulator/billing/price_sheet.h"
#include "emulator/billing/pricing.h"
#include "emulator/storage/deferred_rows.h"
#include "emulator/util/clock.h"

namespace stratus::billing {

class Meter {
 public:
  Meter(storage::Db& db, Clock& clock, PriceSheet sheet);

  // The schema, for Db::Migrate("billing", ...).
  static const std::vector<std::string>& Migrations();

  // Counts one API call of `service`/`billing_class` carrying `bytes` of payload: the sheet's
  // rule gives its units (SQS 64 KiB chunks, DynamoDB 1 KB / 4 KB units, otherwise 1).
  void CountRequest(const std::string& service, const std::string& billing_class,
                    int64_t bytes = 0);
  // Counts `units` billable units of `service`/`billing_class` (already computed), as one call.
  void Count(const std::string& service, const std::string& billing_class, double units);

  // The charge of one invocation under the active sheet.
  InvocationCharge Charge(const InvocationUsage& usage) const {
    return ChargeInvocation(sheet_.functions, usage);
  }

  const PriceSheet& sheet() const { return sheet_; }

 private:
  struct Row {
    std::string service, billing_class;
    int64_t now_ms;
    double units;
  };
  static Status InsertRows(storage::Db& db, const std::vector<Row>& rows);

  Clock& clock_;
  PriceSheet sheet_;
  storage::DeferredRows<Row> rows_;
};

// One row of api_requests summed over time: what `stratus cost` reads.
struct RequestTotals {
  std::string service, billing_class;
  int64_t calls = 0;
  double units = 0;
  int64_t first_ms = 0, last_ms = 0;
};

// Totals per service and class, from a data directory's database (pending counts first).
Result<std::vector<RequestTotals>> ReadRequestTotals(storage::Db& db);

}  // namespace stratus::billing
