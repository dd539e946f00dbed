// The fields of account requests, checked: e-mail addresses, KDF settings, the master password
// hash, wrapped keys. Shared by registration, password and KDF changes.
//
// Field errors are api::FieldErrorStatus ("Email is required."): api::RequestErrorResponse turns
// one into the reference's 400 naming the field.
#ifndef KEYWARDEN_SERVER_ACCOUNTS_ACCOUNT_FIELDS_H_
#define KEYWARDEN_SERVER_ACCOUNTS_ACCOUNT_FIELDS_H_

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "http/http_types.h"
#include "keywarden/crypto/secure_buffer.h"
#include "keywarden/status.h"
#include "server/store/users.h"

namespace keywarden::server {

// trim() and lower case, as the clients normalise the address they derive the master key from.
std::string NormaliseEmail(std::string_view text);
// One '@', something before it, a dot after it, no spaces or control characters, at most 256.
bool LooksLikeEmail(std::string_view email);

// kdfType/iterations/memory/parallelism (any case) within what the clients allow when setting one:
// PBKDF2 600,000 to 2,000,000 iterations; Argon2id 2 to 10 iterations, 15 to 1024 MiB, 1 to 16 lanes.
Result<store::Kdf> ParseKdf(const nlohmann::json& object, std::string_view field);

// A master password hash as the clients send it: base64 of 32 bytes.
Result<SecureBuffer> ParseMasterPasswordHash(const nlohmann::json& value, std::string_view field);

// A symmetric EncString (a wrapped key or an encrypted field); `field` names it in errors.
Status CheckEncString(const nlohmann::json& value, std::string_view field);

// An asymmetric EncString ("4.<base64>": a key encapsulated to an RSA public key).
Status CheckAsymmetricEncString(const nlohmann::json& value, std::string_view field);

// A base64 RSA public key (SPKI), as the clients send key pairs.
Status CheckPublicKey(const nlohmann::json& value, std::string_view field);

struct NewAccountFields {
  std::string email;
  std::string name;
  std::string hint;
  SecureBuffer master_password_hash;
  store::Kdf kdf;
  std::string user_key;
  std::string public_key;
  std::string private_key;
};

// The master password part of a body that gives an account its first one (registration,
// set-password): the hash, KDF and wrapped user key in the 2026 form (masterPasswordAuthentication,
// masterPasswordUnlock) or the older one (root masterPasswordHash, key, kdf*), and the hint.
// `salt` is what the 2026 form's salts must be (the normalised address); both KDFs the same.
struct InitialMasterPassword {
  SecureBuffer hash;
  store::Kdf kdf;
  std::string user_key;
  std::string hint;
};
Result<InitialMasterPassword> ParseInitialMasterPassword(const nlohmann::json& body, std::string_view salt);

// A register/finish body, in the 2026 form (masterPasswordAuthentication, masterPasswordUnlock,
// userAsymmetricKeys or accountKeys) or the older one (root masterPasswordHash, key, kdf*).
// The salt must be the normalised address, and both KDFs the same.
Result<NewAccountFields> ParseNewAccount(const nlohmann::json& body);

// A new master password for an account that keeps its KDF settings and salt: an administrator's
// recovery, and the member's replacement of the temporary password it leaves. Either the older
// form {newMasterPasswordHash, key} or the 2026 form {authenticationData, unlockData}, whose KDF
// and salt must be the account's own (a client that derived with others made a key the account
// cannot open). kNotFound when the body holds neither form: each route has its own message.
struct NewMasterPassword {
  SecureBuffer hash;  // the client's master password hash
  std::string key;    // the user key wrapped under the new master key
};
Result<NewMasterPassword> ParseNewMasterPassword(const nlohmann::json& body, const store::User& account);

// 30 random letters and digits: the secret of the personal API key.
Result<std::string> NewApiKey();

}  // namespace keywarden::server

#endif  // KEYWARDEN_SERVER_ACCOUNTS_ACCOUNT_FIELDS_H_
