// Re-encrypting a personal vault for a user-key rotation (cli/admin/vault_rewrap.h): every value
// bound to the old key opens under the new one with the same plaintext and no longer under the
// old; what is not the user key's (identifiers, dates, a cipher's own fields, a Send's data)
// stays byte for byte; a value that does not open fails the whole item, naming it.
#include "cli/admin/vault_rewrap.h"

#include <gtest/gtest.h>

#include <string>

#include "keywarden/crypto/enc_string.h"

namespace keywarden::cli::admin {
namespace {

class VaultRewrapTest : public ::testing::Test {
 protected:
  std::string Seal(const SymmetricKey& key, std::string_view text) {
    auto sealed = EncString::EncryptText(key, text);
    EXPECT_TRUE(sealed.ok());
    return sealed->ToString();
  }
  std::string SealKey(const SymmetricKey& key, const SymmetricKey& inner) {
    auto sealed = EncString::Encrypt(key, inner.bytes());
    EXPECT_TRUE(sealed.ok());
    return sealed->ToString();
  }
  // The text `value` holds under `key`, or "" when it does not open.
  std::string Open(const SymmetricKey& key, const nlohmann::json& value) {
    auto sealed = EncString::Parse(value.get<std::string>());
    if (!sealed.ok()) return "";
    auto plain = sealed->Decrypt(key);
    return plain.ok() ? std::string(plain->view()) : "";
  }

  SymmetricKey old_key_ = *SymmetricKey::Generate();
  SymmetricKey new_key_ = *SymmetricKey::Generate();
  RewrapKeys keys_{old_key_, new_key_};
};

TEST_F(VaultRewrapTest, ACipherWithoutItsOwnKeyHasEveryValueReencrypted) {
  const SymmetricKey attachment_key = *SymmetricKey::Generate();
  const nlohmann::json cipher = {
      {"id", "8c1a42e6-1b3c-4a5e-9f00-0123456789ab"},
      {"organizationId", nullptr},
      {"folderId", nullptr},
      {"type", 1},
      {"name", Seal(old_key_, "Bank")},
      {"notes", nullptr},
      {"key", nullptr},
      {"login",
       {{"username", Seal(old_key_, "kim")},
        {"password", Seal(old_key_, "p4ss")},
        {"uris", nlohmann::json::array({{{"uri", Seal(old_key_, "https://bank.example")}, {"match", nullptr}}})},
        {"fido2Credentials", nlohmann::json::array({{{"credentialId", Seal(old_key_, "cred")}}})}}},
      {"fields", nlohmann::json::array({{{"name", Seal(old_key_, "pin")}, {"value", Seal(old_key_, "1234")}}})},
      {"passwordHistory",
       nlohmann::json::array({{{"password", Seal(old_key_, "older")}, {"lastUsedDate", "2026-01-02T03:04:05Z"}}})},
      {"attachments", nlohmann::json::array({{{"id", "a1"},
                                              {"key", SealKey(old_key_, attachment_key)},
                                              {"fileName", Seal(old_key_, "scan.pdf")},
                                              {"url", "https://files.example/a1"},
                                              {"size", "12"}}})},
      {"revisionDate", "2026-12-01T00:00:00Z"}};

  std::size_t count = 0;
  auto rotated = RewrapCipher(cipher, keys_, &count);
  ASSERT_TRUE(rotated.ok()) << rotated.status().message();
  EXPECT_EQ(count, 10U);
  const nlohmann::json& out = *rotated;
  EXPECT_EQ(Open(new_key_, out["name"]), "Bank");
  EXPECT_EQ(Open(old_key_, out["name"]), "");
  EXPECT_EQ(Open(new_key_, out["login"]["password"]), "p4ss");
  EXPECT_EQ(Open(new_key_, out["login"]["uris"][0]["uri"]), "https://bank.example");
  EXPECT_EQ(Open(new_key_, out["login"]["fido2Credentials"][0]["credentialId"]), "cred");
  EXPECT_EQ(Open(new_key_, out["fields"][0]["value"]), "1234");
  EXPECT_EQ(Open(new_key_, out["passwordHistory"][0]["password"]), "older");
  EXPECT_EQ(Open(new_key_, out["attachments"][0]["fileName"]), "scan.pdf");
  auto attachment = EncString::Parse(out["attachments"][0]["key"].get<std::string>());
  ASSERT_TRUE(attachment.ok());
  auto opened = attachment->Decrypt(new_key_);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->view(), attachment_key.bytes().view());
  // What is not the user key's stays as it was.
  for (const char* member : {"id", "organizationId", "type", "notes", "revisionDate"}) {
    EXPECT_EQ(out[member], cipher[member]) << member;
  }
  EXPECT_EQ(out["attachments"][0]["url"], cipher["attachments"][0]["url"]);
  EXPECT_EQ(out["passwordHistory"][0]["lastUsedDate"], cipher["passwordHistory"][0]["lastUsedDate"]);
}

TEST_F(VaultRewrapTest, ACipherWithItsOwnKeyHasOnlyThatKeyRewrapped) {
  const SymmetricKey cipher_key = *SymmetricKey::Generate();
  const nlohmann::json cipher = {{"id", "c1"},
                                 {"organizationId", nullptr},
                                 {"key", SealKey(old_key_, cipher_key)},
                                 {"name", Seal(cipher_key, "Under its own key")},
                                 {"login", {{"password", Seal(cipher_key, "secret")}}}};
  std::size_t count = 0;
  auto rotated = RewrapCipher(cipher, keys_, &count);
  ASSERT_TRUE(rotated.ok()) << rotated.status().message();
  EXPECT_EQ(count, 1U);
  EXPECT_EQ((*rotated)["name"], cipher["name"]);
  EXPECT_EQ((*rotated)["login"], cipher["login"]);
  auto key = EncString::Parse((*rotated)["key"].get<std::string>());
  ASSERT_TRUE(key.ok());
  auto opened = key->Decrypt(new_key_);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->view(), cipher_key.bytes().view());
}

