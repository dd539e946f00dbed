// Handlers and the middleware that wraps them.
//
// A Handler answers one request. A Middleware takes the handler it guards and returns a new
// handler that runs its own step (check a bearer token, write an audit line) around it or
// instead of it: bearer authentication answers 401 without ever calling the inner handler.
// Wrapping happens once, when a route is declared (Router::Add, RouteHandle::With,
// Router::Use), so a request pays only the calls themselves.
//
// Thread-safety: the handler a middleware returns is called from many threads at once, like
// any handler. A middleware itself must be a pure wrapper: it may be applied more than once
// while a route is being declared (each With() rebuilds the chain) and only the last result is
// kept, so it must not count or register anything when applied. It must return a callable
// handler; an empty one would throw on every request (the server answers 500).
#ifndef KEYWARDEN_HTTP_MIDDLEWARE_H_
#define KEYWARDEN_HTTP_MIDDLEWARE_H_

#include <functional>
#include <utility>
#include <vector>

#include "http/http_types.h"

namespace keywarden::http {

using Handler = std::function<HttpResponse(const HttpRequest&)>;
using Middleware = std::function<Handler(Handler)>;

// `handler` inside `layers`, the first layer outermost: Wrap({a, b}, h) is a(b(h)), so a request
// passes a, then b, then reaches h, in the order the layers are written.
inline Handler Wrap(const std::vector<Middleware>& layers, Handler handler) {
  for (auto layer = layers.rbegin(); layer != layers.rend(); ++layer) handler = (*layer)(std::move(handler));
  return handler;
}

}  // namespace keywarden::http

#endif  // KEYWARDEN_HTTP_MIDDLEWARE_H_
