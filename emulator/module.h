// Module: a part of stratus that the Emulator starts and stops but does not know by name:
// each trigger (gateway, objects, queue, ...) is one. Modules come from triggers/registry.
// Threading: loop thread only.
#pragma once

#include <string_view>

#include "emulator/util/status.h"

namespace stratus {

class Emulator;

class Module {
 public:
  virtual ~Module() = default;
  virtual std::string_view name() const = 0;

  // Called once the data directory is open and before the servers listen: create tables,
  // add routes to emulator.service_router() / gateway_router(). An error stops the start.
  virtual Status Start(Emulator& emulator) = 0;

  // Called while stopping, after the servers have drained and before the database closes.
  virtual void Stop() {}
};

}  // namespace stratus
