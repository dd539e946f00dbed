// Organisations as the unmodified official Bitwarden CLI (2026.9.0) sees them, over TLS, against
// `keywarden server serve --dev`: the organisation is created and a member invited through the
// API as the web vault would (the CLI cannot do either), with the keys made by libkeywarden;
// then `bw list organizations`, `bw list org-members` and `bw confirm org-member` as the owner,
// and the confirmed member's own `bw` sees the organisation; `bw create org-collection`,
// `bw list org-collections`, an organisation item one member makes and the other decrypts,
// `bw move` and `bw edit item-collections`.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <vector>

#include "e2e/child_process.h"
#include "e2e/dev_server.h"
#include "e2e/official_cli.h"
#include "keywarden/crypto/enc_string.h"
#include "keywarden/crypto/kdf.h"
#include "keywarden/crypto/master_key.h"
#include "keywarden/keys/organization.h"
#include "support/https_test_client.h"
#include "support/server_client.h"
#include "support/skip.h"

namespace keywarden::testing {
namespace {

// What the web vault does over the API, as one account.
class WebClient {
 public:
  WebClient(const DevServer& server, std::string email, std::string password)
      : server_(server), email_(std::move(email)), password_(std::move(password)) {}

  TestResponse Call(const std::string& method, const std::string& path, const std::string& body = "") const {
    HttpsCall call;
    call.method = method;
    call.url = server_.url + path;
    call.ca_file = server_.ca_file;
    call.body = body;
    call.headers = {{"Content-Type", "application/json"}, {"Device-Type", "9"}};
    if (!token_.empty()) call.headers.emplace_back("Authorization", "Bearer " + token_);
    return SendHttps(call);
  }

  // Prelogin, the client's hash under the account's KDF, the password grant, the profile.
  bool LogIn() {
    const TestResponse prelogin =
        Call("POST", "/identity/accounts/prelogin/password", nlohmann::json{{"email", email_}}.dump());
    if (prelogin.status != 200) return false;
    const nlohmann::json kdf = prelogin.json()["kdfSettings"];
    const KdfConfig config = kdf["kdfType"] == 0 ? KdfConfig::Pbkdf2(kdf["iterations"].get<std::uint32_t>())
                                                 : KdfConfig::Argon2id(kdf["iterations"].get<std::uint32_t>(),
                                                                       kdf["memory"].get<std::uint32_t>(),
                                                                       kdf["parallelism"].get<std::uint32_t>());
    auto master_key = MasterKey::Derive(password_, email_, config);
    if (!master_key.ok()) return false;
    auto hash = master_key->ServerHash(password_);
    if (!hash.ok()) return false;
    HttpsCall call;
    call.method = "POST";
    call.url = server_.url + "/identity/connect/token";
    call.ca_file = server_.ca_file;
    call.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    call.body = FormEncode({{"grant_type", "password"},
                            {"username", email_},
                            {"password", *hash},
                            {"scope", "api offline_access"},
                            {"client_id", "web"},
                            {"deviceType", "9"},
                            {"deviceIdentifier", "web-" + email_},
                            {"deviceName", "chrome"}});
    const TestResponse token = SendHttps(call);
    if (token.status != 200) {
      ADD_FAILURE() << token.body;
      return false;
    }
    token_ = token.json().value("access_token", "");
    user_id_ = Call("GET", "/api/accounts/profile").json().value("id", "");
    return !token_.empty() && !user_id_.empty();
  }

  const std::string& user_id() const { return user_id_; }

 private:
  const DevServer& server_;
  std::string email_;
  std::string password_;
  std::string token_;
  std::string user_id_;
};

class ServerOfficialCliOrganizationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!OfficialCliInstalled()) {
      KW_SKIP_OR_FAIL_IN_CI(
          "the official Bitwarden CLI is not installed (scripts/setup installs it under tests/official_cli)");
    }
    ASSERT_TRUE(StartDevServer(server_));
  }

  // A fresh `bw` (its own state folder) pointed at the server and logged in; returns its session.
  std::string LogInWithBw(OfficialCli& cli, const std::string& email, const std::string& password) {
    const CliResult configured = cli.Run({"config", "server", server_.url});
    EXPECT_EQ(configured.exit_code, 0) << configured.out << configured.err;
    const CliResult login = cli.Run({"login", email, password, "--raw"});
    EXPECT_EQ(login.exit_code, 0) << login.out << login.err;
    return Trim(login.out);
  }

  CliResult Bw(OfficialCli& cli, const std::string& session, std::vector<std::string> args) {
    args.push_back("--session");
    args.push_back(session);
    CliResult result = cli.Run(args);
    EXPECT_EQ(result.exit_code, 0) << "bw " << args[0] << ": " << result.out << result.err;
    return result;
  }

  DevServer server_;
};

