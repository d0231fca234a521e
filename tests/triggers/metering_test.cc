// Every trigger counts the API requests it serves by service and billing class, as the
// cloud bills them, for `stratus cost`: API Gateway (http / rest), S3 (tier1 PUT, COPY,
// POST, LIST; tier2 GET; DELETE free) and SQS (standard / fifo).
#include <doctest/doctest.h>

#include <map>

#include "emulator/billing/meter.h"
#include "emulator/emulator.h"
#include "tests/support/embedded.h"
#include "tests/support/loop_thread.h"
#include "tests/support/raw_client.h"
#include "tests/support/stratus_process.h"
#include "triggers/registry.h"

namespace stratus {
namespace {

TEST_CASE("gateway, object store and queue requests are metered by billing class") {
  testing::TempDir dir;
  dir.Write("echo.py", "def handler(event, context):\n    return {'statusCode': 200}\n");
  testing::LoopThread lt;
  auto emulator = std::make_unique<Emulator>(
      lt.loop(),
      testing::EmbeddedOptions("functions:\n"
                               "  echo:\n    runtime: python3.11\n    handler: echo.handler\n"
                               "    events: [{http: {method: GET, path: /h}},\n"
                               "             {rest: {method: GET, path: /r}}]\n"
                               "buckets: [box]\n"
                               "queues: {q: {}, f.fifo: {}}\n",
                               dir.path()));
  for (auto& module : triggers::BuiltinTriggers().CreateAll()) emulator->AddModule(std::move(module));
  REQUIRE(lt.Run([&] { return emulator->Start(); }).ok());
  auto call = [](int port, const std::string& head, const std::string& body = "") {
    testing::RawClient client(port);
    client.Send(head + "Host: localhost\r\nContent-Length: " + std::to_string(body.size()) +
                "\r\n\r\n" + body);
    auto response = client.Read(std::chrono::seconds(30));
    REQUIRE(response.has_value());
    return response->status;
  };
  const int gw = emulator->gateway_port(), svc = emulator->service_port();
  CHECK(call(gw, "GET /h HTTP/1.1\r\n") == 200);
  CHECK(call(gw, "GET /h HTTP/1.1\r\n") == 200);
  CHECK(call(gw, "GET /r HTTP/1.1\r\n") == 200);
  CHECK(call(svc, "PUT /box/k HTTP/1.1\r\n", "data") == 200);
  CHECK(call(svc, "GET /box/k HTTP/1.1\r\n") == 200);
  CHECK(call(svc, "GET /box?list-type=2 HTTP/1.1\r\n") == 200);
  CHECK(call(svc, "DELETE /box/k HTTP/1.1\r\n") == 204);
  std::string target = "POST / HTTP/1.1\r\nContent-Type: application/x-amz-json-1.0\r\n"
                       "X-Amz-Target: AmazonSQS.SendMessage\r\n";
  std::string url = "http://127.0.0.1:" + std::to_string(svc) + "/000000000000/";
  CHECK(call(svc, target, R"({"QueueUrl":")" + url + R"(q","MessageBody":"x"})") == 200);
  CHECK(call(svc, target,
             R"({"QueueUrl":")" + url +
                 R"(f.fifo","MessageBody":"x","MessageGroupId":"g","MessageDeduplicationId":"d"})") ==
        200);
  std::map<std::string, int64_t> calls;
  Status read = lt.Run([&] {
    auto totals = billing::ReadRequestTotals(emulator->db());
    if (!totals.ok()) return totals.status();
    for (const auto& t : *totals) calls[t.service + "/" + t.billing_class] += t.calls;
    return Status::Ok();
  });
  REQUIRE_MESSAGE(read.ok(), read.message());
  CHECK(calls == std::map<std::string, int64_t>{{"apigateway/http", 2},
                                                {"apigateway/rest", 1},
                                                {"s3/tier1", 2},
                                                {"s3/tier2", 1},
                                                {"sqs/fifo", 1},
                                                {"sqs/standard", 1}});
  testing::StopAndDestroy(lt, emulator);
}

}  // namespace
}  // namespace stratus
