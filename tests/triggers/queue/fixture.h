// The queue test fixture: an Emulator embedded on its own loop thread with the queue trigger,
// started from inline YAML in a TempDir holding small Python functions, on ephemeral ports,
// with a virtual clock so tests move time instead of sleeping. Tests speak both SQS wire
// protocols to the service port with RawClient.
#pragma once

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <string>

#include "emulator/emulator.h"
#include "tests/support/embedded.h"
#include "tests/support/loop_thread.h"
#include "tests/support/raw_client.h"
#include "tests/support/stratus_process.h"
#include "triggers/queue/queue.h"
#include "triggers/queue/queue_mappings.h"
#include "triggers/queue/queue_service.h"

namespace stratus::qtest {

using nlohmann::json;
using triggers::queue::QueueTrigger;

// Python handlers for mapping tests.
inline const std::map<std::string, std::string>& Handlers() {
  static const std::map<std::string, std::string> files = {
      // Appends each event to events.jsonl beside the handler, returns nothing.
      {"record.py",
       "import json, os\n"
       "def handler(event, context):\n"
       "    with open(os.path.join(os.path.dirname(__file__), 'events.jsonl'), 'a') as f:\n"
       "        f.write(json.dumps(event) + '\\n')\n"},
      // Records, then reports as failed every message whose body starts with 'fail'.
      {"partial.py",
       "import json, os\n"
       "def handler(event, context):\n"
       "    with open(os.path.join(os.path.dirname(__file__), 'events.jsonl'), 'a') as f:\n"
       "        f.write(json.dumps(event) + '\\n')\n"
       "    return {'batchItemFailures': [{'itemIdentifier': r['messageId']}\n"
       "            for r in event['Records'] if r['body'].startswith('fail')]}\n"},
      // Records, then raises.
      {"fail.py",
       "import json, os\n"
       "def handler(event, context):\n"
       "    with open(os.path.join(os.path.dirname(__file__), 'events.jsonl'), 'a') as f:\n"
       "        f.write(json.dumps(event) + '\\n')\n"
       "    raise ValueError('boom')\n"},
  };
  return files;
}

struct FixtureOptions {
  ClockKind clock = ClockKind::kVirtual;
  std::string data_dir;  // empty: one in the fixture's TempDir
};

class Fixture {
 public:
  explicit Fixture(const std::string& yaml, FixtureOptions options = {}) : options_(options) {
    for (const auto& [name, content] : Handlers()) dir_.Write(name, content);
    yaml_ = yaml;
    Start();
  }
  ~Fixture() { testing::StopAndDestroy(lt_, emulator_); }

  void Start() {
    EmulatorOptions options = testing::EmbeddedOptions(yaml_, dir_.path());
    if (!options_.data_dir.empty()) options.data_dir = options_.data_dir;
    options.clock = options_.clock;
    emulator_ = std::make_unique<Emulator>(lt_.loop(), std::move(options));
    auto trigger = std::make_unique<QueueTrigger>();
    trigger_ = trigger.get();
    emulator_->AddModule(std::move(trigger));
    Status started = lt_.Run([&] { return emulator_->Start(); });
    REQUIRE_MESSAGE(started.ok(), started.message());
  }
  // Stops the emulator and starts a new one on the same data directory.
  void Restart() {
    testing::StopAndDestroy(lt_, emulator_);
    Start();
  }

  int port() const { return emulator_->service_port(); }
  std::string url(const std::string& queue) const {
    return "http://127.0.0.1:" + std::to_string(port()) + "/000000000000/" + queue;
  }
  const std::string& dir() const { return dir_.path(); }
  testing::LoopThread& loop() { return lt_; }
  Emulator& emulator() { return *emulator_; }
  QueueTrigger& trigger() { return *trigger_; }

  // Moves the virtual clock forward on the loop thread (timers due fire in order).
  void Advance(std::chrono::milliseconds delta) {
    lt_.Run([&] {
      static_cast<VirtualClock&>(emulator_->clock()).Advance(delta);
      return 0;
    });
  }

  testing::RawResponse Raw(const std::string& method, const std::string& target,
                           const std::string& headers, const std::string& body) {
    testing::RawClient client(port());
    client.Send(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port()) +
                "\r\n" + headers + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
                body);
    auto response = client.Read(std::chrono::seconds(60));
    REQUIRE_MESSAGE(response.has_value(), std::string(method + " " + target + ": no response"));
    return *response;
  }

  // One JSON-protocol call; the response status and parsed body.
  std::pair<int, json> Call(const std::string& action, const json& input) {
    auto response = JsonRaw(action, input.dump());
    json body = json::parse(response.body, nullptr, false);
    REQUIRE_MESSAGE(!body.is_discarded(), response.body);
    return {response.status, body};
  }
  testing::RawResponse JsonRaw(const std::string& action, const std::string& body) {
    return Raw("POST", "/", "X-Amz-Target: AmazonSQS." + action +
                                "\r\nContent-Type: application/x-amz-json-1.0\r\n", body);
  }
  // A JSON call that must succeed.
  json Ok(const std::string& action, const json& input) {
    auto [status, body] = Call(action, input);
    REQUIRE_MESSAGE(status == 200, std::string(action + ": " + body.dump()));
    return body;
  }
  // One query-protocol POST of an already encoded form.
  testing::RawResponse Query(const std::string& form, const std::string& path = "/") {
    return Raw("POST", path, "Content-Type: application/x-www-form-urlencoded\r\n", form);
  }

  // Lines of events.jsonl (the events the Python handlers received).
  std::vector<json> Events() const;

 private:
  testing::LoopThread lt_;
  testing::TempDir dir_;
  FixtureOptions options_;
  std::string yaml_;
  std::unique_ptr<Emulator> emulator_;
  QueueTrigger* trigger_ = nullptr;
};

inline std::vector<json> Fixture::Events() const {
  std::vector<json> out;
  std::ifstream in(dir_.path() + "/events.jsonl");
  std::string line;
  while (std::getline(in, line)) out.push_back(json::parse(line));
  return out;
}

}  // namespace stratus::qtest
