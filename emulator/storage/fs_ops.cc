#include "emulator/storage/fs_ops.h"

#include <fcntl.h>

#include <memory>

namespace stratus::storage::fs {

namespace {

// One in-flight request: owns the uv_fs_t, the path strings and the read buffer.
struct Op {
  uv_fs_t req{};
  std::function<void(uv_fs_t*)> on_done;
  std::string path;
  std::string path2;
  std::string buffer;
};

Op* NewOp(std::function<void(uv_fs_t*)> on_done) {
  auto* op = new Op;
  op->on_done = std::move(on_done);
  op->req.data = op;
  return op;
}

void Finish(uv_fs_t* req) {
  std::unique_ptr<Op> op(static_cast<Op*>(req->data));
  op->on_done(req);
  uv_fs_req_cleanup(req);
}

// Starting a request fails only for invalid arguments: report it through the callback.
void Check(Op* op, int rc) {
  if (rc < 0) {
    op->req.result = rc;
    Finish(&op->req);
  }
}

Done OrNothing(Done done) {
  return done ? std::move(done) : [](int64_t) {};
}

}  // namespace

void Open(uv_loop_t* loop, std::string path, int flags, int mode, Done done) {
  Op* op = NewOp([done = std::move(done)](uv_fs_t* req) { done(req->result); });
  op->path = std::move(path);
  Check(op, uv_fs_open(loop, &op->req, op->path.c_str(), flags, mode, &Finish));
}

void Write(uv_loop_t* loop, uv_file file, const char* data, size_t len, int64_t offset,
           Done done) {
  Op* op = NewOp([done = std::move(done)](uv_fs_t* req) { done(req->result); });
  uv_buf_t buf = uv_buf_init(const_cast<char*>(data), static_cast<unsigned>(len));
  Check(op, uv_fs_write(loop, &op->req, file, &buf, 1, offset, &Finish));
}

void Read(uv_loop_t* loop, uv_file file, size_t len, int64_t offset,
          std::function<void(int64_t result, std::string data)> done) {
  auto* op = new Op;
  op->req.data = op;
  op->buffer.resize(len);
  op->on_done = [op, done = std::move(done)](uv_fs_t* req) {
    if (req->result >= 0) op->buffer.resize(static_cast<size_t>(req->result));
    done(req->result, req->result >= 0 ? std::move(op->buffer) : std::string());
  };
  uv_buf_t buf = uv_buf_init(op->buffer.data(), static_cast<unsigned>(len));
  Check(op, uv_fs_read(loop, &op->req, file, &buf, 1, offset, &Finish));
}

void Fsync(uv_loop_t* loop, uv_file file, Done done) {
  Op* op = NewOp([done = std::move(done)](uv_fs_t* req) { done(req->result); });
  Check(op, uv_fs_fsync(loop, &op->req, file, &Finish));
}

void FileSize(uv_loop_t* loop, uv_file file, Done done) {
  Op* op = NewOp([done = std::move(done)](uv_fs_t* req) {
    done(req->result < 0 ? req->result : static_cast<int64_t>(req->statbuf.st_size));
  });
  Check(op, uv_fs_fstat(loop, &op->req, file, &Finish));
}

void Close(uv_loop_t* loop, uv_file file, Done done) {
  Op* op = NewOp([done = OrNothing(std::move(done))](uv_fs_t* req) { done(req->result); });
  Check(op, uv_fs_close(loop, &op->req, file, &Finish));
}

void Rename(uv_loop_t* loop, std::string from, std::string to, Done done) {
  Op* op = NewOp([done = std::move(done)](uv_fs_t* req) { done(req->result); });
  op->path = std::move(from);
  op->path2 = std::move(to);
  Check(op, uv_fs_rename(loop, &op->req, op->path.c_str(), op->path2.c_str(), &Finish));
}

void MakeDir(uv_loop_t* loop, std::string path, Done done) {
  Op* op = NewOp([done = std::move(done)](uv_fs_t* req) {
    done(req->result == UV_EEXIST ? 0 : req->result);
  });
  op->path = std::move(path);
  Check(op, uv_fs_mkdir(loop, &op->req, op->path.c_str(), 0755, &Finish));
}

void RenameMakingDir(uv_loop_t* loop, std::string from, std::string to, Done done) {
  Rename(loop, from, to, [loop, from, to, done = std::move(done)](int64_t result) mutable {
    if (result != UV_ENOENT) return done(result);
    std::string dir = to.substr(0, to.rfind('/'));
    MakeDir(loop, dir, [loop, from, to, done = std::move(done)](int64_t made) mutable {
      if (made < 0) return done(made);
      Rename(loop, std::move(from), std::move(to), std::move(done));
    });
  });
}

void Unlink(uv_loop_t* loop, std::string path, Done done) {
  Op* op = NewOp([done = OrNothing(std::move(done))](uv_fs_t* req) { done(req->result); });
  op->path = std::move(path);
  Check(op, uv_fs_unlink(loop, &op->req, op->path.c_str(), &Finish));
}

void FsyncDir(uv_loop_t* loop, std::string path, Done done) {
  Open(loop, path, O_RDONLY | O_DIRECTORY, 0,
       [loop, done = std::move(done)](int64_t fd) mutable {
         if (fd < 0) return done(fd);
         auto file = static_cast<uv_file>(fd);
         Fsync(loop, file, [loop, file, done = std::move(done)](int64_t rc) mutable {
           Close(loop, file, [rc, done = std::move(done)](int64_t close_rc) {
             done(rc < 0 ? rc : close_rc);
           });
         });
       });
}

void ListDir(uv_loop_t* loop, std::string path,
             std::function<void(int64_t result, std::vector<std::string> names)> done) {
  Op* op = NewOp([done = std::move(done)](uv_fs_t* req) {
    std::vector<std::string> names;
    if (req->result >= 0) {
      uv_dirent_t entry;
      while (uv_fs_scandir_next(req, &entry) != UV_EOF) names.emplace_back(entry.name);
    }
    done(req->result, std::move(names));
  });
  op->path = std::move(path);
  Check(op, uv_fs_scandir(loop, &op->req, op->path.c_str(), 0, &Finish));
}

std::string Describe(const char* what, const std::string& path, int64_t result) {
  return std::string(what) + " " + path + ": " + uv_strerror(static_cast<int>(result));
}

}  // namespace stratus::storage::fs
