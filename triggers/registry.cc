#include "triggers/registry.h"

#include "triggers/gateway/gateway.h"
#include "triggers/objects/objects.h"
#include "triggers/queue/queue.h"

namespace stratus::triggers {

Status Registry::Register(std::string name, TriggerFactory factory) {
  if (factories_.count(name) != 0) {
    return Status::AlreadyExists("trigger registered twice: " + name);
  }
  factories_.emplace(std::move(name), std::move(factory));
  return Status::Ok();
}

std::vector<std::unique_ptr<Module>> Registry::CreateAll() const {
  std::vector<std::unique_ptr<Module>> modules;
  for (const auto& [name, factory] : factories_) modules.push_back(factory());
  return modules;
}

std::vector<std::string> Registry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, factory] : factories_) out.push_back(name);
  return out;
}

Registry BuiltinTriggers() {
  Registry registry;
  // Each event source adds its line here as it lands (gateway, objects, queue, table,
  // schedule), e.g. registry.Register("queue", [] { return std::make_unique<QueueTrigger>(); });
  (void)registry.Register("gateway", [] { return std::make_unique<gateway::GatewayTrigger>(); });
  (void)registry.Register("objects", [] { return std::make_unique<objects::ObjectsTrigger>(); });
  (void)registry.Register("queue", [] { return std::make_unique<queue::QueueTrigger>(); });
  return registry;
}

}  // namespace stratus::triggers
