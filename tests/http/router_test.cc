#include "http/router.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http/middleware.h"
#include "http/websocket.h"

namespace keywarden::http {
namespace {

HttpRequest Request(std::string method, std::string target) {
  HttpRequest request;
  request.method = std::move(method);
  request.target = std::move(target);
  return request;
}

Router MakeRouter() {
  Router router;
  router.Add("GET", "/user-keys", [](const HttpRequest&) { return JsonResponse(200, {{"key", "k"}}); });
  router.Add("POST", "/user-keys", [](const HttpRequest& r) { return JsonResponse(201, r.body); });
  router.Add("GET", "/alive", [](const HttpRequest&) { return JsonResponse(200, "now"); });
  return router;
}

TEST(RouterTest, DispatchesByMethodAndExactPath) {
  Router router = MakeRouter();
  HttpResponse got = router.Dispatch(Request("GET", "/user-keys"));
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, R"({"key":"k"})");
  EXPECT_EQ(got.content_type, "application/json; charset=utf-8");

  HttpRequest post = Request("POST", "/user-keys");
  post.body = "abc";
  EXPECT_EQ(router.Dispatch(post).status, 201);
  EXPECT_EQ(router.Dispatch(post).body, R"("abc")");
}

TEST(RouterTest, UnknownPathIs404Json) {
  Router router = MakeRouter();
  // "/user-keys/" was here too; one trailing '/' is now ignored (OneTrailingSlashIsIgnored).
  for (const char* path : {"/nope", "/user-keys/x", "/USER-KEYS", "/", "//user-keys", "/user-keys//"}) {
    HttpResponse got = router.Dispatch(Request("GET", path));
    EXPECT_EQ(got.status, 404) << path;
    EXPECT_EQ(nlohmann::json::parse(got.body), (nlohmann::json{{"message", "not found"}}));
  }
}

TEST(RouterTest, WrongMethodIs405WithAllow) {
  Router router = MakeRouter();
  HttpResponse got = router.Dispatch(Request("DELETE", "/user-keys"));
  EXPECT_EQ(got.status, 405);
  EXPECT_EQ(nlohmann::json::parse(got.body), (nlohmann::json{{"message", "method not allowed"}}));
  ASSERT_EQ(got.headers.size(), 1u);
  EXPECT_EQ(got.headers[0].first, "Allow");
  EXPECT_EQ(got.headers[0].second, "GET, POST");
  // Methods are case-sensitive.
  EXPECT_EQ(router.Dispatch(Request("get", "/alive")).status, 405);
}

TEST(RouterTest, AddingAgainReplacesTheHandler) {
  Router router = MakeRouter();
  router.Add("GET", "/alive", [](const HttpRequest&) { return JsonResponse(200, "replaced"); });
  EXPECT_EQ(router.Dispatch(Request("GET", "/alive")).body, R"("replaced")");
}

TEST(RouterTest, RouteLabelIsBounded) {
  Router router = MakeRouter();
  EXPECT_EQ(router.route_label(Request("GET", "/user-keys")), "/user-keys");
  EXPECT_EQ(router.route_label(Request("DELETE", "/user-keys")), "/user-keys");
  EXPECT_EQ(router.route_label(Request("GET", "/random/scanner/path")), "other");
}

TEST(RouterTest, JsonErrorShape) {
  HttpResponse error = JsonError(400, "bad \"input\"");
  EXPECT_EQ(error.status, 400);
  EXPECT_EQ(error.body, R"({"message":"bad \"input\""})");
}

TEST(RouterTest, RequestHeadersAreCaseInsensitive) {
  HttpRequest request;
  request.headers["Content-Type"] = "application/json";
  EXPECT_EQ(request.header("content-type"), "application/json");
  EXPECT_EQ(request.header("CONTENT-TYPE"), "application/json");
  EXPECT_EQ(request.header("Origin"), "");
}

// A handler answering {"route": name, <param>: <value>...} with the values of `params`.
Handler Answer(std::string name, std::vector<std::string> params = {}) {
  return [name = std::move(name), params = std::move(params)](const HttpRequest& request) {
    nlohmann::json body{{"route", name}};
    for (const std::string& param : params) body[param] = std::string(request.path_param(param));
    return JsonResponse(200, body);
  };
}

