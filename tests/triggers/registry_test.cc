#include "triggers/registry.h"

#include <doctest/doctest.h>

namespace stratus::triggers {
namespace {

class Named : public Module {
 public:
  explicit Named(std::string name) : name_(std::move(name)) {}
  std::string_view name() const override { return name_; }
  Status Start(Emulator&) override { return Status::Ok(); }

 private:
  std::string name_;
};

TEST_CASE("the registry makes one fresh instance of each trigger, in name order") {
  Registry registry;
  REQUIRE(registry.Register("queue", [] { return std::make_unique<Named>("queue"); }).ok());
  REQUIRE(registry.Register("gateway", [] { return std::make_unique<Named>("gateway"); }).ok());
  CHECK(registry.Register("queue", [] { return std::make_unique<Named>("x"); }).code() ==
        Status::Code::kAlreadyExists);
  CHECK(registry.names() == std::vector<std::string>{"gateway", "queue"});
  auto first = registry.CreateAll();
  auto second = registry.CreateAll();
  REQUIRE(first.size() == 2);
  CHECK(first[0]->name() == "gateway");
  CHECK(first[1]->name() == "queue");
  CHECK(first[0].get() != second[0].get());
}

TEST_CASE("every built-in trigger can be created") {
  for (auto& module : BuiltinTriggers().CreateAll()) CHECK_FALSE(module->name().empty());
}

}  // namespace
}  // namespace stratus::triggers
