// BlobWriter and BlobReader: streaming a blob's body in and out (made by BlobStore).
// Threading: loop thread only. All file I/O is asynchronous (libuv thread pool): the loop
// never waits on the disk.
//
// Callbacks: every `done` runs exactly once, later, on the loop thread (never inside the call
// that started it) - unless the writer/reader is destroyed (or the writer aborted) first: its
// pending callbacks are then dropped, never called. A callback may destroy its writer/reader.
// Writers and readers do not point at their BlobStore; they may outlive it (not the Loop).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "emulator/loop/loop.h"
#include "emulator/storage/durability.h"
#include "emulator/util/status.h"

namespace stratus::storage {

struct BlobInfo {
  std::string id;  // 32 lowercase hex digits, internal, never derived from a user key
  uint64_t size = 0;
};

// Where a blob lives; shared by the store, its writers and readers.
struct BlobLayout {
  loop::Loop* loop = nullptr;
  std::string root;  // DIR/blobs
  Durability durability = Durability::kFull;

  std::string TempPath(const std::string& id) const { return root + "/tmp/" + id; }
  std::string ShardDir(const std::string& id) const { return root + "/" + id.substr(0, 2); }
  std::string FinalPath(const std::string& id) const { return ShardDir(id) + "/" + id; }
};

class BlobWriter {
 public:
  BlobWriter(BlobLayout layout, std::string id);
  // Aborts an unfinished writer (see Abort).
  ~BlobWriter();
  BlobWriter(const BlobWriter&) = delete;
  BlobWriter& operator=(const BlobWriter&) = delete;

  // Appends `chunk` to the temp file (created on first use). `done` gets OK once the bytes are
  // written (not yet synced), or IoError naming the path; after an error the writer is failed:
  // its temp file is removed and later calls get the same error. Only one Append or Finish
  // may be pending at a time (asserted): wait for `done` before the next - that is the
  // back-pressure. Appending after Finish is a programmer error (asserted).
  void Append(std::string chunk, std::function<void(Status)> done);
  // The same for a chunk others may read meanwhile (a hasher on another thread): it is kept,
  // unchanged, until `done`.
  void Append(std::shared_ptr<const std::string> chunk, std::function<void(Status)> done);

  // Syncs the file per durability (kNormal/kFull: fsync), closes it, renames it to its final
  // name, fsyncs the directory (kFull), then gives BlobInfo{id, size}. Only then may metadata
  // refer to the id. On error (IoError naming the path) nothing is left on disk.
  void Finish(std::function<void(Result<BlobInfo>)> done);

  // Drops pending callbacks and removes the temp file (or the final file if a pending Finish
  // already renamed it), without blocking. No-op once Finish has succeeded.
  void Abort();

  const std::string& id() const;
  uint64_t size() const;  // bytes appended so far

 private:
  struct State;
  std::shared_ptr<State> state_;
};

class BlobReader {
 public:
  // Takes ownership of the open file `fd` (closed asynchronously when the reader and its
  // pending reads are gone).
  BlobReader(loop::Loop* loop, std::string id, int fd, uint64_t size);
  ~BlobReader();  // pending Read callbacks are dropped
  BlobReader(const BlobReader&) = delete;
  BlobReader& operator=(const BlobReader&) = delete;

  // Reads up to `max_len` (> 0, asserted) bytes at `offset`. `done` gets the bytes - fewer
  // near the end, empty at or past the end (EOF) - or IoError. Several reads may be pending.
  void Read(uint64_t offset, size_t max_len, std::function<void(Result<std::string>)> done);

  const std::string& id() const;
  uint64_t size() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace stratus::storage
