// Test support for user-key rotation (server/key_management/key_rotation_routes.h): an account
// with a vault, a trusted device and an account recovery enrolment, and the rotation bodies the
// web vault builds from GET /api/sync and GET key-rotation-data, with every value re-encrypted by
// libkeywarden under a new user key, as the clients do: the server only ever sees EncStrings.
// Also a snapshot of everything a rotation may change, read from the server's database, to prove
// that a refused rotation changed nothing.
#ifndef KEYWARDEN_TESTS_SERVER_KEY_MANAGEMENT_ROTATION_FIXTURE_H_
#define KEYWARDEN_TESTS_SERVER_KEY_MANAGEMENT_ROTATION_FIXTURE_H_

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "auth/user_id.h"
#include "keywarden/keys/account.h"
#include "keywarden/keys/account_recovery.h"
#include "keywarden/keys/trusted_device.h"
#include "server/notifications/push_outbox.h"
#include "server/organizations/member_store.h"
#include "server/organizations/recovery_fixture.h"
#include "server/store/devices.h"
#include "server/store/server_database.h"
#include "server/store/users.h"
#include "server/vault/vault_store.h"

namespace keywarden::server::testing {

constexpr char kRotationDataPath[] = "/api/accounts/key-management/key-rotation-data";
constexpr char kRotateWithPasswordPath[] = "/api/accounts/key-management/rotate-user-account-keys";
constexpr char kRotatePath[] = "/api/accounts/key-management/rotate-user-keys";

class RotationTest : public RecoveryTest {
 protected:
  // A member enrolled in account recovery, with a folder, two items (one in the folder) and a
  // second device, "device-2", that it trusts.
  struct Scene {
    TestAccount owner;
    TestAccount member;
    TestOrganization organization;
    std::string member_id;
    std::string folder_id;
    std::vector<std::string> cipher_ids;
    std::optional<NewTrustedDevice> device;
  };
  Scene MemberWithVault() {
    Scene s;
    s.owner = NewUser("owner@example.com");
    s.member = NewUser("member@example.com");
    s.organization = NewOrganizationOf(s.owner);
    EnableRecovery(s.organization, s.owner);
    s.member_id = AddMember(s.organization, s.owner, s.member, 2);
    const TestResponse enrolled = Enrol(s.organization, s.member);
    EXPECT_EQ(enrolled.status, 200) << enrolled.body;
    const SymmetricKey key = MustUserKey(s.member);
    s.folder_id = AddFolder(s.member, key, "Banking");
    s.cipher_ids.push_back(AddCipher(s.member, key, "Bank", s.folder_id));
    s.cipher_ids.push_back(AddCipher(s.member, key, "Mail"));
    EXPECT_EQ(PasswordGrant(s.member, "device-2").status, 200);
    s.device.emplace(TrustDeviceOf(s.member, "device-2", key));
    return s;
  }

  // The keys a login from `identifier` gets back, read from the server's database.
  std::optional<store::DeviceKeys> StoredDeviceKeys(const std::string& user_id, const std::string& identifier) {
    auto database = OpenServerDatabase(config_->database);
    EXPECT_TRUE(database.ok()) << database.status().ToString();
    std::optional<store::DeviceKeys> keys;
    const Status read = (*database)->Read([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(keys, store::TrustedDeviceKeys(session, user_id, identifier));
      return OkStatus();
    });
    EXPECT_TRUE(read.ok()) << read.ToString();
    return keys;
  }

  // Whether the device's stored keys open, with its device key, to `expected`.
  bool DeviceOpensTo(const std::string& user_id, const std::string& identifier, const SymmetricKey& device_key,
                     const SymmetricKey& expected) {
    const std::optional<store::DeviceKeys> keys = StoredDeviceKeys(user_id, identifier);
    if (!keys) return false;
    auto private_key = EncString::Parse(keys->encrypted_private_key);
    auto user_key = AsymmetricEncString::Parse(keys->encrypted_user_key);
    if (!private_key.ok() || !user_key.ok()) return false;
    auto opened = UnlockTrustedDevice(device_key, *private_key, *user_key);
    return opened.ok() && opened->Equals(expected);
  }

