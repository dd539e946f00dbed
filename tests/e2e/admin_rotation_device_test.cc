// `keywarden admin rotate-user-key --with-device` end to end (issue 19), against a real
// `keywarden server serve` process over TLS: a trusted-devices member (no master password, no Key
// Connector) rotates their user key with the key one of their trusted devices hands over by
// approving a login-with-device request. The trusted device is played here with libkeywarden over
// the wire, as the web vault or the desktop app would: it lists the pending request, compares the
// fingerprint phrase the command line printed and approves with PUT /api/auth-requests/{id}.
// Afterwards the device still unlocks (its wrapped key opens the new user key with the device key
// it always had), the organisation's recovery enrolment opens to the new key, and the vault
// decrypts under it. And the refusals, each leaving everything as it was: no --with-device, no
// approval within the deadline, a denied request, an approval that carries another key.
//
// The member is written into the server's database as single sign-on provisions one (the
// in-process fixtures do the same): the e2e suite has no scripted web vault to log in through
// the identity provider, and nothing here depends on how the account came to be.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "auth/user_id.h"
#include "e2e/child_process.h"
#include "e2e/dev_server.h"
#include "e2e/server_process.h"
#include "keywarden/crypto/fingerprint.h"
#include "keywarden/keys/account.h"
#include "keywarden/keys/account_recovery.h"
#include "keywarden/keys/auth_request.h"
#include "keywarden/keys/organization.h"
#include "keywarden/keys/trusted_device.h"
#include "server/organizations/member_store.h"
#include "server/store/server_database.h"
#include "server/store/users.h"

namespace keywarden::testing {
namespace {

using namespace std::chrono_literals;

constexpr char kDevice[] = "member-laptop";  // the member's trusted device's identifier

void ExpectOneLineFailure(const CliResult& result, int exit_code, const std::string& contains) {
  EXPECT_EQ(result.exit_code, exit_code) << result.err;
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err.find('\n'), result.err.size() - 1) << "not one line: " << result.err;
  EXPECT_NE(result.err.find(contains), std::string::npos) << result.err;
}

// `enc` opened with `key`, as text; "" when it does not open.
std::string Open(const std::string& enc, const SymmetricKey& key) {
  auto parsed = EncString::Parse(enc);
  if (!parsed.ok()) return "";
  auto plain = parsed->Decrypt(key);
  return plain.ok() ? std::string(plain->view()) : std::string();
}

// The last line of `text` (the verb's failure, after the fingerprint line it printed first).
std::string LastLine(std::string text) {
  text = Trim(std::move(text));
  const std::size_t newline = text.rfind('\n');
  return newline == std::string::npos ? text : text.substr(newline + 1);
}

class AdminRotationDeviceTest : public SharedServerTest<AdminRotationDeviceTest> {
 protected:
  void Write(const std::function<Status(sql::Session&)>& work) {
    config::DatabaseSection section;
    section.sqlite_path = server_->database_file();
    auto database = server::OpenServerDatabase(section);
    ASSERT_TRUE(database.ok()) << database.status().ToString();
    const Status done = (*database)->Transact(work);
    ASSERT_TRUE(done.ok()) << done.ToString();
  }

  // The API-key grant of the member's trusted device (a Linux desktop app).
  std::string DeviceLogin() {
    const TestResponse login = server_->Token({{"grant_type", "client_credentials"},
                                               {"client_id", "user." + member_id_},
                                               {"client_secret", api_key_},
                                               {"scope", "api"},
                                               {"deviceType", "8"},
                                               {"deviceIdentifier", kDevice},
                                               {"deviceName", "linux"}});
    EXPECT_EQ(login.status, 200) << login.body;
    return login.json().value("access_token", "");
  }

