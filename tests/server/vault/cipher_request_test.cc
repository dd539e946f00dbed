// Cipher request bodies: what is accepted and stored, what is refused and how the 400 names it.
#include "server/vault/cipher_request.h"

#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "keywarden/crypto/encoding.h"
#include "server/api/field_error.h"
#include "server/vault/cipher_bodies.h"

namespace keywarden::server::vault {
namespace {

using nlohmann::json;
using testing::CipherBodies;
using testing::TypeObjectName;

constexpr const char* kGuid = "8c1a42e6-1b3c-4a5e-9f00-0123456789ab";
constexpr const char* kOtherGuid = "0f6b1c2d-3e4f-4a5b-8c7d-9e0f1a2b3c4d";

TimeMs UtcMs(std::chrono::year_month_day date, std::chrono::milliseconds time_of_day) {
  return (std::chrono::sys_days(date).time_since_epoch() + time_of_day) / std::chrono::milliseconds(1);
}

json StoredPayload(const CipherWrite& cipher) { return json::parse(cipher.data); }

// The field a refused body names, after checking that it is a proper field error whose 400
// answer carries the same field and sentence.
std::string RefusedField(const Result<CipherWrite>& result) {
  if (result.ok()) return "(accepted)";
  EXPECT_EQ(result.status().code(), ErrorCode::kInvalidArgument);
  const auto field_error = api::AsFieldError(result.status());
  if (!field_error) return "(not a field error: " + result.status().message() + ")";
  const http::HttpResponse response = api::RequestErrorResponse(result.status());
  EXPECT_EQ(response.status, 400);
  const json answer = json::parse(response.body);
  EXPECT_EQ(answer["validationErrors"][field_error->field][0], field_error->message);
  EXPECT_EQ(field_error->message.rfind(field_error->field + " ", 0), 0U) << field_error->message;
  return field_error->field;
}

class CipherRequestTest : public ::testing::Test {
 protected:
  CipherBodies bodies_;
};

TEST_F(CipherRequestTest, EveryTypeKeepsEveryMemberTheClientSent) {
  for (int type = 1; type <= 5; ++type) {
    SCOPED_TRACE(TypeObjectName(type));
    const json body = bodies_.Full(type);
    auto cipher = ParseCipherRequest(body);
    ASSERT_TRUE(cipher.ok()) << cipher.status().message();
    EXPECT_EQ(cipher->type, type);
    EXPECT_TRUE(cipher->favorite);
    EXPECT_EQ(cipher->reprompt, 1);
    EXPECT_EQ(cipher->key, body["key"].get<std::string>());
    EXPECT_EQ(cipher->last_known_revision_date, UtcMs(std::chrono::year(2025) / 6 / 1, std::chrono::hours(10)));
    const json payload = StoredPayload(*cipher);
    for (const char* member : {"name", "notes", "key", "fields", "passwordHistory", TypeObjectName(type)}) {
      EXPECT_EQ(payload[member], body[member]) << member;
    }
    EXPECT_EQ(payload.size(), 6U) << payload.dump();
  }
}

TEST_F(CipherRequestTest, StoredDataIsCompactCanonicalJson) {
  auto cipher = ParseCipherRequest(bodies_.Full(1));
  ASSERT_TRUE(cipher.ok()) << cipher.status().message();
  EXPECT_EQ(nlohmann::ordered_json::parse(cipher->data).dump(), cipher->data) << "not compact, or escapes something";
  EXPECT_EQ(cipher->data.rfind(R"({"name":")", 0), 0U);
  // Parsing what was stored, as a request, stores the same text again.
  json again = StoredPayload(*cipher);
  again["type"] = 1;
  auto reparsed = ParseCipherRequest(again);
  ASSERT_TRUE(reparsed.ok()) << reparsed.status().message();
  EXPECT_EQ(reparsed->data, cipher->data);
}

TEST_F(CipherRequestTest, AbsentMembersAreStoredAsNull) {
  auto cipher = ParseCipherRequest(bodies_.Minimal(1));
  ASSERT_TRUE(cipher.ok()) << cipher.status().message();
  const json payload = StoredPayload(*cipher);
  EXPECT_TRUE(payload["notes"].is_null());
  EXPECT_TRUE(payload["key"].is_null());
  EXPECT_TRUE(payload["fields"].is_null());
  EXPECT_TRUE(payload["passwordHistory"].is_null());
  for (const char* member :
       {"username", "password", "passwordRevisionDate", "totp", "autofillOnPageLoad", "uris", "fido2Credentials"}) {
    EXPECT_TRUE(payload["login"].contains(member)) << member;
    EXPECT_TRUE(payload["login"][member].is_null()) << member;
  }
  EXPECT_FALSE(cipher->favorite);
  EXPECT_EQ(cipher->reprompt, 0);
  EXPECT_EQ(cipher->key, std::nullopt);
  EXPECT_EQ(cipher->folder_id, std::nullopt);
  EXPECT_EQ(cipher->last_known_revision_date, std::nullopt);
  EXPECT_TRUE(cipher->collection_ids.empty());
}

TEST_F(CipherRequestTest, UnknownMembersAreNeverStored) {
  json body = bodies_.Full(1);
  body["futureMember"] = "2.secret-looking";
  body["attachments2"] = {{"abc", {{"fileName", bodies_.Enc("f")}}}};
  body["card"] = bodies_.Card();  // another type's object
  body["archivedDate"] = "2025-01-01T00:00:00.000Z";
  body["login"]["futureLoginMember"] = 42;
  body["login"]["uris"][0]["futureUriMember"] = true;
  body["fields"][0]["futureFieldMember"] = "x";
  body["passwordHistory"][0]["futureHistoryMember"] = nullptr;
  auto cipher = ParseCipherRequest(body);
  ASSERT_TRUE(cipher.ok()) << cipher.status().message();
  for (const char* unknown : {"future", "attachments", "card", "archivedDate"}) {
    EXPECT_EQ(cipher->data.find(unknown), std::string::npos) << unknown;
  }
}

TEST_F(CipherRequestTest, MemberNamesAreCaseInsensitive) {
  const json camel = bodies_.Full(1);
  json shouted = {
      {"TYPE", 1},
      {"Name", camel["name"]},
      {"NOTES", camel["notes"]},
      {"Key", camel["key"]},
      {"Favorite", true},
      {"RePrompt", 1},
      {"FolderId", "8C1A42E6-1B3C-4A5E-9F00-0123456789AB"},
      {"Fields", camel["fields"]},
      {"PASSWORDHISTORY", camel["passwordHistory"]},
      {"LastKnownRevisionDate", camel["lastKnownRevisionDate"]},
  };
  json login = json::object();
  for (const auto& [member, value] : camel["login"].items())
    login[static_cast<char>(std::toupper(member[0])) + member.substr(1)] = value;
  login["Uris"] = json::array();
  for (const json& uri : camel["login"]["uris"]) {
    login["Uris"].push_back({{"URI", uri["uri"]}, {"UriCheckSum", uri["uriChecksum"]}, {"MATCH", uri["match"]}});
  }
  shouted["LOGIN"] = login;

  auto expected = ParseCipherRequest(camel);
  auto actual = ParseCipherRequest(shouted);
  ASSERT_TRUE(expected.ok() && actual.ok()) << actual.status().message();
  EXPECT_EQ(actual->data, expected->data);
  EXPECT_EQ(actual->folder_id, kGuid);
  EXPECT_TRUE(actual->favorite);
  EXPECT_EQ(actual->reprompt, 1);
}

TEST_F(CipherRequestTest, EncryptedValuesComeBackAsTheClientWroteThem) {
  json body = bodies_.Minimal(2);
  const std::string name = body["name"];
  auto cipher = ParseCipherRequest(body);
  ASSERT_TRUE(cipher.ok()) << cipher.status().message();
  EXPECT_EQ(StoredPayload(*cipher)["name"], name);
}

TEST_F(CipherRequestTest, IdsAreCanonicalAndEmptyIdsMeanNone) {
  json body = bodies_.Minimal(1);
  body["organizationId"] = "0F6B1C2D-3E4F-4A5B-8C7D-9E0F1A2B3C4D";
  body["folderId"] = "";
  body["encryptedFor"] = kGuid;
  auto cipher = ParseCipherRequest(body);
  ASSERT_TRUE(cipher.ok()) << cipher.status().message();
  EXPECT_EQ(cipher->organization_id, kOtherGuid);
  EXPECT_EQ(cipher->folder_id, std::nullopt);
  EXPECT_EQ(cipher->encrypted_for, kGuid);
}

TEST_F(CipherRequestTest, DatesAreReadInEveryFormTheClientsWrite) {
  const TimeMs noon = UtcMs(std::chrono::year(2026) / 1 / 31, std::chrono::hours(12));
  const struct {
    const char* text;
    TimeMs expected;
  } cases[] = {
      {"2026-01-31T12:00:00.000Z", noon},
      {"2026-01-31T12:00:00Z", noon},
      {"2026-01-31T12:00:00", noon},  // no zone: UTC, as ASP.NET reads it
      {"2026-01-31T12:00:00.5Z", noon + 500},
      {"2026-01-31T12:00:00.1234567Z", noon + 123},  // .NET's seven digits, truncated
      {"2026-01-31T12:00:00.123456789z", noon + 123},
      {"2026-01-31T13:30:00.000+01:30", noon},
      {"2026-01-31T07:00:00-05:00", noon},
      {"2024-02-29T00:00:00Z", UtcMs(std::chrono::year(2024) / 2 / 29, std::chrono::hours(0))},
      {"2026-01-31", UtcMs(std::chrono::year(2026) / 1 / 31, std::chrono::hours(0))},  // as .NET reads it
      {"0001-01-01T00:00:00", UtcMs(std::chrono::year(1) / 1 / 1, std::chrono::hours(0))},
      {"1969-12-31T23:59:59.999Z", -1},
  };
  for (const auto& c : cases) {
    json body = bodies_.Minimal(1);
    body["lastKnownRevisionDate"] = c.text;
    auto cipher = ParseCipherRequest(body);
    ASSERT_TRUE(cipher.ok()) << c.text << ": " << cipher.status().message();
    EXPECT_EQ(cipher->last_known_revision_date, c.expected) << c.text;
  }
}

TEST_F(CipherRequestTest, DatesInThePayloadAreStoredInOneForm) {
  json body = bodies_.Minimal(1);
  body["login"]["passwordRevisionDate"] = "2025-03-04T07:06:07.89+02:00";
  auto cipher = ParseCipherRequest(body);
  ASSERT_TRUE(cipher.ok()) << cipher.status().message();
  EXPECT_EQ(StoredPayload(*cipher)["login"]["passwordRevisionDate"], "2025-03-04T05:06:07.890Z");
}

TEST_F(CipherRequestTest, ImpossibleDatesAreRefused) {
  for (const char* text :
       {"2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z", "2026-01-31T24:00:00Z", "2026-01-31T12:60:00Z",
        "2026-01-31T12:00:60Z", "2026-01-31T12:00:00.Z", "2026-01-31T12:00:00.1234567891Z", "2026-01-31T12:00:00+1:00",
        "2026-01-31T12:00:00+24:00", "0000-01-01T00:00:00Z", " 2026-01-31T12:00:00Z", "2026-01-31 12:00:00Z",
        "2026-01-31T12:00:00ZZ", "yesterday", ""}) {
    json body = bodies_.Minimal(1);
    body["lastKnownRevisionDate"] = text;
    EXPECT_EQ(RefusedField(ParseCipherRequest(body)), "LastKnownRevisionDate") << text;
  }
}

// A type 0 EncString ("0.iv|ct"): well-formed, but no vault key can decrypt it.
std::string Type0EncString() {
  return "0." + Base64Encode(std::vector<std::uint8_t>(16, 1)) + "|" + Base64Encode(std::vector<std::uint8_t>(32, 2));
}

TEST_F(CipherRequestTest, MalformedFieldsAreRefusedByName) {
  const std::string long_value = bodies_.Enc(std::string(8000, 'x'));  // more than 10,000 characters
  ASSERT_GT(long_value.size(), 10'000U);
  const std::string good = bodies_.Enc("good");
  const struct {
    const char* what;
    int type;
    std::function<void(json&)> mutate;
    const char* field;
  } cases[] = {
      {"name missing", 1, [](json& b) { b.erase("name"); }, "Name"},
      {"name null", 1, [](json& b) { b["name"] = nullptr; }, "Name"},
      {"name a number", 1, [](json& b) { b["name"] = 42; }, "Name"},
      {"name plain text", 1, [](json& b) { b["name"] = "My bank"; }, "Name"},
      {"name empty", 1, [](json& b) { b["name"] = ""; }, "Name"},
      {"name type 0", 1, [](json& b) { b["name"] = Type0EncString(); }, "Name"},
      {"name type 7", 1, [](json& b) { b["name"] = "7.AAAA"; }, "Name"},
      {"name bad mac length", 1, [&](json& b) { b["name"] = good.substr(0, good.size() - 4) + "AA=="; }, "Name"},
      {"name over-long", 1, [&](json& b) { b["name"] = long_value; }, "Name"},
      {"notes an object", 1, [](json& b) { b["notes"] = json::object(); }, "Notes"},
      {"key plain", 1, [](json& b) { b["key"] = "key"; }, "Key"},
      {"type missing", 1, [](json& b) { b.erase("type"); }, "Type"},
      {"type a string", 1, [](json& b) { b["type"] = "1"; }, "Type"},
      {"type 0", 1, [](json& b) { b["type"] = 0; }, "Type"},
      {"type 6", 1, [](json& b) { b["type"] = 6; }, "Type"},
      {"type 8", 1, [](json& b) { b["type"] = 8; }, "Type"},
      {"type 9", 1, [](json& b) { b["type"] = 9; }, "Type"},
      {"type 1.5", 1, [](json& b) { b["type"] = 1.5; }, "Type"},
      {"folderId not a GUID", 1, [](json& b) { b["folderId"] = "not-a-guid"; }, "FolderId"},
      {"folderId a number", 1, [](json& b) { b["folderId"] = 7; }, "FolderId"},
      {"organizationId braces", 1, [](json& b) { b["organizationId"] = std::string("{") + kGuid + "}"; },
       "OrganizationId"},
      {"encryptedFor bad", 1, [](json& b) { b["encryptedFor"] = "me"; }, "EncryptedFor"},
      {"favorite a string", 1, [](json& b) { b["favorite"] = "true"; }, "Favorite"},
      {"reprompt 2", 1, [](json& b) { b["reprompt"] = 2; }, "Reprompt"},
      {"reprompt 1.0", 1, [](json& b) { b["reprompt"] = 1.0; }, "Reprompt"},
      {"lastKnownRevisionDate a number", 1, [](json& b) { b["lastKnownRevisionDate"] = 1700000000000; },
       "LastKnownRevisionDate"},
      {"login missing", 1, [](json& b) { b.erase("login"); }, "Login"},
      {"login an array", 1, [](json& b) { b["login"] = json::array(); }, "Login"},
      {"login password a number", 1, [](json& b) { b["login"]["password"] = 1234; }, "Login.Password"},
      {"login username plain", 1, [](json& b) { b["login"]["username"] = "alice"; }, "Login.Username"},
      {"login totp over-long", 1, [&](json& b) { b["login"]["totp"] = long_value; }, "Login.Totp"},
      {"login date", 1, [](json& b) { b["login"]["passwordRevisionDate"] = "soon"; }, "Login.PasswordRevisionDate"},
      {"login autofill a string", 1, [](json& b) { b["login"]["autofillOnPageLoad"] = "yes"; },
       "Login.AutofillOnPageLoad"},
      {"uris an object", 1, [](json& b) { b["login"]["uris"] = json::object(); }, "Login.Uris"},
      {"second uri plain", 1, [](json& b) { b["login"]["uris"][1]["uri"] = "https://example.org"; },
       "Login.Uris[1].Uri"},
      {"uri checksum a number", 1, [](json& b) { b["login"]["uris"][0]["uriChecksum"] = 5; },
       "Login.Uris[0].UriChecksum"},
      {"uri match 6", 1, [](json& b) { b["login"]["uris"][0]["match"] = 6; }, "Login.Uris[0].Match"},
      {"uri a string", 1, [](json& b) { b["login"]["uris"][0] = "https://example.com"; }, "Login.Uris[0]"},
      {"passkey without creationDate", 1, [](json& b) { b["login"]["fido2Credentials"][0].erase("creationDate"); },
       "Login.Fido2Credentials[0].CreationDate"},
      {"passkey without keyValue", 1, [](json& b) { b["login"]["fido2Credentials"][0]["keyValue"] = nullptr; },
       "Login.Fido2Credentials[0].KeyValue"},
      {"passkey counter plain", 1, [](json& b) { b["login"]["fido2Credentials"][0]["counter"] = 0; },
       "Login.Fido2Credentials[0].Counter"},
      {"field without type", 1, [](json& b) { b["fields"][1].erase("type"); }, "Fields[1].Type"},
      {"field type 4", 1, [](json& b) { b["fields"][0]["type"] = 4; }, "Fields[0].Type"},
      {"field linkedId negative", 1, [](json& b) { b["fields"][1]["linkedId"] = -1; }, "Fields[1].LinkedId"},
      {"field value plain", 1, [](json& b) { b["fields"][0]["value"] = "1234"; }, "Fields[0].Value"},
      {"field null", 1, [](json& b) { b["fields"][0] = nullptr; }, "Fields[0]"},
      {"fields a string", 1, [](json& b) { b["fields"] = "none"; }, "Fields"},
      {"history without lastUsedDate", 1, [](json& b) { b["passwordHistory"][1].erase("lastUsedDate"); },
       "PasswordHistory[1].LastUsedDate"},
      {"history lastUsedDate null", 1, [](json& b) { b["passwordHistory"][0]["lastUsedDate"] = nullptr; },
       "PasswordHistory[0].LastUsedDate"},
      {"history without password", 1, [](json& b) { b["passwordHistory"][0].erase("password"); },
       "PasswordHistory[0].Password"},
      {"note without its object", 2, [](json& b) { b.erase("secureNote"); }, "SecureNote"},
      {"note without type", 2, [](json& b) { b["secureNote"] = json::object(); }, "SecureNote.Type"},
      {"note type 1", 2, [](json& b) { b["secureNote"]["type"] = 1; }, "SecureNote.Type"},
      {"note sent as a login", 2,
       [](json& b) {
         b["login"] = b["secureNote"];
         b.erase("secureNote");
       },
       "SecureNote"},
      {"card number plain", 3, [](json& b) { b["card"]["number"] = "4111111111111111"; }, "Card.Number"},
      {"card code a number", 3, [](json& b) { b["card"]["code"] = 123; }, "Card.Code"},
      {"identity ssn plain", 4, [](json& b) { b["identity"]["ssn"] = "078-05-1120"; }, "Identity.Ssn"},
      {"identity without its object", 4, [](json& b) { b["identity"] = nullptr; }, "Identity"},
      {"ssh key without private key", 5, [](json& b) { b["sshKey"].erase("privateKey"); }, "SshKey.PrivateKey"},
      {"ssh fingerprint plain", 5, [](json& b) { b["sshKey"]["keyFingerprint"] = "SHA256:x"; },
       "SshKey.KeyFingerprint"},
  };
  for (const auto& c : cases) {
    json body = bodies_.Full(c.type);
    c.mutate(body);
    EXPECT_EQ(RefusedField(ParseCipherRequest(body)), c.field) << c.what;
  }
}

TEST_F(CipherRequestTest, MessagesSayWhatIsWrong) {
  json body = bodies_.Full(1);
  body["type"] = 6;
  auto refused = ParseCipherRequest(body);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(), "Type 6 (bank account) is not supported by this server yet.");

  body = bodies_.Full(1);
  body["passwordHistory"][0].erase("lastUsedDate");
  refused = ParseCipherRequest(body);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(), "PasswordHistory[0].LastUsedDate is required.");

  body = bodies_.Full(1);
  body["name"] = Type0EncString();
  refused = ParseCipherRequest(body);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(),
            "Name is a type 0 encrypted string; only type 2 (\"2.iv|ct|mac\") is accepted.");
}

TEST_F(CipherRequestTest, NotesMayBeLongerThanOtherValues) {
  const std::string long_value = bodies_.Enc(std::string(20'000, 'n'));
  json body = bodies_.Minimal(2);
  body["notes"] = long_value;
  auto cipher = ParseCipherRequest(body);
  ASSERT_TRUE(cipher.ok()) << cipher.status().message();
  EXPECT_EQ(StoredPayload(*cipher)["notes"], long_value);

  VaultRequestLimits limits;
  limits.max_notes_chars = long_value.size() - 1;
  EXPECT_EQ(RefusedField(ParseCipherRequest(body, limits)), "Notes");
}

TEST_F(CipherRequestTest, ListsHaveLimits) {
  VaultRequestLimits limits;
  limits.max_uris = 2;
  limits.max_fido2_credentials = 1;
  limits.max_fields = 2;
  limits.max_password_history = 2;
  json body = bodies_.Full(1);
  ASSERT_TRUE(ParseCipherRequest(body, limits).ok());

  const struct {
    std::function<void(json&)> grow;
    const char* field;
  } cases[] = {
      {[](json& b) { b["login"]["uris"].push_back(b["login"]["uris"][0]); }, "Login.Uris"},
      {[](json& b) { b["login"]["fido2Credentials"].push_back(b["login"]["fido2Credentials"][0]); },
       "Login.Fido2Credentials"},
      {[](json& b) { b["fields"].push_back(b["fields"][0]); }, "Fields"},
      {[](json& b) { b["passwordHistory"].push_back(b["passwordHistory"][0]); }, "PasswordHistory"},
  };
  for (const auto& c : cases) {
    json grown = body;
    c.grow(grown);
    EXPECT_EQ(RefusedField(ParseCipherRequest(grown, limits)), c.field);
  }
}

TEST_F(CipherRequestTest, NullUrisAreDroppedAsTheReferenceDoes) {
  json body = bodies_.Full(1);
  const json second = body["login"]["uris"][1];
  body["login"]["uris"] = json::array({nullptr, second, nullptr});
  auto cipher = ParseCipherRequest(body);
  ASSERT_TRUE(cipher.ok()) << cipher.status().message();
  EXPECT_EQ(StoredPayload(*cipher)["login"]["uris"], json::array({second}));
}

TEST_F(CipherRequestTest, ABodyThatIsNotAnObjectIsNotAFieldError) {
  for (const json& body : {json::array(), json("text"), json(nullptr)}) {
    auto refused = ParseCipherRequest(body);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_FALSE(api::AsFieldError(refused.status()).has_value()) << refused.status().message();
    EXPECT_EQ(api::RequestErrorResponse(refused.status()).status, 400);
  }
}

TEST_F(CipherRequestTest, CreateBodyCarriesCollections) {
  json cipher = bodies_.Full(1);
  cipher["organizationId"] = kOtherGuid;
  const json body = {
      {"cipher", cipher},
      {"collectionIds", {kGuid, "8C1A42E6-1B3C-4A5E-9F00-0123456789AB", kOtherGuid}},
  };
  auto created = ParseCipherCreateRequest(body);
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_EQ(created->organization_id, kOtherGuid);
  EXPECT_EQ(created->collection_ids, (std::vector<std::string>{kGuid, kOtherGuid}));
  auto plain = ParseCipherRequest(cipher);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(created->data, plain->data);
}

TEST_F(CipherRequestTest, APersonalItemIsInNoCollection) {
  const json body = {{"Cipher", bodies_.Full(1)}, {"CollectionIds", {kGuid}}};
  auto created = ParseCipherCreateRequest(body);
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_TRUE(created->collection_ids.empty());
}

TEST_F(CipherRequestTest, WrappedBodiesNameFieldsUnderCipher) {
  json cipher = bodies_.Full(1);
  cipher["organizationId"] = kOtherGuid;
  const json valid = {{"cipher", cipher}, {"collectionIds", {kGuid}}};
  ASSERT_TRUE(ParseCipherShareRequest(valid).ok());

  json bad_password = valid;
  bad_password["cipher"]["login"]["password"] = "plain";
  EXPECT_EQ(RefusedField(ParseCipherCreateRequest(bad_password)), "Cipher.Login.Password");
  EXPECT_EQ(RefusedField(ParseCipherShareRequest(bad_password)), "Cipher.Login.Password");

  json no_cipher = valid;
  no_cipher.erase("cipher");
  EXPECT_EQ(RefusedField(ParseCipherCreateRequest(no_cipher)), "Cipher");
  json cipher_array = valid;
  cipher_array["cipher"] = json::array();
  EXPECT_EQ(RefusedField(ParseCipherCreateRequest(cipher_array)), "Cipher");

  json no_collections = valid;
  no_collections["collectionIds"] = json::array();
  EXPECT_EQ(RefusedField(ParseCipherCreateRequest(no_collections)), "CollectionIds");
  EXPECT_EQ(RefusedField(ParseCipherShareRequest(no_collections)), "CollectionIds");

  json bad_collection = valid;
  bad_collection["collectionIds"] = {kGuid, "nope"};
  EXPECT_EQ(RefusedField(ParseCipherCreateRequest(bad_collection)), "CollectionIds[1]");

  json personal = valid;
  personal["cipher"]["organizationId"] = nullptr;
  EXPECT_EQ(RefusedField(ParseCipherShareRequest(personal)), "Cipher.OrganizationId");

  VaultRequestLimits limits;
  limits.max_collection_ids = 1;
  json two = valid;
  two["collectionIds"] = {kGuid, kOtherGuid};
  EXPECT_EQ(RefusedField(ParseCipherCreateRequest(two, limits)), "CollectionIds");
}

}  // namespace
}  // namespace keywarden::server::vault
