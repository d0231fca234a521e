// kill -9 of the real stratus binary while sends are in flight, in a loop: every send that got
// an answer is there after the restart, and every acknowledged delete stays deleted.
#include <signal.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <set>
#include <string>

#include "tests/support/raw_client.h"
#include "tests/support/stratus_process.h"

namespace stratus::qtest {
namespace {

using nlohmann::json;
using testing::RawClient;
using testing::StratusProcess;
using testing::TempDir;

constexpr int kRounds = 3;
constexpr int kPipelined = 400;  // sends written at once; the process dies mid-stream
constexpr int kAwaited = 250;    // answers read before the kill

std::string Request(int port, const std::string& action, const json& input) {
  std::string body = input.dump();
  return "POST / HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\nX-Amz-Target: AmazonSQS." +
         action + "\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

json Call(int port, const std::string& action, const json& input) {
  auto response = testing::RoundTrip(port, Request(port, action, input));
  REQUIRE(response.has_value());
  REQUIRE_MESSAGE(response->status == 200, response->body);
  return json::parse(response->body);
}

std::string Url(int port) { return "http://127.0.0.1:" + std::to_string(port) + "/000000000000/jobs"; }

int Total(int port) {
  json a = Call(port, "GetQueueAttributes", {{"QueueUrl", Url(port)}, {"AttributeNames", {"All"}}})["Attributes"];
  return std::stoi(a["ApproximateNumberOfMessages"].get<std::string>()) +
         std::stoi(a["ApproximateNumberOfMessagesNotVisible"].get<std::string>());
}

TEST_CASE("kill -9 loses no acknowledged send and resurrects no acknowledged delete") {
  TempDir dir;
  std::string config = dir.Write("stratus.yaml", "queues:\n  jobs: { visibility_timeout: 3600 }\n");
  std::vector<std::string> args = {"start", "-c", config, "--port", "0", "--gateway-port", "0",
                                   "--data-dir", dir.path() + "/data"};
  std::set<std::string> acked;    // bodies whose send was answered
  std::set<std::string> deleted;  // bodies whose delete was answered
  int expected_total = 0;         // at least this many messages must be in the queue
  for (int round = 0; round < kRounds; ++round) {
    CAPTURE(round);
    StratusProcess p(args);
    REQUIRE(p.WaitReady());
    int port = p.service_port();
    // What the previous round acknowledged is all there.
    CHECK(Total(port) >= expected_total);
    // Receive everything visible: acknowledged sends must be among it, deletes must not.
    std::set<std::string> present;
    std::vector<std::pair<std::string, std::string>> receipts;
    for (;;) {
      json got = Call(port, "ReceiveMessage", {{"QueueUrl", Url(port)}, {"MaxNumberOfMessages", 10},
                                               {"VisibilityTimeout", 0}});
      if (!got.contains("Messages")) break;
      bool fresh = false;
      for (const auto& m : got["Messages"]) {
        std::string body = m["Body"];
        if (present.insert(body).second) fresh = true;
        receipts.emplace_back(body, m["ReceiptHandle"]);
        // Delete each message once it is seen, acknowledged, so receives move on.
        Call(port, "DeleteMessage", {{"QueueUrl", Url(port)}, {"ReceiptHandle", m["ReceiptHandle"]}});
        deleted.insert(body);
      }
      if (!fresh) break;
    }
    for (const auto& body : acked) {
      if (deleted.count(body) && !present.count(body)) continue;  // deleted in an earlier round
      CHECK_MESSAGE(present.count(body) == 1, "acknowledged send lost: " << body);
    }
    acked.clear();
    // Now every message is deleted (acknowledged): none may come back.
    CHECK(Total(port) == 0);

    RawClient client(port);
    std::string pipelined;
    for (int i = 0; i < kPipelined; ++i) {
      pipelined += Request(port, "SendMessage", {{"QueueUrl", Url(port)},
                                                 {"MessageBody", "r" + std::to_string(round) + "-" + std::to_string(i)}});
    }
    client.Send(pipelined);
    for (int i = 0; i < kAwaited; ++i) {
      auto response = client.Read();
      REQUIRE(response.has_value());
      REQUIRE(response->status == 200);
      acked.insert("r" + std::to_string(round) + "-" + std::to_string(i));
    }
    p.Signal(SIGKILL);
    CHECK(p.Wait() == 128 + SIGKILL);
    expected_total = static_cast<int>(acked.size());
  }
  StratusProcess last(args);
  REQUIRE(last.WaitReady());
  CHECK(Total(last.service_port()) >= expected_total);
  last.Signal(SIGTERM);
  CHECK(last.Wait() == 0);
}

}  // namespace
}  // namespace stratus::qtest