  // A trusted-devices member of an organisation of the owner's with account recovery: keys, no
  // password, no user key on the server; enrolled; one trusted device, one folder, one note.
  void MakeMember() {
    owner_ = server_->NewUser("device-owner@example.com");
    owner_password_ = std::make_unique<TempFile>(owner_.password + "\n");
    const std::string owner_session = dir_.File("owner.session.json");
    SuccessJson(
        RunCli({"admin", "login", "--server", server_->url(), "--ca-file", server_->ca_file(), "--email", owner_.email,
                "--password-file", owner_password_->path(), "--session-file", owner_session, "--json"}));
    const auto owner = [&](std::vector<std::string> args) {
      args.insert(args.begin(), "admin");
      args.insert(args.end(), {"--session-file", owner_session, "--json"});
      return SuccessJson(RunCli(args));
    };
    organization_id_ = owner({"organization", "create", "--name", "Devices"}).value("id", "");
    ASSERT_FALSE(organization_id_.empty());
    owner({"policy", "set", "--organization", organization_id_, "--type", "single-org", "--enabled", "true"});
    owner({"policy", "set", "--organization", organization_id_, "--type", "account-recovery", "--enabled", "true",
           "--data", R"({"autoEnrollEnabled": false})"});
    const TestResponse public_key =
        server_->Send("GET", "/api/organizations/" + organization_id_ + "/public-key", "", owner_.access_token);
    ASSERT_EQ(public_key.status, 200) << public_key.body;
    auto org_public_key = RsaPublicKey::FromBase64(public_key.json().value("publicKey", ""));
    ASSERT_TRUE(org_public_key.ok());

    user_key_ = std::make_unique<SymmetricKey>(*SymmetricKey::Generate());
    auto private_key = RsaPrivateKey::Generate();
    ASSERT_TRUE(private_key.ok());
    server::store::User user;
    member_id_ = *auth::NewGuid();
    user.id = member_id_;
    user.email = email_;
    user.email_verified = true;
    user.salt = email_;
    user.security_stamp = *auth::NewGuid();
    api_key_ = "api-key-of-" + member_id_;
    user.api_key = api_key_;
    user.public_key = private_key->PublicKey().ToBase64();
    user.private_key = EncryptPrivateKey(*user_key_, *private_key)->ToString();
    user.creation_date = user.revision_date = user.account_revision_date = 1700000000000;
    server::organizations::Member member;
    member.id = *auth::NewGuid();
    member.organization_id = organization_id_;
    member.user_id = member_id_;
    member.status = server::organizations::MemberStatus::kAccepted;
    member.reset_password_key = EnrollAccountRecovery(*user_key_, *org_public_key)->ToString();
    member.creation_date = member.revision_date = 1700000000000;
    member_row_id_ = member.id;
    Write([&](sql::Session& session) -> Status {
      KW_RETURN_IF_ERROR(server::store::InsertUser(session, user));
      return server::organizations::InsertMember(session, member);
    });

    // The trusted device, trusted as the web vault trusts one.
    device_token_ = DeviceLogin();
    auto trusted = TrustDevice(*user_key_);
    ASSERT_TRUE(trusted.ok());
    device_ = std::make_unique<NewTrustedDevice>(*std::move(trusted));
    const nlohmann::json keys = {{"encryptedUserKey", device_->stored.encrypted_user_key.ToString()},
                                 {"encryptedPublicKey", device_->stored.encrypted_public_key.ToString()},
                                 {"encryptedPrivateKey", device_->stored.encrypted_private_key.ToString()}};
    ASSERT_EQ(server_->Send("PUT", std::string("/api/devices/") + kDevice + "/keys", keys.dump(), device_token_).status,
              200);
    const TestResponse folder = server_->Post(
        "/api/folders", {{"name", EncString::EncryptText(*user_key_, "Travel")->ToString()}}, device_token_);
    ASSERT_EQ(folder.status, 200) << folder.body;
    const TestResponse note = server_->Post("/api/ciphers",
                                            {{"type", 2},
                                             {"name", EncString::EncryptText(*user_key_, "Passport")->ToString()},
                                             {"notes", EncString::EncryptText(*user_key_, "number 1234")->ToString()},
                                             {"secureNote", {{"type", 0}}},
                                             {"favorite", false},
                                             {"reprompt", 0}},
                                            device_token_);
    ASSERT_EQ(note.status, 200) << note.body;

    // The member's command line logs in with the personal API key.
    session_file_ = dir_.File("member.session.json");
    SuccessJson(RunCliWithEnv({"admin", "login", "--api-key", "--server", server_->url(), "--ca-file",
                               server_->ca_file(), "--session-file", session_file_, "--json"},
                              ChildEnvironment({"BW_CLIENTID=user." + member_id_, "BW_CLIENTSECRET=" + api_key_})));
  }

