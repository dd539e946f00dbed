// libFuzzer target for registration bodies (server/accounts/account_fields.h): ParseNewAccount,
// which reads register/finish in its 2026 form and the older ones, ParseKdf, which also reads
// the KDF of a KDF change, and ParseNewMasterPassword, which reads an account recovery and the
// replacement of its temporary password.
//
// The first byte picks the parser; the rest is a JSON body.
//   0: ParseNewAccount on a JSON object (as the routes pass it).
//   1: ParseKdf on any JSON value (a nested "kdf" can be anything).
//   2: ParseNewMasterPassword on a JSON object, for an account with old settings (PBKDF2
//      100,000): an accepted password has a 32-byte hash and a well-formed key, and the 2026 form
//      is accepted only with exactly the account's KDF and salt; a refusal is a field error or
//      kNotFound (neither form present).
// Beyond "does not crash, hang or leak" (an exception escaping is a crash too):
//   - a refusal is kInvalidArgument naming a field ("Field predicate"), which RequestErrorResponse
//     turns into a 400;
//   - an accepted account has a normalised, plausible address, short name and hint, a 32-byte
//     hash, a KDF within the ranges, well-formed EncStrings and an RSA public key;
//   - what was accepted is a fixed point: written back as a 2026 register/finish body it parses
//     to the same fields; an accepted KDF written back as JSON parses to the same settings.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "field_error_require.h"
#include "http/json.h"
#include "keywarden/crypto/encoding.h"
#include "keywarden/crypto/rsa.h"
#include "server/accounts/account_fields.h"
#include "server/api/field_error.h"

