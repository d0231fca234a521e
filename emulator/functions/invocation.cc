#include "emulator/functions/invocation.h"

#include <utility>

namespace stratus::functions {

std::string_view InvocationTypeName(InvocationType type) {
  switch (type) {
    case InvocationType::kRequestResponse: return "RequestResponse";
    case InvocationType::kEvent: return "Event";
    case InvocationType::kDryRun: return "DryRun";
  }
  return "RequestResponse";
}

void Invocation::Finish(InvokeResult result) {
  InvokeCallback callback = std::exchange(done, nullptr);
  if (callback) callback(std::move(result));
}

void Invocation::AppendTail(std::string_view line) {
  if (!request.log_tail) return;
  log_tail.append(line);
  log_tail.push_back('\n');
  // Keep a little more than needed so that trimming happens rarely.
  if (log_tail.size() > 2 * kLogTailBytes) log_tail.erase(0, log_tail.size() - kLogTailBytes);
}

}  // namespace stratus::functions
