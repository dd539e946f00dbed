// `keywarden admin` against a real `keywarden server serve` process over TLS: every verb is a
// separate run of the built binary, as an administrator would type it. What is checked is what
// the server and the members' own clients then see: the session file's contents and mode, an
// organisation a second account's sync can open, the server's refusals and local input errors
// each as one line on stderr with a non-zero exit.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "e2e/child_process.h"
#include "e2e/server_process.h"
#include "keywarden/crypto/asymmetric_enc_string.h"
#include "keywarden/crypto/encoding.h"
#include "keywarden/crypto/fingerprint.h"
#include "keywarden/keys/account.h"
#include "keywarden/keys/organization.h"

namespace keywarden::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// A failure as the admin verbs report it: nothing on stdout, one line on stderr.
void ExpectOneLineFailure(const CliResult& result, int exit_code, const std::string& contains) {
  EXPECT_EQ(result.exit_code, exit_code) << result.err;
  EXPECT_EQ(result.out, "");
  ASSERT_FALSE(result.err.empty());
  EXPECT_EQ(result.err.find('\n'), result.err.size() - 1) << "more than one line: " << result.err;
  EXPECT_TRUE(result.err.starts_with("keywarden: admin ")) << result.err;
  EXPECT_NE(result.err.find(contains), std::string::npos) << result.err;
}

class AdminCliTest : public SharedServerTest<AdminCliTest> {
 protected:
  // An account registered on the server, with its password in a file for --password-file.
  struct Admin {
    TestAccount account;
    std::unique_ptr<TempFile> password_file;
    std::string session_file;
  };

  Admin NewAdmin(const std::string& email) {
    Admin admin;
    admin.account = server_->NewUser(email);
    admin.password_file = std::make_unique<TempFile>(admin.account.password + "\n");
    admin.session_file = dir_.File(email + ".session.json");
    return admin;
  }

  CliResult Login(const Admin& admin) {
    return RunCli({"admin", "login", "--server", server_->url(), "--ca-file", server_->ca_file(), "--email",
                   admin.account.email, "--password-file", admin.password_file->path(), "--session-file",
                   admin.session_file, "--json"});
  }

  // `keywarden admin <args> --session-file <admin's> --json`.
  CliResult AdminRun(const Admin& admin, std::vector<std::string> args) {
    args.insert(args.begin(), "admin");
    args.insert(args.end(), {"--session-file", admin.session_file, "--json"});
    return RunCli(args);
  }
  nlohmann::json AdminOk(const Admin& admin, std::vector<std::string> args) {
    return SuccessJson(AdminRun(admin, args));
  }

  // The organisation key as `account`'s own client opens it from its sync; null when it cannot.
  std::unique_ptr<SymmetricKey> OpenedKey(const TestAccount& account, const std::string& organization_id) {
    const TestResponse sync = server_->Send("GET", "/api/sync?excludeDomains=true", "", account.access_token);
    EXPECT_EQ(sync.status, 200) << sync.body;
    const nlohmann::json profile = sync.json()["profile"];
    auto user_key =
        UnlockWithPassword(account.password, account.email, TestKdf(), *EncString::Parse(profile.value("key", "")));
    if (!user_key.ok()) return nullptr;
    auto private_key = DecryptPrivateKey(*user_key, *EncString::Parse(profile.value("privateKey", "")));
    if (!private_key.ok()) return nullptr;
    for (const auto& organization : profile["organizations"]) {
      if (organization.value("id", "") != organization_id || !organization["key"].is_string()) continue;
      auto shared = AsymmetricEncString::Parse(organization["key"].get<std::string>());
      if (!shared.ok()) return nullptr;
      auto opened = OpenOrganizationKey(*shared, *private_key);
      if (!opened.ok()) return nullptr;
      return std::make_unique<SymmetricKey>(*std::move(opened));
    }
    return nullptr;
  }

  TempDir dir_;
};

