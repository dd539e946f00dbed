// Router: dispatch of requests to handlers by method and path pattern.
//
// A route's pattern is a path whose segments are literals or parameters:
// "/organizations/{orgId}/users/{id}". A Bitwarden-compatible server has dozens of them.
//
// Matching rules:
//  - A segment is the text between two '/' exactly as sent, with no percent-decoding, so a
//    segment holding "%2F" is still one segment.
//  - A literal matches the same text, case-sensitively. A parameter, a segment written as
//    "{name}" (braces around a non-empty name), matches any one non-empty segment; its value
//    reaches the handler as request.path_param("name"). Anything else, "{}" included, is a
//    literal.
//  - Literals win over parameters, segment by segment from the left: "/devices/knowndevice"
//    beats "/devices/{id}". The method takes part: when the literal route lacks the request's
//    method, a parameter route that has it answers (DELETE /devices/knowndevice reaches
//    "/devices/{id}"). Only when no pattern matching the path has the method is the answer
//    405, with `Allow` listing the methods of every such pattern; no matching pattern is 404.
//  - One trailing '/' is ignored, in requests and patterns alike: "/api/sync/" is "/api/sync".
//    A route registered as "/" is the root; "//" matches neither it nor anything else.
//  - A path no pattern matches goes to the fallback when one is set (SetFallback), else 404.
//
// Middleware (http/middleware.h) wraps handlers when routes are declared:
//   router.Use(audit);                                      // every route added after this
//   router.Add("GET", "/user-keys", handler).With(bearer);  // this route only
// A request passes the router-wide layers (first Use() outermost), then the route's own (first
// With() outermost), then the handler.
//
// WebSocket routes (http/websocket.h) are GET routes whose handler is an accept callback:
//   router.AddWebSocket("/notifications/hub", accept).With(bearer);
// They match, take parameters and middleware, and label metrics exactly like HTTP routes; the
// server checks the upgrade handshake before it dispatches to them.
//
// Thread-safety: routes are declared (Add, With, Use) before the server starts, from one
// thread. From then on the router is read-only, and Find, Dispatch, execution and route_label
// are safe to call from any number of threads without locks.
//
// Cost: Find splits the path into segments once and walks a trie of segments, one ordered
// lookup per segment, so it grows with the path's depth and only logarithmically with the
// number of routes. A request only leaves a literal branch for a parameter one when the
// literal branch has no route for it. Splitting stops one segment past the deepest pattern,
// so a scanner's long paths are refused without a walk. The server calls Find once per request
// and reuses the Match; execution() and route_label() each call it again, for callers that need
// one answer only.
#ifndef KEYWARDEN_HTTP_ROUTER_H_
#define KEYWARDEN_HTTP_ROUTER_H_

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/concurrency_limit.h"
#include "http/http_types.h"
#include "http/middleware.h"

namespace keywarden::http {

// A check of a request's header alone, run before its body is read: a response refuses the
// request at once (the body is never buffered, and the connection closes after the answer);
// nullopt lets the server read the body and dispatch as usual. Runs on an I/O thread, so it
// must be quick and never wait. Used to refuse an unauthenticated upload before it is read.
using BodyGate = std::function<std::optional<HttpResponse>(const HttpRequest&)>;

// Where the server runs a route's handler: on the I/O thread that read the request (quick
// handlers), or on the blocking pool (handlers that wait on disk or network).
enum class Execution { kInline, kBlocking };

// Which of a limited route's requests count against its ConcurrencyLimit (see
// RouteHandle::Limit): called with the whole request, body included, on an I/O thread, so it
// must be quick.
using LimitApplies = std::function<bool(const HttpRequest&)>;

class Router {
 private:
  struct Endpoint;
  struct Node;
  struct Search;

 public:
  // What Add() returns, to give the route its own middleware:
  //   router.Add("GET", "/user-keys", handler).With(bearer).With(audit);
  // Refers to the route inside the router: use it while declaring routes, not once serving.
  class RouteHandle {
   public:
    // Wraps the route's handler in `middleware`, inside the router-wide layers and inside the
    // route's earlier With() layers. Rebuilds the route's chain, so a request reaches the
    // handler through every layer declared so far.
    RouteHandle& With(Middleware middleware);

    // Runs this kBlocking route's requests under `limit` (http/concurrency_limit.h), which other
    // routes may share: at most limit->max_running() of them on the blocking pool at once, the
    // rest waiting without a thread. With `applies`, only the requests it picks count (a token
    // endpoint's password grants, not its refreshes); the others run as if unlimited. A later
    // Limit replaces the earlier one.
    RouteHandle& Limit(std::shared_ptr<ConcurrencyLimit> limit, LimitApplies applies = nullptr);

    // Runs `gate` on requests to this route that carry a body, before the body is read (see
    // BodyGate). The route's middleware still runs on the whole request afterwards: a gate is
    // an early refusal, never the only check. A later GateBody replaces the gate.
    RouteHandle& GateBody(BodyGate gate);

   private:
    friend class Router;
    explicit RouteHandle(Endpoint& endpoint) : endpoint_(&endpoint) {}
    Endpoint* endpoint_;
  };

