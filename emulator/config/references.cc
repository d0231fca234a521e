// References between sections: events, dead-letter settings and async destinations name
// declared functions and resources.
#include <algorithm>
#include <functional>

#include "emulator/config/config_internal.h"

namespace stratus::config {

namespace {

// One name that must be declared, and where it was written.
struct Reference {
  Position at;
  std::string_view kind;     // "function", "queue", "bucket", "table"
  std::string_view section;  // "functions", "queues", "buckets", "tables"
  std::string name;
  const QueueConfig* dead_letter_of = nullptr;  // set for a dead_letter queue
  bool destination = false;                     // set for an async destination
};

void AddDestination(const std::optional<Destination>& dest, std::vector<Reference>& refs) {
  if (!dest) return;
  if (dest->kind == Destination::Kind::kFunction) {
    refs.push_back({dest->position, "function", "functions", dest->name, nullptr, true});
  } else {
    refs.push_back({dest->position, "queue", "queues", dest->name, nullptr, true});
  }
}

std::vector<Reference> CollectReferences(const ProjectConfig& config) {
  std::vector<Reference> refs;
  for (const auto& [name, fn] : config.functions) {
    for (const EventConfig& event : fn.events) {
      if (const auto* q = std::get_if<QueueEvent>(&event)) {
        refs.push_back({q->position, "queue", "queues", q->queue});
      } else if (const auto* o = std::get_if<ObjectEvent>(&event)) {
        refs.push_back({o->position, "bucket", "buckets", o->bucket});
      } else if (const auto* t = std::get_if<TableEvent>(&event)) {
        refs.push_back({t->position, "table", "tables", t->table});
      }
    }
    AddDestination(fn.async.on_failure, refs);
    AddDestination(fn.async.on_success, refs);
  }
  for (const auto& [name, queue] : config.queues) {
    if (queue.dead_letter) {
      refs.push_back({queue.dead_letter->position, "queue", "queues", queue.dead_letter->queue,
                      &queue});
    }
  }
  std::stable_sort(refs.begin(), refs.end(),
                   [](const Reference& a, const Reference& b) { return a.at < b.at; });
  return refs;
}

template <typename Map>
std::vector<std::string> Names(const Map& map) {
  std::vector<std::string> names;
  for (const auto& [name, value] : map) names.push_back(name);
  return names;
}

Status CheckDeadLetter(const Reader& r, const Reference& ref, const QueueConfig& dlq) {
  const QueueConfig& source = *ref.dead_letter_of;
  if (dlq.name == source.name) {
    return r.Error(ref.at, "queue '" + source.name + "' cannot be its own dead-letter queue");
  }
  if (dlq.fifo != source.fifo) {
    return r.Error(ref.at, "dead-letter queue '" + dlq.name + "' of " +
                               (source.fifo ? "FIFO" : "standard") + " queue '" + source.name +
                               "' must also be " + (source.fifo ? "FIFO" : "standard"));
  }
  return Status::Ok();
}

// Routes name authorizers of a kind their API can use; authorizers name functions.
template <typename RouteEvent>
Status CheckRouteAuthorizer(const Reader& r, const ProjectConfig& config, const RouteEvent& route,
                            bool rest) {
  if (route.authorizer.empty()) {
    if (!route.scopes.empty()) return r.Error(route.position, "'scopes' needs a jwt 'authorizer'");
    return Status::Ok();
  }
  auto it = config.gateway.authorizers.find(route.authorizer);
  if (it == config.gateway.authorizers.end()) {
    return r.Error(route.position, "authorizer '" + route.authorizer +
                                       "' is not declared in 'gateway.authorizers'" +
                                       Suggestion(route.authorizer,
                                                  Names(config.gateway.authorizers), "declared"));
  }
  using Type = AuthorizerConfig::Type;
  const AuthorizerConfig& authorizer = it->second;
  if (rest && authorizer.type == Type::kJwt) {
    return r.Error(route.position, "authorizer '" + route.authorizer +
                                       "' is a jwt authorizer; REST APIs take request and token "
                                       "authorizers");
  }
  if (!rest && authorizer.type == Type::kToken) {
    return r.Error(route.position, "authorizer '" + route.authorizer +
                                       "' is a token authorizer; HTTP APIs take request and jwt "
                                       "authorizers");
  }
  if (!route.scopes.empty() && authorizer.type != Type::kJwt) {
    return r.Error(route.position, "'scopes' needs a jwt 'authorizer'");
  }
  return Status::Ok();
}

Status CheckAuthorizers(const Reader& r, const ProjectConfig& config) {
  const std::vector<std::string> functions = Names(config.functions);
  for (const auto& [name, authorizer] : config.gateway.authorizers) {
    if (!authorizer.function.empty() && !config.functions.count(authorizer.function)) {
      return r.Error(authorizer.position, "function '" + authorizer.function +
                                              "' is not declared in 'functions'" +
                                              Suggestion(authorizer.function, functions,
                                                         "declared"));
    }
  }
  for (const auto& [name, fn] : config.functions) {
    for (const EventConfig& event : fn.events) {
      if (const auto* http = std::get_if<HttpEvent>(&event)) {
        STRATUS_RETURN_IF_ERROR(CheckRouteAuthorizer(r, config, *http, /*rest=*/false));
      } else if (const auto* rest = std::get_if<RestEvent>(&event)) {
        STRATUS_RETURN_IF_ERROR(CheckRouteAuthorizer(r, config, *rest, /*rest=*/true));
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Status CheckReferences(const Reader& r, const ProjectConfig& config) {
  const std::vector<std::string> functions = Names(config.functions);
  const std::vector<std::string> queues = Names(config.queues);
  const std::vector<std::string> tables = Names(config.tables);
  for (const Reference& ref : CollectReferences(config)) {
    const std::vector<std::string>& declared = ref.kind == "function" ? functions
                                               : ref.kind == "queue"  ? queues
                                               : ref.kind == "table"  ? tables
                                                                      : config.buckets;
    if (std::find(declared.begin(), declared.end(), ref.name) == declared.end()) {
      return r.Error(ref.at, std::string(ref.kind) + " '" + ref.name + "' is not declared in '" +
                                 std::string(ref.section) + "'" +
                                 Suggestion(ref.name, declared, "declared"));
    }
    if (ref.dead_letter_of != nullptr) {
      STRATUS_RETURN_IF_ERROR(CheckDeadLetter(r, ref, config.queues.at(ref.name)));
    }
    // Lambda delivers invocation records to standard queues only.
    if (ref.destination && ref.kind == "queue" && config.queues.at(ref.name).fifo) {
      return r.Error(ref.at, "destination queue '" + ref.name +
                                 "' is a FIFO queue; Lambda sends invocation records only to "
                                 "standard queues");
    }
  }
  return CheckAuthorizers(r, config);
}

}  // namespace stratus::config
