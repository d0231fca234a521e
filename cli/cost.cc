// `stratus cost`: the bill the cloud would send for what stratus has run, from the stored
// invocations and API request counts of a data directory, priced by a price sheet
// (emulator/billing): per function and per service, a monthly projection, a memory what-if,
// other providers, and the break-even rate against an always-on VM.
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/cost_rerun.h"
#include "cli/cost_output.h"
#include "emulator/billing/cost_report.h"
#include "emulator/functions/invocation_store.h"
#include "emulator/storage/db.h"
#include "emulator/util/json.h"

namespace stratus::cli {

namespace {

namespace fs = std::filesystem;

const CommandSpec kCostSpec{
    "stratus cost [PROJECT_DIR] [-c FILE] [--data-dir DIR] [--pricing NAME|FILE]\n"
    "             [--monthly-requests N | --scale xN] [--memory 128,256,... [--rerun N]]\n"
    "             [--no-free-tier]\n"
    "             [--json | --html FILE]",
    "Prices what stratus has run (the invocations and API requests stored in the data\n"
    "directory) with the project's price sheet (`pricing:`, default aws-us-east-1):\n"
    "requests, duration p50/p95, GB-seconds and cost per function and per service; the month\n"
    "as observed, or projected with --monthly-requests or --scale; with --memory, each\n"
    "function's duration and cost at other memory sizes, naming the cheapest and the fastest:\n"
    "its newest stored events are run again at each size with the CPU share Lambda gives it\n"
    "(1,769 MB = 1 vCPU) enforced by a cgroup quota, or, where CPU cannot be capped, modeled\n"
    "from the measured CPU time; the same usage under the other providers' sheets; and the\n"
    "request rate at which an always-on VM costs the same.\n"
    "Exit status: 0 success, 1 the data cannot be read, 2 bad usage.",
    {{"config", 'c', "FILE", "the project file (default: PROJECT_DIR/stratus.yaml)"},
     {"data-dir", 'd', "DIR", "the data directory (default: .stratus/ beside the project file)"},
     {"pricing", 0, "NAME|FILE", "a price sheet instead of the project's"},
     {"monthly-requests", 0, "N", "project a month of N invocations"},
     {"scale", 0, "xN", "project the observed usage times N"},
     {"memory", 0, "LIST", "memory sizes (MB) for the what-if, e.g. 128,256,512,1024"},
     {"rerun", 0, "N", "stored events re-run per function and size (default 10; 0: model)"},
     {"no-free-tier", 0, "", "leave out the monthly free tier"},
     {"json", 0, "", "print the report as one JSON object"},
     {"html", 0, "FILE", "write the report as a self-contained HTML page with charts"}},
    /*takes_positional=*/true,
};

Result<std::vector<int>> ParseMemoryList(const std::string& text) {
  std::vector<int> sizes;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    char* end = nullptr;
    long mb = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || mb < 128 || mb > 10240) {
      return Status::InvalidArgument("--memory takes sizes in MB from 128 to 10240 separated by "
                                     "commas, got '" + item + "'");
    }
    sizes.push_back(static_cast<int>(mb));
  }
  if (sizes.empty()) return Status::InvalidArgument("--memory needs at least one size");
  std::sort(sizes.begin(), sizes.end());
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  return sizes;
}

Result<double> ParsePositive(const std::string& option, std::string text) {
  if (option == "scale" && !text.empty() && (text[0] == 'x' || text[0] == 'X')) text.erase(0, 1);
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(v > 0) || !std::isfinite(v)) {
    return Status::InvalidArgument("--" + option + " must be a positive number, got '" + text + "'");
  }
  return v;
}

Result<billing::CostOptions> OptionsFrom(const Args& args) {
  billing::CostOptions options;
  if (args.Has("monthly-requests") && args.Has("scale")) {
    return Status::InvalidArgument("--monthly-requests and --scale are alternatives: give one");
  }
  if (args.Has("json") && args.Has("html")) {
    return Status::InvalidArgument("--json and --html are alternatives: give one");
  }
  for (const char* name : {"monthly-requests", "scale"}) {
    if (auto v = args.Get(name)) {
      auto n = ParsePositive(name, *v);
      if (!n.ok()) return n.status();
      (std::string(name) == "scale" ? options.scale : options.monthly_requests) = *n;
    }
  }
  if (auto list = args.Get("memory")) {
    auto sizes = ParseMemoryList(*list);
    if (!sizes.ok()) return sizes.status();
    options.memory_sizes = *sizes;
  }
  if (args.Has("rerun") && !args.Has("memory")) {
    return Status::InvalidArgument("--rerun goes with --memory");
  }
  options.free_tier = !args.Has("no-free-tier");
  return options;
}

Result<int> RerunEventsFrom(const Args& args) {
  auto rerun = args.Get("rerun");
  if (!rerun) return 10;
  char* end = nullptr;
  long n = std::strtol(rerun->c_str(), &end, 10);
  if (rerun->empty() || *end != '\0' || n < 0 || n > functions::InvocationStore::kEventsKept) {
    return Status::InvalidArgument("--rerun takes 0 to " +
                                   std::to_string(functions::InvocationStore::kEventsKept) +
                                   " events, got '" + *rerun + "'");
  }
  return static_cast<int>(n);
}