  SymmetricKey MustUserKey(const TestAccount& account) {
    std::optional<SymmetricKey> key = UserKeyOf(account, account.password);
    EXPECT_TRUE(key.has_value());
    if (!key) return *SymmetricKey::Generate();
    return *std::move(key);
  }

  static SymmetricKey NewKey() {
    auto key = SymmetricKey::Generate();
    EXPECT_TRUE(key.ok());
    return *std::move(key);
  }

  static std::string Enc(const SymmetricKey& key, std::string_view text) {
    auto encrypted = EncString::EncryptText(key, text);
    EXPECT_TRUE(encrypted.ok());
    return encrypted.ok() ? encrypted->ToString() : "";
  }

  static std::optional<std::string> Dec(const SymmetricKey& key, const std::string& text) {
    auto parsed = EncString::Parse(text);
    if (!parsed.ok()) return std::nullopt;
    auto plain = parsed->Decrypt(key);
    if (!plain.ok()) return std::nullopt;
    return std::string(reinterpret_cast<const char*>(plain->data()), plain->size());
  }

  std::string AddFolder(const TestAccount& account, const SymmetricKey& key, std::string_view name) {
    const TestResponse created = Post("/api/folders", {{"name", Enc(key, name)}}, account.access_token);
    EXPECT_EQ(created.status, 200) << created.body;
    return created.json().value("id", "");
  }

  // A login item named `name` (its password: "password of <name>"), in `folder_id` if given.
  std::string AddCipher(const TestAccount& account, const SymmetricKey& key, std::string_view name,
                        const std::string& folder_id = "") {
    nlohmann::json body = {{"type", 1},
                           {"name", Enc(key, name)},
                           {"notes", nullptr},
                           {"folderId", folder_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(folder_id)},
                           {"organizationId", nullptr},
                           {"login",
                            {{"username", Enc(key, "alice")},
                             {"password", Enc(key, "password of " + std::string(name))},
                             {"uris", nullptr}}}};
    const TestResponse created = Post("/api/ciphers", body, account.access_token);
    EXPECT_EQ(created.status, 200) << created.body;
    return created.json().value("id", "");
  }

  // Trusts the device `identifier` (logged in before) with keys for `user_key`; returns its side.
  NewTrustedDevice TrustDeviceOf(const TestAccount& account, const std::string& identifier,
                                 const SymmetricKey& user_key) {
    auto device = TrustDevice(user_key);
    EXPECT_TRUE(device.ok());
    const nlohmann::json keys = {{"encryptedUserKey", device->stored.encrypted_user_key.ToString()},
                                 {"encryptedPublicKey", device->stored.encrypted_public_key.ToString()},
                                 {"encryptedPrivateKey", device->stored.encrypted_private_key.ToString()}};
    const TestResponse put = Send("PUT", "/api/devices/" + identifier + "/keys", keys.dump(), account.access_token);
    EXPECT_EQ(put.status, 200) << put.body;
    return *std::move(device);
  }

  // Every string of `value` that is an EncString under `old_key`, re-encrypted under `new_key`.
  static nlohmann::json Reencrypt(const nlohmann::json& value, const SymmetricKey& old_key,
                                  const SymmetricKey& new_key) {
    if (value.is_object() || value.is_array()) {
      nlohmann::json out = value;
      for (auto& item : out) item = Reencrypt(item, old_key, new_key);
      return out;
    }
    if (!value.is_string()) return value;
    auto parsed = EncString::Parse(value.get<std::string>());
    if (!parsed.ok()) return value;
    auto plain = parsed->Decrypt(old_key);
    EXPECT_TRUE(plain.ok()) << "not under the old key: " << value;
    if (!plain.ok()) return value;
    auto again = EncString::Encrypt(new_key, *plain);
    EXPECT_TRUE(again.ok());
    return again->ToString();
  }

