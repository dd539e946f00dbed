#include "http/router.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

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
  for (const char* path : {"/nope", "/user-keys/", "/USER-KEYS", "/"}) {
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

}  // namespace
}  // namespace keywarden::http
