#include "emulator/functions/function.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace stratus::functions {

namespace fs = std::filesystem;

namespace {

bool IsExecutableFile(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

// Interpreter names to try for a runtime, most specific first.
std::vector<std::string> InterpreterNames(const config::FunctionConfig& fn) {
  if (fn.family == config::RuntimeFamily::kPython) {
    return {fn.runtime, "python3"};  // python3.11, then python3
  }
  return {"node", "nodejs"};
}

Result<std::vector<std::string>> Command(const config::FunctionConfig& fn,
                                         const FunctionContext& context) {
  if (fn.family == config::RuntimeFamily::kProvided) {
    fs::path bootstrap = fs::path(fn.code_dir) / "bootstrap";
    if (!IsExecutableFile(bootstrap)) {
      return Status::NotFound("function '" + fn.name + "': no executable " + bootstrap.string() +
                              " (a " + fn.runtime + " function runs its bootstrap file)");
    }
    return std::vector<std::string>{bootstrap.string()};
  }
  std::string interpreter;
  auto override_it = context.interpreter_overrides.find(fn.runtime);
  std::vector<std::string> tried;
  if (override_it != context.interpreter_overrides.end()) {
    interpreter = IsExecutableFile(override_it->second) ? override_it->second : "";
    tried.push_back(override_it->second);
  } else {
    for (const auto& name : InterpreterNames(fn)) {
      tried.push_back(name);
      interpreter = FindExecutable(name, context.search_path);
      if (!interpreter.empty()) break;
    }
  }
  if (interpreter.empty()) {
    std::string names;
    for (const auto& t : tried) names += (names.empty() ? "" : ", ") + t;
    return Status::NotFound("function '" + fn.name + "': no interpreter for " + fn.runtime +
                            " (tried " + names + "; set runtimes: {" + fn.runtime +
                            ": /path/to/interpreter} in stratus.yaml)");
  }
  bool python = fn.family == config::RuntimeFamily::kPython;
  std::string bootstrap =
      context.runtimes_dir + (python ? "/python/bootstrap.py" : "/node/bootstrap.js");
  // -B: no .pyc files. A cached one whose source changed within the same second (same size)
  // would hide the change from --watch; Lambda's read-only code directory has none either.
  if (python) return std::vector<std::string>{interpreter, "-B", bootstrap};
  return std::vector<std::string>{interpreter, bootstrap};
}

std::string RuntimeSearchPath(const std::string& interpreter) {
  // Lambda's own PATH, with the interpreter's directory first so child processes the function
  // starts (python3, node) find the same one.
  std::string path = "/usr/local/bin:/usr/bin:/bin:/opt/bin";
  std::string dir = fs::path(interpreter).parent_path().string();
  if (!dir.empty() && path.find(dir + ":") != 0) path = dir + ":" + path;
  return path;
}

}  // namespace

std::string FindExecutable(const std::string& name, const std::string& search_path) {
  if (name.find('/') != std::string::npos) return IsExecutableFile(name) ? name : "";
  std::string shim;
  size_t start = 0;
  while (start <= search_path.size()) {
    size_t colon = search_path.find(':', start);
    std::string dir = search_path.substr(start, colon - start);
    start = colon == std::string::npos ? search_path.size() + 1 : colon + 1;
    if (dir.empty()) continue;
    fs::path candidate = fs::path(dir) / name;
    if (!IsExecutableFile(candidate)) continue;
    bool is_shim = fs::path(dir).filename() == "shims";
    if (!is_shim) return candidate.string();
    if (shim.empty()) shim = candidate.string();
  }
  return shim;
}

std::string DefaultRuntimesDir() {
  if (const char* dir = std::getenv("STRATUS_RUNTIMES_DIR"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  return STRATUS_SOURCE_RUNTIMES_DIR;
}

Result<Function> MakeFunction(const config::FunctionConfig& config, const FunctionContext& context) {
  auto argv = Command(config, context);
  if (!argv.ok()) return argv.status();
  Function fn;
  fn.config = config;
  fn.arn = "arn:aws:lambda:" + context.region + ":" + context.account + ":function:" + config.name;
  fn.log_group = "/aws/lambda/" + config.name;
  fn.argv = std::move(argv.value());
  auto& env = fn.environment;
  env = config.environment;  // reserved names were refused by the config check
  env["_HANDLER"] = config.handler;
  env["LAMBDA_TASK_ROOT"] = config.code_dir;
  env["LAMBDA_RUNTIME_DIR"] = context.runtimes_dir;
  env["AWS_LAMBDA_FUNCTION_NAME"] = config.name;
  env["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST";
  env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = std::to_string(config.memory);
  env["AWS_LAMBDA_LOG_GROUP_NAME"] = fn.log_group;
  env["AWS_REGION"] = context.region;
  env["AWS_DEFAULT_REGION"] = context.region;
  if (config.family != config::RuntimeFamily::kProvided) {
    env["AWS_EXECUTION_ENV"] = "AWS_Lambda_" + config.runtime;
  }
  env["TZ"] = ":UTC";
  env["LANG"] = "en_US.UTF-8";
  env["PATH"] = RuntimeSearchPath(fn.argv[0]);
  // Dummy credentials: SDKs inside the function sign requests; stratus accepts any.
  env["AWS_ACCESS_KEY_ID"] = "test";
  env["AWS_SECRET_ACCESS_KEY"] = "test";
  env["AWS_SESSION_TOKEN"] = "test";
  if (!context.endpoint_url.empty()) env["AWS_ENDPOINT_URL"] = context.endpoint_url;
  return fn;
}

}  // namespace stratus::functions
