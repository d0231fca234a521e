// Authorizers end to end: Lambda REQUEST authorizers of HTTP APIs (simple and IAM-policy
// responses), REST TOKEN and REQUEST authorizers, JWT authorizers against a JWKS file, and
// API Gateway's answers when they refuse or fail.
#include <doctest/doctest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "emulator/util/base64.h"
#include "tests/triggers/gateway/fixture.h"

namespace stratus::gwtest {
namespace {

const std::string kFunctions =
    "functions:\n"
    "  authz:\n"
    "    runtime: python3.11\n    handler: authz.handler\n"
    "  item:\n"
    "    runtime: python3.11\n    handler: echo.handler\n"
    "    events:\n"
    "      - http: {method: GET, path: '/simple/{id}', authorizer: simple}\n"
    "      - http: {method: GET, path: '/policy/{id}', authorizer: policy}\n"
    "      - http: {method: GET, path: /open}\n"
    "      - rest: {method: GET, path: '/token/{id}', authorizer: token}\n"
    "      - rest: {method: GET, path: '/request/{id}', authorizer: request}\n";

const std::string kAuthorizers =
    "gateway:\n"
    "  authorizers:\n"
    "    simple: {function: authz, simple_responses: true,\n"
    "             identity_source: [$request.header.x-key]}\n"
    "    policy: {function: authz, identity_source: [$request.header.x-key], ttl: 300}\n"
    "    token: {type: token, function: authz}\n"
    "    request: {function: authz, identity_source: [method.request.header.X-Key]}\n";

json AuthorizerEvent(const json& event, bool rest) {
  const json& authorizer = event["requestContext"]["authorizer"];
  return json::parse((rest ? authorizer : authorizer["lambda"])["event"].get<std::string>());
}

TEST_CASE("HTTP API simple responses: allow passes the context, deny is 403, none is 401") {
  Fixture f(kAuthorizers + kFunctions);
  auto event = f.Event("GET", "/simple/1", "", "simple: 1\r\nx-key: allow\r\n");
  CHECK(event["requestContext"]["authorizer"] == json{{"lambda", {{"n", 7}, {"user", "allow"}}}});
  auto r = f.Request("GET", "/simple/1", "", "simple: 1\r\nx-key: deny\r\n");
  CHECK(r.status == 403);
  CHECK(json::parse(r.body) == json{{"message", "Forbidden"}});
  CHECK_FALSE(r.Header("apigw-requestid").empty());
  r = f.Request("GET", "/simple/1");
  CHECK(r.status == 401);
  CHECK(json::parse(r.body) == json{{"message", "Unauthorized"}});
  r = f.Request("GET", "/simple/1", "", "simple: 1\r\nx-key: broken\r\n");
  CHECK(r.status == 500);
  CHECK(json::parse(r.body) == json{{"message", "Internal Server Error"}});
  CHECK(f.Request("GET", "/open").status == 200);
}

TEST_CASE("HTTP API IAM policies: the 2.0 authorizer event, Allow, Deny, no matching statement") {
  Fixture f(kAuthorizers + kFunctions);
  auto event = f.Event("GET", "/policy/42?a=1", "", "x-key: allow\r\n");
  json seen = AuthorizerEvent(event, false);
  CHECK(seen["version"] == "2.0");
  CHECK(seen["type"] == "REQUEST");
  CHECK(seen["identitySource"] == json{"allow"});
  CHECK(seen["routeKey"] == "GET /policy/{id}");
  CHECK(seen["rawQueryString"] == "a=1");
  CHECK(seen["pathParameters"] == json{{"id", "42"}});
  CHECK_FALSE(seen.contains("body"));
  std::string arn = seen["routeArn"];
  CHECK(arn == "arn:aws:execute-api:us-east-1:000000000000:" + f.trigger().api_id() +
                   "/$default/GET/policy/42");
  CHECK(event["requestContext"]["authorizer"]["lambda"]["user"] == "allow");
  CHECK(f.Request("GET", "/policy/1", "", "x-key: deny\r\n").status == 403);
  CHECK(f.Request("GET", "/policy/1", "", "x-key: other\r\n").status == 403);
  auto r = f.Request("GET", "/policy/1", "", "x-key: unauthorized\r\n");
  CHECK(r.status == 401);  // the documented way for a function to refuse
  CHECK(json::parse(r.body) == json{{"message", "Unauthorized"}});
}

TEST_CASE("REST TOKEN authorizer: the TOKEN event, principalId and string context") {
  Fixture f(kAuthorizers + kFunctions);
  auto event = f.Event("GET", "/token/7", "", "Authorization: allow\r\n");
  const json& authorizer = event["requestContext"]["authorizer"];
  CHECK(authorizer["principalId"] == "user-allow");
  CHECK(authorizer["n"] == "7");  // REST passes context values as strings
  CHECK(authorizer["integrationLatency"].is_number());
  json seen = AuthorizerEvent(event, true);
  CHECK(seen == json{{"type", "TOKEN"},
                     {"authorizationToken", "allow"},
                     {"methodArn", "arn:aws:execute-api:us-east-1:000000000000:" +
                                       f.trigger().api_id() + "/dev/GET/token/7"}});
  auto r = f.Request("GET", "/token/7", "", "Authorization: deny\r\n");
  CHECK(r.status == 403);
  CHECK(json::parse(r.body) ==
        json{{"Message", "User is not authorized to access this resource with an explicit deny"}});
  CHECK(r.Header("x-amzn-errortype") == "AccessDeniedException");
  r = f.Request("GET", "/token/7", "", "Authorization: other\r\n");
  CHECK(json::parse(r.body) == json{{"Message", "User is not authorized to access this resource"}});
  r = f.Request("GET", "/token/7", "", "Authorization: unauthorized\r\n");
  CHECK(r.status == 401);
  CHECK(json::parse(r.body) == json{{"message", "Unauthorized"}});
  r = f.Request("GET", "/token/7");
  CHECK(r.status == 401);
  r = f.Request("GET", "/token/7", "", "Authorization: broken\r\n");
  CHECK(r.status == 500);
  CHECK(r.body == R"({"message":null})");
  CHECK(r.Header("x-amzn-errortype") == "AuthorizerConfigurationException");
}

TEST_CASE("REST REQUEST authorizer: the REQUEST event carries the request") {
  Fixture f(kAuthorizers + kFunctions);
  auto event = f.Event("GET", "/request/9?q=1&q=2", "", "X-Key: allow\r\n");
  json seen = AuthorizerEvent(event, true);
  CHECK(seen["type"] == "REQUEST");
  CHECK(seen["resource"] == "/request/{id}");
  CHECK(seen["multiValueQueryStringParameters"] == json{{"q", {"1", "2"}}});
  CHECK(seen["headers"]["X-Key"] == "allow");
  CHECK_FALSE(seen.contains("body"));
  CHECK(f.Request("GET", "/request/9", "", "X-Key: deny\r\n").status == 403);
}

TEST_CASE("an authorizer's answer is cached per identity for its ttl") {
  Fixture f(kAuthorizers + kFunctions);
  auto first = f.Event("GET", "/policy/1", "", "x-key: allow\r\n");
  auto second = f.Event("GET", "/policy/2", "", "x-key: allow\r\n");
  // The cached answer is reused as is: the authorizer saw the first request only.
  CHECK(AuthorizerEvent(second, false)["rawPath"] == "/policy/1");
  auto uncached = f.Event("GET", "/simple/2", "", "simple: 1\r\nx-key: allow\r\n");
  CHECK(uncached["requestContext"]["authorizer"]["lambda"]["user"] == "allow");
}

// --- JWT: a key pair made here, its public half as the JWKS file ---

std::string Base64Url(std::string_view data) {
  std::string out = Base64Encode(data);
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return out;
}

std::string BigNumBytes(EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  REQUIRE(EVP_PKEY_get_bn_param(key, name, &bn) == 1);
  std::string bytes(BN_num_bytes(bn), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(bytes.data()));
  BN_free(bn);
  return bytes;
}

struct Signer {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  ~Signer() { EVP_PKEY_free(key); }

