// The project file (`stratus.yaml`) read into typed, validated structs.
// Plain values and pure functions: no threading rule, no loop, no global state. Call it
// before the loop starts (or from any thread); the result is owned by the caller.
//
// Every error is a Status::InvalidArgument whose message is exactly
// `FILE:LINE:COL: message` (1-based, pointing at the offending key or value), except an
// unreadable file, which is `cannot read FILE: <strerror>`. Only the first error is
// reported: structural errors in file order, then references between sections (a queue
// event naming an undeclared queue, an async destination naming an undeclared function, ...)
// in file order. No yaml-cpp or JSON exception ever
// leaves this module.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "emulator/storage/durability.h"
#include "emulator/util/status.h"

namespace stratus::config {

// Where something was written in the project file: 1-based; {0, 0} when unknown.
struct Position {
  int line = 0;
  int column = 0;
  friend bool operator==(const Position&, const Position&) = default;
  friend auto operator<=>(const Position&, const Position&) = default;
};

enum class ColdStartMode { kOff, kReal, kSimulated };
enum class KeepAlivePolicy { kFixed, kHybrid };
using storage::Durability;  // one definition: emulator/storage/durability.h
enum class RuntimeFamily { kPython, kNode, kProvided };
enum class StreamStart { kLatest, kTrimHorizon };
enum class KeyType : char { kString = 'S', kNumber = 'N', kBinary = 'B' };

// `http: {method, path, authorizer, scopes}`: an API Gateway HTTP API route (payload 2.0).
// `http: $default` gives method "ANY" and path "$default", the catch-all route.
struct HttpEvent {
  std::string method = "ANY";  // GET POST PUT PATCH DELETE HEAD OPTIONS ANY, upper case
  std::string path;            // starts with '/', or "$default"
  Position position;
  std::string authorizer;           // a name under gateway.authorizers; empty for none
  std::vector<std::string> scopes;  // JWT authorizers: the route's authorization scopes
};

// `rest: {method, path, authorizer}`: an API Gateway REST API route (payload 1.0).
struct RestEvent {
  std::string method = "ANY";
  std::string path;  // starts with '/'
  Position position;
  std::string authorizer;
  std::vector<std::string> scopes;  // unused by REST authorizers; kept for one route reader
};

// `queue: {name, ...}`: an SQS event source mapping.
struct QueueEvent {
  std::string queue;
  int batch_size = 10;                    // 1..10000
  std::chrono::milliseconds window{0};    // batching window, 0..300s
  std::optional<int> max_concurrency;     // 2..1000
  bool report_failures = false;           // ReportBatchItemFailures
  Position position;
};

// `object: {bucket, on, prefix, suffix}`: S3 bucket notifications.
struct ObjectEvent {
  std::string bucket;
  // S3 event names; the short forms `created` / `removed` become "s3:ObjectCreated:*" /
  // "s3:ObjectRemoved:*". Default: {"s3:ObjectCreated:*"}.
  std::vector<std::string> on;
  std::string prefix;
  std::string suffix;
  Position position;
};

// `table: {name, start, batch_size}`: a DynamoDB stream event source mapping.
struct TableEvent {
  std::string table;
  StreamStart start = StreamStart::kLatest;
  int batch_size = 100;  // 1..10000
  Position position;
};

// `schedule: "rate(5 minutes)"` or `schedule: {expression, input, enabled}`.
struct ScheduleEvent {
  std::string expression;            // a valid rate(N unit) or 6-field cron(...)
  std::optional<std::string> input;  // the `input:` YAML as JSON text, when given
  bool enabled = true;
  Position position;
};

using EventConfig =
    std::variant<HttpEvent, RestEvent, QueueEvent, ObjectEvent, TableEvent, ScheduleEvent>;

// The event's kind as written in YAML ("http", "rest", "queue", "object", "table",
// "schedule") and its position.
std::string_view EventKind(const EventConfig& event);
Position EventPosition(const EventConfig& event);

// Where Lambda sends the record of an asynchronous invocation: `{function: NAME}` or
// `{queue: NAME}` (exactly one). The name must be declared under `functions:` (the function
// itself is allowed) or under `queues:` (a standard queue: Lambda cannot deliver to FIFO).
struct Destination {
  enum class Kind { kFunction, kQueue } kind = Kind::kFunction;
  std::string name;
  Position position;  // of the `on_failure:` / `on_success:` key
};

// `async:`: how asynchronous invocations are retried and where their records go, like
// Lambda's EventInvokeConfig. The defaults apply when the key is absent.
struct AsyncConfig {
  int retries = 2;                            // MaximumRetryAttempts, 0..2
  std::chrono::seconds max_event_age{21600};  // MaximumEventAgeInSeconds, 60s..6h
  std::optional<Destination> on_failure, on_success;
  Position position;  // of the `async:` key; {0, 0} when absent
};

struct FunctionConfig {
  std::string name;
  std::string runtime;  // python3.N (N >= 8), nodejsN.x (N >= 16), provided[.al2|.al2023]
  RuntimeFamily family = RuntimeFamily::kProvided;
  std::string handler;   // "path/module.function"; "bootstrap" by default for provided
  std::string code_dir;  // absolute; `code:` relative to the project dir, default the dir
  int memory = 128;      // MB, 128..10240
  std::string architecture = "x86_64";  // or "arm64": priced apart (emulator/billing)
  std::chrono::milliseconds timeout{3000};  // 1s..900s
  std::optional<int> concurrency;           // reserved concurrency, >= 1
  int provisioned = 0;                      // <= concurrency when that is set
  std::chrono::milliseconds keep_alive{300000};
  std::map<std::string, std::string> environment;
  std::vector<EventConfig> events;  // in file order
  AsyncConfig async;
  Position position;                // of the function's name
};

struct DeadLetter {
  std::string queue;
  int max_receives = 0;  // 1..1000
  Position position;     // of the `dead_letter:` key
};

struct QueueConfig {
  std::string name;
  std::chrono::seconds visibility_timeout{30};  // 0..43200
  std::chrono::seconds delay{0};                // 0..900
  std::chrono::seconds retention{345600};       // 60..1209600
  bool fifo = false;  // true exactly when the name ends in ".fifo"
  bool content_based_dedup = false;  // FIFO queues only
  std::optional<DeadLetter> dead_letter;
  Position position;
};

struct KeyAttribute {
  std::string name;
  KeyType type = KeyType::kString;
};

struct TableConfig {
  std::string name;
  std::vector<KeyAttribute> key;  // hash key, then the optional range key
  bool stream = true;
  Position position;
};

// `gateway: {cors: ...}`: the HTTP API's CORS configuration (AWS's CorsConfiguration).
// `cors: true` allows every origin, method and header; `cors: false` is no CORS.
struct CorsConfig {
  std::vector<std::string> allow_origins;  // "https://a.example", "*", "https://*", "http://*"
  std::vector<std::string> allow_methods;  // GET, POST, ..., or "*"
  std::vector<std::string> allow_headers;
  std::vector<std::string> expose_headers;
  int max_age = -1;                        // seconds, 0..86400; -1 when not set
  bool allow_credentials = false;
  Position position;                       // of the `cors:` key
};

// `gateway: {authorizers: {NAME: ...}}`: an API Gateway authorizer. `request` (Lambda
// REQUEST authorizer, HTTP and REST APIs), `token` (Lambda TOKEN authorizer, REST APIs) or
// `jwt` (HTTP APIs: issuer, audience and an RS256 signature checked against a JWKS file).
struct AuthorizerConfig {
  enum class Type { kRequest, kToken, kJwt } type = Type::kRequest;
  std::string name;
  std::string function;  // request and token authorizers
  // Where the identity comes from, as AWS writes it: "$request.header.Authorization",
  // "$request.querystring.token" (HTTP APIs) or "method.request.header.Authorization"
  // (REST APIs). Default: the Authorization header (none for HTTP API request authorizers).
  std::vector<std::string> identity_source;
  std::string payload_version = "2.0";  // HTTP API request authorizers: "1.0" or "2.0"
  bool simple_responses = false;        // HTTP API request authorizers, payload 2.0 only
  std::chrono::seconds ttl{0};          // result caching per identity; 0 = off, max 3600
  std::string issuer;                   // jwt
  std::vector<std::string> audience;    // jwt: the token's aud (or client_id) must be one
  std::string jwks_file;                // jwt: absolute path of a JWKS JSON file
  Position position;                    // of the authorizer's name
};

// `gateway:`: settings of the emulated API Gateway APIs.
struct GatewayConfig {
  // The REST API's stage: REST routes are served under /STAGE/... and events name it. Empty
  // (the default): REST routes are served at the root and events name the stage "dev".
  std::string stage;
  std::optional<CorsConfig> cors;       // the HTTP API's: the gateway adds the headers
  std::optional<CorsConfig> rest_cors;  // the REST API's: preflight answered as a mock
  // REST APIs: request bodies of these media types reach the function base64-encoded, and a
  // function's base64 body is decoded when the request's Accept names one ("image/png",
  // "image/*", "*/*"). Without a match a REST body is text, as on AWS.
  std::vector<std::string> binary_media_types;
  std::map<std::string, std::string> stage_variables;  // both APIs' `stageVariables`
  // The integration timeout, 50ms..30s; unset: 30 s for the HTTP API, 29 s for the REST API.
  std::optional<std::chrono::milliseconds> timeout;
  std::map<std::string, AuthorizerConfig> authorizers;
  Position position;  // of the `gateway:` key; {0, 0} when absent
};

// How a function scales out when a synchronous call finds every instance busy.
//   kEager: start an instance per concurrent request at once, as Lambda does.
//   kLean:  queue the call and start an instance only when the expected wait for a busy one
//           (queued calls x recent mean duration / busy instances) exceeds the recent init
//           duration, or when the call has waited that long (Pool, emulator/functions/pool.h).
enum class ScalingMode { kEager, kLean };

struct ProjectConfig {
  std::string file;         // the path as given (used in error messages)
  std::string project_dir;  // absolute directory of the file, no trailing '/'
  std::map<std::string, FunctionConfig> functions;
  std::map<std::string, QueueConfig> queues;
  std::vector<std::string> buckets;  // file order, no duplicates
  std::map<std::string, TableConfig> tables;
  ColdStartMode coldstart = ColdStartMode::kReal;
  // How long idle instances stay warm: each function's `keep_alive:` (fixed), or the hybrid
  // histogram policy of "Serverless in the Wild" (emulator/billing/keep_alive.h).
  KeepAlivePolicy keep_alive_policy = KeepAlivePolicy::kFixed;
  std::string pricing = "aws-us-east-1";
  std::map<std::string, std::string> runtimes;  // runtime name -> interpreter path
  Durability durability = Durability::kNormal;
  ScalingMode scaling = ScalingMode::kLean;
  std::string region = "us-east-1";
  std::string account = "000000000000";
  GatewayConfig gateway;
};

// Reads and parses the project file at `path`.
// Returns the config on success; InvalidArgument "cannot read PATH: <strerror>" when the
// file cannot be read, or any error ParseConfig returns. An empty file is a valid project.
Result<ProjectConfig> LoadConfigFile(const std::string& path);

// Parses project-file text. `file_name_for_errors` prefixes every error message, becomes
// ProjectConfig::file, and its directory (made absolute against the working directory)
// becomes project_dir, against which `code:` paths resolve. Nothing is read from disk.
// Returns the config, or InvalidArgument "FILE:LINE:COL: message" for the first error
// (invalid YAML, unknown key, wrong type, value out of range, undeclared reference).
Result<ProjectConfig> ParseConfig(std::string_view yaml_text,
                                  const std::string& file_name_for_errors);

}  // namespace stratus::config
