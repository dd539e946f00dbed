#include "http/json.h"

#include <string>
#include <utility>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http/errors.h"

namespace keywarden::http {
namespace {

TEST(JsonTest, ParseJsonObjectAcceptsAnObject) {
  auto parsed = ParseJsonObject(R"({"key": "abc", "kdf": 0, "kdfIterations": 600000})");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->at("key"), "abc");
  EXPECT_EQ(parsed->at("kdfIterations"), 600000);
  auto duplicate = ParseJsonObject(R"({"key": "first", "key": "last"})");
  ASSERT_TRUE(duplicate.ok());
  EXPECT_EQ(duplicate->at("key"), "last");
}

// A backslash escaped by another is text: "\\u0000" in JSON is the six characters \u0000.
TEST(JsonTest, ParseJsonObjectTakesAnEscapedBackslashBeforeU0000AsText) {
  auto parsed = ParseJsonObject(R"({"name": "\\u0000", "other": "\\\\u0000"})");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->at("name"), "\\u0000");
  EXPECT_EQ(parsed->at("other"), "\\\\u0000");
}

TEST(JsonTest, ParseJsonObjectRejectsAnythingElseWithA400) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "the request body is empty; expected a JSON object"},
      {"{\"key\": ", "the request body is not valid JSON"},
      {"key=abc", "the request body is not valid JSON"},
      {"{} {}", "the request body is not valid JSON"},
      {"[1, 2]", "the request body must be a JSON object"},
      {"\"text\"", "the request body must be a JSON object"},
      {"null", "the request body must be a JSON object"},
      {R"({"name": "a\u0000b"})", "the request body holds a NUL character (\\u0000)"},
      {R"({"name": "\\\u0000"})", "the request body holds a NUL character (\\u0000)"},
      {R"({"a\u0000": 1})", "the request body holds a NUL character (\\u0000)"},
  };
  for (const auto& [body, message] : cases) {
    auto parsed = ParseJsonObject(body);
    ASSERT_FALSE(parsed.ok()) << body;
    EXPECT_EQ(parsed.status().code(), ErrorCode::kInvalidArgument) << body;
    EXPECT_EQ(parsed.status().message(), message) << body;
    HttpResponse answer = ErrorResponse(parsed.status());
    EXPECT_EQ(answer.status, 400) << body;
    EXPECT_EQ(nlohmann::json::parse(answer.body), (nlohmann::json{{"message", message}})) << body;
  }
}

TEST(JsonTest, FindFieldIgnoresAsciiCaseLikeAspNet) {
  const nlohmann::json object = {{"masterPasswordHash", "hash"}, {"Key", nullptr}};
  for (const char* name : {"masterPasswordHash", "MasterPasswordHash", "masterpasswordhash", "MASTERPASSWORDHASH"}) {
    const nlohmann::json* field = FindField(object, name);
    ASSERT_NE(field, nullptr) << name;
    EXPECT_EQ(*field, "hash") << name;
  }
  const nlohmann::json* key = FindField(object, "key");
  ASSERT_NE(key, nullptr);  // present, with a null value: the caller decides what that means
  EXPECT_TRUE(key->is_null());
  EXPECT_EQ(FindField(object, "masterPasswordHas"), nullptr);
  EXPECT_EQ(FindField(object, "masterPasswordHashes"), nullptr);
  EXPECT_EQ(FindField(object, ""), nullptr);
}

TEST(JsonTest, FindFieldPrefersTheExactSpelling) {
  const nlohmann::json object = {{"Email", "upper"}, {"email", "lower"}};
  EXPECT_EQ(*FindField(object, "email"), "lower");
  EXPECT_EQ(*FindField(object, "Email"), "upper");
  EXPECT_EQ(*FindField(object, "EMAIL"), "upper");  // first in byte order: 'E' < 'e'
}

TEST(JsonTest, FindFieldFoldsOnlyAsciiLetters) {
  const nlohmann::json object = {{"\xc3\x84pfel", 1}, {"a_b", 2}};  // "Äpfel"
  EXPECT_EQ(FindField(object, "\xc3\xa4pfel"), nullptr);            // "äpfel": not an ASCII fold
  EXPECT_NE(FindField(object, "\xc3\x84PFEL"), nullptr);
  EXPECT_EQ(FindField(object, "a-b"), nullptr);
  EXPECT_NE(FindField(object, "A_B"), nullptr);
}

TEST(JsonTest, FindFieldOnANonObjectFindsNothing) {
  EXPECT_EQ(FindField(nlohmann::json::array({"key"}), "key"), nullptr);
  EXPECT_EQ(FindField(nlohmann::json("key"), "key"), nullptr);
  EXPECT_EQ(FindField(nlohmann::json(), "key"), nullptr);
}

}  // namespace
}  // namespace keywarden::http
