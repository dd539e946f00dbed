// The reference's error body, and the statuses the official CLI can live with.
#include "server/api/error_response.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "auth/user_id.h"
#include "server/api/ids.h"

namespace keywarden::server::api {
namespace {

TEST(ErrorResponseTest, BadRequestHasTheReferenceShape) {
  const http::HttpResponse response = BadRequest("User verification failed.");
  EXPECT_EQ(response.status, 400);
  const auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["message"], "User verification failed.");
  EXPECT_TRUE(body["validationErrors"].is_null());
  EXPECT_EQ(body["object"], "error");
}

TEST(ErrorResponseTest, InvalidFieldNamesTheField) {
  const auto body = nlohmann::json::parse(InvalidField("Login.Password", "not an EncString").body);
  EXPECT_EQ(body["message"], "The model state is invalid.");
  EXPECT_EQ(body["validationErrors"]["Login.Password"][0], "not an EncString");
}

TEST(ErrorResponseTest, StatusesMapWithoutLeakingServerMessages) {
  EXPECT_EQ(FromStatus(NotFoundError("x")).status, 404);
  EXPECT_EQ(FromStatus(InvalidArgumentError("bad")).status, 400);
  const http::HttpResponse internal = FromStatus(InternalError("/var/lib/secret/path failed"));
  EXPECT_EQ(internal.status, 500);
  EXPECT_EQ(internal.body.find("/var/lib"), std::string::npos);
  EXPECT_EQ(FromStatus(UnavailableError("db down")).status, 503);
  const http::HttpResponse limited = TooManyRequests(0);
  EXPECT_EQ(limited.status, 429);
  ASSERT_EQ(limited.headers.size(), 1U);
  EXPECT_EQ(limited.headers[0].second, "1");
}

TEST(IdsTest, NewGuidsAreCanonicalAndDistinct) {
  auto a = auth::NewGuid();
  auto b = auth::NewGuid();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_EQ(ParseGuid(*a), *a);
  EXPECT_EQ(ParseGuid("8C1A42E6-1B3C-4A5E-9F00-0123456789AB"), "8c1a42e6-1b3c-4a5e-9f00-0123456789ab");
  EXPECT_EQ(ParseGuid("not-a-guid"), std::nullopt);
  EXPECT_EQ(ParseGuid("../etc/passwd"), std::nullopt);
}

}  // namespace
}  // namespace keywarden::server::api
