// Folder request bodies.
#include "server/vault/folder_request.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server/api/field_error.h"
#include "server/vault/cipher_bodies.h"
#include "server/vault/folder_json.h"

namespace keywarden::server::vault {
namespace {

using nlohmann::json;

TEST(FolderRequestTest, NameRoundTrips) {
  const testing::CipherBodies bodies;
  const std::string name = bodies.Enc("Work");
  for (const char* member : {"name", "Name", "NAME"}) {
    auto folder = ParseFolderRequest(json{{member, name}, {"id", "ignored"}});
    ASSERT_TRUE(folder.ok()) << folder.status().message();
    EXPECT_EQ(folder->name, name);
    StoredFolder stored{"8c1a42e6-1b3c-4a5e-9f00-0123456789ab", folder->name, 0};
    std::string out;
    AppendFolderJson(stored, out);
    EXPECT_EQ(json::parse(out)["name"], name);
  }
}

TEST(FolderRequestTest, BadNamesAreRefusedByName) {
  const testing::CipherBodies bodies;
  VaultRequestLimits limits;
  limits.max_enc_string_chars = 200;
  for (const json& body : {json::object(), json{{"name", nullptr}}, json{{"name", 1}}, json{{"name", "Work"}},
                           json{{"name", ""}}, json{{"name", bodies.Enc(std::string(200, 'w'))}}}) {
    auto folder = ParseFolderRequest(body, limits);
    ASSERT_FALSE(folder.ok()) << body.dump();
    const auto field_error = api::AsFieldError(folder.status());
    ASSERT_TRUE(field_error.has_value()) << folder.status().message();
    EXPECT_EQ(field_error->field, "Name");
  }
  auto not_object = ParseFolderRequest(json::array());
  ASSERT_FALSE(not_object.ok());
  EXPECT_FALSE(api::AsFieldError(not_object.status()).has_value());
}

}  // namespace
}  // namespace keywarden::server::vault
