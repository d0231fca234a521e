#include "emulator/admin/admin_api.h"

#include <nlohmann/json.hpp>

#include "emulator/emulator.h"
#include "emulator/http/connection.h"
#include "emulator/http/router.h"

namespace stratus::admin {

namespace {

void Health(Emulator& emulator, http::RequestPtr, http::Reply reply) {
  auto uptime = std::chrono::duration_cast<std::chrono::milliseconds>(
      emulator.clock().Now() - emulator.started_at());
  nlohmann::json body = {
      {"status", emulator.stopping() ? "stopping" : "ok"},
      {"version", STRATUS_VERSION},
      {"uptime_ms", uptime.count()},
      {"service_port", emulator.service_port()},
      {"gateway_port", emulator.gateway_port()},
      {"data_dir", emulator.data_dir()},
      {"functions", emulator.project().functions.size()},
  };
  http::Response response = http::Response::Json(200, body.dump());
  response.headers.Add("Cache-Control", "no-store");
  reply.Send(std::move(response));
}

}  // namespace

void RegisterAdminRoutes(http::Router& router, Emulator& emulator) {
  auto health = [&emulator](http::RequestPtr request, http::Reply reply) {
    Health(emulator, std::move(request), std::move(reply));
  };
  // Both are programmer errors if they fail (a fixed, valid pattern added once).
  [[maybe_unused]] Status a = router.Add("GET", "/_stratus/health", health);
  [[maybe_unused]] Status b = router.Add("HEAD", "/_stratus/health", health);
}

}  // namespace stratus::admin
