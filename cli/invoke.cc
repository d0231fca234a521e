// `stratus invoke NAME`: runs one function once, like `sam local invoke`. An Emulator starts
// in-process on ephemeral ports (functions still get AWS_ENDPOINT_URL), the event goes
// through the Invoker as any trigger's would, the response payload is printed on stdout and
// the function's logs with START/END/REPORT on stderr; then everything stops at once.
#include <uv.h>

#include "emulator/util/json.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "emulator/emulator.h"
#include "emulator/functions/function.h"
#include "emulator/functions/invoker.h"
#include "triggers/registry.h"

namespace stratus::cli {

namespace {

const CommandSpec kInvokeSpec{
    "stratus invoke NAME [-c FILE] [--event FILE|-] [--data-dir DIR | --ephemeral] [--json]",
    "Invokes function NAME once with an event (a JSON file, '-' for stdin, default {}) and\n"
    "stops. The response payload is printed on stdout; the function's logs and the\n"
    "START/END/REPORT lines on stderr. The emulator's services run on ephemeral ports for\n"
    "the duration, so SDK calls the function makes still reach stratus. If the project's\n"
    "data directory is in use by a running 'stratus start', a temporary one is used.\n"
    "Exit status: 0 success, 1 the function failed (X-Amz-Function-Error), 2 bad usage.",
    {{"config", 'c', "FILE", "the project file (default: ./stratus.yaml)"},
     {"event", 'e', "FILE", "the event as a JSON file, or '-' to read it from stdin"},
     {"data-dir", 'd', "DIR", "where state is kept (default: .stratus/ beside the project file)"},
     {"ephemeral", 0, "", "keep state in a temporary directory removed at exit"},
     {"json", 0, "", "print the result and its metrics as one JSON object"}},
    /*takes_positional=*/true,
};

// The event's bytes: the file, stdin for "-", "{}" when none is given. InvalidArgument for
// an unreadable file or text that is not JSON.
Result<std::string> ReadEvent(const std::optional<std::string>& source) {
  if (!source) return std::string("{}");
  std::string text;
  if (*source == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(*source, std::ios::binary);
    if (!in) return Status::InvalidArgument("cannot read event file " + *source);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
  }
  std::string name = *source == "-" ? "the event on stdin" : "event file " + *source;
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Status::InvalidArgument(name + " is empty");
  }
  try {
    nlohmann::json parsed = nlohmann::json::parse(text);
    (void)parsed;
  } catch (const nlohmann::json::parse_error& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at line 1, column 2: ..."
    std::string what = e.what();
    auto at = what.find("parse error");
    return Status::InvalidArgument(name + " is not valid JSON: " +
                                   (at == std::string::npos ? what : what.substr(at)));
  }
  return text;
}

// The unknown-function error: names the nearest function and lists the known ones.
std::string UnknownFunction(const std::string& name, const config::ProjectConfig& project) {
  std::vector<std::string> names;
  for (const auto& [known, fn] : project.functions) names.push_back(known);
  std::string message = "no function '" + name + "' in " + project.file;
  if (names.empty()) return message + " (it defines no functions)";
  if (auto near = NearestWord(name, names)) message += " (did you mean '" + *near + "'?)";
  message += "; known functions:";
  for (size_t i = 0; i < names.size(); ++i) message += (i ? ", " : " ") + names[i];
  return message;
}

// The other functions stay available (one may invoke another through the Invoke API), but
// one whose interpreter or bootstrap is missing would stop the emulator from starting: it is
// left out, with a note. The invoked function's own problem is reported by Start().
void SkipUnrunnable(const std::string& invoked, config::ProjectConfig& project) {
  functions::FunctionContext context;
  context.runtimes_dir = functions::DefaultRuntimesDir();
  context.interpreter_overrides = project.runtimes;
  const char* path = std::getenv("PATH");
  context.search_path = path ? path : "/usr/local/bin:/usr/bin:/bin";
  for (auto it = project.functions.begin(); it != project.functions.end();) {
    if (it->first != invoked) {
      auto resolved = functions::MakeFunction(it->second, context);
      if (!resolved.ok()) {
        std::string why = resolved.status().message();
        std::string prefix = "function '" + it->first + "': ";
        if (why.rfind(prefix, 0) == 0) why = why.substr(prefix.size());
        std::fprintf(stderr, "stratus: note: function '%s' left out: %s\n", it->first.c_str(),
                     why.c_str());
        it = project.functions.erase(it);
        continue;
      }
    }
    ++it;
  }
}

Result<EmulatorOptions> OptionsFromArgs(const Args& args) {
  if (args.positional().size() != 1) {
    return Status::InvalidArgument(args.positional().empty()
                                       ? "name the function to invoke"
                                       : "one function at a time: unexpected '" +
                                             args.positional()[1] + "'");
  }
  if (args.Has("data-dir") && args.Has("ephemeral")) {
    return Status::InvalidArgument("--data-dir and --ephemeral exclude each other");
  }
  EmulatorOptions options;
  auto config = args.Get("config");
  options.config_path = config.value_or("stratus.yaml");
  if (!config && !std::filesystem::exists(options.config_path)) {
    return Status::InvalidArgument("no stratus.yaml in " + std::filesystem::current_path().string() +
                                   " (pass -c FILE)");
  }
  auto project = config::LoadConfigFile(options.config_path);
  if (!project.ok()) return project.status();
  const std::string& name = args.positional()[0];
  if (project->functions.count(name) == 0) {
    return Status::InvalidArgument(UnknownFunction(name, *project));
  }
  // One call needs one instance: provisioned ones would only be started and killed.
  for (auto& [fn_name, fn] : project->functions) fn.provisioned = 0;
  SkipUnrunnable(name, *project);
  options.project = std::move(project.value());
  options.service_port = 0;
  options.gateway_port = 0;
  options.log_fd = 2;
  options.data_dir = args.Get("data-dir").value_or("");
  options.ephemeral = args.Has("ephemeral");
  return options;
}

// SIGINT/SIGTERM while a function runs: stop the emulator, which kills the function's
// process group (it runs in a session of its own, so the terminal's signal misses it).
class InterruptWatch {
 public:
  InterruptWatch(loop::Loop& loop, std::function<void(int)> on_signal)
      : on_signal_(std::move(on_signal)) {
    for (int i = 0; i < 2; ++i) {
      uv_signal_init(loop.raw(), &signals_[i]);
      signals_[i].data = this;
      uv_signal_start(&signals_[i], &InterruptWatch::OnSignal, i == 0 ? SIGINT : SIGTERM);
      // A watch alone must not keep the loop running.
      uv_unref(reinterpret_cast<uv_handle_t*>(&signals_[i]));
    }
  }
  void Close() {
    if (closed_) return;
    closed_ = true;
    for (auto& s : signals_) uv_close(reinterpret_cast<uv_handle_t*>(&s), nullptr);
  }

