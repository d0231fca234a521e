// Streaming bodies both ways: requests handed over chunk by chunk with back-pressure, and
// responses pulled from a BodySource, with a known length or chunked.
#include <doctest/doctest.h>

#include <atomic>
#include <future>

#include "emulator/http/connection.h"
#include "emulator/http/server.h"
#include "tests/support/loop_thread.h"
#include "tests/support/raw_client.h"

namespace stratus::http {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Pseudo-random but reproducible bytes, so corruption or reordering shows.
std::string Pattern(size_t n, size_t offset = 0) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(((i + offset) * 131 + 7) % 251);
  return s;
}

// Produces `total` pattern bytes in 64 KiB pieces, each one a loop turn later.
class PatternSource : public BodySource {
 public:
  PatternSource(Clock& clock, size_t total) : clock_(clock), total_(total) {}
  void Pull(ChunkFn cb) override {
    timer_ = clock_.After(milliseconds(0), [this, cb] {
      size_t n = std::min<size_t>(64 * 1024, total_ - sent_);
      std::string chunk = Pattern(n, sent_);
      sent_ += n;
      cb(std::move(chunk), sent_ == total_);
    });
  }

 private:
  Clock& clock_;
  size_t total_, sent_ = 0;
  Timer timer_;
};

struct StreamFixture {
  testing::LoopThread lt;
  Router router;
  std::unique_ptr<Server> server;
  int port = 0;
  std::vector<Timer> timers;
  std::atomic<int> pauses{0};
  std::promise<Status> upload_end;

  StreamFixture() {
    RouteOptions streaming;
    streaming.streaming_body = true;
    streaming.body_limit = 64ull * 1024 * 1024;
    REQUIRE(router.Add("PUT", "/upload", [this](RequestPtr req, Reply reply) {
      auto received = std::make_shared<std::string>();
      BodyStream* body = req->body_stream.get();
      std::weak_ptr<BodyStream> weak_body = req->body_stream;
      body->OnData([this, received, body, weak_body](std::string_view chunk) {
        received->append(chunk);
        // Like a disk write: pause until the chunk is "written" on a later turn. The stream
        // may be gone by then (the client left), hence the weak pointer.
        body->Pause();
        ++pauses;
        timers.push_back(lt.clock().After(milliseconds(0), [weak_body] {
          if (auto alive = weak_body.lock()) alive->Resume();
        }));
      });
      body->OnEnd([this, received, reply, req](Status status) {
        upload_end.set_value(status);
        if (!status.ok()) return;
        bool intact = *received == Pattern(received->size());
        reply.Send(Response::Text(200, std::to_string(received->size()) +
                                           (intact ? " intact" : " corrupt")));
      });
    }, streaming).ok());
    REQUIRE(router.Add("GET", "/download/{n}", [this](RequestPtr req, Reply reply) {
      size_t n = std::stoul(req->params["n"]);
      Response r;
      r.body_source = std::make_shared<PatternSource>(lt.clock(), n);
      if (req->query != "chunked") r.content_length = n;
      reply.Send(std::move(r));
    }).ok());
    port = lt.Run([&] {
      server = std::make_unique<Server>(lt.loop(), lt.clock(), router);
      return server->Listen("127.0.0.1", 0).value();
    });
  }
  ~StreamFixture() {
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
};

TEST_CASE("a streamed upload arrives whole and in order, with back-pressure") {
  StreamFixture f;
  const size_t size = 8 * 1024 * 1024;
  std::string body = Pattern(size);
  testing::RawClient c(f.port);
  c.Send("PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(size) +
         "\r\n\r\n" + body);
  auto r = c.Read(seconds(30));
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body == std::to_string(size) + " intact");
  CHECK(f.pauses > 1);
}

TEST_CASE("a chunked streamed upload arrives whole") {
  StreamFixture f;
  std::string wire = "PUT /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  size_t total = 0;
  for (size_t piece : {1u, 1000u, 65536u, 300000u, 7u}) {
    std::string data = Pattern(piece, total);
    char size_line[32];
    std::snprintf(size_line, sizeof(size_line), "%zx\r\n", piece);
    wire += size_line + data + "\r\n";
    total += piece;
  }
  wire += "0\r\n\r\n";
  testing::RawClient c(f.port);
  c.Send(wire);
  auto r = c.Read(seconds(30));
  REQUIRE(r);
  CHECK(r->body == std::to_string(total) + " intact");
}

TEST_CASE("a client that leaves mid-upload ends the stream with an error") {
  StreamFixture f;
  {
    testing::RawClient c(f.port);
    c.Send("PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n" + Pattern(5000));
  }
  auto status = f.upload_end.get_future().get();
  CHECK_FALSE(status.ok());
}

TEST_CASE("a streamed response with a known length, and a chunked one") {
  StreamFixture f;
  const size_t size = 3 * 1024 * 1024 + 17;
  for (std::string query : {"", "?chunked"}) {
    CAPTURE(query);
    testing::RawClient c(f.port);
    c.Send("GET /download/" + std::to_string(size) + query + " HTTP/1.1\r\nHost: x\r\n\r\n");
    auto r = c.Read(seconds(30));
    REQUIRE(r);
    CHECK(r->status == 200);
    if (query.empty()) {
      CHECK(r->Header("content-length") == std::to_string(size));
    } else {
      CHECK(r->Header("transfer-encoding") == "chunked");
    }
    CHECK(r->body.size() == size);
    CHECK(r->body == Pattern(size));
    // The connection stays usable after a streamed body.
    c.Send("GET /download/5 HTTP/1.1\r\nHost: x\r\n\r\n");
    auto again = c.Read();
    REQUIRE(again);
    CHECK(again->body == Pattern(5));
  }
}

}  // namespace
}  // namespace stratus::http
