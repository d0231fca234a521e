// Event source mappings on the virtual clock: batching window and batch size, deletion after
// success, ReportBatchItemFailures, function errors redriven to the dead-letter queue, and
// Lambda's EventSourceMapping API (create, list, get, update, delete, errors, restart).
#include <doctest/doctest.h>

#include <thread>

#include "tests/support/embedded.h"
#include "tests/triggers/queue/fixture.h"

namespace stratus::qtest {
namespace {

using std::chrono::seconds;

constexpr char kFunctions[] =
    "functions:\n"
    "  record: { runtime: python3.11, handler: record.handler, timeout: 10 }\n"
    "  partial: { runtime: python3.11, handler: partial.handler, timeout: 10 }\n"
    "  fail: { runtime: python3.11, handler: fail.handler, timeout: 10 }\n";

// The three functions, `mapped` with one queue event.
std::string Mapped(const std::string& mapped, const std::string& queue_event) {
  std::string yaml = "functions:\n";
  for (const char* name : {"record", "partial", "fail"}) {
    yaml += std::string("  ") + name + ":\n    runtime: python3.11\n    handler: " + name +
            ".handler\n    timeout: 10\n";
    if (mapped == name) yaml += "    events: [ { queue: " + queue_event + " } ]\n";
  }
  return yaml;
}

// Waits (bounded) until `done` holds, with no batch in flight; the function is a real process.
template <typename Fn>
bool Eventually(Fixture& f, Fn done) {
  auto deadline = std::chrono::steady_clock::now() + seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    int busy = f.loop().Run([&] { return f.trigger().mappings().TestBatchesInFlight(); });
    if (busy == 0 && done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

json Counts(Fixture& f, const std::string& queue) {
  return f.Ok("GetQueueAttributes", {{"QueueUrl", f.url(queue)}, {"AttributeNames", {"All"}}})["Attributes"];
}

void Send(Fixture& f, const std::string& queue, const std::string& body) {
  f.Ok("SendMessage", {{"QueueUrl", f.url(queue)}, {"MessageBody", body}});
}

size_t Records(const std::vector<json>& events) {
  size_t n = 0;
  for (const auto& e : events) n += e["Records"].size();
  return n;
}

TEST_CASE("batching window: a partial batch waits for the window, then goes as one event") {
  Fixture f(Mapped("record", "{ name: jobs, batch_size: 10, window: 2s }") + "queues:\n  jobs: {}\n");
  for (int i = 0; i < 3; ++i) Send(f, "jobs", "m" + std::to_string(i));
  f.Advance(std::chrono::milliseconds(1900));
  CHECK(f.Events().empty());
  CHECK(f.loop().Run([&] { return f.trigger().mappings().TestBatchesInFlight(); }) == 0);
  f.Advance(std::chrono::milliseconds(100));
  REQUIRE(Eventually(f, [&] { return f.Events().size() == 1; }));
  json event = f.Events()[0];
  REQUIRE(event["Records"].size() == 3);
  CHECK(event["Records"][0]["body"] == "m0");
  CHECK(event["Records"][0]["eventSourceARN"] == "arn:aws:sqs:us-east-1:000000000000:jobs");
  CHECK(Eventually(f, [&] {
    json c = Counts(f, "jobs");
    return c["ApproximateNumberOfMessages"] == "0" && c["ApproximateNumberOfMessagesNotVisible"] == "0";
  }));
}

TEST_CASE("a full batch goes at once, without waiting for the window") {
  Fixture f(Mapped("record", "{ name: jobs, batch_size: 2, window: 60s }") + "queues:\n  jobs: {}\n");
  Send(f, "jobs", "a");
  Send(f, "jobs", "b");
  REQUIRE(Eventually(f, [&] { return f.Events().size() == 1; }));
  CHECK(f.Events()[0]["Records"].size() == 2);
}

TEST_CASE("ReportBatchItemFailures: the failed items are retried, the rest deleted") {
  Fixture f(Mapped("partial", "{ name: jobs, batch_size: 10, window: 1s, report_failures: true }") +
            "queues:\n  jobs: { visibility_timeout: 20 }\n");
  Send(f, "jobs", "ok-1");
  Send(f, "jobs", "fail-1");
  Send(f, "jobs", "ok-2");
  f.Advance(seconds(1));
  REQUIRE(Eventually(f, [&] { return f.Events().size() == 1; }));
  REQUIRE(Eventually(f, [&] { return Counts(f, "jobs")["ApproximateNumberOfMessagesNotVisible"] == "1"; }));
  f.Advance(seconds(20));  // fail-1's visibility timeout; then the batching window
  f.Advance(seconds(1));
  REQUIRE(Eventually(f, [&] { return f.Events().size() == 2; }));
  json retry = f.Events()[1]["Records"];
  REQUIRE(retry.size() == 1);
  CHECK(retry[0]["body"] == "fail-1");
  CHECK(retry[0]["attributes"]["ApproximateReceiveCount"] == "2");
}

TEST_CASE("a function error leaves the batch to come back, and redrive takes it to the DLQ") {
  Fixture f(Mapped("fail", "{ name: jobs, batch_size: 1 }") +
            "queues:\n  jobs: { visibility_timeout: 10, dead_letter: { queue: jobs-dlq, max_receives: 2 } }\n"
            "  jobs-dlq: {}\n");
  Send(f, "jobs", "poison");
  REQUIRE(Eventually(f, [&] { return f.Events().size() == 1; }));
  f.Advance(seconds(10));
  REQUIRE(Eventually(f, [&] { return f.Events().size() == 2; }));
  CHECK(f.Events()[1]["Records"][0]["attributes"]["ApproximateReceiveCount"] == "2");
  f.Advance(seconds(10));
  REQUIRE(Eventually(f, [&] { return Counts(f, "jobs-dlq")["ApproximateNumberOfMessages"] == "1"; }));
  CHECK(f.Events().size() == 2);
  json dead = f.Ok("ReceiveMessage", {{"QueueUrl", f.url("jobs-dlq")}})["Messages"];
  CHECK(dead[0]["Body"] == "poison");
}

testing::RawResponse Api(Fixture& f, const std::string& method, const std::string& target,
                         const std::string& body = "") {
  return f.Raw(method, target, "Content-Type: application/json\r\n", body);
}

TEST_CASE("the EventSourceMapping API: create, list, get, update, delete, errors, restart") {
  Fixture f(std::string(kFunctions) + "queues:\n  jobs: {}\n  other.fifo: {}\n");
  const std::string base = "/2015-03-31/event-source-mappings/";
  json request = {{"FunctionName", "record"}, {"EventSourceArn", "arn:aws:sqs:us-east-1:000000000000:jobs"},
                  {"BatchSize", 5}, {"MaximumBatchingWindowInSeconds", 1},
                  {"FunctionResponseTypes", {"ReportBatchItemFailures"}}, {"ScalingConfig", {{"MaximumConcurrency", 3}}}};
  auto created = Api(f, "POST", base, request.dump());
  REQUIRE(created.status == 202);
  json mapping = json::parse(created.body);
  std::string uuid = mapping["UUID"];
  CHECK(mapping["State"] == "Creating");
  CHECK(mapping["FunctionArn"] == "arn:aws:lambda:us-east-1:000000000000:function:record");
  CHECK(mapping["BatchSize"] == 5);
  CHECK(mapping["FunctionResponseTypes"] == json{"ReportBatchItemFailures"});
  CHECK(mapping["ScalingConfig"]["MaximumConcurrency"] == 3);

  auto got = Api(f, "GET", base + uuid);
  CHECK(got.status == 200);
  CHECK(json::parse(got.body)["State"] == "Enabled");
  auto listed = json::parse(Api(f, "GET", base + "?FunctionName=record").body);
  CHECK(listed["EventSourceMappings"].size() == 1);
  CHECK(json::parse(Api(f, "GET", base + "?FunctionName=fail").body)["EventSourceMappings"].empty());

  // It works: messages reach the function.
  f.Ok("SendMessage", {{"QueueUrl", f.url("jobs")}, {"MessageBody", "via-api"}});
  f.Advance(seconds(1));
  REQUIRE(Eventually(f, [&] { return Records(f.Events()) == 1; }));

  auto updated = Api(f, "PUT", base + uuid, json{{"BatchSize", 7}, {"Enabled", false}}.dump());
  CHECK(updated.status == 202);
  CHECK(json::parse(Api(f, "GET", base + uuid).body)["State"] == "Disabled");
  CHECK(json::parse(Api(f, "GET", base + uuid).body)["BatchSize"] == 7);

  // Stored: still there after a restart.
  f.Restart();
  CHECK(json::parse(Api(f, "GET", base + uuid).body)["BatchSize"] == 7);

  struct Bad {
    json body;
    int status;
    const char* type;
  } bad[] = {
      {{{"FunctionName", "nope"}, {"EventSourceArn", "arn:aws:sqs:us-east-1:000000000000:jobs"}}, 404, "ResourceNotFoundException"},
      {{{"FunctionName", "record"}, {"EventSourceArn", "arn:aws:sqs:us-east-1:000000000000:gone"}}, 400, "InvalidParameterValueException"},
      {{{"FunctionName", "record"}, {"EventSourceArn", "arn:aws:sqs:us-east-1:000000000000:jobs"}, {"BatchSize", 11}}, 400, "InvalidParameterValueException"},
      {{{"FunctionName", "record"}, {"EventSourceArn", "arn:aws:sqs:us-east-1:000000000000:other.fifo"}, {"MaximumBatchingWindowInSeconds", 5}}, 400, "InvalidParameterValueException"},
      {{{"FunctionName", "record"}, {"EventSourceArn", "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/x"}}, 400, "InvalidParameterValueException"},
  };
  for (const auto& b : bad) {
    auto response = Api(f, "POST", base, b.body.dump());
    CAPTURE(b.body.dump());
    CHECK(response.status == b.status);
    CHECK(response.Header("x-amzn-errortype") == b.type);
  }
  auto deleted = Api(f, "DELETE", base + uuid);
  CHECK(deleted.status == 202);
  CHECK(json::parse(deleted.body)["State"] == "Deleting");
  CHECK(Api(f, "GET", base + uuid).status == 404);
  CHECK(Api(f, "DELETE", base + uuid).status == 404);
}

TEST_CASE("project mappings Lambda would refuse stop the start with the event's position") {
  testing::LoopThread lt;
  testing::TempDir dir;
  dir.Write("record.py", Handlers().at("record.py"));
  auto emulator = std::make_unique<Emulator>(
      lt.loop(),
      testing::EmbeddedOptions(
          "functions:\n  record:\n    runtime: python3.11\n    handler: record.handler\n"
          "    events: [ { queue: { name: jobs.fifo, batch_size: 10, window: 5s } } ]\n"
          "queues:\n  jobs.fifo: {}\n",
          dir.path()));
  emulator->AddModule(std::make_unique<QueueTrigger>());
  Status started = lt.Run([&] { return emulator->Start(); });
  CHECK(started.code() == Status::Code::kInvalidArgument);
  CHECK(started.message().find("stratus.yaml:5:") != std::string::npos);
  CHECK(started.message().find("FIFO") != std::string::npos);
  testing::StopAndDestroy(lt, emulator);
}

}  // namespace
}  // namespace stratus::qtest
