// The trigger registry: event-source name -> factory. The stratus binary asks it for every
// built-in trigger and hands them to the Emulator as Modules. Registration is explicit (no
// static initialisers), because a static library drops object files nothing refers to.
// Threading: build at start-up, then read-only.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "emulator/module.h"

namespace stratus::triggers {

using TriggerFactory = std::function<std::unique_ptr<Module>()>;

class Registry {
 public:
  // Adds a factory; returns AlreadyExists for a name registered before (nothing changes).
  Status Register(std::string name, TriggerFactory factory);
  // One new instance of every registered trigger, in name order.
  std::vector<std::unique_ptr<Module>> CreateAll() const;
  std::vector<std::string> names() const;

 private:
  std::map<std::string, TriggerFactory> factories_;
};

// A registry holding every trigger built into stratus.
Registry BuiltinTriggers();

}  // namespace stratus::triggers
