// Every error ParseConfig reports, with its exact `file:line:col: message` text.
#include <doctest/doctest.h>

#include <string>

#include "emulator/config/config.h"

namespace stratus::config {
namespace {

// A python function "api" on lines 1-4; the case adds lines from 5 on.
std::string Fn(const std::string& more) {
  return "functions:\n"
         "  api:\n"
         "    runtime: python3.12\n"
         "    handler: app.main\n" +
         more;
}

struct ErrorCase {
  std::string name;
  std::string yaml;
  std::string error;
};

const ErrorCase kErrorCases[] = {
    // Syntax and shape.
    {"invalid YAML", "functions:\n  api: [1,\n",
     "stratus.yaml:3:1: invalid YAML: end of sequence flow not found (inside { } or [ ], quote "
     "values that contain '{', '}', '[', ']' or ',', e.g. path: \"/orders/{id}\")"},
    {"unquoted path parameter in a flow map",
     Fn("    events:\n      - http: { method: GET, path: /orders/{id} }\n"),
     "stratus.yaml:6:44: invalid YAML: end of map flow not found (inside { } or [ ], quote "
     "values that contain '{', '}', '[', ']' or ',', e.g. path: \"/orders/{id}\")"},
    {"tab-broken mapping", "a: 1\n b: 2\n", "stratus.yaml:2:3: invalid YAML: illegal map value"},
    {"top level not a map", "- api\n", "stratus.yaml:1:1: the project file must be a map, got a list"},
    {"duplicate key", Fn("    memory: 256\n    memory: 512\n"),
     "stratus.yaml:6:5: duplicate key 'memory' in function 'api' (first at line 5)"},

    // Unknown keys.
    {"unknown top-level key", "functons: {}\n",
     "stratus.yaml:1:1: unknown key 'functons' in the project file (did you mean 'functions'?)"},
    {"unknown top-level key, nothing close", "colour: red\n",
     "stratus.yaml:1:1: unknown key 'colour' in the project file (valid keys: functions, "
     "queues, buckets, tables, coldstart, pricing, runtimes, durability, region, account, "
     "gateway, keep_alive_policy, scaling)"},
    {"bad keep-alive policy", "keep_alive_policy: smart\n",
     "stratus.yaml:1:20: 'keep_alive_policy' must be one of fixed, hybrid, got 'smart'"},
    {"bad architecture", Fn("    architecture: x86\n"),
     "stratus.yaml:5:19: 'architecture' must be one of x86_64, arm64, got 'x86'"},
    {"unknown function key", Fn("    memroy: 256\n"),
     "stratus.yaml:5:5: unknown key 'memroy' in function 'api' (did you mean 'memory'?)"},
    {"unknown event key", Fn("    events:\n      - queue: { name: jobs, batchsize: 5 }\n") +
                              "queues: { jobs: }\n",
     "stratus.yaml:6:30: unknown key 'batchsize' in the 'queue' event of function 'api' "
     "(did you mean 'batch_size'?)"},
    {"unknown queue key", "queues:\n  jobs: { visibilty_timeout: 5 }\n",
     "stratus.yaml:2:11: unknown key 'visibilty_timeout' in queue 'jobs' "
     "(did you mean 'visibility_timeout'?)"},
    {"unknown event type", Fn("    events:\n      - htpp: { path: / }\n"),
     "stratus.yaml:6:9: unknown event type 'htpp' (did you mean 'http'?)"},
    {"event settings not indented", Fn("    events:\n      - http:\n        method: GET\n"),
     "stratus.yaml:7:9: an event has one key, its type ('http'); indent 'method' under it"},

    // Types and ranges.
    {"memory not an integer", Fn("    memory: lots\n"),
     "stratus.yaml:5:13: 'memory' must be an integer, got 'lots'"},
    {"memory as a map", Fn("    memory: {mb: 5}\n"),
     "stratus.yaml:5:13: 'memory' must be an integer, got a map"},
    {"memory too small", Fn("    memory: 64\n"),
     "stratus.yaml:5:13: 'memory' must be between 128 and 10240, got 64"},
    {"memory too large", Fn("    memory: 10241\n"),
     "stratus.yaml:5:13: 'memory' must be between 128 and 10240, got 10241"},
    {"timeout too long", Fn("    timeout: 901\n"),
     "stratus.yaml:5:14: 'timeout' must be between 1s and 900s, got 901s"},
    {"timeout too short", Fn("    timeout: 500ms\n"),
     "stratus.yaml:5:14: 'timeout' must be between 1s and 900s, got 500ms"},
    {"timeout not a duration", Fn("    timeout: 2 weeks\n"),
     "stratus.yaml:5:14: 'timeout' must be a duration like 30, '250ms', '2s', '5m' or '1h', "
     "got '2 weeks'"},
    {"concurrency zero", Fn("    concurrency: 0\n"),
     "stratus.yaml:5:18: 'concurrency' must be at least 1, got 0"},
    {"bool expected", "queues:\n  q.fifo: { content_based_dedup: yes }\n",
     "stratus.yaml:2:34: 'content_based_dedup' must be true or false, got 'yes'"},
    {"bad coldstart", "coldstart: fast\n",
     "stratus.yaml:1:12: 'coldstart' must be one of off, real, simulated, got 'fast'"},
    {"bad scaling", "functions: {}\nscaling: eagre\n",
     "stratus.yaml:2:10: 'scaling' must be one of eager, lean, got 'eagre' (did you mean "
     "'eager'?)"},
    {"scaling not a scalar", "scaling: [lean]\n",
     "stratus.yaml:1:10: 'scaling' must be one of eager, lean, got a list"},
    {"bad region", "region: mars\n",
     "stratus.yaml:1:9: 'region' must be an AWS region like 'us-east-1', got 'mars'"},
    {"bad account", "account: 42\n", "stratus.yaml:1:10: 'account' must be 12 digits, got '42'"},
    {"window too long", Fn("    events:\n      - queue: { name: jobs, window: 6m }\n"),
     "stratus.yaml:6:38: 'window' must be between 0s and 300s, got 360s"},

    // Runtimes and handlers.
    {"runtime misspelt", "functions:\n  api:\n    runtime: pyhton3.12\n",
     "stratus.yaml:3:14: unsupported runtime 'pyhton3.12' (did you mean 'python3.12'?)"},
    {"runtime unknown", "functions:\n  api:\n    runtime: ruby3.2\n",
     "stratus.yaml:3:14: unsupported runtime 'ruby3.2' (use python3.N from python3.8, "
     "nodejsN.x from nodejs16.x, provided, provided.al2 or provided.al2023)"},
    {"runtime too old", "functions:\n  api:\n    runtime: nodejs14.x\n",
     "stratus.yaml:3:14: unsupported runtime 'nodejs14.x' (did you mean 'nodejs16.x'?)"},
    {"runtime missing", "functions:\n  api:\n    memory: 256\n",
     "stratus.yaml:2:3: function 'api' needs a 'runtime' (like python3.12, nodejs20.x or "
     "provided.al2023)"},
    {"runtimes override with a bad name", "runtimes: { python2: /usr/bin/python2 }\n",
     "stratus.yaml:1:13: unsupported runtime 'python2' (use python3.N from python3.8, "
     "nodejsN.x from nodejs16.x, provided, provided.al2 or provided.al2023)"},
    {"handler without a dot", "functions:\n  api:\n    runtime: nodejs20.x\n    handler: main\n",
     "stratus.yaml:4:14: 'handler' must look like 'path/module.function', got 'main'"},
    {"handler dot only in the path", "functions:\n  api:\n    runtime: nodejs20.x\n"
                                     "    handler: src.v2/main\n",
     "stratus.yaml:4:14: 'handler' must look like 'path/module.function', got 'src.v2/main'"},
    {"handler missing", "functions:\n  api:\n    runtime: python3.12\n",
     "stratus.yaml:2:3: function 'api' needs a 'handler' like 'src/app.handler' for runtime "
     "'python3.12'"},
    {"bad function name", "functions:\n  my api:\n    runtime: provided\n",
     "stratus.yaml:2:3: function name 'my api' must be 1 to 64 letters, digits, '-' or '_'"},

    // HTTP and schedule events.
    {"bad http method", Fn("    events:\n      - http: { method: GRAB, path: / }\n"),
     "stratus.yaml:6:25: 'method' must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, "
     "ANY, got 'GRAB'"},
    {"http path without slash", Fn("    events:\n      - http: { method: GET, path: orders }\n"),
     "stratus.yaml:6:36: 'path' must start with '/', got 'orders'"},
    {"rest path missing", Fn("    events:\n      - rest: { method: GET }\n"),
     "stratus.yaml:6:9: the 'rest' event needs a 'path'"},
    {"http string other than $default", Fn("    events:\n      - http: GET /\n"),
     "stratus.yaml:6:15: 'http' must be a map {method, path} or '$default', got 'GET /'"},
    {"rate with singular unit", Fn("    events:\n      - schedule: rate(5 minute)\n"),
     "stratus.yaml:6:19: invalid schedule expression 'rate(5 minute)': use 'minutes' when the "
     "value is not 1"},
    {"rate of 1 with plural unit", Fn("    events:\n      - schedule: rate(1 hours)\n"),
     "stratus.yaml:6:19: invalid schedule expression 'rate(1 hours)': use 'hour' when the "
     "value is 1"},
    {"rate of zero", Fn("    events:\n      - schedule: rate(0 minutes)\n"),
     "stratus.yaml:6:19: invalid schedule expression 'rate(0 minutes)': rate needs a positive "
     "whole number and a unit, like 'rate(5 minutes)'"},
    {"rate in seconds", Fn("    events:\n      - schedule: rate(30 seconds)\n"),
     "stratus.yaml:6:19: invalid schedule expression 'rate(30 seconds)': the unit must be "
     "minutes, hours or days, got 'seconds'"},
    {"cron with 5 fields", Fn("    events:\n      - schedule: cron(0 12 * * ?)\n"),
     "stratus.yaml:6:19: invalid schedule expression 'cron(0 12 * * ?)': cron needs 6 fields "
     "(minutes hours day-of-month month day-of-week year), got 5"},
    {"cron without ?", Fn("    events:\n      - schedule: { expression: cron(0 12 * * * *) }\n"),
     "stratus.yaml:6:33: invalid schedule expression 'cron(0 12 * * * *)': exactly one of "
     "day-of-month and day-of-week must be '?'"},
    {"neither rate nor cron", Fn("    events:\n      - schedule: every day\n"),
     "stratus.yaml:6:19: invalid schedule expression 'every day': a schedule must be "
     "'rate(...)' or 'cron(...)'"},

    // References.
    {"undeclared queue", Fn("    events:\n      - queue: { name: jbos }\n") + "queues: { jobs: }\n",
     "stratus.yaml:6:9: queue 'jbos' is not declared in 'queues' (did you mean 'jobs'?)"},
    {"undeclared queue, none declared", Fn("    events:\n      - queue: { name: jobs }\n"),
     "stratus.yaml:6:9: queue 'jobs' is not declared in 'queues'"},
    {"undeclared bucket", Fn("    events:\n      - object: { bucket: upload }\n") +
                              "buckets: [uploads, logs]\n",
     "stratus.yaml:6:9: bucket 'upload' is not declared in 'buckets' (did you mean 'uploads'?)"},
    {"undeclared table", Fn("    events:\n      - table: { name: order }\n") +
                             "tables: { orders: { key: { id: S } } }\n",
     "stratus.yaml:6:9: table 'order' is not declared in 'tables' (did you mean 'orders'?)"},
    {"undeclared dead-letter queue", "queues:\n  jobs: { dead_letter: { queue: dlq, max_receives: 3 } }\n",
     "stratus.yaml:2:11: queue 'dlq' is not declared in 'queues' (declared: jobs)"},
    {"first reference in file order", "queues:\n  a: { dead_letter: { queue: zz, max_receives: 1 } }\n" +
                                          Fn("    events:\n      - queue: { name: yy }\n"),
     "stratus.yaml:2:8: queue 'zz' is not declared in 'queues' (did you mean 'a'?)"},
    {"dead-letter FIFO mismatch",
     "queues:\n  jobs.fifo: { dead_letter: { queue: dlq, max_receives: 3 } }\n  dlq:\n",
     "stratus.yaml:2:16: dead-letter queue 'dlq' of FIFO queue 'jobs.fifo' must also be FIFO"},

    // Asynchronous invocation settings.
    {"async not a map", Fn("    async: fast\n"),
     "stratus.yaml:5:12: 'async' of function 'api' must be a map, got 'fast'"},
    {"unknown async key", Fn("    async: { retrys: 1 }\n"),
     "stratus.yaml:5:14: unknown key 'retrys' in 'async' of function 'api' (did you mean "
     "'retries'?)"},
    {"retries out of range", Fn("    async: { retries: 3 }\n"),
     "stratus.yaml:5:23: 'retries' must be between 0 and 2, got 3"},
    {"retries negative", Fn("    async: { retries: -1 }\n"),
     "stratus.yaml:5:23: 'retries' must be between 0 and 2, got -1"},
    {"max_event_age too short", Fn("    async: { max_event_age: 30s }\n"),
     "stratus.yaml:5:29: 'max_event_age' must be between 60s and 21600s, got 30s"},
    {"max_event_age too long", Fn("    async: { max_event_age: 7h }\n"),
     "stratus.yaml:5:29: 'max_event_age' must be between 60s and 21600s, got 25200s"},
    {"max_event_age not whole seconds", Fn("    async: { max_event_age: 90.5 }\n"),
     "stratus.yaml:5:29: 'max_event_age' must be a whole number of seconds, got 90.5s"},
    {"unknown destination key", Fn("    async:\n      on_failure: { funtion: api }\n"),
     "stratus.yaml:6:21: unknown key 'funtion' in 'on_failure' of function 'api' (did you "
     "mean 'function'?)"},
    {"destination not a map", Fn("    async: { on_failure: failures }\n"),
     "stratus.yaml:5:26: 'on_failure' of function 'api' must be a map, got 'failures'"},
    {"destination with function and queue",
     Fn("    async:\n      on_failure: { function: api, queue: jobs }\n") + "queues: { jobs: }\n",
     "stratus.yaml:6:36: 'on_failure' takes either a 'function' or a 'queue', not both"},
    {"destination with neither", Fn("    async:\n      on_success: {}\n"),
     "stratus.yaml:6:7: 'on_success' needs a 'function' or a 'queue' to send invocation "
     "records to"},
    {"destination left empty", Fn("    async:\n      on_success:\n"),
     "stratus.yaml:6:7: 'on_success' needs a 'function' or a 'queue' to send invocation "
     "records to"},
    {"destination with an empty name", Fn("    async:\n      on_failure: { queue: '' }\n"),
     "stratus.yaml:6:28: 'queue' must not be empty"},
    {"undeclared destination function",
     Fn("    async:\n      on_failure: { function: failurs }\n"
        "  failures:\n    runtime: provided\n"),
     "stratus.yaml:6:7: function 'failurs' is not declared in 'functions' (did you mean "
     "'failures'?)"},
    {"undeclared destination function, nothing close",
     Fn("    async:\n      on_success: { function: zzz }\n"),
     "stratus.yaml:6:7: function 'zzz' is not declared in 'functions' (declared: api)"},
    {"undeclared destination queue",
     Fn("    async:\n      on_success: { queue: dnoe }\n") + "queues: { done: }\n",
     "stratus.yaml:6:7: queue 'dnoe' is not declared in 'queues' (did you mean 'done'?)"},
    {"undeclared destination queue, none declared",
     Fn("    async:\n      on_failure: { queue: failed }\n"),
     "stratus.yaml:6:7: queue 'failed' is not declared in 'queues'"},
    {"FIFO destination queue",
     Fn("    async:\n      on_failure: { queue: failed.fifo }\n") + "queues: { failed.fifo: }\n",
     "stratus.yaml:6:7: destination queue 'failed.fifo' is a FIFO queue; Lambda sends "
     "invocation records only to standard queues"},
    {"destination before a later event in file order",
     Fn("    async: { on_failure: { queue: nope } }\n    events:\n"
        "      - queue: { name: gone }\n"),
     "stratus.yaml:5:14: queue 'nope' is not declared in 'queues'"},

    // Environment, concurrency, queues, tables.
    {"reserved env var", Fn("    environment: { AWS_REGION: eu-west-1 }\n"),
     "stratus.yaml:5:20: environment variable 'AWS_REGION' is reserved by Lambda and cannot "
     "be set"},
    {"reserved AWS_LAMBDA_ prefix", Fn("    environment:\n      AWS_LAMBDA_FUNCTION_NAME: x\n"),
     "stratus.yaml:6:7: environment variable 'AWS_LAMBDA_FUNCTION_NAME' is reserved by Lambda "
     "and cannot be set"},
    {"bad env var name", Fn("    environment: { 1BAD: x }\n"),
     "stratus.yaml:5:20: environment variable name '1BAD' must match [A-Za-z_][A-Za-z0-9_]*"},
    {"env value a list", Fn("    environment: { LIST: [1, 2] }\n"),
     "stratus.yaml:5:26: environment variable 'LIST' must be a string, number or bool, got a "
     "list"},
    {"provisioned over concurrency", Fn("    concurrency: 2\n    provisioned: 3\n"),
     "stratus.yaml:6:18: 'provisioned' (3) must not exceed 'concurrency' (2)"},
    {"fifo: true without .fifo", "queues:\n  jobs: { fifo: true }\n",
     "stratus.yaml:2:17: queue 'jobs' has 'fifo: true' but a FIFO queue's name must end in "
     "'.fifo' (like 'jobs.fifo')"},
    {".fifo name with fifo: false", "queues:\n  jobs.fifo: { fifo: false }\n",
     "stratus.yaml:2:22: queue 'jobs.fifo' ends in '.fifo', so it is a FIFO queue and cannot "
     "have 'fifo: false'"},
    {"dedup on a standard queue", "queues:\n  jobs: { content_based_dedup: true }\n",
     "stratus.yaml:2:32: 'content_based_dedup' needs a FIFO queue (a name ending in '.fifo')"},
    {"visibility timeout out of range", "queues:\n  jobs: { visibility_timeout: 43201 }\n",
     "stratus.yaml:2:31: 'visibility_timeout' must be between 0 and 43200, got 43201"},
    {"dead letter without max_receives", "queues:\n  jobs: { dead_letter: { queue: dlq } }\n  dlq:\n",
     "stratus.yaml:2:11: 'dead_letter' needs 'max_receives'"},
    {"duplicate bucket", "buckets: [uploads, logs, uploads]\n",
     "stratus.yaml:1:26: bucket 'uploads' is declared twice"},
    {"bad bucket name", "buckets: [Uploads]\n",
     "stratus.yaml:1:11: bucket name 'Uploads' must be 3 to 63 lower-case letters, digits, '.' "
     "or '-', starting and ending with a letter or digit"},
    {"table key with 3 attributes", "tables:\n  orders: { key: { a: S, b: N, c: S } }\n",
     "stratus.yaml:2:18: 'key' must have 1 or 2 attributes (hash, then range), got 3"},
    {"table key type", "tables:\n  orders: { key: { id: string } }\n",
     "stratus.yaml:2:24: 'id' must be one of S, N, B, got 'string'"},
    {"table without key", "tables:\n  orders: { stream: true }\n",
     "stratus.yaml:2:3: table 'orders' needs a 'key' like '{id: S}'"},
    {"object event with unknown event name",
     Fn("    events:\n      - object: { bucket: up, on: [created, modified] }\n") +
         "buckets: [up]\n",
     "stratus.yaml:6:35: 'on' must list created, removed or S3 event names like "
     "'s3:ObjectCreated:Put', got 'modified'"},
};

TEST_CASE("every error names the file, line and column of the offending key or value") {
  for (const ErrorCase& c : kErrorCases) {
    CAPTURE(c.name);
    CAPTURE(c.yaml);
    Result<ProjectConfig> result = ParseConfig(c.yaml, "stratus.yaml");
    REQUIRE_FALSE(result.ok());
    CHECK(result.status().code() == Status::Code::kInvalidArgument);
    CHECK(result.status().message() == c.error);
  }
}

// Odd shapes must come back as positioned errors: no exception may leave ParseConfig.
TEST_CASE("odd documents are errors, never exceptions") {
  const char* kDocuments[] = {
      "functions: [1, 2]\n",
      "functions:\n  api: 5\n",
      "functions:\n  api:\n    events: {http: x}\n",
      "functions:\n  api:\n    runtime: provided\n    events: [5, {}]\n",
      "functions:\n  api:\n    runtime: provided\n    events:\n      - {}\n",
      "functions:\n  api:\n    runtime: provided\n    events:\n      - http:\n",
      "functions:\n  api:\n    runtime: provided\n    memory:\n",
      "? [a, b]\n: c\n",
      "queues: [a]\n",
      "tables:\n  t1x: { key: [id] }\n",
      "&a [*a]\n",
      "key: !!binary AAAA\n",
      "\t- tab\n",
      "functions:\n  api:\n    runtime: provided\n    environment: [A]\n",
      "buckets: { a: b }\n",
      "region: [us-east-1]\n",
      "%YAML 9.9\n---\na: 1\n",
      "functions:\n  api:\n    runtime: provided\n    async: [1]\n",
      "functions:\n  api:\n    runtime: provided\n    async: { on_failure: [a] }\n",
      "functions:\n  api:\n    runtime: provided\n    async: { on_failure: { queue: [a] } }\n",
      "functions:\n  api:\n    runtime: provided\n    async: { max_event_age: {} }\n",
      "\xff\xfe: \x80\n",
  };
  for (const char* doc : kDocuments) {
    CAPTURE(doc);
    Result<ProjectConfig> result = ParseConfig(doc, "stratus.yaml");
    REQUIRE_FALSE(result.ok());
    CHECK(result.status().code() == Status::Code::kInvalidArgument);
    CHECK(result.status().message().starts_with("stratus.yaml:"));
  }
}

}  // namespace
}  // namespace stratus::config
