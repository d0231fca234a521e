// Section readers shared by the config module's .cc files. Internal to emulator/config.
// Each reads one top-level entry into the ProjectConfig (or one event into a function)
// and returns the first positioned error, leaving `out` partly filled on failure.
#pragma once

#include <string>
#include <string_view>

#include "emulator/config/config.h"
#include "emulator/config/yaml_reader.h"

namespace stratus::config {

// function_config.cc: `functions:`.
Status ReadFunctions(const Reader& r, const Entry& e, ProjectConfig& out);

// event_config.cc: `events:` of one function.
Status ReadEvents(const Reader& r, const Entry& e, FunctionConfig& out);

// async_config.cc: `async:` of one function.
Status ReadAsync(const Reader& r, const Entry& e, FunctionConfig& out);

// resources_config.cc: `queues:`, `buckets:`, `tables:`.
Status ReadQueues(const Reader& r, const Entry& e, ProjectConfig& out);
Status ReadBuckets(const Reader& r, const Entry& e, ProjectConfig& out);
Status ReadTables(const Reader& r, const Entry& e, ProjectConfig& out);

// gateway_settings.cc: `gateway:`.
Status ReadGateway(const Reader& r, const Entry& e, ProjectConfig& out);
// `gateway: {authorizers: ...}` (authorizer_config.cc); jwks paths as written.
Status ReadAuthorizers(const Reader& r, const Entry& e,
                       std::map<std::string, AuthorizerConfig>& out);

// function_config.cc: the family of a runtime name, or an error at `at` naming it.
Result<RuntimeFamily> CheckRuntime(const Reader& r, Position at, const std::string& runtime);

// schedule_expression.cc: OK when `expression` is a valid rate(...) or cron(...); otherwise the
// reason, without position.
Status CheckScheduleExpression(std::string_view expression);

// references.cc: every function, queue, bucket and table named by an event, a dead-letter
// setting or an async destination is declared; checked in file order.
Status CheckReferences(const Reader& r, const ProjectConfig& config);

}  // namespace stratus::config
