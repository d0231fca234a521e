// DeferredRows: rows of one kind (log lines, invocation records) gathered while a deferred
// group commit waits (Db::WriteDeferred), then written by one change: one savepoint and one
// loop over a cached statement for the lot, instead of a transaction per event.
// Threading: loop thread only, like the Db.
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "emulator/storage/db.h"

namespace stratus::storage {

template <typename Row>
class DeferredRows {
 public:
  // Writes `rows` in order inside the group commit's transaction.
  using Insert = Status (*)(Db& db, const std::vector<Row>& rows);

  DeferredRows(Db& db, Insert insert) : db_(db), insert_(insert) {}

  // Queues `row` for the next group commit.
  void Add(Row row) {
    if (!batch_ || batch_->taken) {
      batch_ = std::make_shared<Batch>();
      db_.WriteDeferred([batch = batch_, insert = insert_](Db& db) {
        batch->taken = true;  // rows added from now on go to a new batch
        return insert(db, batch->rows);
      });
    }
    batch_->rows.push_back(std::move(row));
  }

 private:
  struct Batch {
    std::vector<Row> rows;
    bool taken = false;
  };
  Db& db_;
  Insert insert_;
  std::shared_ptr<Batch> batch_;  // shared with the queued change, which may outlive us
};

}  // namespace stratus::storage
