// The measured half of `stratus cost --memory`: each function's stored events run again at
// every what-if memory size, with the CPU share Lambda gives that size enforced by a cgroup
// quota, as AWS Lambda Power Tuning runs a function at each size. Each size gets a fresh
// ephemeral emulator (real clock, every built-in trigger, so a function's own S3 or SQS calls
// land there and not in the project's data); the function's first event runs once first, as
// the cold start is the cold-start model's business, not the what-if's.
// Threading: call from the CLI's main thread; the emulators run on loop threads of their own.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "emulator/billing/cost_report.h"
#include "emulator/config/config.h"
#include "emulator/storage/db.h"

namespace stratus::cli {

struct RerunRequest {
  std::vector<int> sizes;  // MB
  int events = 10;         // the newest stored events of each function, run at each size
};

// By function, for each function of `project` with stored events in `db`. Empty, with `*why`
// saying so, when this machine cannot cap CPU (durations would not resemble the cloud's) or
// nothing is stored. Errors: the database's, or an emulator that does not start.
Result<std::map<std::string, billing::Rerun>> RerunStoredEvents(
    const config::ProjectConfig& project, storage::Db& db, const RerunRequest& request,
    std::string* why);

}  // namespace stratus::cli
