// The gateway's lifecycle: routes into the gateway router, a catch-all for what no route
// matches (the $default route, or API Gateway's own "not found"), and the route table log.
#include "triggers/gateway/gateway.h"

#include <algorithm>
#include <memory>

#include "emulator/emulator.h"
#include "emulator/util/log.h"
#include "triggers/gateway/authorizers.h"

namespace stratus::triggers::gateway {
namespace {

std::string Where(const config::ProjectConfig& project, const config::Position& at) {
  return project.file + ":" + std::to_string(std::max(at.line, 1)) + ":" +
         std::to_string(std::max(at.column, 1)) + ": ";
}

std::string Key(const std::string& method, const std::string& pattern) {
  return method + " " + pattern;
}

}  // namespace

GatewayTrigger::GatewayTrigger() = default;
GatewayTrigger::GatewayTrigger(Options options) : options_(std::move(options)) {}
GatewayTrigger::~GatewayTrigger() = default;

Status GatewayTrigger::Start(Emulator& emulator) {
  emulator_ = &emulator;
  const auto& project = emulator.project();
  routes_ = CollectRoutes(project);
  if (routes_.empty()) return Status::Ok();
  if (!project.gateway.stage.empty()) {
    rest_stage_ = project.gateway.stage;
    rest_prefix_ = "/" + project.gateway.stage;
  }
  if (options_.rest_stage) rest_stage_ = *options_.rest_stage;
  http_cors_ = options_.http_cors ? options_.http_cors : project.gateway.cors;
  rest_cors_ = project.gateway.rest_cors;
  if (project.gateway.timeout) http_timeout_ = rest_timeout_ = *project.gateway.timeout;
  authorizers_ = std::make_unique<Authorizers>(emulator);
  STRATUS_RETURN_IF_ERROR(authorizers_->Load(project));
  // An API id as AWS spells them (10 lower-case alphanumerics), from the seeded generator.
  api_id_ = emulator.random().Hex(10);
  bool any_http = false, any_rest = false;
  std::vector<std::string> keys;
  for (const Route& route : routes_) {
    (route.api == Api::kHttp ? any_http : any_rest) = true;
    if (route.is_default()) {
      if (default_route_ != nullptr) {
        return Status::InvalidArgument(Where(project, route.position) +
                                       "route $default declared twice (first for function " +
                                       default_route_->function + ")");
      }
      default_route_ = &route;
      continue;
    }
    STRATUS_RETURN_IF_ERROR(AddRoute(route, &keys));
  }
  // Unknown routes answer as the API kind the project uses; with both, the HTTP API's 404.
  unknown_is_rest_ = any_rest && !any_http;
  STRATUS_RETURN_IF_ERROR(AddCatchAll(keys));
  for (const Route& route : routes_) {
    bool rest = route.api == Api::kRest;
    log::Info("gateway: " + std::string(rest ? "rest " : "http ") + route.method + " " +
              (rest ? rest_prefix_ : "") + route.path + " -> " + route.function +
              (route.authorizer.empty() ? "" : " (authorizer " + route.authorizer + ")"));
  }
  return Status::Ok();
}

Status GatewayTrigger::AddRoute(const Route& route, std::vector<std::string>* keys) {
  const auto& project = emulator_->project();
  // A REST API's routes live under its stage when one is configured.
  std::string pattern = route.path;
  if (route.api == Api::kRest && !rest_prefix_.empty()) {
    pattern = route.path == "/" ? rest_prefix_ : rest_prefix_ + route.path;
  }
  std::string key = Key(route.router_method(), pattern);
  if (std::find(keys->begin(), keys->end(), key) != keys->end()) {
    return Status::InvalidArgument(Where(project, route.position) + "route " + route.method +
                                   " " + route.path + " declared twice");
  }
  auto shared = std::make_shared<Route>(route);
  Status added = emulator_->gateway_router().Add(
      route.router_method(), pattern,
      [this, shared](http::RequestPtr request, http::Reply reply) {
        Handle(*shared, std::move(request), std::move(reply));
      });
  if (!added.ok()) {
    return Status::InvalidArgument(Where(project, route.position) + added.message());
  }
  keys->push_back(std::move(key));
  return Status::Ok();
}

// Registered for ANY on "/" and "/{proxy+}" unless the project has those very routes: the
// router prefers every declared route, so this only sees requests nothing else matched
// (including a declared path asked with an undeclared method, which API Gateway also
// treats as no route, not as 405).
Status GatewayTrigger::AddCatchAll(const std::vector<std::string>& keys) {
  for (const char* pattern : {"/", "/{proxy+}"}) {
    if (std::find(keys.begin(), keys.end(), Key("*", pattern)) != keys.end()) continue;
    Status added = emulator_->gateway_router().Add(
        "*", pattern, [this](http::RequestPtr request, http::Reply reply) {
          if (default_route_ != nullptr) {
            request->params.clear();  // $default has no path parameters
            Handle(*default_route_, std::move(request), std::move(reply));
          } else {
            AnswerUnknownRoute(*request, std::move(reply));
          }
        });
    if (!added.ok()) return added;
  }
  return Status::Ok();
}

}  // namespace stratus::triggers::gateway