nlohmann::json BodyOf(const HttpResponse& response) { return nlohmann::json::parse(response.body, nullptr, false); }

std::string AllowOf(const HttpResponse& response) {
  for (const auto& [name, value] : response.headers) {
    if (name == "Allow") return value;
  }
  return "<none>";
}

TEST(RouterTest, PathParametersReachTheHandler) {
  Router router;
  router.Add("GET", "/organizations/{orgId}/users/{id}", [](const HttpRequest& request) {
    return JsonResponse(200, {{"orgId", request.path_param("orgId")},
                              {"id", request.path_param("id")},
                              {"missing", request.path_param("missing")},
                              {"count", request.path_params.size()}});
  });
  HttpResponse got = router.Dispatch(Request("GET", "/organizations/3f1c9a2e-0001/users/8d2b-0002"));
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(BodyOf(got),
            (nlohmann::json{{"orgId", "3f1c9a2e-0001"}, {"id", "8d2b-0002"}, {"missing", ""}, {"count", 2}}));
}

TEST(RouterTest, ParameterMatchesExactlyOneNonEmptySegment) {
  Router router;
  router.Add("GET", "/organizations/{orgId}/users/{id}", Answer("user", {"orgId", "id"}));
  for (const char* path : {"/organizations//users/u", "/organizations/o/users/", "/organizations/o/users",
                           "/organizations/o/users/u/extra", "/organizations/o/x/users/u"}) {
    EXPECT_EQ(router.Dispatch(Request("GET", path)).status, 404) << path;
  }
}

TEST(RouterTest, PercentEncodedSlashDoesNotSplitASegment) {
  Router router;
  router.Add("GET", "/organizations/{orgId}/users/{id}", Answer("user", {"orgId", "id"}));
  HttpResponse got = router.Dispatch(Request("GET", "/organizations/a%2Fb/users/c%2f"));
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(BodyOf(got), (nlohmann::json{{"route", "user"}, {"orgId", "a%2Fb"}, {"id", "c%2f"}}));
}

TEST(RouterTest, LiteralSegmentsBeatParametersWhateverTheOrderOfAdding) {
  Router param_first;
  param_first.Add("GET", "/devices/{id}", Answer("by id", {"id"}));
  param_first.Add("GET", "/devices/knowndevice", Answer("known"));
  Router literal_first;
  literal_first.Add("GET", "/devices/knowndevice", Answer("known"));
  literal_first.Add("GET", "/devices/{id}", Answer("by id", {"id"}));
  for (Router* router : {&param_first, &literal_first}) {
    EXPECT_EQ(BodyOf(router->Dispatch(Request("GET", "/devices/knowndevice"))), (nlohmann::json{{"route", "known"}}));
    EXPECT_EQ(BodyOf(router->Dispatch(Request("GET", "/devices/abc"))),
              (nlohmann::json{{"route", "by id"}, {"id", "abc"}}));
  }
}

TEST(RouterTest, LiteralsAreCaseSensitive) {
  Router router;
  router.Add("GET", "/devices/knowndevice", Answer("known"));
  router.Add("GET", "/devices/{id}", Answer("by id", {"id"}));
  EXPECT_EQ(BodyOf(router.Dispatch(Request("GET", "/devices/KnownDevice"))),
            (nlohmann::json{{"route", "by id"}, {"id", "KnownDevice"}}));
  EXPECT_EQ(router.Dispatch(Request("GET", "/Devices/knowndevice")).status, 404);
}

// A literal branch without a route for the request falls back to the parameter branch: for
// a deeper path, and for a method only the parameter route has.
TEST(RouterTest, ParameterRouteAnswersWhatTheLiteralRouteCannot) {
  Router router;
  router.Add("GET", "/devices/knowndevice", Answer("known"));
  router.Add("DELETE", "/devices/{id}", Answer("delete", {"id"}));
  router.Add("PUT", "/devices/{id}/keys", Answer("keys", {"id"}));
  EXPECT_EQ(BodyOf(router.Dispatch(Request("PUT", "/devices/knowndevice/keys"))),
            (nlohmann::json{{"route", "keys"}, {"id", "knowndevice"}}));
  EXPECT_EQ(BodyOf(router.Dispatch(Request("DELETE", "/devices/knowndevice"))),
            (nlohmann::json{{"route", "delete"}, {"id", "knowndevice"}}));
  EXPECT_EQ(router.route_label(Request("DELETE", "/devices/knowndevice")), "/devices/{id}");
  EXPECT_EQ(router.route_label(Request("GET", "/devices/knowndevice")), "/devices/knowndevice");
}

