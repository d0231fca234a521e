// Each runtime (Python, Node, a C++ `provided` binary) end to end through the Invoker: the
// payload echoed, the context object, the exact environment, errors and init errors.
#include <regex>
#include <set>

#include "tests/emulator/functions/fixture.h"

namespace stratus::fntest {
namespace {

std::string Yaml(const RuntimeCase& rc) {
  std::string y = "functions:\n" +
                  FunctionYaml(rc, "fn", "    timeout: 5\n    environment: { MY_VAR: mine }\n");
  if (rc.label != "c++") {
    y += FunctionYaml({rc.label, rc.runtime, "broken_import.handler", "", "", "", ""}, "badimport");
    y += FunctionYaml({rc.label, rc.runtime, "handler.no_such_handler", "", "", "", ""},
                      "nohandler");
  }
  return y;
}

// The environment stratus promises a function: the reserved variables, dummy credentials,
// AWS_ENDPOINT_URL, and the function's own; nothing else.
// "+NAME" for a name only in `got`, "-NAME" for one only in `want`.
std::string Diff(const std::set<std::string>& got, const std::set<std::string>& want) {
  std::string out;
  for (const auto& n : got) {
    if (!want.count(n)) out += " +" + n;
  }
  for (const auto& n : want) {
    if (!got.count(n)) out += " -" + n;
  }
  return out;
}

std::set<std::string> ExpectedEnvNames(const RuntimeCase& rc) {
  std::set<std::string> names = {
      "_HANDLER", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "AWS_LAMBDA_FUNCTION_NAME",
      "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
      "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_REGION",
      "AWS_DEFAULT_REGION", "TZ", "LANG", "PATH", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
      "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_LAMBDA_RUNTIME_API",
      "AWS_LAMBDA_INITIALIZATION_TYPE", "MY_VAR"};
  if (rc.label != "c++") names.insert("AWS_EXECUTION_ENV");
  return names;
}

void CheckSuccessAndContext(Fixture& f, const RuntimeCase& rc) {
  auto echo = f.Invoke("fn", R"({"action":"echo","n":[1,2,3],"s":"héllo"})");
  REQUIRE(echo.status.ok());
  CHECK_FALSE(echo.function_error);
  CHECK(echo.cold);
  CHECK(ParseJson(echo.payload) ==
        json{{"echo", {{"action", "echo"}, {"n", {1, 2, 3}}, {"s", "héllo"}}}});

  auto ctx_result = f.Invoke("fn", R"({"action":"context"})");
  REQUIRE(ctx_result.status.ok());
  CHECK_FALSE(ctx_result.cold);  // the same instance, warm
  json ctx = ParseJson(ctx_result.payload);
  CHECK(ctx["request_id"] == ctx_result.request_id);
  CHECK(ctx["function_name"] == "fn");
  CHECK(ctx["memory"] == "128");  // a string, as Lambda's runtimes give it
  CHECK(ctx["arn"] == "arn:aws:lambda:us-east-1:000000000000:function:fn");
  CHECK(ctx["remaining"].get<int64_t>() > 0);
  CHECK(ctx["log_group"] == "/aws/lambda/fn");
  CHECK(std::regex_match(ctx["log_stream"].get<std::string>(),
                         std::regex(R"(\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32})")));
  CHECK(ctx["version"] == "$LATEST");
}

void CheckEnvironment(Fixture& f, const RuntimeCase& rc) {
  auto result = f.Invoke("fn", R"({"action":"env"})");
  REQUIRE(result.status.ok());
  json env = ParseJson(result.payload);
  std::set<std::string> names;
  for (auto& [k, v] : env.items()) {
    if (k == "_X_AMZN_TRACE_ID") continue;  // runtimes set it per invocation
    // Python coerces a C locale (PEP 538) when en_US.UTF-8 is not installed on this machine,
    // setting LC_CTYPE in its own environment; the spawned environment is checked below.
    if (k == "LC_CTYPE" && rc.label == "python" && v == "C.UTF-8") continue;
    names.insert(k);
  }
  CHECK_MESSAGE(names == ExpectedEnvNames(rc), Diff(names, ExpectedEnvNames(rc)));
  CHECK_FALSE(env.contains("STRATUS_TEST_CANARY"));
  CHECK(env["MY_VAR"] == "mine");
  CHECK(env["AWS_LAMBDA_FUNCTION_NAME"] == "fn");
  CHECK(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "128");
  CHECK(env["AWS_LAMBDA_INITIALIZATION_TYPE"] == "on-demand");
  CHECK(env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:" + std::to_string(f.port()));
  CHECK(env["AWS_REGION"] == "us-east-1");
  CHECK(env["TZ"] == ":UTC");
  if (rc.label != "c++") CHECK(env["AWS_EXECUTION_ENV"] == "AWS_Lambda_" + rc.runtime);
  // The process's own environment as the kernel recorded it at exec: the same set exactly.
  auto pids = f.Pids("fn");
  REQUIRE(pids.size() == 1);
  std::set<std::string> spawned;
  for (auto& [k, v] : ProcessEnv(pids[0])) spawned.insert(k);
  CHECK_MESSAGE(spawned == ExpectedEnvNames(rc), Diff(spawned, ExpectedEnvNames(rc)));
}

void CheckErrors(Fixture& f, const RuntimeCase& rc) {
  auto error = f.Invoke("fn", R"({"action":"raise"})");
  REQUIRE(error.status.ok());
  CHECK(error.function_error);
  CHECK(error.error_type == rc.error_type);
  json body = ParseJson(error.payload);
  CHECK(body["errorType"] == rc.error_type);
  CHECK(body["errorMessage"] == rc.error_message);
  REQUIRE(body.contains(rc.trace_key));
  CHECK(body[rc.trace_key].is_array());
  if (rc.label != "c++") CHECK_FALSE(body[rc.trace_key].empty());
  // The instance survives a handled error.
  auto after = f.Invoke("fn", R"({"action":"echo"})");
  CHECK_FALSE(after.function_error);
  CHECK_FALSE(after.cold);
  if (rc.label == "c++") return;  // init errors are the interpreters' runtimes' business

  auto import = f.Invoke("badimport");
  REQUIRE(import.status.ok());
  CHECK(import.function_error);
  CHECK(import.cold);
  CHECK(import.error_type == "Runtime.ImportModuleError");
  CHECK(ParseJson(import.payload)["errorType"] == "Runtime.ImportModuleError");
  auto missing = f.Invoke("nohandler");
  REQUIRE(missing.status.ok());
  CHECK(missing.function_error);
  CHECK(missing.error_type == "Runtime.HandlerNotFound");
  CHECK(ParseJson(missing.payload)["errorType"] == "Runtime.HandlerNotFound");
  // An init error is reported on every call, each a new cold start.
  auto again = f.Invoke("nohandler");
  CHECK(again.error_type == "Runtime.HandlerNotFound");
}

TEST_CASE("every runtime runs a function: echo, context, environment, errors") {
  for (const RuntimeCase& rc : AllRuntimes()) {
    CAPTURE(rc.label);
    Fixture f(Yaml(rc), RuntimeFiles(), RuntimeOptions());
    CheckSuccessAndContext(f, rc);
    CheckEnvironment(f, rc);
    CheckErrors(f, rc);
  }
}

TEST_CASE("a Node streaming response is collected, and a streaming failure read from trailers") {
  RuntimeCase node = AllRuntimes()[1];
  std::string yaml = "functions:\n" +
                     FunctionYaml({"node", node.runtime, "handler.stream", "", "", "", ""},
                                  "stream") +
                     FunctionYaml({"node", node.runtime, "handler.streamfail", "", "", "", ""},
                                  "streamfail");
  Fixture f(yaml, RuntimeFiles());
  auto ok = f.Invoke("stream");
  REQUIRE(ok.status.ok());
  CHECK_FALSE(ok.function_error);
  CHECK(ok.payload == "hello streaming world");
  CHECK(ok.content_type == "text/plain");
  auto failed = f.Invoke("streamfail");
  REQUIRE(failed.status.ok());
  CHECK(failed.function_error);
  CHECK(failed.error_type == "Error");
  json body = ParseJson(failed.payload);
  CHECK(body["errorType"] == "Error");
  CHECK(body["errorMessage"] == "stream boom");
}

}  // namespace
}  // namespace stratus::fntest
