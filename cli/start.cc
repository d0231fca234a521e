#include <unistd.h>
#include <uv.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "cli/args.h"
#include "cli/commands.h"
#include "emulator/emulator.h"
#include "emulator/util/log.h"
#include "triggers/registry.h"

namespace stratus::cli {

namespace {

const CommandSpec kStartSpec{
    "stratus start [-c FILE] [--host ADDR] [--port N] [--gateway-port N]\n"
    "                     [--data-dir DIR | --ephemeral] [--ready-file FILE] [--watch] [--seed N]",
    "Starts the emulator for a project: the gateway on --gateway-port, the AWS service APIs\n"
    "and the admin API (/_stratus/...) on --port. Port 0 picks a free port. When ready it\n"
    "prints one JSON line on stdout:\n"
    "  {\"event\":\"ready\",\"service_port\":4566,\"gateway_port\":3000,\"data_dir\":\"...\"}\n"
    "SIGINT or SIGTERM stops accepting, lets requests in flight finish, and exits 0.",
    {{"config", 'c', "FILE", "the project file (default: ./stratus.yaml)"},
     {"host", 0, "ADDR", "address to bind (default: 127.0.0.1)"},
     {"port", 'p', "N", "service port: AWS APIs and /_stratus/ (default: 4566)"},
     {"gateway-port", 'g', "N", "API gateway port (default: 3000)"},
     {"data-dir", 'd', "DIR", "where state is kept (default: .stratus/ beside the project file)"},
     {"ephemeral", 0, "", "keep state in a temporary directory removed at exit"},
     {"ready-file", 0, "FILE", "also write the ready line to FILE"},
     {"seed", 0, "N", "seed for request ids and sampled values, to reproduce a run"},
     {"watch", 'w', "", "when a function's files change, its next call runs the new code"}},
};

// Writes through a temporary name, so a reader polling for the file never sees half a line.
Status WriteReadyFile(const std::string& path, const std::string& line) {
  std::string temp = path + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::trunc);
    out << line << '\n';
    if (!out.flush()) return Status::IoError("cannot write " + temp);
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) return Status::IoError("cannot write " + path + ": " + ec.message());
  return Status::Ok();
}

Result<EmulatorOptions> OptionsFromArgs(const Args& args) {
  EmulatorOptions options;
  options.host = args.Get("host").value_or("127.0.0.1");
  auto port = args.GetInt("port", 0, 65535);
  if (!port.ok()) return port.status();
  if (*port) options.service_port = static_cast<int>(**port);
  auto gateway = args.GetInt("gateway-port", 0, 65535);
  if (!gateway.ok()) return gateway.status();
  if (*gateway) options.gateway_port = static_cast<int>(**gateway);
  auto seed = args.GetInt("seed", 0, std::numeric_limits<long long>::max());
  if (!seed.ok()) return seed.status();
  if (*seed) options.seed = static_cast<uint64_t>(**seed);
  if (args.Has("data-dir") && args.Has("ephemeral")) {
    return Status::InvalidArgument("--data-dir and --ephemeral exclude each other");
  }
  options.data_dir = args.Get("data-dir").value_or("");
  options.ephemeral = args.Has("ephemeral");
  options.watch = args.Has("watch");
  auto config = args.Get("config");
  options.config_path = config.value_or("stratus.yaml");
  if (!config && !std::filesystem::exists(options.config_path)) {
    return Status::InvalidArgument("no stratus.yaml in " + std::filesystem::current_path().string() +
                                   " (pass -c FILE)");
  }
  return options;
}

// Owns the signal handles; the first signal stops gracefully, a second one exits at once.
class SignalWatch {
 public:
  SignalWatch(loop::Loop& loop, std::function<void()> on_stop) : on_stop_(std::move(on_stop)) {
    for (int i = 0; i < 2; ++i) {
      uv_signal_init(loop.raw(), &signals_[i]);
      signals_[i].data = this;
      uv_signal_start(&signals_[i], &SignalWatch::OnSignal, i == 0 ? SIGINT : SIGTERM);
    }
  }
  void Close() {
    for (auto& s : signals_) uv_close(reinterpret_cast<uv_handle_t*>(&s), nullptr);
  }

 private:
  static void OnSignal(uv_signal_t* handle, int signum) {
    auto* self = static_cast<SignalWatch*>(handle->data);
    if (self->stopping_) {
      log::Warn("second signal: exiting without waiting for requests in flight");
      std::_Exit(1);
    }
    self->stopping_ = true;
    log::Info(std::string("received ") + (signum == SIGINT ? "SIGINT" : "SIGTERM") +
              ", finishing requests in flight");
    self->on_stop_();
  }

  uv_signal_t signals_[2]{};
  std::function<void()> on_stop_;
  bool stopping_ = false;
};

}  // namespace

int RunStart(int argc, char** argv) {
  auto args = Args::Parse(kStartSpec, argc, argv, 2);
  if (!args.ok()) {
    PrintError(args.status().message() + "; see 'stratus start --help'");
    return 2;
  }
  if (args->Has("help")) {
    std::fputs(HelpText(kStartSpec).c_str(), stdout);
    return 0;
  }
  auto options = OptionsFromArgs(*args);
  if (!options.ok()) {
    PrintError(options.status().message());
    return 2;
  }
  loop::Loop loop;
  Emulator emulator(loop, std::move(options.value()));
  for (auto& trigger : triggers::BuiltinTriggers().CreateAll()) {
    emulator.AddModule(std::move(trigger));
  }
  int exit_code = 0;
  SignalWatch signals(loop, [&] { emulator.Stop([&] { signals.Close(); }); });
  Status started = emulator.Start();
  if (started.ok()) {
    // The file first: whoever reads the stdout line may look for the file at once.
    std::string line = emulator.ReadyLine();
    if (auto ready_file = args->Get("ready-file")) started = WriteReadyFile(*ready_file, line);
    if (started.ok()) {
      std::printf("%s\n", line.c_str());
      std::fflush(stdout);
    }
  }
  if (!started.ok()) {
    PrintError(started.message());
    exit_code = started.code() == Status::Code::kInvalidArgument ? 2 : 1;
    emulator.Stop([&] { signals.Close(); });
  }
  loop.Run();
  return exit_code;
}

}  // namespace stratus::cli
