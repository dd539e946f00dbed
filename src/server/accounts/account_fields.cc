#include "server/accounts/account_fields.h"

#include <array>
#include <cctype>
#include <cstdint>
#include <optional>
#include <utility>

#include "http/json.h"
#include "keywarden/crypto/asymmetric_enc_string.h"
#include "keywarden/crypto/enc_string.h"
#include "keywarden/crypto/encoding.h"
#include "keywarden/crypto/random.h"
#include "keywarden/crypto/rsa.h"
#include "server/api/error_response.h"
#include "server/api/field_error.h"

namespace keywarden::server {
namespace {

Status FieldError(std::string_view field, std::string_view predicate) {
  return api::FieldErrorStatus(field, predicate);
}

const nlohmann::json* Field(const nlohmann::json& object, std::string_view name) {
  const nlohmann::json* value = http::FindField(object, name);
  return value == nullptr || value->is_null() ? nullptr : value;
}

Result<std::int64_t> IntField(const nlohmann::json& object, std::string_view name, std::string_view path) {
  const nlohmann::json* value = Field(object, name);
  if (value == nullptr || !value->is_number_integer()) return FieldError(path, "must be a whole number.");
  return value->get<std::int64_t>();
}

std::optional<std::string> StringField(const nlohmann::json& object, std::string_view name) {
  const nlohmann::json* value = Field(object, name);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return value->get<std::string>();
}

}  // namespace

std::string NormaliseEmail(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool LooksLikeEmail(std::string_view email) {
  if (email.empty() || email.size() > 256) return false;
  const std::size_t at = email.find('@');
  if (at == 0 || at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos) return false;
  const std::string_view domain = email.substr(at + 1);
  if (domain.find('.') == std::string_view::npos || domain.front() == '.' || domain.back() == '.') return false;
  for (unsigned char c : email) {
    if (c <= ' ' || c == 0x7f) return false;
  }
  return true;
}

Result<store::Kdf> ParseKdf(const nlohmann::json& object, std::string_view field) {
  if (!object.is_object()) return FieldError(field, "must be an object.");
  store::Kdf kdf;
  const std::string path(field);
  KW_ASSIGN_OR_RETURN(std::int64_t type, IntField(object, "kdfType", path + ".KdfType"));
  KW_ASSIGN_OR_RETURN(kdf.iterations, IntField(object, "iterations", path + ".Iterations"));
  if (type == 0) {
    if (kdf.iterations < 600000 || kdf.iterations > 2000000) {
      return FieldError(path + ".Iterations", "must be between 600000 and 2000000 for PBKDF2.");
    }
  } else if (type == 1) {
    KW_ASSIGN_OR_RETURN(std::int64_t memory, IntField(object, "memory", path + ".Memory"));
    KW_ASSIGN_OR_RETURN(std::int64_t parallelism, IntField(object, "parallelism", path + ".Parallelism"));
    if (kdf.iterations < 2 || kdf.iterations > 10)
      return FieldError(path + ".Iterations", "must be between 2 and 10 for Argon2id.");
    if (memory < 15 || memory > 1024)
      return FieldError(path + ".Memory", "must be between 15 and 1024 MiB for Argon2id.");
    if (parallelism < 1 || parallelism > 16)
      return FieldError(path + ".Parallelism", "must be between 1 and 16 for Argon2id.");
    kdf.memory = memory;
    kdf.parallelism = parallelism;
  } else {
    return FieldError(path + ".KdfType", "must be 0 (PBKDF2-SHA256) or 1 (Argon2id).");
  }
  kdf.type = static_cast<int>(type);
  return kdf;
}

namespace {

// Whether `object` (a request's "kdf") names exactly the account's settings. Compared, not
// range-checked: an old account may hold settings below what may be chosen today.
bool IsAccountKdf(const nlohmann::json& object, const store::Kdf& kdf) {
  if (!object.is_object()) return false;
  const auto number = [&](std::string_view name) -> std::optional<std::int64_t> {
    const nlohmann::json* value = Field(object, name);
    if (value == nullptr || !value->is_number_integer()) return std::nullopt;
    return value->get<std::int64_t>();
  };
  if (number("kdfType") != kdf.type || number("iterations") != kdf.iterations) return false;
  if (kdf.type != 1) return true;
  return number("memory") == kdf.memory && number("parallelism") == kdf.parallelism;
}

}  // namespace

Result<NewMasterPassword> ParseNewMasterPassword(const nlohmann::json& body, const store::User& account) {
  const nlohmann::json* authentication = Field(body, "authenticationData");
  const nlohmann::json* unlock = Field(body, "unlockData");
  const nlohmann::json* hash = nullptr;
  const nlohmann::json* key = nullptr;
  std::string hash_field = "NewMasterPasswordHash";
  std::string key_field = "Key";
  if (authentication != nullptr && unlock != nullptr && authentication->is_object() && unlock->is_object()) {
    for (const auto& [part, name] : {std::pair{authentication, "AuthenticationData"}, {unlock, "UnlockData"}}) {
      const nlohmann::json* kdf = Field(*part, "kdf");
      if (kdf == nullptr || !IsAccountKdf(*kdf, account.kdf)) {
        return FieldError(std::string(name) + ".Kdf", "must be the account's KDF settings.");
      }
      const nlohmann::json* salt = Field(*part, "salt");
      if (salt == nullptr || !salt->is_string() || salt->get<std::string>() != account.salt) {
        return FieldError(std::string(name) + ".Salt", "must be the account's salt.");
      }
    }
    hash = Field(*authentication, "masterPasswordAuthenticationHash");
    key = Field(*unlock, "masterKeyWrappedUserKey");
    hash_field = "AuthenticationData.MasterPasswordAuthenticationHash";
    key_field = "UnlockData.MasterKeyWrappedUserKey";
  } else {
    hash = Field(body, "newMasterPasswordHash");
    key = Field(body, "key");
  }
  if (hash == nullptr || hash->is_null() || key == nullptr || key->is_null()) {
    return NotFoundError("no new master password");
  }
  NewMasterPassword password;
  KW_ASSIGN_OR_RETURN(password.hash, ParseMasterPasswordHash(*hash, hash_field));
  KW_RETURN_IF_ERROR(CheckEncString(*key, key_field));
  password.key = key->get<std::string>();
  return password;
}

Result<SecureBuffer> ParseMasterPasswordHash(const nlohmann::json& value, std::string_view field) {
  if (!value.is_string()) return FieldError(field, "must be a string.");
  auto decoded = Base64DecodeSecret(value.get<std::string>());
  if (!decoded.ok() || decoded->size() != 32) return FieldError(field, "must be base64 of 32 bytes.");
  return decoded;
}

Status CheckEncString(const nlohmann::json& value, std::string_view field) {
  if (!value.is_string()) return FieldError(field, "must be an encrypted string.");
  const std::string text = value.get<std::string>();
  if (text.size() > 100000 || !EncString::Parse(text).ok())
    return FieldError(field, "is not a valid encrypted string.");
  return OkStatus();
}

Status CheckAsymmetricEncString(const nlohmann::json& value, std::string_view field) {
  if (!value.is_string()) return FieldError(field, "must be an encrypted string.");
  const std::string text = value.get<std::string>();
  if (text.size() > 100000 || !AsymmetricEncString::Parse(text).ok())
    return FieldError(field, "is not a valid encrypted string.");
  return OkStatus();
}

Status CheckPublicKey(const nlohmann::json& value, std::string_view field) {
  if (!value.is_string() || value.get<std::string>().size() > 100000 ||
      !RsaPublicKey::FromBase64(value.get<std::string>()).ok()) {
    return FieldError(field, "must be a base64 RSA public key (SPKI).");
  }
  return OkStatus();
}

Result<InitialMasterPassword> ParseInitialMasterPassword(const nlohmann::json& body, std::string_view salt_of_account) {
  InitialMasterPassword out;
  if (auto hint = StringField(body, "masterPasswordHint")) out.hint = *hint;
  if (out.hint.size() > 50) return FieldError("MasterPasswordHint", "must be at most 50 characters.");

  const nlohmann::json* authentication = Field(body, "masterPasswordAuthentication");
  const nlohmann::json* unlock = Field(body, "masterPasswordUnlock");
  // The hash: the 2026 form's, else the root copy; both must agree when both are sent.
  const nlohmann::json* root_hash = Field(body, "masterPasswordHash");
  const nlohmann::json* auth_hash =
      authentication ? Field(*authentication, "masterPasswordAuthenticationHash") : nullptr;
  if (auth_hash == nullptr && root_hash == nullptr) return FieldError("MasterPasswordHash", "is required.");
  if (auth_hash != nullptr && root_hash != nullptr && *auth_hash != *root_hash) {
    return FieldError("MasterPasswordHash", "does not match masterPasswordAuthentication.");
  }
  KW_ASSIGN_OR_RETURN(out.hash, ParseMasterPasswordHash(auth_hash ? *auth_hash : *root_hash, "MasterPasswordHash"));

  // The KDF: inside authentication and unlock (which must agree), or the older root fields.
  if (authentication != nullptr || unlock != nullptr) {
    const nlohmann::json* source = authentication ? authentication : unlock;
    const nlohmann::json* kdf = Field(*source, "kdf");
    if (kdf == nullptr) return FieldError("MasterPasswordAuthentication.Kdf", "is required.");
    KW_ASSIGN_OR_RETURN(out.kdf, ParseKdf(*kdf, "MasterPasswordAuthentication.Kdf"));
    if (authentication && unlock) {
      const nlohmann::json* unlock_kdf = Field(*unlock, "kdf");
      if (unlock_kdf == nullptr || *unlock_kdf != *kdf)
        return FieldError("MasterPasswordUnlock.Kdf", "must equal the authentication KDF.");
    }
    for (const nlohmann::json* part : {authentication, unlock}) {
      if (part == nullptr) continue;
      const auto salt = StringField(*part, "salt");
      if (!salt || *salt != salt_of_account)
        return FieldError("MasterPasswordUnlock.Salt", "must be the e-mail address, trimmed and lower-cased.");
    }
  } else {
    // The older body's root fields, passed as they are: ParseKdf checks their types (a string or
    // a float here is a field error, not a conversion). Without "kdf", PBKDF2, as those clients.
    nlohmann::json legacy = {{"kdfType", 0}};
    static constexpr std::pair<std::string_view, const char*> kLegacyKdf[] = {{"kdf", "kdfType"},
                                                                              {"kdfIterations", "iterations"},
                                                                              {"kdfMemory", "memory"},
                                                                              {"kdfParallelism", "parallelism"}};
    for (const auto& [root, name] : kLegacyKdf) {
      if (const nlohmann::json* value = Field(body, root)) legacy[name] = *value;
    }
    KW_ASSIGN_OR_RETURN(out.kdf, ParseKdf(legacy, "Kdf"));
  }

  const nlohmann::json* user_key = unlock ? Field(*unlock, "masterKeyWrappedUserKey") : nullptr;
  if (user_key == nullptr) user_key = Field(body, "userSymmetricKey");
  if (user_key == nullptr) user_key = Field(body, "key");
  if (user_key == nullptr) return FieldError("UserSymmetricKey", "is required.");
  KW_RETURN_IF_ERROR(CheckEncString(*user_key, "UserSymmetricKey"));
  out.user_key = user_key->get<std::string>();

  return out;
}

Result<NewAccountFields> ParseNewAccount(const nlohmann::json& body) {
  NewAccountFields out;
  const auto email = StringField(body, "email");
  if (!email) return FieldError("Email", "is required.");
  out.email = NormaliseEmail(*email);
  if (!LooksLikeEmail(out.email)) return FieldError("Email", "is not a valid e-mail address.");
  if (auto name = StringField(body, "name")) out.name = *name;
  if (out.name.size() > 50) return FieldError("Name", "must be at most 50 characters.");
  KW_ASSIGN_OR_RETURN(InitialMasterPassword password, ParseInitialMasterPassword(body, out.email));
  out.hint = std::move(password.hint);
  out.master_password_hash = std::move(password.hash);
  out.kdf = password.kdf;
  out.user_key = std::move(password.user_key);

  const nlohmann::json* public_key = nullptr;
  const nlohmann::json* private_key = nullptr;
  if (const nlohmann::json* pair = Field(body, "userAsymmetricKeys")) {
    public_key = Field(*pair, "publicKey");
    private_key = Field(*pair, "encryptedPrivateKey");
  } else if (const nlohmann::json* keys = Field(body, "accountKeys")) {
    public_key = Field(*keys, "accountPublicKey");
    private_key = Field(*keys, "userKeyEncryptedAccountPrivateKey");
  } else if (const nlohmann::json* legacy_keys = Field(body, "keys")) {
    public_key = Field(*legacy_keys, "publicKey");
    private_key = Field(*legacy_keys, "encryptedPrivateKey");
  }
  if (public_key == nullptr || private_key == nullptr) return FieldError("UserAsymmetricKeys", "is required.");
  KW_RETURN_IF_ERROR(CheckPublicKey(*public_key, "UserAsymmetricKeys.PublicKey"));
  KW_RETURN_IF_ERROR(CheckEncString(*private_key, "UserAsymmetricKeys.EncryptedPrivateKey"));
  out.public_key = public_key->get<std::string>();
  out.private_key = private_key->get<std::string>();
  return out;
}

Result<std::string> NewApiKey() {
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string key;
  while (key.size() < 30) {
    std::array<std::uint8_t, 32> bytes{};
    KW_RETURN_IF_ERROR(RandomBytes(bytes));
    for (std::uint8_t b : bytes) {
      // 248 = 4 * 62: values above are dropped, so every character is equally likely.
      if (b < 248 && key.size() < 30) key.push_back(kAlphabet[b % kAlphabet.size()]);
    }
  }
  return key;
}

}  // namespace keywarden::server
