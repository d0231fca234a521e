// The Lambda Invoke API and the function-reading operations over HTTP on the service port.
#include "emulator/util/base64.h"
#include "tests/emulator/functions/fixture.h"

namespace stratus::fntest {
namespace {

const RuntimeCase kPython = AllRuntimes()[0];
constexpr char kInvoke[] = "/2015-03-31/functions/fn/invocations";

std::string Yaml() {
  return "functions:\n" +
         FunctionYaml(kPython, "fn",
                      "    memory: 256\n    timeout: 7\n    concurrency: 3\n"
                      "    environment: { STAGE: test }\n");
}

TEST_CASE("Invoke: RequestResponse, function errors, log tails, Event, DryRun") {
  Fixture f(Yaml(), RuntimeFiles());
  auto ok = f.Http("POST", kInvoke, R"({"action":"echo","x":1})");
  REQUIRE(ok);
  CHECK(ok->status == 200);
  CHECK(ok->Header("x-amz-executed-version") == "$LATEST");
  CHECK(ok->Header("x-amz-function-error").empty());
  CHECK(ok->Header("x-amzn-requestid").size() == 36);
  CHECK(ParseJson(ok->body)["echo"]["x"] == 1);

  auto error = f.Http("POST", kInvoke, R"({"action":"raise"})");
  REQUIRE(error);
  CHECK(error->status == 200);  // a function error is still a 200
  CHECK(error->Header("x-amz-function-error") == "Unhandled");
  CHECK(ParseJson(error->body)["errorType"] == "ValueError");

  auto tail = f.Http("POST", kInvoke, R"({"action":"print"})", "X-Amz-Log-Type: Tail\r\n");
  REQUIRE(tail);
  CHECK(tail->status == 200);
  auto logs = Base64Decode(tail->Header("x-amz-log-result"));
  REQUIRE(logs);
  CHECK(logs->size() <= 4096);
  std::string id = tail->Header("x-amzn-requestid");
  CHECK(logs->find("START RequestId: " + id + " Version: $LATEST") != std::string::npos);
  CHECK(logs->find("hello from the function") != std::string::npos);
  CHECK(logs->find("END RequestId: " + id) != std::string::npos);
  CHECK(logs->find("REPORT RequestId: " + id + "\tDuration: ") != std::string::npos);
  CHECK(ok->Header("x-amz-log-result").empty());  // only when asked

  auto event = f.Http("POST", kInvoke, R"({"action":"echo"})", "X-Amz-Invocation-Type: Event\r\n");
  REQUIRE(event);
  CHECK(event->status == 202);
  CHECK(event->body.empty());
  auto dry = f.Http("POST", kInvoke, "{}", "X-Amz-Invocation-Type: DryRun\r\n");
  REQUIRE(dry);
  CHECK(dry->status == 204);
}

TEST_CASE("Invoke: Lambda's errors for unknown functions, bad JSON, big payloads, bad types") {
  Fixture f(Yaml(), RuntimeFiles());
  // Bytes that are not UTF-8 in a name once crashed the JSON error writer.
  auto garbled = f.Http("POST", "/2015-03-31/functions/%FF%FE/invocations", "{}");
  REQUIRE(garbled);
  CHECK(garbled->status == 404);
  CHECK(garbled->body.find("Function not found: \xEF\xBF\xBD") != std::string::npos);
  auto missing = f.Http("POST", "/2015-03-31/functions/nope/invocations", "{}");
  REQUIRE(missing);
  CHECK(missing->status == 404);
  CHECK(missing->Header("x-amzn-errortype") == "ResourceNotFoundException");
  CHECK(ParseJson(missing->body).contains("message"));

  auto bad_json = f.Http("POST", kInvoke, "{not json");
  REQUIRE(bad_json);
  CHECK(bad_json->status == 400);
  CHECK(bad_json->Header("x-amzn-errortype") == "InvalidRequestContentException");

  std::string big = "\"" + std::string(6 * 1024 * 1024 + 10, 'a') + "\"";
  auto too_big = f.Http("POST", kInvoke, big);
  REQUIRE(too_big);
  CHECK(too_big->status == 413);
  CHECK(too_big->Header("x-amzn-errortype") == "RequestTooLargeException");

  auto bad_type = f.Http("POST", kInvoke, "{}", "X-Amz-Invocation-Type: Sometimes\r\n");
  REQUIRE(bad_type);
  CHECK(bad_type->status == 400);
  CHECK(bad_type->Header("x-amzn-errortype") == "InvalidParameterValueException");

  // The function still works, by name, qualified name or ARN.
  for (std::string name : {"fn", "fn:$LATEST", "arn:aws:lambda:us-east-1:000000000000:function:fn"}) {
    CAPTURE(name);
    auto r = f.Http("POST", "/2015-03-31/functions/" + name + "/invocations", R"({"action":"echo"})");
    REQUIRE(r);
    CHECK(r->status == 200);
  }
}

TEST_CASE("Invoke: a throttled call is a 429 TooManyRequestsException with its reason") {
  Fixture f("functions:\n" + FunctionYaml(kPython, "fn", "    concurrency: 1\n"), RuntimeFiles());
  auto slow = f.Start("fn", R"({"action":"sleep","seconds":30})");
  REQUIRE(WaitUntil([&] { return f.InstanceCount("fn") == 1; }));
  auto throttled = f.Http("POST", kInvoke, R"({"action":"echo"})");
  REQUIRE(throttled);
  CHECK(throttled->status == 429);
  CHECK(throttled->Header("x-amzn-errortype") == "TooManyRequestsException");
  CHECK(ParseJson(throttled->body)["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded");
}

TEST_CASE("ListFunctions, GetFunction and GetFunctionConfiguration have Lambda's shapes") {
  Fixture f(Yaml(), RuntimeFiles());
  auto list = f.Http("GET", "/2015-03-31/functions/");
  REQUIRE(list);
  CHECK(list->status == 200);
  json functions = ParseJson(list->body)["Functions"];
  REQUIRE(functions.size() == 1);
  json conf = functions[0];
  CHECK(conf["FunctionName"] == "fn");
  CHECK(conf["FunctionArn"] == "arn:aws:lambda:us-east-1:000000000000:function:fn");
  CHECK(conf["Runtime"] == kPython.runtime);
  CHECK(conf["Handler"] == "handler.handler");
  CHECK(conf["MemorySize"] == 256);
  CHECK(conf["Timeout"] == 7);
  CHECK(conf["Version"] == "$LATEST");
  CHECK(conf["State"] == "Active");
  CHECK(conf["Environment"]["Variables"] == json{{"STAGE", "test"}});

  auto get = f.Http("GET", "/2015-03-31/functions/fn");
  REQUIRE(get);
  CHECK(get->status == 200);
  json fn = ParseJson(get->body);
  CHECK(fn["Configuration"] == conf);
  CHECK(fn["Code"].contains("Location"));
  CHECK(fn["Concurrency"]["ReservedConcurrentExecutions"] == 3);

  auto configuration = f.Http("GET", "/2015-03-31/functions/fn/configuration");
  REQUIRE(configuration);
  CHECK(configuration->status == 200);
  CHECK(ParseJson(configuration->body) == conf);

  auto missing = f.Http("GET", "/2015-03-31/functions/nope");
  REQUIRE(missing);
  CHECK(missing->status == 404);
  CHECK(missing->Header("x-amzn-errortype") == "ResourceNotFoundException");
}

}  // namespace
}  // namespace stratus::fntest
