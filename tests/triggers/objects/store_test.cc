// ObjectStore's bucket rows are cached by name. The cache must only ever hold committed
// state: a bucket change that rolls back, or a read inside a transaction, must not leave an
// answer the database does not hold.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "emulator/storage/db.h"
#include "emulator/util/json.h"
#include "emulator/storage/transaction.h"
#include "tests/emulator/storage/test_util.h"
#include "triggers/objects/objects_store.h"

namespace stratus::triggers::objects {
namespace {

struct StoreFixture {
  storage::test::TempDir dir;
  std::unique_ptr<storage::Db> db;
  std::unique_ptr<ObjectStore> store;
  StoreFixture() {
    auto opened = storage::Db::Open(dir / "stratus.db", storage::Durability::kOff);
    REQUIRE_MESSAGE(opened.ok(), opened.status().ToString());
    db = std::move(opened).value();
    store = std::make_unique<ObjectStore>(*db);
    REQUIRE(store->Migrate().ok());
    REQUIRE(store->CreateBucket("box", 1).ok());
  }
  std::string Versioning() {
    auto found = store->FindBucket("box");
    REQUIRE(found.ok());
    REQUIRE(found->has_value());
    return (*found)->versioning;
  }
};

TEST_CASE("a bucket change rolled back leaves the committed row, read in the transaction or after") {
  StoreFixture f;
  CHECK(f.Versioning().empty());  // now cached
  {
    auto tx = f.db->Begin();
    REQUIRE(tx.ok());
    REQUIRE(f.store->SetVersioning("box", "Enabled").ok());
    CHECK(f.Versioning() == "Enabled");  // the transaction sees its own change
    REQUIRE(tx->Rollback().ok());
  }
  CHECK(f.Versioning().empty());
  {
    auto tx = f.db->Begin();
    REQUIRE(tx.ok());
    REQUIRE(f.store->SetNotification("box", "{\"rules\":[]}").ok());
    REQUIRE(tx->Commit().ok());
  }
  auto found = f.store->FindBucket("box");
  REQUIRE((found.ok() && found->has_value()));
  CHECK((*found)->notification == "{\"rules\":[]}");
}

TEST_CASE("a deleted bucket is gone from the cache; one made again starts afresh") {
  StoreFixture f;
  REQUIRE(f.store->SetVersioning("box", "Suspended").ok());
  CHECK(f.Versioning() == "Suspended");
  std::vector<std::string> freed;
  REQUIRE(f.store->DeleteBucket("box", &freed).ok());
  auto gone = f.store->FindBucket("box");
  REQUIRE(gone.ok());
  CHECK_FALSE(gone->has_value());
  REQUIRE(f.store->CreateBucket("box", 2).ok());
  CHECK(f.Versioning().empty());
}

TEST_CASE("a read inside a transaction that later rolls back caches nothing") {
  StoreFixture f;
  {
    auto tx = f.db->Begin();
    REQUIRE(tx.ok());
    REQUIRE(f.store->SetVersioning("box", "Enabled").ok());
    REQUIRE(tx->Commit().ok());
  }
  {
    auto tx = f.db->Begin();
    REQUIRE(tx.ok());
    // Written behind the store's back, as another change of the same batch could.
    REQUIRE(f.db->Exec("UPDATE objects_buckets SET versioning = 'Suspended' WHERE name = 'box'").ok());
    CHECK(f.Versioning() == "Suspended");
    REQUIRE(tx->Rollback().ok());
  }
  CHECK(f.Versioning() == "Enabled");
}

TEST_CASE("object attributes are stored as nlohmann::json would print them, and read back whole") {
  ObjectAttributes a;
  a.headers = {{"Content-Type", "text/plain; charset=\"utf-8\""}, {"Cache-Control", "no-cache"}};
  a.metadata = {{"caf\xc3\xa9", "line\nbreak\ttab \\ slash"}, {"ctl", std::string("\x01\x1f", 2)}};
  a.checksums = {{"CRC32", "AAAAAA=="}};
  a.parts_count = 3;
  auto pairs = [](const std::vector<std::pair<std::string, std::string>>& list) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& [k, v] : list) out.push_back({k, v});
    return out;
  };
  nlohmann::json tree = {{"h", pairs(a.headers)}, {"m", pairs(a.metadata)},
                         {"c", pairs(a.checksums)}, {"p", a.parts_count}};
  CHECK(a.ToJson() == DumpJson(tree));
  ObjectAttributes back = ObjectAttributes::FromJson(a.ToJson());
  CHECK(back.headers == a.headers);
  CHECK(back.metadata == a.metadata);
  CHECK(back.checksums == a.checksums);
  CHECK(back.parts_count == 3);
  CHECK(ObjectAttributes().ToJson() == R"({"c":[],"h":[],"m":[],"p":0})");
}

}  // namespace
}  // namespace stratus::triggers::objects
