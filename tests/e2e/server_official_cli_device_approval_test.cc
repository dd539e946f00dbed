// Admin approval of device requests with the unmodified official Bitwarden CLI (2026.9.0), against
// a real `keywarden server serve` over TLS (issue 18's proof): the owner runs `bw device-approval
// list`, `approve`, `approve-all`, `deny` and `deny-all`. The members' new devices are played over
// HTTPS with libkeywarden's crypto, as a trusted-devices client does after its single sign-on:
// signed in (so the device is known) but without the user key, they ask for an admin approval with
// a fresh key pair, and read the answer with their access code. The CLI approves by decrypting the
// member's account recovery enrolment with the organisation's private key and encapsulating the
// user key to the request's public key, so the members enrol first (with `keywarden admin`, as the
// web vault's toggle does). Checked: the phrase the CLI lists is the one the requesting device
// computes; an approved device recovers exactly the member's user key, which opens the member's
// private key; a denied one gets no key; answered requests leave the list.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "e2e/cli_runner.h"
#include "e2e/dev_server.h"
#include "e2e/official_cli.h"
#include "e2e/server_process.h"
#include "keywarden/crypto/asymmetric_enc_string.h"
#include "keywarden/crypto/enc_string.h"
#include "keywarden/crypto/fingerprint.h"
#include "keywarden/keys/account.h"
#include "keywarden/keys/auth_request.h"
#include "support/https_test_client.h"
#include "support/server_client.h"
#include "support/skip.h"
#include "support/temp_dir.h"

namespace keywarden::testing {
namespace {

// A member's new device waiting for an administrator: the key pair stays here.
struct WaitingDevice {
  std::string email;
  std::string id;
  std::string access_code;
  std::optional<::keywarden::AuthRequest> keys;
};

class ServerOfficialCliDeviceApprovalTest : public SharedServerTest<ServerOfficialCliDeviceApprovalTest> {
 protected:
  void SetUp() override {
    if (!OfficialCliInstalled()) {
      KW_SKIP_OR_FAIL_IN_CI("the official Bitwarden CLI is not installed (scripts/setup installs it)");
    }
    ASSERT_NE(server_, nullptr) << "the server did not start";
  }

  // A registered account, signed in to `keywarden admin` with a session file of its own.
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
    SuccessJson(RunCli({"admin", "login", "--server", server_->url(), "--ca-file", server_->ca_file(), "--email",
                        person.account.email, "--password-file", person.password_file->path(), "--session-file",
                        person.session_file, "--json"}));
    return person;
  }
  nlohmann::json Admin(const Person& person, std::vector<std::string> args) {
    args.insert(args.begin(), "admin");
    args.insert(args.end(), {"--session-file", person.session_file, "--json"});
    return SuccessJson(RunCli(args));
  }

  // The owner's organisation with single organisation and account recovery on (which requires
  // it; enrolment by the member), `members` invited, confirmed and enrolled; returns its id.
  std::string MakeOrganization(const Person& owner, const std::vector<const Person*>& members) {
    const std::string id = Admin(owner, {"organization", "create", "--name", "Approvals"}).value("id", "");
    EXPECT_FALSE(id.empty());
    Admin(owner, {"policy", "set", "--organization", id, "--type", "single-org", "--enabled", "true"});
    Admin(owner, {"policy", "set", "--organization", id, "--type", "account-recovery", "--enabled", "true", "--data",
                  R"({"autoEnrollEnabled": false})"});
    for (const Person* member : members) {
      Admin(owner, {"member", "invite", "--organization", id, "--email", member->account.email, "--type", "user"});
      Admin(owner, {"member", "confirm", "--organization", id, "--member", member->account.email, "--password-file",
                    owner.password_file->path()});
      Admin(*member, {"account-recovery", "enrol", "--organization", "Approvals", "--password-file",
                      member->password_file->path()});
    }
    return id;
  }

  // The member signs in on `device` (which makes it known) and asks for an admin approval from
  // it, with a new key pair and access code, as the clients do.
  WaitingDevice AskForApproval(const Person& member, const std::string& device) {
    WaitingDevice waiting;
    waiting.email = member.account.email;
    const TestResponse login = server_->PasswordGrant(member.account, device);
    EXPECT_EQ(login.status, 200) << login.body;
    auto keys = ::keywarden::NewAuthRequest(member.account.email);
    EXPECT_TRUE(keys.ok());
    if (!keys.ok()) return waiting;
    waiting.access_code = "Code" + std::to_string(++codes_) + "abcdefghijklmnopqrstuvwxyz";
    waiting.access_code.resize(25);
    HttpsCall call;
    call.method = "POST";
    call.url = server_->url() + "/api/auth-requests/admin-request";
    call.ca_file = server_->ca_file();
    call.headers = {{"Content-Type", "application/json; charset=utf-8"},
                    {"Device-Type", "9"},
                    {"Authorization", "Bearer " + login.json().value("access_token", "")}};
    call.body = nlohmann::json{
        {"email", member.account.email},
        {"publicKey", keys->public_key.ToBase64()},
        {"deviceIdentifier", device},
        {"accessCode", waiting.access_code},
        {"type", 2}}.dump();
    const TestResponse made = SendHttps(call);
    EXPECT_EQ(made.status, 200) << made.body;
    waiting.id = made.json().value("id", "");
    waiting.keys = std::move(*keys);
    return waiting;
  }

