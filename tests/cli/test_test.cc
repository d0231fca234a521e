// `stratus test` as users run it: passing and failing scenarios (the failure's step, diff and
// function logs in the output), the JUnit XML and JSON reports, -k, and parallel scenarios
// each on an emulator of its own.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "tests/support/stratus_process.h"

namespace stratus::testing {
namespace {

const char* kProject = R"(functions:
  echo:
    runtime: python3.11
    handler: echo.handler
    timeout: 10
    events:
      - http: { method: GET, path: /echo }
  fn:
    runtime: python3.11
    handler: echo.direct
    timeout: 10
)";

const char* kHandler = R"(import json
def handler(event, context):
    q = event.get('queryStringParameters') or {}
    print('echo handled x=' + q.get('x', '-'))
    return {'statusCode': 200, 'headers': {'content-type': 'application/json'},
            'body': json.dumps({'x': q.get('x'), 'list': [1, 2, 3]})}
def direct(event, context):
    print('run %s' % event.get('run'))
    return {'run': event.get('run')}
)";

struct Project {
  TempDir dir;
  Project() {
    dir.Write("stratus.yaml", kProject);
    dir.Write("echo.py", kHandler);
  }
  std::string Write(const std::string& name, const std::string& yaml) const { return dir.Write(name, yaml); }
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_CASE("a passing file prints PASS lines and the summary, and exits 0") {
  Project p;
  p.Write("ok.test.yaml", R"(scenarios:
  - name: echo answers
    steps:
      - http: { path: "/echo?x=1" }
        expect: { status: 200, json: { x: "1", list: [1, $number, 3] } }
      - expect_logs: { function: echo, matches: "x=1" }
)");
  auto r = RunStratus({"test", p.dir.path()});
  CHECK_MESSAGE(r.exit_code == 0, r.out, r.err);
  CHECK(r.out.find("PASS echo answers") != std::string::npos);
  CHECK(r.out.substr(r.out.rfind('\n', r.out.size() - 2) + 1) == "1 passed, 0 failed\n");
}

TEST_CASE("a failing scenario shows its step, the diff and the function's logs; exit 1") {
  Project p;
  std::string path = p.Write("bad.test.yaml", R"(scenarios:
  - name: wrong expectation
    steps:
      - http: { path: "/echo?x=1" }
      - http: { path: "/echo?x=7" }
        expect:
          json: { x: "2", list: [1, 2, 3] }
  - name: still runs
    steps:
      - invoke: { function: fn, event: { run: 1 } }
)");
  auto r = RunStratus({"test", path});
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("FAIL wrong expectation") != std::string::npos);
  CHECK(r.out.find("PASS still runs") != std::string::npos);
  CHECK(r.out.find("step 'http GET /echo?x=7' at " + path + ":5:9") != std::string::npos);
  CHECK(r.out.find("json $.x: expected \"2\", got \"7\"") != std::string::npos);
  CHECK(r.out.find("-   \"x\": \"2\"") != std::string::npos);
  CHECK(r.out.find("+   \"x\": \"7\"") != std::string::npos);
  // The step's own log lines, not the earlier step's.
  CHECK(r.out.find("echo: echo handled x=7") != std::string::npos);
  CHECK(r.out.find("echo: echo handled x=1") == std::string::npos);
  CHECK(r.out.find("1 passed, 1 failed") != std::string::npos);
}

// The tags of an XML document, with their attributes, and whether they nest properly.
struct Tag {
  std::string name;
  std::map<std::string, std::string> attributes;
  int depth = 0;
};

std::vector<Tag> ParseTags(const std::string& xml, bool* well_nested) {
  std::vector<Tag> tags;
  std::vector<std::string> open;
  std::regex tag_re(R"re(<(/?)([A-Za-z]+)((?:\s+[a-z]+="[^"]*")*)\s*(/?)>)re");
  std::regex attr_re(R"re(([a-z]+)="([^"]*)")re");
  *well_nested = true;
  for (std::sregex_iterator it(xml.begin(), xml.end(), tag_re), end; it != end; ++it) {
    const auto& m = *it;
    if (m[1] == "/") {
      *well_nested = *well_nested && !open.empty() && open.back() == m[2];
      if (!open.empty()) open.pop_back();
      continue;
    }
    Tag tag{m[2], {}, static_cast<int>(open.size())};
    std::string attrs = m[3];
    for (std::sregex_iterator a(attrs.begin(), attrs.end(), attr_re); a != end; ++a) {
      tag.attributes[(*a)[1]] = (*a)[2];
    }
    tags.push_back(tag);
    if (m[4] != "/") open.push_back(m[2]);
  }
  *well_nested = *well_nested && open.empty();
  return tags;
}

TEST_CASE("the JUnit report has the elements and attributes the schema requires") {
  Project p;
  p.Write("a.test.yaml", R"(scenarios:
  - name: passes
    steps:
      - invoke: { function: fn, event: { run: 1 } }
  - name: fails <badly> & "loudly"
    steps:
      - invoke: { function: fn, event: { run: 2 } }
        expect: { json: { run: 3 } }
)");
  p.Write("b.test.yaml", "scenarios:\n  - name: other\n    steps:\n      - advance: 1s\n");
  std::string junit = p.dir.path() + "/report.xml";
  auto r = RunStratus({"test", p.dir.path(), "--junit", junit, "-j", "2"});
  CHECK(r.exit_code == 1);
  std::string xml = ReadFile(junit);
  REQUIRE(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 0) == 0);
  bool nested = false;
  auto tags = ParseTags(xml, &nested);
  CHECK(nested);
  REQUIRE(!tags.empty());
  CHECK(tags[0].name == "testsuites");
  CHECK(tags[0].attributes["tests"] == "3");
  CHECK(tags[0].attributes["failures"] == "1");
  int suites = 0, cases = 0, failures = 0;
  for (const auto& t : tags) {
    if (t.name == "testsuite") {
      ++suites;
      CHECK(t.depth == 1);
      for (const char* a : {"name", "tests", "failures", "errors", "time"}) CHECK(t.attributes.count(a));
    } else if (t.name == "testcase") {
      ++cases;
      CHECK(t.depth == 2);
      for (const char* a : {"name", "classname", "time"}) CHECK(t.attributes.count(a));
    } else if (t.name == "failure") {
      ++failures;
      CHECK(t.depth == 3);
      CHECK(t.attributes.count("message"));
      CHECK(t.attributes.count("type"));
    }
  }
  CHECK(suites == 2);
  CHECK(cases == 3);
  CHECK(failures == 1);
  CHECK(xml.find("name=\"fails &lt;badly&gt; &amp; &quot;loudly&quot;\"") != std::string::npos);
  CHECK(xml.find("$.run: expected 3, got 2") != std::string::npos);
}

