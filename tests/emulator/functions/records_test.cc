// What stratus keeps of each invocation: the records at /_stratus/invocations, and the logs
// table with Lambda's exact START / END / REPORT lines.
#include <regex>

#include "emulator/functions/invocation_store.h"
#include "emulator/storage/db.h"
#include "tests/emulator/storage/test_util.h"
#include "tests/emulator/functions/fixture.h"

namespace stratus::fntest {
namespace {

const RuntimeCase kPython = AllRuntimes()[0];

TEST_CASE("invocation records list id, function, type, source, cold/warm, init, billed, outcome") {
  Fixture f("functions:\n" + FunctionYaml(kPython, "fn"), RuntimeFiles());
  auto cold = f.Invoke("fn", R"({"action":"echo"})");
  auto warm = f.Invoke("fn", R"({"action":"raise"})");
  auto http = f.Http("POST", "/2015-03-31/functions/fn/invocations", R"({"action":"echo"})");
  REQUIRE(http);
  std::string http_id = http->Header("x-amzn-requestid");
  json list;
  REQUIRE(WaitUntil([&] {
    auto r = f.Http("GET", "/_stratus/invocations?function=fn");
    if (!r || r->status != 200) return false;
    list = ParseJson(r->body)["invocations"];
    return list.size() == 3;
  }));
  std::map<std::string, json> by_id;
  for (auto& record : list) by_id[record["request_id"]] = record;
  json c = by_id[cold.request_id], w = by_id[warm.request_id], h = by_id[http_id];
  CHECK(c["function"] == "fn");
  CHECK(c["type"] == "RequestResponse");
  CHECK(c["source"] == "test");
  CHECK(c["cold"] == true);
  CHECK(c["init_ms"].get<double>() > 0);
  CHECK(c["billed_ms"].get<int64_t>() >= 1);
  CHECK(c["outcome"] == "success");
  CHECK(c["memory_mb"] == 128);
  CHECK(w["cold"] == false);
  CHECK(w["init_ms"].get<double>() == 0);
  CHECK(w["outcome"] == "error");
  CHECK(w["error_type"] == "ValueError");
  CHECK(h["source"] == "invoke-api");
  CHECK(h["outcome"] == "success");
}

TEST_CASE("the events of first attempts are kept, the newest 100 per function, for re-runs") {
  Fixture f("functions:\n" + FunctionYaml(kPython, "fn"), RuntimeFiles());
  const int calls = functions::InvocationStore::kEventsKept + 3;
  for (int i = 0; i < calls; ++i) {
    f.Invoke("fn", R"({"action":"echo","n":)" + std::to_string(i) + "}");
  }
  std::vector<std::vector<std::string>> kept;
  REQUIRE(WaitUntil([&] {
    kept = f.Query(
        "SELECT payload FROM invocation_event_ring WHERE function = 'fn' ORDER BY seq");
    return kept.size() == functions::InvocationStore::kEventsKept &&
           kept.back()[0].find(std::to_string(calls - 1)) != std::string::npos;
  }));
  CHECK(kept.front()[0] == R"({"action":"echo","n":3})");
  CHECK(kept.back()[0] == R"({"action":"echo","n":)" + std::to_string(calls - 1) + "}");
}

TEST_CASE("an older database keeps its records and newest 100 events through the migrations") {
  storage::test::TempDir dir;
  auto opened = storage::Db::Open(dir / "state.db", storage::Durability::kNormal);
  REQUIRE(opened.ok());
  auto& db = *opened.value();
  std::vector<std::string> steps = functions::InvocationStore::Migrations();
  std::vector<std::string> before_ring(steps.begin(), steps.begin() + 3);
  REQUIRE(db.Migrate("invocations", before_ring).ok());
  auto record = db.Prepare(
      "INSERT INTO invocations(request_id, attempt, function, type, source, start_ms,"
      " duration_ms, billed_ms, init_ms, cold, memory_mb, max_memory_mb, outcome, error_type,"
      " architecture, cpu_ms, cost) VALUES ('r1', 2, 'a', 'Event', 'queue', 7, 1.5, 2, 0, 0,"
      " 256, 40, 'success', '', 'arm64', 0.75, 0.25)");
  REQUIRE(record.ok());
  REQUIRE((*record)->Run().ok());
  auto insert = db.Prepare("INSERT INTO invocation_events(request_id, function, payload)"
                           " VALUES (?,?,?)");
  REQUIRE(insert.ok());
  for (int i = 0; i < 103; ++i) {  // the old trim left up to a batch over 100
    REQUIRE((*insert)->BindAll("a" + std::to_string(i), "a", "{\"n\":" + std::to_string(i) + "}").Run().ok());
    if (i < 3) REQUIRE((*insert)->BindAll("b" + std::to_string(i), "b", std::to_string(i)).Run().ok());
  }
  REQUIRE(db.Migrate("invocations", steps).ok());
  auto a = functions::InvocationStore::RecentEvents(db, "a", 100);
  REQUIRE(a.ok());
  REQUIRE(a->size() == 100);
  CHECK(a->front() == R"({"n":3})");
  CHECK(a->back() == R"({"n":102})");
  auto b = functions::InvocationStore::RecentEvents(db, "b", 100);
  REQUIRE(b.ok());
  CHECK(*b == std::vector<std::string>{"0", "1", "2"});
  CHECK(functions::InvocationStore::RecentEvents(db, "a", 2).value() ==
        std::vector<std::string>{R"({"n":101})", R"({"n":102})"});
  // The records table was rebuilt without its random key: the record is whole.
  auto kept = db.Prepare("SELECT request_id, attempt, source, duration_ms, memory_mb,"
                         " architecture, cpu_ms, cost FROM invocations");
  REQUIRE(kept.ok());
  REQUIRE((*kept)->Step().value());
  CHECK((*kept)->Text(0) == "r1");
  CHECK((*kept)->Int64(1) == 2);
  CHECK((*kept)->Text(2) == "queue");
  CHECK((*kept)->Double(3) == 1.5);
  CHECK((*kept)->Int64(4) == 256);
  CHECK((*kept)->Text(5) == "arm64");
  CHECK((*kept)->Double(6) == 0.75);
  CHECK((*kept)->Double(7) == 0.25);
  CHECK_FALSE((*kept)->Step().value());
}

TEST_CASE("logs are stored with request ids, between Lambda's exact START/END/REPORT lines") {
  Fixture f("functions:\n" + FunctionYaml(kPython, "fn"), RuntimeFiles());
  auto cold = f.Invoke("fn", R"({"action":"print"})");
  auto warm = f.Invoke("fn", R"({"action":"print"})");
  for (const auto* result : {&cold, &warm}) {
    CAPTURE(result->cold);
    std::string id = result->request_id;
    std::vector<std::vector<std::string>> lines;
    REQUIRE(WaitUntil([&] {
      lines = f.Query("SELECT stream, line FROM logs WHERE request_id = '" + id + "' ORDER BY id");
      return lines.size() >= 4;
    }));
    REQUIRE(lines.size() == 4);
    CHECK(lines[0] == std::vector<std::string>{"platform", "START RequestId: " + id + " Version: $LATEST"});
    CHECK(lines[1] == std::vector<std::string>{"stdout", "hello from the function"});
    CHECK(lines[2] == std::vector<std::string>{"platform", "END RequestId: " + id});
    CHECK(lines[3][0] == "platform");
    std::string report = lines[3][1];
    std::string head = "REPORT RequestId: " + id +
                       R"(\tDuration: \d+\.\d{2} ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB)"
                       R"(\tMax Memory Used: \d+ MB\t)";
    std::string init = R"(Init Duration: \d+\.\d{2} ms\t)";
    std::regex expected(result->cold ? head + init : head);
    CHECK_MESSAGE(std::regex_match(report, expected), report);
  }
}

}  // namespace
}  // namespace stratus::fntest
