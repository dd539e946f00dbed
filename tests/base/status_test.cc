#include "keywarden/status.h"

#include <gtest/gtest.h>

#include <memory>

namespace keywarden {
namespace {

TEST(StatusTest, OkIsOk) {
  EXPECT_TRUE(OkStatus().ok());
  EXPECT_EQ(OkStatus().ToString(), "ok");
}

TEST(StatusTest, ErrorCarriesCodeAndMessage) {
  Status s = InvalidArgumentError("invalid base64");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(s.ToString(), "invalid_argument: invalid base64");
}

TEST(StatusTest, WithContextPrefixesTheMessageAndKeepsTheCode) {
  const Status s = UnavailableError("connection refused").WithContext("database").WithContext("source");
  EXPECT_EQ(s.code(), ErrorCode::kUnavailable);
  EXPECT_EQ(s.message(), "source: database: connection refused");
  EXPECT_TRUE(OkStatus().WithContext("database").ok());
  EXPECT_EQ(OkStatus().WithContext("database").message(), "");
}

Result<std::unique_ptr<int>> MakeOrFail(bool fail) {
  if (fail) return AuthenticationError("decryption failed");
  return std::make_unique<int>(7);
}

Result<int> Chain(bool fail) {
  KW_ASSIGN_OR_RETURN(auto p, MakeOrFail(fail));
  return *p + 1;
}

TEST(ResultTest, HoldsMoveOnlyValuesAndPropagatesErrors) {
  auto ok = Chain(false);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 8);
  auto bad = Chain(true);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kAuthenticationFailed);
}

}  // namespace
}  // namespace keywarden
