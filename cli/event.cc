// `stratus event generate SOURCE VARIANT [--flags]`: prints a sample event, as
// `sam local generate-event` does, for feeding to `stratus invoke --event -` or a scenario's
// `invoke:` step. API Gateway events are built by the gateway trigger's own event builder
// from a request made of the flags, so they are exactly what the live gateway sends; S3 and
// SQS events fill AWS's documented shapes (fixtures/events/) with the flags' values.
#include <openssl/evp.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "emulator/harness/http_client.h"
#include "emulator/http/router.h"
#include "emulator/util/escape.h"
#include "emulator/util/ids.h"
#include "emulator/util/json.h"
#include "emulator/util/time_format.h"
#include "triggers/gateway/gateway_events.h"

namespace stratus::cli {

namespace {

using nlohmann::json;

const CommandSpec kEventSpec{
    "stratus event generate SOURCE VARIANT [--flags]",
    "Prints a sample event on stdout. Sources and variants:\n"
    "  apigw http-api   API Gateway HTTP API, payload format 2.0\n"
    "  apigw rest-api   API Gateway REST API, Lambda proxy (payload format 1.0)\n"
    "  s3 put | delete  S3 notification: ObjectCreated:Put, ObjectRemoved:Delete\n"
    "  sqs receive      a batch of SQS messages from an event source mapping\n"
    "apigw events come from the gateway's own builder: the same event a request with these\n"
    "flags would produce on 'stratus start'. Example:\n"
    "  stratus event generate apigw http-api --method POST --path /orders --body '{}' |\n"
    "    stratus invoke api --event -",
    {{"method", 0, "M", "apigw: the HTTP method (default GET)"},
     {"path", 0, "PATH", "apigw: the request path with any ?query (default /)"},
     {"route", 0, "PATTERN", "apigw: the route's path, e.g. /items/{id} (http-api default $default)"},
     {"header", 'H', "'NAME: VALUE'", "apigw: a request header (repeatable)"},
     {"body", 0, "TEXT", "apigw: the request body; s3: the object's content (size, eTag); sqs: the message"},
     {"stage", 0, "NAME", "apigw: the stage ($default for http-api, dev for rest-api)"},
     {"domain", 0, "HOST", "apigw: the Host the request was sent to"},
     {"bucket", 0, "NAME", "s3: the bucket (default example-bucket)"},
     {"key", 0, "KEY", "s3: the object key (default test/key)"},
     {"size", 0, "N", "s3: the object size when --body is not given (default 1024)"},
     {"queue", 0, "NAME", "sqs: the queue (default my-queue)"},
     {"count", 0, "N", "sqs: how many messages in the batch (default 1)"},
     {"account", 0, "ID", "the account id (default 000000000000)"},
     {"region", 0, "REGION", "the region (default us-east-1)"}},
    /*takes_positional=*/true,
};

std::string FixturesDir() {
  if (const char* dir = std::getenv("STRATUS_FIXTURES_DIR"); dir != nullptr && *dir != '\0') return dir;
  return STRATUS_SOURCE_FIXTURES_DIR;
}

Result<json> Template(const std::string& name) {
  std::string path = FixturesDir() + "/events/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read the event template " + path);
  std::ostringstream text;
  text << in.rdbuf();
  auto parsed = json::parse(text.str(), nullptr, false);
  if (parsed.is_discarded()) return Status::Internal("the event template " + path + " is not JSON");
  return parsed;
}

std::string Md5Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_md5(), nullptr);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