  std::string Jwks(const std::string& kid) const {
    return json{{"keys", {{{"kty", "RSA"}, {"kid", kid}, {"alg", "RS256"}, {"use", "sig"},
                           {"n", Base64Url(BigNumBytes(key, OSSL_PKEY_PARAM_RSA_N))},
                           {"e", Base64Url(BigNumBytes(key, OSSL_PKEY_PARAM_RSA_E))}}}}}
        .dump();
  }

  std::string Token(const json& claims, const std::string& kid = "k1") const {
    std::string signed_part = Base64Url(json{{"alg", "RS256"}, {"kid", kid}}.dump()) + "." +
                              Base64Url(claims.dump());
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    size_t size = 0;
    REQUIRE(EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1);
    REQUIRE(EVP_DigestSign(ctx, nullptr, &size,
                           reinterpret_cast<const unsigned char*>(signed_part.data()),
                           signed_part.size()) == 1);
    std::string signature(size, '\0');
    REQUIRE(EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &size,
                           reinterpret_cast<const unsigned char*>(signed_part.data()),
                           signed_part.size()) == 1);
    EVP_MD_CTX_free(ctx);
    return signed_part + "." + Base64Url(signature.substr(0, size));
  }
};

TEST_CASE("JWT authorizer: signature, issuer, audience, expiry and scopes") {
  Signer signer;
  testing::TempDir keys;
  keys.Write("jwks.json", signer.Jwks("k1"));
  Fixture f("gateway:\n"
            "  authorizers:\n"
            "    users: {type: jwt, issuer: https://issuer.example, audience: [app],\n"
            "            jwks: " + keys.path() + "/jwks.json}\n"
            "functions:\n"
            "  item:\n"
            "    runtime: python3.11\n    handler: echo.handler\n"
            "    events:\n"
            "      - http: {method: GET, path: /me, authorizer: users}\n"
            "      - http: {method: GET, path: /admin, authorizer: users, scopes: [admin]}\n");
  const int64_t now = time(nullptr);
  json claims = {{"iss", "https://issuer.example"}, {"aud", "app"}, {"sub", "u-1"},
                 {"exp", now + 600}, {"scope", "read write"}};
  auto bearer = [](const std::string& token) { return "Authorization: Bearer " + token + "\r\n"; };
  auto event = f.Event("GET", "/me", "", bearer(signer.Token(claims)));
  const json& jwt = event["requestContext"]["authorizer"]["jwt"];
  CHECK(jwt["claims"]["sub"] == "u-1");
  CHECK(jwt["claims"]["exp"] == std::to_string(now + 600));
  CHECK(jwt["scopes"] == json{"read", "write"});

  auto refused = [&](const json& c, const std::string& kid = "k1") {
    auto r = f.Request("GET", "/me", "", bearer(signer.Token(c, kid)));
    CHECK(json::parse(r.body) == json{{"message", "Unauthorized"}});
    CHECK(r.Header("www-authenticate").find("invalid_token") != std::string::npos);
    return r.status;
  };
  json expired = claims, wrong_issuer = claims, wrong_audience = claims;
  expired["exp"] = now - 10;
  wrong_issuer["iss"] = "https://elsewhere.example";
  wrong_audience["aud"] = "other";
  CHECK(refused(expired) == 401);
  CHECK(refused(wrong_issuer) == 401);
  CHECK(refused(wrong_audience) == 401);
  CHECK(refused(claims, "unknown-kid") == 401);
  Signer stranger;  // a valid token signed by a key the JWKS does not hold
  auto r = f.Request("GET", "/me", "", bearer(stranger.Token(claims)));
  CHECK(r.status == 401);
  CHECK(f.Request("GET", "/me").status == 401);
  CHECK(f.Request("GET", "/me", "", "Authorization: Bearer not.a.jwt\r\n").status == 401);

  r = f.Request("GET", "/admin", "", bearer(signer.Token(claims)));
  CHECK(r.status == 403);
  CHECK(json::parse(r.body) == json{{"message", "Forbidden"}});
  claims["scope"] = "read admin";
  CHECK(f.Request("GET", "/admin", "", bearer(signer.Token(claims))).status == 200);
}

TEST_CASE("a JWKS file that cannot be read stops the start with a positioned error") {
  testing::LoopThread lt;
  testing::TempDir dir;
  auto emulator = std::make_unique<Emulator>(
      lt.loop(),
      testing::EmbeddedOptions(
          "gateway:\n  authorizers:\n    users: {type: jwt, issuer: i, audience: a, jwks: nope.json}\n"
          "functions:\n  f:\n    runtime: python3.11\n    handler: echo.handler\n"
          "    events: [{http: {path: /x, authorizer: users}}]\n",
          dir.path()));
  emulator->AddModule(std::make_unique<GatewayTrigger>());
  Status started = lt.Run([&] { return emulator->Start(); });
  CHECK(started.message() ==
        "gateway: " + dir.path() + "/stratus.yaml:3:5: authorizer 'users': cannot read JWKS file " +
            dir.path() + "/nope.json");
  testing::StopAndDestroy(lt, emulator);
}

}  // namespace
}  // namespace stratus::gwtest
