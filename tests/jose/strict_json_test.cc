#include "jose/strict_json.h"

#include <gtest/gtest.h>

#include <array>
#include <random>
#include <string>
#include <string_view>

namespace keywarden::jose {
namespace {

TEST(JsonObjectTest, RejectsRepeatedNamesAtAnyDepth) {
  EXPECT_TRUE(jose::ParseJsonObject(R"({"a":{"b":1,"c":2},"d":[{"b":1},{"b":2}]})", "x").ok());
  EXPECT_FALSE(jose::ParseJsonObject(R"({"a":1,"a":1})", "x").ok());
  EXPECT_FALSE(jose::ParseJsonObject(R"({"a":{"b":1,"b":2}})", "x").ok());
  EXPECT_FALSE(jose::ParseJsonObject(R"({"a":[{"b":1,"b":2}]})", "x").ok());
}

TEST(JsonObjectTest, ParsesEveryKindOfValue) {
  auto parsed = jose::ParseJsonObject(R"({"s":"x","i":-3,"u":18446744073709551615,"f":1.5,"b":true,"n":null,)"
                                      R"("a":[1,[2,{"k":"v"}],{}],"o":{"p":{"q":[]}}})",
                                      "x");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, nlohmann::json::parse(R"({"s":"x","i":-3,"u":18446744073709551615,"f":1.5,"b":true,"n":null,)"
                                           R"("a":[1,[2,{"k":"v"}],{}],"o":{"p":{"q":[]}}})"));
}

TEST(JsonObjectTest, RefusesDeepNestingBadSyntaxAndOtherRoots) {
  auto nested = [](int depth) { return "{\"a\":" + std::string(depth - 1, '[') + std::string(depth - 1, ']') + "}"; };
  EXPECT_TRUE(jose::ParseJsonObject(nested(32), "x").ok());
  auto deep = jose::ParseJsonObject(nested(33), "the token header");
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.status().message(), "the token header is nested too deeply");
  for (const char* bad : {"", "{", "{\"a\":1,}", "{\"a\":1} x", "{'a':1}", "{\"a\":01}", "{\"a\":\"\x01\"}"}) {
    auto result = jose::ParseJsonObject(bad, "x");
    ASSERT_FALSE(result.ok()) << bad;
    EXPECT_EQ(result.status().message(), "x is not valid JSON") << bad;
  }
  for (const char* root : {"[]", "1", "\"s\"", "null"}) {
    auto result = jose::ParseJsonObject(root, "x");
    ASSERT_FALSE(result.ok()) << root;
    EXPECT_EQ(result.status().message(), "x is not a JSON object") << root;
  }
  EXPECT_EQ(jose::ParseJsonObject(R"({"a":1,"a":2})", "x").status().message(), "x repeats a member name");
}

constexpr std::array<std::string_view, 4> kNames = {"iss", "aud", "exp", "scope"};

std::array<jose::JsonMember, kNames.size()> Read(std::string_view text) {
  std::array<jose::JsonMember, kNames.size()> members;
  Status status = jose::ReadJsonMembers(text, "x", kNames, members);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return members;
}

