// `stratus invoke NAME` as users run it: the real binary, real Python and Node handlers.
#include <signal.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "tests/support/stratus_process.h"

namespace stratus::testing {
namespace {

namespace fs = std::filesystem;

const char* kProject = R"(functions:
  py:
    runtime: python3.11
    handler: handler.main
    timeout: 10
  pyfail:
    runtime: python3.11
    handler: handler.fail
    timeout: 10
  node:
    runtime: nodejs20.x
    handler: app.handler
    timeout: 10
  nodefail:
    runtime: nodejs20.x
    handler: app.fail
    timeout: 10
  raw:
    runtime: python3.11
    handler: handler.raw
    timeout: 10
)";

const char* kPython = R"(import json, sys


def main(event, context):
    print("python says hello to", event.get("who", "nobody"))
    return {"echo": event, "fn": context.function_name}


class Boom(Exception):
    pass


def fail(event, context):
    raise Boom("it broke: " + str(event.get("why", "no reason")))


def raw(event, context):
    return "line\n"
)";

const char* kNode = R"('use strict';
exports.handler = async (event, context) => {
  console.log('node says hello to', event.who || 'nobody');
  return { echo: event, fn: context.functionName };
};
exports.fail = async () => {
  class NodeBoom extends Error {}
  const e = new NodeBoom('node broke');
  e.name = 'NodeBoom';
  throw e;
};
)";

struct Project {
  TempDir dir;
  std::string config;
  Project() {
    config = dir.Write("stratus.yaml", kProject);
    dir.Write("handler.py", kPython);
    dir.Write("app.js", kNode);
  }
};

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

void CheckPlatformLines(const std::string& err) {
  CHECK(Has(err, "START RequestId: "));
  CHECK(Has(err, "END RequestId: "));
  CHECK(Has(err, "REPORT RequestId: "));
  CHECK(Has(err, "Init Duration: "));  // always a cold start
  CHECK(Has(err, "Billed Duration: "));
}

TEST_CASE("invoke prints the payload on stdout and the logs on stderr, for Python and Node") {
  Project p;
  struct Case {
    std::string function;
    std::string log_line;
  } cases[] = {{"py", "python says hello to stdin-and-file"},
               {"node", "node says hello to stdin-and-file"}};
  std::string event_path = p.dir.Write("event.json", R"({"who": "stdin-and-file", "n": 1})");
  for (const auto& c : cases) {
    CAPTURE(c.function);
    auto r = RunStratus({"invoke", c.function, "-c", p.config, "--event", event_path,
                         "--ephemeral"});
    CHECK(r.exit_code == 0);
    REQUIRE(!r.out.empty());
    CHECK(r.out.back() == '\n');
    CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);
    auto payload = nlohmann::json::parse(r.out);
    CHECK(payload["echo"]["who"] == "stdin-and-file");
    CHECK(payload["echo"]["n"] == 1);
    CHECK(payload["fn"] == c.function);
    CHECK(Has(r.err, c.log_line));
    CheckPlatformLines(r.err);
    CHECK(r.err.find("START") < r.err.find("REPORT"));
  }
}

TEST_CASE("invoke reads the event from stdin with --event -, and defaults to {}") {
  Project p;
  auto piped = RunStratus({"invoke", "py", "--event", "-", "--ephemeral"}, p.dir.path(),
                          R"({"who": "a pipe"})");
  CHECK(piped.exit_code == 0);
  CHECK(nlohmann::json::parse(piped.out)["echo"] == nlohmann::json{{"who", "a pipe"}});
  CHECK(Has(piped.err, "python says hello to a pipe"));

  auto none = RunStratus({"invoke", "node", "--ephemeral"}, p.dir.path());
  CHECK(none.exit_code == 0);
  CHECK(nlohmann::json::parse(none.out)["echo"] == nlohmann::json::object());
}

