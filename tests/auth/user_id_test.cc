#include "auth/user_id.h"

#include <gtest/gtest.h>

namespace keywarden::auth {
namespace {

TEST(UserIdTest, CanonicalisesAGuidToLowerCase) {
  auto id = auth::CanonicalUserId("A09726A0-9590-49D1-a5f5-AFE300B6A515");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, "a09726a0-9590-49d1-a5f5-afe300b6a515");
}

TEST(UserIdTest, RejectsAnythingElse) {
  for (const char* bad :
       {"", "not-a-guid", "a09726a0959049d1a5f5afe300b6a515", "{a09726a0-9590-49d1-a5f5-afe300b6a515}",
        "a09726a0-9590-49d1-a5f5-afe300b6a51g", "a09726a0-9590-49d1-a5f5-afe300b6a5150",
        "a09726a0_9590-49d1-a5f5-afe300b6a515", "a09726a0-9590-49d1-a5f5-afe300b6a51\n"}) {
    SCOPED_TRACE(bad);
    auto id = auth::CanonicalUserId(bad);
    ASSERT_FALSE(id.ok());
    EXPECT_EQ(id.status().code(), ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace keywarden::auth
