// Asynchronous invocations: a failing Event is retried twice, 1 and 2 (virtual) minutes
// apart, then the on-failure destination function gets Lambda's invocation record.
#include "tests/emulator/functions/fixture.h"

namespace stratus::fntest {
namespace {

const RuntimeCase kPython = AllRuntimes()[0];

TEST_CASE("a failing Event runs 3 times, then its on_failure function gets the record") {
  std::string yaml =
      "functions:\n" +
      FunctionYaml({"python", kPython.runtime, "handler.fail", "", "", "", ""}, "failing",
                   "    async: { retries: 2, on_failure: { function: sink } }\n") +
      FunctionYaml({"python", kPython.runtime, "handler.record", "", "", "", ""}, "sink");
  Fixture f(yaml, RuntimeFiles(), RuntimeOptions(ClockKind::kVirtual));
  auto pending = [&] {
    return f.OnLoop([&] { return f.emulator().invoker().TestPendingRetries(); });
  };
  auto attempts = [&] { return ReadLines(f.dir() + "/attempts.log").size(); };

  auto accepted = f.Invoke("failing", R"({"order":42})", InvocationType::kEvent);
  REQUIRE(accepted.status.ok());
  std::string id = accepted.request_id;
  REQUIRE(WaitUntil([&] { return attempts() == 1 && pending() == 1; }));
  f.Advance(std::chrono::seconds(59));
  CHECK(attempts() == 1);  // the retry is due after a full minute
  f.Advance(std::chrono::seconds(1));
  REQUIRE(WaitUntil([&] { return attempts() == 2 && pending() == 1; }));
  f.Advance(std::chrono::minutes(2));
  REQUIRE(WaitUntil([&] { return attempts() == 3; }));
  REQUIRE(WaitUntil([&] { return ReadLines(f.dir() + "/received.log").size() == 1; }));
  CHECK(pending() == 0);

  json record = ParseJson(ReadLines(f.dir() + "/received.log")[0]);
  CHECK(record["version"] == "1.0");
  CHECK(record["requestContext"]["requestId"] == id);
  CHECK(record["requestContext"]["condition"] == "RetriesExhausted");
  CHECK(record["requestContext"]["approximateInvokeCount"] == 3);
  CHECK(record["requestContext"]["functionArn"] ==
        "arn:aws:lambda:us-east-1:000000000000:function:failing:$LATEST");
  CHECK(record["requestPayload"] == json{{"order", 42}});
  CHECK(record["responseContext"]["functionError"] == "Unhandled");
  CHECK(record["responsePayload"]["errorType"] == "RuntimeError");
  CHECK(record["responsePayload"]["errorMessage"] == "always fails");

  // Every attempt was recorded under the one request id.
  std::vector<std::vector<std::string>> rows;
  REQUIRE(WaitUntil([&] {
    rows = f.Query("SELECT attempt, outcome, type FROM invocations WHERE request_id = '" + id +
                   "' ORDER BY attempt");
    return rows.size() == 3;
  }));
  for (int i = 0; i < 3; ++i) {
    CHECK(rows[i][0] == std::to_string(i + 1));
    CHECK(rows[i][1] == "error");
    CHECK(rows[i][2] == "Event");
  }
  // The sink ran once, as an Event with the destination as its source.
  REQUIRE(WaitUntil([&] {
    return f.Query("SELECT source FROM invocations WHERE function = 'sink'").size() == 1;
  }));
  CHECK(f.Query("SELECT source FROM invocations WHERE function = 'sink'")[0][0] == "destination");
}

}  // namespace
}  // namespace stratus::fntest
