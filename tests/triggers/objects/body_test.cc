// Large bodies through the PUT pipeline: chunks are hashed on one chain and written on
// another, in order, so the ETag is the MD5 of the whole body whatever the timing; a disk
// that refuses a write mid-body fails the PUT cleanly (no object, no file, no stalled
// connection).
#include <signal.h>
#include <sys/resource.h>

#include <openssl/evp.h>

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