TEST_F(VaultRewrapTest, FoldersAndSendsHaveTheirUserKeyBoundMemberRewrapped) {
  std::size_t count = 0;
  auto folder = RewrapFolder({{"id", "f1"}, {"name", Seal(old_key_, "Work")}}, keys_, &count);
  ASSERT_TRUE(folder.ok());
  EXPECT_EQ(Open(new_key_, (*folder)["name"]), "Work");

  const SymmetricKey send_seed = *SymmetricKey::Generate();
  const nlohmann::json send = {{"id", "s1"},
                               {"key", SealKey(old_key_, send_seed)},
                               {"name", Seal(send_seed, "Under the Send's key")},
                               {"text", {{"text", Seal(send_seed, "hello")}, {"hidden", false}}}};
  auto rotated = RewrapSend(send, keys_, &count);
  ASSERT_TRUE(rotated.ok()) << rotated.status().message();
  EXPECT_EQ(count, 2U);
  EXPECT_EQ((*rotated)["name"], send["name"]);
  EXPECT_EQ((*rotated)["text"], send["text"]);
  EXPECT_EQ(Open(old_key_, (*rotated)["key"]), "");
}

TEST_F(VaultRewrapTest, WhatDoesNotOpenFailsTheWholeItemNamingIt) {
  const SymmetricKey stranger = *SymmetricKey::Generate();
  std::size_t count = 0;
  const nlohmann::json cipher = {{"id", "c2"},
                                 {"organizationId", nullptr},
                                 {"name", Seal(old_key_, "fine")},
                                 {"login", {{"password", Seal(stranger, "not ours")}}}};
  auto refused = RewrapCipher(cipher, keys_, &count);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("cipher c2, login.password"), std::string::npos)
      << refused.status().message();
  EXPECT_EQ(count, 0U);  // nothing counted for a refused item

  auto organization =
      RewrapCipher({{"id", "c3"}, {"organizationId", "o1"}, {"name", Seal(old_key_, "x")}}, keys_, &count);
  ASSERT_FALSE(organization.ok());
  EXPECT_NE(organization.status().message().find("organisation"), std::string::npos);
  EXPECT_FALSE(RewrapFolder({{"id", "f2"}, {"name", 7}}, keys_, &count).ok());
  EXPECT_FALSE(RewrapSend({{"id", "s2"}, {"key", Seal(stranger, "x")}}, keys_, &count).ok());
  EXPECT_FALSE(RewrapCipher(nlohmann::json::array(), keys_, &count).ok());
  EXPECT_EQ(count, 0U);
}

}  // namespace
}  // namespace keywarden::cli::admin
