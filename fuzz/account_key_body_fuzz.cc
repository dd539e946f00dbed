// libFuzzer target for the bodies that give an account its keys after single sign-on:
// ParseKeyConnectorKeys (set-key-connector-key, both forms: server/accounts/key_connector_keys.h)
// and ParseAccountKeyPair (its key pair, also read by set-password: account_key_pair.h).
//
// The first byte picks the parser (even: Key Connector body, odd: key pair); the rest is JSON.
// Beyond "does not crash, hang or leak" (an exception escaping is a crash too):
//   - a refusal is kInvalidArgument naming a field, which RequestErrorResponse answers 400;
//   - an accepted body has a well-formed user key, an RSA public key and a well-formed private
//     key, and a KDF within the ranges the clients allow (the 2026 form: the reference's
//     Argon2id default);
//   - what was accepted is a fixed point: written back in the older form it parses to the same
//     fields.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "field_error_require.h"
#include "keywarden/crypto/rsa.h"
#include "server/accounts/account_fields.h"
#include "server/accounts/account_key_pair.h"
#include "server/accounts/key_connector_keys.h"
#include "server/api/field_error.h"

namespace keywarden::server {
namespace {

using ::keywarden::fuzz::Require;
using ::keywarden::fuzz::RequireFieldError;

void RequireKeyPair(const AccountKeyPair& pair) {
  Require(RsaPublicKey::FromBase64(pair.public_key).ok(), "the public key is an RSA key");
  Require(CheckEncString(pair.private_key, "PrivateKey").ok(), "the private key is an EncString");
}

void FuzzKeyConnectorKeys(const nlohmann::json& body) {
  auto keys = ParseKeyConnectorKeys(body);
  if (!keys.ok()) {
    RequireFieldError(keys.status());
    return;
  }
  Require(CheckEncString(keys->user_key, "Key").ok(), "the user key is an EncString");
  if (keys->key_pair) RequireKeyPair(*keys->key_pair);
  const store::Kdf& kdf = keys->kdf;
  nlohmann::json kdf_json = {{"kdfType", kdf.type}, {"iterations", kdf.iterations}};
  if (kdf.memory) kdf_json["memory"] = *kdf.memory;
  if (kdf.parallelism) kdf_json["parallelism"] = *kdf.parallelism;
  Require(ParseKdf(kdf_json, "Kdf").ok(), "the KDF is one the clients allow");
  if (!keys->key_pair) return;  // the older form with null keys cannot be written back the same way

  nlohmann::json older = {
      {"key", keys->user_key},
      {"keys", {{"publicKey", keys->key_pair->public_key}, {"encryptedPrivateKey", keys->key_pair->private_key}}},
      {"kdf", kdf.type},
      {"kdfIterations", kdf.iterations},
      {"orgIdentifier", keys->organization_identifier}};
  if (kdf.memory) older["kdfMemory"] = *kdf.memory;
  if (kdf.parallelism) older["kdfParallelism"] = *kdf.parallelism;
  auto again = ParseKeyConnectorKeys(older);
  Require(again.ok(), "an accepted body written back must be accepted");
  Require(again->user_key == keys->user_key && again->organization_identifier == keys->organization_identifier,
          "the key and identifier must be a fixed point");
  Require(again->key_pair && again->key_pair->public_key == keys->key_pair->public_key &&
              again->key_pair->private_key == keys->key_pair->private_key,
          "the key pair must be a fixed point");
  Require(again->kdf.type == kdf.type && again->kdf.iterations == kdf.iterations && again->kdf.memory == kdf.memory &&
              again->kdf.parallelism == kdf.parallelism,
          "the KDF must be a fixed point");
}

void FuzzAccountKeyPair(const nlohmann::json& body) {
  auto pair = ParseAccountKeyPair(body);
  if (!pair.ok()) {
    RequireFieldError(pair.status());
    return;
  }
  if (!*pair) return;
  RequireKeyPair(**pair);
  auto again = ParseAccountKeyPair(
      {{"keys", {{"publicKey", (*pair)->public_key}, {"encryptedPrivateKey", (*pair)->private_key}}}});
  Require(again.ok() && *again && (*again)->public_key == (*pair)->public_key &&
              (*again)->private_key == (*pair)->private_key,
          "an accepted key pair must be a fixed point");
}

}  // namespace
}  // namespace keywarden::server

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const nlohmann::json body = nlohmann::json::parse(rest, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) return 0;  // the routes refuse anything else before these parsers
  if (data[0] % 2 == 0) {
    keywarden::server::FuzzKeyConnectorKeys(body);
  } else {
    keywarden::server::FuzzAccountKeyPair(body);
  }
  return 0;
}
