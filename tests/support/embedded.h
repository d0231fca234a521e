// Helpers for tests that embed an Emulator on a LoopThread.
#pragma once

#include <memory>
#include <string>

#include "emulator/emulator.h"
#include "tests/support/loop_thread.h"

namespace stratus::testing {

// Options for an emulator of the project `yaml` (parsed as DIR/stratus.yaml; the test fails
// if it does not parse) on ephemeral ports, with its data in DIR/.stratus and no log output.
EmulatorOptions EmbeddedOptions(const std::string& yaml, const std::string& dir);

// Stops `emulator` (waiting for every process and handle to close) and destroys it, both on
// the loop thread. Safe to call with a null pointer.
void StopAndDestroy(LoopThread& lt, std::unique_ptr<Emulator>& emulator);

}  // namespace stratus::testing
