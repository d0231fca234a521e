// The object and queue steps (put_object, get_object, expect_object, send_message,
// receive_message, expect_queue) speak S3's REST and SQS's JSON 1.0 wire protocols on the
// service port, here against stratus's own object store and queue triggers.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <map>

#include "emulator/emulator.h"
#include "emulator/harness/runner.h"
#include "triggers/registry.h"
#include "tests/support/stratus_process.h"

namespace stratus::harness {
namespace {

using nlohmann::json;

RunOptions RealServices() {
  RunOptions options;
  options.modules = [] { return triggers::BuiltinTriggers().CreateAll(); };
  return options;
}

ScenarioResult RunOne(const std::string& steps) {
  testing::TempDir dir;
  dir.Write("stratus.yaml", "buckets: [uploads, box]\n"
                            "queues:\n  jobs: { dead_letter: { queue: jobs-dlq, max_receives: 3 } }\n"
                            "  jobs-dlq: {}\n");
  auto file = ParseScenarioFile("scenarios:\n  - name: s\n    steps:\n" + steps,
                                dir.path() + "/s.test.yaml");
  REQUIRE_MESSAGE(file.ok(), file.status().message());
  return RunScenario(*file, file->scenarios[0], RealServices());
}

TEST_CASE("object and queue steps against the real S3 and SQS services") {
  auto result = RunOne(R"(      - put_object: { bucket: uploads, key: "dir/a b.txt", body: hello }
      - get_object: { bucket: uploads, key: "dir/a b.txt" }
        expect: { status: 200, body: hello }
      - expect_object: { bucket: uploads, key: "dir/a b.txt", body: hello }
      - expect_object: { bucket: uploads, key: other, exists: false }
      - send_message: { queue: jobs, body: { id: 1 } }
      - send_message: { queue: jobs, body: second }
      - expect_queue: { queue: jobs, depth: 2, dlq_depth: 0 }
      - receive_message: { queue: jobs, max: 1 }
        expect: { json: { Messages: [ { Body: '{"id":1}' } ] } }
      - expect_queue: { queue: jobs, depth: 1 }
)");
  std::string why = result.failure ? result.failure->message : "";
  CHECK_MESSAGE(result.passed, why);
  CHECK(result.steps_run == 9);
}

TEST_CASE("object and queue expectations fail with what was found") {
  struct Case {
    const char* step;
    const char* message;
  } cases[] = {
      {"      - expect_object: { bucket: uploads, key: nothing }\n", "s3://uploads/nothing does not exist"},
      {"      - put_object: { bucket: box, key: k, body: x }\n      - expect_object: { bucket: box, key: k, body: y }\n",
       "body: expected \"y\", got \"x\""},
      {"      - expect_queue: { queue: jobs, depth: 3 }\n", "depth of 'jobs': expected 3, got 0"},
      {"      - expect_queue: { queue: jobs-dlq, dlq_depth: 0 }\n", "queue 'jobs-dlq' has no dead_letter queue"},
      {"      - send_message: { queue: nope, body: x }\n", "answered 400"},
      {"      - expect_queue: { queue: nope, depth: 0 }\n", "GetQueueAttributes on 'nope' answered 400"},
  };
  for (const auto& c : cases) {
    auto result = RunOne(c.step);
    REQUIRE_MESSAGE(!result.passed, c.step);
    CHECK_MESSAGE(result.failure->message.find(c.message) != std::string::npos, result.failure->message);
  }
}

}  // namespace
}  // namespace stratus::harness