 private:
  static void OnSignal(uv_signal_t* handle, int signum) {
    auto* self = static_cast<InterruptWatch*>(handle->data);
    if (self->fired_) std::_Exit(128 + signum);
    self->fired_ = true;
    self->on_signal_(signum);
  }

  uv_signal_t signals_[2]{};
  std::function<void(int)> on_signal_;
  bool fired_ = false;
  bool closed_ = false;
};

// Starts an emulator on `loop`; on failure stops it again (running the loop until it has
// released everything) and returns the error.
Result<std::unique_ptr<Emulator>> StartEmulator(loop::Loop& loop, EmulatorOptions options) {
  auto emulator = std::make_unique<Emulator>(loop, std::move(options));
  for (auto& trigger : triggers::BuiltinTriggers().CreateAll()) {
    emulator->AddModule(std::move(trigger));
  }
  Status started = emulator->Start();
  if (started.ok()) return emulator;
  emulator->Stop([] {});
  loop.Run();
  return started;
}

bool IsDataDirInUse(const Status& status) {
  return status.code() == Status::Code::kFailedPrecondition &&
         status.message().find("in use by another stratus") != std::string::npos;
}

void PrintPayload(const std::string& payload) {
  std::fwrite(payload.data(), 1, payload.size(), stdout);
  if (payload.empty() || payload.back() != '\n') std::fputc('\n', stdout);
  std::fflush(stdout);
}

void PrintJson(const functions::InvokeResult& result) {
  nlohmann::json out = {{"request_id", result.request_id},
                        {"function_error", result.function_error},
                        {"cold", result.cold},
                        {"init_ms", result.init_ms},
                        {"duration_ms", result.duration_ms},
                        {"billed_ms", result.billed_ms},
                        {"max_memory_mb", result.max_memory_mb}};
  if (result.function_error) out["error_type"] = result.error_type;
  // The payload as JSON when it is JSON (it usually is), else as a string.
  auto parsed = nlohmann::json::parse(result.payload, nullptr, /*allow_exceptions=*/false);
  out["payload"] = parsed.is_discarded() ? nlohmann::json(result.payload) : parsed;
  std::string line = DumpJson(out);
  PrintPayload(line);
}

}  // namespace