TEST_F(AdminCliTest, PasswordLoginKeepsTokensInA0600FileAndNoKey) {
  const Admin alice = NewAdmin("alice@example.com");
  const nlohmann::json login = SuccessJson(Login(alice));
  EXPECT_EQ(login.value("email", ""), alice.account.email);
  EXPECT_EQ(login.value("user_id", ""), alice.account.id);

  struct stat info {};
  ASSERT_EQ(::stat(alice.session_file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);

  const std::string session = ReadFile(alice.session_file);
  const nlohmann::json saved = nlohmann::json::parse(session);
  EXPECT_FALSE(saved.value("access_token", "").empty());
  EXPECT_FALSE(saved.value("refresh_token", "").empty());
  // No key material: not the user key, not the wrapped keys, not the password or its hash.
  const nlohmann::json profile =
      server_->Send("GET", "/api/sync?excludeDomains=true", "", alice.account.access_token).json()["profile"];
  auto user_key = UnlockWithPassword(alice.account.password, alice.account.email, TestKdf(),
                                     *EncString::Parse(profile.value("key", "")));
  ASSERT_TRUE(user_key.ok());
  const std::string user_key_base64 = Base64Encode(user_key->bytes().span());
  EXPECT_EQ(session.find(user_key_base64.substr(0, 24)), std::string::npos);
  EXPECT_EQ(session.find(profile.value("key", "").substr(2, 24)), std::string::npos);
  EXPECT_EQ(session.find(profile.value("privateKey", "").substr(2, 24)), std::string::npos);
  EXPECT_EQ(session.find(alice.account.password), std::string::npos);
  EXPECT_EQ(session.find(alice.account.client_hash), std::string::npos);
  for (const char* field : {"key", "private_key", "privateKey", "user_key", "password"}) {
    EXPECT_FALSE(saved.contains(field)) << field;
  }

  const nlohmann::json organizations = AdminOk(alice, {"organization", "list"});
  EXPECT_TRUE(organizations["organizations"].empty());

  SuccessJson(AdminRun(alice, {"logout"}));
  EXPECT_NE(::stat(alice.session_file.c_str(), &info), 0);
  ExpectOneLineFailure(AdminRun(alice, {"organization", "list"}), 1, "not logged in");
}

TEST_F(AdminCliTest, ApiKeyLoginUsesTheClientCredentialsGrant) {
  const Admin carol = NewAdmin("carol@example.com");
  const TestResponse key = server_->Post("/api/accounts/api-key", {{"masterPasswordHash", carol.account.client_hash}},
                                         carol.account.access_token);
  ASSERT_EQ(key.status, 200) << key.body;
  const std::vector<std::string> env =
      ChildEnvironment({"BW_CLIENTID=user." + carol.account.id, "BW_CLIENTSECRET=" + key.json().value("apiKey", "")});
  const CliResult login = RunCliWithEnv({"admin", "login", "--api-key", "--server", server_->url(), "--ca-file",
                                         server_->ca_file(), "--session-file", carol.session_file, "--json"},
                                        env);
  EXPECT_EQ(SuccessJson(login).value("email", ""), carol.account.email);
  const nlohmann::json saved = nlohmann::json::parse(ReadFile(carol.session_file));
  EXPECT_EQ(saved.value("client_id", ""), "user." + carol.account.id);
  EXPECT_EQ(ReadFile(carol.session_file).find(key.json().value("apiKey", "")), std::string::npos);
  // The KDF came with the token: keys can be derived from the password later.
  EXPECT_TRUE(saved["kdf"].is_object());

  const nlohmann::json created = AdminOk(carol, {"organization", "create", "--name", "Carol's"});
  EXPECT_FALSE(created.value("id", "").empty());

  const CliResult wrong =
      RunCliWithEnv({"admin", "login", "--api-key", "--server", server_->url(), "--ca-file", server_->ca_file(),
                     "--session-file", carol.session_file},
                    ChildEnvironment({"BW_CLIENTID=user." + carol.account.id, "BW_CLIENTSECRET=not-the-secret"}));
  ExpectOneLineFailure(wrong, 1, "client_id or client_secret is incorrect");
}

TEST_F(AdminCliTest, CreatesAnOrganisationAndConfirmsAMemberWhoseClientOpensItsKey) {
  const Admin owner = NewAdmin("owner@example.com");
  const TestAccount bob = server_->NewUser("bob@example.com");
  SuccessJson(Login(owner));

  const nlohmann::json created =
      AdminOk(owner, {"organization", "create", "--name", "Acme", "--collection-name", "Everyone"});
  const std::string organization_id = created.value("id", "");
  ASSERT_FALSE(organization_id.empty());
  EXPECT_EQ(created.value("name", ""), "Acme");
  const nlohmann::json listed = AdminOk(owner, {"organization", "list"});
  ASSERT_EQ(listed["organizations"].size(), 1u);
  EXPECT_EQ(listed["organizations"][0].value("role", ""), "owner");
  // The owner's own client opens the key the command made.
  const std::unique_ptr<SymmetricKey> owner_key = OpenedKey(owner.account, organization_id);
  ASSERT_NE(owner_key, nullptr);

  const nlohmann::json invited =
      AdminOk(owner, {"member", "invite", "--organization", "acme", "--email", bob.email, "--type", "user"});
  ASSERT_EQ(invited["members"].size(), 1u);
  EXPECT_EQ(invited["members"][0].value("status", ""), "accepted");  // an existing account, no mail server
  EXPECT_EQ(OpenedKey(bob, organization_id), nullptr);

  const nlohmann::json confirmed = AdminOk(owner, {"member", "confirm", "--organization", organization_id, "--member",
                                                   bob.email, "--password-file", owner.password_file->path()});
  const TestResponse bob_key = server_->Send("GET", "/api/users/" + bob.id + "/public-key", "", bob.access_token);
  auto expected = FingerprintPhrase(bob.id, *RsaPublicKey::FromBase64(bob_key.json().value("publicKey", "")));
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(confirmed.value("fingerprint", ""), *expected);

  const std::unique_ptr<SymmetricKey> opened = OpenedKey(bob, organization_id);
  ASSERT_NE(opened, nullptr) << "bob's sync does not open the organisation key";
  EXPECT_TRUE(opened->bytes().Equals(owner_key->bytes().span()));

  const nlohmann::json members = AdminOk(owner, {"member", "list", "--organization", "Acme"});
  ASSERT_EQ(members["members"].size(), 2u);
  for (const auto& member : members["members"]) EXPECT_EQ(member.value("status", ""), "confirmed");

  // Confirming twice, and with a wrong password, are refused in one line.
  ExpectOneLineFailure(AdminRun(owner, {"member", "confirm", "--organization", "Acme", "--member", bob.email,
                                        "--password-file", owner.password_file->path()}),
                       1, "already confirmed");
  const Admin dave = NewAdmin("dave@example.com");
  AdminOk(owner, {"member", "invite", "--organization", "Acme", "--email", dave.account.email, "--type", "user"});
  TempFile wrong_password("not the password\n");
  ExpectOneLineFailure(AdminRun(owner, {"member", "confirm", "--organization", "Acme", "--member", dave.account.email,
                                        "--password-file", wrong_password.path()}),
                       1, "wrong password");
  ExpectOneLineFailure(
      AdminRun(owner, {"member", "confirm", "--organization", "Acme", "--member", dave.account.email, "--password-file",
                       owner.password_file->path(), "--expect-fingerprint", "not-the-phrase"}),
      1, "fingerprint");
  EXPECT_EQ(OpenedKey(dave.account, organization_id), nullptr);

  // Revoke, restore, remove.
  EXPECT_EQ(AdminOk(owner, {"member", "revoke", "--organization", "Acme", "--member", bob.email}).value("status", ""),
            "revoked");
  EXPECT_EQ(AdminOk(owner, {"member", "restore", "--organization", "Acme", "--member", bob.email}).value("status", ""),
            "confirmed");
  EXPECT_EQ(AdminOk(owner, {"member", "remove", "--organization", "Acme", "--member", bob.email}).value("status", ""),
            "removed");
  EXPECT_EQ(OpenedKey(bob, organization_id), nullptr);
}

TEST_F(AdminCliTest, SetTypeChangesRolesAndItsRefusalsAreOneLine) {
  const Admin owner = NewAdmin("set-type-owner@example.com");
  const Admin erin = NewAdmin("erin@example.com");
  SuccessJson(Login(owner));
  SuccessJson(Login(erin));
  AdminOk(owner, {"organization", "create", "--name", "Roles"});
  AdminOk(owner, {"member", "invite", "--organization", "Roles", "--email", erin.account.email, "--type", "user"});
  AdminOk(owner, {"member", "confirm", "--organization", "Roles", "--member", erin.account.email, "--password-file",
                  owner.password_file->path()});

  const nlohmann::json custom = AdminOk(owner, {"member", "set-type", "--organization", "Roles", "--member",
                                                erin.account.email, "--type", "custom", "--permission", "manageUsers"});
  EXPECT_EQ(custom.value("type", ""), "custom");
  EXPECT_EQ(custom["permissions"].value("manageUsers", false), true);

  // The only owner cannot step down; a member who manages users cannot touch an owner.
  ExpectOneLineFailure(AdminRun(owner, {"member", "set-type", "--organization", "Roles", "--member",
                                        owner.account.email, "--type", "user"}),
                       1, "the server refused");
  ExpectOneLineFailure(AdminRun(erin, {"member", "set-type", "--organization", "Roles", "--member", owner.account.email,
                                       "--type", "user"}),
                       1, "");
  // Local input errors: exit 2, before any request.
  ExpectOneLineFailure(AdminRun(owner, {"member", "set-type", "--organization", "Roles", "--member", erin.account.email,
                                        "--type", "manager"}),
                       2, "not a member type");
  ExpectOneLineFailure(AdminRun(owner, {"member", "set-type", "--organization", "Roles", "--member", erin.account.email,
                                        "--type", "user", "--permission", "manageUsers"}),
                       2, "only to --type custom");
  ExpectOneLineFailure(AdminRun(owner, {"member", "set-type", "--organization", "Roles", "--member", erin.account.email,
                                        "--type", "custom", "--permission", "fly"}),
                       2, "not a permission");
}

TEST_F(AdminCliTest, SetsAndListsPolicies) {
  const Admin owner = NewAdmin("policy-owner@example.com");
  SuccessJson(Login(owner));
  AdminOk(owner, {"organization", "create", "--name", "Policies"});

  const nlohmann::json single =
      AdminOk(owner, {"policy", "set", "--organization", "Policies", "--type", "single-org", "--enabled", "true"});
  EXPECT_EQ(single.value("type", -1), 3);
  EXPECT_EQ(single.value("enabled", false), true);
  const nlohmann::json password =
      AdminOk(owner, {"policy", "set", "--organization", "Policies", "--type", "1", "--enabled", "true", "--data",
                      R"({"minLength": 14, "requireUpper": true})"});
  EXPECT_EQ(password.value("name", ""), "master-password");
  EXPECT_EQ(password["data"].value("minLength", 0), 14);

  const nlohmann::json list = AdminOk(owner, {"policy", "list", "--organization", "Policies"});
  int enabled = 0;
  for (const auto& policy : list["policies"]) enabled += policy.value("enabled", false) ? 1 : 0;
  EXPECT_EQ(enabled, 2) << list.dump();

  // Both changes are in the event log (written off the request's path: wait for them, with a
  // deadline).
  int policy_events = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (policy_events < 2 && std::chrono::steady_clock::now() < deadline) {
    const nlohmann::json events = AdminOk(owner, {"events", "--organization", "Policies"});
    policy_events = 0;
    for (const auto& event : events["events"]) policy_events += event.value("type", 0) == 1700 ? 1 : 0;
    if (policy_events < 2) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(policy_events, 2);

  ExpectOneLineFailure(
      AdminRun(owner, {"policy", "set", "--organization", "Policies", "--type", "no-such-policy", "--enabled", "true"}),
      2, "not a policy type");
  ExpectOneLineFailure(
      AdminRun(owner, {"policy", "set", "--organization", "Policies", "--type", "single-org", "--enabled", "yes"}), 2,
      "--enabled");
  ExpectOneLineFailure(AdminRun(owner, {"policy", "set", "--organization", "Policies", "--type", "master-password",
                                        "--enabled", "true", "--data", R"({"minLength": 3})"}),
                       1, "MinLength");
  ExpectOneLineFailure(AdminRun(owner, {"policy", "set", "--organization", "Policies", "--type", "master-password",
                                        "--enabled", "true", "--data", "not json"}),
                       2, "--data");
}

TEST_F(AdminCliTest, SetsSingleSignOnWithTheSecretFromAFileOrStdinOnly) {
  const Admin owner = NewAdmin("sso-owner@example.com");
  SuccessJson(Login(owner));
  const nlohmann::json created = AdminOk(owner, {"organization", "create", "--name", "Single Sign-On"});
  const std::string organization_id = created.value("id", "");
  ASSERT_FALSE(organization_id.empty()) << created.dump();

  const nlohmann::json before = AdminOk(owner, {"sso", "show", "--organization", "Single Sign-On"});
  EXPECT_EQ(before.value("configured", true), false);
  EXPECT_EQ(before.value("enabled", true), false);
  EXPECT_EQ(before.value("callback_url", ""), server_->url() + "/sso/oidc-signin");

  // The secret from standard input; the report says only that one is set.
  const std::string secret = "provider-secret-from-stdin";
  const CliResult set = RunCli({"admin",
                                "sso",
                                "set",
                                "--organization",
                                "Single Sign-On",
                                "--identifier",
                                "Acme-CLI",
                                "--authority",
                                "https://idp.example.com/realms/acme",
                                "--client-id",
                                "keywarden",
                                "--client-secret",
                                "-",
                                "--email-claims",
                                "upn,mail",
                                "--scopes",
                                "groups",
                                "--enabled",
                                "true",
                                "--session-file",
                                owner.session_file,
                                "--json"},
                               secret + "\n");
  const nlohmann::json saved = SuccessJson(set);
  EXPECT_EQ(set.out.find(secret), std::string::npos) << set.out;
  EXPECT_EQ(saved.value("enabled", false), true);
  EXPECT_EQ(saved.value("identifier", ""), "Acme-CLI");
  EXPECT_EQ(saved.value("client_secret_set", false), true);
  EXPECT_EQ(saved.value("email_claims", ""), "upn,mail");
  EXPECT_EQ(saved.value("member_decryption", ""), "master-password");
  const std::string path = "/api/organizations/" + organization_id + "/sso";
  TestResponse stored = server_->Send("GET", path, "", owner.account.access_token);
  ASSERT_EQ(stored.status, 200) << stored.body;
  EXPECT_EQ(stored.json()["data"].value("clientSecret", ""), secret);

  // One setting at a time: trusted devices keeps the rest, the secret included, and turns on
  // its policies.
  const nlohmann::json trusted =
      AdminOk(owner, {"sso", "set", "--organization", organization_id, "--decryption", "trusted-devices"});
  EXPECT_EQ(trusted.value("member_decryption", ""), "trusted-devices");
  EXPECT_EQ(trusted.value("authority", ""), "https://idp.example.com/realms/acme");
  stored = server_->Send("GET", path, "", owner.account.access_token);
  EXPECT_EQ(stored.json()["data"].value("clientSecret", ""), secret);
  const nlohmann::json policies = AdminOk(owner, {"policy", "list", "--organization", organization_id});
  std::set<int> enabled;
  for (const auto& policy : policies["policies"]) {
    if (policy.value("enabled", false)) enabled.insert(policy.value("type", -1));
  }
  EXPECT_EQ(enabled, (std::set<int>{3, 4, 8}));

  // A new secret from a file.
  TempFile secret_file("second-secret\n");
  AdminOk(owner, {"sso", "set", "--organization", organization_id, "--client-secret", "@" + secret_file.path()});
  stored = server_->Send("GET", path, "", owner.account.access_token);
  EXPECT_EQ(stored.json()["data"].value("clientSecret", ""), "second-secret");
  EXPECT_EQ(AdminOk(owner, {"sso", "show", "--organization", organization_id}).dump().find("second-secret"),
            std::string::npos);

  // Refusals: a secret on the command line and an unknown decryption type locally (2), the
  // server's field error (1), before anything changes.
  ExpectOneLineFailure(
      AdminRun(owner, {"sso", "set", "--organization", organization_id, "--client-secret", "in-the-clear"}), 2,
      "--client-secret");
  ExpectOneLineFailure(AdminRun(owner, {"sso", "set", "--organization", organization_id, "--decryption", "magic"}), 2,
                       "--decryption");
  ExpectOneLineFailure(
      AdminRun(owner, {"sso", "set", "--organization", organization_id, "--authority", "http://idp.example.com"}), 1,
      "Data.Authority");
  ExpectOneLineFailure(AdminRun(owner, {"sso", "set", "--organization", organization_id, "--decryption",
                                        "key-connector", "--key-connector-url", "http://kc.example.com"}),
                       1, "Data.KeyConnectorUrl");
  stored = server_->Send("GET", path, "", owner.account.access_token);
  EXPECT_EQ(stored.json()["data"].value("memberDecryptionType", -1), 2);
  EXPECT_EQ(stored.json()["data"].value("authority", ""), "https://idp.example.com/realms/acme");
}

TEST_F(AdminCliTest, BadInputIsOneLineAndNonZero) {
  const Admin frank = NewAdmin("frank@example.com");
  // Wrong password at login: the server's refusal.
  TempFile wrong_password("wrong\n");
  ExpectOneLineFailure(
      RunCli({"admin", "login", "--server", server_->url(), "--ca-file", server_->ca_file(), "--email",
              frank.account.email, "--password-file", wrong_password.path(), "--session-file", frank.session_file}),
      1, "incorrect");
  // A server that is not there.
  ExpectOneLineFailure(RunCli({"admin", "login", "--server", "http://127.0.0.1:" + std::to_string(FreePort()),
                               "--email", frank.account.email, "--password-file", frank.password_file->path(),
                               "--session-file", frank.session_file}),
                       1, "cannot connect");
  // Plain http to another machine, and a certificate nobody vouches for.
  ExpectOneLineFailure(RunCli({"admin", "login", "--server", "http://example.com", "--email", frank.account.email,
                               "--password-file", frank.password_file->path(), "--session-file", frank.session_file}),
                       2, "loopback");
  ExpectOneLineFailure(RunCli({"admin", "login", "--server", server_->url(), "--email", frank.account.email,
                               "--password-file", frank.password_file->path(), "--session-file", frank.session_file}),
                       1, "TLS");

  SuccessJson(Login(frank));
  ExpectOneLineFailure(AdminRun(frank, {"member", "list", "--organization", "No Such Org"}), 1, "no organization");
  ExpectOneLineFailure(AdminRun(frank, {"member", "list", "--organization", "6f8c5a52-0c7c-4c7a-9d0e-3b1d2a9e4f10"}), 1,
                       "no organization");
  AdminOk(frank, {"organization", "create", "--name", "Frank's"});
  ExpectOneLineFailure(AdminRun(frank, {"member", "revoke", "--organization", "Frank's", "--member", "nobody@x.org"}),
                       1, "no member");
  ExpectOneLineFailure(AdminRun(frank, {"organization", "list", "--server", "https://other.example"}), 2,
                       "the session is for");
}

TEST_F(AdminCliTest, PrintsTablesWithoutJson) {
  const Admin grace = NewAdmin("grace@example.com");
  SuccessJson(Login(grace));
  AdminOk(grace, {"organization", "create", "--name", "Tables"});
  const CliResult table =
      RunCli({"admin", "member", "list", "--organization", "Tables", "--session-file", grace.session_file});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_TRUE(table.out.starts_with("ID ")) << table.out;
  EXPECT_NE(table.out.find(grace.account.email), std::string::npos);
  EXPECT_NE(table.out.find("owner"), std::string::npos);
}

}  // namespace
}  // namespace keywarden::testing
