// The API Gateway trigger: the project's `http:` events as an HTTP API (payload format 2.0)
// and its `rest:` events as a REST API (payload format 1.0, Lambda proxy integration), both
// served on the gateway port. A request becomes the event AWS would build, goes through the
// Invoker, and the function's answer is mapped back to HTTP the way API Gateway maps it,
// including API Gateway's own error answers (unknown route, throttle, timeout, bad answer).
// Threading: loop thread only.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "emulator/config/config.h"
#include "emulator/http/router.h"
#include "emulator/module.h"

namespace stratus {
class Emulator;
}

namespace stratus::triggers::gateway {

class Authorizers;

enum class Api { kHttp, kRest };

// One route of the project, as written in its `http:` or `rest:` event.
struct Route {
  Api api = Api::kHttp;
  std::string method;  // GET, POST, ..., or ANY
  std::string path;    // "/items/{id}", "/{proxy+}", or "$default" (HTTP APIs only)
  std::string function;
  config::Position position;
  std::string authorizer;           // a gateway.authorizers name, or empty
  std::vector<std::string> scopes;  // JWT authorization scopes

  bool is_default() const { return path == "$default"; }
  // The HTTP API routeKey ("GET /items/{id}", "$default").
  std::string route_key() const;
  // The router's method: "*" for ANY.
  std::string router_method() const { return method == "ANY" ? "*" : method; }
};

// The routes of every function, in function-name order then file order.
std::vector<Route> CollectRoutes(const config::ProjectConfig& project);

// An HTTP API's CORS configuration (AWS's CorsConfiguration), from `gateway: {cors: ...}`.
// With one, the gateway answers preflight requests itself and sets the CORS headers of each
// function's answer to a request with an Origin, replacing whatever the function set (its
// own error answers carry none).
using Cors = config::CorsConfig;

class GatewayTrigger : public Module {
 public:
  struct Options {
    // Overrides of the project's `gateway:` settings (tests). rest_stage names the stage in
    // REST events without prefixing the routes.
    std::optional<std::string> rest_stage;
    std::optional<Cors> http_cors;
  };

  GatewayTrigger();
  explicit GatewayTrigger(Options options);
  ~GatewayTrigger() override;
  std::string_view name() const override { return "gateway"; }

  // Adds every route to the gateway router and logs the route table, one line per route.
  // Returns InvalidArgument ("FILE:LINE:COL: ...") for a route the router refuses or one
  // declared twice (by http: and rest: alike); routes added before stay.
  Status Start(Emulator& emulator) override;

  const std::vector<Route>& routes() const { return routes_; }
  const std::string& api_id() const { return api_id_; }

 private:
  struct Pending;
  struct Incoming;
  Status AddRoute(const Route& route, std::vector<std::string>* keys);
  Status AddCatchAll(const std::vector<std::string>& keys);
  // Runs the route's authorizer, if any, then Integrate (gateway_api.cc).
  void Handle(const Route& route, http::RequestPtr request, http::Reply reply);
  // Builds the event, invokes the route's function and answers the request.
  void Integrate(std::shared_ptr<Incoming> incoming);
  void AnswerUnknownRoute(const http::Request& request, http::Reply reply);
  // Answers a CORS preflight when the API has CORS; false when it is not one.
  bool AnswerPreflight(Api api, const http::Request& request, const http::Reply& reply);
  // Sends `response` with the request id header (and REST's CORS origin), and logs it.
  void Answer(Api api, const std::string& request_id, const http::Request& request,
              const http::Reply& reply, http::Response response);

  Options options_;
  Emulator* emulator_ = nullptr;
  std::vector<Route> routes_;
  const Route* default_route_ = nullptr;  // the HTTP API's $default route, if any
  bool unknown_is_rest_ = false;  // answer unknown routes as a REST API would (403)
  std::string api_id_;
  std::string rest_stage_ = "dev";  // requestContext.stage of REST events
  std::string rest_prefix_;         // "/STAGE" when REST routes are served under their stage
  std::optional<Cors> http_cors_;
  std::optional<Cors> rest_cors_;
  std::chrono::milliseconds http_timeout_{30000};  // API Gateway's: 30 s HTTP, 29 s REST
  std::chrono::milliseconds rest_timeout_{29000};
  std::unique_ptr<Authorizers> authorizers_;
};

}  // namespace stratus::triggers::gateway