TEST(RouterTest, WrongMethodOnParameterisedRouteIs405WithEveryAllowedMethod) {
  Router router;
  router.Add("GET", "/devices/knowndevice", Answer("known"));
  router.Add("PUT", "/devices/{id}", Answer("put", {"id"}));
  router.Add("DELETE", "/devices/{id}", Answer("delete", {"id"}));

  HttpResponse got = router.Dispatch(Request("PATCH", "/devices/abc"));
  EXPECT_EQ(got.status, 405);
  EXPECT_EQ(BodyOf(got), (nlohmann::json{{"message", "method not allowed"}}));
  EXPECT_EQ(AllowOf(got), "DELETE, PUT");
  EXPECT_EQ(router.route_label(Request("PATCH", "/devices/abc")), "/devices/{id}");

  // Both patterns match this path: Allow lists the methods of both, the label is the literal's.
  got = router.Dispatch(Request("PATCH", "/devices/knowndevice"));
  EXPECT_EQ(got.status, 405);
  EXPECT_EQ(AllowOf(got), "DELETE, GET, PUT");
  EXPECT_EQ(router.route_label(Request("PATCH", "/devices/knowndevice")), "/devices/knowndevice");
}

TEST(RouterTest, OneTrailingSlashIsIgnored) {
  Router router = MakeRouter();
  router.Add("GET", "/api/sync", Answer("sync"));
  router.Add("GET", "/api/accounts/profile/", Answer("profile"));  // registered with one: the same rule
  router.Add("GET", "/ciphers/{id}", Answer("cipher", {"id"}));

  EXPECT_EQ(BodyOf(router.Dispatch(Request("GET", "/api/sync/"))), (nlohmann::json{{"route", "sync"}}));
  EXPECT_EQ(router.Dispatch(Request("GET", "/user-keys/")).status, 200);
  EXPECT_EQ(router.Dispatch(Request("GET", "/api/accounts/profile")).status, 200);
  EXPECT_EQ(router.route_label(Request("GET", "/api/accounts/profile/")), "/api/accounts/profile");
  EXPECT_EQ(BodyOf(router.Dispatch(Request("GET", "/ciphers/c-1/"))),
            (nlohmann::json{{"route", "cipher"}, {"id", "c-1"}}));
  // Only one.
  EXPECT_EQ(router.Dispatch(Request("GET", "/api/sync//")).status, 404);
  EXPECT_EQ(router.Dispatch(Request("GET", "/ciphers//")).status, 404);
  EXPECT_EQ(router.route_label(Request("GET", "/api/sync//")), "other");
}

TEST(RouterTest, RootRoute) {
  Router router;
  router.Add("GET", "/", Answer("root"));
  router.Add("GET", "/{id}", Answer("top", {"id"}));
  EXPECT_EQ(BodyOf(router.Dispatch(Request("GET", "/"))), (nlohmann::json{{"route", "root"}}));
  EXPECT_EQ(router.route_label(Request("GET", "/")), "/");
  EXPECT_EQ(BodyOf(router.Dispatch(Request("GET", "/x/"))), (nlohmann::json{{"route", "top"}, {"id", "x"}}));
  EXPECT_EQ(router.Dispatch(Request("GET", "//")).status, 404);
  EXPECT_EQ(router.Dispatch(Request("POST", "/")).status, 405);
}

TEST(RouterTest, RouteLabelIsThePatternNeverThePath) {
  Router router;
  router.Add("GET", "/organizations/{orgId}/users/{id}", Answer("user"));
  router.Add("GET", "/alive", Answer("alive"));
  for (const char* path : {"/organizations/o1/users/u1", "/organizations/o2/users/u2/", "/organizations/o3/users/u3"}) {
    EXPECT_EQ(router.route_label(Request("GET", path)), "/organizations/{orgId}/users/{id}") << path;
    EXPECT_EQ(router.route_label(Request("POST", path)), "/organizations/{orgId}/users/{id}") << path;
  }
  for (const char* path : {"/organizations/o1/users", "/organizations/o1/users/u1/x", "/a/b/c/d/e/f/g/h/i/j/k", "/"}) {
    EXPECT_EQ(router.route_label(Request("GET", path)), "other") << path;
  }
}