// S3 writes its request ids and sequencers in upper-case hex.
std::string UpperHex(Random& random, size_t length) {
  std::string hex = random.Hex(length);
  for (char& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return hex;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Common {
  std::string account, region;
  Random random;
};

// The request the flags describe, with the route's path parameters filled in as the
// gateway's router fills them.
Result<http::Request> RequestFromFlags(const Args& args, const triggers::gateway::Route& route) {
  http::Request request;
  request.method = args.Get("method").value_or("GET");
  request.target = args.Get("path").value_or("/");
  if (request.target.empty() || request.target[0] != '/') {
    return Status::InvalidArgument("--path must start with '/': '" + request.target + "'");
  }
  size_t q = request.target.find('?');
  request.path = request.target.substr(0, q);
  request.query = q == std::string::npos ? "" : request.target.substr(q + 1);
  request.remote_address = "127.0.0.1";
  request.headers.Add("Host", args.Get("domain").value_or("localhost:3000"));
  for (const auto& header : args.GetAll("header")) {
    size_t colon = header.find(':');
    if (colon == std::string::npos || colon == 0) {
      return Status::InvalidArgument("--header must be 'Name: value', got '" + header + "'");
    }
    std::string value = header.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    request.headers.Add(header.substr(0, colon), value);
  }
  if (!request.headers.Has("User-Agent")) request.headers.Add("User-Agent", "stratus");
  if (auto body = args.Get("body")) {
    request.body = *body;
    request.headers.Add("Content-Length", std::to_string(body->size()));
    if (!request.headers.Has("Content-Type")) request.headers.Add("Content-Type", "application/json");
  }
  if (!route.is_default()) {
    http::Router router;
    Status added = router.Add(route.router_method(), route.path, [](http::RequestPtr, http::Reply) {});
    if (!added.ok()) return Status::InvalidArgument("--route: " + added.message());
    auto match = router.Find(request.method, request.path);
    if (match.handler == nullptr) {
      return Status::InvalidArgument("--path " + request.path + " does not match --route " + route.path);
    }
    request.params = match.params;
  }
  return request;
}

Result<std::string> ApiGateway(const std::string& variant, const Args& args, Common& c) {
  namespace gw = triggers::gateway;
  if (variant != "http-api" && variant != "rest-api") {
    return Status::InvalidArgument("unknown apigw variant '" + variant + "' (variants: http-api, rest-api)");
  }
  bool http_api = variant == "http-api";
  gw::Route route;
  route.api = http_api ? gw::Api::kHttp : gw::Api::kRest;
  route.method = args.Get("method").value_or("GET");
  route.path = args.Get("route").value_or(http_api ? "$default" : args.Get("path").value_or("/"));
  route.path = route.path.substr(0, route.path.find('?'));
  auto request = RequestFromFlags(args, route);
  if (!request.ok()) return request.status();
  gw::EventContext context;
  context.account_id = c.account;
  context.api_id = c.random.Hex(10);
  context.request_id = http_api ? c.random.Hex(8) + "=" : c.random.Uuid();
  context.extended_request_id = c.random.Hex(8) + "=";
  context.stage = args.Get("stage").value_or(http_api ? "$default" : "dev");
  context.time_ms = NowMs();
  return http_api ? gw::BuildHttpEvent(route, *request, context)
                  : gw::BuildRestEvent(route, *request, context);
}

// S3 writes keys in events URL-encoded, with spaces as '+'.
std::string S3EventKey(const std::string& key) {
  std::string encoded = PercentEncode(key, true);
  std::string out;
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (encoded.compare(i, 3, "%20") == 0) {
      out += '+';
      i += 2;
    } else {
      out += encoded[i];
    }
  }
  return out;
}

Result<std::string> S3(const std::string& variant, const Args& args, Common& c) {
  if (variant != "put" && variant != "delete") {
    return Status::InvalidArgument("unknown s3 variant '" + variant + "' (variants: put, delete)");
  }
  auto event = Template(variant == "put" ? "s3-put.json" : "s3-delete.json");
  if (!event.ok()) return event.status();
  json& record = (*event)["Records"][0];
  std::string bucket = args.Get("bucket").value_or("example-bucket");
  record["awsRegion"] = c.region;
  record["eventTime"] = IsoTimeUtc(NowMs());
  record["responseElements"]["x-amz-request-id"] = UpperHex(c.random, 16);
  record["s3"]["bucket"]["name"] = bucket;
  record["s3"]["bucket"]["arn"] = "arn:aws:s3:::" + bucket;
  json& object = record["s3"]["object"];
  object["key"] = S3EventKey(args.Get("key").value_or("test/key"));
  object["sequencer"] = UpperHex(c.random, 18);
  if (variant == "put") {
    auto size = args.GetInt("size", 0, std::numeric_limits<long long>::max());
    if (!size.ok()) return size.status();
    std::string body = args.Get("body").value_or(std::string(size->value_or(1024), 'x'));
    object["size"] = body.size();
    object["eTag"] = Md5Hex(body);
  }
  return DumpJson(*event);
}

Result<std::string> Sqs(const std::string& variant, const Args& args, Common& c) {
  if (variant != "receive") return Status::InvalidArgument("unknown sqs variant '" + variant + "' (variants: receive)");
  auto event = Template("sqs-receive.json");
  if (!event.ok()) return event.status();
  auto count = args.GetInt("count", 1, 10);
  if (!count.ok()) return count.status();
  json sample = (*event)["Records"][0];
  json records = json::array();
  std::string arn = "arn:aws:sqs:" + c.region + ":" + c.account + ":" + args.Get("queue").value_or("my-queue");
  int64_t now = NowMs();
  for (long long i = 0; i < count->value_or(1); ++i) {
    json record = sample;
    std::string body = args.Get("body").value_or(sample["body"].get<std::string>());
    record["messageId"] = c.random.Uuid();
    record["receiptHandle"] = "AQEB" + c.random.Hex(60);
    record["body"] = body;
    record["md5OfBody"] = Md5Hex(body);
    record["attributes"]["SentTimestamp"] = std::to_string(now);
    record["attributes"]["ApproximateFirstReceiveTimestamp"] = std::to_string(now + 2);
    record["attributes"]["SenderId"] = c.account;
    record["eventSourceARN"] = arn;
    record["awsRegion"] = c.region;
    records.push_back(std::move(record));
  }
  (*event)["Records"] = records;
  return DumpJson(*event);
}

}  // namespace

