// Ephemeral data directories left by killed runs are removed by the next ephemeral start;
// those of live runs, and anything not marked ephemeral, are left alone.
#include "emulator/storage/ephemeral_dirs.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/emulator/storage/test_util.h"

namespace stratus::storage {
namespace {

namespace fs = std::filesystem;

// A directory as an ephemeral emulator leaves it: a lock file, a database, blobs; marked or not.
fs::path MakeDataDir(const fs::path& parent, const std::string& name, bool marked) {
  fs::path dir = parent / name;
  fs::create_directories(dir / "blobs/ab");
  std::ofstream(dir / "lock") << "12345";
  std::ofstream(dir / "stratus.db") << "db";
  std::ofstream(dir / "blobs/ab/ab00") << "body";
  if (marked) REQUIRE(MarkEphemeral(dir.string()).ok());
  return dir;
}

TEST_CASE("abandoned ephemeral directories are removed; live, unmarked and foreign ones stay") {
  test::TempDir parent;
  fs::path root = parent.path();
  fs::path killed = MakeDataDir(root, "stratus-Kil1ed", true);
  fs::path live = MakeDataDir(root, "stratus-L1veRn", true);
  fs::path unmarked = MakeDataDir(root, "stratus-NoMark", false);
  fs::path other_name = MakeDataDir(root, "stratus-project", true);  // not mkdtemp's shape
  fs::path no_lock = MakeDataDir(root, "stratus-NoLock", true);
  fs::remove(no_lock / "lock");
  int held = ::open((live / "lock").c_str(), O_RDWR | O_CLOEXEC);
  REQUIRE(held >= 0);
  REQUIRE(::flock(held, LOCK_EX | LOCK_NB) == 0);  // a running emulator's

  CHECK(RemoveAbandonedEphemeralDirs(root.string()) == 1);
  CHECK_FALSE(fs::exists(killed));
  CHECK(fs::exists(live / "stratus.db"));
  CHECK(fs::exists(unmarked / "stratus.db"));
  CHECK(fs::exists(other_name / "stratus.db"));
  CHECK(fs::exists(no_lock / "stratus.db"));

  ::close(held);  // the live run is killed in turn
  CHECK(RemoveAbandonedEphemeralDirs(root.string()) == 1);
  CHECK_FALSE(fs::exists(live));
  CHECK(RemoveAbandonedEphemeralDirs(root.string()) == 0);
}

TEST_CASE("another user's abandoned ephemeral directory is left alone") {
  if (::geteuid() != 0) return;  // only root can hand a directory to another user
  test::TempDir parent;
  fs::path theirs = MakeDataDir(parent.path(), "stratus-Theirs", true);
  REQUIRE(::chown(theirs.c_str(), 65534, 65534) == 0);
  CHECK(RemoveAbandonedEphemeralDirs(parent.path()) == 0);
  CHECK(fs::exists(theirs / "stratus.db"));
  REQUIRE(::chown(theirs.c_str(), 0, 0) == 0);
  CHECK(RemoveAbandonedEphemeralDirs(parent.path()) == 1);
}

TEST_CASE("a made ephemeral directory is under TMPDIR, private, and unmarked until marked") {
  test::TempDir parent;
  const char* before = ::getenv("TMPDIR");
  std::string saved = before ? before : "";
  ::setenv("TMPDIR", parent.path().c_str(), 1);
  auto made = MakeEphemeralDir();
  if (before) ::setenv("TMPDIR", saved.c_str(), 1); else ::unsetenv("TMPDIR");
  REQUIRE(made.ok());
  fs::path dir = made.value();
  CHECK(dir.parent_path() == fs::path(parent.path()));
  CHECK(dir.filename().string().rfind("stratus-", 0) == 0);
  CHECK((fs::status(dir).permissions() & fs::perms::all) == fs::perms::owner_all);
  std::ofstream(dir / "lock") << "";
  CHECK(RemoveAbandonedEphemeralDirs(parent.path()) == 0);  // not marked yet: being set up
  REQUIRE(MarkEphemeral(dir.string()).ok());
  CHECK(RemoveAbandonedEphemeralDirs(parent.path()) == 1);
}

}  // namespace
}  // namespace stratus::storage
