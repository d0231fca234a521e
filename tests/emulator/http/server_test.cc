// The HTTP server driven with raw bytes from a blocking client on the test's thread, while
// the server runs on a loop thread with a virtual clock (timeouts are skipped, not waited).
#include "emulator/http/server.h"

#include <doctest/doctest.h>

#include <atomic>
#include <future>

#include "emulator/http/connection.h"
#include "tests/support/loop_thread.h"
#include "tests/support/raw_client.h"

namespace stratus::http {
namespace {

using testing::LoopThread;
using testing::RawClient;
using testing::RoundTrip;
using std::chrono::milliseconds;
using std::chrono::seconds;

struct Fixture {
  LoopThread lt{/*virtual_clock=*/true};
  Router router;
  std::unique_ptr<Server> server;
  int port = 0;
  std::vector<Timer> timers;  // loop thread only
  std::atomic<int> slow_started{0};

  explicit Fixture(ServerLimits limits = {}) {
    AddRoutes();
    port = lt.Run([&] {
      server = std::make_unique<Server>(lt.loop(), lt.clock(), router, limits);
      return server->Listen("127.0.0.1", 0).value();
    });
  }
  ~Fixture() {
    std::promise<void> closed;
    lt.Run([&] {
      server->Shutdown(seconds(0), [&] { closed.set_value(); });
      return 0;
    });
    closed.get_future().wait();
    lt.Run([&] {
      timers.clear();
      server.reset();
      return 0;
    });
  }

  void AddRoutes() {
    auto echo = [](RequestPtr req, Reply reply) {
      Response r = Response::Text(200, req->method + " " + req->target + " " + req->body);
      reply.Send(std::move(r));
    };
    REQUIRE(router.Add("*", "/echo", echo).ok());
    REQUIRE(router.Add("GET", "/items/{id}", [](RequestPtr req, Reply reply) {
      reply.Send(Response::Text(200, "item " + req->params["id"]));
    }).ok());
    // Answers after `ms` milliseconds of (virtual or real) clock time.
    REQUIRE(router.Add("GET", "/slow/{ms}", [this](RequestPtr req, Reply reply) {
      auto delay = milliseconds(std::stoi(req->params["ms"]));
      ++slow_started;
      timers.push_back(lt.clock().After(delay, [reply, req] {
        reply.Send(Response::Text(200, "slow " + req->params["ms"]));
      }));
    }).ok());
    RouteOptions small;
    small.body_limit = 16;
    REQUIRE(router.Add("POST", "/small", [](RequestPtr req, Reply reply) {
      reply.Send(Response::Text(200, "got " + std::to_string(req->body.size())));
    }, small).ok());
    REQUIRE(router.Add("GET", "/forgets", [](RequestPtr, Reply) {}).ok());
  }

