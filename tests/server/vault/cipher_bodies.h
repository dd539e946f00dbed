// Request bodies for the vault tests, with real EncStrings made by the library under a random
// key: every member a client may send, for each item type.
#ifndef KEYWARDEN_TESTS_SERVER_VAULT_CIPHER_BODIES_H_
#define KEYWARDEN_TESTS_SERVER_VAULT_CIPHER_BODIES_H_

#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "keywarden/crypto/enc_string.h"
#include "keywarden/crypto/symmetric_key.h"

namespace keywarden::server::vault::testing {

class CipherBodies {
 public:
  CipherBodies() : key_(MustGenerateKey()) {}

  // A fresh type 2 EncString of `text`: a different value on every call.
  std::string Enc(std::string_view text) const {
    auto encrypted = EncString::EncryptText(key_, text);
    if (!encrypted.ok()) std::abort();
    return encrypted->ToString();
  }

  // A complete body of `type` (1 to 5): every member the clients send, none null where a value
  // can be given, so that what comes back can be compared member by member.
  nlohmann::json Full(int type) const {
    nlohmann::json body = {
        {"type", type},
        {"folderId", nullptr},
        {"organizationId", nullptr},
        {"name", Enc("My item")},
        {"notes", Enc("Some notes\nover two lines")},
        {"favorite", true},
        {"reprompt", 1},
        {"key", Enc(std::string(64, 'k'))},
        {"fields", nlohmann::json::array({
                       {{"name", Enc("PIN")}, {"value", Enc("1234")}, {"type", 1}, {"linkedId", nullptr}},
                       {{"name", Enc("Linked")}, {"value", nullptr}, {"type", 3}, {"linkedId", 101}},
                   })},
        {"passwordHistory", nlohmann::json::array({
                                {{"password", Enc("old-1")}, {"lastUsedDate", "2024-12-31T23:59:59.999Z"}},
                                {{"password", Enc("old-2")}, {"lastUsedDate", "2025-01-15T08:00:00.000Z"}},
                            })},
        {"lastKnownRevisionDate", "2025-06-01T10:00:00.000Z"},
    };
    switch (type) {
      case 1: body["login"] = Login(); break;
      case 2: body["secureNote"] = {{"type", 0}}; break;
      case 3: body["card"] = Card(); break;
      case 4: body["identity"] = Identity(); break;
      case 5: body["sshKey"] = SshKey(); break;
      default: break;
    }
    return body;
  }

  nlohmann::json Login() const {
    return {
        {"username", Enc("alice")},
        {"password", Enc("correct horse battery staple")},
        {"passwordRevisionDate", "2025-03-04T05:06:07.890Z"},
        {"totp", Enc("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP")},
        {"autofillOnPageLoad", true},
        {"uris", nlohmann::json::array({
                     {{"uri", Enc("https://example.com/login")}, {"uriChecksum", Enc("checksum")}, {"match", 3}},
                     {{"uri", Enc("https://example.org")}, {"uriChecksum", nullptr}, {"match", nullptr}},
                 })},
        {"fido2Credentials", nlohmann::json::array({Fido2Credential()})},
    };
  }

  nlohmann::json Fido2Credential() const {
    return {
        {"credentialId", Enc("credential-id")},
        {"keyType", Enc("public-key")},
        {"keyAlgorithm", Enc("ECDSA")},
        {"keyCurve", Enc("P-256")},
        {"keyValue", Enc("pkcs8-key")},
        {"rpId", Enc("example.com")},
        {"rpName", Enc("Example")},
        {"userHandle", Enc("handle")},
        {"userName", Enc("alice")},
        {"userDisplayName", Enc("Alice")},
        {"counter", Enc("0")},
        {"discoverable", Enc("true")},
        {"creationDate", "2025-02-03T04:05:06.007Z"},
    };
  }

  nlohmann::json Card() const {
    return {
        {"cardholderName", Enc("Alice Liddell")},
        {"brand", Enc("Visa")},
        {"number", Enc("4111111111111111")},
        {"expMonth", Enc("12")},
        {"expYear", Enc("2030")},
        {"code", Enc("123")},
    };
  }

  nlohmann::json Identity() const {
    nlohmann::json identity = nlohmann::json::object();
    for (const char* member :
         {"title", "firstName", "middleName", "lastName", "address1", "address2", "address3", "city", "state",
          "postalCode", "country", "company", "email", "phone", "ssn", "username", "passportNumber", "licenseNumber"}) {
      identity[member] = Enc(member);
    }
    return identity;
  }

  nlohmann::json SshKey() const {
    return {
        {"privateKey", Enc("-----BEGIN OPENSSH PRIVATE KEY-----\n...")},
        {"publicKey", Enc("ssh-ed25519 AAAAC3Nza")},
        {"keyFingerprint", Enc("SHA256:abc")},
    };
  }

  // The smallest body the server accepts for `type`.
  nlohmann::json Minimal(int type) const {
    nlohmann::json body = {{"type", type}, {"name", Enc("Minimal")}};
    switch (type) {
      case 1: body["login"] = nlohmann::json::object(); break;
      case 2: body["secureNote"] = {{"type", 0}}; break;
      case 3: body["card"] = nlohmann::json::object(); break;
      case 4: body["identity"] = nlohmann::json::object(); break;
      case 5: body["sshKey"] = {{"privateKey", Enc("private")}}; break;
      default: break;
    }
    return body;
  }

 private:
  static SymmetricKey MustGenerateKey() {
    auto key = SymmetricKey::Generate();
    if (!key.ok()) std::abort();
    return std::move(key).value();
  }

  SymmetricKey key_;
};

// The object member each type's payload holds.
inline const char* TypeObjectName(int type) {
  switch (type) {
    case 1: return "login";
    case 2: return "secureNote";
    case 3: return "card";
    case 4: return "identity";
    case 5: return "sshKey";
    default: return "";
  }
}

}  // namespace keywarden::server::vault::testing

#endif  // KEYWARDEN_TESTS_SERVER_VAULT_CIPHER_BODIES_H_
