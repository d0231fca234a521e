// The SQS event a mapped function receives, against AWS's documented examples
// (fixtures/events/sqs-receive*.json): the same records with the same fields, values equal
// except ids, receipt handles, times, the sender and the queue's ARN and region.
#include <doctest/doctest.h>

#include <fstream>
#include <thread>

#include "tests/support/paths.h"
#include "tests/triggers/queue/fixture.h"
#include "triggers/queue/queue_mappings.h"
#include "triggers/queue/queue_service.h"

namespace stratus::qtest {
namespace {

json Golden(const std::string& name) {
  std::ifstream in(testing::SourceDir() + "/fixtures/events/" + name);
  REQUIRE(in.good());
  return json::parse(in);
}

// Keys whose values differ by nature between two deliveries.
bool Varies(const std::string& key) {
  static const std::set<std::string> kVarying = {
      "messageId", "receiptHandle", "eventSourceARN", "awsRegion", "SentTimestamp", "SenderId",
      "ApproximateFirstReceiveTimestamp", "SequenceNumber"};
  return kVarying.count(key) != 0;
}

void Compare(const json& want, const json& got, const std::string& path) {
  CAPTURE(path);
  REQUIRE(want.type() == got.type());
  if (want.is_object()) {
    for (const auto& [key, value] : want.items()) {
      REQUIRE_MESSAGE(got.contains(key), "missing " << path << "." << key);
      if (Varies(key)) {
        CHECK(got[key].type() == value.type());
      } else {
        Compare(value, got[key], path + "." + key);
      }
    }
    for (const auto& [key, value] : got.items()) {
      // md5OfMessageAttributes is what Lambda adds when a record has message attributes.
      CHECK_MESSAGE((want.contains(key) || key == "md5OfMessageAttributes"), "extra " << path << "." << key);
    }
  } else if (want.is_array()) {
    REQUIRE(want.size() == got.size());
    for (size_t i = 0; i < want.size(); ++i) Compare(want[i], got[i], path + "[" + std::to_string(i) + "]");
  } else {
    CHECK(want == got);
  }
}

std::vector<triggers::queue::Received> ReceiveAll(Fixture& f, const std::string& queue, int n) {
  return f.loop().Run([&] {
    auto& service = f.trigger().service();
    return service.ReceiveNow(*service.Find(queue), n);
  });
}

TEST_CASE("a standard queue's event matches AWS's example") {
  Fixture f("queues:\n  my-queue: {}\n");
  f.Ok("SendMessage", {{"QueueUrl", f.url("my-queue")}, {"MessageBody", "Test message."},
                       {"MessageAttributes", {{"myAttribute", {{"DataType", "String"}, {"StringValue", "myValue"}}}}}});
  f.Ok("SendMessage", {{"QueueUrl", f.url("my-queue")}, {"MessageBody", "Test message."}});
  auto batch = ReceiveAll(f, "my-queue", 10);
  json event = triggers::queue::SqsEvent(batch, "arn:aws:sqs:us-east-1:000000000000:my-queue", "us-east-1",
                                         "000000000000");
  Compare(Golden("sqs-receive.json"), event, "event");
  CHECK(event["Records"][0]["eventSourceARN"] == "arn:aws:sqs:us-east-1:000000000000:my-queue");
  CHECK(event["Records"][0]["receiptHandle"] == batch[0].receipt);
  CHECK(event["Records"][0]["md5OfMessageAttributes"] == batch[0].message.md5_attributes);
}

TEST_CASE("a FIFO queue's event matches AWS's example") {
  Fixture f("queues:\n  fifo.fifo: {}\n");
  f.Ok("SendMessage", {{"QueueUrl", f.url("fifo.fifo")}, {"MessageBody", "Test message."},
                       {"MessageGroupId", "1"}, {"MessageDeduplicationId", "1"}});
  json event = triggers::queue::SqsEvent(ReceiveAll(f, "fifo.fifo", 10),
                                         "arn:aws:sqs:us-east-1:000000000000:fifo.fifo", "us-east-1", "000000000000");
  Compare(Golden("sqs-receive-fifo.json"), event, "event");
}

TEST_CASE("batchItemFailures: Lambda's rules for the function's answer") {
  using triggers::queue::FailedItems;
  std::vector<std::string> ids = {"a", "b", "c"};
  struct Case {
    const char* payload;
    std::vector<std::string> failed;
  } cases[] = {
      {"", {}},
      {"null", {}},
      {"{}", {}},
      {"{\"batchItemFailures\": []}", {}},
      {"{\"batchItemFailures\": null}", {}},
      {"{\"batchItemFailures\": [{\"itemIdentifier\": \"b\"}]}", {"b"}},
      {"{\"batchItemFailures\": [{\"itemIdentifier\": \"\"}]}", ids},
      {"{\"batchItemFailures\": [{\"itemIdentifier\": null}]}", ids},
      {"{\"batchItemFailures\": [{\"id\": \"b\"}]}", ids},
      {"{\"batchItemFailures\": [{\"itemIdentifier\": \"zzz\"}]}", ids},
      {"not json", ids},
  };
  for (const auto& c : cases) {
    CAPTURE(c.payload);
    CHECK(FailedItems(c.payload, ids) == c.failed);
  }
}

}  // namespace
}  // namespace stratus::qtest
