#include "emulator/http/router.h"

#include <algorithm>

namespace stratus::http {

namespace {

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    parts.push_back(path.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return parts;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool PercentDecode(std::string_view in, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out->push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    int hi = HexValue(in[i + 1]), lo = HexValue(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

Status Router::Add(std::string method, std::string_view pattern, Handler handler,
                   RouteOptions options) {
  if (pattern.empty() || pattern.front() != '/') {
    return Status::InvalidArgument("route pattern must start with '/': " + std::string(pattern));
  }
  auto route = std::make_unique<Route>();
  route->method = std::move(method);
  route->pattern = std::string(pattern);
  auto parts = SplitPath(pattern);
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string_view part = parts[i];
    Segment segment{Segment::kLiteral, std::string(part)};
    if (part.size() >= 2 && part.front() == '{' && part.back() == '}') {
      std::string_view name = part.substr(1, part.size() - 2);
      segment.kind = Segment::kParam;
      if (!name.empty() && name.back() == '+') {
        name.remove_suffix(1);
        segment.kind = Segment::kGreedy;
        if (i + 1 != parts.size()) {
          return Status::InvalidArgument("greedy parameter must be last: " + route->pattern);
        }
      }
      if (name.empty()) {
        return Status::InvalidArgument("empty parameter name: " + route->pattern);
      }
      segment.text = std::string(name);
    }
    route->segments.push_back(std::move(segment));
  }
  for (const auto& existing : routes_) {
    if (existing->method == route->method && existing->pattern == route->pattern) {
      return Status::AlreadyExists("route already defined: " + route->method + " " +
                                   route->pattern);
    }
  }
  route->handler = std::move(handler);
  route->options = options;
  route->literal = std::all_of(route->segments.begin(), route->segments.end(),
                               [](const Segment& s) { return s.kind == Segment::kLiteral; });
  bool literal = route->literal;
  auto at = std::upper_bound(routes_.begin(), routes_.end(), route,
                             [](const auto& a, const auto& b) { return MoreSpecific(*a, *b); });
  const Route* raw = route.get();
  routes_.insert(at, std::move(route));
  if (literal) {
    auto& list = literal_[raw->pattern];
    list.push_back(raw);
    std::stable_sort(list.begin(), list.end(),
                     [](const Route* a, const Route* b) { return MoreSpecific(*a, *b); });
  }
  return Status::Ok();
}

bool Router::MoreSpecific(const Route& a, const Route& b) {
  size_t n = std::min(a.segments.size(), b.segments.size());
  for (size_t i = 0; i < n; ++i) {
    if (a.segments[i].kind != b.segments[i].kind) return a.segments[i].kind > b.segments[i].kind;
  }
  if (a.segments.size() != b.segments.size()) return a.segments.size() > b.segments.size();
  bool a_any = a.method == "*", b_any = b.method == "*";
  return !a_any && b_any;
}

bool Router::MatchSegments(const Route& route, const std::vector<std::string_view>& parts,
                           std::map<std::string, std::string>* params) {
  const auto& segments = route.segments;
  bool greedy = !segments.empty() && segments.back().kind == Segment::kGreedy;
  if (greedy ? parts.size() < segments.size() : parts.size() != segments.size()) return false;
  for (size_t i = 0; i < segments.size(); ++i) {
    const Segment& s = segments[i];
    if (s.kind == Segment::kLiteral) {
      if (parts[i] != s.text) return false;
      continue;
    }
    std::string_view raw = parts[i];
    if (s.kind == Segment::kGreedy) {
      // The rest of the path, slashes included.
      raw = std::string_view(parts[i].data(), parts.back().data() + parts.back().size() -
                                                  parts[i].data());
    }
    if (raw.empty()) return false;
    std::string decoded;
    if (!PercentDecode(raw, &decoded)) return false;
    (*params)[s.text] = std::move(decoded);
  }
  return true;
}

Router::Match Router::Find(std::string_view method, std::string_view path,
                           const Request* request) const {
  Match match;
  auto take = [&](const Route& route) {
    if (route.options.guard && (request == nullptr || !route.options.guard(*request))) {
      return false;
    }
    match.path_matched = true;
    match.allowed.push_back(route.method);
    if (match.handler == nullptr && (route.method == "*" || route.method == method)) {
      match.handler = &route.handler;
      match.options = &route.options;
      return true;
    }
    return false;
  };
  auto literal = literal_.find(std::string(path));
  if (literal != literal_.end()) {
    for (const Route* route : literal->second) {
      if (take(*route)) return match;
    }
  }
  auto parts = SplitPath(path);
  for (const auto& route : routes_) {
    if (route->literal) continue;  // looked up above
    std::map<std::string, std::string> params;
    if (!MatchSegments(*route, parts, &params)) continue;
    if (take(*route)) {
      match.params = std::move(params);
      return match;
    }
  }
  return match;
}

}  // namespace stratus::http
