// Helpers for tests that embed an Emulator on a LoopThread.
#pragma once

#include <memory>

#include "emulator/emulator.h"
#include "tests/support/loop_thread.h"

namespace stratus::testing {

// Stops `emulator` (waiting for every process and handle to close) and destroys it, both on
// the loop thread. Safe to call with a null pointer.
void StopAndDestroy(LoopThread& lt, std::unique_ptr<Emulator>& emulator);

}  // namespace stratus::testing
