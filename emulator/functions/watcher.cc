#include "emulator/functions/watcher.h"

#include <filesystem>

#include "emulator/functions/invoker.h"
#include "emulator/util/log.h"

namespace stratus::functions {

namespace fs = std::filesystem;

namespace {
// Editors write a file in several steps; one reload per burst.
constexpr auto kDebounce = std::chrono::milliseconds(100);

bool Skipped(const fs::path& dir) {
  std::string name = dir.filename().string();
  return name == ".git" || name == "node_modules" || name == "__pycache__" ||
         name == ".stratus" || name == "build";
}

bool IgnoredFile(const char* file) {
  if (file == nullptr) return false;
  std::string name = file;
  return name.ends_with(".pyc") || name.ends_with("~") || name.ends_with(".swp") ||
         name == "__pycache__";
}
}  // namespace

struct CodeWatcher::Watch {
  uv_fs_event_t handle{};
  CodeWatcher* owner = nullptr;
  std::string dir;
};

CodeWatcher::CodeWatcher(loop::Loop& loop, Clock& clock, Invoker& invoker)
    : loop_(loop), clock_(clock), invoker_(invoker) {}

CodeWatcher::~CodeWatcher() { Close(); }

Status CodeWatcher::Start() {
  for (const Function* fn : invoker_.List()) {
    functions_by_root_[fn->config.code_dir].push_back(fn->config.name);
  }
  Scan();
  return Status::Ok();
}

// Watches every directory under the roots not watched yet (new ones appear after changes).
void CodeWatcher::Scan() {
  for (const auto& [root, names] : functions_by_root_) {
    WatchDirectory(root);
    std::error_code ec;
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_directory(ec)) continue;
      if (Skipped(it->path())) {
        it.disable_recursion_pending();
        continue;
      }
      WatchDirectory(it->path().string());
    }
  }
}

void CodeWatcher::WatchDirectory(const std::string& dir) {
  if (watches_.count(dir) != 0) return;
  auto* watch = new Watch;
  watch->owner = this;
  watch->dir = dir;
  uv_fs_event_init(loop_.raw(), &watch->handle);
  watch->handle.data = watch;
  int rc = uv_fs_event_start(
      &watch->handle,
      [](uv_fs_event_t* handle, const char* file, int, int status) {
        auto* w = static_cast<Watch*>(handle->data);
        if (status == 0 && w->owner != nullptr) w->owner->OnChange(w->dir, file);
      },
      dir.c_str(), 0);
  if (rc != 0) {
    log::Warn("--watch: cannot watch " + dir + ": " + uv_strerror(rc));
    loop::CloseAndDelete(watch, &watch->handle);
    return;
  }
  watches_[dir] = watch;
}

void CodeWatcher::OnChange(const std::string& dir, const char* file) {
  if (IgnoredFile(file)) return;
  for (const auto& [root, names] : functions_by_root_) {
    if (dir == root || dir.starts_with(root + "/")) changed_roots_.insert(root);
  }
  if (!debounce_.active()) debounce_ = clock_.After(kDebounce, [this] { Reload(); });
}

void CodeWatcher::Reload() {
  for (const auto& root : changed_roots_) {
    for (const auto& name : functions_by_root_[root]) {
      log::Info("--watch: code of " + name + " changed; its next call starts a new instance");
      invoker_.RetireWarm(name);
    }
  }
  changed_roots_.clear();
  ++reloads_;
  Scan();
}

void CodeWatcher::Close() {
  debounce_.Cancel();
  for (auto& [dir, watch] : watches_) {
    watch->owner = nullptr;
    uv_fs_event_stop(&watch->handle);
    loop::CloseAndDelete(watch, &watch->handle);
  }
  watches_.clear();
}

}  // namespace stratus::functions