  // accountData as the web vault builds it: every personal item and folder from the sync.
  nlohmann::json AccountData(const TestAccount& account, const SymmetricKey& old_key, const SymmetricKey& new_key) {
    const nlohmann::json sync = Sync(account);
    nlohmann::json ciphers = nlohmann::json::array();
    for (const auto& cipher : sync["ciphers"]) {
      if (!cipher["organizationId"].is_null()) continue;
      ciphers.push_back(Reencrypt(cipher, old_key, new_key));
    }
    nlohmann::json folders = nlohmann::json::array();
    for (const auto& folder : sync["folders"]) {
      folders.push_back({{"id", folder["id"]}, {"name", Reencrypt(folder["name"], old_key, new_key)}});
    }
    return {{"ciphers", ciphers}, {"folders", folders}, {"sends", nlohmann::json::array()}};
  }

  nlohmann::json RotationData(const TestAccount& account) {
    const TestResponse data = Send("GET", kRotationDataPath, "", account.access_token);
    EXPECT_EQ(data.status, 200) << data.body;
    return data.json();
  }

  // The unlock lists: each trusted device's public key opened with the old key and the new key
  // encapsulated to it; each recovery organisation's public key given the new key.
  nlohmann::json UnlockLists(const TestAccount& account, const SymmetricKey& old_key, const SymmetricKey& new_key) {
    const nlohmann::json data = RotationData(account);
    nlohmann::json devices = nlohmann::json::array();
    for (const auto& device : data["trustedDeviceKeyData"]) {
      auto encrypted_public_key = EncString::Parse(device.value("encryptedPublicKey", ""));
      EXPECT_TRUE(encrypted_public_key.ok());
      auto der = encrypted_public_key->Decrypt(old_key);
      EXPECT_TRUE(der.ok());
      auto public_key = RsaPublicKey::FromSpkiDer(der->span());
      EXPECT_TRUE(public_key.ok());
      auto user_key = EnrollAccountRecovery(new_key, *public_key);  // the same encapsulation
      EXPECT_TRUE(user_key.ok());
      auto rewrapped_public_key = EncString::Encrypt(new_key, *der);
      EXPECT_TRUE(rewrapped_public_key.ok());
      devices.push_back({{"deviceId", device["id"]},
                         {"encryptedPublicKey", rewrapped_public_key->ToString()},
                         {"encryptedUserKey", user_key->ToString()}});
    }
    nlohmann::json organizations = nlohmann::json::array();
    for (const auto& organization : data["organizationPasswordResetKeyData"]) {
      auto public_key = RsaPublicKey::FromBase64(organization.value("organizationPublicKey", ""));
      EXPECT_TRUE(public_key.ok());
      auto key = EnrollAccountRecovery(new_key, *public_key);
      EXPECT_TRUE(key.ok());
      organizations.push_back(
          {{"organizationId", organization["organizationId"]}, {"resetPasswordKey", key->ToString()}});
    }
    return {{"emergencyAccessUnlockData", nlohmann::json::array()},
            {"organizationAccountRecoveryUnlockData", organizations},
            {"passkeyUnlockData", nlohmann::json::array()},
            {"deviceKeyUnlockData", devices}};
  }

  // The account's public key as stored, and its private key re-wrapped under `new_key`.
  nlohmann::json AccountKeys(const TestAccount& account, const SymmetricKey& old_key, const SymmetricKey& new_key) {
    const nlohmann::json sync = Sync(account);
    auto encrypted = EncString::Parse(sync["profile"].value("privateKey", ""));
    EXPECT_TRUE(encrypted.ok());
    auto private_key = DecryptPrivateKey(old_key, *encrypted);
    EXPECT_TRUE(private_key.ok());
    auto rewrapped = EncryptPrivateKey(new_key, *private_key);
    EXPECT_TRUE(rewrapped.ok());
    const TestResponse public_key = Send("GET", "/api/users/" + account.id + "/public-key", "", account.access_token);
    EXPECT_EQ(public_key.status, 200) << public_key.body;
    return {{"userKeyEncryptedAccountPrivateKey", rewrapped->ToString()},
            {"accountPublicKey", public_key.json().value("publicKey", "")},
            {"publicKeyEncryptionKeyPair", nullptr},
            {"signatureKeyPair", nullptr},
            {"securityState", nullptr}};
  }

