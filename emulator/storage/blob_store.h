// BlobStore: object bodies as files under DIR/blobs/, named by an internal random id (128-bit,
// 32 lowercase hex digits, from std::random_device; never a user's key), sharded by the id's
// first two digits: DIR/blobs/ab/ab12.... A body is written to DIR/blobs/tmp/<id>, synced per
// Durability, then renamed into place (see BlobWriter); only after that may metadata (SQLite)
// refer to the id. At start, Open() deletes leftover temp files and owners call
// RemoveUnreferenced() to drop final files whose metadata never committed.
//
// Threading: loop thread only. Open() does blocking file-system work (startup only); every
// other call is asynchronous: its `done` runs exactly once, later, on the loop thread (also for
// errors found at once, such as an invalid id), and may run after the store is destroyed
// (it never touches the store). The Loop must outlive every store, writer and reader.
#pragma once

#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>

#include "emulator/loop/loop.h"
#include "emulator/storage/blob_io.h"
#include "emulator/storage/durability.h"
#include "emulator/util/status.h"

namespace stratus::storage {

class BlobStore {
 public:
  static constexpr size_t kIdLength = 32;

  // Creates DIR/blobs and DIR/blobs/tmp if missing (a shard directory comes with its first
  // blob), and deletes everything in DIR/blobs/tmp (bodies a crash left half-written; see removed_temp_files()).
  // Returns the store (caller owns it), or IoError naming the path that failed.
  static Result<std::unique_ptr<BlobStore>> Open(loop::Loop& loop, const std::string& dir,
                                                 Durability durability);
  BlobStore(const BlobStore&) = delete;
  BlobStore& operator=(const BlobStore&) = delete;

  // Marks the store closed (it owns no loop handle, so there is nothing to wait for): later
  // OpenReader/Remove/RemoveUnreferenced answer Unavailable, NewWriter asserts. Writers and
  // readers already made carry on. Idempotent; for shutdown symmetry with Db::Close.
  void Close() { closed_ = true; }

  // How many leftover temp files Open() deleted.
  int removed_temp_files() const { return removed_temp_files_; }

  // A writer for a new blob with a fresh id (nothing touches the disk before its first
  // Append/Finish). Caller owns it; see blob_io.h.
  std::unique_ptr<BlobWriter> NewWriter();

  // Opens blob `id` for reading: done gets the reader (caller owns it), InvalidArgument for a
  // malformed id, NotFound if there is no such blob, IoError otherwise.
  void OpenReader(std::string_view id,
                  std::function<void(Result<std::unique_ptr<BlobReader>>)> done);

  // Deletes blob `id`: OK, InvalidArgument for a malformed id, NotFound if absent, IoError.
  // Readers already open keep reading the old body.
  void Remove(std::string_view id, std::function<void(Status)> done);

  // Deletes every final blob for which is_referenced(id) is false (called synchronously on
  // the loop thread, once per blob): bodies renamed into place whose metadata never
  // committed. done gets the count removed, or IoError (blobs removed before it stay
  // removed). Run it at start, before any writer is finishing: an unreferenced blob that a
  // writer just finished would be deleted too.
  void RemoveUnreferenced(std::function<bool(std::string_view id)> is_referenced,
                          std::function<void(Result<int>)> done);

  // True for exactly 32 lowercase hex digits: the only ids ever turned into paths.
  static bool IsValidId(std::string_view id);

  const std::string& root() const { return layout_.root; }  // DIR/blobs
  Durability durability() const { return layout_.durability; }
  // The final path of a valid id (for tests and diagnostics).
  std::string TestPathOf(std::string_view id) const { return layout_.FinalPath(std::string(id)); }

  loop::Loop& loop() { return *layout_.loop; }

 private:
  explicit BlobStore(BlobLayout layout) : layout_(std::move(layout)) {}
  std::string NewId();
  // Unavailable when closed, InvalidArgument for a malformed id, else OK.
  Status Check(const std::string& id) const;
  // Runs fn later on the loop thread (for answers known at once).
  void Later(std::function<void()> fn) { layout_.loop->Post(std::move(fn)); }

  BlobLayout layout_;
  std::random_device random_;
  int removed_temp_files_ = 0;
  bool closed_ = false;
};

}  // namespace stratus::storage
