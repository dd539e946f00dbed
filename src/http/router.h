// Router: exact-path dispatch of requests to handlers.
//
// Routes are added once, before the server starts; Dispatch() and route_label() are then
// safe to call from any number of threads. Paths match exactly (no patterns, no trailing-slash
// folding): the connector's API is a handful of fixed paths.
#ifndef KEYWARDEN_HTTP_ROUTER_H_
#define KEYWARDEN_HTTP_ROUTER_H_

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "http/http_types.h"

namespace keywarden::http {

using Handler = std::function<HttpResponse(const HttpRequest&)>;

// Where the server runs a route's handler: on the I/O thread that read the request (quick
// handlers), or on the blocking pool (handlers that wait on disk or network).
enum class Execution { kInline, kBlocking };

class Router {
 public:
  // Registers `handler` for `method` (e.g. "GET") on `path` (e.g. "/user-keys"). Adding the
  // same method and path again replaces the earlier handler.
  void Add(std::string method, std::string path, Handler handler, Execution execution = Execution::kInline);

  // How the matched route runs; kInline for unknown paths and methods (their answers are quick).
  Execution execution(const HttpRequest& request) const;

  // The matched handler's response; 404 JSON for an unknown path; 405 JSON with an `Allow`
  // header listing the path's methods when only the method is wrong. Handler exceptions
  // propagate (the server turns them into a 500).
  HttpResponse Dispatch(const HttpRequest& request) const;

  // A bounded label for metrics: the matched path, or "other" for any unknown path (so a
  // scanner cannot create unbounded label sets). Valid as long as the router lives.
  std::string_view route_label(const HttpRequest& request) const;

 private:
  struct Route {
    Handler handler;
    Execution execution;
  };
  // path -> method -> route. std::map keeps `Allow` in a stable order.
  std::map<std::string, std::map<std::string, Route>, std::less<>> routes_;
};

}  // namespace keywarden::http

#endif  // KEYWARDEN_HTTP_ROUTER_H_