  // rotate-user-account-keys as the web vault sends it: `account` moves to `new_password` and
  // `new_key`. The account keeps its KDF (TestKdf) and salt (its address).
  nlohmann::json PasswordChangeBody(const TestAccount& account, const SymmetricKey& old_key,
                                    const SymmetricKey& new_key, const std::string& new_password) {
    auto master_key = MasterKey::Derive(new_password, account.email, keywarden::testing::TestKdf());
    EXPECT_TRUE(master_key.ok());
    auto hash = master_key->ServerHash(new_password);
    auto wrapped = master_key->EncryptUserKey(new_key);
    EXPECT_TRUE(hash.ok() && wrapped.ok());
    nlohmann::json unlock = UnlockLists(account, old_key, new_key);
    unlock["masterPasswordUnlockData"] = {{"kdfType", 1},
                                          {"kdfIterations", 2},
                                          {"kdfMemory", 16},
                                          {"kdfParallelism", 1},
                                          {"email", account.email},
                                          {"masterKeyAuthenticationHash", *hash},
                                          {"masterKeyEncryptedUserKey", wrapped->ToString()},
                                          {"masterPasswordHint", "a new hint"},
                                          {"masterPasswordSalt", account.email}};
    return {{"oldMasterKeyAuthenticationHash", account.client_hash},
            {"accountUnlockData", unlock},
            {"accountKeys", AccountKeys(account, old_key, new_key)},
            {"accountData", AccountData(account, old_key, new_key)}};
  }

  // rotate-user-keys as the SDK sends it, with `unlock_method_data` as given.
  nlohmann::json RotateUserKeysBody(const TestAccount& account, const SymmetricKey& old_key,
                                    const SymmetricKey& new_key, const nlohmann::json& unlock_method_data) {
    const nlohmann::json keys = AccountKeys(account, old_key, new_key);
    return {{"wrappedAccountCryptographicState",
             {{"publicKeyEncryptionKeyPair",
               {{"wrappedPrivateKey", keys["userKeyEncryptedAccountPrivateKey"]},
                {"publicKey", keys["accountPublicKey"]},
                {"signedPublicKey", nullptr}}},
              {"signatureKeyPair", nullptr},
              {"securityState", nullptr}}},
            {"unlockData", UnlockLists(account, old_key, new_key)},
            {"accountData", AccountData(account, old_key, new_key)},
            {"unlockMethodData", unlock_method_data}};
  }

  // A trusted-devices account as single sign-on leaves it: no password, no wrapped user key, a
  // key pair under `user_key`; logged in with its API key from "cli-device".
  // With `key_connector_key`: a Key Connector account instead, whose user key is wrapped by it.
  TestAccount NewTrustedDevicesAccount(const std::string& email, const SymmetricKey& user_key,
                                       const MasterKey* key_connector_key = nullptr) {
    auto id = auth::NewGuid();
    auto stamp = auth::NewGuid();
    auto private_key = RsaPrivateKey::Generate();
    EXPECT_TRUE(id.ok() && stamp.ok() && private_key.ok());
    auto wrapped = EncryptPrivateKey(user_key, *private_key);
    EXPECT_TRUE(wrapped.ok());
    store::User user;
    user.id = *id;
    user.email = email;
    user.email_verified = true;
    user.salt = email;
    user.security_stamp = *stamp;
    user.api_key = "api-key-of-" + *id;
    user.public_key = private_key->PublicKey().ToBase64();
    user.private_key = wrapped->ToString();
    if (key_connector_key != nullptr) {
      auto wrapped_user_key = key_connector_key->EncryptUserKey(user_key);
      EXPECT_TRUE(wrapped_user_key.ok());
      user.user_key = wrapped_user_key->ToString();
      user.uses_key_connector = true;
    }
    user.creation_date = user.revision_date = user.account_revision_date = 1700000000000;
    auto database = OpenServerDatabase(config_->database);
    EXPECT_TRUE(database.ok()) << database.status().ToString();
    const Status inserted =
        (*database)->Transact([&](sql::Session& session) { return store::InsertUser(session, user); });
    EXPECT_TRUE(inserted.ok()) << inserted.ToString();
    TestAccount account;
    account.email = email;
    account.id = *id;
    LogInWithApiKey(account, user.api_key);
    return account;
  }

