// The admin command line's pure parts: the names an administrator types, the session file's
// contents and mode, and how a report prints. (Its verbs against a server: e2e/admin_cli_test.cc.)
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "cli/admin/lookup.h"
#include "cli/admin/report.h"
#include "cli/admin/server_api.h"
#include "cli/admin/session.h"
#include "support/temp_dir.h"

namespace keywarden::cli::admin {
namespace {

TEST(AdminLookupTest, PolicyTypesByNumberOrName) {
  EXPECT_EQ(*ParsePolicyType("0"), 0);
  EXPECT_EQ(*ParsePolicyType("two-step-login"), 0);
  EXPECT_EQ(*ParsePolicyType("Single-Org"), 3);
  EXPECT_EQ(*ParsePolicyType("personal-ownership"), 5);
  EXPECT_EQ(*ParsePolicyType("account-recovery"), 8);
  EXPECT_EQ(*ParsePolicyType("vault-timeout"), 9);
  EXPECT_EQ(*ParsePolicyType("disable-export"), 10);
  EXPECT_EQ(PolicyTypeName(1), "master-password");
  const auto bad = ParsePolicyType("frobnicate");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(ParsePolicyType("").ok());
  EXPECT_FALSE(ParsePolicyType("-1").ok());
  EXPECT_FALSE(ParsePolicyType("100").ok());
}

TEST(AdminLookupTest, MemberTypesAndPermissions) {
  EXPECT_EQ(*ParseMemberType("owner"), 0);
  EXPECT_EQ(*ParseMemberType("Admin"), 1);
  EXPECT_EQ(*ParseMemberType("user"), 2);
  EXPECT_EQ(*ParseMemberType("custom"), 4);
  EXPECT_FALSE(ParseMemberType("manager").ok());
  EXPECT_EQ(MemberStatusName(-1), "revoked");
  EXPECT_EQ(MemberStatusName(1), "accepted");

  const auto permissions = ParsePermissions({"manageUsers", "access-event-logs"});
  ASSERT_TRUE(permissions.ok());
  EXPECT_EQ((*permissions)["manageUsers"], true);
  EXPECT_EQ((*permissions)["accessEventLogs"], true);
  EXPECT_EQ((*permissions)["managePolicies"], false);
  EXPECT_FALSE(ParsePermissions({"fly"}).ok());
}

TEST(AdminLookupTest, MemberDecryptionByNumberOrName) {
  EXPECT_EQ(*ParseMemberDecryption("master-password"), 0);
  EXPECT_EQ(*ParseMemberDecryption("Key-Connector"), 1);
  EXPECT_EQ(*ParseMemberDecryption("trusted_devices"), 2);
  EXPECT_EQ(*ParseMemberDecryption("2"), 2);
  EXPECT_EQ(MemberDecryptionName(1), "key-connector");
  EXPECT_EQ(MemberDecryptionName(7), "7");
  for (const char* bad : {"", "3", "-1", "sso", "12"}) {
    const auto parsed = ParseMemberDecryption(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().code(), ErrorCode::kInvalidArgument);
  }
}

TEST(AdminLookupTest, GuidsAreRecognisedAndLowerCased) {
  EXPECT_EQ(AsGuid("6F8C5A52-0C7C-4C7A-9D0E-3B1D2A9E4F10").value_or(""), "6f8c5a52-0c7c-4c7a-9d0e-3b1d2a9e4f10");
  EXPECT_FALSE(AsGuid("Acme").has_value());
}

TEST(AdminServerUrlTest, HttpsOrLoopbackOnly) {
  EXPECT_EQ(*NormalizeServerUrl("https://vault.example.com/"), "https://vault.example.com");
  EXPECT_EQ(*NormalizeServerUrl("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
  EXPECT_FALSE(NormalizeServerUrl("http://vault.example.com").ok());
  EXPECT_FALSE(NormalizeServerUrl("https://vault.example.com/api").ok());
  EXPECT_FALSE(NormalizeServerUrl("vault.example.com").ok());
}

TEST(AdminSessionTest, RoundTripsWithMode0600) {
  testing::TempDir dir;
  const std::string path = dir.File("nested/admin-session.json");
  Session session;
  session.server = "https://vault.example.com";
  session.email = "admin@example.com";
  session.kdf = KdfConfig::Argon2id(3, 64, 4);
  session.salt = "admin@example.com";
  session.access_token = "a.b.c";
  session.refresh_token = "refresh";
  session.access_token_expires = 1234;
  ASSERT_TRUE(SaveSession(path, session).ok());
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);

  const auto loaded = LoadSession(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->server, session.server);
  EXPECT_EQ(loaded->kdf, session.kdf);
  EXPECT_EQ(loaded->refresh_token, "refresh");
  EXPECT_EQ(loaded->access_token_expires, 1234);

  ASSERT_TRUE(RemoveSession(path).ok());
  EXPECT_EQ(LoadSession(path).status().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(RemoveSession(path).ok());
}

TEST(AdminSessionTest, ACorruptFileIsRefused) {
  testing::TempDir dir;
  const std::string path = dir.Write("session.json", "not json");
  EXPECT_EQ(LoadSession(path).status().code(), ErrorCode::kInvalidArgument);
}

TEST(AdminReportTest, ListsAsTablesRecordsAsLinesJsonAsOneObject) {
  Report list;
  list.list_field = "members";
  list.columns = {{"email", "EMAIL"}, {"type", "TYPE"}};
  list.json["members"] = {{{"email", "a@example.com"}, {"type", "owner"}},
                          {{"email", "bé@example.com"}, {"type", "user"}}};
  EXPECT_EQ(RenderReport(list, false),
            "EMAIL           TYPE\n"
            "a@example.com   owner\n"
            "bé@example.com  user\n");
  EXPECT_EQ(RenderReport(list, true).back(), '\n');
  EXPECT_EQ(nlohmann::json::parse(RenderReport(list, true))["members"].size(), 2u);

  Report empty;
  empty.list_field = "members";
  empty.json["members"] = nlohmann::ordered_json::array();
  EXPECT_EQ(RenderReport(empty, false), "(none)\n");

  Report record;
  record.json = {{"id", "x"}, {"enabled", true}};
  EXPECT_EQ(RenderReport(record, false), "id: x\nenabled: true\n");
}

}  // namespace
}  // namespace keywarden::cli::admin
