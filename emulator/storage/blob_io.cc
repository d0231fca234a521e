#include "emulator/storage/blob_io.h"

#include <fcntl.h>

#include <algorithm>
#include <cassert>

#include "emulator/storage/fs_ops.h"

namespace stratus::storage {

namespace {
constexpr size_t kWritebackMin = 256 << 10;  // smaller chunks are not worth the extra hop
}  // namespace

// The writer's state lives in a shared_ptr that every in-flight request holds, so a request
// that completes after the BlobWriter died still finds it (and cleans up instead of
// answering).
struct BlobWriter::State : std::enable_shared_from_this<BlobWriter::State> {
  BlobLayout layout;
  std::string id;
  uv_file fd = -1;
  bool created = false;   // the temp file exists (until cleaned)
  bool renamed = false;   // it is now at its final path
  bool busy = false;      // an Append or Finish is in flight
  bool finished = false;  // Finish succeeded
  bool aborted = false;   // Abort()ed or destroyed: drop callbacks, clean up
  bool cleaned = false;
  Status failure;
  uint64_t size = 0;
  std::shared_ptr<const std::string> chunk;  // shared: a hasher may be reading it meanwhile
  size_t written = 0;
  std::function<void(Status)> append_done;
  std::function<void(Result<BlobInfo>)> finish_done;

  uv_loop_t* uv() { return layout.loop->raw(); }
  std::string Path() { return renamed ? layout.FinalPath(id) : layout.TempPath(id); }

