// Cipher and folder JSON: what the clients read back, and what the official CLI cannot do without.
#include "server/vault/cipher_json.h"

#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <string>

#include <nlohmann/json.hpp>

#include "server/vault/cipher_bodies.h"
#include "server/vault/cipher_request.h"
#include "server/vault/folder_json.h"

namespace keywarden::server::vault {
namespace {

using nlohmann::json;
using testing::CipherBodies;
using testing::TypeObjectName;

constexpr const char* kCipherId = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
constexpr const char* kCollectionId = "8c1a42e6-1b3c-4a5e-9f00-0123456789ab";

constexpr const char* kTypeObjects[] = {"login",  "secureNote",  "card",           "identity",
                                        "sshKey", "bankAccount", "driversLicense", "passport"};

// 2025-06-01T10:00:00.123Z and a day later.
constexpr TimeMs kCreated = 1748772000123;
constexpr TimeMs kRevised = kCreated + 86'400'000;

StoredCipher Store(const CipherWrite& write) {
  StoredCipher stored;
  stored.id = kCipherId;
  stored.user_id = "0f6b1c2d-3e4f-4a5b-8c7d-9e0f1a2b3c4d";
  stored.organization_id = write.organization_id;
  stored.type = write.type;
  stored.data = write.data;
  stored.folder_id = write.folder_id;
  stored.favorite = write.favorite;
  stored.reprompt = write.reprompt;
  stored.creation_date = kCreated;
  stored.revision_date = kRevised;
  stored.collection_ids = write.collection_ids;
  return stored;
}

json Render(const StoredCipher& cipher, const CipherViewerRights& rights = {},
            CipherObject object = CipherObject::kCipherDetails) {
  std::string out;
  AppendCipherJson(cipher, rights, object, out);
  json rendered = json::parse(out, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(rendered.is_discarded()) << out;
  return rendered;
}

class CipherJsonTest : public ::testing::Test {
 protected:
  StoredCipher MustStore(const json& body) {
    auto write = ParseCipherRequest(body);
    if (!write.ok()) {
      ADD_FAILURE() << write.status().message();
      return {};
    }
    return Store(*write);
  }

  CipherBodies bodies_;
};

TEST_F(CipherJsonTest, EveryTypeRoundTrips) {
  for (int type = 1; type <= 5; ++type) {
    SCOPED_TRACE(TypeObjectName(type));
    const json body = bodies_.Full(type);
    const json rendered = Render(MustStore(body));
    for (const char* member : {"name", "notes", "key", "fields", "passwordHistory", TypeObjectName(type)}) {
      EXPECT_EQ(rendered[member], body[member]) << member;
    }
    EXPECT_EQ(rendered["type"], type);
    EXPECT_EQ(rendered["favorite"], true);
    EXPECT_EQ(rendered["reprompt"], 1);
    for (int other = 1; other <= 8; ++other) {
      if (other == type) continue;
      const char* name = kTypeObjects[other - 1];
      EXPECT_TRUE(rendered.contains(name) && rendered[name].is_null()) << name;
    }
  }
}

// What the official CLI 2026.9.0 and its SDK need in every cipher (docs core.md 6.3, 12.8).
TEST_F(CipherJsonTest, EveryCipherHasWhatTheCliRequires) {
  for (int type = 1; type <= 5; ++type) {
    for (const json& body : {bodies_.Minimal(type), bodies_.Full(type)}) {
      SCOPED_TRACE(body.dump());
      const json rendered = Render(MustStore(body));
      EXPECT_EQ(rendered["id"], kCipherId);
      EXPECT_EQ(rendered["type"], type);
      EXPECT_EQ(rendered["creationDate"], "2025-06-01T10:00:00.123Z");
      EXPECT_EQ(rendered["revisionDate"], "2025-06-02T10:00:00.123Z");
      EXPECT_TRUE(rendered["edit"].is_boolean());
      EXPECT_TRUE(rendered["viewPassword"].is_boolean());
      EXPECT_TRUE(rendered["permissions"]["delete"].is_boolean());
      EXPECT_TRUE(rendered["permissions"]["restore"].is_boolean());
      EXPECT_TRUE(rendered["organizationUseTotp"].is_boolean());
      EXPECT_TRUE(rendered["favorite"].is_boolean());
      EXPECT_TRUE(rendered["reprompt"].is_number_integer());
      EXPECT_TRUE(rendered["collectionIds"].is_array());
      EXPECT_TRUE(rendered["name"].is_string());
      EXPECT_TRUE(rendered[TypeObjectName(type)].is_object());
      for (const char* member : {"organizationId", "folderId", "notes", "key", "fields", "passwordHistory",
                                 "attachments", "deletedDate", "archivedDate"}) {
        EXPECT_TRUE(rendered.contains(member)) << member;
      }
      EXPECT_FALSE(rendered.contains("data"));
      if (type == 2) {
        EXPECT_EQ(rendered["secureNote"]["type"], 0);
      }
      if (rendered["fields"].is_array()) {
        for (const json& field : rendered["fields"]) {
          EXPECT_TRUE(field["type"].is_number_integer());
        }
      }
      if (rendered["passwordHistory"].is_array()) {
        for (const json& entry : rendered["passwordHistory"]) {
          EXPECT_TRUE(entry["lastUsedDate"].is_string());
          EXPECT_TRUE(entry["password"].is_string());
        }
      }
    }
  }
}

TEST_F(CipherJsonTest, RightsAndObjectNameAreTheCallers) {
  const StoredCipher cipher = MustStore(bodies_.Minimal(1));
  const json owner = Render(cipher);
  EXPECT_EQ(owner["object"], "cipherDetails");
  EXPECT_EQ(owner["edit"], true);
  EXPECT_EQ(owner["viewPassword"], true);
  EXPECT_EQ(owner["permissions"], (json{{"delete", true}, {"restore", true}}));
  EXPECT_EQ(owner["organizationUseTotp"], false);

  CipherViewerRights read_only;
  read_only.edit = false;
  read_only.view_password = false;
  read_only.can_delete = false;
  read_only.can_restore = false;
  read_only.organization_use_totp = true;
  const json viewer = Render(cipher, read_only, CipherObject::kCipher);
  EXPECT_EQ(viewer["object"], "cipher");
  EXPECT_EQ(viewer["edit"], false);
  EXPECT_EQ(viewer["viewPassword"], false);
  EXPECT_EQ(viewer["permissions"], (json{{"delete", false}, {"restore", false}}));
  EXPECT_EQ(viewer["organizationUseTotp"], true);
}

TEST_F(CipherJsonTest, StoredColumnsAreRendered) {
  StoredCipher cipher = MustStore(bodies_.Minimal(3));
  cipher.organization_id = "0f6b1c2d-3e4f-4a5b-8c7d-9e0f1a2b3c4d";
  cipher.folder_id = kCollectionId;
  cipher.deleted_date = 0;
  cipher.archived_date = -1;
  cipher.collection_ids = {kCollectionId, "11111111-2222-4333-8444-555555555555"};
  cipher.favorite = true;
  cipher.reprompt = 1;
  const json rendered = Render(cipher);
  EXPECT_EQ(rendered["organizationId"], "0f6b1c2d-3e4f-4a5b-8c7d-9e0f1a2b3c4d");
  EXPECT_EQ(rendered["folderId"], kCollectionId);
  EXPECT_EQ(rendered["deletedDate"], "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(rendered["archivedDate"], "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(rendered["collectionIds"], (json{kCollectionId, "11111111-2222-4333-8444-555555555555"}));
  EXPECT_EQ(rendered["favorite"], true);
  EXPECT_EQ(rendered["reprompt"], 1);
  EXPECT_FALSE(rendered.contains("userId"));

  cipher.deleted_date.reset();
  cipher.archived_date.reset();
  cipher.organization_id.reset();
  cipher.folder_id.reset();
  cipher.collection_ids.clear();
  const json plain = Render(cipher);
  EXPECT_TRUE(plain["deletedDate"].is_null());
  EXPECT_TRUE(plain["archivedDate"].is_null());
  EXPECT_TRUE(plain["organizationId"].is_null());
  EXPECT_TRUE(plain["folderId"].is_null());
  EXPECT_EQ(plain["collectionIds"], json::array());
}

TEST_F(CipherJsonTest, ManyCiphersMakeOneValidArray) {
  std::string out = "[";
  for (int type = 1; type <= 5; ++type) {
    if (type != 1) out.push_back(',');
    AppendCipherJson(MustStore(bodies_.Full(type)), {}, CipherObject::kCipherDetails, out);
  }
  out.push_back(']');
  const json parsed = json::parse(out, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(parsed.is_array()) << out;
  EXPECT_EQ(parsed.size(), 5U);
}

TEST_F(CipherJsonTest, SizeBoundCoversTheAnswer) {
  CipherViewerRights nothing;
  nothing.edit = nothing.view_password = nothing.can_delete = nothing.can_restore = false;
  for (int type = 1; type <= 5; ++type) {
    StoredCipher cipher = MustStore(bodies_.Full(type));
    for (int variant = 0; variant < 3; ++variant) {
      if (variant == 1) {
        cipher.organization_id = "0f6b1c2d-3e4f-4a5b-8c7d-9e0f1a2b3c4d";
        cipher.folder_id = kCollectionId;
        cipher.collection_ids = {kCollectionId, kCipherId};
        cipher.deleted_date = kCreated;
        cipher.archived_date = kRevised;
      }
      if (variant == 2) {
        cipher.type = -2147483647 - 1;  // no such type: every type object null, the longest number
        cipher.reprompt = -2147483647 - 1;
      }
      for (const CipherViewerRights& rights : {CipherViewerRights{}, nothing}) {
        std::string out;
        AppendCipherJson(cipher, rights, CipherObject::kCipherDetails, out);
        EXPECT_GE(CipherJsonSizeBound(cipher), out.size()) << type << "/" << variant;
        EXPECT_LE(CipherJsonSizeBound(cipher), out.size() + 128) << type << "/" << variant;
      }
    }
  }
}

TEST_F(CipherJsonTest, OddStoredValuesStillMakeValidJson) {
  StoredCipher cipher = MustStore(bodies_.Minimal(1));
  cipher.id = "quote\" backslash\\ newline\n control\x01";
  cipher.collection_ids = {"\"]}"};
  for (const char* data : {"", "{}", "not json", "{"}) {
    cipher.data = data;
    const json rendered = Render(cipher);
    EXPECT_EQ(rendered["id"], cipher.id);
    EXPECT_EQ(rendered["collectionIds"][0], "\"]}");
    EXPECT_FALSE(rendered.contains("login"));  // nothing stored for it
    EXPECT_TRUE(rendered["secureNote"].is_null());
  }
  cipher.type = 42;  // no such type: every type object is null
  cipher.data = MustStore(bodies_.Minimal(1)).data;
  const json unknown_type = Render(cipher);
  EXPECT_TRUE(unknown_type["secureNote"].is_null());
}

TEST_F(CipherJsonTest, DatesAreClampedToFourDigitYears) {
  StoredCipher cipher = MustStore(bodies_.Minimal(1));
  cipher.creation_date = std::numeric_limits<TimeMs>::min();
  cipher.revision_date = std::numeric_limits<TimeMs>::max();
  const json rendered = Render(cipher);
  EXPECT_EQ(rendered["creationDate"], "0001-01-01T00:00:00.000Z");
  EXPECT_EQ(rendered["revisionDate"], "9999-12-31T23:59:59.999Z");
}

TEST(FolderJsonTest, FolderHasItsFields) {
  StoredFolder folder;
  folder.id = kCollectionId;
  folder.name = "2.AAAAAAAAAAAAAAAAAAAAAA==|AAAAAAAAAAAAAAAAAAAAAA==|AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  folder.revision_date = kRevised;
  std::string out;
  AppendFolderJson(folder, out);
  const json rendered = json::parse(out);
  EXPECT_EQ(rendered, (json{{"object", "folder"},
                            {"id", kCollectionId},
                            {"name", folder.name},
                            {"revisionDate", "2025-06-02T10:00:00.123Z"}}));
}

}  // namespace
}  // namespace keywarden::server::vault