TEST(RouterTest, ExecutionFollowsTheMatchedRoute) {
  Router router;
  router.Add("GET", "/ciphers/{id}", Answer("read"));
  router.Add("PUT", "/ciphers/{id}", Answer("write"), Execution::kBlocking);
  EXPECT_EQ(router.execution(Request("PUT", "/ciphers/c1")), Execution::kBlocking);
  EXPECT_EQ(router.execution(Request("GET", "/ciphers/c1")), Execution::kInline);
  EXPECT_EQ(router.execution(Request("DELETE", "/ciphers/c1")), Execution::kInline);  // 405
  EXPECT_EQ(router.execution(Request("PUT", "/nope")), Execution::kInline);           // 404
}

// The server finds a request's route once, then dispatches and labels with that match.
TEST(RouterTest, FindOnceThenDispatch) {
  Router router;
  router.Add("DELETE", "/organizations/{orgId}/users/{id}", Answer("remove", {"orgId", "id"}), Execution::kBlocking);

  HttpRequest request = Request("DELETE", "/organizations/o-1/users/u-2");
  Router::Match match = router.Find(request);
  ASSERT_TRUE(match.found());
  EXPECT_EQ(match.execution(), Execution::kBlocking);
  EXPECT_EQ(match.label(), "/organizations/{orgId}/users/{id}");
  EXPECT_TRUE(request.path_params.empty());  // Find only looks
  HttpResponse got = router.Dispatch(request, std::move(match));
  EXPECT_EQ(BodyOf(got), (nlohmann::json{{"route", "remove"}, {"orgId", "o-1"}, {"id", "u-2"}}));
  EXPECT_EQ(request.path_param("id"), "u-2");  // kept after the handler, for the observer

  request.target = "/nope";  // reused: a miss leaves no stale parameters behind
  Router::Match miss = router.Find(request);
  EXPECT_FALSE(miss.found());
  EXPECT_EQ(miss.label(), "other");
  EXPECT_EQ(router.Dispatch(request, std::move(miss)).status, 404);
  EXPECT_TRUE(request.path_params.empty());
}

TEST(RouterTest, ManyRoutesEachMatchTheirOwn) {
  Router router;
  for (int i = 0; i < 200; ++i) {
    const std::string name = "r" + std::to_string(i);
    router.Add("GET", "/" + name + "/items/{id}", Answer(name, {"id"}));
    router.Add("POST", "/" + name + "/items", Answer(name + " post"));
  }
  for (int i = 0; i < 200; i += 37) {
    const std::string name = "r" + std::to_string(i);
    HttpResponse got = router.Dispatch(Request("GET", "/" + name + "/items/i" + std::to_string(i)));
    EXPECT_EQ(BodyOf(got), (nlohmann::json{{"route", name}, {"id", "i" + std::to_string(i)}}));
    EXPECT_EQ(router.route_label(Request("GET", "/" + name + "/items/x")), "/" + name + "/items/{id}");
    EXPECT_EQ(AllowOf(router.Dispatch(Request("GET", "/" + name + "/items"))), "POST");
  }
  EXPECT_EQ(router.Dispatch(Request("GET", "/r200/items/x")).status, 404);
}

// A middleware that records its name on the way in and out, then calls the handler it wraps.
Middleware Recording(std::string name, std::shared_ptr<std::vector<std::string>> trace) {
  return [name = std::move(name), trace](Handler next) -> Handler {
    return [name, trace, next = std::move(next)](const HttpRequest& request) {
      trace->push_back(name + " in");
      HttpResponse response = next(request);
      trace->push_back(name + " out");
      return response;
    };
  };
}

TEST(RouterTest, MiddlewareRunsInDeclarationOrderAroundTheHandler) {
  auto trace = std::make_shared<std::vector<std::string>>();
  Router router;
  router.Use(Recording("use1", trace));
  router.Use(Recording("use2", trace));
  router
      .Add("GET", "/ciphers/{id}",
           [trace](const HttpRequest& request) {
             trace->push_back("handler " + std::string(request.path_param("id")));
             return JsonResponse(200, "ok");
           })
      .With(Recording("with1", trace))
      .With(Recording("with2", trace));

  EXPECT_EQ(router.Dispatch(Request("GET", "/ciphers/c7")).status, 200);
  EXPECT_EQ(*trace, (std::vector<std::string>{"use1 in", "use2 in", "with1 in", "with2 in", "handler c7", "with2 out",
                                              "with1 out", "use2 out", "use1 out"}));
}

