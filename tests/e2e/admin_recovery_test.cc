// Account recovery end to end, against a real `keywarden server serve` process over TLS: members
// enrol with `keywarden admin account-recovery enrol` (as the web vault does), an administrator
// recovers them with `keywarden admin recover-account` (as the web admin console does), and the
// unmodified official CLI (2026.9.0) shows what the member then sees: the old session ends, a
// login with the temporary password is sent away with its forced-update message, and after
// `keywarden admin update-temp-password` the member's earlier items decrypt again. Also the
// refusals: a new password below the organisation's requirements (refused locally, nothing
// sent), enrolment with a wrong password or an unexpected organisation key, withdrawal under
// automatic enrolment, a member who has not enrolled. And a user-key rotation with `keywarden
// admin rotate-user-key` (issue 19): afterwards the member's trusted device still unlocks, an
// administrator can still recover them, and `bw` decrypts every item and folder.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "e2e/child_process.h"
#include "e2e/dev_server.h"
#include "e2e/official_cli.h"
#include "e2e/server_process.h"
#include "keywarden/crypto/fingerprint.h"
#include "keywarden/crypto/rsa.h"
#include "keywarden/keys/account.h"
#include "keywarden/keys/trusted_device.h"
#include "support/skip.h"

namespace keywarden::testing {
namespace {

// The organisation's master password requirements in these tests.
const nlohmann::json kRequirements = {
    {"minComplexity", 3}, {"minLength", 14}, {"requireUpper", true}, {"requireNumbers", true}};
// Passes kRequirements (zxcvbn score 4, upper case, digits, 25 characters).
constexpr char kTemporaryPassword[] = "Temporary-Otter-93-Fjord";
constexpr char kFinalPassword[] = "Final-Heron-58-Canyon-Plum";
// Long enough, upper case and digits, but zxcvbn scores it 0: refused by minComplexity.
constexpr char kWeakPassword[] = "Password12345678";

constexpr int kEnrolled = 1506;
constexpr int kRecovered = 1508;

// A failure as the admin verbs report it: nothing on stdout, one line on stderr.
void ExpectOneLineFailure(const CliResult& result, int exit_code, const std::string& contains) {
  EXPECT_EQ(result.exit_code, exit_code) << result.err;
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err.find('\n'), result.err.size() - 1) << "not one line: " << result.err;
  EXPECT_NE(result.err.find(contains), std::string::npos) << result.err;
}

bool Contains(const CliResult& result, const std::string& text) {
  return (result.out + result.err).find(text) != std::string::npos;
}

class AdminRecoveryTest : public SharedServerTest<AdminRecoveryTest> {
 protected:
  // A registered account with its password in a file and a session file of its own.
  struct Person {
    TestAccount account;
    std::unique_ptr<TempFile> password_file;
    std::string session_file;
  };

  Person NewPerson(const std::string& email) {
    Person person;
    person.account = server_->NewUser(email);
    person.password_file = std::make_unique<TempFile>(person.account.password + "\n");
    person.session_file = dir_.File(email + ".session.json");
    return person;
  }

  CliResult Login(const Person& person, const std::string& password_file) {
    return RunCli({"admin", "login", "--server", server_->url(), "--ca-file", server_->ca_file(), "--email",
                   person.account.email, "--password-file", password_file, "--session-file", person.session_file,
                   "--json"});
  }
  CliResult Run(const Person& person, std::vector<std::string> args, std::string_view input = {}) {
    args.insert(args.begin(), "admin");
    args.insert(args.end(), {"--session-file", person.session_file, "--json"});
    return RunCli(args, input);
  }
  nlohmann::json Ok(const Person& person, std::vector<std::string> args) {
    return SuccessJson(Run(person, std::move(args)));
  }

  // An organisation of `owner`'s with single organisation, account recovery (automatic enrolment
  // off) and kRequirements on, `members` invited and confirmed as users; returns its id.
  std::string MakeOrganization(const Person& owner, const std::string& name,
                               const std::vector<const Person*>& members) {
    const std::string id = Ok(owner, {"organization", "create", "--name", name}).value("id", "");
    EXPECT_FALSE(id.empty());
    Ok(owner, {"policy", "set", "--organization", id, "--type", "single-org", "--enabled", "true"});
    Ok(owner, {"policy", "set", "--organization", id, "--type", "account-recovery", "--enabled", "true", "--data",
               R"({"autoEnrollEnabled": false})"});
    Ok(owner, {"policy", "set", "--organization", id, "--type", "master-password", "--enabled", "true", "--data",
               kRequirements.dump()});
    for (const Person* member : members) {
      Ok(owner, {"member", "invite", "--organization", id, "--email", member->account.email, "--type", "user"});
      Ok(owner, {"member", "confirm", "--organization", id, "--member", member->account.email, "--password-file",
                 owner.password_file->path()});
    }
    return id;
  }