  // One request's match: found once, then used for its execution, its dispatch and its
  // metrics label. Refers to routes inside the router; valid as long as the router lives.
  class Match {
   public:
    // Whether a route has both the request's path and its method.
    bool found() const { return endpoint_ != nullptr; }
    // Whether the matched route is a WebSocket route (AddWebSocket).
    bool websocket() const;
    // How the matched route runs; kInline when none matched (404 and 405 answers are quick).
    Execution execution() const;
    // The matched route's body gate, or null when it has none (or nothing matched).
    const BodyGate* body_gate() const;
    // The limit `request` (the matched request, body read) runs under, or null for none.
    ConcurrencyLimit* limit(const HttpRequest& request) const;
    // The matched pattern (for a 405, the first pattern matching the path), or "other".
    std::string_view label() const { return label_; }

   private:
    friend class Router;
    const Endpoint* endpoint_ = nullptr;
    std::string_view label_ = "other";
    PathParams params_;  // the route's parameter values, handed to the request by Dispatch
    std::string allow_;  // for a 405: the methods of the patterns matching the path, e.g. "GET, POST"
  };

  // Registers `handler` for `method` (e.g. "GET", case-sensitive) on `pattern` (see the
  // matching rules above), inside the router-wide middleware declared so far. Adding the same
  // method on the same pattern again (parameter names aside) replaces the earlier route, its
  // middleware included.
  RouteHandle Add(std::string method, std::string_view pattern, Handler handler,
                  Execution execution = Execution::kInline);

  // Registers a WebSocket route: GET on `pattern`, answered by `accept` (http/websocket.h), which
  // either refuses with any response or accepts with AcceptWebSocket(handler). Otherwise like
  // Add("GET", ...): it replaces a GET route on the same pattern (and a later Add("GET") replaces
  // it), takes middleware, and `execution` says where `accept` runs (kBlocking when it waits,
  // e.g. on a database); the WebSocket itself always lives on its I/O thread.
  RouteHandle AddWebSocket(std::string_view pattern, Handler accept, Execution execution = Execution::kInline);

  // Wraps every route added after this call in `middleware`, outside the routes' own With()
  // layers; routes added earlier keep theirs. The first Use() is the outermost.
  void Use(Middleware middleware);

  // Answers, instead of the 404, every request whose path no pattern matches (whatever its
  // method, and however deep the path): a single-page app's files, at paths no pattern names.
  // A path that some pattern matches still gets that pattern's 405 for another method. `label`
  // names all such requests in metrics (one bounded value). Wrapped in the router-wide middleware
  // declared so far, as Add() would; a later call replaces the fallback.
  void SetFallback(std::string_view label, Handler handler, Execution execution = Execution::kInline);

  // Matches `request`'s method and target against the routes.
  Match Find(const HttpRequest& request) const;

  // Answers `request` as `match` (Find's result for it) says: the route's handler, after the
  // match's parameters are moved into request.path_params; 404 JSON for an unknown path; 405
  // JSON with an `Allow` header when only the method is wrong. Handler exceptions propagate
  // (the server turns them into a 500).
  HttpResponse Dispatch(HttpRequest& request, Match match) const;

  // Find and Dispatch in one call, for callers that need nothing else from the match.
  HttpResponse Dispatch(HttpRequest& request) const { return Dispatch(request, Find(request)); }
  HttpResponse Dispatch(HttpRequest&& request) const { return Dispatch(request, Find(request)); }

  // How the matched route runs: Find(request).execution().
  Execution execution(const HttpRequest& request) const { return Find(request).execution(); }

  // A bounded label for metrics: the matched route's pattern (e.g. "/organizations/{orgId}/users/{id}",
  // never the concrete path), or "other" for any unknown path (so a scanner cannot create
  // unbounded label sets). Valid as long as the router lives.
  std::string_view route_label(const HttpRequest& request) const { return Find(request).label(); }

 private:
  // One method on one pattern.
  struct Endpoint {
    std::string pattern;                       // normalised, e.g. "/organizations/{orgId}/users/{id}"
    std::vector<std::string> parameter_names;  // of its "{name}" segments, left to right
    Handler handler;                           // as added
    std::vector<Middleware> layers;            // router-wide then the route's own, outermost first
    Handler wrapped;                           // `handler` inside `layers`: what Dispatch calls
    Execution execution = Execution::kInline;
    bool websocket = false;                   // added by AddWebSocket
    BodyGate body_gate;                       // may be empty
    std::shared_ptr<ConcurrencyLimit> limit;  // may be null
    LimitApplies limit_applies;               // empty: every request of the route counts
  };

  // One segment position of the patterns sharing a prefix.
  struct Node {
    std::map<std::string, std::unique_ptr<Node>, std::less<>> literals;
    std::unique_ptr<Node> parameter;  // the child for any one non-empty segment
    // The routes of the pattern ending here, by method; ordered so that `Allow` is stable.
    std::map<std::string, Endpoint, std::less<>> endpoints;
  };

  static bool Walk(const Node& node, std::size_t depth, Search& search);

  Node root_;
  std::unique_ptr<Endpoint> fallback_;  // SetFallback's, or null
  std::size_t max_depth_ = 0;           // segments in the deepest pattern
  std::vector<Middleware> layers_;      // Use()d so far
};

}  // namespace keywarden::http

#endif  // KEYWARDEN_HTTP_ROUTER_H_
