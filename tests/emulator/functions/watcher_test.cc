// --watch: editing a function's file retires its warm instance; the next call runs new code.
#include "emulator/functions/watcher.h"

#include <doctest/doctest.h>

#include <future>

#include "emulator/emulator.h"
#include "emulator/functions/invoker.h"
#include "tests/support/embedded.h"
#include "tests/support/loop_thread.h"
#include "tests/support/stratus_process.h"

namespace stratus::functions {
namespace {

InvokeResult InvokeAndWait(testing::LoopThread& lt, Emulator& emulator) {
  std::promise<InvokeResult> result;
  lt.Run([&] {
    emulator.invoker().Invoke("hello", InvokeRequest{}, [&](InvokeResult r) { result.set_value(r); });
    return 0;
  });
  return result.get_future().get();
}

TEST_CASE("a changed file is picked up by the next call, which starts cold") {
  testing::TempDir dir;
  dir.Write("src/hello.py", "def handler(event, context):\n    return 'one'\n");
  std::string yaml = dir.Write("stratus.yaml",
                               "functions:\n  hello:\n    runtime: python3.11\n"
                               "    handler: src/hello.handler\n");
  testing::LoopThread lt;
  EmulatorOptions options;
  options.config_path = yaml;
  options.service_port = options.gateway_port = 0;
  options.ephemeral = true;
  options.watch = true;
  options.log_fd = -1;
  auto emulator = std::make_unique<Emulator>(lt.loop(), options);
  REQUIRE(lt.Run([&] { return emulator->Start(); }).ok());

  auto first = InvokeAndWait(lt, *emulator);
  CHECK(first.payload == "\"one\"");
  CHECK(first.cold);
  auto warm = InvokeAndWait(lt, *emulator);
  CHECK_FALSE(warm.cold);

  dir.Write("src/hello.py", "def handler(event, context):\n    return 'two'\n");
  // The change arrives through inotify and a short debounce: wait for the reload itself.
  for (int i = 0; i < 1000 && lt.Run([&] { return emulator->watcher()->reloads(); }) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  REQUIRE(lt.Run([&] { return emulator->watcher()->reloads(); }) > 0);
  auto second = InvokeAndWait(lt, *emulator);
  CHECK(second.payload == "\"two\"");
  CHECK(second.cold);

  testing::StopAndDestroy(lt, emulator);
}

}  // namespace
}  // namespace stratus::functions
