// The Runtime API's protocol edges, driven by the test itself acting as a (misbehaving)
// runtime: the function's `bootstrap` only sleeps, and the test talks to its instance's
// listener, found from AWS_LAMBDA_RUNTIME_API in the process's environment.
#include "emulator/util/base64.h"
#include "tests/emulator/functions/fixture.h"

namespace stratus::fntest {
namespace {

using testing::RawClient;
using testing::RawResponse;

constexpr char kNext[] = "/2018-06-01/runtime/invocation/next";

std::string Invocation(const std::string& id, const std::string& what) {
  return "/2018-06-01/runtime/invocation/" + id + "/" + what;
}

std::string Post(const std::string& path, const std::string& body, const std::string& extra = "") {
  return "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + extra +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

RawResponse Exchange(RawClient& client, const std::string& request) {
  INFO(request.substr(0, request.find("\r\n")));
  client.Send(request);
  auto response = client.Read(std::chrono::seconds(20));
  REQUIRE(response);
  return *response;
}

std::string ErrorType(const RawResponse& r) { return ParseJson(r.body)["errorType"]; }

class RawRuntime {
 public:
  RawRuntime()
      : f_("functions:\n  raw:\n    runtime: provided\n    code: raw\n    timeout: 30\n",
           {{"raw/bootstrap", "#!/bin/sh\nexec sleep 600\n"}}, Options()) {}

  static FixtureOptions Options() {
    FixtureOptions options;
    options.executable = {"raw/bootstrap"};
    return options;
  }

  // The Runtime API port of the one live instance, once its process has exec'd.
  int Port() {
    std::string api;
    REQUIRE(WaitUntil([&] {
      auto pids = f_.Pids("raw");
      if (pids.size() != 1 || pids[0] <= 0) return false;
      api = ProcessEnv(pids[0])["AWS_LAMBDA_RUNTIME_API"];
      return !api.empty();
    }));
    return std::atoi(api.substr(api.rfind(':') + 1).c_str());
  }

  Fixture& f() { return f_; }

 private:
  Fixture f_;
};

InvokeResult Await(std::shared_future<InvokeResult>& future) {
  REQUIRE(future.wait_for(std::chrono::seconds(20)) == std::future_status::ready);
  return future.get();
}

TEST_CASE("the Runtime API refuses what the protocol forbids and hands over events exactly") {
  RawRuntime runtime;
  auto call = runtime.f().Start("raw", R"({"k":"v"})");
  int port = runtime.Port();
  RawClient client(port);

  // A response before any /next: no invocation is open.
  auto early = Exchange(client, Post(Invocation("some-id", "response"), "{}"));
  CHECK(early.status == 403);
  CHECK(ErrorType(early) == "InvalidStateTransition");

  auto next = Exchange(client, "GET " + std::string(kNext) + " HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE(next.status == 200);
  CHECK(next.Header("content-type") == "application/json");
  std::string id = next.Header("lambda-runtime-aws-request-id");
  CHECK(id.size() == 36);
  int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  CHECK(std::atoll(next.Header("lambda-runtime-deadline-ms").c_str()) > now_ms);
  CHECK(next.Header("lambda-runtime-invoked-function-arn") ==
        "arn:aws:lambda:us-east-1:000000000000:function:raw");
  CHECK(next.Header("lambda-runtime-trace-id").rfind("Root=1-", 0) == 0);
  CHECK(ParseJson(next.body) == json{{"k", "v"}});

  auto wrong = Exchange(client, Post(Invocation("not-" + id, "response"), "{}"));
  CHECK(wrong.status == 400);
  CHECK(ErrorType(wrong) == "InvalidRequestID");

  // An error without Lambda-Runtime-Function-Error-Type (as AWS's Node client posts it).
  auto error = Exchange(client, Post(Invocation(id, "error"),
                                     R"({"errorType":"MyError","errorMessage":"bad","trace":[]})"));
  CHECK(error.status == 202);
  InvokeResult result = Await(call);
  CHECK(result.request_id == id);
  CHECK(result.function_error);
  CHECK(result.cold);
  CHECK(result.error_type == "MyError");
  CHECK(ParseJson(result.payload)["errorMessage"] == "bad");

  // A second answer to the same invocation is refused.
  auto twice = Exchange(client, Post(Invocation(id, "response"), "{}"));
  CHECK(twice.status == 403);
  CHECK(ErrorType(twice) == "InvalidStateTransition");
  // Init is over: an init error now is refused too.
  auto late_init = Exchange(client, Post("/2018-06-01/runtime/init/error", "{}",
                                         "Lambda-Runtime-Function-Error-Type: X\r\n"));
  CHECK(late_init.status == 403);

  // A body over 6 MiB + 100 bytes: 413, and the call fails with ResponseSizeTooLarge.
  auto big_call = runtime.f().Start("raw", "{}");
  auto next2 = Exchange(client, "GET " + std::string(kNext) + " HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE(next2.status == 200);
  std::string id2 = next2.Header("lambda-runtime-aws-request-id");
  {
    RawClient big_client(port);
    std::string body(6 * 1024 * 1024 + 101, 'x');
    auto too_large = Exchange(big_client, Post(Invocation(id2, "response"), body));
    CHECK(too_large.status == 413);
    CHECK(ErrorType(too_large) == "RequestEntityTooLarge");
  }
  InvokeResult big = Await(big_call);
  CHECK(big.function_error);
  CHECK(big.error_type == "Function.ResponseSizeTooLarge");

  // The runtime goes on: the next event is delivered warm and answered normally.
  auto ok_call = runtime.f().Start("raw", "{}");
  auto next3 = Exchange(client, "GET " + std::string(kNext) + " HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE(next3.status == 200);
  std::string id3 = next3.Header("lambda-runtime-aws-request-id");
  CHECK(id3 != id2);
  auto fine = Exchange(client, Post(Invocation(id3, "response"), R"("fine")"));
  CHECK(fine.status == 202);
  InvokeResult ok = Await(ok_call);
  CHECK_FALSE(ok.function_error);
  CHECK_FALSE(ok.cold);
  CHECK(ok.payload == R"("fine")");
}

TEST_CASE("an init error fails the invocation that caused the cold start, with its type") {
  RawRuntime runtime;
  auto call = runtime.f().Start("raw", "{}");
  int port = runtime.Port();
  pid_t pid = runtime.f().Pids("raw")[0];
  RawClient client(port);
  auto init = Exchange(client, Post("/2018-06-01/runtime/init/error",
                                    R"({"errorType":"Runtime.Custom","errorMessage":"no init"})",
                                    "Lambda-Runtime-Function-Error-Type: Runtime.Custom\r\n"));
  CHECK(init.status == 202);
  ::kill(pid, SIGTERM);  // a runtime exits after reporting its init error
  InvokeResult result = Await(call);
  CHECK(result.function_error);
  CHECK(result.cold);
  CHECK(result.error_type == "Runtime.Custom");
  CHECK(ParseJson(result.payload)["errorMessage"] == "no init");
}

TEST_CASE("a streamed response with an error in its trailers fails the invocation") {
  RawRuntime runtime;
  auto call = runtime.f().Start("raw", "{}");
  RawClient client(runtime.Port());
  auto next = Exchange(client, "GET " + std::string(kNext) + " HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE(next.status == 200);
  std::string id = next.Header("lambda-runtime-aws-request-id");
  std::string error_body = R"({"errorType":"Error","errorMessage":"stream boom","trace":[]})";
  std::string request =
      "POST " + Invocation(id, "response") +
      " HTTP/1.1\r\nHost: x\r\nLambda-Runtime-Function-Response-Mode: streaming\r\n"
      "Trailer: Lambda-Runtime-Function-Error-Type\r\nTrailer: Lambda-Runtime-Function-Error-Body\r\n"
      "Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
      "8\r\npartial \r\n0\r\nLambda-Runtime-Function-Error-Type: Error\r\n"
      "Lambda-Runtime-Function-Error-Body: " +
      Base64Encode(error_body) + "\r\n\r\n";
  auto posted = Exchange(client, request);
  CHECK(posted.status == 202);
  InvokeResult result = Await(call);
  CHECK(result.function_error);
  CHECK(result.error_type == "Error");
  CHECK(ParseJson(result.payload)["errorMessage"] == "stream boom");
}

}  // namespace
}  // namespace stratus::fntest