// The project (optional: a data directory alone is enough) and the data directory.
struct Sources {
  std::optional<config::ProjectConfig> project;
  std::string data_dir;
  std::string pricing = "aws-us-east-1";
  std::string project_dir;
};

Result<Sources> FindSources(const Args& args) {
  if (args.positional().size() > 1) {
    return Status::InvalidArgument("one project directory at most: unexpected '" +
                                   args.positional()[1] + "'");
  }
  Sources s;
  s.project_dir = args.positional().empty() ? "." : args.positional()[0];
  std::string file = args.Get("config").value_or(s.project_dir + "/stratus.yaml");
  std::error_code ec;
  if (args.Has("config") || fs::exists(file, ec)) {
    auto project = config::LoadConfigFile(file);
    if (!project.ok()) return project.status();
    s.project = std::move(project.value());
    s.pricing = s.project->pricing;
    s.project_dir = s.project->project_dir;
  }
  s.data_dir = args.Get("data-dir").value_or(s.project_dir + "/.stratus");
  if (auto pricing = args.Get("pricing")) {
    s.pricing = *pricing;
    if (pricing->find('/') != std::string::npos || pricing->ends_with(".yaml")) {
      s.project_dir = fs::current_path(ec).string();  // a path on the command line is the cwd's
    }
  }
  if (!fs::exists(s.data_dir + "/stratus.db", ec)) {
    return Status::NotFound("no stratus data in " + s.data_dir +
                            " (run the project with 'stratus start' or 'stratus invoke' first, "
                            "or name the directory with --data-dir)");
  }
  return s;
}

Result<billing::CostReport> Build(const Sources& s, const billing::CostOptions& options,
                                  int rerun_events) {
  auto db = storage::Db::Open(s.data_dir + "/stratus.db", storage::Durability::kNormal);
  if (!db.ok()) return db.status();
  // A data directory written by an older stratus gets the billing columns (no-op otherwise).
  STRATUS_RETURN_IF_ERROR((*db)->Migrate("invocations", functions::InvocationStore::Migrations()));
  STRATUS_RETURN_IF_ERROR((*db)->Migrate("billing", billing::Meter::Migrations()));
  auto invocations = billing::ReadInvocations(**db, s.project ? &*s.project : nullptr);
  if (!invocations.ok()) return invocations.status();
  auto requests = billing::ReadRequestTotals(**db);
  if (!requests.ok()) return requests.status();
  auto sheet = billing::FindPriceSheet(s.pricing, s.project_dir, billing::DefaultPricingDir());
  if (!sheet.ok()) return sheet.status();
  auto others = billing::LoadAllPriceSheets(billing::DefaultPricingDir());
  if (!others.ok()) return others.status();
  billing::CostOptions with_reruns = options;
  if (!options.memory_sizes.empty() && !s.project) {
    with_reruns.rerun_note = "events not re-run: no project file to run them with";
  } else if (!options.memory_sizes.empty()) {
    auto reruns = RerunStoredEvents(*s.project, **db, {options.memory_sizes, rerun_events},
                                    &with_reruns.rerun_note);
    // The what-if falls back to the model rather than failing the whole report.
    if (!reruns.ok()) with_reruns.rerun_note = "events not re-run: " + reruns.status().message();
    if (reruns.ok()) with_reruns.reruns = std::move(reruns.value());
  }
  return billing::BuildCostReport(*invocations, *requests, *sheet, *others, with_reruns);
}

Status WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.flush();
  if (!out) return Status::IoError("cannot write " + path);
  return Status::Ok();
}

}  // namespace

int RunCost(int argc, char** argv) {
  auto args = Args::Parse(kCostSpec, argc, argv, 2);
  if (!args.ok()) {
    PrintError(args.status().message() + "; see 'stratus cost --help'");
    return 2;
  }
  if (args->Has("help")) {
    std::fputs(HelpText(kCostSpec).c_str(), stdout);
    return 0;
  }
  auto options = OptionsFrom(*args);
  if (!options.ok()) {
    PrintError(options.status().message());
    return 2;
  }
  auto rerun_events = RerunEventsFrom(*args);
  if (!rerun_events.ok()) {
    PrintError(rerun_events.status().message());
    return 2;
  }
  auto sources = FindSources(*args);
  if (!sources.ok()) {
    PrintError(sources.status().message());
    return sources.status().code() == Status::Code::kInvalidArgument ? 2 : 1;
  }
  auto report = Build(*sources, *options, *rerun_events);
  if (!report.ok()) {
    PrintError(report.status().message());
    return report.status().code() == Status::Code::kInvalidArgument ? 2 : 1;
  }
  if (args->Has("json")) {
    std::printf("%s\n", DumpJson(CostJson(*report)).c_str());
    return 0;
  }
  if (auto html = args->Get("html")) {
    Status written = WriteFile(*html, CostHtml(*report));
    if (!written.ok()) {
      PrintError(written.message());
      return 1;
    }
    std::fprintf(stderr, "stratus: wrote %s\n", html->c_str());
    return 0;
  }
  std::fputs(CostTable(*report).c_str(), stdout);
  return 0;
}

}  // namespace stratus::cli