  std::vector<std::string> RotateArgs(const std::vector<std::string>& extra) const {
    std::vector<std::string> args = {"admin", "rotate-user-key", "--session-file", session_file_, "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  // The device's view of a new pending request (one it has not seen in `seen`), waiting 30 s at
  // most for the command line to make it.
  nlohmann::json NextPendingRequest(std::set<std::string>& seen) {
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    std::string last;
    while (std::chrono::steady_clock::now() < deadline) {
      const TestResponse pending = server_->Send("GET", "/api/auth-requests/pending", "", device_token_);
      last = pending.body;
      EXPECT_EQ(pending.status, 200) << pending.body;
      const nlohmann::json list = pending.json();
      for (const auto& request : list["data"]) {
        if (seen.insert(request.value("id", "")).second) return request;
      }
      std::this_thread::sleep_for(200ms);
    }
    ADD_FAILURE() << "no pending auth request appeared within 30 s; the last list: " << last;
    return nlohmann::json::object();
  }

  // The device answers request `id`: approved with `key` encapsulated to the request's key, or
  // denied when `key` is null.
  void Answer(const nlohmann::json& request, const SymmetricKey* key) {
    nlohmann::json body = {{"deviceIdentifier", kDevice}, {"requestApproved", key != nullptr}, {"key", nullptr}};
    if (key != nullptr) {
      auto public_key = RsaPublicKey::FromBase64(request.value("publicKey", ""));
      ASSERT_TRUE(public_key.ok());
      body["key"] = ApproveAuthRequest(*public_key, *key)->ToString();
    }
    const TestResponse answered =
        server_->Send("PUT", "/api/auth-requests/" + request.value("id", ""), body.dump(), device_token_);
    ASSERT_EQ(answered.status, 200) << answered.body;
  }

  // The user key the trusted device unlocks with its device key, read as the device reads it
  // after a fresh login.
  SymmetricKey DeviceUserKey() {
    device_token_ = DeviceLogin();
    const TestResponse kept =
        server_->Send("POST", std::string("/api/devices/") + kDevice + "/retrieve-keys", "", device_token_);
    EXPECT_EQ(kept.status, 200) << kept.body;
    auto wrapped = AsymmetricEncString::Parse(kept.json().value("encryptedUserKey", ""));
    EXPECT_TRUE(wrapped.ok()) << kept.body;
    auto unlocked = UnlockTrustedDevice(device_->device_key, device_->stored.encrypted_private_key, *wrapped);
    EXPECT_TRUE(unlocked.ok()) << unlocked.status().message();
    return unlocked.ok() ? *std::move(unlocked) : *SymmetricKey::Generate();
  }

  TempDir dir_;
  const std::string email_ = "device.member@example.com";
  TestAccount owner_;
  std::unique_ptr<TempFile> owner_password_;
  std::string organization_id_;
  std::string member_id_;
  std::string member_row_id_;
  std::string api_key_;
  std::unique_ptr<SymmetricKey> user_key_;
  std::unique_ptr<NewTrustedDevice> device_;
  std::string device_token_;
  std::string session_file_;
};

TEST_F(AdminRotationDeviceTest, ATrustedDevicesMemberRotatesWithTheirDevicesApproval) {
  MakeMember();
  std::set<std::string> seen;

  // Without --with-device the verb says what it needs and asks nothing of anyone.
  ExpectOneLineFailure(RunCli(RotateArgs({})), 2, "give --with-device");

  // No approval within the deadline.
  const CliResult late = RunCli(RotateArgs({"--with-device", "--approval-timeout", "2"}));
  EXPECT_EQ(late.exit_code, 1) << late.err;
  EXPECT_EQ(late.out, "");
  EXPECT_EQ(LastLine(late.err),
            "keywarden: admin rotate-user-key: no device approved the request within 2 s; "
            "nothing changed");
  NextPendingRequest(seen);  // the one left unanswered

  // Denied on the device; then an approval carrying some other key. A child each, since the verb
  // waits for the answer.
  for (const bool deny : {true, false}) {
    ChildProcess rotation;
    ASSERT_TRUE(rotation.Spawn(RotateArgs({"--with-device", "--approval-timeout", "60"}), ChildEnvironment()));
    const nlohmann::json request = NextPendingRequest(seen);
    const SymmetricKey other = *SymmetricKey::Generate();
    Answer(request, deny ? nullptr : &other);
    EXPECT_EQ(rotation.WaitExit(60s), std::optional<int>(1)) << rotation.err();
    EXPECT_EQ(rotation.out(), "");
    EXPECT_NE(LastLine(rotation.err()).find(deny ? "the request was denied" : "not this account's user key"),
              std::string::npos)
        << rotation.err();
  }
  // Nothing changed: the device still opens the first user key.
  EXPECT_TRUE(DeviceUserKey().Equals(*user_key_));

  // The rotation: the device checks the phrase the command line shows, then approves.
  ChildProcess rotation;
  ASSERT_TRUE(rotation.Spawn(RotateArgs({"--with-device"}), ChildEnvironment()));
  const nlohmann::json request = NextPendingRequest(seen);
  auto request_key = RsaPublicKey::FromBase64(request.value("publicKey", ""));
  ASSERT_TRUE(request_key.ok());
  const std::string phrase = *FingerprintPhrase(email_, *request_key);
  ASSERT_TRUE(rotation.WaitForStderr(phrase, 30s)) << rotation.err();
  Answer(request, user_key_.get());
  ASSERT_EQ(rotation.WaitExit(60s), std::optional<int>(0)) << rotation.err();
  const nlohmann::json report = nlohmann::json::parse(rotation.out(), nullptr, false);
  ASSERT_TRUE(report.is_object()) << rotation.out();
  EXPECT_EQ(report.value("ciphers", 0), 1);
  EXPECT_EQ(report.value("folders", 0), 1);
  EXPECT_EQ(report.value("trusted_devices", 0), 1);
  EXPECT_EQ(report.value("account_recovery_enrolments", 0), 1);
  EXPECT_NE(report.value("unlock", "").find("trusted device"), std::string::npos) << report.dump();

  // The device unlocks the new user key with the device key it always had.
  const SymmetricKey new_user_key = DeviceUserKey();
  EXPECT_FALSE(new_user_key.Equals(*user_key_));

  // The vault and the private key open under it.
  const TestResponse sync = server_->Send("GET", "/api/sync", "", device_token_);
  ASSERT_EQ(sync.status, 200) << sync.body;
  const nlohmann::json vault = sync.json();
  EXPECT_TRUE(vault["profile"]["key"].is_null()) << "a trusted-devices account keeps no wrapped user key";
  EXPECT_TRUE(DecryptPrivateKey(new_user_key, *EncString::Parse(vault["profile"].value("privateKey", ""))).ok());
  ASSERT_EQ(vault["folders"].size(), 1U);
  EXPECT_EQ(Open(vault["folders"][0].value("name", ""), new_user_key), "Travel");
  ASSERT_EQ(vault["ciphers"].size(), 1U);
  EXPECT_EQ(Open(vault["ciphers"][0].value("notes", ""), new_user_key), "number 1234");

  // The organisation's administrators can still recover the member: the enrolment opens, with
  // the organisation's private key, to the new user key.
  const TestResponse details = server_->Send(
      "GET", "/api/organizations/" + organization_id_ + "/users/" + member_row_id_ + "/reset-password-details", "",
      owner_.access_token);
  ASSERT_EQ(details.status, 200) << details.body;
  const TestResponse owner_sync = server_->Send("GET", "/api/sync", "", owner_.access_token);
  ASSERT_EQ(owner_sync.status, 200) << owner_sync.body;
  const nlohmann::json owner_profile = owner_sync.json()["profile"];
  auto owner_user_key =
      UnlockWithPassword(owner_.password, owner_.email, TestKdf(), *EncString::Parse(owner_profile.value("key", "")));
  ASSERT_TRUE(owner_user_key.ok());
  auto owner_private_key = DecryptPrivateKey(*owner_user_key, *EncString::Parse(owner_profile.value("privateKey", "")));
  ASSERT_TRUE(owner_private_key.ok());
  std::string shared;
  for (const auto& organization : owner_profile["organizations"]) {
    if (organization.value("id", "") == organization_id_) shared = organization.value("key", "");
  }
  auto org_key = OpenOrganizationKey(*AsymmetricEncString::Parse(shared), *owner_private_key);
  ASSERT_TRUE(org_key.ok());
  auto org_private_key =
      OpenOrganizationPrivateKey(*org_key, *EncString::Parse(details.json().value("encryptedPrivateKey", "")));
  ASSERT_TRUE(org_private_key.ok());
  auto recovered =
      AsymmetricEncString::Parse(details.json().value("resetPasswordKey", ""))->DecapsulateKey(*org_private_key);
  ASSERT_TRUE(recovered.ok()) << recovered.status().message();
  EXPECT_TRUE(recovered->Equals(new_user_key));

  // Every session ended: the command line's too.
  const CliResult stale = RunCli(RotateArgs({"--with-device", "--approval-timeout", "2"}));
  EXPECT_EQ(stale.exit_code, 1);
  EXPECT_NE(stale.err.find("keywarden admin login"), std::string::npos) << stale.err;
}

}  // namespace
}  // namespace keywarden::testing
