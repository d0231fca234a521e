// SQS semantics on the virtual clock: visibility timeouts, delays, retention, long polling,
// redrive to the dead-letter queue, FIFO ordering, group locks and deduplication, and what
// survives a restart.
#include <doctest/doctest.h>

#include <future>

#include "tests/triggers/queue/fixture.h"

namespace stratus::qtest {
namespace {

using std::chrono::seconds;

json Receive(Fixture& f, const std::string& queue, int max = 10, json extra = json::object()) {
  json input = {{"QueueUrl", f.url(queue)}, {"MaxNumberOfMessages", max}, {"AttributeNames", {"All"}}};
  input.update(extra);
  json got = f.Ok("ReceiveMessage", input);
  return got.contains("Messages") ? got["Messages"] : json::array();
}

std::vector<std::string> Bodies(const json& messages) {
  std::vector<std::string> out;
  for (const auto& m : messages) out.push_back(m["Body"]);
  return out;
}

void Send(Fixture& f, const std::string& queue, const std::string& body, json extra = json::object()) {
  json input = {{"QueueUrl", f.url(queue)}, {"MessageBody", body}};
  input.update(extra);
  f.Ok("SendMessage", input);
}

TEST_CASE("visibility timeout: a received message comes back after it, with its count") {
  Fixture f("queues:\n  jobs: { visibility_timeout: 30 }\n");
  Send(f, "jobs", "a");
  CHECK(Receive(f, "jobs").size() == 1);
  f.Advance(seconds(29));
  CHECK(Receive(f, "jobs").empty());
  f.Advance(seconds(2));
  json again = Receive(f, "jobs", 10, {{"VisibilityTimeout", 100}});
  REQUIRE(again.size() == 1);
  CHECK(again[0]["Attributes"]["ApproximateReceiveCount"] == "2");
  f.Advance(seconds(99));
  CHECK(Receive(f, "jobs").empty());
  auto attrs = f.Ok("GetQueueAttributes", {{"QueueUrl", f.url("jobs")}, {"AttributeNames", {"All"}}})["Attributes"];
  CHECK(attrs["ApproximateNumberOfMessagesNotVisible"] == "1");
  f.Advance(seconds(2));
  CHECK(Receive(f, "jobs").size() == 1);
}

TEST_CASE("delays: the queue's and the message's") {
  Fixture f("queues:\n  slow: { delay: 10 }\n");
  Send(f, "slow", "queue-delay");
  Send(f, "slow", "own-delay", {{"DelaySeconds", 3}});
  Send(f, "slow", "no-delay", {{"DelaySeconds", 0}});
  CHECK(Bodies(Receive(f, "slow")) == std::vector<std::string>{"no-delay"});
  auto attrs = f.Ok("GetQueueAttributes", {{"QueueUrl", f.url("slow")}, {"AttributeNames", {"ApproximateNumberOfMessagesDelayed"}}});
  CHECK(attrs["Attributes"]["ApproximateNumberOfMessagesDelayed"] == "2");
  f.Advance(seconds(3));
  CHECK(Bodies(Receive(f, "slow")) == std::vector<std::string>{"own-delay"});
  f.Advance(seconds(7));
  CHECK(Bodies(Receive(f, "slow")) == std::vector<std::string>{"queue-delay"});
}

TEST_CASE("retention: messages older than the period are gone") {
  Fixture f("queues:\n  short: { retention: 60 }\n");
  Send(f, "short", "old");
  f.Advance(seconds(61));
  Send(f, "short", "new");
  CHECK(Bodies(Receive(f, "short")) == std::vector<std::string>{"new"});
}

TEST_CASE("long polling: a waiting receive wakes on a send, and times out empty") {
  Fixture f("queues:\n  jobs: {}\n");
  auto& service = f.trigger().service();
  auto waiting = std::async(std::launch::async, [&] { return Receive(f, "jobs", 10, {{"WaitTimeSeconds", 20}}); });
  while (f.loop().Run([&] { return service.TestWaiters("jobs"); }) == 0) std::this_thread::yield();
  Send(f, "jobs", "wake");
  CHECK(Bodies(waiting.get()) == std::vector<std::string>{"wake"});

  auto empty = std::async(std::launch::async, [&] { return Receive(f, "jobs", 10, {{"WaitTimeSeconds", 20}}); });
  while (f.loop().Run([&] { return service.TestWaiters("jobs"); }) == 0) std::this_thread::yield();
  f.Advance(seconds(19));
  CHECK(f.loop().Run([&] { return service.TestWaiters("jobs"); }) == 1);
  f.Advance(seconds(1));
  CHECK(empty.get().empty());

  // A message becoming visible again wakes a waiter too (the promotion timer).
  f.Advance(seconds(11));  // "wake" was received 31 s ago with the queue's 30 s timeout
  auto received = Receive(f, "jobs", 10, {{"VisibilityTimeout", 5}});
  REQUIRE(received.size() == 1);
  auto back = std::async(std::launch::async, [&] { return Receive(f, "jobs", 10, {{"WaitTimeSeconds", 20}}); });
  while (f.loop().Run([&] { return service.TestWaiters("jobs"); }) == 0) std::this_thread::yield();
  f.Advance(seconds(5));
  CHECK(Bodies(back.get()) == std::vector<std::string>{"wake"});
  // The queue's ReceiveMessageWaitTimeSeconds applies when the request names no wait.
  f.Ok("SetQueueAttributes", {{"QueueUrl", f.url("jobs")}, {"Attributes", {{"ReceiveMessageWaitTimeSeconds", "20"}}}});
  auto queue_wait = std::async(std::launch::async, [&] { return Receive(f, "jobs"); });
  while (f.loop().Run([&] { return service.TestWaiters("jobs"); }) == 0) std::this_thread::yield();
  f.Advance(seconds(20));
  CHECK(queue_wait.get().empty());
}

TEST_CASE("redrive: after maxReceiveCount receives the message moves to the dead-letter queue") {
  Fixture f("queues:\n  jobs: { visibility_timeout: 10, dead_letter: { queue: dlq, max_receives: 2 } }\n  dlq: {}\n");
  Send(f, "jobs", "poison", {{"MessageAttributes", {{"k", {{"DataType", "String"}, {"StringValue", "v"}}}}}});
  for (int i = 0; i < 2; ++i) {
    REQUIRE(Receive(f, "jobs").size() == 1);
    f.Advance(seconds(11));
  }
  CHECK(Receive(f, "jobs").empty());
  json dead = Receive(f, "dlq", 10, {{"MessageAttributeNames", {"All"}}});
  REQUIRE(dead.size() == 1);
  CHECK(dead[0]["Body"] == "poison");
  CHECK(dead[0]["Attributes"]["DeadLetterQueueSourceArn"] == "arn:aws:sqs:us-east-1:000000000000:jobs");
  CHECK(dead[0]["MessageAttributes"]["k"]["StringValue"] == "v");
}

TEST_CASE("FIFO: order per group, one group in flight at a time, sequence numbers") {
  Fixture f("queues:\n  orders.fifo: { visibility_timeout: 30 }\n");
  std::vector<std::string> sequence;
  for (const char* body : {"a1", "b1", "a2", "b2", "a3"}) {
    std::string group(1, body[0]);
    json sent = f.Ok("SendMessage", {{"QueueUrl", f.url("orders.fifo")}, {"MessageBody", body},
                                     {"MessageGroupId", group}, {"MessageDeduplicationId", body}});
    sequence.push_back(sent["SequenceNumber"]);
  }
  CHECK(sequence[0] < sequence[1]);
  CHECK(sequence[1].size() == 20);
  json first = Receive(f, "orders.fifo", 2);
  CHECK(Bodies(first) == std::vector<std::string>{"a1", "b1"});
  CHECK(first[0]["Attributes"]["MessageGroupId"] == "a");
  CHECK(first[0]["Attributes"]["SequenceNumber"] == sequence[0]);
  // Both groups have a message in flight: nothing else is handed out.
  CHECK(Receive(f, "orders.fifo").empty());
  f.Ok("DeleteMessage", {{"QueueUrl", f.url("orders.fifo")}, {"ReceiptHandle", first[0]["ReceiptHandle"]}});
  CHECK(Bodies(Receive(f, "orders.fifo")) == std::vector<std::string>{"a2", "a3"});
  // b1 times out: it comes back before b2.
  f.Advance(seconds(31));
  json b = Receive(f, "orders.fifo");
  CHECK(Bodies(b)[0] == "b1");
  CHECK(b[0]["Attributes"]["ApproximateReceiveCount"] == "2");
}

TEST_CASE("FIFO: deduplication ids, content-based deduplication, the 5-minute window") {
  Fixture f("queues:\n  plain.fifo: {}\n  content.fifo: { content_based_dedup: true }\n");
  json a = f.Ok("SendMessage", {{"QueueUrl", f.url("plain.fifo")}, {"MessageBody", "x"}, {"MessageGroupId", "g"},
                                {"MessageDeduplicationId", "d"}});
  json b = f.Ok("SendMessage", {{"QueueUrl", f.url("plain.fifo")}, {"MessageBody", "y"}, {"MessageGroupId", "g"},
                                {"MessageDeduplicationId", "d"}});
  CHECK(a["MessageId"] == b["MessageId"]);
  CHECK(Receive(f, "plain.fifo").size() == 1);
  auto [status, error] = f.Call("SendMessage", {{"QueueUrl", f.url("plain.fifo")}, {"MessageBody", "x"}, {"MessageGroupId", "g"}});
  CHECK(status == 400);
  auto [status2, error2] = f.Call("SendMessage", {{"QueueUrl", f.url("plain.fifo")}, {"MessageBody", "x"}, {"MessageDeduplicationId", "e"}});
  CHECK(status2 == 400);
  CHECK(error2["__type"] == "com.amazonaws.sqs#MissingParameter");
  auto [status3, error3] = f.Call("SendMessage", {{"QueueUrl", f.url("plain.fifo")}, {"MessageBody", "x"}, {"MessageGroupId", "g"},
                                                  {"MessageDeduplicationId", "f"}, {"DelaySeconds", 5}});
  CHECK(status3 == 400);

  json c1 = f.Ok("SendMessage", {{"QueueUrl", f.url("content.fifo")}, {"MessageBody", "same"}, {"MessageGroupId", "g"}});
  json c2 = f.Ok("SendMessage", {{"QueueUrl", f.url("content.fifo")}, {"MessageBody", "same"}, {"MessageGroupId", "h"}});
  CHECK(c1["MessageId"] == c2["MessageId"]);
  f.Advance(std::chrono::minutes(5) + seconds(1));
  json c3 = f.Ok("SendMessage", {{"QueueUrl", f.url("content.fifo")}, {"MessageBody", "same"}, {"MessageGroupId", "g"}});
  CHECK(c3["MessageId"] != c1["MessageId"]);
  json got = Receive(f, "content.fifo");
  CHECK(got.size() == 2);
  CHECK(got[0]["Attributes"]["MessageDeduplicationId"].get<std::string>().size() == 64);
}

TEST_CASE("restart: acknowledged sends survive, acknowledged deletes stay deleted") {
  Fixture f("queues:\n  jobs: {}\n  work.fifo: {}\n");
  for (int i = 0; i < 5; ++i) Send(f, "jobs", "m" + std::to_string(i));
  json got = Receive(f, "jobs", 2, {{"VisibilityTimeout", 0}});
  REQUIRE(got.size() == 2);
  f.Ok("DeleteMessage", {{"QueueUrl", f.url("jobs")}, {"ReceiptHandle", got[0]["ReceiptHandle"]}});
  f.Ok("CreateQueue", {{"QueueName", "made-by-api"}, {"tags", {{"k", "v"}}}});
  f.Ok("SendMessage", {{"QueueUrl", f.url("work.fifo")}, {"MessageBody", "x"}, {"MessageGroupId", "g"},
                       {"MessageDeduplicationId", "once"}});
  f.Restart();
  json all = Receive(f, "jobs");
  std::vector<std::string> bodies = Bodies(all);
  std::sort(bodies.begin(), bodies.end());
  CHECK(bodies == std::vector<std::string>{"m1", "m2", "m3", "m4"});
  for (const auto& m : all) {
    if (m["Body"] == "m1") CHECK(m["Attributes"]["ApproximateReceiveCount"] == "2");
  }
  CHECK(f.Ok("ListQueueTags", {{"QueueUrl", f.url("made-by-api")}})["Tags"] == json{{"k", "v"}});
  // The deduplication window survives too.
  json again = f.Ok("SendMessage", {{"QueueUrl", f.url("work.fifo")}, {"MessageBody", "x"}, {"MessageGroupId", "g"},
                                    {"MessageDeduplicationId", "once"}});
  CHECK(Receive(f, "work.fifo").size() == 1);
}

TEST_CASE("the queue sink: async destinations and notifications land in queues") {
  Fixture f("queues:\n  sink: {}\n  ordered.fifo: {}\n");
  Status sent = f.loop().Run([&] { return f.emulator().SendToQueue("sink", "{\"record\":1}"); });
  CHECK(sent.ok());
  CHECK(Bodies(Receive(f, "sink")) == std::vector<std::string>{"{\"record\":1}"});
  Status missing = f.loop().Run([&] { return f.emulator().SendToQueue("nope", "x"); });
  CHECK(missing.code() == Status::Code::kNotFound);
  Status fifo = f.loop().Run([&] { return f.emulator().SendToQueue("ordered.fifo", "x"); });
  CHECK(fifo.code() == Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace stratus::qtest