  // Runs `next` with the file open (opening it first if needed).
  void EnsureOpen(std::function<void()> next);
  void WriteMore();
  void StartWriteback();
  void AppendDone();
  void SyncAndClose();
  void RenameToFinal();
  void Succeed();
  void Fail(Status status);
  void Cleanup();
};

void BlobWriter::State::EnsureOpen(std::function<void()> next) {
  if (fd >= 0) return next();
  int flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC;
  fs::Open(uv(), layout.TempPath(id), flags, 0644,
           [self = shared_from_this(), next = std::move(next)](int64_t result) {
             if (result >= 0) {
               self->fd = static_cast<uv_file>(result);
               self->created = true;
             }
             if (self->aborted) return self->Cleanup();
             if (result < 0) {
               return self->Fail(Status::IoError(
                   fs::Describe("create", self->layout.TempPath(self->id), result)));
             }
             next();
           });
}

void BlobWriter::State::WriteMore() {
  if (written == chunk->size()) {
    if (layout.durability != Durability::kOff && chunk->size() >= kWritebackMin) {
      return StartWriteback();
    }
    return AppendDone();
  }
  fs::Write(uv(), fd, chunk->data() + written, chunk->size() - written,
            static_cast<int64_t>(size + written), [self = shared_from_this()](int64_t result) {
              if (self->aborted) return self->Cleanup();
              if (result < 0) {
                return self->Fail(
                    Status::IoError(fs::Describe("write", self->Path(), result)));
              }
              self->written += static_cast<size_t>(result);
              self->WriteMore();
            });
}

// The chunk just written starts its way to the disk now (SYNC_FILE_RANGE_WRITE does not wait
// for it), so the fsync at Finish finds little left to do: for a large body that fsync was a
// quarter of the upload's time, spent after the last byte had arrived.
void BlobWriter::State::StartWriteback() {
  int file = fd;
  auto offset = static_cast<off64_t>(size);
  auto length = static_cast<off64_t>(chunk->size());
  layout.loop->QueueWork([file, offset, length] {
    ::sync_file_range(file, offset, length, SYNC_FILE_RANGE_WRITE);  // a hint: errors show at fsync
  }, [self = shared_from_this()] {
    if (self->aborted) return self->Cleanup();
    self->AppendDone();
  });
}

void BlobWriter::State::AppendDone() {
  size += chunk->size();
  chunk.reset();
  busy = false;
  auto done = std::move(append_done);
  done(Status::Ok());
}

void BlobWriter::State::SyncAndClose() {
  auto close = [self = shared_from_this()](int64_t sync_result) {
    if (self->aborted) return self->Cleanup();
    if (sync_result < 0) {
      return self->Fail(Status::IoError(fs::Describe("fsync", self->Path(), sync_result)));
    }
    uv_file file = self->fd;
    self->fd = -1;
    fs::Close(self->uv(), file, [self](int64_t result) {
      if (self->aborted) return self->Cleanup();
      if (result < 0) {
        return self->Fail(Status::IoError(fs::Describe("close", self->Path(), result)));
      }
      self->RenameToFinal();
    });
  };
  if (layout.durability == Durability::kOff) return close(0);
  fs::Fsync(uv(), fd, std::move(close));
}

void BlobWriter::State::RenameToFinal() {
  // Shard directories are made on first use, which keeps start-up to two mkdirs.
  fs::RenameMakingDir(uv(), layout.TempPath(id), layout.FinalPath(id),
             [self = shared_from_this()](int64_t result) {
               if (result >= 0) self->renamed = true;
               if (self->aborted) return self->Cleanup();
               if (result < 0) {
                 return self->Fail(Status::IoError(fs::Describe(
                     "rename to", self->layout.FinalPath(self->id), result)));
               }
               if (self->layout.durability != Durability::kFull) return self->Succeed();
               std::string dir = self->layout.ShardDir(self->id);
               fs::FsyncDir(self->uv(), dir, [self, dir](int64_t sync_result) {
                 if (self->aborted) return self->Cleanup();
                 if (sync_result < 0) {
                   return self->Fail(Status::IoError(fs::Describe("fsync", dir, sync_result)));
                 }
                 self->Succeed();
               });
             });
}

void BlobWriter::State::Succeed() {
  busy = false;
  finished = true;
  auto done = std::move(finish_done);
  done(BlobInfo{id, size});
}

void BlobWriter::State::Fail(Status status) {
  busy = false;
  failure = status;
  auto append = std::move(append_done);
  auto finish = std::move(finish_done);
  Cleanup();
  if (append) append(status);
  if (finish) finish(status);
}

void BlobWriter::State::Cleanup() {
  if (cleaned) return;
  cleaned = true;
  busy = false;
  append_done = nullptr;
  finish_done = nullptr;
  if (!created) return;
  std::string path = Path();
  uv_loop_t* loop = uv();
  if (fd >= 0) {
    uv_file file = std::exchange(fd, -1);
    fs::Close(loop, file, [loop, path](int64_t) { fs::Unlink(loop, path, nullptr); });
  } else {
    fs::Unlink(loop, path, nullptr);
  }
}

BlobWriter::BlobWriter(BlobLayout layout, std::string id) : state_(std::make_shared<State>()) {
  state_->layout = std::move(layout);
  state_->id = std::move(id);
}

BlobWriter::~BlobWriter() { Abort(); }

const std::string& BlobWriter::id() const { return state_->id; }
uint64_t BlobWriter::size() const { return state_->size; }

void BlobWriter::Append(std::string chunk, std::function<void(Status)> done) {
  Append(std::make_shared<const std::string>(std::move(chunk)), std::move(done));
}

void BlobWriter::Append(std::shared_ptr<const std::string> chunk,
                        std::function<void(Status)> done) {
  State& s = *state_;
  s.layout.loop->AssertOnLoopThread();
  assert(!s.busy && "BlobWriter::Append while an Append or Finish is pending");
  assert(!s.finished && !s.aborted && "BlobWriter::Append after Finish or Abort");
  if (!s.failure.ok()) {
    s.layout.loop->Post([state = state_, status = s.failure, done = std::move(done)] {
      if (!state->aborted) done(status);
    });
    return;
  }
  s.busy = true;
  if (chunk->empty()) {  // nothing to write; still answer later, never inside Append
    s.layout.loop->Post([state = state_, done = std::move(done)] {
      if (state->aborted) return;
      state->busy = false;
      done(Status::Ok());
    });
    return;
  }
  s.chunk = std::move(chunk);
  s.written = 0;
  s.append_done = std::move(done);
  s.EnsureOpen([&s] { s.WriteMore(); });
}

void BlobWriter::Finish(std::function<void(Result<BlobInfo>)> done) {
  State& s = *state_;
  s.layout.loop->AssertOnLoopThread();
  assert(!s.busy && "BlobWriter::Finish while an Append or Finish is pending");
  assert(!s.finished && !s.aborted && "BlobWriter::Finish called twice or after Abort");
  if (!s.failure.ok()) {
    s.layout.loop->Post([state = state_, status = s.failure, done = std::move(done)] {
      if (!state->aborted) done(status);
    });
    return;
  }
  s.busy = true;
  s.finish_done = std::move(done);
  s.EnsureOpen([&s] { s.SyncAndClose(); });
}

void BlobWriter::Abort() {
  State& s = *state_;
  if (s.finished || s.aborted) return;
  s.aborted = true;
  s.append_done = nullptr;
  s.finish_done = nullptr;
  // With a request in flight, its completion sees `aborted` and cleans up.
  if (!s.busy) s.Cleanup();
}

// ---- BlobReader ----

struct BlobReader::State {
  loop::Loop* loop = nullptr;
  std::string id;
  uv_file fd = -1;
  uint64_t size = 0;
  bool cancelled = false;

  ~State() {
    if (fd >= 0) fs::Close(loop->raw(), fd, nullptr);
  }
};

BlobReader::BlobReader(loop::Loop* loop, std::string id, int fd, uint64_t size)
    : state_(std::make_shared<State>()) {
  state_->loop = loop;
  state_->id = std::move(id);
  state_->fd = fd;
  state_->size = size;
}

BlobReader::~BlobReader() { state_->cancelled = true; }

const std::string& BlobReader::id() const { return state_->id; }
uint64_t BlobReader::size() const { return state_->size; }

void BlobReader::Read(uint64_t offset, size_t max_len,
                      std::function<void(Result<std::string>)> done) {
  state_->loop->AssertOnLoopThread();
  assert(max_len > 0 && "BlobReader::Read with max_len 0");
  uint64_t left = offset < state_->size ? state_->size - offset : 0;
  constexpr uint64_t kMaxRead = 1u << 30;  // one uv_buf_t holds < 4 GiB
  size_t len = static_cast<size_t>(std::min<uint64_t>({left, max_len, kMaxRead}));
  fs::Read(state_->loop->raw(), state_->fd, len, static_cast<int64_t>(offset),
           [state = state_, done = std::move(done)](int64_t result, std::string data) {
             if (state->cancelled) return;
             if (result < 0) {
               return done(Status::IoError(fs::Describe("read blob", state->id, result)));
             }
             done(std::move(data));
           });
}

}  // namespace stratus::storage