  void LogInWithApiKey(TestAccount& account, const std::string& api_key) {
    const TestResponse login = Token({{"grant_type", "client_credentials"},
                                      {"client_id", "user." + account.id},
                                      {"client_secret", api_key},
                                      {"scope", "api"},
                                      {"deviceType", "25"},
                                      {"deviceIdentifier", "cli-device"},
                                      {"deviceName", "linux"}});
    ASSERT_EQ(login.status, 200) << login.body;
    account.access_token = login.json().value("access_token", "");
  }

  // `account` after a password change to `new_password`, logged in again.
  TestAccount WithPassword(const TestAccount& account, const std::string& new_password) {
    TestAccount changed = account;
    changed.password = new_password;
    auto master_key = MasterKey::Derive(new_password, account.email, keywarden::testing::TestKdf());
    EXPECT_TRUE(master_key.ok());
    changed.client_hash = *master_key->ServerHash(new_password);
    return changed;
  }

  // Everything a rotation may change, as one string: the account's row, its ciphers, folders,
  // devices and memberships.
  std::string Snapshot(const std::string& user_id) {
    auto database = OpenServerDatabase(config_->database);
    EXPECT_TRUE(database.ok()) << database.status().ToString();
    if (!database.ok()) return "";
    nlohmann::json out;
    const Status read = (*database)->Read([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(std::optional<store::User> user, store::FindUserById(session, user_id));
      if (!user) return NotFoundError("no user");
      out["user"] = {user->user_key,       user->private_key,   user->public_key,    user->password_hash.value_or(""),
                     user->security_stamp, user->password_hint, user->revision_date, user->account_revision_date,
                     user->user_key_id};
      KW_ASSIGN_OR_RETURN(std::vector<vault::StoredCipher> ciphers, vault::ListCiphers(session, user_id));
      for (const auto& c : ciphers) out["ciphers"].push_back({c.id, c.data, c.revision_date, c.folder_id.value_or("")});
      KW_ASSIGN_OR_RETURN(std::vector<vault::StoredFolder> folders, vault::ListFolders(session, user_id));
      for (const auto& f : folders) out["folders"].push_back({f.id, f.name, f.revision_date});
      KW_ASSIGN_OR_RETURN(std::vector<store::Device> devices, store::ListDevices(session, user_id));
      for (const auto& d : devices) {
        out["devices"].push_back(
            {d.id, d.keys.encrypted_user_key, d.keys.encrypted_public_key, d.keys.encrypted_private_key});
      }
      KW_ASSIGN_OR_RETURN(std::vector<organizations::Member> members,
                          organizations::ListMembershipsOf(session, user_id));
      for (const auto& m : members) out["members"].push_back({m.id, m.reset_password_key, m.revision_date});
      return OkStatus();
    });
    EXPECT_TRUE(read.ok()) << read.ToString();
    return out.dump();
  }

  // The 400's message, or the first validation error when the model state is invalid.
  static std::string Refusal(const TestResponse& answer) {
    const nlohmann::json body = answer.json();
    if (!body.is_object()) return answer.body;
    const nlohmann::json& errors = body["validationErrors"];
    if (errors.is_object() && !errors.empty()) return errors.begin().value()[0].get<std::string>();
    return body.value("message", "");
  }
};

}  // namespace keywarden::server::testing

#endif  // KEYWARDEN_TESTS_SERVER_KEY_MANAGEMENT_ROTATION_FIXTURE_H_
