// Large bodies through the PUT pipeline: chunks are hashed on one chain and written on
// another, in order, so the ETag is the MD5 of the whole body whatever the timing; reading
// resumes as soon as a chunk leaves both chains; a disk that refuses a write mid-body fails
// the PUT cleanly (no object, no file, no stalled connection).
#include <signal.h>
#include <sys/resource.h>

#include <openssl/evp.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <random>

#include "tests/triggers/objects/objects_fixture.h"

namespace stratus::triggers::objects {
namespace {

std::string RandomBody(size_t size, uint32_t seed) {
  std::mt19937 random(seed);
  std::string body(size, '\0');
  for (char& c : body) c = static_cast<char>(random());
  return body;
}

std::string Md5Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_md5(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  return hex;
}

int TempFiles(const std::string& dir) {
  int n = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().string().find("/blobs/tmp/") != std::string::npos) {
      ++n;
    }
  }
  return n;
}

TEST_CASE("a body of many chunks is hashed in order: the ETag is its MD5, GET returns it") {
  Fixture f;
  std::string body = RandomBody((9 << 20) + 12345, 7);  // nine 1 MiB chunks and a tail
  auto put = f.Send("PUT", "/box/big", body);
  REQUIRE(put.status == 200);
  CHECK(put.Header("etag") == "\"" + Md5Hex(body) + "\"");
  auto get = f.Send("GET", "/box/big");
  REQUIRE(get.status == 200);
  CHECK(get.body.size() == body.size());
  CHECK(get.body == body);
}

// Lets the hashing thread through one chunk at a time, as the test allows.
class HashGate {
 public:
  void Pass() {  // hashing thread
    std::unique_lock<std::mutex> lock(mu_);
    ++entered_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return entered_ <= allowed_; });
  }
  void Allow(int steps) {
    std::lock_guard<std::mutex> lock(mu_);
    allowed_ += steps;
    changed_.notify_all();
  }
  // Waits (up to 10 s) until the hashing thread has reached its `step`th chunk.
  bool Reached(int step) {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, std::chrono::seconds(10), [&] { return entered_ >= step; });
  }
  int entered() {
    std::lock_guard<std::mutex> lock(mu_);
    return entered_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  int entered_ = 0, allowed_ = 0;
};

// The body of a connection, fed on the loop thread in 64 KiB pieces until the sink pauses it,
// with its hashing held at a gate.
struct GatedIngest {
  testing::LoopThread lt;
  testing::TempDir dir;
  std::unique_ptr<storage::BlobStore> blobs;
  std::shared_ptr<http::BodyStream> stream = std::make_shared<http::BodyStream>();
  std::string body;
  size_t fed = 0;
  bool feeding = false, feed_on_resume = false;
  std::atomic<int> resumes{0};
  HashGate gate;
  std::promise<Result<IngestResult>> finished;

  explicit GatedIngest(std::string b) : body(std::move(b)) {
    lt.Run([&] {
      auto opened = storage::BlobStore::Open(lt.loop(), dir.path(), storage::Durability::kOff);
      REQUIRE_MESSAGE(opened.ok(), opened.status().ToString());
      blobs = std::move(opened).value();
      IngestOptions options;
      options.before_hash_step = [this] { gate.Pass(); };
      stream->SetResumeHook([this] {
        ++resumes;
        if (feed_on_resume) Feed();
      });
      IngestBody(*blobs, stream, std::move(options),
                 [this](Result<IngestResult> result) { finished.set_value(std::move(result)); });
      Feed();
    });
  }
  ~GatedIngest() {
    gate.Allow(1 << 20);  // never leave the hashing thread waiting
    lt.Run([&] {
      stream.reset();
      blobs.reset();
    });
  }
  void Feed() {  // loop thread
    if (feeding) return;
    feeding = true;
    while (!stream->paused() && fed < body.size()) {
      size_t n = std::min<size_t>(64 << 10, body.size() - fed);
      stream->Deliver(std::string_view(body).substr(fed, n));
      fed += n;
    }
    feeding = false;
    if (fed == body.size() && !stream->ended()) stream->End(Status::Ok());
  }
  void RunFree() {
    gate.Allow(1 << 20);
    lt.Run([&] {
      feed_on_resume = true;
      Feed();
    });
  }
};

TEST_CASE("a paused body resumes once its first chunk is hashed and written, while the hash chain is still busy") {
  GatedIngest g(RandomBody(6 << 20, 11));
  // Four 1 MiB chunks wait (the most kept in memory); hashing holds at the first.
  REQUIRE(g.lt.Run([&] { return g.stream->paused(); }));
  CHECK(g.fed == 4u << 20);
  REQUIRE(g.gate.Reached(1));
  g.gate.Allow(1);
  // The first chunk leaves both chains once its write is done too (the writes run freely);
  // reading must resume then, though the hashing thread holds at the second chunk.
  REQUIRE(g.gate.Reached(2));
  for (int i = 0; i < 1000 && g.resumes == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(g.resumes == 1);
  CHECK(g.gate.entered() == 2);
  g.RunFree();
  auto future = g.finished.get_future();
  REQUIRE(future.wait_for(std::chrono::seconds(60)) == std::future_status::ready);
  auto result = future.get();
  REQUIRE_MESSAGE(result.ok(), result.status().ToString());
  CHECK(result->digests.Md5Hex() == Md5Hex(g.body));
  CHECK(result->digests.size == g.body.size());
  CHECK(result->blob.has_value());
}

TEST_CASE("a write the disk refuses mid-body fails the PUT, leaves nothing, stalls nothing") {
  Fixture f;
  // Files may not grow past 3 MiB: the body's temp file hits it at its fourth chunk.
  struct rlimit before {};
  REQUIRE(getrlimit(RLIMIT_FSIZE, &before) == 0);
  auto old_handler = signal(SIGXFSZ, SIG_IGN);
  struct rlimit limited = before;
  limited.rlim_cur = 3 << 20;
  REQUIRE(setrlimit(RLIMIT_FSIZE, &limited) == 0);
  auto put = f.Send("PUT", "/box/too-big-for-disk", RandomBody(12 << 20, 3));
  REQUIRE(setrlimit(RLIMIT_FSIZE, &before) == 0);
  signal(SIGXFSZ, old_handler);
  CHECK(put.status == 500);
  CHECK(put.body.find("<Code>InternalError</Code>") != std::string::npos);
  CHECK(f.Send("HEAD", "/box/too-big-for-disk").status == 404);
  CHECK(f.BlobFiles() == 0);
  for (int i = 0; i < 100 && TempFiles(f.dir()) > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // unlinked off the loop
  }
  CHECK(TempFiles(f.dir()) == 0);
  // The server goes on: the same key stores once the disk takes it.
  std::string body = RandomBody(5 << 20, 4);
  auto again = f.Send("PUT", "/box/too-big-for-disk", body);
  CHECK(again.status == 200);
  CHECK(again.Header("etag") == "\"" + Md5Hex(body) + "\"");
}

}  // namespace
}  // namespace stratus::triggers::objects
