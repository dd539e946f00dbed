#include "http/router.h"

#include <utility>

namespace keywarden::http {

void Router::Add(std::string method, std::string path, Handler handler, Execution execution) {
  routes_[std::move(path)][std::move(method)] = Route{std::move(handler), execution};
}

Execution Router::execution(const HttpRequest& request) const {
  auto path = routes_.find(request.target);
  if (path == routes_.end()) return Execution::kInline;
  auto method = path->second.find(request.method);
  return method == path->second.end() ? Execution::kInline : method->second.execution;
}

HttpResponse Router::Dispatch(const HttpRequest& request) const {
  auto path = routes_.find(request.target);
  if (path == routes_.end()) return JsonError(404, "not found");
  auto method = path->second.find(request.method);
  if (method == path->second.end()) {
    std::string allow;
    for (const auto& [name, unused] : path->second) {
      if (!allow.empty()) allow += ", ";
      allow += name;
    }
    HttpResponse response = JsonError(405, "method not allowed");
    response.headers.emplace_back("Allow", std::move(allow));
    return response;
  }
  return method->second.handler(request);
}

std::string_view Router::route_label(const HttpRequest& request) const {
  auto path = routes_.find(request.target);
  return path == routes_.end() ? std::string_view("other") : std::string_view(path->first);
}

}  // namespace keywarden::http
