#include "keywarden/crypto/secure_buffer.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

namespace keywarden {
namespace {

std::vector<std::uint8_t> Bytes(std::span<const std::uint8_t> s) { return {s.begin(), s.end()}; }

TEST(SecureBufferTest, DefaultIsEmptyAndHoldsNothing) {
  SecureBuffer b;
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.size(), 0u);
  EXPECT_EQ(b.data(), nullptr);
  EXPECT_TRUE(b.span().empty());
  EXPECT_TRUE(b.view().empty());
}

TEST(SecureBufferTest, SizedConstructorZeroFills) {
  SecureBuffer b(40);
  ASSERT_EQ(b.size(), 40u);
  for (std::uint8_t byte : b.span()) EXPECT_EQ(byte, 0);
}

TEST(SecureBufferTest, ZeroSizeAllocatesNothing) {
  const std::size_t before = SecureBuffer::LiveCount();
  SecureBuffer b(0);
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(SecureBuffer::LiveCount(), before);
}

TEST(SecureBufferTest, CopyOfCopiesBytesAndStrings) {
  const std::array<std::uint8_t, 3> raw = {1, 2, 3};
  SecureBuffer a = SecureBuffer::CopyOf(raw);
  EXPECT_EQ(Bytes(a.span()), (std::vector<std::uint8_t>{1, 2, 3}));
  SecureBuffer s = SecureBuffer::CopyOf(std::string_view("hi!"));
  EXPECT_EQ(s.view(), "hi!");
  EXPECT_TRUE(SecureBuffer::CopyOf(std::string_view()).empty());
}

TEST(SecureBufferTest, MoveTransfersOwnershipAndEmptiesTheSource) {
  SecureBuffer a = SecureBuffer::CopyOf(std::string_view("secret"));
  const std::uint8_t* data = a.data();
  SecureBuffer b(std::move(a));
  EXPECT_EQ(b.data(), data);
  EXPECT_EQ(b.view(), "secret");
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): checking the moved-from state
  EXPECT_EQ(a.data(), nullptr);

  SecureBuffer c = SecureBuffer::CopyOf(std::string_view("other"));
  c = std::move(b);
  EXPECT_EQ(c.view(), "secret");
  EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move)
}

TEST(SecureBufferTest, SelfMoveAssignmentKeepsTheContents) {
  SecureBuffer a = SecureBuffer::CopyOf(std::string_view("keep"));
  SecureBuffer& alias = a;
  a = std::move(alias);
  EXPECT_EQ(a.view(), "keep");
}

TEST(SecureBufferTest, CloneIsAnIndependentCopy) {
  SecureBuffer a = SecureBuffer::CopyOf(std::string_view("abc"));
  SecureBuffer b = a.Clone();
  EXPECT_NE(a.data(), b.data());
  b.data()[0] = 'x';
  EXPECT_EQ(a.view(), "abc");
  EXPECT_EQ(b.view(), "xbc");
}

TEST(SecureBufferTest, TruncateShrinksAndWipesTheTail) {
  SecureBuffer a = SecureBuffer::CopyOf(std::string_view("abcdef"));
  a.Truncate(2);
  EXPECT_EQ(a.view(), "ab");
  // The bytes past the new size are still our allocation; they must be zero now.
  EXPECT_EQ(a.data()[2], 0);
  EXPECT_EQ(a.data()[5], 0);
  a.Truncate(10);  // growing is not Truncate's job: a no-op
  EXPECT_EQ(a.size(), 2u);
}

TEST(SecureBufferTest, ClearReleasesNow) {
  const std::size_t before = SecureBuffer::LiveCount();
  SecureBuffer a(16);
  EXPECT_EQ(SecureBuffer::LiveCount(), before + 1);
  a.Clear();
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(SecureBuffer::LiveCount(), before);
  a.Clear();  // twice is fine
  EXPECT_EQ(SecureBuffer::LiveCount(), before);
}

TEST(SecureBufferTest, LiveCountFollowsConstructionMovesAndDestruction) {
  const std::size_t before = SecureBuffer::LiveCount();
  {
    SecureBuffer a(8);
    SecureBuffer b(8);
    EXPECT_EQ(SecureBuffer::LiveCount(), before + 2);
    SecureBuffer c(std::move(a));  // a move does not allocate
    EXPECT_EQ(SecureBuffer::LiveCount(), before + 2);
    b = std::move(c);  // b's old memory is released
    EXPECT_EQ(SecureBuffer::LiveCount(), before + 1);
  }
  EXPECT_EQ(SecureBuffer::LiveCount(), before);
}

TEST(SecureBufferTest, EqualsComparesContents) {
  SecureBuffer a = SecureBuffer::CopyOf(std::string_view("same"));
  SecureBuffer b = SecureBuffer::CopyOf(std::string_view("same"));
  SecureBuffer c = SecureBuffer::CopyOf(std::string_view("samf"));
  SecureBuffer d = SecureBuffer::CopyOf(std::string_view("sam"));
  EXPECT_TRUE(a.Equals(b.span()));
  EXPECT_FALSE(a.Equals(c.span()));
  EXPECT_FALSE(a.Equals(d.span()));
  EXPECT_TRUE(SecureBuffer().Equals(SecureBuffer().span()));
}

TEST(ConstantTimeEqualsTest, ComparesLengthThenBytes) {
  const std::array<std::uint8_t, 4> a = {1, 2, 3, 4};
  const std::array<std::uint8_t, 4> b = {1, 2, 3, 4};
  const std::array<std::uint8_t, 4> c = {1, 2, 3, 5};
  const std::array<std::uint8_t, 3> d = {1, 2, 3};
  EXPECT_TRUE(ConstantTimeEquals(a, b));
  EXPECT_FALSE(ConstantTimeEquals(a, c));
  EXPECT_FALSE(ConstantTimeEquals(a, d));
  EXPECT_TRUE(ConstantTimeEquals({}, {}));
  EXPECT_FALSE(ConstantTimeEquals(a, {}));
}

}  // namespace
}  // namespace keywarden
