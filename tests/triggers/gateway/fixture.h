// The gateway test fixture: an Emulator embedded on its own loop thread with the gateway
// trigger, started from inline YAML in a TempDir holding small Python functions, on
// ephemeral ports. Tests speak HTTP to the gateway port with RawClient.
#pragma once

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <future>
#include <map>
#include <memory>
#include <string>

#include "emulator/emulator.h"
#include "tests/support/embedded.h"
#include "tests/support/loop_thread.h"
#include "tests/support/raw_client.h"
#include "tests/support/stratus_process.h"
#include "triggers/gateway/gateway.h"

namespace stratus::gwtest {

using nlohmann::json;
using triggers::gateway::GatewayTrigger;

// Python handlers the tests route to.
inline const std::map<std::string, std::string>& Handlers() {
  static const std::map<std::string, std::string> files = {
      // Returns the event it got, as a JSON body.
      {"echo.py",
       "import json\n"
       "def handler(event, context):\n"
       "    return {'statusCode': 200, 'headers': {'content-type': 'application/json'},\n"
       "            'body': json.dumps(event)}\n"},
      // Returns whatever JSON the request body holds: the test chooses the response.
      {"respond.py",
       "import json, base64\n"
       "def handler(event, context):\n"
       "    body = event.get('body') or 'null'\n"
       "    if event.get('isBase64Encoded'):\n"
       "        body = base64.b64decode(body).decode()\n"
       "    return json.loads(body)\n"},
      // Returns the request body unchanged, base64 both ways (a binary round trip).
      {"mirror.py",
       "def handler(event, context):\n"
       "    return {'statusCode': 200, 'headers': {'content-type': 'application/octet-stream'},\n"
       "            'body': event['body'], 'isBase64Encoded': event['isBase64Encoded']}\n"},
      // A Lambda authorizer for every kind: the identity ("allow", "deny", "other",
      // "unauthorized", "broken") decides; the event it got comes back in the context.
      {"authz.py",
       "import json\n"
       "def handler(event, context):\n"
       "    if event['type'] == 'TOKEN':\n"
       "        who = event['authorizationToken']\n"
       "    else:\n"
       "        who = (event.get('headers') or {}).get('x-key') or \\\n"
       "              (event.get('headers') or {}).get('X-Key', '')\n"
       "    arn = event.get('methodArn') or event.get('routeArn')\n"
       "    if who == 'unauthorized':\n"
       "        raise Exception('Unauthorized')\n"
       "    if who == 'broken':\n"
       "        return {'nothing': 'useful'}\n"
       "    if 'simple' in (event.get('headers') or {}):\n"
       "        return {'isAuthorized': who == 'allow', 'context': {'user': who, 'n': 7}}\n"
       "    effect = 'Allow' if who == 'allow' else 'Deny'\n"
       "    resource = arn if who != 'other' else 'arn:aws:execute-api:*:*:*/*/DELETE/*'\n"
       "    return {'principalId': 'user-' + who,\n"
       "            'policyDocument': {'Version': '2012-10-17', 'Statement': [\n"
       "                {'Action': 'execute-api:Invoke', 'Effect': effect if who != 'other' else 'Allow',\n"
       "                 'Resource': [resource]}]},\n"
       "            'context': {'user': who, 'n': 7, 'event': json.dumps(event)}}\n"},
      {"fail.py",
       "def handler(event, context):\n"
       "    raise ValueError('boom')\n"},
      // Sleeps for ?s=SECONDS, then answers.
      {"slow.py",
       "import time\n"
       "def handler(event, context):\n"
       "    q = event.get('queryStringParameters') or {}\n"
       "    time.sleep(float(q.get('s', '0')))\n"
       "    return {'statusCode': 200, 'body': 'slept'}\n"},
  };
  return files;
}

class Fixture {
 public:
  explicit Fixture(const std::string& yaml, GatewayTrigger::Options gateway = {}) {
    for (const auto& [name, content] : Handlers()) dir_.Write(name, content);
    emulator_ = std::make_unique<Emulator>(lt_.loop(), testing::EmbeddedOptions(yaml, dir_.path()));
    auto trigger = std::make_unique<GatewayTrigger>(gateway);
    trigger_ = trigger.get();
    emulator_->AddModule(std::move(trigger));
    Status started = lt_.Run([&] { return emulator_->Start(); });
    REQUIRE_MESSAGE(started.ok(), started.message());
  }

  ~Fixture() {
    testing::StopAndDestroy(lt_, emulator_);
  }

  int port() const { return emulator_->gateway_port(); }
  GatewayTrigger& trigger() { return *trigger_; }

  // Sends one request (adding Host and Content-Length) and reads the answer.
  testing::RawResponse Request(const std::string& method, const std::string& target,
                               const std::string& body = "",
                               const std::string& extra_headers = "",
                               const std::string& host = "localhost:3000") {
    testing::RawClient client(port());
    client.Send(method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\n" + extra_headers +
                "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    auto response = client.Read(std::chrono::seconds(60));
    REQUIRE_MESSAGE(response.has_value(), std::string(method + " " + target + ": no response"));
    return *response;
  }

  // The event an echo route received.
  json Event(const std::string& method, const std::string& target, const std::string& body = "",
             const std::string& extra_headers = "", const std::string& host = "localhost:3000") {
    auto response = Request(method, target, body, extra_headers, host);
    REQUIRE_MESSAGE(response.status == 200, response.body);
    return json::parse(response.body);
  }

 private:
  testing::LoopThread lt_;
  testing::TempDir dir_;
  std::unique_ptr<Emulator> emulator_;
  GatewayTrigger* trigger_ = nullptr;
};

}  // namespace stratus::gwtest
