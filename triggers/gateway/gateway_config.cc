// The gateway's view of the project file: the `http:` and `rest:` events of every function,
// flattened into routes. The config module has already validated methods and paths.
#include <variant>

#include "triggers/gateway/gateway.h"

namespace stratus::triggers::gateway {

std::vector<Route> CollectRoutes(const config::ProjectConfig& project) {
  std::vector<Route> routes;
  for (const auto& [name, function] : project.functions) {
    for (const auto& event : function.events) {
      if (const auto* http = std::get_if<config::HttpEvent>(&event)) {
        routes.push_back({Api::kHttp, http->method, http->path, name, http->position,
                          http->authorizer, http->scopes});
      } else if (const auto* rest = std::get_if<config::RestEvent>(&event)) {
        routes.push_back({Api::kRest, rest->method, rest->path, name, rest->position,
                          rest->authorizer, rest->scopes});
      }
    }
  }
  return routes;
}

}  // namespace stratus::triggers::gateway
