#include "emulator/storage/blob_store.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/emulator/storage/test_util.h"

namespace stratus::storage {
namespace {

using test::Await;
using test::FilesIn;
using test::FilesUnder;
using test::TempDir;
using Info = Result<BlobInfo>;
using ReaderResult = Result<std::unique_ptr<BlobReader>>;
using Bytes = Result<std::string>;

std::string RandomBytes(size_t size, uint32_t seed) {
  std::mt19937 random(seed);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(random());
  return bytes;
}

// A BlobStore on a LoopThread; the store is made and dropped on the loop thread.
struct Fixture {
  explicit Fixture(Durability durability = Durability::kFull) {
    loop.Run([&] {
      auto opened = BlobStore::Open(loop.loop(), dir.path(), durability);
      REQUIRE_MESSAGE(opened.ok(), opened.status().ToString());
      store = std::move(opened).value();
    });
    loop.AtTeardown([this] { store.reset(); });
  }

  // Writes `body` in chunks of the given size, waiting for each Append (back-pressure).
  Info Write(const std::string& body, size_t chunk_size) {
    std::unique_ptr<BlobWriter> writer;
    loop.Run([&] { writer = store->NewWriter(); });
    for (size_t at = 0; at < body.size(); at += chunk_size) {
      Status appended = Await<Status>(loop, [&](auto reply) {
        writer->Append(body.substr(at, chunk_size), reply);
      });
      if (!appended.ok()) return appended;
    }
    Info info = Await<Info>(loop, [&](auto reply) { writer->Finish(reply); });
    loop.Run([&] { writer.reset(); });
    return info;
  }

  std::unique_ptr<BlobReader> OpenReader(const std::string& id) {
    ReaderResult reader = Await<ReaderResult>(loop, [&](auto reply) { store->OpenReader(id, reply); });
    REQUIRE_MESSAGE(reader.ok(), reader.status().ToString());
    return std::move(reader).value();
  }

  Bytes Read(BlobReader& reader, uint64_t offset, size_t len) {
    return Await<Bytes>(loop, [&](auto reply) { reader.Read(offset, len, reply); });
  }

  void Drop(std::unique_ptr<BlobReader>& reader) {
    loop.Run([&] { reader.reset(); });
  }

