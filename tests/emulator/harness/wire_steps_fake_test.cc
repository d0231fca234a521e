// The object and queue steps (put_object, get_object, expect_object, send_message,
// receive_message, expect_queue) speak S3's REST and SQS's JSON 1.0 wire protocols on the
// service port. The real services are separate triggers; until they are built into this
// tree, these tests run the steps against a tiny in-test fake of both protocols that checks
// what the steps send. Once triggers/objects and triggers/queue exist, the same scenarios
// should run against them instead (drop FakeServices and use BuiltinTriggers).
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <map>

#include "emulator/emulator.h"
#include "emulator/harness/runner.h"
#include "emulator/http/aws_request.h"
#include "tests/support/stratus_process.h"

namespace stratus::harness {
namespace {

using nlohmann::json;

// Just enough S3 and SQS to answer the steps, refusing requests the real services would.
class FakeServices : public Module {
 public:
  std::string_view name() const override { return "fake-s3-sqs"; }
  Status Start(Emulator& emulator) override {
    http::RouteOptions sqs;
    sqs.guard = [](const http::Request& r) { return r.headers.Has("X-Amz-Target"); };
    STRATUS_RETURN_IF_ERROR(emulator.service_router().Add(
        "POST", "/", [this](http::RequestPtr r, http::Reply reply) { reply.Send(Sqs(*r)); }, sqs));
    auto objects = [this](http::RequestPtr r, http::Reply reply) { reply.Send(S3(*r)); };
    STRATUS_RETURN_IF_ERROR(emulator.service_router().Add("PUT", "/{bucket}/{key+}", objects));
    return emulator.service_router().Add("GET", "/{bucket}/{key+}", objects);
  }

 private:
  http::Response S3(const http::Request& r) {
    // The steps sign with an s3 credential scope, which the real service uses to claim them.
    if (http::SigningScope(r).service != "s3") return http::Response::Text(403, "no s3 scope");
    std::string id = r.params.at("bucket") + "/" + r.params.at("key");
    if (r.method == "PUT") {
      objects_[id] = r.body;
      return http::Response::Text(200, "");
    }
    auto it = objects_.find(id);
    if (it == objects_.end()) return http::Response::Text(404, "<Error><Code>NoSuchKey</Code></Error>", "application/xml");
    return http::Response::Text(200, it->second, "application/octet-stream");
  }

  http::Response Sqs(const http::Request& r) {
    if (r.headers.Get("Content-Type") != "application/x-amz-json-1.0") {
      return http::Response::Json(400, R"({"__type":"wrong content type"})");
    }
    json body = json::parse(r.body, nullptr, false);
    std::string url = body.value("QueueUrl", "");
    std::string queue = url.substr(url.rfind('/') + 1);
    if (url.find("/000000000000/") == std::string::npos || !queues_.count(queue)) {
      return http::Response::Json(400, R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"no queue"})");
    }
    std::string action(r.headers.Get("X-Amz-Target").value_or(""));
    auto& messages = queues_[queue];
    if (action == "AmazonSQS.SendMessage") {
      messages.push_back(body["MessageBody"]);
      return http::Response::Json(200, R"({"MessageId":"m)" + std::to_string(messages.size()) + "\"}");
    }
    if (action == "AmazonSQS.ReceiveMessage") {
      json out = json::array();
      int max = body.value("MaxNumberOfMessages", 1);
      while (!messages.empty() && static_cast<int>(out.size()) < max) {
        out.push_back({{"Body", messages.front()}});
        messages.erase(messages.begin());
      }
      return http::Response::Json(200, json{{"Messages", out}}.dump());
    }
    if (action == "AmazonSQS.GetQueueAttributes") {
      return http::Response::Json(
          200, json{{"Attributes", {{"ApproximateNumberOfMessages", std::to_string(messages.size())}}}}.dump());
    }
    return http::Response::Json(400, R"({"__type":"InvalidAction"})");
  }

  std::map<std::string, std::string> objects_;
  std::map<std::string, std::vector<std::string>> queues_{{"jobs", {}}, {"jobs-dlq", {}}};
};

RunOptions FakeOptions() {
  RunOptions options;
  options.modules = [] {
    std::vector<std::unique_ptr<Module>> modules;
    modules.push_back(std::make_unique<FakeServices>());
    return modules;
  };
  return options;
}

ScenarioResult RunOne(const std::string& steps) {
  testing::TempDir dir;
  dir.Write("stratus.yaml", "queues:\n  jobs: { dead_letter: { queue: jobs-dlq, max_receives: 3 } }\n"
                            "  jobs-dlq: {}\n");
  auto file = ParseScenarioFile("scenarios:\n  - name: s\n    steps:\n" + steps,
                                dir.path() + "/s.test.yaml");
  REQUIRE_MESSAGE(file.ok(), file.status().message());
  return RunScenario(*file, file->scenarios[0], FakeOptions());
}

TEST_CASE("object and queue steps (fake services until the real ones merge)") {
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

TEST_CASE("object and queue expectations fail with what was found (fake services)") {
  struct Case {
    const char* step;
    const char* message;
  } cases[] = {
      {"      - expect_object: { bucket: uploads, key: nothing }\n", "s3://uploads/nothing does not exist"},
      {"      - put_object: { bucket: b, key: k, body: x }\n      - expect_object: { bucket: b, key: k, body: y }\n",
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
