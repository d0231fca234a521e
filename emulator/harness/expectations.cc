// The expectation steps and `expect:` blocks: responses, invocation records, log lines and
// the simulated cost, each reporting what was expected against what came.
#include <regex>
#include <thread>

#include "emulator/functions/invocation_store.h"
#include "emulator/harness/matchers.h"
#include "emulator/harness/steps.h"
#include "emulator/storage/db.h"
#include "emulator/billing/cost_report.h"
#include "emulator/billing/meter.h"
#include "emulator/util/json.h"

namespace stratus::harness {

namespace {

using nlohmann::json;

class Unbilled : public CostSource {
 public:
  Result<double> TotalUsd(Emulator&) override {
    return Status::Unavailable(
        "expect_cost: billing is not available in this build of stratus (no price sheet is "
        "metered yet), so the cost cannot be checked");
  }
};

// The list price of what the emulator has metered so far under its price sheet: every
// stored invocation and every API request, before any free tier (a test's few calls would
// otherwise always cost nothing).
class Metered : public CostSource {
 public:
  Result<double> TotalUsd(Emulator& emulator) override {
    auto invocations = billing::ReadInvocations(emulator.db(), &emulator.project());
    if (!invocations.ok()) return invocations.status();
    auto requests = billing::ReadRequestTotals(emulator.db());
    if (!requests.ok()) return requests.status();
    billing::CostOptions options;
    options.free_tier = false;
    auto report = billing::BuildCostReport(*invocations, *requests, emulator.meter().sheet(), {},
                                           options);
    if (!report.ok()) return report.status();
    double total = 0;
    for (const auto& function : report->functions) total += function.cost;
    for (const auto& service : report->services) total += service.cost;
    return total;
  }
};

std::string Pretty(const json& value) {
  return value.dump(2, ' ', false, json::error_handler_t::replace);
}

struct InvocationCounts {
  int64_t matching = 0;  // of the function, with the outcome when one is given
  int64_t cold = 0;      // cold starts among the function's records
  std::vector<std::string> outcomes;
};

Result<InvocationCounts> CountInvocations(EmulatorHost& host, const Step& step) {
  host.Barrier();
  auto list = host.Run([&](Emulator& e) { return e.invocations().List(step.function, 1 << 30); });
  if (!list.ok()) return list.status();
  InvocationCounts counts;
  for (const auto& record : *list) {
    std::string outcome = record["outcome"];
    counts.outcomes.push_back(outcome);
    if (step.outcome.empty() || outcome == step.outcome) ++counts.matching;
    if (record["cold"].get<bool>()) ++counts.cold;
  }
  return counts;
}

std::string Described(const Step& step) {
  std::string what = "invocations";
  if (!step.function.empty()) what += " of '" + step.function + "'";
  if (!step.outcome.empty()) what += " with outcome " + step.outcome;
  return what;
}

std::string OutcomeList(const std::vector<std::string>& outcomes) {
  std::string out;
  // Records come newest first; show them in the order they happened.
  for (auto it = outcomes.rbegin(); it != outcomes.rend(); ++it) out += (out.empty() ? "" : ", ") + *it;
  return "[" + out + "]";
}

}  // namespace

std::unique_ptr<CostSource> NoBilling() { return std::make_unique<Unbilled>(); }
std::unique_ptr<CostSource> MeteredCost() { return std::make_unique<Metered>(); }

std::optional<StepError> CheckResponse(const ResponseExpectation& expect, const HttpResult& got) {
  std::vector<std::string> problems;
  std::string diff;
  if (expect.status && *expect.status != got.status) {
    problems.push_back("status: expected " + std::to_string(*expect.status) + ", got " +
                       std::to_string(got.status));
  }
  for (const auto& [name, want] : expect.headers) {
    std::string lower = name;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    bool present = std::any_of(got.headers.begin(), got.headers.end(),
                               [&](const auto& h) { return h.first == lower; });
    std::string why;
    if (!present) {
      problems.push_back("header " + name + ": missing");
    } else if (!MatchText(want, got.Header(lower), &why)) {
      problems.push_back("header " + name + ": " + why);
    }
  }
  if (expect.body) {
    std::string why;
    if (!MatchText(*expect.body, got.body, &why)) {
      problems.push_back("body: " + why);
      if (expect.body->is_string()) diff = LineDiff(expect.body->get<std::string>(), got.body);
    }
  }
  if (expect.json) {
    json actual = json::parse(got.body, nullptr, /*allow_exceptions=*/false);
    if (actual.is_discarded()) {
      problems.push_back("json: the body is not JSON: " + got.body.substr(0, 300));
    } else {
      auto mismatches = MatchJson(*expect.json, actual);
      for (auto& m : mismatches) problems.push_back("json " + m);
      if (!mismatches.empty()) diff = LineDiff(Pretty(*expect.json), Pretty(ProjectOnto(*expect.json, actual)));
    }
  }
  if (problems.empty()) return std::nullopt;
  StepError error;
  for (const auto& p : problems) error.message += (error.message.empty() ? "" : "\n") + p;
  error.diff = diff;
  // The whole body helps when the expectation named only a part of it.
  if (diff.empty() && !got.body.empty()) error.diff = "actual body: " + got.body.substr(0, 2000);
  return error;
}

std::optional<StepError> CheckInvocations(StepContext& c, const Step& step) {
  auto counts = CountInvocations(c.host, step);
  if (!counts.ok()) return StepError{counts.status().message(), ""};
  std::vector<std::string> problems;
  int64_t want = step.count.value_or(-1);
  if (want < 0 && counts->matching == 0) problems.push_back(Described(step) + ": expected some, got none");
  if (want >= 0 && counts->matching != want) {
    problems.push_back(Described(step) + ": expected " + std::to_string(want) + ", got " +
                       std::to_string(counts->matching));
  }
  if (step.cold_starts && counts->cold != *step.cold_starts) {
    problems.push_back("cold starts: expected " + std::to_string(*step.cold_starts) + ", got " +
                       std::to_string(counts->cold));
  }
  if (problems.empty()) return std::nullopt;
  StepError error;
  for (const auto& p : problems) error.message += (error.message.empty() ? "" : "\n") + p;
  error.diff = "outcomes so far: " + OutcomeList(counts->outcomes);
  return error;
}

std::optional<StepError> WaitInvocations(StepContext& c, const Step& step) {
  int64_t want = step.count.value_or(1);
  auto deadline = std::chrono::steady_clock::now() + step.duration;
  while (true) {
    auto counts = CountInvocations(c.host, step);
    if (!counts.ok()) return StepError{counts.status().message(), ""};
    if (counts->matching >= want) return std::nullopt;
    if (std::chrono::steady_clock::now() >= deadline) {
      return StepError{"timed out after " + std::to_string(step.duration.count()) +
                           " ms waiting for " + std::to_string(want) + " " + Described(step) +
                           "; got " + std::to_string(counts->matching),
                       "outcomes so far: " + OutcomeList(counts->outcomes)};
    }
    // Invocations finish on the loop thread; polling the committed records is enough.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::optional<StepError> CheckLogs(StepContext& c, const Step& step) {
  c.host.Barrier();
  LogLines logs = ReadLogs(c.host, 0, step.function);
  std::regex pattern(step.pattern);
  int64_t matched = 0;
  for (const auto& line : logs.lines) matched += std::regex_search(line, pattern) ? 1 : 0;
  std::string whose = step.function.empty() ? "log lines" : "log lines of '" + step.function + "'";
  std::string message;
  if (step.absent && matched > 0) {
    message = std::to_string(matched) + " " + whose + " match /" + step.pattern + "/, expected none";
  } else if (!step.absent && step.count && matched != *step.count) {
    message = whose + " matching /" + step.pattern + "/: expected " + std::to_string(*step.count) +
              ", got " + std::to_string(matched);
  } else if (!step.absent && !step.count && matched == 0) {
    message = "no " + whose + " match /" + step.pattern + "/";
  }
  if (message.empty()) return std::nullopt;
  std::string shown;
  size_t from = logs.lines.size() > 40 ? logs.lines.size() - 40 : 0;
  for (size_t i = from; i < logs.lines.size(); ++i) shown += "  " + logs.lines[i] + "\n";
  return StepError{message, shown.empty() ? "(no log lines)" : "log lines:\n" + shown};
}

std::optional<StepError> CheckCost(StepContext& c, const Step& step) {
  auto total = c.host.Run([&](Emulator& e) { return c.cost.TotalUsd(e); });
  if (!total.ok()) return StepError{total.status().message(), ""};
  if (*total <= step.max_usd) return std::nullopt;
  return StepError{"cost: expected at most " + std::to_string(step.max_usd) + " USD, got " +
                       std::to_string(*total) + " USD",
                   ""};
}

LogLines ReadLogs(EmulatorHost& host, int64_t after_id, const std::string& function) {
  return host.Run([&](Emulator& e) {
    LogLines out;
    out.last_id = after_id;
    e.db().FlushPending();  // log rows are written a few milliseconds late
    auto stmt = e.db().Prepare(
        "SELECT id, function, line FROM logs WHERE id > ?1 AND (?2 = '' OR function = ?2) "
        "ORDER BY id");
    if (!stmt.ok()) return out;
    (*stmt)->BindAll(after_id, function);
    while (true) {
      auto row = (*stmt)->Step();
      if (!row.ok() || !*row) break;
      out.last_id = (*stmt)->Int64(0);
      out.lines.push_back((*stmt)->Text(1) + ": " + (*stmt)->Text(2));
    }
    return out;
  });
}

int64_t LastLogId(EmulatorHost& host) {
  return host.Run([](Emulator& e) -> int64_t {
    e.db().FlushPending();
    auto stmt = e.db().Prepare("SELECT COALESCE(MAX(id), 0) FROM logs");
    if (!stmt.ok()) return 0;
    auto row = (*stmt)->Step();
    int64_t id = row.ok() && *row ? (*stmt)->Int64(0) : 0;
    (*stmt)->Reset();  // a statement left mid-step would hold its read snapshot open
    return id;
  });
}

}  // namespace stratus::harness