  // What the waiting device reads with its access code.
  nlohmann::json Answer(const WaitingDevice& waiting) {
    const TestResponse answer =
        server_->Send("GET", "/api/auth-requests/" + waiting.id + "/response?code=" + waiting.access_code);
    EXPECT_EQ(answer.status, 200) << answer.body;
    return answer.json();
  }

  // The member's user key as their password opens it, and their encrypted private key.
  struct MemberKeys {
    std::optional<SymmetricKey> user_key;
    std::string encrypted_private_key;
  };
  MemberKeys KeysOf(const Person& member) {
    MemberKeys keys;
    const TestResponse login = server_->PasswordGrant(member.account, "key-check");
    EXPECT_EQ(login.status, 200) << login.body;
    auto wrapped = EncString::Parse(login.json().value("Key", ""));
    EXPECT_TRUE(wrapped.ok());
    if (!wrapped.ok()) return keys;
    auto user_key = UnlockWithPassword(member.account.password, member.account.email, TestKdf(), *wrapped);
    EXPECT_TRUE(user_key.ok());
    if (user_key.ok()) keys.user_key = std::move(*user_key);
    keys.encrypted_private_key = login.json().value("PrivateKey", "");
    return keys;
  }

  // The approved device opens the answer with its private key: it must be the member's user key,
  // and it must open the member's private key.
  void ExpectRecoversUserKey(const WaitingDevice& waiting, const Person& member) {
    const nlohmann::json answer = Answer(waiting);
    EXPECT_EQ(answer["requestApproved"], true) << answer.dump();
    ASSERT_TRUE(answer["key"].is_string()) << answer.dump();
    auto approval = AsymmetricEncString::Parse(answer["key"].get<std::string>());
    ASSERT_TRUE(approval.ok());
    ASSERT_TRUE(waiting.keys.has_value());
    auto recovered = ::keywarden::CompleteAuthRequest(waiting.keys->private_key, *approval);
    ASSERT_TRUE(recovered.ok()) << recovered.status().message();
    const MemberKeys keys = KeysOf(member);
    ASSERT_TRUE(keys.user_key.has_value());
    EXPECT_TRUE(recovered->Equals(*keys.user_key)) << member.account.email;
    auto private_key = EncString::Parse(keys.encrypted_private_key);
    ASSERT_TRUE(private_key.ok());
    EXPECT_TRUE(DecryptPrivateKey(*recovered, *private_key).ok());
  }

  void ExpectDenied(const WaitingDevice& waiting) {
    const nlohmann::json answer = Answer(waiting);
    EXPECT_EQ(answer["requestApproved"], false) << answer.dump();
    EXPECT_TRUE(answer["key"].is_null()) << answer.dump();
    EXPECT_TRUE(answer["responseDate"].is_string()) << answer.dump();
  }

  // `bw args... --session S`, which must succeed.
  CliResult Bw(const std::vector<std::string>& args) {
    std::vector<std::string> with_session = args;
    with_session.insert(with_session.end(), {"--session", session_});
    CliResult result = bw_->Run(with_session);
    EXPECT_EQ(result.exit_code, 0) << "bw " << args[0] << " " << (args.size() > 1 ? args[1] : "") << ": " << result.out
                                   << result.err;
    return result;
  }

  // `bw device-approval list`, by request id.
  std::map<std::string, nlohmann::json> Listed(const std::string& organization_id) {
    const CliResult listed = Bw({"device-approval", "list", "--organizationid", organization_id});
    const nlohmann::json items = nlohmann::json::parse(listed.out, nullptr, false);
    EXPECT_TRUE(items.is_array()) << listed.out << listed.err;
    std::map<std::string, nlohmann::json> by_id;
    if (!items.is_array()) return by_id;
    for (const nlohmann::json& item : items) by_id[item.value("id", "")] = item;
    return by_id;
  }

  // `bw` signed in as `person`.
  void SignInWithBw(const Person& person) {
    bw_ = std::make_unique<OfficialCli>(server_->ca_file());
    const CliResult configured = bw_->Run({"config", "server", server_->url()});
    ASSERT_EQ(configured.exit_code, 0) << configured.out << configured.err;
    const CliResult login = bw_->Run({"login", person.account.email, person.account.password, "--raw"});
    ASSERT_EQ(login.exit_code, 0) << login.out << login.err;
    session_ = Trim(login.out);
    ASSERT_FALSE(session_.empty());
  }

