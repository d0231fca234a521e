// JWT authorizers of HTTP APIs: a bearer token verified as API Gateway verifies it — an
// RS256 signature by a key of the configured JWKS (matched by `kid`), `iss` equal to the
// issuer, `aud` (or `client_id`) one of the audiences, `exp` in the future and `nbf` in the
// past, and, when the route names scopes, one of them in the token's `scope`/`scp` claim.
// Threading: load on the loop thread; Verify is const and touches no shared state.
#pragma once

#include <openssl/evp.h>

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "emulator/util/status.h"

namespace stratus::triggers::gateway {

class JwksKeys {
 public:
  // Reads a JWKS document ({"keys":[{"kty":"RSA","kid":..,"n":..,"e":..}, ...]}). Keys of
  // other types are skipped; a file with no usable RSA key is an error.
  static Result<JwksKeys> Load(const std::string& path);
  static Result<JwksKeys> Parse(const std::string& jwks_json);

  const EVP_PKEY* Find(const std::string& kid) const;
  size_t size() const { return keys_.size(); }

 private:
  struct FreeKey {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
  };
  std::map<std::string, std::shared_ptr<EVP_PKEY>> keys_;
};

struct JwtRules {
  std::string issuer;
  std::vector<std::string> audience;
  std::vector<std::string> scopes;  // the route's; empty: any token passes this check
  int64_t now_seconds = 0;
};

struct JwtResult {
  enum class Outcome { kValid, kInvalid, kInsufficientScope } outcome = Outcome::kInvalid;
  nlohmann::ordered_json claims;  // when valid
  std::vector<std::string> scopes;  // the token's scopes
  std::string error;              // why not, for the www-authenticate header
};

// `authorization` is the identity source's value: "Bearer <token>" or the bare token.
JwtResult VerifyJwt(std::string_view authorization, const JwksKeys& keys, const JwtRules& rules);

// Base64url without padding (RFC 7515); nullopt when malformed.
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace stratus::triggers::gateway
