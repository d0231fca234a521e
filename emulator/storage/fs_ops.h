// fs_ops: thin asynchronous wrappers over uv_fs_* for the blob store (internal to storage).
// Each call starts one request on the libuv thread pool and returns at once; `done` runs once
// on the loop thread with libuv's result (>= 0, or a negative UV_E* code). The request and any
// buffer it needs are owned by the call until `done` has run. Loop thread only.
// If libuv refuses to start a request (only for invalid arguments), `done` runs at once,
// inside the call, with the error.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace stratus::storage::fs {

using Done = std::function<void(int64_t result)>;

// result: the file descriptor, or an error.
void Open(uv_loop_t* loop, std::string path, int flags, int mode, Done done);
// Writes data[0..] at `offset` (a single pwrite: result is the byte count, maybe short).
void Write(uv_loop_t* loop, uv_file file, const char* data, size_t len, int64_t offset,
           Done done);
// Reads up to `len` bytes at `offset`; done gets the result and the bytes read.
void Read(uv_loop_t* loop, uv_file file, size_t len, int64_t offset,
          std::function<void(int64_t result, std::string data)> done);
void Fsync(uv_loop_t* loop, uv_file file, Done done);
// done gets the file size (from fstat) or an error.
void FileSize(uv_loop_t* loop, uv_file file, Done done);
void Close(uv_loop_t* loop, uv_file file, Done done);  // `done` may be empty
void Rename(uv_loop_t* loop, std::string from, std::string to, Done done);
// Like Rename, but creates the target's directory (one level) when it is missing.
void RenameMakingDir(uv_loop_t* loop, std::string from, std::string to, Done done);
void MakeDir(uv_loop_t* loop, std::string path, Done done);  // an existing one is success
void Unlink(uv_loop_t* loop, std::string path, Done done);  // `done` may be empty
// Opens the directory, fsyncs it, closes it.
void FsyncDir(uv_loop_t* loop, std::string path, Done done);
// Lists the entry names of a directory (files and others); result < 0 on error.
void ListDir(uv_loop_t* loop, std::string path,
             std::function<void(int64_t result, std::vector<std::string> names)> done);

// "what path: strerror" for a negative libuv result.
std::string Describe(const char* what, const std::string& path, int64_t result);

}  // namespace stratus::storage::fs