TEST(RouterTest, WrapPutsTheFirstLayerOutermost) {
  auto trace = std::make_shared<std::vector<std::string>>();
  Handler wrapped = Wrap({Recording("a", trace), Recording("b", trace)}, [trace](const HttpRequest&) {
    trace->push_back("h");
    return JsonResponse(200, "ok");
  });
  wrapped(Request("GET", "/"));
  EXPECT_EQ(*trace, (std::vector<std::string>{"a in", "b in", "h", "b out", "a out"}));
}

// A bearer-like middleware answers 401 itself; the handler never runs.
TEST(RouterTest, MiddlewareCanAnswerWithoutTheHandler) {
  Middleware bearer = [](Handler next) -> Handler {
    return [next = std::move(next)](const HttpRequest& request) {
      if (request.header("Authorization") != "Bearer good") return JsonError(401, "invalid token");
      return next(request);
    };
  };
  int handled = 0;
  Router router;
  router
      .Add("GET", "/user-keys",
           [&handled](const HttpRequest&) {
             ++handled;
             return JsonResponse(200, "key");
           })
      .With(bearer);

  HttpRequest anonymous = Request("GET", "/user-keys");
  EXPECT_EQ(router.Dispatch(anonymous).status, 401);
  EXPECT_EQ(handled, 0);
  HttpRequest authorised = Request("GET", "/user-keys");
  authorised.headers["Authorization"] = "Bearer good";
  EXPECT_EQ(router.Dispatch(authorised).status, 200);
  EXPECT_EQ(handled, 1);
}

TEST(RouterTest, UseAppliesOnlyToRoutesAddedAfterIt) {
  auto trace = std::make_shared<std::vector<std::string>>();
  Router router;
  router.Add("GET", "/before", Answer("before"));
  router.Use(Recording("audit", trace));
  router.Add("GET", "/after", Answer("after"));

  EXPECT_EQ(router.Dispatch(Request("GET", "/before")).status, 200);
  EXPECT_TRUE(trace->empty());
  EXPECT_EQ(router.Dispatch(Request("GET", "/after")).status, 200);
  EXPECT_EQ(*trace, (std::vector<std::string>{"audit in", "audit out"}));
  // 404 and 405 answers come from the router itself, outside any route's middleware.
  EXPECT_EQ(router.Dispatch(Request("GET", "/nope")).status, 404);
  EXPECT_EQ(router.Dispatch(Request("POST", "/after")).status, 405);
  EXPECT_EQ(trace->size(), 2u);
}

TEST(RouterTest, AddingAgainReplacesTheMiddlewareToo) {
  Middleware deny = [](Handler) -> Handler { return [](const HttpRequest&) { return JsonError(403, "denied"); }; };
  Router router;
  router.Add("GET", "/ciphers/{id}", Answer("first")).With(deny);
  EXPECT_EQ(router.Dispatch(Request("GET", "/ciphers/c1")).status, 403);
  router.Add("GET", "/ciphers/{cipherId}", Answer("second", {"cipherId"}));
  EXPECT_EQ(BodyOf(router.Dispatch(Request("GET", "/ciphers/c1"))),
            (nlohmann::json{{"route", "second"}, {"cipherId", "c1"}}));
  EXPECT_EQ(router.route_label(Request("GET", "/ciphers/c1")), "/ciphers/{cipherId}");
}

TEST(RouterTest, BracesAroundNothingAreALiteral) {
  Router router;
  router.Add("GET", "/odd/{}", Answer("literal"));
  EXPECT_EQ(router.Dispatch(Request("GET", "/odd/{}")).status, 200);
  EXPECT_EQ(router.Dispatch(Request("GET", "/odd/x")).status, 404);
}

