// Crash safety: a child process writes through the storage layer and is killed with SIGKILL
// mid-stream; the parent reopens the data directory and checks that everything the child had
// been told was durable is there, and nothing half-written is. The children are forked before
// the parent test case makes any loop or thread, and they never return into doctest.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <set>
#include <string>

#include "emulator/loop/loop.h"
#include "emulator/storage/blob_store.h"
#include "emulator/storage/db.h"
#include "tests/emulator/storage/test_util.h"

namespace stratus::storage {
namespace {

using test::FilesIn;
using test::FilesUnder;
using test::TempDir;

constexpr size_t kChunk = 64 * 1024;

std::string RandomBytes(size_t size, uint32_t seed) {
  std::mt19937 random(seed);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(random());
  return bytes;
}

void WriteAll(int fd, const void* data, size_t len) {
  const char* at = static_cast<const char*>(data);
  while (len > 0) {
    ssize_t n = write(fd, at, len);
    if (n <= 0) _exit(90);
    at += n;
    len -= static_cast<size_t>(n);
  }
}

// Reads up to `len` bytes; fewer only at EOF.
std::string ReadUpTo(int fd, size_t len) {
  std::string data(len, '\0');
  size_t got = 0;
  while (got < len) {
    ssize_t n = read(fd, data.data() + got, len - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  data.resize(got);
  return data;
}

// Forks; the child runs body(write end of a pipe) and _exits. Returns the child's pid and the
// parent's read end.
template <typename Body>
std::pair<pid_t, int> Spawn(Body body) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  pid_t parent = getpid();
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a dead test
    if (getppid() != parent) _exit(91);
    body(fds[1]);
    _exit(92);
  }
  close(fds[1]);
  return {pid, fds[0]};
}

void KillAndReap(pid_t pid) {
  kill(pid, SIGKILL);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  CHECK(WIFSIGNALED(status));
  if (WIFSIGNALED(status)) CHECK(WTERMSIG(status) == SIGKILL);
}

// Child: finish one blob (report its id), then append to a second one forever (report "M"
// after its first chunk is on disk).
void BlobChild(const std::string& dir, const std::string& body, int out) {
  loop::Loop loop;
  auto opened = BlobStore::Open(loop, dir, Durability::kFull);
  if (!opened.ok()) _exit(93);
  std::unique_ptr<BlobStore> store = std::move(opened).value();
  std::unique_ptr<BlobWriter> first = store->NewWriter();
  std::unique_ptr<BlobWriter> second;
  const std::string filler(kChunk, 'z');
  bool signalled = false;
  std::function<void()> append_forever = [&] {
    second->Append(filler, [&](Status status) {
      if (!status.ok()) _exit(94);
      if (!signalled) WriteAll(out, "M", 1);
      signalled = true;
      if (second->size() > (1u << 30)) _exit(95);  // a runaway child must not fill the disk
      append_forever();
    });
  };
  std::function<void(size_t)> append_first = [&](size_t at) {
    if (at >= body.size()) {
      return first->Finish([&](Result<BlobInfo> info) {
        if (!info.ok() || info->size != body.size()) _exit(96);
        WriteAll(out, info->id.data(), info->id.size());
        second = store->NewWriter();
        append_forever();
      });
    }
    first->Append(body.substr(at, kChunk), [&, at](Status status) {
      if (!status.ok()) _exit(97);
      append_first(at + kChunk);
    });
  };
  append_first(0);
  loop.Run();
}

TEST_CASE("kill -9 mid-write: the finished blob is intact and nothing else is left") {
  TempDir dir;
  const std::string body = RandomBytes(kChunk * 16 + 123, 42);
  auto [pid, in] = Spawn([&](int out) { BlobChild(dir.path(), body, out); });
  std::string message = ReadUpTo(in, BlobStore::kIdLength + 1);
  KillAndReap(pid);
  close(in);
  REQUIRE(message.size() == BlobStore::kIdLength + 1);
  std::string id = message.substr(0, BlobStore::kIdLength);
  REQUIRE(message.back() == 'M');
  REQUIRE(FilesIn(dir / "blobs/tmp").size() == 1);  // the second blob, half written

  testing::LoopThread loop;
  loop.Run([&] {
    auto store = BlobStore::Open(loop.loop(), dir.path(), Durability::kFull);
    REQUIRE(store.ok());
    CHECK((*store)->removed_temp_files() == 1);
  });
  CHECK(FilesIn(dir / "blobs/tmp").empty());
  CHECK(FilesUnder(dir / "blobs") == std::set<std::string>{id.substr(0, 2) + "/" + id});
  std::ifstream file(dir / ("blobs/" + id.substr(0, 2) + "/" + id), std::ios::binary);
  std::string on_disk((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  CHECK(on_disk.size() == body.size());
  CHECK(on_disk == body);
}

// Child: commit rows through group commit, 8 per loop turn, reporting each acknowledged id.
void DbChild(const std::string& path, Durability durability, int out) {
  loop::Loop loop;
  auto opened = Db::Open(loop, path, durability);
  if (!opened.ok()) _exit(93);
  std::unique_ptr<Db> db = std::move(opened).value();
  if (!db->Migrate("crash", {"CREATE TABLE rows(id INTEGER PRIMARY KEY, payload TEXT)"}).ok()) {
    _exit(94);
  }
  const std::string payload(200, 'p');
  int64_t next_id = 1;
  std::function<void()> batch = [&] {
    for (int i = 0; i < 8; ++i) {
      int64_t id = next_id++;
      db->Write(
          [id, &payload](Db& d) {
            return d.Prepare("INSERT INTO rows(id, payload) VALUES(?, ?)")
                .value()
                ->BindAll(id, payload)
                .Run();
          },
          [id, i, &batch, out](Status status) {
            if (!status.ok()) _exit(95);
            WriteAll(out, &id, sizeof id);
            if (i == 7) batch();
            if (id > 50'000'000) _exit(96);
          });
    }
  };
  batch();
  loop.Run();
}

TEST_CASE("kill -9 during group commit: every acknowledged row survives") {
  for (Durability durability : {Durability::kOff, Durability::kNormal, Durability::kFull}) {
    CAPTURE(DurabilityName(durability));
    TempDir dir;
    std::string path = dir / "state.db";
    auto [pid, in] = Spawn([&](int out) { DbChild(path, durability, out); });
    std::set<int64_t> acknowledged;
    int64_t last = 0;
    bool in_order = true;
    bool killed = false;
    for (;;) {
      std::string record = ReadUpTo(in, sizeof(int64_t));
      if (record.size() != sizeof(int64_t)) break;  // EOF: the child is gone
      int64_t id;
      std::memcpy(&id, record.data(), sizeof id);
      in_order = in_order && id == last + 1;
      last = id;
      acknowledged.insert(id);
      if (!killed && acknowledged.size() >= 400) {
        KillAndReap(pid);  // rows acknowledged but still in the pipe are read after
        killed = true;
      }
    }
    close(in);
    REQUIRE(killed);
    CHECK(in_order);  // acknowledged in queue order

    auto db = Db::Open(path, durability);
    REQUIRE(db.ok());
    Statement* select = (*db)->Prepare("SELECT id FROM rows ORDER BY id").value();
    std::set<int64_t> stored;
    while (select->Step().value()) stored.insert(select->Int64(0));
    size_t missing = 0;
    for (int64_t id : acknowledged) missing += stored.count(id) == 0 ? 1 : 0;
    CHECK(missing == 0);
    CHECK(stored.size() >= acknowledged.size());
    select->Reset();
    Statement* integrity = (*db)->Prepare("PRAGMA integrity_check").value();
    REQUIRE(integrity->Step().value());
    CHECK(integrity->Text(0) == "ok");
    integrity->Reset();
  }
}

}  // namespace
}  // namespace stratus::storage
