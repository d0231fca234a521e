// ObjectStore's bucket rows are cached by name. The cache must only ever hold committed
// state: a bucket change that rolls back, or a read inside a transaction, must not leave an
// answer the database does not hold.
#include <doctest/doctest.h>

#include "emulator/storage/db.h"
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

}  // namespace
}  // namespace stratus::triggers::objects