TEST_F(ServerOfficialCliOrganizationsTest, AnOwnerConfirmsAMemberWithTheOfficialCli) {
  // A second account, registered as the web vault does.
  const std::string member_email = "member@example.com";
  const std::string member_password = "password of " + member_email;
  WebClient anonymous(server_, "", "");
  const TestResponse registered = anonymous.Call("POST", "/identity/accounts/register/finish",
                                                 RegistrationBody(member_email, member_password).dump());
  ASSERT_EQ(registered.status, 200) << registered.body;

  // The owner's web vault creates the organisation and invites the member.
  WebClient owner(server_, server_.email, server_.password);
  ASSERT_TRUE(owner.LogIn());
  auto made = CreateOrganization();
  ASSERT_TRUE(made.ok());
  const nlohmann::json public_key = owner.Call("GET", "/api/users/" + owner.user_id() + "/public-key").json();
  auto owner_public = RsaPublicKey::FromBase64(public_key.value("publicKey", ""));
  ASSERT_TRUE(owner_public.ok());
  auto owner_key = ShareOrganizationKey(made->org_key, *owner_public);
  auto collection = EncString::EncryptText(made->org_key, "Default collection");
  ASSERT_TRUE(owner_key.ok() && collection.ok());
  nlohmann::json creation = nlohmann::json::object();
  creation["name"] = "Acme";
  creation["billingEmail"] = server_.email;
  creation["key"] = owner_key->ToString();
  creation["keys"] = {{"publicKey", made->public_key.ToBase64()},
                      {"encryptedPrivateKey", made->encrypted_private_key.ToString()}};
  creation["collectionName"] = collection->ToString();
  const TestResponse created = owner.Call("POST", "/api/organizations", creation.dump());
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string organization_id = created.json()["id"];
  const TestResponse invited = owner.Call(
      "POST", "/api/organizations/" + organization_id + "/users/invite",
      nlohmann::json{{"emails", {member_email}}, {"type", 2}, {"collections", nlohmann::json::array()}}.dump());
  ASSERT_EQ(invited.status, 200) << invited.body;

  // The owner's official CLI lists the organisation and its members, and confirms the member.
  OfficialCli owner_cli(server_.ca_file);
  const std::string owner_session = LogInWithBw(owner_cli, server_.email, server_.password);
  ASSERT_FALSE(owner_session.empty());
  const auto organizations = nlohmann::json::parse(Bw(owner_cli, owner_session, {"list", "organizations"}).out);
  ASSERT_EQ(organizations.size(), 1U) << organizations.dump();
  EXPECT_EQ(organizations[0]["name"], "Acme");
  EXPECT_EQ(organizations[0]["status"], 2);
  const auto members = nlohmann::json::parse(
      Bw(owner_cli, owner_session, {"list", "org-members", "--organizationid", organization_id}).out);
  std::string member_id;
  std::string owner_member_id;
  for (const auto& member : members) {
    if (member["email"] == member_email) {
      member_id = member["id"];
      EXPECT_EQ(member["status"], 1);  // accepted
    }
    if (member["email"] == server_.email) owner_member_id = member["id"];
  }
  ASSERT_FALSE(member_id.empty()) << members.dump();
  Bw(owner_cli, owner_session, {"confirm", "org-member", member_id, "--organizationid", organization_id});
  const CliResult again = owner_cli.Run(
      {"confirm", "org-member", member_id, "--organizationid", organization_id, "--session", owner_session});
  EXPECT_NE(again.exit_code, 0);  // "User is already confirmed."

  // The member's own official CLI now has the organisation, confirmed.
  OfficialCli member_cli(server_.ca_file);
  const std::string member_session = LogInWithBw(member_cli, member_email, member_password);
  ASSERT_FALSE(member_session.empty());
  const auto joined = nlohmann::json::parse(Bw(member_cli, member_session, {"list", "organizations"}).out);
  ASSERT_EQ(joined.size(), 1U) << joined.dump();
  EXPECT_EQ(joined[0]["id"], organization_id);
  EXPECT_EQ(joined[0]["status"], 2);
  EXPECT_EQ(joined[0]["type"], 2);

  // A collection for the member, made and listed with the owner's CLI (names encrypted under the
  // organisation key by the CLI itself).
  const nlohmann::json collection_request = {
      {"organizationId", organization_id},
      {"name", "Engineering"},
      {"externalId", nullptr},
      {"groups", nlohmann::json::array()},
      {"users",
       {{{"id", member_id}, {"readOnly", false}, {"hidePasswords", false}, {"manage", false}},
        {{"id", owner_member_id}, {"readOnly", false}, {"hidePasswords", false}, {"manage", true}}}}};
  const auto engineering = nlohmann::json::parse(
      Bw(owner_cli, owner_session,
         {"create", "org-collection", Encode(collection_request), "--organizationid", organization_id})
          .out);
  ASSERT_TRUE(engineering.contains("id")) << engineering.dump();
  const std::string engineering_id = engineering["id"];
  const auto collections = nlohmann::json::parse(
      Bw(owner_cli, owner_session, {"list", "org-collections", "--organizationid", organization_id}).out);
  std::string default_id;
  std::set<std::string> names;
  for (const auto& c : collections) {
    names.insert(c["name"].get<std::string>());
    if (c["name"] == "Default collection") default_id = c["id"];
  }
  EXPECT_EQ(names, (std::set<std::string>{"Default collection", "Engineering"}));
  ASSERT_FALSE(default_id.empty());

  // An organisation item made by the owner is decrypted by the member after a sync.
  Bw(owner_cli, owner_session, {"sync"});
  const nlohmann::json item = {
      {"type", 1},
      {"name", "Build server"},
      {"organizationId", organization_id},
      {"collectionIds", {engineering_id}},
      {"notes", nullptr},
      {"favorite", false},
      {"login", {{"username", "ci"}, {"password", "s3cret build"}, {"uris", nlohmann::json::array()}}},
      {"reprompt", 0}};
  const auto shared = nlohmann::json::parse(Bw(owner_cli, owner_session, {"create", "item", Encode(item)}).out);
  ASSERT_TRUE(shared.contains("id")) << shared.dump();
  Bw(member_cli, member_session, {"sync"});
  const auto seen = nlohmann::json::parse(Bw(member_cli, member_session, {"list", "items"}).out);
  ASSERT_EQ(seen.size(), 1U) << seen.dump();
  EXPECT_EQ(seen[0]["name"], "Build server");
  EXPECT_EQ(seen[0]["login"]["password"], "s3cret build");
  EXPECT_EQ(seen[0]["organizationId"], organization_id);

  // The member moves a personal item into the organisation (bw move re-encrypts it with the
  // organisation key); the owner reads it.
  const nlohmann::json personal = {
      {"type", 2},         {"name", "Runbook"}, {"notes", "restart the workers first"}, {"secureNote", {{"type", 0}}},
      {"favorite", false}, {"reprompt", 0}};
  const auto runbook = nlohmann::json::parse(Bw(member_cli, member_session, {"create", "item", Encode(personal)}).out);
  ASSERT_TRUE(runbook.contains("id")) << runbook.dump();
  const std::string runbook_id = runbook["id"];
  Bw(member_cli, member_session,
     {"move", runbook_id, organization_id, Encode(nlohmann::json::array({engineering_id}))});
  Bw(owner_cli, owner_session, {"sync"});
  const auto moved = nlohmann::json::parse(Bw(owner_cli, owner_session, {"get", "item", runbook_id}).out);
  EXPECT_EQ(moved["organizationId"], organization_id);
  EXPECT_EQ(moved["notes"], "restart the workers first");

  // The owner puts it in a second collection too.
  Bw(owner_cli, owner_session,
     {"edit", "item-collections", runbook_id, Encode(nlohmann::json::array({engineering_id, default_id})),
      "--organizationid", organization_id});
  Bw(owner_cli, owner_session, {"sync"});
  const auto edited = nlohmann::json::parse(Bw(owner_cli, owner_session, {"get", "item", runbook_id}).out);
  std::set<std::string> in;
  for (const auto& id : edited["collectionIds"]) in.insert(id.get<std::string>());
  EXPECT_EQ(in, (std::set<std::string>{engineering_id, default_id}));
}

}  // namespace
}  // namespace keywarden::testing