namespace keywarden::server {
namespace {

using ::keywarden::fuzz::Require;
using ::keywarden::fuzz::RequireFieldError;

void RequireKdfInRange(const store::Kdf& kdf) {
  if (kdf.type == 0) {
    Require(kdf.iterations >= 600000 && kdf.iterations <= 2000000, "PBKDF2 iterations out of range");
    Require(!kdf.memory && !kdf.parallelism, "PBKDF2 has no memory or parallelism");
  } else {
    Require(kdf.type == 1, "a KDF is type 0 or 1");
    Require(kdf.iterations >= 2 && kdf.iterations <= 10, "Argon2id iterations out of range");
    Require(kdf.memory && *kdf.memory >= 15 && *kdf.memory <= 1024, "Argon2id memory out of range");
    Require(kdf.parallelism && *kdf.parallelism >= 1 && *kdf.parallelism <= 16, "Argon2id lanes out of range");
  }
}

nlohmann::json KdfJson(const store::Kdf& kdf) {
  nlohmann::json out = {{"kdfType", kdf.type}, {"iterations", kdf.iterations}};
  if (kdf.memory) out["memory"] = *kdf.memory;
  if (kdf.parallelism) out["parallelism"] = *kdf.parallelism;
  return out;
}

bool SameKdf(const store::Kdf& a, const store::Kdf& b) {
  return a.type == b.type && a.iterations == b.iterations && a.memory == b.memory && a.parallelism == b.parallelism;
}

void FuzzKdf(const nlohmann::json& value) {
  auto kdf = ParseKdf(value, "Kdf");
  if (!kdf.ok()) {
    RequireFieldError(kdf.status());
    Require(kdf.status().message().starts_with("Kdf"), "a KDF refusal names the field it was given");
    return;
  }
  RequireKdfInRange(*kdf);
  auto again = ParseKdf(KdfJson(*kdf), "Kdf");
  Require(again.ok() && SameKdf(*again, *kdf), "an accepted KDF must be a fixed point");
}

void FuzzNewAccount(const nlohmann::json& body) {
  auto account = ParseNewAccount(body);
  if (!account.ok()) {
    RequireFieldError(account.status());
    return;
  }
  const NewAccountFields& fields = *account;
  Require(NormaliseEmail(fields.email) == fields.email, "the address must be normalised");
  Require(LooksLikeEmail(fields.email), "the address must look like one");
  Require(fields.name.size() <= 50 && fields.hint.size() <= 50, "name and hint are at most 50 bytes");
  Require(fields.master_password_hash.size() == 32, "the hash is 32 bytes");
  RequireKdfInRange(fields.kdf);
  Require(CheckEncString(fields.user_key, "UserSymmetricKey").ok(), "the user key is an EncString");
  Require(CheckEncString(fields.private_key, "PrivateKey").ok(), "the private key is an EncString");
  Require(RsaPublicKey::FromBase64(fields.public_key).ok(), "the public key is an RSA key");

  const std::string hash = Base64EncodeSecret(fields.master_password_hash);
  const nlohmann::json kdf = KdfJson(fields.kdf);
  const nlohmann::json canonical = {
      {"email", fields.email},
      {"name", fields.name},
      {"masterPasswordHint", fields.hint},
      {"masterPasswordAuthentication",
       {{"salt", fields.email}, {"kdf", kdf}, {"masterPasswordAuthenticationHash", hash}}},
      {"masterPasswordUnlock", {{"salt", fields.email}, {"kdf", kdf}, {"masterKeyWrappedUserKey", fields.user_key}}},
      {"userAsymmetricKeys", {{"publicKey", fields.public_key}, {"encryptedPrivateKey", fields.private_key}}}};
  auto again = ParseNewAccount(canonical);
  Require(again.ok(), "an accepted account, written back, must be accepted");
  Require(again->email == fields.email && again->name == fields.name && again->hint == fields.hint,
          "the address, name and hint must be a fixed point");
  Require(again->master_password_hash.view() == fields.master_password_hash.view(), "the hash must be a fixed point");
  Require(SameKdf(again->kdf, fields.kdf), "the KDF must be a fixed point");
  Require(again->user_key == fields.user_key && again->public_key == fields.public_key &&
              again->private_key == fields.private_key,
          "the keys must be a fixed point");
}

void FuzzNewMasterPassword(const nlohmann::json& body) {
  store::User account;
  account.email = "member@example.com";
  account.salt = account.email;
  account.kdf = {0, 100000, std::nullopt, std::nullopt};
  auto password = ParseNewMasterPassword(body, account);
  if (!password.ok()) {
    if (password.status().code() != ErrorCode::kNotFound) RequireFieldError(password.status());
    return;
  }
  Require(password->hash.size() == 32, "the hash is 32 bytes");
  Require(CheckEncString(password->key, "Key").ok(), "the key is an EncString");
  const nlohmann::json* unlock = http::FindField(body, "unlockData");
  const nlohmann::json* authentication = http::FindField(body, "authenticationData");
  if (unlock != nullptr && authentication != nullptr && unlock->is_object() && authentication->is_object()) {
    for (const nlohmann::json* part : {unlock, authentication}) {
      const nlohmann::json* salt = http::FindField(*part, "salt");
      Require(salt != nullptr && *salt == account.salt, "the 2026 form carries the account's salt");
      const nlohmann::json* kdf = http::FindField(*part, "kdf");
      auto parsed = kdf == nullptr ? Result<store::Kdf>(NotFoundError("kdf")) : ParseKdf(*kdf, "Kdf");
      Require(!parsed.ok(), "100,000 iterations are below what may be chosen: ParseKdf refuses them");
    }
  }
}

}  // namespace
}  // namespace keywarden::server

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  if (data[0] % 3 == 0) {
    auto body = keywarden::http::ParseJsonObject(rest);
    if (body.ok()) keywarden::server::FuzzNewAccount(*body);
  } else if (data[0] % 3 == 2) {
    auto body = keywarden::http::ParseJsonObject(rest);
    if (body.ok()) keywarden::server::FuzzNewMasterPassword(*body);
  } else {
    const nlohmann::json value = nlohmann::json::parse(rest, nullptr, /*allow_exceptions=*/false);
    if (!value.is_discarded()) keywarden::server::FuzzKdf(value);
  }
  return 0;
}
