#include "emulator/config/config.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "emulator/config/yaml_reader.h"
#include "tests/support/paths.h"

namespace stratus::config {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const std::string kFixture = stratus::testing::SourceDir() + "/tests/fixtures/config/full.yaml";

template <typename T>
const T& EventAt(const FunctionConfig& fn, size_t i) {
  REQUIRE(i < fn.events.size());
  REQUIRE(std::holds_alternative<T>(fn.events[i]));
  return std::get<T>(fn.events[i]);
}

TEST_CASE("a project using every key reads into the structs") {
  Result<ProjectConfig> loaded = LoadConfigFile(kFixture);
  REQUIRE_MESSAGE(loaded.ok(), loaded.status().ToString());
  const ProjectConfig& c = *loaded;
  const std::string dir = stratus::testing::SourceDir() + "/tests/fixtures/config";
  CHECK(c.file == kFixture);
  CHECK(c.project_dir == dir);
  CHECK(c.coldstart == ColdStartMode::kSimulated);
  CHECK(c.pricing == "aws-eu-west-1");
  CHECK(c.durability == Durability::kFull);
  CHECK(c.scaling == ScalingMode::kEager);
  CHECK(c.region == "eu-west-1");
  CHECK(c.account == "123456789012");
  CHECK(c.runtimes == std::map<std::string, std::string>{{"nodejs20.x", "/opt/node/bin/node"},
                                                         {"python3.11", "/usr/bin/python3.11"}});
  CHECK(c.buckets == std::vector<std::string>{"uploads", "archive.logs"});

  REQUIRE(c.functions.size() == 2);
  const FunctionConfig& api = c.functions.at("api");
  CHECK(api.name == "api");
  CHECK(api.position == Position{3, 3});
  CHECK(api.runtime == "nodejs20.x");
  CHECK(api.family == RuntimeFamily::kNode);
  CHECK(api.handler == "src/api.handler");
  CHECK(api.code_dir == dir + "/services/api");
  CHECK(api.memory == 256);
  CHECK(api.timeout == seconds(10));
  CHECK(api.concurrency == 4);
  CHECK(api.provisioned == 2);
  CHECK(api.keep_alive == std::chrono::minutes(5));
  CHECK(api.environment == std::map<std::string, std::string>{
                               {"EMPTY", ""}, {"RATIO", "1.50"}, {"RETRIES", "3"},
                               {"TABLE", "orders"}, {"VERBOSE", "true"}});
  REQUIRE(api.events.size() == 8);
  CHECK(EventAt<HttpEvent>(api, 0).method == "GET");
  CHECK(EventAt<HttpEvent>(api, 0).path == "/orders/{id}");
  CHECK(EventAt<HttpEvent>(api, 0).position == Position{14, 9});
  CHECK(EventAt<HttpEvent>(api, 1).method == "ANY");
  CHECK(EventAt<HttpEvent>(api, 1).path == "$default");
  CHECK(EventAt<RestEvent>(api, 2).method == "POST");
  CHECK(EventAt<RestEvent>(api, 2).path == "/orders");
  const QueueEvent& q = EventAt<QueueEvent>(api, 3);
  CHECK(q.queue == "jobs");
  CHECK(q.batch_size == 50);
  CHECK(q.window == seconds(2));
  CHECK(q.max_concurrency == 5);
  CHECK(q.report_failures);
  const ObjectEvent& o = EventAt<ObjectEvent>(api, 4);
  CHECK(o.bucket == "uploads");
  CHECK(o.on == std::vector<std::string>{"s3:ObjectCreated:*", "s3:ObjectRemoved:Delete"});
  CHECK(o.prefix == "images/");
  CHECK(o.suffix == ".jpg");
  const TableEvent& t = EventAt<TableEvent>(api, 5);
  CHECK(t.table == "orders");
  CHECK(t.start == StreamStart::kTrimHorizon);
  CHECK(t.batch_size == 25);
  CHECK(EventAt<ScheduleEvent>(api, 6).expression == "rate(5 minutes)");
  CHECK(EventAt<ScheduleEvent>(api, 6).enabled);
  CHECK_FALSE(EventAt<ScheduleEvent>(api, 6).input.has_value());
  const ScheduleEvent& s = EventAt<ScheduleEvent>(api, 7);
  CHECK(s.expression == "cron(0 12 ? * MON-FRI *)");
  CHECK(s.input == R"({"count":3,"dry":false,"job":"nightly","none":null,"ratio":0.5,"tags":["a","7"]})");
  CHECK_FALSE(s.enabled);
  CHECK(EventKind(api.events[7]) == "schedule");
  CHECK(EventPosition(api.events[7]) == Position{21, 9});

  const FunctionConfig& worker = c.functions.at("worker");
  CHECK(worker.family == RuntimeFamily::kProvided);
  CHECK(worker.handler == "bootstrap");
  CHECK(worker.code_dir == dir);
  CHECK(worker.memory == 128);
  CHECK(worker.timeout == milliseconds(1500));
  CHECK_FALSE(worker.concurrency.has_value());
  CHECK(worker.provisioned == 0);
  CHECK(worker.keep_alive == seconds(300));
  CHECK(worker.environment.empty());
  CHECK(EventAt<QueueEvent>(worker, 0).batch_size == 10);
  CHECK(EventAt<QueueEvent>(worker, 0).window == milliseconds(0));
  CHECK_FALSE(EventAt<QueueEvent>(worker, 0).max_concurrency.has_value());
  CHECK_FALSE(EventAt<QueueEvent>(worker, 0).report_failures);
  CHECK(EventAt<ObjectEvent>(worker, 1).on == std::vector<std::string>{"s3:ObjectCreated:*"});
  CHECK(EventAt<ObjectEvent>(worker, 1).prefix.empty());
  CHECK(EventAt<TableEvent>(worker, 2).start == StreamStart::kLatest);
  CHECK(EventAt<TableEvent>(worker, 2).batch_size == 100);

  REQUIRE(c.queues.size() == 3);
  const QueueConfig& jobs = c.queues.at("jobs");
  CHECK(jobs.visibility_timeout == seconds(60));
  CHECK(jobs.delay == seconds(5));
  CHECK(jobs.retention == seconds(86400));
  CHECK_FALSE(jobs.fifo);
  REQUIRE(jobs.dead_letter.has_value());
  CHECK(jobs.dead_letter->queue == "jobs-dlq");
  CHECK(jobs.dead_letter->max_receives == 3);
  const QueueConfig& dlq = c.queues.at("jobs-dlq");
  CHECK(dlq.visibility_timeout == seconds(30));
  CHECK(dlq.delay == seconds(0));
  CHECK(dlq.retention == seconds(345600));
  CHECK_FALSE(dlq.dead_letter.has_value());
  CHECK(c.queues.at("jobs.fifo").fifo);
  CHECK(c.queues.at("jobs.fifo").content_based_dedup);

  REQUIRE(c.tables.size() == 2);
  const TableConfig& orders = c.tables.at("orders");
  REQUIRE(orders.key.size() == 2);
  CHECK(orders.key[0].name == "id");
  CHECK(orders.key[0].type == KeyType::kString);
  CHECK(orders.key[1].name == "created");
  CHECK(orders.key[1].type == KeyType::kNumber);
  CHECK_FALSE(orders.stream);
  CHECK(c.tables.at("blobs").key[0].type == KeyType::kBinary);
  CHECK(c.tables.at("blobs").stream);
}

TEST_CASE("empty and minimal projects get the defaults") {
  for (const char* text : {"", "# nothing yet\n", "functions:\n"}) {
    CAPTURE(text);
    Result<ProjectConfig> c = ParseConfig(text, "stratus.yaml");
    REQUIRE_MESSAGE(c.ok(), c.status().ToString());
    CHECK(c->functions.empty());
    CHECK(c->queues.empty());
    CHECK(c->buckets.empty());
    CHECK(c->coldstart == ColdStartMode::kReal);
    CHECK(c->durability == Durability::kNormal);
    CHECK(c->scaling == ScalingMode::kLean);
    CHECK(c->pricing == "aws-us-east-1");
    CHECK(c->region == "us-east-1");
    CHECK(c->account == "000000000000");
    CHECK(c->project_dir == std::filesystem::current_path().string());
  }
  Result<ProjectConfig> c =
      ParseConfig("functions:\n  f:\n    runtime: python3.12\n    handler: app.main\n",
                  "/srv/app/stratus.yaml");
  REQUIRE(c.ok());
  CHECK(c->project_dir == "/srv/app");
  const FunctionConfig& f = c->functions.at("f");
  CHECK(f.code_dir == "/srv/app");
  CHECK(f.memory == 128);
  CHECK(f.timeout == seconds(3));
  CHECK(f.family == RuntimeFamily::kPython);
}

TEST_CASE("async settings take Lambda's defaults when absent or empty") {
  Result<ProjectConfig> c = ParseConfig(
      "functions:\n"
      "  plain:\n    runtime: provided\n"
      "  empty:\n    runtime: provided\n    async:\n"
      "  partial:\n    runtime: provided\n    async: { retries: 1 }\n",
      "stratus.yaml");
  REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  const AsyncConfig& plain = c->functions.at("plain").async;
  CHECK(plain.retries == 2);
  CHECK(plain.max_event_age == std::chrono::hours(6));
  CHECK_FALSE(plain.on_failure.has_value());
  CHECK_FALSE(plain.on_success.has_value());
  CHECK(plain.position == Position{});
  const AsyncConfig& empty = c->functions.at("empty").async;
  CHECK(empty.retries == 2);
  CHECK(empty.max_event_age == seconds(21600));
  CHECK_FALSE(empty.on_failure.has_value());
  CHECK(empty.position == Position{6, 5});
  const AsyncConfig& partial = c->functions.at("partial").async;
  CHECK(partial.retries == 1);
  CHECK(partial.max_event_age == seconds(21600));
  CHECK_FALSE(partial.on_success.has_value());
}

TEST_CASE("a full async block reads into AsyncConfig") {
  Result<ProjectConfig> c = ParseConfig(
      "functions:\n"
      "  worker:\n"
      "    runtime: python3.11\n"
      "    handler: app.handler\n"
      "    async:\n"
      "      retries: 0\n"
      "      max_event_age: 1.5m\n"
      "      on_failure: { function: failures }\n"
      "      on_success: { queue: done }\n"
      "  failures:\n"
      "    runtime: provided\n"
      "    async: { retries: 2, max_event_age: 6h, on_failure: { function: failures } }\n"
      "  edge:\n"
      "    runtime: provided\n"
      "    async: { max_event_age: 60, on_success: { function: worker } }\n"
      "queues:\n"
      "  done:\n",
      "stratus.yaml");
  REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  const AsyncConfig& worker = c->functions.at("worker").async;
  CHECK(worker.position == Position{5, 5});
  CHECK(worker.retries == 0);
  CHECK(worker.max_event_age == seconds(90));
  REQUIRE(worker.on_failure.has_value());
  CHECK(worker.on_failure->kind == Destination::Kind::kFunction);
  CHECK(worker.on_failure->name == "failures");
  CHECK(worker.on_failure->position == Position{8, 7});
  REQUIRE(worker.on_success.has_value());
  CHECK(worker.on_success->kind == Destination::Kind::kQueue);
  CHECK(worker.on_success->name == "done");
  CHECK(worker.on_success->position == Position{9, 7});

  // A function may name itself as its own destination, as Lambda allows.
  const AsyncConfig& failures = c->functions.at("failures").async;
  CHECK(failures.retries == 2);
  CHECK(failures.max_event_age == seconds(21600));
  REQUIRE(failures.on_failure.has_value());
  CHECK(failures.on_failure->kind == Destination::Kind::kFunction);
  CHECK(failures.on_failure->name == "failures");
  CHECK_FALSE(failures.on_success.has_value());

  const AsyncConfig& edge = c->functions.at("edge").async;
  CHECK(edge.retries == 2);
  CHECK(edge.max_event_age == seconds(60));
  CHECK_FALSE(edge.on_failure.has_value());
  REQUIRE(edge.on_success.has_value());
  CHECK(edge.on_success->name == "worker");
}

TEST_CASE("a file that cannot be read is reported with strerror") {
  Result<ProjectConfig> c = LoadConfigFile("/nonexistent/stratus.yaml");
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().code() == Status::Code::kInvalidArgument);
  CHECK(c.status().message() == "cannot read /nonexistent/stratus.yaml: No such file or directory");
  Result<ProjectConfig> d = LoadConfigFile("/tmp");
  REQUIRE_FALSE(d.ok());
  CHECK(d.status().message() == "cannot read /tmp: Is a directory");
}

TEST_CASE("LoadConfigFile reports errors with the path as given") {
  std::string path = "stratus-config-test-" + std::to_string(::getpid()) + ".yaml";
  {
    std::ofstream out(path);
    out << "functions:\n  api:\n    runtime: python3.12\n    handler: app.main\n"
           "    memroy: 256\n";
  }
  Result<ProjectConfig> c = LoadConfigFile(path);
  std::remove(path.c_str());
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().message() ==
        path + ":5:5: unknown key 'memroy' in function 'api' (did you mean 'memory'?)");
}

}  // namespace
}  // namespace stratus::config
