// Loading *.test.yaml files: the model a valid file gives, and each kind of mistake reported
// at its FILE:LINE:COL with a clear message.
#include "emulator/harness/scenario.h"

#include <doctest/doctest.h>

#include "tests/support/stratus_process.h"

namespace stratus::harness {
namespace {

TEST_CASE("a scenario file reads into steps, expectations and matchers") {
  testing::TempDir dir;
  dir.Write("events/e.json", "{\"a\": 1}");
  std::string path = dir.Write("x.test.yaml", R"(project: app/stratus.yaml
clock: real
setup:
  - invoke: { function: init }
teardown:
  - expect_cost: { at_most: 0.01 }
scenarios:
  - name: first
    steps:
      - name: call it
        http: { method: POST, path: /items, headers: { X-A: b }, body: { k: [1, 2] } }
        expect:
          status: 201
          headers: { location: { $regex: "^/items/" } }
          json: { id: $number }
      - invoke: { function: fn, event_file: events/e.json, async: true }
      - advance: 90s
      - wait: { function: fn, count: 2, outcome: error, timeout: 5s }
      - expect_invocations: { function: fn, count: 2, cold_starts: 1 }
      - expect_logs: { function: fn, matches: "boom", absent: true }
      - send_message: { queue: jobs, body: { id: 1 }, delay_seconds: 3 }
      - expect_queue: { queue: jobs, depth: 1, dlq_depth: 0 }
      - put_object: { bucket: b, key: "k/1.txt", body: hello }
      - expect_object: { bucket: b, key: "k/1.txt", body: hello }
)");
  auto file = LoadScenarioFile(path);
  REQUIRE_MESSAGE(file.ok(), file.status().message());
  CHECK(file->project_path == dir.path() + "/app/stratus.yaml");
  CHECK(file->clock == ClockKind::kReal);
  REQUIRE(file->setup.size() == 1);
  CHECK(file->setup[0].name == "invoke init");
  CHECK(file->teardown[0].max_usd == doctest::Approx(0.01));
  REQUIRE(file->scenarios.size() == 1);
  const auto& steps = file->scenarios[0].steps;
  REQUIRE(steps.size() == 10);
  CHECK(steps[0].name == "call it");
  CHECK(steps[0].method == "POST");
  CHECK(steps[0].body == std::optional<std::string>("{\"k\":[1,2]}"));
  CHECK(steps[0].headers[0] == std::pair<std::string, std::string>("X-A", "b"));
  REQUIRE(steps[0].expect.has_value());
  CHECK(steps[0].expect->status == 201);
  CHECK(steps[0].expect->headers[0].second == nlohmann::json{{"$regex", "^/items/"}});
  CHECK(*steps[0].expect->json == nlohmann::json{{"id", "$number"}});
  CHECK(steps[0].position.line == 11);  // the action's line
  CHECK(steps[1].event == "{\"a\": 1}");
  CHECK(steps[1].async);
  CHECK(steps[2].duration == std::chrono::seconds(90));
  CHECK(steps[3].count == 2);
  CHECK(steps[3].outcome == "error");
  CHECK(steps[3].duration == std::chrono::seconds(5));
  CHECK(steps[4].cold_starts == 1);
  CHECK(steps[5].absent);
  CHECK(steps[6].body == std::optional<std::string>("{\"id\":1}"));
  CHECK(steps[6].delay_seconds == 3);
  CHECK(steps[7].dlq_depth == 0);
  CHECK(steps[9].name == "expect_object b/k/1.txt");
}

TEST_CASE("mistakes are reported at FILE:LINE:COL") {
  struct Case {
    const char* yaml;
    const char* error;
  } cases[] = {
      {"scenarios:\n  - name: a\n    steps:\n      - htp: { path: / }\n",
       "t.test.yaml:4:9: unknown key 'htp' in a step (did you mean 'http'?)"},
      {"scenarios:\n  - name: a\n    steps:\n      - http: { path: / }\n        invoke: { function: f }\n",
       "t.test.yaml:5:9: a step does one thing: 'http' and 'invoke'"},
      {"scenarios:\n  - name: a\n    steps:\n      - name: nothing\n",
       "t.test.yaml:4:9: a step needs an action"},
      {"scenarios:\n  - name: a\n    steps:\n      - invoke: { event: {} }\n",
       "t.test.yaml:4:9: 'invoke' needs 'function'"},
      {"scenarios:\n  - name: a\n    steps:\n      - invoke: { function: f, event_file: none.json }\n",
       "t.test.yaml:4:44: cannot read"},
      {"scenarios:\n  - name: a\n    steps:\n      - http: { path: / }\n        expect: { statu: 200 }\n",
       "t.test.yaml:5:19: unknown key 'statu' in 'expect' (did you mean 'status'?)"},
      {"scenarios:\n  - name: a\n    steps:\n      - advance: soon\n",
       "t.test.yaml:4:18: 'advance' must be a duration"},
      {"scenarios:\n  - name: a\n    steps:\n      - expect_logs: { matches: '(' }\n",
       "t.test.yaml:4:33: 'matches' is not a valid regex"},
      {"scenarios:\n  - name: a\n    steps:\n      - wait: { function: f }\n        expect: { status: 200 }\n",
       "t.test.yaml:5:9: 'wait' has no response to expect of"},
      {"scenarios:\n  - steps: []\n", "t.test.yaml:2:5: a scenario needs a 'name'"},
      {"scenarios:\n  - { name: a, steps: [] }\n  - { name: a, steps: [] }\n",
       "t.test.yaml:3:5: two scenarios named 'a'"},
      {"clock: fast\nscenarios: []\n", "t.test.yaml:1:8: 'clock' must be one of"},
      {"scenario: []\n", "t.test.yaml:1:1: unknown key 'scenario' in a scenario file (did you mean 'scenarios'?)"},
      {"project: x\n", "t.test.yaml:1:1: no scenarios"},
      {"scenarios: [\n", "t.test.yaml:2:1: invalid YAML"},
      {"scenarios:\n  - name: a\n    steps:\n      - expect_queue: { queue: q, depth: -1 }\n",
       "t.test.yaml:4:42: 'depth' must be"},
  };
  for (const auto& c : cases) {
    auto file = ParseScenarioFile(c.yaml, "t.test.yaml");
    REQUIRE_MESSAGE(!file.ok(), c.yaml);
    CHECK_MESSAGE(file.status().message().find(c.error) == 0,
                  file.status().message(), "\n  wanted: ", c.error);
  }
}

}  // namespace
}  // namespace stratus::harness
