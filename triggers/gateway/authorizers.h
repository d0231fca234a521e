// The gateway's authorizers: for a route that names one, decide before the integration runs
// whether the request may pass, and what `requestContext.authorizer` the function then sees.
// Lambda REQUEST authorizers (HTTP APIs: payload 2.0 with simple or IAM-policy responses, or
// 1.0; REST APIs), REST TOKEN authorizers and HTTP API JWT authorizers, each answering as
// API Gateway does (401 with no identity, 403 on a deny, 500 when the authorizer fails).
// Results are cached per identity for the authorizer's ttl, on the emulator's Clock.
// Threading: loop thread only.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "emulator/config/config.h"
#include "emulator/http/message.h"
#include "emulator/util/clock.h"
#include "triggers/gateway/gateway.h"
#include "triggers/gateway/gateway_events.h"
#include "triggers/gateway/jwt.h"

namespace stratus {
class Emulator;
}

namespace stratus::triggers::gateway {

struct AuthDecision {
  enum class Kind {
    kAllow,
    kUnauthorized,   // 401: no identity, an invalid token, or the function said "Unauthorized"
    kForbidden,      // 403: denied (no Allow statement, isAuthorized false, missing scope)
    kExplicitDeny,   // 403: a Deny statement matched (REST words it differently)
    kError,          // 500: the authorizer failed or answered something malformed
  } kind = Kind::kError;
  nlohmann::ordered_json context;  // requestContext.authorizer when allowed
  std::string www_authenticate;    // JWT 401/403s
};

class Authorizers {
 public:
  using Done = std::function<void(AuthDecision)>;

  explicit Authorizers(Emulator& emulator) : emulator_(emulator) {}

  // Reads the project's authorizers; loads JWKS files (an unreadable or invalid one is a
  // positioned InvalidArgument).
  Status Load(const config::ProjectConfig& project);

  // Runs route.authorizer for `request`; `context` is the event context being built (its
  // ids, stage and times appear in the authorizer's event). `done` runs exactly once.
  void Authorize(const Route& route, const http::Request& request, const EventContext& context,
                 Done done);

  // arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/PATH (PATH without its leading '/').
  std::string MethodArn(const EventContext& context, const http::Request& request,
                        std::string_view resource_path) const;

 private:
  struct Cached {
    AuthDecision decision;
    Clock::TimePoint expires;
  };
  void AuthorizeJwt(const Route& route, const config::AuthorizerConfig& config,
                    const http::Request& request, Done done);
  void AuthorizeLambda(const Route& route, const config::AuthorizerConfig& config,
                       const http::Request& request, const EventContext& context,
                       std::vector<std::string> identity, Done done);

  Emulator& emulator_;
  std::map<std::string, config::AuthorizerConfig> configs_;
  std::map<std::string, JwksKeys> jwks_;
  std::map<std::string, Cached> cache_;  // authorizer name + identity values -> decision
};

// An authorizer's IAM policy against a method ARN: an explicit Deny wins, then any Allow;
// Resource patterns use '*' and '?' wildcards. (authorizer_policy.cc)
AuthDecision::Kind EvaluatePolicy(const nlohmann::ordered_json& policy,
                                  const std::string& method_arn);

// The identity source values of `request` ("$request.header.X", "method.request.header.X",
// and querystring forms); nullopt when one is missing or empty.
std::optional<std::vector<std::string>> IdentityValues(
    const std::vector<std::string>& sources, const http::Request& request);

}  // namespace stratus::triggers::gateway
