// Test scenarios: the model of a `*.test.yaml` file and its loader. A file names the project
// under test and holds one or more scenarios; each scenario is a list of steps run against a
// fresh emulator, with the file's `setup:` steps before and its `teardown:` steps after.
// Loading reports the first error as "FILE:LINE:COL: message", as stratus.yaml errors are.
// No threading rule: plain data, and the loader touches nothing but the file.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/config/config.h"
#include "emulator/emulator.h"
#include "emulator/util/status.h"

namespace stratus::harness {

// What a step expects of its response (`expect:`). Headers and the JSON subset may hold
// matchers ("$any", "$number", "$string", {"$regex": "..."}); see matchers.h.
struct ResponseExpectation {
  std::optional<int> status;
  std::vector<std::pair<std::string, nlohmann::json>> headers;  // name -> value or matcher
  std::optional<nlohmann::json> body;  // the whole body as text: a string or a matcher
  std::optional<nlohmann::json> json;  // a subset of the body parsed as JSON
  config::Position position;
};

enum class StepKind {
  kHttp,
  kInvoke,
  kPutObject,
  kGetObject,
  kSendMessage,
  kReceiveMessage,
  kAdvance,
  kWait,
  kExpectInvocations,
  kExpectObject,
  kExpectQueue,
  kExpectLogs,
  kExpectCost,
};

std::string_view StepKindName(StepKind kind);

// One step. Which fields mean something depends on `kind`; the loader fills only those.
struct Step {
  StepKind kind = StepKind::kHttp;
  std::string name;  // `name:`, else "KIND" with its main argument
  config::Position position;

  // http
  std::string method = "GET";
  std::string path = "/";
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<std::string> body;  // request body; a map or list is sent as JSON
  // invoke; expect_invocations, wait and expect_logs filter on `function`
  std::string function;
  std::string event = "{}";  // JSON text, inline or read from `event_file`
  bool async = false;
  // put_object, get_object, expect_object
  std::string bucket, key;
  std::optional<bool> exists;  // expect_object
  // send_message, receive_message, expect_queue
  std::string queue;
  int max_messages = 1;
  int delay_seconds = 0;
  std::optional<int64_t> depth, dlq_depth;
  // advance, wait
  std::chrono::milliseconds duration{0};  // advance: how far; wait: the timeout
  // wait, expect_invocations
  std::optional<int64_t> count;
  std::string outcome;  // "", success, error, throttled, failed
  std::optional<int64_t> cold_starts;
  // expect_logs
  std::string pattern;  // ECMAScript regex over each line
  bool absent = false;  // no line may match
  // expect_cost
  double max_usd = -1;  // expect_cost: at most this many USD

  std::optional<ResponseExpectation> expect;
};

struct Scenario {
  std::string name;
  std::vector<Step> steps;
  config::Position position;
};

struct ScenarioFile {
  std::string path;         // as found (used in messages)
  std::string dir;          // its directory: relative paths in steps resolve against it
  std::string project_path;  // the stratus.yaml under test
  ClockKind clock = ClockKind::kVirtual;
  std::vector<Step> setup, teardown;
  std::vector<Scenario> scenarios;
};

// Reads a scenario file. Errors: InvalidArgument "FILE:LINE:COL: ..." for YAML that does
// not parse, an unknown key (with the nearest known one), a wrong type, a step with no or
// two actions, an event file that cannot be read or is not JSON; IoError for an unreadable
// file. The project file itself is not loaded here.
Result<ScenarioFile> LoadScenarioFile(const std::string& path);
// The same from text (tests); `path` names the file in messages and anchors relative paths.
Result<ScenarioFile> ParseScenarioFile(const std::string& text, const std::string& path);

}  // namespace stratus::harness
