// An embedded emulator running the object store on a loop thread, for the S3 API tests: raw
// HTTP requests to its service port, the notifications its queue sink received, and the
// bodies on disk. Threading: use from the test's thread; the emulator runs on its own.
#pragma once

#include <doctest/doctest.h>

#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>

#include "emulator/emulator.h"
#include "tests/support/embedded.h"
#include "tests/support/loop_thread.h"
#include "tests/support/raw_client.h"
#include "tests/support/stratus_process.h"
#include "triggers/objects/objects.h"

namespace stratus::triggers::objects {

class Fixture {
 public:
  // `prepare` runs on the data directory (DIR/.stratus) before the emulator starts.
  explicit Fixture(const std::function<void(const std::string&)>& prepare = {}) {
    if (prepare) {
      std::filesystem::create_directories(dir_.path() + "/.stratus");
      prepare(dir_.path() + "/.stratus");
    }
    emulator_ = std::make_unique<Emulator>(
        lt_.loop(), testing::EmbeddedOptions("buckets: [box]\n", dir_.path()));
    emulator_->AddModule(std::make_unique<ObjectsTrigger>());
    Status started = lt_.Run([&] {
      emulator_->SetQueueSink([this](const std::string& queue, const std::string& body) {
        std::lock_guard<std::mutex> lock(mu_);
        sent_.emplace_back(queue, body);
        return Status::Ok();
      });
      return emulator_->Start();
    });
    REQUIRE_MESSAGE(started.ok(), started.message());
  }
  ~Fixture() { testing::StopAndDestroy(lt_, emulator_); }

  testing::RawResponse Send(const std::string& method, const std::string& target,
                            const std::string& body = "", const std::string& headers = "",
                            const std::string& host = "127.0.0.1") {
    testing::RawClient client(emulator_->service_port());
    return SendOn(client, method, target, body, headers, host);
  }
  // One request on an existing connection (keep-alive checks).
  static testing::RawResponse SendOn(testing::RawClient& client, const std::string& method,
                                     const std::string& target, const std::string& body = "",
                                     const std::string& headers = "",
                                     const std::string& host = "127.0.0.1") {
    client.Send(method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\n" + headers +
                "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    auto response = client.Read(std::chrono::seconds(60), method == "HEAD");
    REQUIRE_MESSAGE(response.has_value(), std::string(method + " " + target));
    return *response;
  }
  // PUT /box?notification sending `events` (S3 event names) to the queue "jobs".
  testing::RawResponse NotifyJobsQueue(const std::string& id, std::vector<std::string> events) {
    std::string xml = "<NotificationConfiguration><QueueConfiguration><Id>" + id + "</Id>"
                      "<Queue>arn:aws:sqs:us-east-1:000000000000:jobs</Queue>";
    for (const auto& event : events) xml += "<Event>" + event + "</Event>";
    return Send("PUT", "/box?notification", xml + "</QueueConfiguration></NotificationConfiguration>");
  }
  std::vector<std::pair<std::string, std::string>> Sent() {
    std::lock_guard<std::mutex> lock(mu_);
    return sent_;
  }
  // Committed bodies on disk (not counting half-written ones in blobs/tmp).
  int BlobFiles() const {
    int n = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_.path())) {
      std::string path = entry.path().string();
      if (entry.is_regular_file() && path.find("/blobs/") != std::string::npos &&
          path.find("/blobs/tmp/") == std::string::npos) {
        ++n;
      }
    }
    return n;
  }
  // BlobFiles() once it equals `expected`, or its last count after ~5 s: freed bodies are
  // removed on the thread pool after the commit, so possibly after the answer.
  int BlobFilesOnceEqual(int expected) const {
    int n = BlobFiles();
    for (int i = 0; i < 250 && n != expected; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      n = BlobFiles();
    }
    return n;
  }
  const std::string& dir() const { return dir_.path(); }
  int port() const { return emulator_->service_port(); }

 private:
  testing::LoopThread lt_;
  testing::TempDir dir_;
  std::unique_ptr<Emulator> emulator_;
  std::mutex mu_;
  std::vector<std::pair<std::string, std::string>> sent_;
};

// The text of the first <name> element ("" when absent), with &quot; unescaped.
inline std::string Tag(const std::string& xml, const std::string& name) {
  size_t a = xml.find("<" + name + ">"), b = xml.find("</" + name + ">");
  if (a == std::string::npos || b == std::string::npos) return "";
  std::string text = xml.substr(a + name.size() + 2, b - a - name.size() - 2);
  for (size_t at = text.find("&quot;"); at != std::string::npos; at = text.find("&quot;", at + 1)) {
    text.replace(at, 6, "\"");
  }
  return text;
}

}  // namespace stratus::triggers::objects