TEST_CASE("--json reports every scenario; -k selects by file and name") {
  Project p;
  p.Write("s.test.yaml", R"(scenarios:
  - name: alpha
    steps: [ { invoke: { function: fn } } ]
  - name: beta
    steps: [ { invoke: { function: nope } } ]
)");
  auto r = RunStratus({"test", p.dir.path(), "--json", "-k", "alpha"});
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  auto report = nlohmann::json::parse(r.out);
  CHECK(report["passed"] == 1);
  CHECK(report["failed"] == 0);
  REQUIRE(report["scenarios"].size() == 1);
  CHECK(report["scenarios"][0]["name"] == "alpha");
  CHECK(r.err.find("1 passed, 0 failed") != std::string::npos);
  auto all = RunStratus({"test", p.dir.path(), "--json"});
  CHECK(all.exit_code == 1);
  auto full = nlohmann::json::parse(all.out);
  CHECK(full["scenarios"][1]["failure"]["message"].get<std::string>().find("answered 404") != std::string::npos);
  auto none = RunStratus({"test", p.dir.path(), "-k", "gamma"});
  CHECK(none.exit_code == 2);
  CHECK(none.err.find("no scenario matches -k 'gamma'") != std::string::npos);
}

TEST_CASE("parallel scenarios each get their own emulator") {
  Project p;
  std::string yaml = "scenarios:\n";
  for (int n = 1; n <= 4; ++n) {
    yaml += "  - name: run " + std::to_string(n) + "\n    steps:\n";
    for (int i = 0; i < n; ++i) {
      yaml += "      - invoke: { function: fn, event: { run: " + std::to_string(n) + " } }\n";
    }
    yaml += "      - expect_invocations: { function: fn, count: " + std::to_string(n) +
            ", cold_starts: 1 }\n";
    yaml += "      - expect_logs: { matches: '^fn: run ', count: " + std::to_string(n) + " }\n";
    yaml += "      - expect_logs: { matches: 'run [^" + std::to_string(n) + "]$', absent: true }\n";
  }
  p.Write("iso.test.yaml", yaml);
  auto r = RunStratus({"test", p.dir.path(), "-j", "4"});
  CHECK_MESSAGE(r.exit_code == 0, r.out, r.err);
  CHECK(r.out.find("4 passed, 0 failed") != std::string::npos);
}

TEST_CASE("bad files and usage exit 2 with one line") {
  Project p;
  std::string bad = p.Write("bad.test.yaml", "scenarios:\n  - name: a\n    steps:\n      - invok: {}\n");
  auto r = RunStratus({"test", bad});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(bad + ":4:9: unknown key 'invok' in a step (did you mean 'invoke'?)") != std::string::npos);
  CHECK(RunStratus({"test", p.dir.path() + "/missing"}).exit_code == 2);
  CHECK(RunStratus({"test", bad, "-j", "0"}).exit_code == 2);
  TempDir empty;
  auto none = RunStratus({"test", empty.path()});
  CHECK(none.exit_code == 2);
  CHECK(none.err.find("no *.test.yaml files found") != std::string::npos);
}

TEST_CASE("expect_cost checks the metered list price of the scenario's calls") {
  Project p;
  p.Write("cost.test.yaml", R"(scenarios:
  - name: cheap enough
    steps:
      - http: { path: "/echo?x=1" }
      - expect_cost: { at_most: 0.01 }
  - name: too dear
    steps:
      - http: { path: "/echo?x=1" }
      - expect_cost: { at_most: 0.0000000001 }
)");
  auto r = RunStratus({"test", p.dir.path()});
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("PASS cheap enough") != std::string::npos);
  CHECK(r.out.find("cost: expected at most") != std::string::npos);
  CHECK(r.out.find("billing is not available") == std::string::npos);
}

}  // namespace
}  // namespace stratus::testing
