// `functions:`: each function's settings and environment (events are in event_config.cc,
// `async:` in async_config.cc).
#include <cctype>
#include <climits>
#include <filesystem>

#include "emulator/config/config_internal.h"

namespace stratus::config {

namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

// A function being read, with the positions the checks after reading need.
struct FunctionDraft {
  FunctionConfig fn;
  std::string code;
  Position handler_at;
  Position provisioned_at;
  bool has_runtime = false;
};

// Variables Lambda sets itself (AWS "Defined runtime environment variables"); every
// AWS_LAMBDA_* name is reserved as well.
constexpr std::string_view kReservedVariables[] = {
    "_HANDLER",           "_X_AMZN_TRACE_ID",   "AWS_DEFAULT_REGION", "AWS_REGION",
    "AWS_EXECUTION_ENV",  "AWS_ACCESS_KEY",     "AWS_ACCESS_KEY_ID",  "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",  "LAMBDA_TASK_ROOT",   "LAMBDA_RUNTIME_DIR",
};

bool IsReservedVariable(std::string_view name) {
  if (name.starts_with("AWS_LAMBDA_")) return true;
  for (std::string_view reserved : kReservedVariables) {
    if (name == reserved) return true;
  }
  return false;
}

bool IsVariableName(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

bool IsFunctionName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

// True when `s` is `prefix` + a number >= `min` + `suffix`.
bool IsVersioned(std::string_view s, std::string_view prefix, std::string_view suffix, int min) {
  if (!s.starts_with(prefix) || !s.ends_with(suffix)) return false;
  std::string_view digits = s.substr(prefix.size(), s.size() - prefix.size() - suffix.size());
  if (digits.empty() || digits.size() > 4 || digits[0] == '0') return false;
  for (char c : digits) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return std::stoi(std::string(digits)) >= min;
}

Status ReadEnvironment(const Reader& r, const Entry& e, FunctionConfig& fn) {
  Result<std::vector<Entry>> vars = MapEntries(r, e.value, e.value_position, "'environment'");
  if (!vars.ok()) return vars.status();
  for (const Entry& var : *vars) {
    if (!IsVariableName(var.key)) {
      return r.Error(var.key_position, "environment variable name '" + var.key +
                                           "' must match [A-Za-z_][A-Za-z0-9_]*");
    }
    if (IsReservedVariable(var.key)) {
      return r.Error(var.key_position, "environment variable '" + var.key +
                                           "' is reserved by Lambda and cannot be set");
    }
    if (!var.value.IsScalar()) {
      return r.Error(var.value_position, "environment variable '" + var.key +
                                             "' must be a string, number or bool, got " +
                                             Describe(var.value));
    }
    fn.environment[var.key] = var.value.Scalar();
  }
  return Status::Ok();
}

// Reads an integer field into `member` of the function.
template <int FunctionConfig::*member, int64_t min, int64_t max>
Status ReadIntField(const Reader& r, const Entry& e, FunctionDraft& d) {
  Result<int64_t> v = ReadInt(r, e, min, max);
  if (!v.ok()) return v.status();
  d.fn.*member = static_cast<int>(*v);
  return Status::Ok();
}

constexpr Field<FunctionDraft> kFunctionFields[] = {
    {"runtime",
     [](const Reader& r, const Entry& e, FunctionDraft& d) {
       Result<std::string> v = ReadName(r, e);
       if (!v.ok()) return v.status();
       Result<RuntimeFamily> family = CheckRuntime(r, e.value_position, *v);
       if (!family.ok()) return family.status();
       d.fn.runtime = *v;
       d.fn.family = *family;
       d.has_runtime = true;
       return Status::Ok();
     }},
    {"handler",
     [](const Reader& r, const Entry& e, FunctionDraft& d) {
       Result<std::string> v = ReadName(r, e);
       if (!v.ok()) return v.status();
       d.fn.handler = *v;
       d.handler_at = e.value_position;
       return Status::Ok();
     }},
    {"code",
     [](const Reader& r, const Entry& e, FunctionDraft& d) {
       Result<std::string> v = ReadName(r, e);
       if (!v.ok()) return v.status();
       d.code = *v;
       return Status::Ok();
     }},
    {"memory", ReadIntField<&FunctionConfig::memory, 128, 10240>},
    {"architecture",
     [](const Reader& r, const Entry& e, FunctionDraft& d) {
       Result<std::string> v = ReadChoice(r, e, {"x86_64", "arm64"});
       if (!v.ok()) return v.status();
       d.fn.architecture = *v;
       return Status::Ok();
     }},
    {"timeout",
     [](const Reader& r, const Entry& e, FunctionDraft& d) {
       Result<milliseconds> v = ReadDuration(r, e, seconds(1), seconds(900));
       if (!v.ok()) return v.status();
       d.fn.timeout = *v;
       return Status::Ok();
     }},
    {"concurrency",
     [](const Reader& r, const Entry& e, FunctionDraft& d) {
       Result<int64_t> v = ReadInt(r, e, 1, INT_MAX);
       if (!v.ok()) return v.status();
       d.fn.concurrency = static_cast<int>(*v);
       return Status::Ok();
     }},
    {"provisioned",
     [](const Reader& r, const Entry& e, FunctionDraft& d) {
       d.provisioned_at = e.value_position;
       return ReadIntField<&FunctionConfig::provisioned, 0, INT_MAX>(r, e, d);
     }},
    {"keep_alive",
     [](const Reader& r, const Entry& e, FunctionDraft& d) {
       Result<milliseconds> v = ReadDuration(r, e, milliseconds(0), hours(24));
       if (!v.ok()) return v.status();
       d.fn.keep_alive = *v;
       return Status::Ok();
     }},
    {"environment",
     [](const Reader& r, const Entry& e, FunctionDraft& d) {
       return ReadEnvironment(r, e, d.fn);
     }},
    {"events",
     [](const Reader& r, const Entry& e, FunctionDraft& d) { return ReadEvents(r, e, d.fn); }},
    {"async",
     [](const Reader& r, const Entry& e, FunctionDraft& d) { return ReadAsync(r, e, d.fn); }},
};

// The checks that need several keys, once the whole function has been read.
Status FinishFunction(const Reader& r, const std::string& project_dir, FunctionDraft& d) {
  FunctionConfig& fn = d.fn;
  const std::string what = "function '" + fn.name + "'";
  if (!d.has_runtime) {
    return r.Error(fn.position,
                   what + " needs a 'runtime' (like python3.12, nodejs20.x or provided.al2023)");
  }
  if (fn.family == RuntimeFamily::kProvided) {
    if (fn.handler.empty()) fn.handler = "bootstrap";
  } else if (fn.handler.empty()) {
    return r.Error(fn.position, what + " needs a 'handler' like 'src/app.handler' for runtime '" +
                                    fn.runtime + "'");
  } else {
    size_t dot = fn.handler.rfind('.');
    size_t slash = fn.handler.rfind('/');
    if (dot == std::string::npos || dot + 1 == fn.handler.size() ||
        (slash != std::string::npos && dot < slash) || dot == slash + 1) {
      return r.Error(d.handler_at, "'handler' must look like 'path/module.function', got '" +
                                       fn.handler + "'");
    }
  }
  if (fn.concurrency && fn.provisioned > *fn.concurrency) {
    return r.Error(d.provisioned_at, "'provisioned' (" + std::to_string(fn.provisioned) +
                                         ") must not exceed 'concurrency' (" +
                                         std::to_string(*fn.concurrency) + ")");
  }
  std::filesystem::path code = d.code.empty() ? std::filesystem::path(project_dir)
                                              : std::filesystem::path(project_dir) / d.code;
  fn.code_dir = code.lexically_normal().string();
  while (fn.code_dir.size() > 1 && fn.code_dir.back() == '/') fn.code_dir.pop_back();
  return Status::Ok();
}

}  // namespace

Result<RuntimeFamily> CheckRuntime(const Reader& r, Position at, const std::string& runtime) {
  if (IsVersioned(runtime, "python3.", "", 8)) return RuntimeFamily::kPython;
  if (IsVersioned(runtime, "nodejs", ".x", 16)) return RuntimeFamily::kNode;
  if (runtime == "provided" || runtime == "provided.al2" || runtime == "provided.al2023") {
    return RuntimeFamily::kProvided;
  }
  static const std::vector<std::string> kKnown = {
      "python3.8",  "python3.9",  "python3.10", "python3.11", "python3.12",   "python3.13",
      "nodejs16.x", "nodejs18.x", "nodejs20.x", "nodejs22.x", "provided",     "provided.al2",
      "provided.al2023"};
  std::string nearest = NearestMatch(runtime, kKnown);
  return r.Error(at, "unsupported runtime '" + runtime + "'" +
                         (nearest.empty() ? " (use python3.N from python3.8, nodejsN.x from "
                                            "nodejs16.x, provided, provided.al2 or "
                                            "provided.al2023)"
                                          : " (did you mean '" + nearest + "'?)"));
}

Status ReadFunctions(const Reader& r, const Entry& e, ProjectConfig& out) {
  Result<std::vector<Entry>> functions = MapEntries(r, e.value, e.value_position, "'functions'");
  if (!functions.ok()) return functions.status();
  for (const Entry& f : *functions) {
    if (!IsFunctionName(f.key)) {
      return r.Error(f.key_position, "function name '" + f.key +
                                         "' must be 1 to 64 letters, digits, '-' or '_'");
    }
    FunctionDraft draft;
    draft.fn.name = f.key;
    draft.fn.position = f.key_position;
    STRATUS_RETURN_IF_ERROR(ReadFields<FunctionDraft>(r, f.value, f.value_position,
                                                      "function '" + f.key + "'",
                                                      kFunctionFields, draft));
    STRATUS_RETURN_IF_ERROR(FinishFunction(r, out.project_dir, draft));
    out.functions[f.key] = std::move(draft.fn);
  }
  return Status::Ok();
}

}  // namespace stratus::config
