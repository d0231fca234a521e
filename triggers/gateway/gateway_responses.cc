// The response side: a function's answer mapped to HTTP as API Gateway maps it, for payload
// format 2.0 (with response inference) and 1.0. A response API Gateway would refuse maps to
// nullopt, and the caller answers the API's own error (500 / 502).
#include <nlohmann/json.hpp>

#include "emulator/util/json.h"

#include <string>

#include "emulator/util/base64.h"
#include "triggers/gateway/gateway_events.h"

namespace stratus::triggers::gateway {
namespace {

using Json = nlohmann::json;

// A header value as API Gateway accepts it: a string, or a scalar it prints.
std::optional<std::string> HeaderValue(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number() || value.is_boolean()) return DumpJson(value);
  return std::nullopt;
}

Json Parse(const std::string& payload) {
  try {
    return Json::parse(payload);
  } catch (const Json::exception&) {
    return Json::value_t::discarded;
  }
}

// statusCode, headers, multiValueHeaders, body and isBase64Encoded: the part both formats
// share. A base64 body is decoded when `decode_base64`. Returns false for a field of the
// wrong type.
bool MapCommon(const Json& object, bool decode_base64, http::Response* response) {
  const Json& status = object["statusCode"];
  if (status.is_number_integer()) {
    response->status = status.get<int>();
  } else if (status.is_string()) {
    try {
      response->status = std::stoi(status.get<std::string>());
    } catch (const std::exception&) {
      return false;
    }
  } else {
    return false;
  }
  if (response->status < 100 || response->status > 599) return false;
  // multiValueHeaders win over headers for the same name, as API Gateway merges them.
  if (auto it = object.find("headers"); it != object.end() && !it->is_null()) {
    if (!it->is_object()) return false;
    for (const auto& [name, value] : it->items()) {
      if (object.contains("multiValueHeaders") && object["multiValueHeaders"].is_object() &&
          object["multiValueHeaders"].contains(name)) {
        continue;
      }
      auto text = HeaderValue(value);
      if (!text) return false;
      response->headers.Add(name, *text);
    }
  }
  if (auto it = object.find("multiValueHeaders"); it != object.end() && !it->is_null()) {
    if (!it->is_object()) return false;
    for (const auto& [name, values] : it->items()) {
      if (!values.is_array()) return false;
      for (const auto& value : values) {
        auto text = HeaderValue(value);
        if (!text) return false;
        response->headers.Add(name, *text);
      }
    }
  }
  bool base64 = false;
  if (auto it = object.find("isBase64Encoded"); it != object.end() && !it->is_null()) {
    if (!it->is_boolean()) return false;
    base64 = it->get<bool>();
  }
  if (auto it = object.find("body"); it != object.end() && !it->is_null()) {
    if (!it->is_string()) return false;
    std::string body = it->get<std::string>();
    if (base64 && decode_base64) {
      auto decoded = Base64Decode(body);
      if (!decoded) return false;
      body = std::move(*decoded);
    }
    response->body = std::move(body);
  }
  return true;
}

// Inference: any valid JSON without a statusCode is a 200 JSON body; a string is the body
// itself (AWS's own example: "Hello from Lambda!").
http::Response InferredResponse(const std::string& payload, const Json* parsed) {
  http::Response response;
  response.status = 200;
  response.headers.Add("Content-Type", "application/json");
  response.body = parsed != nullptr && parsed->is_string() ? parsed->get<std::string>() : payload;
  return response;
}

}  // namespace

std::optional<http::Response> MapHttpResponse(const std::string& payload) {
  // Data that is neither a string nor spells statusCode (not even with \u escapes) needs
  // only its validity checked, not a tree: a function returning its data is never parsed.
  size_t first = payload.find_first_not_of(" \t\r\n");
  bool is_string = first != std::string::npos && payload[first] == '"';
  if (!is_string && payload.find("statusCode") == std::string::npos &&
      payload.find("\\u") == std::string::npos) {
    if (!Json::accept(payload)) return std::nullopt;
    return InferredResponse(payload, nullptr);
  }
  Json parsed = Parse(payload);
  if (parsed.is_discarded()) return std::nullopt;
  if (!parsed.is_object() || !parsed.contains("statusCode")) {
    return InferredResponse(payload, &parsed);
  }
  http::Response response;
  if (!MapCommon(parsed, /*decode_base64=*/true, &response)) return std::nullopt;
  if (auto it = parsed.find("cookies"); it != parsed.end() && !it->is_null()) {
    if (!it->is_array()) return std::nullopt;
    for (const auto& cookie : *it) {
      if (!cookie.is_string()) return std::nullopt;
      response.headers.Add("Set-Cookie", cookie.get<std::string>());
    }
  }
  if (!response.headers.Has("Content-Type") && !response.body.empty()) {
    response.headers.Add("Content-Type", "text/plain; charset=utf-8");
  }
  return response;
}

std::optional<http::Response> MapRestResponse(const std::string& payload, bool decode_base64) {
  Json parsed = Parse(payload);
  if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains("statusCode")) {
    return std::nullopt;
  }
  http::Response response;
  if (!MapCommon(parsed, decode_base64, &response)) return std::nullopt;
  if (!response.headers.Has("Content-Type")) {
    response.headers.Add("Content-Type", "application/json");
  }
  return response;
}

}  // namespace stratus::triggers::gateway