  // Waits (bounded) until the thread pool has finished the background clean-up.
  bool EventuallyEmpty(const std::string& path) {
    for (int i = 0; i < 5000; ++i) {
      if (FilesUnder(path).empty()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return false;
  }

  TempDir dir;
  std::unique_ptr<BlobStore> store;
  testing::LoopThread loop;  // destroyed first: its teardown drops the store
};

TEST_CASE("a body written in many chunks reads back identical, whole and in ranges") {
  Fixture f;
  const std::string body = RandomBytes(3 * 1024 * 1024 + 17, 1);
  Info info = f.Write(body, 100 * 1000 + 3);
  REQUIRE_MESSAGE(info.ok(), info.status().ToString());
  CHECK(info->size == body.size());
  CHECK(BlobStore::IsValidId(info->id));
  CHECK(std::filesystem::file_size(f.store->TestPathOf(info->id)) == body.size());
  CHECK(FilesIn(f.store->root() + "/tmp").empty());

  auto reader = f.OpenReader(info->id);
  CHECK(reader->size() == body.size());
  std::string whole;
  for (;;) {
    Bytes chunk = f.Read(*reader, whole.size(), 64 * 1024);
    REQUIRE(chunk.ok());
    if (chunk->empty()) break;
    whole += *chunk;
  }
  CHECK(whole == body);

  struct Range { uint64_t offset; size_t len; };
  for (Range r : {Range{0, 1}, Range{1, 4096}, Range{body.size() / 2, 300000},
                  Range{body.size() - 1, 10}, Range{body.size(), 10}, Range{body.size() + 99, 1}}) {
    CAPTURE(r.offset);
    Bytes got = f.Read(*reader, r.offset, r.len);
    REQUIRE(got.ok());
    std::string want = r.offset < body.size() ? body.substr(r.offset, r.len) : "";
    CHECK(*got == want);
  }
  f.Drop(reader);
}

TEST_CASE("every durability level writes a readable blob; empty blobs work") {
  for (Durability durability : {Durability::kOff, Durability::kNormal, Durability::kFull}) {
    CAPTURE(DurabilityName(durability));
    Fixture f(durability);
    Info small = f.Write("hello, blob", 4);
    REQUIRE(small.ok());
    Info empty = f.Write("", 1);  // Finish without any Append
    REQUIRE(empty.ok());
    CHECK(empty->size == 0);
    auto reader = f.OpenReader(empty->id);
    CHECK(f.Read(*reader, 0, 10).value().empty());
    f.Drop(reader);
    reader = f.OpenReader(small->id);
    CHECK(f.Read(*reader, 7, 100).value() == "blob");
    f.Drop(reader);
  }
}

TEST_CASE("an empty append is answered later, never inside Append") {
  Fixture f;
  std::unique_ptr<BlobWriter> writer;
  bool inside = true;
  Status appended = Await<Status>(f.loop, [&](auto reply) {
    writer = f.store->NewWriter();
    writer->Append("", [&, reply](Status s) {
      CHECK_FALSE(inside);
      reply(s);
    });
    inside = false;
  });
  CHECK(appended.ok());
  Info info = Await<Info>(f.loop, [&](auto reply) { writer->Finish(reply); });
  REQUIRE(info.ok());
  CHECK(info->size == 0);
  f.loop.Run([&] { writer.reset(); });
}

TEST_CASE("abort and destroying an unfinished writer remove the temp file") {
  Fixture f;
  std::string tmp = f.store->root() + "/tmp";
  std::unique_ptr<BlobWriter> writer;
  f.loop.Run([&] { writer = f.store->NewWriter(); });
  REQUIRE(Await<Status>(f.loop, [&](auto reply) { writer->Append("partial", reply); }).ok());
  CHECK(FilesIn(tmp).size() == 1);
  f.loop.Run([&] { writer->Abort(); });
  CHECK(f.EventuallyEmpty(tmp));

  // Destroyed while an Append is in flight: its callback is dropped.
  bool called = false;
  f.loop.Run([&] {
    writer = f.store->NewWriter();
    writer->Append(RandomBytes(1 << 20, 2), [&](Status) { called = true; });
    writer.reset();
  });
  CHECK(f.EventuallyEmpty(tmp));

  // Destroyed while Finish is in flight: whichever file it reached is removed.
  REQUIRE(f.loop.Run([&] {
    writer = f.store->NewWriter();
    return true;
  }));
  REQUIRE(Await<Status>(f.loop, [&](auto reply) { writer->Append("x", reply); }).ok());
  f.loop.Run([&] {
    writer->Finish([&](Info) { called = true; });
    writer.reset();
  });
  CHECK(f.EventuallyEmpty(f.store->root()));
  f.loop.Run([&] { CHECK_FALSE(called); });
}

TEST_CASE("ids are fresh random hex, never a key; malformed ids never reach a path") {
  Fixture f;
  std::set<std::string> ids;
  f.loop.Run([&] {
    for (int i = 0; i < 200; ++i) ids.insert(f.store->NewWriter()->id());
  });
  CHECK(ids.size() == 200);
  for (const std::string& id : ids) CHECK(BlobStore::IsValidId(id));
  CHECK(FilesUnder(f.store->root()).empty());  // unused writers leave nothing

  std::string valid = *ids.begin();
  std::string upper = valid;
  upper[0] = 'A';
  for (std::string bad : {std::string(), std::string("../../etc/passwd"), valid + "0",
                          valid.substr(1), upper, std::string(32, 'g'),
                          "ab/" + valid.substr(3), std::string("aa") + std::string(30, '.')}) {
    CAPTURE(bad);
    CHECK_FALSE(BlobStore::IsValidId(bad));
    ReaderResult reader = Await<ReaderResult>(f.loop, [&](auto reply) { f.store->OpenReader(bad, reply); });
    CHECK(reader.status().code() == Status::Code::kInvalidArgument);
    Status removed = Await<Status>(f.loop, [&](auto reply) { f.store->Remove(bad, reply); });
    CHECK(removed.code() == Status::Code::kInvalidArgument);
  }
  ReaderResult missing = Await<ReaderResult>(f.loop, [&](auto reply) { f.store->OpenReader(valid, reply); });
  CHECK(missing.status().code() == Status::Code::kNotFound);
}

TEST_CASE("remove deletes a blob; an open reader keeps its body") {
  Fixture f;
  Info info = f.Write("short lived", 100);
  REQUIRE(info.ok());
  auto reader = f.OpenReader(info->id);
  REQUIRE(Await<Status>(f.loop, [&](auto reply) { f.store->Remove(info->id, reply); }).ok());
  CHECK(f.Read(*reader, 0, 100).value() == "short lived");
  f.Drop(reader);
  CHECK(Await<Status>(f.loop, [&](auto reply) { f.store->Remove(info->id, reply); }).code() ==
        Status::Code::kNotFound);
  CHECK(Await<ReaderResult>(f.loop, [&](auto reply) { f.store->OpenReader(info->id, reply); })
            .status()
            .code() == Status::Code::kNotFound);
}

TEST_CASE("RemoveUnreferenced deletes only unreferenced blobs") {
  Fixture f;
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(f.Write("body " + std::to_string(i), 3).value().id);
  std::string stray = f.store->root() + "/" + ids[0].substr(0, 2) + "/not-a-blob";
  std::ofstream(stray) << "x";
  std::set<std::string> keep = {ids[0], ids[2]};
  std::vector<std::string> asked;
  Result<int> removed = Await<Result<int>>(f.loop, [&](auto reply) {
    f.store->RemoveUnreferenced(
        [&](std::string_view id) {
          asked.emplace_back(id);
          return keep.count(std::string(id)) > 0;
        },
        reply);
  });
  REQUIRE(removed.ok());
  CHECK(*removed == 2);
  CHECK(asked.size() == 4);
  CHECK(std::filesystem::exists(f.store->TestPathOf(ids[0])));
  CHECK_FALSE(std::filesystem::exists(f.store->TestPathOf(ids[1])));
  CHECK(std::filesystem::exists(f.store->TestPathOf(ids[2])));
  CHECK_FALSE(std::filesystem::exists(f.store->TestPathOf(ids[3])));
  CHECK(std::filesystem::exists(stray));
}

TEST_CASE("open deletes leftover temp files and reports how many") {
  TempDir dir;
  std::filesystem::create_directories(dir / "blobs/tmp");
  for (const char* name : {"a", "b", "0123456789abcdef0123456789abcdef"}) {
    std::ofstream(dir / ("blobs/tmp/" + std::string(name))) << "half written";
  }
  testing::LoopThread loop;
  loop.Run([&] {
    auto store = BlobStore::Open(loop.loop(), dir.path(), Durability::kNormal);
    REQUIRE(store.ok());
    CHECK((*store)->removed_temp_files() == 3);
    CHECK(FilesIn(dir / "blobs/tmp").empty());
    // Shard directories come with their first blob, not at open (start-up stays quick).
    CHECK_FALSE(std::filesystem::exists(dir / "blobs/ff"));
  });
}

TEST_CASE("open fails with IoError when the directory cannot be made") {
  TempDir dir;
  std::ofstream(dir / "file") << "not a directory";
  testing::LoopThread loop;
  loop.Run([&] {
    auto store = BlobStore::Open(loop.loop(), dir / "file", Durability::kNormal);
    REQUIRE_FALSE(store.ok());
    CHECK(store.status().code() == Status::Code::kIoError);
    CHECK(store.status().message().find(dir / "file") != std::string::npos);
  });
}

TEST_CASE("writers and readers outlive their store; a closed store answers Unavailable") {
  Fixture f;
  Info info = f.Write("outlives", 3);
  REQUIRE(info.ok());
  auto reader = f.OpenReader(info->id);
  std::unique_ptr<BlobWriter> writer;
  f.loop.Run([&] {
    writer = f.store->NewWriter();
    f.store->Close();
  });
  Status closed = Await<Status>(f.loop, [&](auto reply) { f.store->Remove(info->id, reply); });
  CHECK(closed.code() == Status::Code::kUnavailable);
  f.loop.Run([&] { f.store.reset(); });
  CHECK(f.Read(*reader, 0, 100).value() == "outlives");
  REQUIRE(Await<Status>(f.loop, [&](auto reply) { writer->Append("late", reply); }).ok());
  Info late = Await<Info>(f.loop, [&](auto reply) { writer->Finish(reply); });
  REQUIRE(late.ok());
  CHECK(std::filesystem::file_size(f.dir / ("blobs/" + late->id.substr(0, 2) + "/" + late->id)) == 4);
  f.loop.Run([&] {
    writer.reset();
    reader.reset();
  });
}

}  // namespace
}  // namespace stratus::storage
