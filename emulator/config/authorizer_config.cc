// `gateway: {authorizers: ...}`: API Gateway authorizers, with AWS's rules on which kind
// goes with which API and which settings go together. Which routes use them, and whether
// their functions exist, is checked with the other references (references.cc).
#include "emulator/config/config_internal.h"

namespace stratus::config {
namespace {

using Authorizer = AuthorizerConfig;

// "$request.header.X", "$request.querystring.X", "method.request.header.X",
// "method.request.querystring.X": the only identity sources a local request can carry.
bool ValidIdentitySource(const std::string& source) {
  for (const char* prefix : {"$request.header.", "$request.querystring.",
                             "method.request.header.", "method.request.querystring."}) {
    std::string_view p = prefix;
    if (source.size() > p.size() && source.compare(0, p.size(), p) == 0) return true;
  }
  return false;
}

constexpr Field<Authorizer> kAuthorizerFields[] = {
    {"type",
     [](const Reader& r, const Entry& e, Authorizer& out) {
       Result<std::string> v = ReadChoice(r, e, {"request", "token", "jwt"});
       if (!v.ok()) return v.status();
       out.type = *v == "request" ? Authorizer::Type::kRequest
                  : *v == "token" ? Authorizer::Type::kToken
                                  : Authorizer::Type::kJwt;
       return Status::Ok();
     }},
    {"function",
     [](const Reader& r, const Entry& e, Authorizer& out) {
       Result<std::string> v = ReadName(r, e);
       if (v.ok()) out.function = *v;
       return v.status();
     }},
    {"identity_source",
     [](const Reader& r, const Entry& e, Authorizer& out) {
       Result<std::vector<std::string>> v = ReadStringList(r, e);
       if (!v.ok()) return v.status();
       for (const auto& source : *v) {
         if (!ValidIdentitySource(source)) {
           return r.Error(e.value_position,
                          "'identity_source' '" + source +
                              "' must be $request.header.NAME, $request.querystring.NAME, "
                              "method.request.header.NAME or method.request.querystring.NAME");
         }
       }
       out.identity_source = *v;
       return Status::Ok();
     }},
    {"payload_version",
     [](const Reader& r, const Entry& e, Authorizer& out) {
       Result<std::string> v = ReadChoice(r, e, {"1.0", "2.0"});
       if (v.ok()) out.payload_version = *v;
       return v.status();
     }},
    {"simple_responses",
     [](const Reader& r, const Entry& e, Authorizer& out) {
       Result<bool> v = ReadBool(r, e);
       if (v.ok()) out.simple_responses = *v;
       return v.status();
     }},
    {"ttl",
     [](const Reader& r, const Entry& e, Authorizer& out) {
       Result<std::chrono::milliseconds> v =
           ReadDuration(r, e, std::chrono::seconds(0), std::chrono::seconds(3600));
       if (v.ok()) out.ttl = std::chrono::duration_cast<std::chrono::seconds>(*v);
       return v.status();
     }},
    {"issuer",
     [](const Reader& r, const Entry& e, Authorizer& out) {
       Result<std::string> v = ReadName(r, e);
       if (v.ok()) out.issuer = *v;
       return v.status();
     }},
    {"audience",
     [](const Reader& r, const Entry& e, Authorizer& out) {
       Result<std::vector<std::string>> v = ReadStringList(r, e);
       if (v.ok()) out.audience = *v;
       return v.status();
     }},
    {"jwks",
     [](const Reader& r, const Entry& e, Authorizer& out) {
       Result<std::string> v = ReadName(r, e);
       if (v.ok()) out.jwks_file = *v;
       return v.status();
     }},
};

// The settings each kind needs, and those it cannot have.
Status CheckAuthorizer(const Reader& r, const Entry& e, Authorizer& a) {
  const bool jwt = a.type == Authorizer::Type::kJwt;
  if (jwt) {
    if (!a.function.empty()) return r.Error(e.key_position, "a jwt authorizer has no 'function'");
    if (a.issuer.empty() || a.audience.empty() || a.jwks_file.empty()) {
      return r.Error(e.key_position, "a jwt authorizer needs 'issuer', 'audience' and 'jwks'");
    }
  } else {
    if (a.function.empty()) {
      return r.Error(e.key_position, "a " + std::string(a.type == Authorizer::Type::kToken
                                                             ? "token" : "request") +
                                         " authorizer needs a 'function'");
    }
    if (!a.issuer.empty() || !a.audience.empty() || !a.jwks_file.empty()) {
      return r.Error(e.key_position, "'issuer', 'audience' and 'jwks' belong to jwt authorizers");
    }
  }
  if (a.simple_responses && (a.type != Authorizer::Type::kRequest || a.payload_version != "2.0")) {
    return r.Error(e.key_position,
                   "'simple_responses' needs a request authorizer with payload_version 2.0");
  }
  if (a.type == Authorizer::Type::kToken && a.identity_source.size() > 1) {
    return r.Error(e.key_position, "a token authorizer reads exactly one header");
  }
  if (a.identity_source.empty() && a.type != Authorizer::Type::kRequest) {
    a.identity_source = {jwt ? "$request.header.Authorization"
                             : "method.request.header.Authorization"};
  }
  return Status::Ok();
}

}  // namespace

Status ReadAuthorizers(const Reader& r, const Entry& e,
                       std::map<std::string, AuthorizerConfig>& out) {
  Result<std::vector<Entry>> entries = MapEntries(r, e.value, e.value_position, "'authorizers'");
  if (!entries.ok()) return entries.status();
  for (const Entry& one : *entries) {
    Authorizer authorizer;
    authorizer.name = one.key;
    authorizer.position = one.key_position;
    STRATUS_RETURN_IF_ERROR(ReadFields<Authorizer>(r, one.value, one.value_position,
                                                   "authorizer '" + one.key + "'",
                                                   kAuthorizerFields, authorizer));
    STRATUS_RETURN_IF_ERROR(CheckAuthorizer(r, one, authorizer));
    out[one.key] = std::move(authorizer);
  }
  return Status::Ok();
}

}  // namespace stratus::config
