// Function: what stratus needs to start instances of one configured function: its config,
// ARN, the command line of its runtime, and its environment.
// Threading: built at start-up, then read-only (shared by its pool and instances).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "emulator/config/config.h"
#include "emulator/util/status.h"

namespace stratus::functions {

struct Function {
  config::FunctionConfig config;
  std::string arn;        // arn:aws:lambda:REGION:ACCOUNT:function:NAME
  std::string log_group;  // /aws/lambda/NAME
  std::vector<std::string> argv;  // argv[0] is an absolute path
  // The environment every instance gets, except what differs per instance
  // (AWS_LAMBDA_RUNTIME_API, AWS_LAMBDA_LOG_STREAM_NAME, AWS_LAMBDA_INITIALIZATION_TYPE).
  std::map<std::string, std::string> environment;
};

struct FunctionContext {
  std::string region = "us-east-1";
  std::string account = "000000000000";
  std::string endpoint_url;  // AWS_ENDPOINT_URL: the service port, so SDK calls reach stratus
  std::string runtimes_dir;  // where emulator/runtimes/ is
  std::map<std::string, std::string> interpreter_overrides;  // runtime -> path (`runtimes:`)
  std::string search_path;   // PATH used to find interpreters
};

// Resolves the runtime's command and environment. NotFound names a missing interpreter
// (with the names tried) or a missing `bootstrap` for provided runtimes.
Result<Function> MakeFunction(const config::FunctionConfig& config, const FunctionContext& context);

// Finds an executable on `search_path`, skipping version-manager shim directories (a pyenv
// shim costs tens of milliseconds per start) unless nothing else has it. Empty if none.
std::string FindExecutable(const std::string& name, const std::string& search_path);

// The directory of emulator/runtimes: $STRATUS_RUNTIMES_DIR, else the source tree's.
std::string DefaultRuntimesDir();

}  // namespace stratus::functions
