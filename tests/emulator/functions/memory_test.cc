// Memory: a function over its memory size is killed (Runtime.OutOfMemory, as Lambda reports
// it) and Max Memory Used reflects what the process tree used, whichever limiter is in force.
#include <doctest/doctest.h>

#include <future>

#include "emulator/emulator.h"
#include "emulator/functions/invoker.h"
#include "emulator/functions/limits.h"
#include "tests/support/embedded.h"
#include "tests/support/loop_thread.h"
#include "tests/support/stratus_process.h"

namespace stratus::functions {
namespace {

struct MemoryProject {
  // Chooses the limiter for this project: the default (cgroup where possible) or the watch.
  explicit MemoryProject(bool force_rss_watch = false) : force_rss_watch_(force_rss_watch) {
    Init();
  }
  bool force_rss_watch_;
  testing::TempDir dir;
  testing::LoopThread lt;
  std::unique_ptr<Emulator> emulator;

  void Init() {
    if (force_rss_watch_) setenv("STRATUS_MEMORY_LIMITS", "rss", 1);
    // Touches `mb` MiB (bytearray pages are written, so they are resident).
    dir.Write("mem.py",
              "def handler(event, context):\n"
              "    block = bytearray(event['mb'] * 1024 * 1024)\n"
              "    for i in range(0, len(block), 4096):\n"
              "        block[i] = 1\n"
              "    return len(block)\n");
    std::string yaml = dir.Write("stratus.yaml",
                                 "functions:\n  mem:\n    runtime: python3.11\n"
                                 "    handler: mem.handler\n    memory: 128\n    timeout: 20\n");
    EmulatorOptions options;
    options.config_path = yaml;
    options.service_port = options.gateway_port = 0;
    options.ephemeral = true;
    options.log_fd = -1;
    emulator = std::make_unique<Emulator>(lt.loop(), options);
    REQUIRE(lt.Run([&] { return emulator->Start(); }).ok());
    unsetenv("STRATUS_MEMORY_LIMITS");
  }
  ~MemoryProject() {
    testing::StopAndDestroy(lt, emulator);
  }
  InvokeResult Invoke(int mb) {
    std::promise<InvokeResult> result;
    InvokeRequest request;
    request.payload = "{\"mb\": " + std::to_string(mb) + "}";
    lt.Run([&] {
      emulator->invoker().Invoke("mem", request, [&](InvokeResult r) { result.set_value(r); });
      return 0;
    });
    return result.get_future().get();
  }
};

TEST_CASE("Max Memory Used follows what the function touched") {
  MemoryProject p;
  auto small = p.Invoke(1);
  REQUIRE_FALSE(small.function_error);
  auto big = p.Invoke(60);
  REQUIRE_FALSE(big.function_error);
  CAPTURE(p.lt.Run([&] { return std::string(p.emulator->memory_limit_mode()); }));
  CHECK(big.max_memory_mb >= 60);
  CHECK(big.max_memory_mb < 128);
  CHECK(small.max_memory_mb > 0);
}

TEST_CASE("a function over its memory size is killed with Runtime.OutOfMemory") {
  for (bool rss_watch : {false, true}) {
    CAPTURE(rss_watch);
    MemoryProject p(rss_watch);
    std::string mode = p.lt.Run([&] { return std::string(p.emulator->memory_limit_mode()); });
    if (rss_watch) CHECK(mode == "rss watch");
    auto over = p.Invoke(400);
    CHECK(over.function_error);
    CHECK(over.error_type == "Runtime.OutOfMemory");
    CHECK(over.payload.find("Runtime exited with error: signal: killed") != std::string::npos);
    // The instance was replaced: the next call works.
    auto after = p.Invoke(1);
    CHECK_FALSE(after.function_error);
    CHECK(after.cold);
  }
}

}  // namespace
}  // namespace stratus::functions
