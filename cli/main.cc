#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/commands.h"

namespace {

struct Subcommand {
  const char* name;
  const char* summary;
  int (*run)(int argc, char** argv);
};

const Subcommand kSubcommands[] = {
    {"start", "run the project's functions, gateway and services on 127.0.0.1",
     stratus::cli::RunStart},
    {"invoke", "run one function once with an event and print its response",
     stratus::cli::RunInvoke},
    {"test", "run the *.test.yaml scenarios, each against a fresh emulator",
     stratus::cli::RunTest},
    {"event", "print a sample event of a source ('stratus event generate SOURCE VARIANT')",
     stratus::cli::RunEvent},
    {"validate", "check stratus.yaml and report the first error with its line and column",
     stratus::cli::RunValidate},
    {"cost", "price what has run: per function and service, projected, by memory size",
     stratus::cli::RunCost},
};

void PrintUsage(FILE* out) {
  std::fprintf(out,
               "usage: stratus [--version] [--help] COMMAND [options]\n\n"
               "stratus is a local serverless cloud: API gateway, functions, queue, object\n"
               "store, tables and schedules on 127.0.0.1.\n\ncommands:\n");
  for (const auto& s : kSubcommands) std::fprintf(out, "  %-10s %s\n", s.name, s.summary);
  std::fprintf(out, "\n'stratus COMMAND --help' describes a command's options.\n");
}

}  // namespace

int main(int argc, char** argv) {
  // A client that hangs up mid-response must not kill the emulator.
  std::signal(SIGPIPE, SIG_IGN);
  if (argc < 2) {
    PrintUsage(stderr);
    return 2;
  }
  std::string first = argv[1];
  if (first == "--version" || first == "-V" || first == "version") {
    std::printf("stratus %s\n", STRATUS_VERSION);
    return 0;
  }
  if (first == "--help" || first == "-h" || first == "help") {
    PrintUsage(stdout);
    return 0;
  }
  std::vector<std::string> names;
  for (const auto& s : kSubcommands) {
    if (first == s.name) return s.run(argc, argv);
    names.push_back(s.name);
  }
  std::string message = "unknown command '" + first + "'";
  if (auto near = stratus::cli::NearestWord(first, names)) {
    message += " (did you mean '" + *near + "'?)";
  }
  stratus::cli::PrintError(message + "; see 'stratus --help'");
  return 2;
}
