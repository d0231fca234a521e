// `stratus test [PATH...]`: runs the scenarios of `*.test.yaml` files (directories are
// searched recursively), each against a fresh in-process emulator on ephemeral ports, and
// reports them on the terminal, as JUnit XML and as JSON.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "cli/args.h"
#include "cli/commands.h"
#include "emulator/harness/report.h"
#include "emulator/harness/runner.h"
#include "emulator/util/log.h"
#include "triggers/registry.h"

namespace stratus::cli {

namespace {

const CommandSpec kTestSpec{
    "stratus test [PATH...] [-c FILE] [-k PATTERN] [-j N] [--junit FILE] [--json]",
    "Runs the scenarios in *.test.yaml files (PATH: files or directories searched\n"
    "recursively; default '.'). Each scenario gets a fresh emulator with its own ephemeral\n"
    "data directory and ports and a virtual clock, for the project the file names (default:\n"
    "the stratus.yaml beside it). A failure shows the step (file:line), expected against\n"
    "actual, and the function's log lines during that step. The last line is\n"
    "'N passed, N failed'. Exit status: 0 all passed, 1 a scenario failed, 2 bad usage or a\n"
    "scenario file that does not load.",
    {{"config", 'c', "FILE", "the project under test, for every file (default: each file's)"},
     {"filter", 'k', "PATTERN", "only scenarios whose 'FILE NAME' contains PATTERN"},
     {"jobs", 'j', "N", "run N scenarios at once, each with its own emulator (default: 1)"},
     {"junit", 0, "FILE", "write a JUnit XML report to FILE"},
     {"json", 0, "", "print a JSON report on stdout (progress goes to stderr)"}},
    /*takes_positional=*/true,
};

bool IsScenarioFile(const std::filesystem::path& path) {
  std::string name = path.filename().string();
  const std::string suffix = ".test.yaml";
  return name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The scenario files under `paths`, sorted within each directory; InvalidArgument for a
// path that does not exist.
Result<std::vector<std::string>> FindScenarioFiles(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const auto& root : paths) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(root, ec)) {
      files.push_back(root);
      continue;
    }
    if (!std::filesystem::is_directory(root, ec)) return Status::InvalidArgument("no such file or directory: " + root);
    std::vector<std::string> found;
    auto options = std::filesystem::directory_options::skip_permission_denied;
    for (auto it = std::filesystem::recursive_directory_iterator(root, options, ec);
         it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) break;
      std::string name = it->path().filename().string();
      // Data directories and dependency trees hold no scenarios of the project's own.
      if (it->is_directory() && (name == ".stratus" || name == "node_modules" || name == ".git")) {
        it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file() && IsScenarioFile(it->path())) found.push_back(it->path().string());
    }
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

struct Loaded {
  std::vector<harness::ScenarioFile> files;
  std::vector<harness::Selected> selected;
};

Result<Loaded> LoadAndSelect(const std::vector<std::string>& paths, const Args& args) {
  Loaded loaded;
  for (const auto& path : paths) {
    auto file = harness::LoadScenarioFile(path);
    if (!file.ok()) return file.status();
    if (auto config = args.Get("config")) file->project_path = std::filesystem::absolute(*config).string();
    loaded.files.push_back(std::move(file.value()));
  }
  std::string pattern = args.Get("filter").value_or("");
  for (const auto& file : loaded.files) {
    for (const auto& scenario : file.scenarios) {
      if ((file.path + " " + scenario.name).find(pattern) == std::string::npos) continue;
      loaded.selected.push_back({&file, &scenario});
    }
  }
  return loaded;
}

Status WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc | std::ios::binary);
  out << text;
  if (!out.flush()) return Status::IoError("cannot write " + path);
  return Status::Ok();
}

}  // namespace

int RunTest(int argc, char** argv) {
  auto args = Args::Parse(kTestSpec, argc, argv, 2);
  if (!args.ok()) {
    PrintError(args.status().message() + "; see 'stratus test --help'");
    return 2;
  }
  if (args->Has("help")) {
    std::fputs(HelpText(kTestSpec).c_str(), stdout);
    return 0;
  }
  auto jobs = args->GetInt("jobs", 1, 256);
  if (!jobs.ok()) {
    PrintError(jobs.status().message());
    return 2;
  }
  std::vector<std::string> roots = args->positional();
  if (roots.empty()) roots.push_back(".");
  auto paths = FindScenarioFiles(roots);
  if (!paths.ok()) {
    PrintError(paths.status().message());
    return 2;
  }
  auto loaded = LoadAndSelect(*paths, *args);
  if (!loaded.ok()) {
    PrintError(loaded.status().message());
    return 2;
  }
  if (loaded->selected.empty()) {
    PrintError(paths->empty() ? "no *.test.yaml files found" : "no scenario matches -k '" +
                                                                   args->Get("filter").value_or("") + "'");
    return 2;
  }
  // Every scenario starts an emulator: its route tables and the warnings a scenario provokes
  // on purpose (retries exhausted) would bury the report.
  log::SetLevel(log::Level::kError);
  bool json = args->Has("json");
  FILE* progress = json ? stderr : stdout;
  harness::RunOptions options;
  options.modules = [] { return triggers::BuiltinTriggers().CreateAll(); };
  options.jobs = static_cast<int>(jobs->value_or(1));
  auto results = harness::RunScenarios(loaded->selected, options, [&](const harness::ScenarioResult& r) {
    std::fputs(harness::FormatResult(r).c_str(), progress);
    std::fflush(progress);
  });
  if (auto junit = args->Get("junit")) {
    Status written = WriteFile(*junit, harness::JunitXml(results));
    if (!written.ok()) PrintError(written.message());
  }
  if (json) std::printf("%s\n", harness::JsonReport(results).c_str());
  std::fprintf(progress, "%s\n", harness::FormatSummary(results).c_str());
  bool all_passed = std::all_of(results.begin(), results.end(), [](const auto& r) { return r.passed; });
  return all_passed ? 0 : 1;
}

}  // namespace stratus::cli
