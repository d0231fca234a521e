// `stratus event generate` as users run it. API Gateway events meet the same golden checks
// as the live gateway's (tests/support/event_golden.h). S3 and SQS events are checked
// against the templates' shapes (AWS's documented fields) and for the values the flags set;
// once the objects and queue triggers build live events, these tests should compare against
// their golden checks too (the tests named "... (template shape)").
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "tests/support/event_golden.h"
#include "tests/support/stratus_process.h"

namespace stratus::testing {
namespace {

using nlohmann::json;

json Generate(const std::vector<std::string>& args) {
  std::vector<std::string> all = {"event", "generate"};
  all.insert(all.end(), args.begin(), args.end());
  auto r = RunStratus(all);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  auto event = json::parse(r.out, nullptr, false);
  REQUIRE_MESSAGE(!event.is_discarded(), r.out);
  return event;
}

TEST_CASE("apigw http-api matches AWS's payload format 2.0 example, as the live gateway does") {
  json event = Generate({"apigw", "http-api", "--method", "POST", "--path",
                         "/my/path?parameter1=value1&parameter1=value2&parameter2=value",
                         "--body", "Hello from Lambda", "-H", "Header1: value1", "-H",
                         "Header2: value1", "-H", "Header2: value2", "-H", "Cookie: cookie1; cookie2",
                         "-H", "User-Agent: agent", "-H", "Content-Type: text/plain", "--domain",
                         "id.execute-api.us-east-1.amazonaws.com", "--account", "123456789012"});
  auto diffs = CompareWithGolden(GoldenEvent("apigw-http-v2.json"), event, HttpApiRules());
  CHECK_MESSAGE(diffs.empty(), JoinLines(diffs));
}

TEST_CASE("apigw rest-api matches AWS's payload format 1.0 example, as the live gateway does") {
  json event = Generate({"apigw", "rest-api", "--stage", "$default", "--route", "/my/path",
                         "--path", "/my/path?parameter1=value1&parameter1=value2&parameter2=value",
                         "--body", "Hello from Lambda!", "-H", "Header1: value1", "-H",
                         "Header2: value1", "-H", "Header2: value2", "-H", "User-Agent: user-agent",
                         "-H", "Content-Type: text/plain", "--domain",
                         "id.execute-api.us-east-1.amazonaws.com", "--account", "123456789012"});
  auto diffs = CompareWithGolden(GoldenEvent("apigw-rest-v1.json"), event, RestApiRules());
  CHECK_MESSAGE(diffs.empty(), JoinLines(diffs));
}

TEST_CASE("apigw path parameters come from the route, as the router extracts them") {
  json event = Generate({"apigw", "http-api", "--route", "/items/{id}", "--path", "/items/42"});
  CHECK(event["routeKey"] == "GET /items/{id}");
  CHECK(event["pathParameters"] == json{{"id", "42"}});
  json rest = Generate({"apigw", "rest-api", "--route", "/files/{path+}", "--path", "/files/a/b.txt"});
  CHECK(rest["resource"] == "/files/{path+}");
  CHECK(rest["pathParameters"] == json{{"path", "a/b.txt"}});
}

void CheckShape(const json& template_event, const json& event) {
  REQUIRE(event["Records"].is_array());
  REQUIRE(!event["Records"].empty());
  GoldenRules rules;
  rules.ignore_value = {"eventTime", "responseElements.x-amz-request-id", "s3.bucket.name",
                        "s3.bucket.arn", "s3.object.key", "s3.object.size", "s3.object.eTag",
                        "s3.object.sequencer", "awsRegion", "messageId", "receiptHandle", "body",
                        "md5OfBody", "attributes.SentTimestamp", "attributes.SenderId",
                        "attributes.ApproximateFirstReceiveTimestamp", "eventSourceARN"};
  for (const auto& record : event["Records"]) {
    auto diffs = CompareWithGolden(template_event["Records"][0], record, rules);
    CHECK_MESSAGE(diffs.empty(), JoinLines(diffs));
  }
}

TEST_CASE("s3 put and delete events (template shape) carry the flags' bucket, key and content") {
  json put = Generate({"s3", "put", "--bucket", "uploads", "--key", "dir/my file.txt", "--body",
                       "hello", "--region", "eu-west-1"});
  CheckShape(GoldenEvent("s3-put.json"), put);
  const json& r = put["Records"][0];
  CHECK(r["eventName"] == "ObjectCreated:Put");
  CHECK(r["eventVersion"] == "2.1");
  CHECK(r["awsRegion"] == "eu-west-1");
  CHECK(r["s3"]["bucket"]["arn"] == "arn:aws:s3:::uploads");
  CHECK(r["s3"]["object"]["key"] == "dir/my+file.txt");  // URL-encoded, spaces as '+'
  CHECK(r["s3"]["object"]["size"] == 5);
  CHECK(r["s3"]["object"]["eTag"] == "5d41402abc4b2a76b9719d911017c592");  // MD5 of "hello"
  json del = Generate({"s3", "delete", "--bucket", "uploads", "--key", "a.txt"});
  CheckShape(GoldenEvent("s3-delete.json"), del);
  CHECK(del["Records"][0]["eventName"] == "ObjectRemoved:Delete");
  CHECK_FALSE(del["Records"][0]["s3"]["object"].contains("size"));
}

TEST_CASE("sqs receive events (template shape): one record per message, MD5 of each body") {
  json event = Generate({"sqs", "receive", "--queue", "jobs", "--body", "{\"id\":1}", "--count",
                         "3", "--account", "111122223333"});
  CheckShape(GoldenEvent("sqs-receive.json"), event);
  REQUIRE(event["Records"].size() == 3);
  CHECK(event["Records"][0]["messageId"] != event["Records"][1]["messageId"]);
  for (const auto& r : event["Records"]) {
    CHECK(r["eventSourceARN"] == "arn:aws:sqs:us-east-1:111122223333:jobs");
    CHECK(r["body"] == "{\"id\":1}");
    CHECK(r["md5OfBody"] == "d2ce28b9a7fd7e4407e2b0fd499b7fe4");
  }
}

TEST_CASE("bad input gets a one-line error and exit status 2") {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  } cases[] = {
      {{"event", "generate", "apigw", "websocket"}, "unknown apigw variant 'websocket'"},
      {{"event", "generate", "s4", "put"}, "did you mean 's3'?"},
      {{"event", "generate", "sqs"}, "usage: stratus event generate"},
      {{"event", "generate", "apigw", "http-api", "--route", "/a/{id}", "--path", "/b/1"},
       "does not match --route"},
      {{"event", "generate", "apigw", "http-api", "-H", "nocolon"}, "--header must be"},
      {{"event", "generate", "sqs", "receive", "--count", "11"}, "count"},
  };
  for (const auto& c : cases) {
    auto r = RunStratus(c.args);
    CHECK_MESSAGE(r.exit_code == 2, c.message);
    CHECK_MESSAGE(r.err.find(c.message) != std::string::npos, r.err);
  }
}

}  // namespace
}  // namespace stratus::testing