int RunInvoke(int argc, char** argv) {
  auto args = Args::Parse(kInvokeSpec, argc, argv, 2);
  if (!args.ok()) {
    PrintError(args.status().message() + "; see 'stratus invoke --help'");
    return 2;
  }
  if (args->Has("help")) {
    std::fputs(HelpText(kInvokeSpec).c_str(), stdout);
    return 0;
  }
  auto options = OptionsFromArgs(*args);
  if (!options.ok()) {
    PrintError(options.status().message());
    return 2;
  }
  auto event = ReadEvent(args->Get("event"));
  if (!event.ok()) {
    PrintError(event.status().message());
    return 2;
  }
  const std::string name = args->positional()[0];
  bool json = args->Has("json");

  loop::Loop loop;
  auto emulator = StartEmulator(loop, *options);
  if (!emulator.ok() && IsDataDirInUse(emulator.status()) && options->data_dir.empty()) {
    std::fprintf(stderr, "stratus: %s; using a temporary data directory\n",
                 emulator.status().message().c_str());
    options->ephemeral = true;
    emulator = StartEmulator(loop, *options);
  }
  if (!emulator.ok()) {
    PrintError(emulator.status().message());
    // A config error, or the function's interpreter or bootstrap missing: 2.
    auto code = emulator.status().code();
    return code == Status::Code::kInvalidArgument || code == Status::Code::kNotFound ? 2 : 1;
  }
  Emulator& running = **emulator;

  int exit_code = 1;
  bool stopping = false;
  int interrupted_by = 0;
  InterruptWatch interrupts(loop, [&](int signum) {
    if (stopping) return;  // the result is in: already stopping
    interrupted_by = signum;
    stopping = true;
    std::fprintf(stderr, "stratus: interrupted; stopping the function\n");
    running.Stop([&] { interrupts.Close(); });
  });
  functions::InvokeRequest request;
  request.payload = std::move(event.value());
  request.source = "cli";
  running.invoker().Invoke(name, std::move(request), [&](functions::InvokeResult result) {
    if (interrupted_by != 0) return;  // killed by the interrupt: nothing to print
    if (!result.status.ok()) {
      PrintError(result.status.message());
      exit_code = 1;
    } else {
      json ? PrintJson(result) : PrintPayload(result.payload);
      exit_code = result.function_error ? 1 : 0;
    }
    if (stopping) return;
    stopping = true;
    // Not from inside the Invoker's callback: the instance finishes its bookkeeping first.
    loop.Post([&] { running.Stop([&] { interrupts.Close(); }); });
  });
  loop.Run();
  return interrupted_by != 0 ? 128 + interrupted_by : exit_code;
}

}  // namespace stratus::cli
