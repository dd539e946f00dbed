#include "http/errors.h"

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace keywarden::http {
namespace {

nlohmann::json BodyOf(const HttpResponse& response) { return nlohmann::json::parse(response.body, nullptr, false); }

// The answers of connector::HttpStatusFor (src/connector/user_keys/user_key_api.cc), code by
// code: the connector is to switch to http::HttpStatusFor without any answer changing.
TEST(ErrorsTest, HttpStatusForMatchesTheConnectorForEveryCode) {
  const std::vector<std::pair<ErrorCode, int>> expected = {
      {ErrorCode::kOk, 200},
      {ErrorCode::kInvalidArgument, 400},
      {ErrorCode::kUnsupported, 415},
      {ErrorCode::kAuthenticationFailed, 500},
      {ErrorCode::kOutOfRange, 400},
      {ErrorCode::kWrongKey, 500},
      {ErrorCode::kInternal, 500},
      {ErrorCode::kNotFound, 404},
      {ErrorCode::kAlreadyExists, 400},
      {ErrorCode::kUnavailable, 503},
  };
  for (const auto& [code, status] : expected) {
    EXPECT_EQ(HttpStatusFor(Status(code, "x")), status) << ErrorCodeName(code);
  }
  EXPECT_EQ(HttpStatusFor(OkStatus()), 200);
}

TEST(ErrorsTest, ClientErrorsCarryTheirMessage) {
  const std::vector<std::pair<Status, int>> cases = {
      {InvalidArgumentError("the key is not valid base64"), 400},
      {OutOfRangeError("kdf iterations below 600000"), 400},
      {AlreadyExistsError("a key is already stored for this user"), 400},
      {NotFoundError("no key is stored for this user"), 404},
      {UnsupportedError("the body must be application/json"), 415},
  };
  for (const auto& [status, code] : cases) {
    HttpResponse got = ErrorResponse(status);
    EXPECT_EQ(got.status, code) << status.ToString();
    EXPECT_EQ(got.content_type, kJsonContentType);
    EXPECT_EQ(BodyOf(got), (nlohmann::json{{"message", status.message()}})) << status.ToString();
  }
}

TEST(ErrorsTest, ServerErrorsNeverEchoTheirMessage) {
  const std::string secret = "mysql://keywarden@10.0.0.5:3306 refused";
  const std::vector<std::pair<Status, nlohmann::json>> cases = {
      {InternalError(secret), {{"message", "internal error"}}},
      {AuthenticationError(secret), {{"message", "internal error"}}},
      {WrongKeyError(secret), {{"message", "internal error"}}},
      {UnavailableError(secret), {{"message", "service unavailable, try again shortly"}}},
  };
  for (const auto& [status, body] : cases) {
    HttpResponse got = ErrorResponse(status);
    EXPECT_EQ(got.status, HttpStatusFor(status)) << status.ToString();
    EXPECT_EQ(BodyOf(got), body) << status.ToString();
    EXPECT_EQ(got.body.find("10.0.0.5"), std::string::npos);
  }
}

// An error response built from success is a caller's bug: it must not pass for a success.
TEST(ErrorsTest, OkStatusAnswersAsAnInternalError) {
  HttpResponse got = ErrorResponse(OkStatus());
  EXPECT_EQ(got.status, 500);
  EXPECT_EQ(BodyOf(got), (nlohmann::json{{"message", "internal error"}}));
}

}  // namespace
}  // namespace keywarden::http
