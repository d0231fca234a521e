#include "emulator/admin/admin_api.h"

#include "emulator/util/json.h"

#include <nlohmann/json.hpp>

#include "emulator/emulator.h"
#include "emulator/functions/invocation_store.h"
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
      {"memory_limits", emulator.memory_limit_mode()},
  };
  http::Response response = http::Response::Json(200, DumpJson(body));
  response.headers.Add("Cache-Control", "no-store");
  reply.Send(std::move(response));
}

// Query parameter `name` from a raw query string ("a=1&b=2"); empty when absent.
std::string QueryParam(const std::string& query, const std::string& name) {
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    std::string pair = query.substr(start, end - start);
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      std::string value;
      return http::PercentDecode(eq == std::string::npos ? "" : pair.substr(eq + 1), &value)
                 ? value
                 : "";
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return "";
}

void Invocations(Emulator& emulator, http::RequestPtr request, http::Reply reply) {
  std::string limit_text = QueryParam(request->query, "limit");
  int limit = 100;
  if (!limit_text.empty()) {
    char* end = nullptr;
    long parsed = std::strtol(limit_text.c_str(), &end, 10);
    if (*end != '\0' || parsed < 1 || parsed > 10000) {
      reply.Send(http::Response::Json(400, R"({"message":"limit must be 1..10000"})"));
      return;
    }
    limit = static_cast<int>(parsed);
  }
  auto list = emulator.invocations().List(QueryParam(request->query, "function"), limit);
  if (!list.ok()) {
    reply.Send(http::Response::Json(500, DumpJson(nlohmann::json{{"message", list.status().message()}})));
    return;
  }
  reply.Send(http::Response::Json(200, DumpJson(nlohmann::json{{"invocations", *list}})));
}

}  // namespace

void RegisterAdminRoutes(http::Router& router, Emulator& emulator) {
  auto health = [&emulator](http::RequestPtr request, http::Reply reply) {
    Health(emulator, std::move(request), std::move(reply));
  };
  // Both are programmer errors if they fail (a fixed, valid pattern added once).
  [[maybe_unused]] Status a = router.Add("GET", "/_stratus/health", health);
  [[maybe_unused]] Status b = router.Add("HEAD", "/_stratus/health", health);
  [[maybe_unused]] Status c = router.Add(
      "GET", "/_stratus/invocations", [&emulator](http::RequestPtr request, http::Reply reply) {
        Invocations(emulator, std::move(request), std::move(reply));
      });
}

}  // namespace stratus::admin
