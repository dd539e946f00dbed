// The master password requirements check `keywarden admin recover-account` and
// `update-temp-password` run before anything is sent: the clients' rules, case by case, with
// zxcvbn scores from zxcvbn-c and the user inputs the clients give it.
#include "cli/admin/password_policy.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace keywarden::cli::admin {
namespace {

MasterPasswordPolicy Policy(const nlohmann::json& data) {
  MasterPasswordPolicy policy;
  MergeMasterPasswordPolicy(data, policy);
  return policy;
}

struct Case {
  const char* name;
  std::string password;
  std::string email;
  std::optional<MasterPasswordPolicy> policy;
  std::vector<std::string> unmet;  // exactly these, in this order; empty: accepted
};

TEST(PasswordPolicyTest, EachRequirementAsTheClientsCheckIt) {
  const std::vector<Case> cases = {
      {"no policy: the clients' 12 characters only", "abcdefghijkl", "a@example.com", std::nullopt, {}},
      {"no policy, 11 characters", "abcdefghijk", "a@example.com", std::nullopt, {"at least 12 characters"}},
      {"policy without data requirements", "abcdefghijkl", "a@example.com", Policy({}), {}},
      {"minLength above the clients' minimum",
       "abcdefghijklm",
       "a@example.com",
       Policy({{"minLength", 14}}),
       {"at least 14 characters"}},
      {"minLength below the clients' minimum still needs 12",
       "abcdefghij",
       "a@example.com",
       Policy({{"minLength", 8}}),
       {"at least 12 characters"}},
      {"minLength met", "abcdefghijklmn", "a@example.com", Policy({{"minLength", 14}}), {}},
      {"requireUpper",
       "all lower case here",
       "a@example.com",
       Policy({{"requireUpper", true}}),
       {"an upper-case letter"}},
      {"requireUpper met", "one Upper case here", "a@example.com", Policy({{"requireUpper", true}}), {}},
      {"requireUpper met by a non-ASCII capital",
       "\xc3\x89"
       "cole du soir",
       "a@example.com",
       Policy({{"requireUpper", true}}),
       {}},
      {"requireLower",
       "ALL UPPER CASE HERE",
       "a@example.com",
       Policy({{"requireLower", true}}),
       {"a lower-case letter"}},
      // toLocaleUpperCase maps the sharp s to "SS": it counts as lower case.
      {"requireLower met by the sharp s",
       "STRA\xc3\x9f"
       "E NUMMER 12",
       "a@example.com",
       Policy({{"requireLower", true}}),
       {}},
      {"requireLower: digits and symbols have no case",
       "1234567890!@#$",
       "a@example.com",
       Policy({{"requireLower", true}, {"requireUpper", true}}),
       {"an upper-case letter", "a lower-case letter"}},
      {"requireNumbers", "no digits in here", "a@example.com", Policy({{"requireNumbers", true}}), {"a digit"}},
      {"requireNumbers met", "one digit 7 here", "a@example.com", Policy({{"requireNumbers", true}}), {}},
      {"requireSpecial",
       "no special chars",
       "a@example.com",
       Policy({{"requireSpecial", true}}),
       {"one of the special characters !@#$%^&*"}},
      // Only !@#$%^&* count: the clients' regular expression.
      {"requireSpecial: other punctuation does not count",
       "dots.and-dashes_",
       "a@example.com",
       Policy({{"requireSpecial", true}}),
       {"one of the special characters !@#$%^&*"}},
      {"requireSpecial met", "caret^in the middle", "a@example.com", Policy({{"requireSpecial", true}}), {}},
      {"minComplexity: a common password",
       "password1234",
       "a@example.com",
       Policy({{"minComplexity", 3}}),
       {"strength 3 of 4 (it scores 0)"}},
      {"minComplexity met", "kX9#mQ2!vL7@pR4z", "a@example.com", Policy({{"minComplexity", 4}}), {}},
      {"minComplexity 0 asks nothing", "password1234", "a@example.com", Policy({{"minComplexity", 0}}), {}},
      // The e-mail's local part is a user input: a password built from the member's name is weak
      // for them and strong for someone else.
      {"minComplexity with the e-mail's words",
       "eleanor.vandermeer1",
       "Eleanor.Vandermeer@example.com",
       Policy({{"minComplexity", 3}}),
       {"strength 3 of 4 (it scores 1)"}},
      {"the same password for another member",
       "eleanor.vandermeer1",
       "someone@example.com",
       Policy({{"minComplexity", 3}}),
       {}},
      {"Bitwarden's own words are user inputs",
       "bitwarden1234",
       "a@example.com",
       Policy({{"minComplexity", 1}}),
       {"strength 1 of 4 (it scores 0)"}},
      {"every requirement at once",
       "short",
       "a@example.com",
       Policy({{"minComplexity", 4},
               {"minLength", 16},
               {"requireUpper", true},
               {"requireLower", false},
               {"requireNumbers", true},
               {"requireSpecial", true}}),
       {"strength 4 of 4 (it scores 0)", "at least 16 characters", "an upper-case letter", "a digit",
        "one of the special characters !@#$%^&*"}},
      // Lengths count UTF-16 code units, as JavaScript does: an emoji is two.
      {"a character outside the BMP counts twice",
       "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98"
       "\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80",
       "a@example.com",
       std::nullopt,
       {}},
      {"accented letters count once",
       "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3"
       "\xa9\xc3\xa9",
       "a@example.com",
       std::nullopt,
       {"at least 12 characters"}},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(UnmetRequirements(c.password, c.email, c.policy), c.unmet) << c.name;
    const Status checked = CheckNewMasterPassword(c.password, c.email, c.policy);
    EXPECT_EQ(checked.ok(), c.unmet.empty()) << c.name;
    if (!checked.ok()) {
      EXPECT_EQ(checked.code(), ErrorCode::kInvalidArgument) << c.name;
      EXPECT_EQ(checked.message().find(c.password), std::string::npos) << c.name << ": the password is shown";
      EXPECT_NE(checked.message().find("nothing was sent"), std::string::npos) << c.name;
    }
  }
}

TEST(PasswordPolicyTest, ScoresAreZxcvbnsFiveLevels) {
  EXPECT_EQ(PasswordStrengthScore("", "a@example.com"), 0);
  EXPECT_EQ(PasswordStrengthScore("password", "a@example.com"), 0);
  EXPECT_EQ(PasswordStrengthScore("Tr0ub4dour&3", "a@example.com"), 3);
  EXPECT_EQ(PasswordStrengthScore("correct horse battery staple", "a@example.com"), 4);
  // Only the first 256 characters are scored; a long tail cannot make it weaker or fail.
  EXPECT_EQ(PasswordStrengthScore("kX9#mQ2!vL7@pR4z" + std::string(5000, 'a'), "a@example.com"), 4);
}

TEST(PasswordPolicyTest, PoliciesCombineAsTheClientsCombineThem) {
  const nlohmann::json policies = nlohmann::json::parse(R"([
    {"type": 1, "enabled": true, "data": {"minComplexity": 2, "minLength": 16, "requireUpper": true}},
    {"type": 1, "enabled": true, "data": {"minComplexity": 4, "minLength": null, "requireNumbers": true}},
    {"type": 1, "enabled": false, "data": {"minLength": 40, "requireSpecial": true}},
    {"type": 1, "enabled": true, "data": null},
    {"type": 8, "enabled": true, "data": {"autoEnrollEnabled": true}}
  ])");
  const std::optional<MasterPasswordPolicy> combined = CombineMasterPasswordPolicies(policies);
  ASSERT_TRUE(combined.has_value());
  EXPECT_EQ(combined->min_complexity, 4);
  EXPECT_EQ(combined->min_length, 16);
  EXPECT_TRUE(combined->require_upper);
  EXPECT_FALSE(combined->require_lower);
  EXPECT_TRUE(combined->require_numbers);
  EXPECT_FALSE(combined->require_special);

  // Field names in any case, as the API's model binding reads them.
  const auto pascal = CombineMasterPasswordPolicies(
      nlohmann::json::parse(R"([{"Type": 1, "Enabled": true, "Data": {"MinLength": 20, "RequireLower": true}}])"));
  ASSERT_TRUE(pascal.has_value());
  EXPECT_EQ(pascal->min_length, 20);
  EXPECT_TRUE(pascal->require_lower);

  EXPECT_FALSE(CombineMasterPasswordPolicies(nlohmann::json::array()).has_value());
  EXPECT_FALSE(CombineMasterPasswordPolicies(nlohmann::json::parse(R"([{"type": 1, "enabled": false, "data": {}}])"))
                   .has_value());
  EXPECT_FALSE(CombineMasterPasswordPolicies(nlohmann::json()).has_value());
  // Nonsense values do not turn into requirements.
  const MasterPasswordPolicy odd = Policy({{"minLength", -5}, {"minComplexity", "4"}, {"requireUpper", "yes"}});
  EXPECT_EQ(odd.min_length, 0);
  EXPECT_EQ(odd.min_complexity, 0);
  EXPECT_FALSE(odd.require_upper);
}

}  // namespace
}  // namespace keywarden::cli::admin
