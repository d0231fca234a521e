#include <cstdio>

#include "emulator/util/json.h"
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "emulator/config/config.h"
#include "emulator/functions/function.h"

namespace stratus::cli {

namespace {

const CommandSpec kValidateSpec{
    "stratus validate [-c FILE] [--json]",
    "Checks a project file without starting anything: YAML syntax, known keys, types,\n"
    "ranges and cross-references. Errors are reported as FILE:LINE:COL: message.\n"
    "Exit status: 0 valid, 1 invalid, 2 bad usage.",
    {{"config", 'c', "FILE", "the project file (default: ./stratus.yaml)"},
     {"json", 0, "", "print the result as one JSON object"}},
};

nlohmann::json Summary(const config::ProjectConfig& project) {
  nlohmann::json functions = nlohmann::json::array();
  for (const auto& [name, fn] : project.functions) {
    functions.push_back({{"name", name},
                         {"runtime", fn.runtime},
                         {"handler", fn.handler},
                         {"memory", fn.memory},
                         {"timeout_ms", fn.timeout.count()},
                         {"events", fn.events.size()}});
  }
  return {{"valid", true},
          {"file", project.file},
          {"functions", functions},
          {"queues", project.queues.size()},
          {"buckets", project.buckets.size()},
          {"tables", project.tables.size()}};
}

// Every function's interpreter (or bootstrap) must exist, as `stratus start` will need it.
Status CheckRuntimes(const config::ProjectConfig& project) {
  functions::FunctionContext context;
  context.runtimes_dir = functions::DefaultRuntimesDir();
  context.interpreter_overrides = project.runtimes;
  const char* path = std::getenv("PATH");
  context.search_path = path ? path : "/usr/local/bin:/usr/bin:/bin";
  for (const auto& [name, fn] : project.functions) {
    auto resolved = functions::MakeFunction(fn, context);
    if (!resolved.ok()) {
      return Status::InvalidArgument(project.file + ":" + std::to_string(fn.position.line) + ":" +
                                     std::to_string(fn.position.column) + ": " +
                                     resolved.status().message());
    }
  }
  return Status::Ok();
}

}  // namespace

int RunValidate(int argc, char** argv) {
  auto args = Args::Parse(kValidateSpec, argc, argv, 2);
  if (!args.ok()) {
    PrintError(args.status().message() + "; see 'stratus validate --help'");
    return 2;
  }
  if (args->Has("help")) {
    std::fputs(HelpText(kValidateSpec).c_str(), stdout);
    return 0;
  }
  std::string path = args->Get("config").value_or("stratus.yaml");
  auto project = config::LoadConfigFile(path);
  bool json = args->Has("json");
  if (project.ok()) {
    Status runtimes = CheckRuntimes(*project);
    if (!runtimes.ok()) project = runtimes;
  }
  if (!project.ok()) {
    if (json) {
      nlohmann::json out = {{"valid", false}, {"file", path}, {"error", project.status().message()}};
      std::puts(DumpJson(out).c_str());
    } else {
      std::fprintf(stderr, "%s\n", project.status().message().c_str());
    }
    return 1;
  }
  nlohmann::json summary = Summary(*project);
  if (json) {
    std::puts(DumpJson(summary).c_str());
  } else {
    std::printf("%s: valid (%zu functions, %zu queues, %zu buckets, %zu tables)\n", path.c_str(),
                project->functions.size(), project->queues.size(), project->buckets.size(),
                project->tables.size());
  }
  return 0;
}

}  // namespace stratus::cli
