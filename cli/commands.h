// The subcommands of the stratus binary, each in its own file. Each returns the process's
// exit status: 0 success, 1 a failure of the thing checked or run, 2 bad usage or input.
#pragma once

namespace stratus::cli {

int RunCost(int argc, char** argv);      // cli/cost.cc
int RunInvoke(int argc, char** argv);    // cli/invoke.cc
int RunStart(int argc, char** argv);     // cli/start.cc
int RunTest(int argc, char** argv);      // cli/test.cc
int RunEvent(int argc, char** argv);     // cli/event.cc
int RunValidate(int argc, char** argv);  // cli/validate.cc

}  // namespace stratus::cli
