#include "emulator/functions/invoke_api.h"

#include "emulator/util/json.h"

#include <sys/stat.h>

#include <ctime>

#include <nlohmann/json.hpp>

#include "emulator/functions/invoker.h"
#include "emulator/http/reply.h"
#include "emulator/http/router.h"
#include "emulator/util/base64.h"

namespace stratus::functions {

namespace {

using nlohmann::json;

http::Response LambdaError(int status, const std::string& type, const std::string& message,
                           const std::string& reason = "") {
  json body = {{"Type", "User"}, {"message", message}};
  if (!reason.empty()) body["Reason"] = reason;
  http::Response response = http::Response::Json(status, DumpJson(body));
  response.headers.Add("x-amzn-ErrorType", type);
  return response;
}

// The one place a non-OK Status becomes a Lambda API error.
http::Response ErrorFromStatus(const Status& status, const std::string& reason) {
  switch (status.code()) {
    case Status::Code::kNotFound:
      return LambdaError(404, "ResourceNotFoundException", status.message());
    case Status::Code::kResourceExhausted:
      return LambdaError(429, "TooManyRequestsException", status.message(), reason);
    case Status::Code::kInvalidArgument:
      return LambdaError(400, "InvalidParameterValueException", status.message());
    case Status::Code::kUnavailable:
      return LambdaError(503, "ServiceException", status.message());
    case Status::Code::kOk:
    case Status::Code::kAlreadyExists:
    case Status::Code::kFailedPrecondition:
    case Status::Code::kTimeout:
    case Status::Code::kIoError:
    case Status::Code::kInternal:
      break;
  }
  return LambdaError(500, "ServiceException", status.message());
}

// Lambda's LastModified format, from the code directory's modification time.
std::string LastModified(const std::string& code_dir) {
  struct stat info {};
  time_t when = ::stat(code_dir.c_str(), &info) == 0 ? info.st_mtime : 0;
  tm utc{};
  gmtime_r(&when, &utc);
  char buf[40];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S.000+0000", &utc);
  return buf;
}

json Configuration(const Function& fn, const InvokeApiContext& context) {
  const auto& c = fn.config;
  json env = json::object();
  for (const auto& [k, v] : c.environment) env[k] = v;
  json conf = {
      {"FunctionName", c.name},
      {"FunctionArn", fn.arn},
      {"Runtime", c.runtime},
      {"Role", "arn:aws:iam::" + context.account + ":role/lambda-role"},
      {"Handler", c.handler},
      {"CodeSize", 0},
      {"Description", ""},
      {"Timeout", std::chrono::duration_cast<std::chrono::seconds>(c.timeout).count()},
      {"MemorySize", c.memory},
      {"LastModified", LastModified(c.code_dir)},
      {"CodeSha256", ""},
      {"Version", "$LATEST"},
      {"Environment", {{"Variables", env}}},
      {"TracingConfig", {{"Mode", "PassThrough"}}},
      {"State", "Active"},
      {"LastUpdateStatus", "Successful"},
      {"PackageType", "Zip"},
      {"Architectures", {"x86_64"}},
      {"EphemeralStorage", {{"Size", 512}}},
  };
  return conf;
}

InvocationType ParseInvocationType(std::string_view text, bool* ok) {
  *ok = true;
  if (text.empty() || text == "RequestResponse") return InvocationType::kRequestResponse;
  if (text == "Event") return InvocationType::kEvent;
  if (text == "DryRun") return InvocationType::kDryRun;
  *ok = false;
  return InvocationType::kRequestResponse;
}

http::Response InvokeResponse(const InvokeRequest& request, InvokeResult result) {
  if (!result.status.ok()) return ErrorFromStatus(result.status, result.throttle_reason);
  http::Response response;
  if (request.type == InvocationType::kEvent) {
    response.status = 202;
  } else if (request.type == InvocationType::kDryRun) {
    response.status = 204;
  } else {
    response.status = 200;
    response.body = std::move(result.payload);
    response.headers.Add("Content-Type", result.content_type);
    response.headers.Add("X-Amz-Executed-Version", "$LATEST");
    if (result.function_error) response.headers.Add("X-Amz-Function-Error", "Unhandled");
    if (request.log_tail) response.headers.Add("X-Amz-Log-Result", Base64Encode(result.log_tail));
  }
  response.headers.Add("x-amzn-RequestId", result.request_id);
  return response;
}

// Builds the InvokeRequest from the HTTP request, or the error response to send.
std::optional<http::Response> ParseInvoke(const http::Request& http_request, InvokeRequest* out) {
  bool ok = false;
  out->type = ParseInvocationType(http_request.headers.Get("X-Amz-Invocation-Type").value_or(""), &ok);
  if (!ok) {
    return LambdaError(400, "InvalidParameterValueException",
                       "1 validation error detected: Value at 'invocationType' failed to satisfy "
                       "constraint: Member must satisfy enum value set: [Event, RequestResponse, "
                       "DryRun]");
  }
  out->log_tail = http_request.headers.Get("X-Amz-Log-Type").value_or("") == "Tail" &&
                  out->type == InvocationType::kRequestResponse;
  size_t limit = out->type == InvocationType::kEvent ? kMaxAsyncRequestBytes : kMaxSyncRequestBytes;
  if (http_request.body.size() > limit) {
    return LambdaError(413, "RequestTooLargeException",
                       "Request must be smaller than " + std::to_string(limit) +
                           " bytes for the InvokeFunction operation");
  }
  out->payload = http_request.body.empty() ? "{}" : http_request.body;
  if (!json::accept(out->payload)) {
    return LambdaError(400, "InvalidRequestContentException",
                       "Could not parse request body into json: Could not parse payload into json");
  }
  if (auto context = http_request.headers.Get("X-Amz-Client-Context")) {
    auto decoded = Base64Decode(*context);
    if (!decoded || !json::accept(*decoded)) {
      return LambdaError(400, "InvalidRequestContentException",
                         "Client context must be a valid Base64-encoded JSON object.");
    }
    out->client_context = *decoded;
  }
  out->source = "invoke-api";
  return std::nullopt;
}

}  // namespace

http::Response LambdaErrorResponse(int status, const std::string& type, const std::string& message) {
  return LambdaError(status, type, message);
}

std::string FunctionNameFromIdentifier(const std::string& identifier) {
  std::string id = identifier;
  auto fn = id.find("function:");
  if (fn != std::string::npos) id = id.substr(fn + 9);
  auto colon = id.find(':');  // a qualifier ($LATEST, a version or an alias)
  if (colon != std::string::npos) id = id.substr(0, colon);
  return id;
}

void RegisterInvokeApi(http::Router& router, Invoker& invoker, InvokeApiContext context) {
  http::RouteOptions invoke_options;
  invoke_options.body_limit = kMaxSyncRequestBytes + 1024 * 1024;  // 413 is ours to send
  auto invoke = [&invoker](http::RequestPtr request, http::Reply reply) {
    std::string name = FunctionNameFromIdentifier(request->params["name"]);
    InvokeRequest invoke_request;
    if (auto error = ParseInvoke(*request, &invoke_request)) {
      reply.Send(std::move(*error));
      return;
    }
    // What the response needs of the request; not a copy of its (up to 6 MB) payload.
    InvokeRequest echo;
    echo.type = invoke_request.type;
    echo.log_tail = invoke_request.log_tail;
    invoker.Invoke(name, std::move(invoke_request),
                   [reply, echo](InvokeResult result) { reply.Send(InvokeResponse(echo, std::move(result))); });
  };
  auto not_found = [](const std::string& name) {
    return LambdaError(404, "ResourceNotFoundException", "Function not found: " + name);
  };
  auto get_configuration = [&invoker, context, not_found](http::RequestPtr request, http::Reply reply) {
    std::string name = FunctionNameFromIdentifier(request->params["name"]);
    const Function* fn = invoker.Find(name);
    reply.Send(fn ? http::Response::Json(200, DumpJson(Configuration(*fn, context))) : not_found(name));
  };
  auto get_function = [&invoker, context, not_found](http::RequestPtr request, http::Reply reply) {
    std::string name = FunctionNameFromIdentifier(request->params["name"]);
    const Function* fn = invoker.Find(name);
    if (fn == nullptr) {
      reply.Send(not_found(name));
      return;
    }
    json body = {{"Configuration", Configuration(*fn, context)},
                 {"Code", {{"RepositoryType", "S3"}, {"Location", "file://" + fn->config.code_dir}}},
                 {"Tags", json::object()}};
    if (fn->config.concurrency) {
      body["Concurrency"] = {{"ReservedConcurrentExecutions", *fn->config.concurrency}};
    }
    reply.Send(http::Response::Json(200, DumpJson(body)));
  };
  auto list = [&invoker, context](http::RequestPtr request, http::Reply reply) {
    json functions = json::array();
    for (const Function* fn : invoker.List()) functions.push_back(Configuration(*fn, context));
    reply.Send(http::Response::Json(200, DumpJson(json{{"Functions", functions}})));
  };
  const std::string base = "/2015-03-31/functions";
  [[maybe_unused]] Status s1 = router.Add("POST", base + "/{name}/invocations", invoke, invoke_options);
  [[maybe_unused]] Status s2 = router.Add("GET", base + "/{name}/configuration", get_configuration);
  [[maybe_unused]] Status s3 = router.Add("GET", base + "/{name}", get_function);
  [[maybe_unused]] Status s4 = router.Add("GET", base + "/", list);
  [[maybe_unused]] Status s5 = router.Add("GET", base, list);
}

}  // namespace stratus::functions