TEST_CASE("invoke prints exactly the payload's bytes, adding a newline only when missing") {
  Project p;
  auto r = RunStratus({"invoke", "raw", "-c", p.config, "--ephemeral"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "\"line\\n\"\n");
}

TEST_CASE("a function error exits 1 with the error JSON on stdout") {
  Project p;
  struct Case {
    std::string function;
    std::string type;
    std::string message;
  } cases[] = {{"pyfail", "Boom", "it broke: because"}, {"nodefail", "NodeBoom", "node broke"}};
  for (const auto& c : cases) {
    CAPTURE(c.function);
    auto r = RunStratus({"invoke", c.function, "-c", p.config, "--event", "-", "--ephemeral"}, "",
                        R"({"why": "because"})");
    CHECK(r.exit_code == 1);
    auto error = nlohmann::json::parse(r.out);
    CHECK(error["errorType"] == c.type);
    CHECK(error["errorMessage"] == c.message);
    CheckPlatformLines(r.err);
  }
}

TEST_CASE("a crash is Runtime.ExitError; a function that cannot start is left out, or exit 2") {
  TempDir dir;
  std::string config = dir.Write("stratus.yaml", R"(functions:
  crash:
    runtime: python3.11
    handler: handler.crash
  gone:
    runtime: provided
    handler: bootstrap
)");
  dir.Write("handler.py", "import os\n\ndef crash(event, context):\n    print('dying')\n"
                          "    os._exit(3)\n");
  auto crash = RunStratus({"invoke", "crash", "-c", config, "--ephemeral"});
  CHECK(crash.exit_code == 1);
  CHECK(nlohmann::json::parse(crash.out)["errorType"] == "Runtime.ExitError");
  CHECK(Has(crash.err, "[crash] dying"));
  CHECK(Has(crash.err, "stratus: note: function 'gone' left out: no executable " + dir.path() +
                           "/bootstrap"));
  auto gone = RunStratus({"invoke", "gone", "-c", config, "--ephemeral"});
  CHECK(gone.exit_code == 2);
  CHECK(Has(gone.err, "stratus: error: function 'gone': no executable"));
  CHECK(gone.out.empty());
}

TEST_CASE("SIGINT while the function runs kills it and exits 130") {
  TempDir dir;
  std::string config = dir.Write("stratus.yaml", "functions:\n  sleepy:\n    runtime: python3.11\n"
                                                 "    handler: handler.sleepy\n    timeout: 60\n");
  dir.Write("handler.py", "import os, time\n\ndef sleepy(event, context):\n"
                          "    print('pid', os.getpid(), flush=True)\n    time.sleep(60)\n");
  StratusProcess p({"invoke", "sleepy", "-c", config, "--ephemeral"});
  auto started = std::chrono::steady_clock::now();
  while (!Has(p.err(), "pid ") && std::chrono::steady_clock::now() - started < std::chrono::seconds(20)) {
    REQUIRE(p.Wait(std::chrono::milliseconds(20)) == -1);  // still running: reads stderr meanwhile
  }
  auto at = p.err().find("pid ");
  REQUIRE(at != std::string::npos);
  pid_t function_pid = std::stoi(p.err().substr(at + 4));
  p.Signal(SIGINT);
  CHECK(p.Wait() == 130);
  CHECK(Has(p.err(), "stratus: interrupted"));
  CHECK(::kill(function_pid, 0) != 0);  // the function's process is gone too
}

TEST_CASE("invoke --json adds the request id and metrics") {
  Project p;
  auto r = RunStratus({"invoke", "py", "-c", p.config, "--json", "--ephemeral"});
  CHECK(r.exit_code == 0);
  auto out = nlohmann::json::parse(r.out);
  CHECK(out["payload"]["fn"] == "py");
  CHECK(out["function_error"] == false);
  CHECK(out["cold"] == true);
  CHECK(out["init_ms"].get<double>() > 0);
  CHECK(out["request_id"].get<std::string>().size() == 36);
  CHECK(Has(r.err, "REPORT RequestId: " + out["request_id"].get<std::string>()));
}

TEST_CASE("invoke uses the project's .stratus, and a temporary one when it is in use") {
  Project p;
  auto first = RunStratus({"invoke", "py", "-c", p.config});
  CHECK(first.exit_code == 0);
  CHECK(fs::exists(p.dir.path() + "/.stratus/stratus.db"));

  StratusProcess running({"start", "-c", p.config, "--port", "0", "--gateway-port", "0"});
  REQUIRE(running.WaitReady());
  auto second = RunStratus({"invoke", "py", "-c", p.config});
  CHECK(second.exit_code == 0);
  CHECK(nlohmann::json::parse(second.out)["fn"] == "py");
  CHECK(Has(second.err, "is in use by another stratus"));
  CHECK(Has(second.err, "using a temporary data directory"));
  running.Signal(SIGTERM);
  CHECK(running.Wait() == 0);
}

TEST_CASE("bad input to invoke: a clear one-line error and exit status 2") {
  Project p;
  std::string bad_event = p.dir.Write("bad.json", "{\"a\": ");
  struct Case {
    std::vector<std::string> args;
    std::string expect;
  } cases[] = {
      {{"invoke", "xyzzy", "-c", p.config},
       "no function 'xyzzy' in " + p.config + "; known functions: node, nodefail, py, pyfail, raw"},
      {{"invoke", "pi", "-c", p.config}, "(did you mean 'py'?)"},
      {{"invoke", "-c", p.config}, "name the function to invoke"},
      {{"invoke", "py", "node", "-c", p.config}, "one function at a time"},
      {{"invoke", "py", "-c", p.config, "--event", p.dir.path() + "/missing.json"},
       "cannot read event file " + p.dir.path() + "/missing.json"},
      {{"invoke", "py", "-c", p.config, "--event", bad_event},
       "event file " + bad_event + " is not valid JSON: parse error at line 1, column 7"},
      {{"invoke", "py", "-c", p.config, "--ephemeral", "--data-dir", "x"}, "exclude each other"},
      {{"invoke", "py", "--evnt", "x"}, "unknown option '--evnt' (did you mean '--event'?)"},
      {{"invoke", "py", "-c", p.dir.path() + "/missing.yaml"},
       "cannot read " + p.dir.path() + "/missing.yaml"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.expect);
    auto r = RunStratus(c.args, p.dir.path());
    CHECK(r.exit_code == 2);
    CHECK(Has(r.err, c.expect));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);  // one line
    CHECK(r.out.empty());
  }
  p.dir.Write("empty/.keep", "");
  auto none = RunStratus({"invoke", "py"}, p.dir.path() + "/empty");
  CHECK(none.exit_code == 2);
  CHECK(Has(none.err, "no stratus.yaml in"));
}

TEST_CASE("invoke --help") {
  auto r = RunStratus({"invoke", "--help"});
  CHECK(r.exit_code == 0);
  CHECK(Has(r.out, "usage: stratus invoke NAME"));
  for (const char* option : {"-c, --config", "--event", "--data-dir", "--ephemeral", "--json",
                             "--help"}) {
    CAPTURE(option);
    CHECK(Has(r.out, option));
  }
  CHECK(Has(RunStratus({"--help"}).out, "invoke"));
}

}  // namespace
}  // namespace stratus::testing