  // The member's entry in the organisation's member list, as the owner's API sees it.
  nlohmann::json MemberEntry(const Person& owner, const std::string& organization_id, const Person& member) {
    const TestResponse list =
        server_->Send("GET", "/api/organizations/" + organization_id + "/users", "", owner.account.access_token);
    EXPECT_EQ(list.status, 200) << list.body;
    const nlohmann::json members = list.json();
    for (const auto& entry : members["data"]) {
      if (entry.value("email", "") == member.account.email) return entry;
    }
    ADD_FAILURE() << member.account.email << " is not a member";
    return nlohmann::json::object();
  }
  bool Enrolled(const Person& owner, const std::string& organization_id, const Person& member) {
    return MemberEntry(owner, organization_id, member).value("resetPasswordEnrolled", false);
  }

  // How many events of `type` the organisation's log holds, waiting (with a deadline) until there
  // are at least `expected`: events are written off the request's path.
  int EventCount(const Person& owner, const std::string& organization_id, int type, int expected) {
    int count = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (true) {
      const nlohmann::json events = Ok(owner, {"events", "--organization", organization_id});
      count = 0;
      for (const auto& event : events["events"]) count += event.value("type", 0) == type ? 1 : 0;
      if (count >= expected || std::chrono::steady_clock::now() >= deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    // Written once, not once per retry: a moment more shows no second copy arriving.
    if (count == expected && expected > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      const nlohmann::json events = Ok(owner, {"events", "--organization", organization_id});
      count = 0;
      for (const auto& event : events["events"]) count += event.value("type", 0) == type ? 1 : 0;
    }
    return count;
  }

  // The KDF settings the server gives `email` at prelogin.
  nlohmann::json Prelogin(const std::string& email) {
    const TestResponse prelogin = server_->Post("/identity/accounts/prelogin/password", {{"email", email}});
    EXPECT_EQ(prelogin.status, 200) << prelogin.body;
    return prelogin.json()["kdfSettings"];
  }

  TempDir dir_;
};

TEST_F(AdminRecoveryTest, AnAdministratorRecoversAMemberWhoThenUsesTheOfficialCliAgain) {
  if (!OfficialCliInstalled()) {
    KW_SKIP_OR_FAIL_IN_CI("the official Bitwarden CLI is not installed (scripts/setup installs it)");
  }
  const Person owner = NewPerson("recovery-owner@example.com");
  const Person member = NewPerson("recovered.member@example.com");
  SuccessJson(Login(owner, owner.password_file->path()));
  SuccessJson(Login(member, member.password_file->path()));
  const std::string organization_id = MakeOrganization(owner, "Recoverable", {&member});
  const nlohmann::json kdf_before = Prelogin(member.account.email);

  // The member's own `bw`, with an item made before anything happens.
  OfficialCli bw(server_->ca_file());
  ASSERT_EQ(bw.Run({"config", "server", server_->url()}).exit_code, 0);
  const CliResult first_login = bw.Run({"login", member.account.email, member.account.password, "--raw"});
  ASSERT_EQ(first_login.exit_code, 0) << first_login.out << first_login.err;
  const std::string session = Trim(first_login.out);
  const nlohmann::json item = {
      {"type", 1},
      {"name", "Before the recovery"},
      {"notes", "kept through it"},
      {"favorite", false},
      {"reprompt", 0},
      {"login", {{"username", "member"}, {"password", "an earlier secret"}, {"uris", nlohmann::json::array()}}}};
  const CliResult created = bw.Run({"create", "item", Encode(item), "--session", session});
  ASSERT_EQ(created.exit_code, 0) << created.out << created.err;

  // The member enrols, as the web vault's toggle does.
  const nlohmann::json enrolled = Ok(member, {"account-recovery", "enrol", "--organization", "Recoverable",
                                              "--password-file", member.password_file->path()});
  EXPECT_EQ(enrolled.value("account_recovery", ""), "enrolled");
  EXPECT_TRUE(Enrolled(owner, organization_id, member));
  EXPECT_EQ(EventCount(owner, organization_id, kEnrolled, 1), 1);

  // A new password below the requirements is refused before anything is sent: the member's
  // password still works and no recovery is logged.
  TempFile weak(std::string(kWeakPassword) + "\n");
  ExpectOneLineFailure(Run(owner, {"recover-account", "--organization", "Recoverable", "--member", member.account.email,
                                   "--new-password", weak.arg(), "--password-file", owner.password_file->path()}),
                       2, "strength 3 of 4");
  EXPECT_EQ(server_->PasswordGrant(member.account, "still-valid").status, 200);
  const CliResult bw_still = bw.Run({"sync", "--session", session});
  EXPECT_EQ(bw_still.exit_code, 0) << bw_still.out << bw_still.err;

  // The recovery, the new password from standard input.
  const CliResult recovered = Run(owner,
                                  {"recover-account", "--organization", "Recoverable", "--member", member.account.email,
                                   "--new-password", "-", "--password-file", owner.password_file->path()},
                                  std::string(kTemporaryPassword) + "\n");
  const nlohmann::json report = SuccessJson(recovered);
  EXPECT_EQ(report.value("member", ""), member.account.email);
  EXPECT_EQ(report.value("organization_id", ""), organization_id);
  EXPECT_EQ(report.value("kdf", ""), "Argon2id, 2 iterations, 16 MiB, 1 lanes (kept)");
  EXPECT_EQ(report.value("two_step_login", ""), "unchanged");
  EXPECT_NE(report.value("events", "").find("1508"), std::string::npos);
  // The member keeps their KDF settings.
  EXPECT_EQ(Prelogin(member.account.email), kdf_before);

  // The member's existing session has ended: bw cannot sync any more.
  const CliResult bw_after = bw.Run({"sync", "--session", session});
  EXPECT_NE(bw_after.exit_code, 0) << "bw sync still works: " << bw_after.out << bw_after.err;
  bw.Run({"logout"});  // whatever state bw was left in

  // The old password no longer logs in; the temporary one does, and bw (which cannot replace a
  // temporary password) logs the member out with its message.
  EXPECT_EQ(server_->PasswordGrant(member.account, "old-password").status, 400);
  const CliResult forced = bw.Run({"login", member.account.email, kTemporaryPassword, "--raw"});
  EXPECT_NE(forced.exit_code, 0) << forced.out << forced.err;
  EXPECT_TRUE(Contains(forced, "An organization administrator recently changed your master password"))
      << forced.out << forced.err;

  // Nothing the recovery printed is a key or a password: not the new wrapped user key, not the
  // enrolment, not the organisation's private key, not the password.
  TempFile temporary(std::string(kTemporaryPassword) + "\n");
  const nlohmann::json temporary_login = SuccessJson(Login(member, temporary.path()));
  EXPECT_EQ(temporary_login.value("force_password_reset", false), true);
  const TestResponse details =
      server_->Send("GET",
                    "/api/organizations/" + organization_id + "/users/" +
                        MemberEntry(owner, organization_id, member).value("id", "") + "/reset-password-details",
                    "", owner.account.access_token);
  ASSERT_EQ(details.status, 200) << details.body;
  for (const char* field : {"resetPasswordKey", "encryptedPrivateKey"}) {
    const std::string secret = details.json().value(field, "");
    ASSERT_GT(secret.size(), 40U) << field;
    EXPECT_EQ(recovered.out.find(secret.substr(2, 32)), std::string::npos) << field;
  }
  EXPECT_EQ(recovered.out.find(kTemporaryPassword), std::string::npos);

  // The member replaces the temporary password (the requirements apply here too), then bw logs
  // in and decrypts the item from before the recovery.
  ExpectOneLineFailure(
      Run(member, {"update-temp-password", "--password-file", temporary.path(), "--new-password", weak.arg()}), 2,
      "master password requirements");
  TempFile final_password(std::string(kFinalPassword) + "\n");
  const nlohmann::json updated = Ok(member, {"update-temp-password", "--password-file", temporary.path(),
                                             "--new-password", final_password.arg(), "--hint", "the heron"});
  EXPECT_EQ(updated.value("master_password", ""), "updated");
  EXPECT_EQ(Prelogin(member.account.email), kdf_before);

  const CliResult final_login = bw.Run({"login", member.account.email, kFinalPassword, "--raw"});
  ASSERT_EQ(final_login.exit_code, 0) << final_login.out << final_login.err;
  const std::string final_session = Trim(final_login.out);
  const CliResult listed = bw.Run({"list", "items", "--session", final_session});
  ASSERT_EQ(listed.exit_code, 0) << listed.out << listed.err;
  const nlohmann::json items = nlohmann::json::parse(listed.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(items.is_array()) << listed.out;
  ASSERT_EQ(items.size(), 1U) << items.dump();
  EXPECT_EQ(items[0].value("name", ""), "Before the recovery");
  EXPECT_EQ(items[0]["login"].value("password", ""), "an earlier secret");
  EXPECT_EQ(items[0].value("notes", ""), "kept through it");

  // The member is still enrolled (same user key) and the recovery was logged exactly once.
  EXPECT_TRUE(Enrolled(owner, organization_id, member));
  EXPECT_EQ(EventCount(owner, organization_id, kRecovered, 1), 1);
}

TEST_F(AdminRecoveryTest, EnrolmentWithdrawalAndTheRefusals) {
  const Person owner = NewPerson("rules-owner@example.com");
  const Person dana = NewPerson("dana@example.com");
  const Person frank = NewPerson("frank@example.com");
  for (const Person* person : {&owner, &dana, &frank}) SuccessJson(Login(*person, person->password_file->path()));
  const std::string organization_id = MakeOrganization(owner, "Rules", {&dana, &frank});
  TempFile temporary(std::string(kTemporaryPassword) + "\n");
  const std::vector<std::string> recover_dana = {"recover-account", "--organization",   "Rules",
                                                 "--member",        "dana@example.com", "--new-password",
                                                 temporary.arg(),   "--password-file",  owner.password_file->path()};

  // Not enrolled: nothing to recover with.
  ExpectOneLineFailure(Run(owner, recover_dana), 1, "has not enrolled");

  // A wrong password opens nothing, and nothing is sent.
  TempFile wrong("not dana's password\n");
  ExpectOneLineFailure(
      Run(dana, {"account-recovery", "enrol", "--organization", "Rules", "--password-file", wrong.path()}), 1,
      "wrong password");
  EXPECT_FALSE(Enrolled(owner, organization_id, dana));

  // The organisation key's fingerprint phrase: shown, and checked when expected.
  const TestResponse public_key =
      server_->Send("GET", "/api/organizations/" + organization_id + "/public-key", "", dana.account.access_token);
  ASSERT_EQ(public_key.status, 200) << public_key.body;
  auto phrase = FingerprintPhrase(organization_id, *RsaPublicKey::FromBase64(public_key.json().value("publicKey", "")));
  ASSERT_TRUE(phrase.ok());
  ExpectOneLineFailure(Run(dana, {"account-recovery", "enrol", "--organization", "Rules", "--password-file",
                                  dana.password_file->path(), "--expect-fingerprint", "not-the-phrase"}),
                       1, "not the one expected");
  EXPECT_FALSE(Enrolled(owner, organization_id, dana));
  const nlohmann::json enrolled = Ok(dana, {"account-recovery", "enroll", "--organization", "Rules", "--password-file",
                                            dana.password_file->path(), "--expect-fingerprint", *phrase});
  EXPECT_EQ(enrolled.value("organization_fingerprint", ""), *phrase);
  EXPECT_TRUE(Enrolled(owner, organization_id, dana));

  // Withdrawal, then enrolment again.
  EXPECT_EQ(Ok(dana, {"account-recovery", "withdraw", "--organization", "Rules"}).value("account_recovery", ""),
            "withdrawn");
  EXPECT_FALSE(Enrolled(owner, organization_id, dana));
  Ok(dana, {"account-recovery", "enrol", "--organization", "Rules", "--password-file", dana.password_file->path()});

  // Under automatic enrolment, withdrawal is refused by the server.
  Ok(owner, {"policy", "set", "--organization", "Rules", "--type", "account-recovery", "--enabled", "true", "--data",
             R"({"autoEnrollEnabled": true})"});
  ExpectOneLineFailure(Run(dana, {"account-recovery", "withdraw", "--organization", "Rules"}), 1,
                       "not allowed to withdraw");
  EXPECT_TRUE(Enrolled(owner, organization_id, dana));

  // A plain user may not recover anyone; a member with no temporary password has none to update.
  SuccessJson(Login(frank, frank.password_file->path()));
  ExpectOneLineFailure(Run(frank, {"recover-account", "--organization", "Rules", "--member", "dana@example.com",
                                   "--new-password", temporary.arg(), "--password-file", frank.password_file->path()}),
                       1, "");
  TempFile final_password(std::string(kFinalPassword) + "\n");
  ExpectOneLineFailure(Run(dana, {"update-temp-password", "--password-file", dana.password_file->path(),
                                  "--new-password", final_password.arg()}),
                       1, "does not have a temporary password");

  // The owner recovers dana, resetting two-step login too; dana logs in with the temporary password.
  const nlohmann::json report = SuccessJson(Run(owner, [&] {
    std::vector<std::string> args = recover_dana;
    args.push_back("--reset-two-factor");
    return args;
  }()));
  EXPECT_EQ(report.value("two_step_login", ""), "reset");
  TestAccount recovered = dana.account;
  recovered.password = kTemporaryPassword;
  recovered.client_hash = ClientHash(recovered.email, recovered.password);
  const TestResponse grant = server_->PasswordGrant(recovered, "after-recovery");
  ASSERT_EQ(grant.status, 200) << grant.body;
  EXPECT_EQ(grant.json().value("ForcePasswordReset", false), true);
  EXPECT_EQ(EventCount(owner, organization_id, kRecovered, 1), 1);
}

// The member's user key as their sync holds it under their password.
SymmetricKey UserKeyOf(ServerProcess& server, const TestAccount& account, const std::string& password,
                       const std::string& access_token) {
  const TestResponse sync = server.Send("GET", "/api/sync", "", access_token);
  EXPECT_EQ(sync.status, 200) << sync.body;
  auto wrapped = EncString::Parse(sync.json()["profile"].value("key", ""));
  EXPECT_TRUE(wrapped.ok());
  auto key = UnlockWithPassword(password, account.email, TestKdf(), *wrapped);
  EXPECT_TRUE(key.ok()) << key.status().message();
  return key.ok() ? *std::move(key) : *SymmetricKey::Generate();
}

TEST_F(AdminRecoveryTest, ARotatedMemberKeepsTheirDeviceTheirRecoveryAndTheirVault) {
  if (!OfficialCliInstalled()) {
    KW_SKIP_OR_FAIL_IN_CI("the official Bitwarden CLI is not installed (scripts/setup installs it)");
  }
  const Person owner = NewPerson("rotation-owner@example.com");
  const Person member = NewPerson("rotating.member@example.com");
  SuccessJson(Login(owner, owner.password_file->path()));
  SuccessJson(Login(member, member.password_file->path()));
  const std::string organization_id = MakeOrganization(owner, "Rotating", {&member});
  Ok(member,
     {"account-recovery", "enrol", "--organization", "Rotating", "--password-file", member.password_file->path()});

  // The member's bw: a folder and two items, one in it.
  OfficialCli bw(server_->ca_file());
  ASSERT_EQ(bw.Run({"config", "server", server_->url()}).exit_code, 0);
  const CliResult first_login = bw.Run({"login", member.account.email, member.account.password, "--raw"});
  ASSERT_EQ(first_login.exit_code, 0) << first_login.out << first_login.err;
  const std::string session = Trim(first_login.out);
  const CliResult folder = bw.Run({"create", "folder", Encode({{"name", "Rotated folder"}}), "--session", session});
  ASSERT_EQ(folder.exit_code, 0) << folder.out << folder.err;
  const std::string folder_id = nlohmann::json::parse(folder.out).value("id", "");
  for (const auto& [name, folder_ref] : {std::pair<std::string, nlohmann::json>{"In the folder", folder_id},
                                         std::pair<std::string, nlohmann::json>{"Loose", nullptr}}) {
    const nlohmann::json item = {
        {"type", 1},
        {"name", name},
        {"notes", "through the rotation"},
        {"favorite", false},
        {"reprompt", 0},
        {"folderId", folder_ref},
        {"login", {{"username", "member"}, {"password", "p-" + name}, {"uris", nlohmann::json::array()}}}};
    const CliResult created = bw.Run({"create", "item", Encode(item), "--session", session});
    ASSERT_EQ(created.exit_code, 0) << created.out << created.err;
  }

  // A trusted device of the member's, as the web vault trusts one.
  const TestResponse device_login = server_->PasswordGrant(member.account, "rotation-device");
  ASSERT_EQ(device_login.status, 200) << device_login.body;
  const std::string device_token = device_login.json().value("access_token", "");
  const SymmetricKey old_user_key = UserKeyOf(*server_, member.account, member.account.password, device_token);
  auto trusted = TrustDevice(old_user_key);
  ASSERT_TRUE(trusted.ok());
  const nlohmann::json device_keys = {{"encryptedUserKey", trusted->stored.encrypted_user_key.ToString()},
                                      {"encryptedPublicKey", trusted->stored.encrypted_public_key.ToString()},
                                      {"encryptedPrivateKey", trusted->stored.encrypted_private_key.ToString()}};
  ASSERT_EQ(server_->Send("PUT", "/api/devices/rotation-device/keys", device_keys.dump(), device_token).status, 200);

  // A wrong password rotates nothing.
  TempFile wrong("not the member's password\n");
  ExpectOneLineFailure(Run(member, {"rotate-user-key", "--password-file", wrong.path()}), 1, "wrong password");

  const CliResult rotated = Run(member, {"rotate-user-key", "--password-file", member.password_file->path()});
  const nlohmann::json report = SuccessJson(rotated);
  EXPECT_EQ(report.value("ciphers", 0), 2);
  EXPECT_EQ(report.value("folders", 0), 1);
  EXPECT_EQ(report.value("trusted_devices", 0), 1);
  EXPECT_EQ(report.value("account_recovery_enrolments", 0), 1);

  // Every session ended; the user key is a new one.
  const CliResult stale = bw.Run({"sync", "--session", session});
  EXPECT_NE(stale.exit_code, 0) << "bw sync still works: " << stale.out << stale.err;
  bw.Run({"logout"});
  const TestResponse again = server_->PasswordGrant(member.account, "rotation-device");
  ASSERT_EQ(again.status, 200) << again.body;
  const std::string new_token = again.json().value("access_token", "");
  const SymmetricKey new_user_key = UserKeyOf(*server_, member.account, member.account.password, new_token);
  EXPECT_FALSE(new_user_key.Equals(old_user_key));

  // The trusted device opens the new user key with the device key it always had.
  const TestResponse kept = server_->Send("POST", "/api/devices/rotation-device/retrieve-keys", "", new_token);
  ASSERT_EQ(kept.status, 200) << kept.body;
  auto device_user_key = AsymmetricEncString::Parse(kept.json().value("encryptedUserKey", ""));
  ASSERT_TRUE(device_user_key.ok()) << kept.body;
  auto unlocked = UnlockTrustedDevice(trusted->device_key, trusted->stored.encrypted_private_key, *device_user_key);
  ASSERT_TRUE(unlocked.ok()) << unlocked.status().message();
  EXPECT_TRUE(unlocked->Equals(new_user_key));

  // bw decrypts every item and the folder.
  const CliResult relogin = bw.Run({"login", member.account.email, member.account.password, "--raw"});
  ASSERT_EQ(relogin.exit_code, 0) << relogin.out << relogin.err;
  const std::string new_session = Trim(relogin.out);
  const CliResult listed = bw.Run({"list", "items", "--session", new_session});
  ASSERT_EQ(listed.exit_code, 0) << listed.out << listed.err;
  const nlohmann::json items = nlohmann::json::parse(listed.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(items.is_array() && items.size() == 2U) << listed.out;
  for (const auto& item : items) {
    EXPECT_EQ(item["login"].value("password", ""), "p-" + item.value("name", "")) << item.dump();
    EXPECT_EQ(item.value("notes", ""), "through the rotation");
  }
  const CliResult folders = bw.Run({"list", "folders", "--session", new_session});
  ASSERT_EQ(folders.exit_code, 0) << folders.out << folders.err;
  EXPECT_NE(folders.out.find("Rotated folder"), std::string::npos) << folders.out;

  // The administrator can still recover the member: the enrolment opens to the new user key.
  TempFile temporary(std::string(kTemporaryPassword) + "\n");
  SuccessJson(Run(owner, {"recover-account", "--organization", "Rotating", "--member", member.account.email,
                          "--new-password", temporary.arg(), "--password-file", owner.password_file->path()}));
  const TestResponse recovered_login = server_->Token(
      {{"grant_type", "password"},
       {"username", member.account.email},
       {"password",
        *MasterKey::Derive(kTemporaryPassword, member.account.email, TestKdf())->ServerHash(kTemporaryPassword)},
       {"scope", "api offline_access"},
       {"client_id", "web"},
       {"deviceType", "9"},
       {"deviceIdentifier", "after-recovery"},
       {"deviceName", "chrome"}});
  ASSERT_EQ(recovered_login.status, 200) << recovered_login.body;
  EXPECT_TRUE(UserKeyOf(*server_, member.account, kTemporaryPassword, recovered_login.json().value("access_token", ""))
                  .Equals(new_user_key));
}

}  // namespace
}  // namespace keywarden::testing
