#include "emulator/harness/host.h"

#include "emulator/functions/logs.h"
#include "emulator/storage/db.h"

namespace stratus::harness {

EmulatorHost::EmulatorHost() {
  std::promise<void> ready;
  thread_ = std::thread([this, &ready] {
    loop_ = std::make_unique<loop::Loop>();
    loop_->KeepAlive(true);
    ready.set_value();
    loop_->Run();
  });
  ready.get_future().wait();
}

EmulatorHost::~EmulatorHost() {
  Stop();
  loop_->Post([this] { loop_->Stop(); });
  thread_.join();
  loop_.reset();
}

Status EmulatorHost::Start(EmulatorOptions options, std::vector<std::unique_ptr<Module>> modules) {
  std::promise<Status> started;
  loop_->Post([&] {
    emulator_ = std::make_unique<Emulator>(*loop_, std::move(options));
    for (auto& module : modules) emulator_->AddModule(std::move(module));
    started.set_value(emulator_->Start());
  });
  Status status = started.get_future().get();
  if (!status.ok()) {
    Stop();
    return status;
  }
  service_port_ = Run([](Emulator& e) { return e.service_port(); });
  gateway_port_ = Run([](Emulator& e) { return e.gateway_port(); });
  return status;
}

void EmulatorHost::Barrier() {
  Await<Status>([](Emulator& e, std::function<void(Status)> done) {
    e.logs().Flush();
    // Writes commit in queue order: once this empty one is done, so is every earlier one.
    e.db().Write([](storage::Db&) { return Status::Ok(); }, std::move(done));
  });
}

void EmulatorHost::Stop() {
  if (!emulator_) return;
  std::promise<void> stopped;
  loop_->Post([&] { emulator_->Stop([&] { stopped.set_value(); }); });
  stopped.get_future().wait();
  std::promise<void> destroyed;
  loop_->Post([&] {
    emulator_.reset();
    destroyed.set_value();
  });
  destroyed.get_future().wait();
}

}  // namespace stratus::harness
