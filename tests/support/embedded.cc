#include "tests/support/embedded.h"

#include <doctest/doctest.h>

#include <future>

namespace stratus::testing {

EmulatorOptions EmbeddedOptions(const std::string& yaml, const std::string& dir) {
  auto project = config::ParseConfig(yaml, dir + "/stratus.yaml");
  REQUIRE_MESSAGE(project.ok(), project.status().message());
  EmulatorOptions options;
  options.project = project.value();
  options.service_port = 0;
  options.gateway_port = 0;
  options.data_dir = dir + "/.stratus";
  options.log_fd = -1;
  return options;
}

void StopAndDestroy(LoopThread& lt, std::unique_ptr<Emulator>& emulator) {
  if (!emulator) return;
  std::promise<void> stopped;
  lt.Run([&] {
    emulator->Stop([&] { stopped.set_value(); });
    return 0;
  });
  stopped.get_future().wait();
  lt.Run([&] {
    emulator.reset();
    return 0;
  });
}

}  // namespace stratus::testing