int RunEvent(int argc, char** argv) {
  auto args = Args::Parse(kEventSpec, argc, argv, 2);
  if (!args.ok()) {
    PrintError(args.status().message() + "; see 'stratus event --help'");
    return 2;
  }
  const auto& words = args->positional();
  if (args->Has("help") || words.empty()) {
    std::fputs(HelpText(kEventSpec).c_str(), args->Has("help") ? stdout : stderr);
    return args->Has("help") ? 0 : 2;
  }
  if (words[0] != "generate" || words.size() != 3) {
    PrintError(words[0] != "generate" ? "unknown event command '" + words[0] + "' (did you mean 'generate'?)"
                                      : "usage: stratus event generate SOURCE VARIANT [--flags]");
    return 2;
  }
  Common common{args->Get("account").value_or("000000000000"),
                args->Get("region").value_or("us-east-1"), Random()};
  const std::string& source = words[1];
  auto near = NearestWord(source, {"apigw", "s3", "sqs"});
  Result<std::string> event = Status::InvalidArgument(
      "unknown source '" + source + "'" +
      (near ? " (did you mean '" + *near + "'?)" : " (sources: apigw, s3, sqs)"));
  if (source == "apigw") event = ApiGateway(words[2], *args, common);
  if (source == "s3") event = S3(words[2], *args, common);
  if (source == "sqs") event = Sqs(words[2], *args, common);
  if (!event.ok()) {
    PrintError(event.status().message());
    return event.status().code() == Status::Code::kInvalidArgument ? 2 : 1;
  }
  std::printf("%s\n", event->c_str());
  return 0;
}

}  // namespace stratus::cli
