// Field errors: the Status the parsers return, and the reference's 400 made from it.
#include "server/api/field_error.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace keywarden::server::api {
namespace {

TEST(FieldErrorTest, RoundTripsThroughAStatus) {
  const Status status = api::FieldErrorStatus("Login.Uris[0].Uri", "is required.");
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "Login.Uris[0].Uri is required.");
  const auto field_error = api::AsFieldError(status);
  ASSERT_TRUE(field_error.has_value());
  EXPECT_EQ(field_error->field, "Login.Uris[0].Uri");
  EXPECT_EQ(field_error->message, "Login.Uris[0].Uri is required.");
}

TEST(FieldErrorTest, OtherStatusesAreNotFieldErrors) {
  EXPECT_FALSE(api::AsFieldError(OkStatus()).has_value());
  EXPECT_FALSE(api::AsFieldError(InvalidArgumentError("the request body must be a JSON object")).has_value());
  EXPECT_FALSE(api::AsFieldError(InvalidArgumentError("Name")).has_value());
  EXPECT_FALSE(api::AsFieldError(InvalidArgumentError("Name: is bad")).has_value());
  EXPECT_FALSE(api::AsFieldError(NotFoundError("Name is missing")).has_value());
}

TEST(FieldErrorTest, AnswersAsTheReferenceDoes) {
  const http::HttpResponse field = api::RequestErrorResponse(api::FieldErrorStatus("Name", "is required."));
  EXPECT_EQ(field.status, 400);
  const auto body = nlohmann::json::parse(field.body);
  EXPECT_EQ(body["message"], "The model state is invalid.");
  EXPECT_EQ(body["validationErrors"]["Name"][0], "Name is required.");
  EXPECT_EQ(body["object"], "error");

  const http::HttpResponse plain =
      api::RequestErrorResponse(InvalidArgumentError("the request body must be a JSON object"));
  EXPECT_EQ(plain.status, 400);
  EXPECT_EQ(nlohmann::json::parse(plain.body)["message"], "the request body must be a JSON object");
  EXPECT_EQ(api::RequestErrorResponse(UnavailableError("database down")).status, 503);
}

}  // namespace
}  // namespace keywarden::server::api