  TempDir dir_;
  std::unique_ptr<OfficialCli> bw_;
  std::string session_;
  int codes_ = 0;
};

TEST_F(ServerOfficialCliDeviceApprovalTest, TheOwnerListsApprovesAndDeniesWithTheOfficialCli) {
  const Person owner = NewPerson("approval-owner@example.com");
  const Person ada = NewPerson("ada@example.com");
  const Person grace = NewPerson("grace@example.com");
  const std::string organization_id = MakeOrganization(owner, {&ada, &grace});
  ASSERT_FALSE(organization_id.empty());
  ASSERT_NO_FATAL_FAILURE(SignInWithBw(owner));

  // list: the request, with the phrase the requesting device shows its user.
  const WaitingDevice first = AskForApproval(ada, "ada-laptop");
  ASSERT_FALSE(first.id.empty());
  auto phrase = FingerprintPhrase(ada.account.email, first.keys->public_key);
  ASSERT_TRUE(phrase.ok());
  EXPECT_EQ(*phrase, first.keys->fingerprint);
  std::map<std::string, nlohmann::json> listed = Listed(organization_id);
  ASSERT_EQ(listed.size(), 1U);
  ASSERT_EQ(listed.count(first.id), 1U);
  const nlohmann::json& shown = listed[first.id];
  EXPECT_EQ(shown["fingerprintPhrase"], *phrase) << shown.dump();
  EXPECT_EQ(shown["email"], ada.account.email);
  EXPECT_EQ(shown["userId"], ada.account.id);
  EXPECT_EQ(shown["requestDeviceIdentifier"], "ada-laptop");
  EXPECT_EQ(shown["requestDeviceType"], "Chrome");
  EXPECT_FALSE(shown.value("organizationUserId", "").empty());
  // Before the answer the device reads no key.
  EXPECT_TRUE(Answer(first)["key"].is_null());

  // approve <id>: the device recovers ada's user key.
  Bw({"device-approval", "approve", first.id, "--organizationid", organization_id});
  ExpectRecoversUserKey(first, ada);
  EXPECT_TRUE(Listed(organization_id).empty());

  // approve-all: both members' devices.
  const WaitingDevice ada_second = AskForApproval(ada, "ada-desktop");
  const WaitingDevice grace_first = AskForApproval(grace, "grace-laptop");
  EXPECT_EQ(Listed(organization_id).size(), 2U);
  Bw({"device-approval", "approve-all", "--organizationid", organization_id});
  ExpectRecoversUserKey(ada_second, ada);
  ExpectRecoversUserKey(grace_first, grace);
  EXPECT_TRUE(Listed(organization_id).empty());
  // Nothing left: approve-all says so and succeeds.
  const CliResult nothing = Bw({"device-approval", "approve-all", "--organizationid", organization_id});
  EXPECT_NE(nothing.out.find("No pending device authorization requests to approve."), std::string::npos) << nothing.out;

  // deny <id>: no key, and the request is final.
  const WaitingDevice to_deny = AskForApproval(grace, "grace-phone");
  const WaitingDevice kept = AskForApproval(ada, "ada-tablet");
  Bw({"device-approval", "deny", to_deny.id, "--organizationid", organization_id});
  ExpectDenied(to_deny);
  listed = Listed(organization_id);
  EXPECT_EQ(listed.size(), 1U);
  EXPECT_EQ(listed.count(kept.id), 1U);
  const CliResult approve_denied =
      bw_->Run({"device-approval", "approve", to_deny.id, "--organizationid", organization_id, "--session", session_});
  EXPECT_NE(approve_denied.exit_code, 0) << approve_denied.out;  // "The request id is invalid."

  // deny-all: every pending request, none approved.
  const WaitingDevice grace_last = AskForApproval(grace, "grace-desktop");
  Bw({"device-approval", "deny-all", "--organizationid", organization_id});
  ExpectDenied(kept);
  ExpectDenied(grace_last);
  EXPECT_TRUE(Listed(organization_id).empty());
}

TEST_F(ServerOfficialCliDeviceApprovalTest, AMemberWhoIsNotAnApproverIsRefusedByTheCli) {
  const Person owner = NewPerson("second-owner@example.com");
  const Person member = NewPerson("plain.member@example.com");
  const Person asking = NewPerson("asking.member@example.com");
  const std::string organization_id = MakeOrganization(owner, {&member, &asking});
  const WaitingDevice waiting = AskForApproval(asking, "asking-laptop");
  ASSERT_NO_FATAL_FAILURE(SignInWithBw(member));
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"device-approval", "list", "--organizationid", organization_id},
        std::vector<std::string>{"device-approval", "approve", waiting.id, "--organizationid", organization_id},
        std::vector<std::string>{"device-approval", "deny-all", "--organizationid", organization_id}}) {
    std::vector<std::string> with_session = args;
    with_session.insert(with_session.end(), {"--session", session_});
    const CliResult refused = bw_->Run(with_session);
    EXPECT_NE(refused.exit_code, 0) << args[1];
    EXPECT_NE((refused.out + refused.err).find("You do not have permission"), std::string::npos)
        << refused.out << refused.err;
  }
  // The server refuses the member too, had the CLI sent the request: 404, never 401 or 403.
  const TestResponse direct =
      server_->Send("GET", "/api/organizations/" + organization_id + "/auth-requests", "", member.account.access_token);
  EXPECT_EQ(direct.status, 404) << direct.body;
  const nlohmann::json answer = Answer(waiting);
  EXPECT_TRUE(answer["responseDate"].is_null()) << answer.dump();
}

}  // namespace
}  // namespace keywarden::testing
