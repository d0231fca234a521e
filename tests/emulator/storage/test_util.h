// Helpers shared by the storage tests: a temp directory removed at the end, and a blocking
// wait for an asynchronous call started on a LoopThread.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <functional>
#include <future>
#include <set>
#include <string>

#include "tests/support/loop_thread.h"

namespace stratus::storage::test {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "stratus-storage-XXXXXX");
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Runs start(reply) on the loop thread and blocks until reply(value) has been called there.
template <typename T>
T Await(testing::LoopThread& loop, std::function<void(std::function<void(T)>)> start) {
  auto promise = std::make_shared<std::promise<T>>();
  auto future = promise->get_future();
  loop.Run([&] { start([promise](T value) { promise->set_value(std::move(value)); }); });
  return future.get();
}

// Names of the regular files directly inside `dir`.
inline std::set<std::string> FilesIn(const std::string& dir) {
  std::set<std::string> names;
  std::error_code error;
  for (std::filesystem::directory_iterator it(dir, error), end; !error && it != end;
       it.increment(error)) {
    names.insert(it->path().filename().string());
  }
  return names;
}

// Every regular file under `root`, as paths relative to it. Files may vanish while it walks
// (a writer cleaning up in the background): those are simply not listed.
inline std::set<std::string> FilesUnder(const std::string& root) {
  std::set<std::string> names;
  std::error_code error;
  std::filesystem::recursive_directory_iterator it(root, error), end;
  for (; !error && it != end; it.increment(error)) {
    std::error_code entry_error;
    if (!it->is_regular_file(entry_error) || entry_error) continue;
    std::string path = it->path().string();
    if (path.size() > root.size() && path.compare(0, root.size(), root) == 0) {
      names.insert(path.substr(root.size() + (path[root.size()] == '/' ? 1 : 0)));
    }
  }
  return names;
}

}  // namespace stratus::storage::test
