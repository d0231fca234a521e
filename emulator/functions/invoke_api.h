// The Lambda API on the service port (REST-JSON, as the AWS CLI and SDKs call it):
//   POST /2015-03-31/functions/{name}/invocations      Invoke
//   GET  /2015-03-31/functions/                        ListFunctions
//   GET  /2015-03-31/functions/{name}                  GetFunction
//   GET  /2015-03-31/functions/{name}/configuration    GetFunctionConfiguration
// Errors carry Lambda's types (x-amzn-ErrorType and a JSON body). Threading: loop thread.
#pragma once

#include <string>

#include "emulator/http/message.h"

namespace stratus::http {
class Router;
}

namespace stratus::functions {

class Invoker;

// The 6 MB limit on a synchronous request payload (RequestResponse).
constexpr size_t kMaxSyncRequestBytes = 6 * 1024 * 1024;
// The 256 KB limit on an asynchronous one (Event).
constexpr size_t kMaxAsyncRequestBytes = 256 * 1024;

struct InvokeApiContext {
  std::string region;
  std::string account;
};

// Adds the routes; `invoker` must outlive the router.
void RegisterInvokeApi(http::Router& router, Invoker& invoker, InvokeApiContext context);

// A Lambda API error: `status`, x-amzn-ErrorType `type`, body {"Type": "User", "message"}.
// Other services on the Lambda API (event source mappings) answer with it too.
http::Response LambdaErrorResponse(int status, const std::string& type, const std::string& message);

// The function name in any form Lambda accepts: "name", "name:$LATEST", a partial ARN
// "000000000000:function:name" or a full ARN. Empty if malformed.
std::string FunctionNameFromIdentifier(const std::string& identifier);

}  // namespace stratus::functions
