// Router: method + path pattern -> handler, with per-route body limits and body mode.
// Patterns are '/'-separated segments: literals, `{name}` (one segment) and, last only,
// `{name+}` (greedy: the rest of the path, one or more segments). The most specific route
// wins: at each segment a literal beats a parameter, which beats a greedy parameter; a route
// for the method beats one for ANY ("*"). Threading: build on the loop thread, then read-only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "emulator/http/message.h"
#include "emulator/http/reply.h"

namespace stratus::http {

using Handler = std::function<void(RequestPtr request, Reply reply)>;

struct RouteOptions {
  static constexpr uint64_t kDefaultBodyLimit = 10 * 1024 * 1024;
  uint64_t body_limit = kDefaultBodyLimit;
  // Hand the request to the handler at header time with a BodyStream (see message.h).
  bool streaming_body = false;
  // When set, the route applies only to requests (seen at header time, no body yet) for
  // which it returns true; otherwise matching goes on to the next most specific route. Lets
  // services that share a port and paths (S3's /{bucket}/{key+}, SQS's /{account}/{queue})
  // each claim their own requests.
  std::function<bool(const Request&)> guard;
};

class Router {
 public:
  struct Match {
    const Handler* handler = nullptr;  // null when nothing matched
    const RouteOptions* options = nullptr;
    std::map<std::string, std::string> params;
    bool path_matched = false;           // some route has this path, for another method
    std::vector<std::string> allowed;   // the methods of routes whose path matched
  };

  // Adds a route; method "*" matches any method. Returns InvalidArgument for a malformed
  // pattern (no leading '/', a greedy segment not last, an empty parameter name) and
  // AlreadyExists for the same method and pattern twice; the table is then unchanged.
  Status Add(std::string method, std::string_view pattern, Handler handler,
             RouteOptions options = {});

  // Finds the route for a request; `path` is the raw, percent-encoded path. Guarded routes
  // are skipped unless `request` is given and their guard accepts it.
  Match Find(std::string_view method, std::string_view path,
             const Request* request = nullptr) const;
  Match Find(const Request& request) const { return Find(request.method, request.path, &request); }

  size_t size() const { return routes_.size(); }

 private:
  struct Segment {
    enum Kind { kLiteral = 2, kParam = 1, kGreedy = 0 } kind;
    std::string text;  // literal text, or the parameter name
  };
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<Segment> segments;
    Handler handler;
    RouteOptions options;
    bool literal = false;
  };

  static bool MoreSpecific(const Route& a, const Route& b);
  static bool MatchSegments(const Route& route, const std::vector<std::string_view>& parts,
                            std::map<std::string, std::string>* params);

  std::vector<std::unique_ptr<Route>> routes_;  // in precedence order
  // Fully literal patterns: path -> routes, for the common exact-match case.
  std::unordered_map<std::string, std::vector<const Route*>> literal_;
};

// Percent-decodes `in` ('+' stays '+'); returns false on a malformed escape.
bool PercentDecode(std::string_view in, std::string* out);

}  // namespace stratus::http
