// The smallest stratus C++ function: answers every event with the event itself.
//
//   g++ -std=c++17 -O2 -I emulator/runtimes/cpp emulator/runtimes/cpp/examples/echo.cc -o bootstrap
#include "stratus/lambda_runtime.h"

namespace lambda = stratus::lambda;

static lambda::Response Echo(const lambda::Invocation& invocation) {
  return lambda::Response::Success(invocation.payload);
}

int main() { return lambda::Run(Echo); }
