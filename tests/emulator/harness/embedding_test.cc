// Embedding stratus in a C++ test (the example README.md's "Testing from C++" points to):
// the quickstart project in-process on ephemeral ports with a virtual clock, driven over
// HTTP like any client and through the Invoker directly, then stopped.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "emulator/emulator.h"
#include "emulator/functions/invoker.h"
#include "emulator/harness/host.h"
#include "emulator/harness/http_client.h"
#include "tests/support/paths.h"
#include "triggers/registry.h"

namespace stratus {
namespace {

using nlohmann::json;

EmulatorOptions QuickstartOptions() {
  EmulatorOptions options;
  options.config_path = testing::SourceDir() + "/examples/quickstart/stratus.yaml";
  options.service_port = 0;  // ephemeral ports: tests may run side by side
  options.gateway_port = 0;
  options.ephemeral = true;  // a temporary data directory, removed by Stop()
  options.clock = ClockKind::kVirtual;
  options.log_fd = -1;       // function output is kept in the data directory only
  return options;
}

TEST_CASE("the quickstart project embedded in a C++ test") {
  harness::EmulatorHost host;  // the emulator's loop runs on a thread of its own
  Status started = host.Start(QuickstartOptions(), triggers::BuiltinTriggers().CreateAll());
  REQUIRE_MESSAGE(started.ok(), started.message());
  CHECK(host.gateway_port() > 0);
  CHECK(host.service_port() != host.gateway_port());

  // Over HTTP, as a browser or an SDK would reach it.
  harness::HttpExchange request{"GET", "/hello?name=cpp", {}, ""};
  auto response = harness::SendHttp(host.gateway_port(), request, std::chrono::seconds(30));
  REQUIRE_MESSAGE(response.ok(), response.status().message());
  CHECK(response->status == 200);
  CHECK(json::parse(response->body)["message"] == "hello, cpp");

  // Directly through the Invoker, on the emulator's loop.
  auto result = host.Await<functions::InvokeResult>(
      [](Emulator& emulator, std::function<void(functions::InvokeResult)> done) {
        functions::InvokeRequest invoke;
        invoke.payload = R"({"id": 5})";
        emulator.invoker().Invoke("worker", std::move(invoke), std::move(done));
      });
  REQUIRE_MESSAGE(result.status.ok(), result.status.message());
  CHECK_FALSE(result.function_error);
  CHECK(json::parse(result.payload)["processed"] == 5);

  // The virtual clock moves on at once: an hour passes without waiting for it.
  auto before = host.Run([](Emulator& e) { return e.clock().WallNowMs(); });
  host.Run([](Emulator& e) {
    static_cast<VirtualClock&>(e.clock()).Advance(std::chrono::hours(1));
    return 0;
  });
  auto after = host.Run([](Emulator& e) { return e.clock().WallNowMs(); });
  CHECK(after - before >= 3600 * 1000);

  host.Stop();
  CHECK_FALSE(host.running());
}

}  // namespace
}  // namespace stratus
