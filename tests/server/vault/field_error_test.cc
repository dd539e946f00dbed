// Field errors: the Status the parsers return, and the reference's 400 made from it.
#include "server/vault/field_error.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace keywarden::server::vault {
namespace {

TEST(FieldErrorTest, RoundTripsThroughAStatus) {
  const Status status = FieldErrorStatus("Login.Uris[0].Uri", "is required.");
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "Login.Uris[0].Uri is required.");
  const auto field_error = AsFieldError(status);
  ASSERT_TRUE(field_error.has_value());
  EXPECT_EQ(field_error->field, "Login.Uris[0].Uri");
  EXPECT_EQ(field_error->message, "Login.Uris[0].Uri is required.");
}

TEST(FieldErrorTest, OtherStatusesAreNotFieldErrors) {
  EXPECT_FALSE(AsFieldError(OkStatus()).has_value());
  EXPECT_FALSE(AsFieldError(InvalidArgumentError("the request body must be a JSON object")).has_value());
  EXPECT_FALSE(AsFieldError(InvalidArgumentError("Name")).has_value());
  EXPECT_FALSE(AsFieldError(InvalidArgumentError("Name: is bad")).has_value());
  EXPECT_FALSE(AsFieldError(NotFoundError("Name is missing")).has_value());
}

TEST(FieldErrorTest, AnswersAsTheReferenceDoes) {
  const http::HttpResponse field = RequestErrorResponse(FieldErrorStatus("Name", "is required."));
  EXPECT_EQ(field.status, 400);
  const auto body = nlohmann::json::parse(field.body);
  EXPECT_EQ(body["message"], "The model state is invalid.");
  EXPECT_EQ(body["validationErrors"]["Name"][0], "Name is required.");
  EXPECT_EQ(body["object"], "error");

  const http::HttpResponse plain = RequestErrorResponse(InvalidArgumentError("the request body must be a JSON object"));
  EXPECT_EQ(plain.status, 400);
  EXPECT_EQ(nlohmann::json::parse(plain.body)["message"], "the request body must be a JSON object");
  EXPECT_EQ(RequestErrorResponse(UnavailableError("database down")).status, 503);
}

}  // namespace
}  // namespace keywarden::server::vault
