// Lambda's EventSourceMapping API for SQS sources (REST-JSON, on the service port):
// Create (202, State "Creating"), List (EventSourceArn/FunctionName filters, Marker/MaxItems),
// Get, Update (202) and Delete (202, State "Deleting"), with Lambda's error types.
#include <charconv>

#include <nlohmann/json.hpp>

#include "emulator/emulator.h"
#include "emulator/functions/invoke_api.h"
#include "emulator/http/router.h"
#include "emulator/util/json.h"
#include "triggers/queue/queue_mappings.h"
#include "triggers/queue/queue_protocols.h"
#include "triggers/queue/queue_service.h"

namespace stratus::triggers::queue {
namespace {

using nlohmann::json;

struct ApiContext {
  Emulator* emulator;
  Mappings* mappings;
};

http::Response LambdaApiError(const Status& status) {
  switch (status.code()) {
    case Status::Code::kNotFound:
      return functions::LambdaErrorResponse(404, "ResourceNotFoundException", status.message());
    case Status::Code::kInvalidArgument:
      return functions::LambdaErrorResponse(400, "InvalidParameterValueException", status.message());
    default:
      return functions::LambdaErrorResponse(500, "ServiceException", status.message());
  }
}

json ConfigurationJson(const MappingConfig& c, const Emulator& emulator, const char* state) {
  const auto& project = emulator.project();
  std::string prefix = "arn:aws:lambda:" + project.region + ":" + project.account + ":";
  json out = {
      {"UUID", c.uuid},
      {"BatchSize", c.batch_size},
      {"MaximumBatchingWindowInSeconds", c.window_ms / 1000},
      {"EventSourceArn", "arn:aws:sqs:" + project.region + ":" + project.account + ":" + c.queue},
      {"FunctionArn", prefix + "function:" + c.function},
      {"LastModified", static_cast<double>(c.modified_ms) / 1000.0},
      {"State", state},
      {"StateTransitionReason", "USER_INITIATED"},
      {"FunctionResponseTypes", c.report_failures ? json::array({"ReportBatchItemFailures"}) : json::array()},
      {"EventSourceMappingArn", prefix + "event-source-mapping:" + c.uuid},
  };
  if (c.max_concurrency > 0) out["ScalingConfig"] = {{"MaximumConcurrency", c.max_concurrency}};
  return out;
}

http::Response Configuration(int status, const MappingConfig& c, const Emulator& emulator,
                             const char* state) {
  return http::Response::Json(status, DumpJson(ConfigurationJson(c, emulator, state)));
}

// Reads CreateEventSourceMapping's body into `out`; the error response otherwise.
std::optional<http::Response> ParseCreate(const json& body, MappingConfig* out) {
  auto invalid = [](const std::string& message) {
    return functions::LambdaErrorResponse(400, "InvalidParameterValueException", message);
  };
  if (!body.is_object()) return invalid("The request body must be a JSON object.");
  json function = body.value("FunctionName", json()), arn = body.value("EventSourceArn", json());
  if (!function.is_string() || function.get<std::string>().empty()) {
    return invalid("FunctionName is required.");
  }
  if (!arn.is_string() || QueueNameFromArn(arn.get<std::string>()).empty()) {
    return invalid("EventSourceArn must be the ARN of an SQS queue.");
  }
  out->function = functions::FunctionNameFromIdentifier(function.get<std::string>());
  out->queue = QueueNameFromArn(arn.get<std::string>());
  json batch = body.value("BatchSize", json(10)), window = body.value("MaximumBatchingWindowInSeconds", json(0));
  if (!batch.is_number_integer() || !window.is_number_integer()) {
    return invalid("BatchSize and MaximumBatchingWindowInSeconds must be integers.");
  }
  out->batch_size = batch.get<int>();
  out->window_ms = window.get<int64_t>() * 1000;
  out->enabled = body.value("Enabled", json(true)).is_boolean() ? body.value("Enabled", true) : true;
  json types = body.value("FunctionResponseTypes", json::array());
  for (const auto& type : types) {
    if (type != "ReportBatchItemFailures") {
      return invalid("FunctionResponseTypes may only contain ReportBatchItemFailures.");
    }
    out->report_failures = true;
  }
  json scaling = body.value("ScalingConfig", json::object());
  if (scaling.is_object() && scaling.contains("MaximumConcurrency")) {
    if (!scaling["MaximumConcurrency"].is_number_integer()) return invalid("MaximumConcurrency must be an integer.");
    out->max_concurrency = scaling["MaximumConcurrency"].get<int>();
  }
  return std::nullopt;
}

std::string QueryParam(const std::string& query, const std::string& name) {
  std::vector<std::pair<std::string, std::string>> pairs;
  if (!ParseForm(query, &pairs)) return "";
  for (const auto& [key, value] : pairs) {
    if (key == name) return value;
  }
  return "";
}

void List(const ApiContext& api, const http::Request& request, http::Reply reply) {
  std::string arn = QueryParam(request.query, "EventSourceArn");
  std::string function = functions::FunctionNameFromIdentifier(QueryParam(request.query, "FunctionName"));
  std::string marker = QueryParam(request.query, "Marker");
  std::string max_text = QueryParam(request.query, "MaxItems");
  int max = 100;
  if (!max_text.empty()) {
    auto [end, ec] = std::from_chars(max_text.data(), max_text.data() + max_text.size(), max);
    if (ec != std::errc() || max < 1 || max > 10000) {
      reply.Send(LambdaApiError(Status::InvalidArgument("MaxItems must be between 1 and 10000.")));
      return;
    }
  }
  json list = json::array();
  bool past_marker = marker.empty();
  std::string next;
  for (const MappingConfig* c : api.mappings->List()) {
    if (!arn.empty() && QueueNameFromArn(arn) != c->queue) continue;
    if (!function.empty() && function != c->function) continue;
    if (!past_marker) {
      past_marker = c->uuid == marker;
      continue;
    }
    if (static_cast<int>(list.size()) == max) {
      next = list.back()["UUID"].get<std::string>();
      break;
    }
    list.push_back(ConfigurationJson(*c, *api.emulator, c->enabled ? "Enabled" : "Disabled"));
  }
  json body = {{"EventSourceMappings", list}};
  if (!next.empty()) body["NextMarker"] = next;
  reply.Send(http::Response::Json(200, DumpJson(body)));
}

}  // namespace

Status AddMappingRoutes(Emulator& emulator, Mappings& mappings) {
  ApiContext api{&emulator, &mappings};
  auto create = [api](http::RequestPtr request, http::Reply reply) {
    MappingConfig config;
    json body = json::parse(request->body, nullptr, /*allow_exceptions=*/false);
    if (auto error = ParseCreate(body, &config)) return reply.Send(std::move(*error));
    auto created = api.mappings->Create(std::move(config));
    if (!created.ok()) return reply.Send(LambdaApiError(created.status()));
    reply.Send(Configuration(202, **created, *api.emulator, "Creating"));
  };
  auto list = [api](http::RequestPtr request, http::Reply reply) { List(api, *request, std::move(reply)); };
  auto get = [api](http::RequestPtr request, http::Reply reply) {
    const MappingConfig* c = api.mappings->Get(request->params["uuid"]);
    if (c == nullptr) return reply.Send(LambdaApiError(Status::NotFound("The resource you requested does not exist.")));
    reply.Send(Configuration(200, *c, *api.emulator, c->enabled ? "Enabled" : "Disabled"));
  };
  auto update = [api](http::RequestPtr request, http::Reply reply) {
    json body = json::parse(request->body, nullptr, /*allow_exceptions=*/false);
    if (!body.is_object()) return reply.Send(LambdaApiError(Status::InvalidArgument("The request body must be a JSON object.")));
    auto updated = api.mappings->Update(request->params["uuid"], body);
    if (!updated.ok()) return reply.Send(LambdaApiError(updated.status()));
    reply.Send(Configuration(202, **updated, *api.emulator, (*updated)->enabled ? "Enabling" : "Disabling"));
  };
  auto remove = [api](http::RequestPtr request, http::Reply reply) {
    const MappingConfig* c = api.mappings->Get(request->params["uuid"]);
    if (c == nullptr) return reply.Send(LambdaApiError(Status::NotFound("The resource you requested does not exist.")));
    http::Response response = Configuration(202, *c, *api.emulator, "Deleting");
    (void)api.mappings->Delete(c->uuid);
    reply.Send(std::move(response));
  };
  http::Router& router = emulator.service_router();
  const std::string base = "/2015-03-31/event-source-mappings";
  STRATUS_RETURN_IF_ERROR(router.Add("POST", base + "/", create));
  STRATUS_RETURN_IF_ERROR(router.Add("POST", base, create));
  STRATUS_RETURN_IF_ERROR(router.Add("GET", base + "/", list));
  STRATUS_RETURN_IF_ERROR(router.Add("GET", base, list));
  STRATUS_RETURN_IF_ERROR(router.Add("GET", base + "/{uuid}", get));
  STRATUS_RETURN_IF_ERROR(router.Add("PUT", base + "/{uuid}", update));
  return router.Add("DELETE", base + "/{uuid}", remove);
}

}  // namespace stratus::triggers::queue