TEST(JsonMembersTest, KeepsTheNamedTopLevelMembersOnly) {
  auto members = Read(R"({"exp":17.5,"other":{"iss":"deep"},"aud":["a",1,["b"],{"c":"d"},"e"],"scope":{"api":"api"}})");
  EXPECT_EQ(members[0].type, jose::JsonMember::Type::kAbsent);  // iss only appears nested
  EXPECT_TRUE(members[0].strings.empty());
  EXPECT_EQ(members[1].type, jose::JsonMember::Type::kArray);
  EXPECT_EQ(members[1].strings, (std::vector<std::string>{"a", "e"}));  // nested strings are not elements
  EXPECT_EQ(members[2].type, jose::JsonMember::Type::kNumber);
  EXPECT_EQ(members[2].number, 17.5);
  EXPECT_EQ(members[3].type, jose::JsonMember::Type::kObject);
  EXPECT_TRUE(members[3].strings.empty());
  EXPECT_FALSE(members[3].Holds("api"));

  members = Read(R"({"iss":"https://id","aud":"kc","exp":18446744073709551615,"scope":null})");
  EXPECT_EQ(members[0].type, jose::JsonMember::Type::kString);
  EXPECT_TRUE(members[0].Holds("https://id"));
  EXPECT_TRUE(members[1].Holds("kc"));
  EXPECT_FALSE(members[1].Holds("k"));
  EXPECT_EQ(members[2].number, 18446744073709551615.0);
  EXPECT_EQ(members[3].type, jose::JsonMember::Type::kNull);

  members = Read(R"({"exp":-3,"iss":true,"scope":[]})");
  EXPECT_EQ(members[2].number, -3);
  EXPECT_EQ(members[0].type, jose::JsonMember::Type::kBool);
  EXPECT_EQ(members[3].type, jose::JsonMember::Type::kArray);
  EXPECT_FALSE(members[3].Holds(""));
}

TEST(JsonMembersTest, RefusesWhatParseJsonObjectRefuses) {
  std::array<jose::JsonMember, kNames.size()> members;
  const auto refusal = [&](std::string_view text) {
    Status status = jose::ReadJsonMembers(text, "the token payload", kNames, members);
    return status.ok() ? std::string("accepted") : status.message();
  };
  EXPECT_EQ(refusal(R"({"iss":"a","iss":"b"})"), "the token payload repeats a member name");
  EXPECT_EQ(refusal(R"({"x":[{"b":1,"b":2}]})"), "the token payload repeats a member name");
  EXPECT_EQ(refusal(R"({"a":{"b":1},"c":{"b":1}})"), "accepted");  // the same name in two objects
  EXPECT_EQ(refusal("{\"a\":" + std::string(31, '[') + std::string(31, ']') + "}"), "accepted");
  EXPECT_EQ(refusal("{\"a\":" + std::string(32, '[') + std::string(32, ']') + "}"),
            "the token payload is nested too deeply");
  for (const char* bad : {"", "{", "{\"a\":1,}", "{\"a\":1} x", "{'a':1}", "{\"a\":01}", "{\"a\":1e999}"}) {
    EXPECT_EQ(refusal(bad), "the token payload is not valid JSON") << bad;
  }
  for (const char* root : {"[]", "[{}]", "1", "\"s\"", "null"}) {
    EXPECT_EQ(refusal(root), "the token payload is not a JSON object") << root;
  }
  const std::array<std::string_view, 1> one = {"iss"};
  EXPECT_FALSE(jose::ReadJsonMembers("{}", "x", one, members).ok());  // one member per name
}

// A random document from a small alphabet of names and values, so that repeats, deep nesting and
// every kind of member turn up; sometimes cut short, so that syntax errors do too.
std::string RandomJson(std::mt19937& rng, int depth) {
  static constexpr std::array<const char*, 6> kKeys = {"iss", "aud", "exp", "scope", "a", "b"};
  static constexpr std::array<const char*, 9> kScalars = {
      "null", "true", "-7", "1.5e3", "18446744073709551615", "\"api\"", "\"\"", "\"i\\u0073s\"", "0"};
  const int pick = static_cast<int>(rng() % 10);
  if (depth > 34 || pick < 4) return kScalars[rng() % kScalars.size()];
  const bool object = pick < 7;
  const int count = static_cast<int>(rng() % 4);
  std::string out = object ? "{" : "[";
  for (int i = 0; i < count; ++i) {
    if (i > 0) out += ",";
    if (object) out += std::string("\"") + kKeys[rng() % kKeys.size()] + "\":";
    out += RandomJson(rng, depth + (rng() % 8 == 0 ? 8 : 1));
  }
  return out + (object ? "}" : "]");
}

TEST(JsonMembersTest, AgreesWithTheWholeDocument) {
  std::mt19937 rng(20261125);
  int accepted = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string text = "{\"" + std::string(kNames[rng() % kNames.size()]) + "\":" + RandomJson(rng, 1) + "}";
    if (rng() % 20 == 0) text.resize(rng() % text.size());
    SCOPED_TRACE(text);
    auto document = jose::ParseJsonObject(text, "x");
    std::array<jose::JsonMember, kNames.size()> members;
    Status read = jose::ReadJsonMembers(text, "x", kNames, members);
    ASSERT_EQ(read.ok(), document.ok());
    if (!read.ok()) {
      EXPECT_EQ(read.message(), document.status().message());
      continue;
    }
    ++accepted;
    for (std::size_t i = 0; i < kNames.size(); ++i) {
      auto it = document->find(kNames[i]);
      const jose::JsonMember& member = members[i];
      if (it == document->end()) {
        EXPECT_EQ(member.type, jose::JsonMember::Type::kAbsent);
        continue;
      }
      std::vector<std::string> strings;
      if (it->is_string()) strings.push_back(it->get<std::string>());
      if (it->is_array()) {
        for (const auto& element : *it) {
          if (element.is_string()) strings.push_back(element.get<std::string>());
        }
      }
      EXPECT_EQ(member.strings, strings);
      EXPECT_EQ(member.type == jose::JsonMember::Type::kString, it->is_string());
      EXPECT_EQ(member.type == jose::JsonMember::Type::kArray, it->is_array());
      EXPECT_EQ(member.type == jose::JsonMember::Type::kObject, it->is_object());
      EXPECT_EQ(member.type == jose::JsonMember::Type::kNull, it->is_null());
      EXPECT_EQ(member.type == jose::JsonMember::Type::kBool, it->is_boolean());
      EXPECT_EQ(member.type == jose::JsonMember::Type::kNumber, it->is_number());
      if (it->is_number()) {
        EXPECT_EQ(member.number, it->get<double>());
      }
    }
  }
  EXPECT_GT(accepted, 5000);  // the generator must not only produce refusals
}

}  // namespace
}  // namespace keywarden::jose