  void Advance(Clock::Duration d) {
    lt.Run([&] {
      lt.virtual_clock().Advance(d);
      return 0;
    });
  }
  size_t Connections() {
    return lt.Run([&] { return server->connection_count(); });
  }
};

const std::string kGetEcho = "GET /echo HTTP/1.1\r\nHost: x\r\n\r\n";

TEST_CASE("routes, parameters, 404 and 405") {
  Fixture f;
  auto ok = RoundTrip(f.port, "GET /items/a%20b HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE(ok);
  CHECK(ok->status == 200);
  CHECK(ok->body == "item a b");

  auto missing = RoundTrip(f.port, "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE(missing);
  CHECK(missing->status == 404);
  CHECK(missing->body == R"({"message":"Not Found"})");

  auto wrong_method = RoundTrip(f.port, "DELETE /items/1 HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE(wrong_method);
  CHECK(wrong_method->status == 405);
  CHECK(wrong_method->Header("allow") == "GET");
}

TEST_CASE("keep-alive: several requests on one connection") {
  Fixture f;
  RawClient c(f.port);
  for (int i = 0; i < 5; ++i) {
    c.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n" + std::to_string(i));
    auto r = c.Read();
    REQUIRE(r);
    CHECK(r->body == "POST /echo " + std::to_string(i));
    CHECK(r->Header("connection") != "close");
  }
  CHECK(f.Connections() == 1);
}

TEST_CASE("pipelined requests are answered in order even when the first is slow") {
  Fixture f;
  RawClient c(f.port);
  c.Send("GET /slow/30 HTTP/1.1\r\nHost: x\r\n\r\n"
         "GET /items/2 HTTP/1.1\r\nHost: x\r\n\r\n"
         "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
         "GET /items/4 HTTP/1.1\r\nHost: x\r\n\r\n");
  std::vector<std::string> bodies;
  for (int i = 0; i < 4; ++i) {
    auto r = c.Read();
    REQUIRE(r);
    bodies.push_back(r->body);
  }
  CHECK(bodies == std::vector<std::string>{"slow 30", "item 2", "POST /echo abc", "item 4"});
}

TEST_CASE("HTTP/1.0 and Connection: close end the connection after the response") {
  Fixture f;
  {
    RawClient c(f.port);
    c.Send("GET /echo HTTP/1.0\r\n\r\n");
    auto r = c.Read();
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(c.WaitClosed());
  }
  {
    RawClient c(f.port);
    c.Send("GET /echo HTTP/1.1\r\nConnection: close\r\n\r\n" + kGetEcho);
    auto r = c.Read();
    REQUIRE(r);
    CHECK(r->Header("connection") == "close");
    CHECK(c.WaitClosed());
    CHECK(c.buffered().empty());  // the second request was not answered
  }
}

TEST_CASE("malformed requests get 400 and the connection closes") {
  Fixture f;
  const char* cases[] = {
      "GARBAGE\r\n\r\n",
      "GET /echo HTTP/9.9\r\nHost: x\r\n\r\n",
      "GET /echo HTTP/1.1\r\nBad Header\r\n\r\n",
      "GET /echo HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
      "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "GET /echo HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
  };
  for (const char* request : cases) {
    CAPTURE(request);
    RawClient c(f.port);
    c.Send(request);
    auto r = c.Read();
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(r->Header("connection") == "close");
    // The error document is framed by its Content-Length: nothing stray follows it.
    CHECK(r->body == R"({"message":"Bad Request"})");
    CHECK(r->Header("content-length") == std::to_string(r->body.size()));
    CHECK(c.buffered().empty());
    CHECK(c.WaitClosed());
  }
  // The server is still healthy.
  auto ok = RoundTrip(f.port, kGetEcho);
  REQUIRE(ok);
  CHECK(ok->status == 200);
}

TEST_CASE("a header block over the limit gets 431") {
  ServerLimits limits;
  limits.header_limit = 1024;
  Fixture f(limits);
  RawClient c(f.port);
  c.Send("GET /echo HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n");
  auto r = c.Read();
  REQUIRE(r);
  CHECK(r->status == 431);
  CHECK(r->body == R"({"message":"Request Header Fields Too Large"})");
  CHECK(c.WaitClosed());
}

TEST_CASE("a body over the route's limit gets 413, declared or chunked") {
  Fixture f;
  {
    RawClient c(f.port);
    c.Send("POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 17\r\n\r\n");
    auto r = c.Read();
    REQUIRE(r);
    CHECK(r->status == 413);
    CHECK(r->body == R"({"message":"Payload Too Large"})");
    CHECK(c.buffered().empty());
  }
  {
    RawClient c(f.port);
    c.Send("POST /small HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
           "a\r\n0123456789\r\na\r\n0123456789\r\n0\r\n\r\n");
    auto r = c.Read();
    REQUIRE(r);
    CHECK(r->status == 413);
  }
  {  // exactly at the limit is fine
    RawClient c(f.port);
    c.Send("POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 16\r\n\r\n0123456789abcdef");
    auto r = c.Read();
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->body == "got 16");
  }
}

TEST_CASE("Expect: 100-continue gets an interim response before the body is sent") {
  Fixture f;
  RawClient c(f.port);
  c.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n");
  auto interim = c.Read();
  REQUIRE(interim);
  CHECK(interim->status == 100);
  c.Send("hi");
  auto r = c.Read();
  REQUIRE(r);
  CHECK(r->body == "POST /echo hi");
}

TEST_CASE("HEAD gets headers with the length but no body") {
  Fixture f;
  RawClient c(f.port);
  c.Send("HEAD /echo HTTP/1.1\r\nHost: x\r\n\r\n" + kGetEcho);
  auto head = c.Read(seconds(10), /*head_request=*/true);
  REQUIRE(head);
  CHECK(head->Header("content-length") == std::to_string(std::string("HEAD /echo ").size()));
  CHECK(head->body.empty());
  // The next response follows at once: HEAD's body was not sent.
  auto get = c.Read();
  REQUIRE(get);
  CHECK(get->body == "GET /echo ");
}

TEST_CASE("a client that stalls mid-request gets 408; an idle keep-alive is closed quietly") {
  Fixture f;
  RawClient slow_header(f.port);
  slow_header.Send("GET /echo HTTP/1.1\r\nHost: x\r\n");
  RawClient slow_body(f.port);
  slow_body.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345");
  RawClient idle(f.port);
  idle.Send(kGetEcho);
  REQUIRE(idle.Read());
  while (f.Connections() < 3) {
  }
  f.Advance(seconds(29));
  CHECK(f.Connections() == 3);
  f.Advance(seconds(2));  // past the header and body timeouts (30 s)
  for (RawClient* c : {&slow_header, &slow_body}) {
    auto r = c->Read();
    REQUIRE(r);
    CHECK(r->status == 408);
    CHECK(c->WaitClosed());
  }
  f.Advance(seconds(60));  // past the idle timeout
  CHECK(idle.WaitClosed());
  CHECK(idle.buffered().empty());
}

TEST_CASE("a handler that never replies yields 500, not a hung client") {
  Fixture f;
  auto r = RoundTrip(f.port, "GET /forgets HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE(r);
  CHECK(r->status == 500);
}

TEST_CASE("a client that leaves while its request is handled does no harm") {
  Fixture f;
  {
    RawClient c(f.port);
    c.Send("GET /slow/20 HTTP/1.1\r\nHost: x\r\n\r\n");
  }
  f.Advance(seconds(1));
  auto ok = RoundTrip(f.port, kGetEcho);
  REQUIRE(ok);
  CHECK(ok->status == 200);
}

TEST_CASE("a request sent before a half-close is still answered") {
  Fixture f;
  RawClient c(f.port);
  c.Send(kGetEcho);
  c.ShutdownWrite();
  auto r = c.Read();
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(c.WaitClosed());
}

TEST_CASE("graceful shutdown: in-flight requests finish, idle connections close") {
  Fixture f;
  RawClient idle(f.port);
  idle.Send(kGetEcho);
  REQUIRE(idle.Read());
  RawClient busy(f.port);
  busy.Send("GET /slow/200 HTTP/1.1\r\nHost: x\r\n\r\n");
  while (f.slow_started < 1) {  // the request is in the handler
  }
  std::atomic<bool> done{false};
  f.lt.Run([&] {
    f.server->Shutdown(seconds(10), [&] { done = true; });
    return 0;
  });
  CHECK(idle.WaitClosed());
  auto r = busy.Read();  // the slow handler answers after 200 ms of real time
  REQUIRE(r);
  CHECK(r->body == "slow 200");
  CHECK(r->Header("connection") == "close");
  CHECK(busy.WaitClosed());
  while (!done) {
  }
  CHECK(f.Connections() == 0);
}

TEST_CASE("graceful shutdown is bounded: a stuck request is cut after the grace period") {
  Fixture f;
  RawClient stuck(f.port);
  stuck.Send("GET /slow/100000 HTTP/1.1\r\nHost: x\r\n\r\n");
  while (f.slow_started < 1) {
  }
  std::atomic<bool> done{false};
  f.lt.Run([&] {
    f.server->Shutdown(seconds(5), [&] { done = true; });
    return 0;
  });
  CHECK_FALSE(done);
  f.Advance(seconds(6));
  CHECK(stuck.WaitClosed());
  while (!done) {
  }
}

}  // namespace
}  // namespace stratus::http

namespace stratus::http {
namespace {

TEST_CASE("the idle timeout counts from the last exchange, not the first") {
  Fixture f;
  RawClient c(f.port);
  c.Send(kGetEcho);
  REQUIRE(c.Read());
  f.Advance(std::chrono::seconds(50));
  c.Send(kGetEcho);  // activity at t=50 s
  REQUIRE(c.Read());
  f.Advance(std::chrono::seconds(20));  // t=70 s: 60 s after the first use, 20 s after the last
  c.Send(kGetEcho);
  auto still_open = c.Read();
  REQUIRE(still_open);
  CHECK(still_open->status == 200);
  f.Advance(std::chrono::seconds(61));
  CHECK(c.WaitClosed());
}

}  // namespace
}  // namespace stratus::http
