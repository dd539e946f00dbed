#include "http/router.h"

#include <algorithm>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include <boost/container/small_vector.hpp>

namespace keywarden::http {
namespace {

// Real paths have a handful of segments: held on the stack, deeper ones still work.
using Segments = boost::container::small_vector<std::string_view, 8>;

// Splits `path` into `segments` at every '/', after dropping its leading '/' and one trailing
// '/' ("/a/b/" and "/a/b" give {a, b}; "/" gives none; "//" gives {"", ""}). Returns false as
// soon as there are more than `limit` segments.
bool SplitPath(std::string_view path, std::size_t limit, Segments& segments) {
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (path.empty()) return true;
  while (true) {
    if (segments.size() == limit) return false;
    const std::size_t slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) return true;
    path.remove_prefix(slash + 1);
  }
}

// "{name}" with a non-empty name.
bool IsParameter(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

std::string JoinPattern(const Segments& segments) {
  std::string pattern;
  for (std::string_view segment : segments) pattern.append("/").append(segment);
  return pattern.empty() ? "/" : pattern;
}

}  // namespace

// The state of one Find: the request's segments and method, the parameter segments taken on
// the way down, and what was found.
struct Router::Search {
  Segments segments;
  std::string_view method;
  boost::container::small_vector<std::size_t, 4> taken;  // indexes of the segments parameters took
  const Endpoint* endpoint = nullptr;
  PathParams params;
  boost::container::small_vector<const Node*, 2> path_nodes;  // matched the path, not the method

  // Called for each node whose pattern matches the whole path, in precedence order; true ends
  // the walk (the node has a route for the method).
  bool Visit(const Node& node) {
    if (node.endpoints.empty()) return false;
    auto found = node.endpoints.find(method);
    if (found == node.endpoints.end()) {
      path_nodes.push_back(&node);
      return false;
    }
    endpoint = &found->second;
    for (std::size_t i = 0; i < taken.size(); ++i) {
      params.Add(endpoint->parameter_names[i], std::string(segments[taken[i]]));
    }
    return true;
  }

  // The methods of every pattern that matched the path, for `Allow`: "DELETE, GET".
  std::string AllowedMethods() const {
    std::set<std::string_view> methods;
    for (const Node* node : path_nodes) {
      for (const auto& [name, unused] : node->endpoints) methods.insert(name);
    }
    std::string allow;
    for (std::string_view name : methods) allow.append(allow.empty() ? "" : ", ").append(name);
    return allow;
  }
};

Router::RouteHandle& Router::RouteHandle::With(Middleware middleware) {
  endpoint_->layers.push_back(std::move(middleware));
  endpoint_->wrapped = Wrap(endpoint_->layers, endpoint_->handler);
  return *this;
}

Router::RouteHandle& Router::RouteHandle::GateBody(BodyGate gate) {
  endpoint_->body_gate = std::move(gate);
  return *this;
}

Router::RouteHandle& Router::RouteHandle::Limit(std::shared_ptr<ConcurrencyLimit> limit, LimitApplies applies) {
  endpoint_->limit = std::move(limit);
  endpoint_->limit_applies = std::move(applies);
  return *this;
}

ConcurrencyLimit* Router::Match::limit(const HttpRequest& request) const {
  if (endpoint_ == nullptr || endpoint_->limit == nullptr) return nullptr;
  if (endpoint_->limit_applies && !endpoint_->limit_applies(request)) return nullptr;
  return endpoint_->limit.get();
}

const BodyGate* Router::Match::body_gate() const {
  return endpoint_ != nullptr && endpoint_->body_gate ? &endpoint_->body_gate : nullptr;
}

Execution Router::Match::execution() const { return endpoint_ == nullptr ? Execution::kInline : endpoint_->execution; }

bool Router::Match::websocket() const { return endpoint_ != nullptr && endpoint_->websocket; }

Router::RouteHandle Router::Add(std::string method, std::string_view pattern, Handler handler, Execution execution) {
  Segments segments;
  SplitPath(pattern, std::numeric_limits<std::size_t>::max(), segments);
  Endpoint endpoint;
  Node* node = &root_;
  for (std::string_view segment : segments) {
    std::unique_ptr<Node>* child = nullptr;
    if (IsParameter(segment)) {
      endpoint.parameter_names.emplace_back(segment.substr(1, segment.size() - 2));
      child = &node->parameter;
    } else {
      child = &node->literals[std::string(segment)];
    }
    if (*child == nullptr) *child = std::make_unique<Node>();
    node = child->get();
  }
  max_depth_ = std::max(max_depth_, segments.size());
  endpoint.pattern = JoinPattern(segments);
  endpoint.handler = std::move(handler);
  endpoint.layers = layers_;
  endpoint.wrapped = Wrap(endpoint.layers, endpoint.handler);
  endpoint.execution = execution;
  Endpoint& stored = node->endpoints[std::move(method)];
  stored = std::move(endpoint);
  return RouteHandle(stored);
}

Router::RouteHandle Router::AddWebSocket(std::string_view pattern, Handler accept, Execution execution) {
  RouteHandle route = Add("GET", pattern, std::move(accept), execution);
  route.endpoint_->websocket = true;
  return route;
}

void Router::Use(Middleware middleware) { layers_.push_back(std::move(middleware)); }

void Router::SetFallback(std::string_view label, Handler handler, Execution execution) {
  fallback_ = std::make_unique<Endpoint>();
  fallback_->pattern = std::string(label);
  fallback_->handler = std::move(handler);
  fallback_->layers = layers_;
  fallback_->wrapped = Wrap(fallback_->layers, fallback_->handler);
  fallback_->execution = execution;
}

// Depth-first in precedence order: the literal child before the parameter child, so the first
// node Visit accepts is the most literal route for the path and method.
bool Router::Walk(const Node& node, std::size_t depth, Search& search) {
  if (depth == search.segments.size()) return search.Visit(node);
  const std::string_view segment = search.segments[depth];
  auto literal = node.literals.find(segment);
  if (literal != node.literals.end() && Walk(*literal->second, depth + 1, search)) return true;
  if (node.parameter == nullptr || segment.empty()) return false;
  search.taken.push_back(depth);
  if (Walk(*node.parameter, depth + 1, search)) return true;
  search.taken.pop_back();
  return false;
}

Router::Match Router::Find(const HttpRequest& request) const {
  Match match;
  Search search;
  search.method = request.method;
  // A path deeper than any pattern matches none of them.
  if (SplitPath(request.target, max_depth_, search.segments)) {
    if (Walk(root_, 0, search)) {
      match.endpoint_ = search.endpoint;
      match.label_ = search.endpoint->pattern;
      match.params_ = std::move(search.params);
      return match;
    }
    if (!search.path_nodes.empty()) {
      match.label_ = search.path_nodes.front()->endpoints.begin()->second.pattern;
      match.allow_ = search.AllowedMethods();
      return match;
    }
  }
  if (fallback_ != nullptr) {
    match.endpoint_ = fallback_.get();
    match.label_ = fallback_->pattern;
  }
  return match;
}

HttpResponse Router::Dispatch(HttpRequest& request, Match match) const {
  request.path_params = std::move(match.params_);
  if (match.endpoint_ != nullptr) return match.endpoint_->wrapped(request);
  if (match.allow_.empty()) return JsonError(404, "not found");
  HttpResponse response = JsonError(405, "method not allowed");
  response.headers.emplace_back("Allow", std::move(match.allow_));
  return response;
}

}  // namespace keywarden::http
