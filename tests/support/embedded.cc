#include "tests/support/embedded.h"

#include <future>

namespace stratus::testing {

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
