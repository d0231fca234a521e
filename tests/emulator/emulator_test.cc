// The Emulator embedded in a test, as the C++ API offers it: started in-process on ephemeral
// ports from inline YAML, with modules added the way triggers are.
#include "emulator/emulator.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <future>

#include "emulator/storage/blob_store.h"
#include "emulator/storage/db.h"
#include "emulator/storage/ephemeral_dirs.h"
#include "tests/support/loop_thread.h"
#include "tests/support/stratus_process.h"
#include "tests/support/raw_client.h"

namespace stratus {
namespace {

// A module like a trigger: a table of its own and a gateway route reading it.
class CounterModule : public Module {
 public:
  explicit CounterModule(std::vector<std::string>* events) : events_(events) {}
  std::string_view name() const override { return "counter"; }
  Status Start(Emulator& emulator) override {
    events_->push_back("start");
    STRATUS_RETURN_IF_ERROR(emulator.db().Migrate(
        "counter", {"CREATE TABLE hits(n INTEGER)", "INSERT INTO hits VALUES (41)"}));
    return emulator.gateway_router().Add("GET", "/hits", [&emulator](http::RequestPtr,
                                                                      http::Reply reply) {
      auto stmt = emulator.db().Prepare("SELECT n + 1 FROM hits");
      auto row = (*stmt)->Step();
      reply.Send(http::Response::Text(200, std::to_string((*stmt)->Int64(0))));
      (*stmt)->Reset();
    });
  }
  void Stop() override { events_->push_back("stop"); }

 private:
  std::vector<std::string>* events_;
};

class FailingModule : public Module {
 public:
  std::string_view name() const override { return "broken"; }
  Status Start(Emulator&) override { return Status::InvalidArgument("no good"); }
};

EmulatorOptions EphemeralOptions(const std::string& yaml) {
  EmulatorOptions options;
  auto project = config::ParseConfig(yaml, "inline.yaml");
  REQUIRE(project.ok());
  options.project = project.value();
  options.service_port = 0;
  options.gateway_port = 0;
  options.ephemeral = true;
  return options;
}

void StopAndWait(testing::LoopThread& lt, Emulator& emulator) {
  std::promise<void> stopped;
  lt.Run([&] {
    emulator.Stop([&] { stopped.set_value(); });
    return 0;
  });
  stopped.get_future().wait();
}

TEST_CASE("an ephemeral emulator never fsyncs, whatever durability the project asks for") {
  testing::LoopThread lt;
  auto emulator = std::make_unique<Emulator>(
      lt.loop(), EphemeralOptions("durability: full\nfunctions: {}\n"));
  REQUIRE(lt.Run([&] { return emulator->Start(); }).ok());
  CHECK(emulator->db().durability() == storage::Durability::kOff);
  CHECK(emulator->blobs().durability() == storage::Durability::kOff);
  StopAndWait(lt, *emulator);
}

TEST_CASE("an ephemeral start removes the directories of killed ephemeral runs; its own goes at stop") {
  testing::TempDir tmp;
  const char* before = ::getenv("TMPDIR");
  std::string saved = before ? before : "";
  ::setenv("TMPDIR", tmp.path().c_str(), 1);
  // What a run killed by SIGKILL leaves: marked ephemeral, its lock free.
  std::string killed = tmp.path() + "/stratus-K1lled";
  std::filesystem::create_directories(killed + "/blobs");
  std::ofstream(killed + "/lock") << "1";
  REQUIRE(storage::MarkEphemeral(killed).ok());
  testing::LoopThread lt;
  auto emulator = std::make_unique<Emulator>(lt.loop(), EphemeralOptions("functions: {}\n"));
  Status started = lt.Run([&] { return emulator->Start(); });
  if (before) ::setenv("TMPDIR", saved.c_str(), 1); else ::unsetenv("TMPDIR");
  REQUIRE(started.ok());
  CHECK_FALSE(std::filesystem::exists(killed));
  std::string own = emulator->data_dir();
  CHECK(std::filesystem::path(own).parent_path() == std::filesystem::path(tmp.path()));
  // Running: marked, but locked, so another start's sweep leaves it alone.
  CHECK(std::filesystem::exists(own + "/ephemeral"));
  CHECK(storage::RemoveAbandonedEphemeralDirs(tmp.path()) == 0);
  StopAndWait(lt, *emulator);
  CHECK_FALSE(std::filesystem::exists(own));
}

TEST_CASE("an embedded emulator serves its modules' routes and the admin API") {
  testing::LoopThread lt;
  std::vector<std::string> events;
  auto emulator = std::make_unique<Emulator>(lt.loop(), EphemeralOptions("functions: {}\n"));
  emulator->AddModule(std::make_unique<CounterModule>(&events));
  Status started = lt.Run([&] { return emulator->Start(); });
  REQUIRE(started.ok());
  CHECK(events == std::vector<std::string>{"start"});

  auto hits = testing::RoundTrip(emulator->gateway_port(), "GET /hits HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE(hits);
  CHECK(hits->body == "42");
  auto health = testing::RoundTrip(emulator->service_port(),
                                   "GET /_stratus/health HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE(health);
  auto body = nlohmann::json::parse(health->body);
  CHECK(body["status"] == "ok");
  CHECK(body["service_port"] == emulator->service_port());
  CHECK(body["gateway_port"] == emulator->gateway_port());

  auto ready = nlohmann::json::parse(emulator->ReadyLine());
  CHECK(ready["event"] == "ready");
  CHECK(ready["data_dir"] == emulator->data_dir());
  std::string data_dir = emulator->data_dir();
  CHECK(std::filesystem::exists(data_dir + "/stratus.db"));

  StopAndWait(lt, *emulator);
  CHECK(events == std::vector<std::string>{"start", "stop"});
  CHECK_FALSE(std::filesystem::exists(data_dir));
  lt.Run([&] {
    emulator.reset();
    return 0;
  });
}

TEST_CASE("a module that fails to start stops the start, named, and Stop still cleans up") {
  testing::LoopThread lt;
  std::vector<std::string> events;
  auto emulator = std::make_unique<Emulator>(lt.loop(), EphemeralOptions(""));
  emulator->AddModule(std::make_unique<CounterModule>(&events));
  emulator->AddModule(std::make_unique<FailingModule>());
  Status started = lt.Run([&] { return emulator->Start(); });
  CHECK(started.message() == "broken: no good");
  StopAndWait(lt, *emulator);
  CHECK(events == std::vector<std::string>{"start", "stop"});  // the started one is stopped
  lt.Run([&] {
    emulator.reset();
    return 0;
  });
}

TEST_CASE("two embedded emulators run side by side, isolated") {
  testing::LoopThread lt;
  auto a = std::make_unique<Emulator>(lt.loop(), EphemeralOptions(""));
  auto b = std::make_unique<Emulator>(lt.loop(), EphemeralOptions(""));
  REQUIRE(lt.Run([&] { return a->Start(); }).ok());
  REQUIRE(lt.Run([&] { return b->Start(); }).ok());
  CHECK(a->service_port() != b->service_port());
  CHECK(a->data_dir() != b->data_dir());
  StopAndWait(lt, *a);
  StopAndWait(lt, *b);
  lt.Run([&] {
    a.reset();
    b.reset();
    return 0;
  });
}

}  // namespace
}  // namespace stratus
