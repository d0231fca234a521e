#include "emulator/storage/blob_store.h"

#include <fcntl.h>

#include <cassert>
#include <filesystem>
#include <system_error>
#include <vector>

#include "emulator/storage/fs_ops.h"

namespace stratus::storage {

namespace {

namespace stdfs = std::filesystem;

constexpr char kHex[] = "0123456789abcdef";

std::string ShardName(int shard) { return {kHex[shard >> 4], kHex[shard & 15]}; }

Status CreateDir(const std::string& path) {
  std::error_code error;
  stdfs::create_directories(path, error);
  if (error) return Status::IoError("create directory " + path + ": " + error.message());
  return Status::Ok();
}

// Deletes everything inside `dir`; returns how many entries it removed.
Result<int> EmptyDir(const std::string& dir) {
  std::error_code error;
  int removed = 0;
  for (stdfs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    std::error_code remove_error;
    stdfs::remove_all(it->path(), remove_error);
    if (remove_error) {
      return Status::IoError("remove " + it->path().string() + ": " + remove_error.message());
    }
    ++removed;
  }
  if (error) return Status::IoError("list " + dir + ": " + error.message());
  return removed;
}

// The walk behind RemoveUnreferenced: one shard directory at a time, one unlink at a time.
struct Sweep : std::enable_shared_from_this<Sweep> {
  BlobLayout layout;
  std::function<bool(std::string_view)> is_referenced;
  std::function<void(Result<int>)> done;
  int shard = -1;
  std::vector<std::string> names;
  size_t next = 0;
  int removed = 0;

  void NextShard() {
    if (++shard == 256) return done(removed);
    std::string dir = layout.root + "/" + ShardName(shard);
    fs::ListDir(layout.loop->raw(), dir,
                [self = shared_from_this(), dir](int64_t result, std::vector<std::string> list) {
                  if (result < 0 && result != UV_ENOENT) {
                    return self->done(Status::IoError(fs::Describe("list", dir, result)));
                  }
                  self->names = std::move(list);
                  self->next = 0;
                  self->NextName();
                });
  }

  void NextName() {
    while (next < names.size()) {
      const std::string& name = names[next++];
      bool ours = BlobStore::IsValidId(name) && name.compare(0, 2, ShardName(shard)) == 0;
      if (!ours || is_referenced(name)) continue;
      std::string path = layout.FinalPath(name);
      fs::Unlink(layout.loop->raw(), path, [self = shared_from_this(), path](int64_t result) {
        if (result < 0 && result != UV_ENOENT) {
          return self->done(Status::IoError(fs::Describe("remove", path, result)));
        }
        if (result >= 0) ++self->removed;
        self->NextName();
      });
      return;
    }
    NextShard();
  }
};

}  // namespace

Result<std::unique_ptr<BlobStore>> BlobStore::Open(loop::Loop& loop, const std::string& dir,
                                                   Durability durability) {
  loop.AssertOnLoopThread();
  BlobLayout layout{&loop, dir + "/blobs", durability};
  STRATUS_RETURN_IF_ERROR(CreateDir(layout.root + "/tmp"));
  Result<int> removed = EmptyDir(layout.root + "/tmp");
  if (!removed.ok()) return removed.status().Annotate("open blob store");
  std::unique_ptr<BlobStore> store(new BlobStore(std::move(layout)));
  store->removed_temp_files_ = *removed;
  return store;
}

bool BlobStore::IsValidId(std::string_view id) {
  if (id.size() != kIdLength) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string BlobStore::NewId() {
  std::string id;
  id.reserve(kIdLength);
  for (int word = 0; word < 4; ++word) {
    uint32_t bits = random_();
    for (int nibble = 7; nibble >= 0; --nibble) id.push_back(kHex[(bits >> (nibble * 4)) & 15]);
  }
  return id;
}

Status BlobStore::Check(const std::string& id) const {
  if (closed_) return Status::Unavailable("blob store closed");
  if (!IsValidId(id)) return Status::InvalidArgument("invalid blob id '" + id + "'");
  return Status::Ok();
}

std::unique_ptr<BlobWriter> BlobStore::NewWriter() {
  layout_.loop->AssertOnLoopThread();
  assert(!closed_ && "BlobStore::NewWriter after Close");
  return std::make_unique<BlobWriter>(layout_, NewId());
}

void BlobStore::OpenReader(std::string_view id_view,
                           std::function<void(Result<std::unique_ptr<BlobReader>>)> done) {
  layout_.loop->AssertOnLoopThread();
  std::string id(id_view);
  if (Status status = Check(id); !status.ok()) {
    return Later([status, done = std::move(done)] { done(status); });
  }
  loop::Loop* loop = layout_.loop;
  std::string path = layout_.FinalPath(id);
  fs::Open(loop->raw(), path, O_RDONLY | O_CLOEXEC, 0,
           [loop, id, path, done = std::move(done)](int64_t fd) mutable {
             if (fd == UV_ENOENT) return done(Status::NotFound("blob " + id + " not found"));
             if (fd < 0) return done(Status::IoError(fs::Describe("open", path, fd)));
             auto file = static_cast<uv_file>(fd);
             fs::FileSize(loop->raw(), file,
                          [loop, id, path, file, done = std::move(done)](int64_t size) {
                            if (size < 0) {
                              fs::Close(loop->raw(), file, nullptr);
                              return done(Status::IoError(fs::Describe("stat", path, size)));
                            }
                            done(std::make_unique<BlobReader>(loop, id, file,
                                                              static_cast<uint64_t>(size)));
                          });
           });
}

void BlobStore::Remove(std::string_view id_view, std::function<void(Status)> done) {
  layout_.loop->AssertOnLoopThread();
  std::string id(id_view);
  if (Status status = Check(id); !status.ok()) {
    return Later([status, done = std::move(done)] { done(status); });
  }
  std::string path = layout_.FinalPath(id);
  fs::Unlink(layout_.loop->raw(), path, [id, path, done = std::move(done)](int64_t result) {
    if (result == UV_ENOENT) return done(Status::NotFound("blob " + id + " not found"));
    if (result < 0) return done(Status::IoError(fs::Describe("remove", path, result)));
    done(Status::Ok());
  });
}

void BlobStore::RemoveUnreferenced(std::function<bool(std::string_view id)> is_referenced,
                                   std::function<void(Result<int>)> done) {
  layout_.loop->AssertOnLoopThread();
  if (closed_) {
    return Later([done = std::move(done)] { done(Status::Unavailable("blob store closed")); });
  }
  auto sweep = std::make_shared<Sweep>();
  sweep->layout = layout_;
  sweep->is_referenced = std::move(is_referenced);
  sweep->done = std::move(done);
  sweep->NextShard();
}

}  // namespace stratus::storage
