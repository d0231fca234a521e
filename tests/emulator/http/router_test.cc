#include "emulator/http/router.h"

#include <doctest/doctest.h>

namespace stratus::http {
namespace {

// Each route's handler answers with its own name, so a test can see which one was picked.
struct Table {
  Router router;
  Table(std::initializer_list<std::pair<std::string, std::string>> routes) {
    for (const auto& [method, pattern] : routes) {
      REQUIRE(router.Add(method, pattern, [](RequestPtr, Reply) {}).ok());
    }
  }
  std::string Pick(std::string_view method, std::string_view path) {
    auto match = router.Find(method, path);
    if (match.handler == nullptr) return match.path_matched ? "405" : "404";
    // Handlers are distinct objects in precedence order; find which one.
    std::string params;
    for (const auto& [k, v] : match.params) params += " " + k + "=" + v;
    return params.empty() ? "match" : params.substr(1);
  }
};

TEST_CASE("the most specific route wins") {
  Table t({{"GET", "/pets/{id}"},
           {"GET", "/pets/dog"},
           {"GET", "/pets/{id}/toys"},
           {"*", "/{proxy+}"},
           {"GET", "/files/{path+}"},
           {"POST", "/pets"}});
  struct Case {
    const char* method;
    const char* path;
    std::string expect;
  } cases[] = {
      {"GET", "/pets/dog", "match"},               // literal beats {id}
      {"GET", "/pets/cat", "id=cat"},              // {id}
      {"GET", "/pets/cat/toys", "id=cat"},
      {"GET", "/pets/a%2Fb", "id=a/b"},            // decoded after matching
      {"GET", "/files/a/b/c.txt", "path=a/b/c.txt"},  // greedy takes the rest
      {"GET", "/elsewhere/x", "proxy=elsewhere/x"},   // ANY greedy catch-all
      {"DELETE", "/pets", "proxy=pets"},              // ANY catches other methods
      {"POST", "/pets", "match"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.path);
    CHECK(t.Pick(c.method, c.path) == c.expect);
  }
}

TEST_CASE("no route: 404; path known for another method: 405 with the allowed methods") {
  Table t({{"GET", "/a/{id}"}, {"PUT", "/a/{id}"}, {"GET", "/b"}});
  CHECK(t.Pick("GET", "/c") == "404");
  CHECK(t.Pick("GET", "/a") == "404");
  CHECK(t.Pick("GET", "/a/1/2") == "404");
  CHECK(t.Pick("POST", "/b") == "405");
  auto match = t.router.Find("DELETE", "/a/1");
  CHECK(match.handler == nullptr);
  CHECK(match.allowed == std::vector<std::string>{"GET", "PUT"});
}

TEST_CASE("a method-specific route beats ANY on the same pattern") {
  Router r;
  int picked = 0;
  REQUIRE(r.Add("*", "/x", [&](RequestPtr, Reply) { picked = 1; }).ok());
  REQUIRE(r.Add("GET", "/x", [&](RequestPtr, Reply) { picked = 2; }).ok());
  (*r.Find("GET", "/x").handler)(nullptr, Reply());
  CHECK(picked == 2);
  (*r.Find("POST", "/x").handler)(nullptr, Reply());
  CHECK(picked == 1);
}

TEST_CASE("malformed patterns and duplicates are refused") {
  Router r;
  auto noop = [](RequestPtr, Reply) {};
  CHECK(r.Add("GET", "no-slash", noop).code() == Status::Code::kInvalidArgument);
  CHECK(r.Add("GET", "/{rest+}/more", noop).code() == Status::Code::kInvalidArgument);
  CHECK(r.Add("GET", "/{}", noop).code() == Status::Code::kInvalidArgument);
  CHECK(r.Add("GET", "/ok", noop).ok());
  CHECK(r.Add("GET", "/ok", noop).code() == Status::Code::kAlreadyExists);
  CHECK(r.size() == 1);
}

TEST_CASE("percent-decoding") {
  struct Case {
    const char* in;
    bool ok;
    const char* out;
  } cases[] = {{"a%20b", true, "a b"}, {"%2B+", true, "++"}, {"%e2%82%ac", true, "\xe2\x82\xac"},
               {"%", false, ""},        {"%4", false, ""},    {"%zz", false, ""}};
  for (const auto& c : cases) {
    std::string out;
    CAPTURE(c.in);
    CHECK(PercentDecode(c.in, &out) == c.ok);
    if (c.ok) CHECK(out == c.out);
  }
}

TEST_CASE("a guarded route takes only the requests its guard accepts; the rest fall through") {
  Router r;
  int picked = 0;
  RouteOptions queue_only;
  queue_only.guard = [](const Request& request) { return request.headers.Has("X-Amz-Target"); };
  REQUIRE(r.Add("*", "/{bucket}/{key+}", [&](RequestPtr, Reply) { picked = 1; }).ok());
  REQUIRE(r.Add("POST", "/{account}/{queue}", [&](RequestPtr, Reply) { picked = 2; },
                queue_only).ok());
  Request request;
  request.method = "POST";
  request.path = "/000000000000/jobs";
  (*r.Find(request).handler)(nullptr, Reply());
  CHECK(picked == 1);
  request.headers.Add("X-Amz-Target", "AmazonSQS.SendMessage");
  (*r.Find(request).handler)(nullptr, Reply());
  CHECK(picked == 2);
  // Without a request to look at, a guarded route never matches.
  (*r.Find("POST", "/000000000000/jobs").handler)(nullptr, Reply());
  CHECK(picked == 1);
}

}  // namespace
}  // namespace stratus::http