// A WebSocket route is a GET route flagged for the server: same matching, parameters, labels and
// middleware; its accept callback's answer is an ordinary response or AcceptWebSocket's 101.
TEST(RouterTest, WebSocketRoutesMatchLikeGetRoutes) {
  Router router = MakeRouter();
  std::string seen_room;
  router
      .AddWebSocket("/hub/{room}",
                    [&seen_room](const HttpRequest& r) {
                      seen_room = std::string(r.path_param("room"));
                      return AcceptWebSocket(WebSocketHandler{});
                    })
      .With([](Handler next) {
        return
            [next](const HttpRequest& r) { return r.header("Authorization").empty() ? JsonError(401, "no") : next(r); };
      });

  Router::Match match = router.Find(Request("GET", "/hub/lobby"));
  EXPECT_TRUE(match.found());
  EXPECT_TRUE(match.websocket());
  EXPECT_EQ(match.label(), "/hub/{room}");
  EXPECT_EQ(match.execution(), Execution::kInline);
  EXPECT_EQ(router.Dispatch(Request("GET", "/hub/lobby")).status, 401);  // the middleware refused
  EXPECT_TRUE(seen_room.empty());
  HttpRequest authorised = Request("GET", "/hub/lobby");
  authorised.headers["Authorization"] = "Bearer t";
  HttpResponse accepted = router.Dispatch(authorised);
  EXPECT_EQ(accepted.status, 101);
  EXPECT_NE(accepted.websocket, nullptr);
  EXPECT_EQ(seen_room, "lobby");

  HttpResponse post = router.Dispatch(Request("POST", "/hub/lobby"));
  EXPECT_EQ(post.status, 405);
  EXPECT_FALSE(router.Find(Request("POST", "/hub/lobby")).websocket());
  EXPECT_FALSE(router.Find(Request("GET", "/user-keys")).websocket());

  // Like Add: a later GET on the same pattern replaces the WebSocket route.
  router.Add("GET", "/hub/{id}", [](const HttpRequest&) { return JsonResponse(200, "plain"); });
  EXPECT_FALSE(router.Find(Request("GET", "/hub/lobby")).websocket());
  EXPECT_EQ(router.Dispatch(Request("GET", "/hub/lobby")).status, 200);
}

TEST(RouterTest, FallbackAnswersPathsNoPatternMatches) {
  Router router = MakeRouter();
  std::vector<std::string> seen;
  router.SetFallback(
      "web vault",
      [&seen](const HttpRequest& r) {
        seen.push_back(r.method + " " + r.target);
        return JsonResponse(200, "fallback");
      },
      Execution::kBlocking);
  // Unknown paths, the root and paths deeper than any pattern all reach it, whatever the method.
  for (const char* path : {"/", "/nope", "/user-keys/x", "/a/b/c/d/e/f/g", "//"}) {
    const Router::Match match = router.Find(Request("GET", path));
    EXPECT_TRUE(match.found()) << path;
    EXPECT_EQ(match.label(), "web vault") << path;
    EXPECT_EQ(match.execution(), Execution::kBlocking) << path;
    EXPECT_EQ(router.Dispatch(Request("GET", path)).body, R"("fallback")") << path;
  }
  EXPECT_EQ(router.Dispatch(Request("POST", "/nope")).status, 200);
  EXPECT_EQ(seen.size(), 6u);
  // Known paths keep their routes, and their 405 for another method.
  EXPECT_EQ(router.Dispatch(Request("GET", "/alive")).body, R"("now")");
  EXPECT_EQ(router.Dispatch(Request("DELETE", "/user-keys")).status, 405);
  EXPECT_EQ(router.route_label(Request("DELETE", "/user-keys")), "/user-keys");
  EXPECT_EQ(seen.size(), 6u);
}

TEST(RouterTest, FallbackTakesTheMiddlewareDeclaredBeforeIt) {
  Router router;
  router.Use([](Handler next) {
    return [next](const HttpRequest& r) {
      HttpResponse response = next(r);
      response.headers.emplace_back("X-Layer", "outer");
      return response;
    };
  });
  router.SetFallback("spa", [](const HttpRequest&) { return JsonResponse(200, "first"); });
  router.SetFallback("spa", [](const HttpRequest&) { return JsonResponse(200, "second"); });
  const HttpResponse got = router.Dispatch(Request("GET", "/anything"));
  EXPECT_EQ(got.body, R"("second")");
  ASSERT_EQ(got.headers.size(), 1u);
  EXPECT_EQ(got.headers[0].second, "outer");
}

}  // namespace
}  // namespace keywarden::http
