#include "keywarden/keys/account.h"

#include <utility>

#include "keys/internal/key_checks.h"

namespace keywarden {

using keys_internal::RequireFullKey;

Result<NewAccount> InitializeAccount(const MasterKey& master_key) {
  KW_ASSIGN_OR_RETURN(SymmetricKey user_key, SymmetricKey::Generate());
  KW_ASSIGN_OR_RETURN(RsaPrivateKey private_key, RsaPrivateKey::Generate());
  KW_ASSIGN_OR_RETURN(EncString encrypted_user_key, master_key.EncryptUserKey(user_key));
  KW_ASSIGN_OR_RETURN(EncString encrypted_private_key, EncryptPrivateKey(user_key, private_key));
  RsaPublicKey public_key = private_key.PublicKey();
  return NewAccount{
      .user_key = std::move(user_key),
      .private_key = std::move(private_key),
      .stored = AccountKeys{.encrypted_user_key = std::move(encrypted_user_key),
                            .public_key = std::move(public_key),
                            .encrypted_private_key = std::move(encrypted_private_key)},
  };
}

Result<SymmetricKey> UnlockWithPassword(std::string_view password, std::string_view email, const KdfConfig& kdf,
                                        const EncString& encrypted_user_key) {
  KW_ASSIGN_OR_RETURN(MasterKey master_key, MasterKey::Derive(password, email, kdf));
  return UnlockWithKeyConnector(master_key, encrypted_user_key);
}

Result<SymmetricKey> UnlockWithKeyConnector(const MasterKey& key_connector_key, const EncString& encrypted_user_key) {
  // DecryptUserKey handles both the current type 2 form and legacy type 0 accounts.
  KW_ASSIGN_OR_RETURN(SymmetricKey user_key, key_connector_key.DecryptUserKey(encrypted_user_key));
  // A user key is always 64 bytes, even when its wrapping is legacy.
  if (user_key.is_legacy()) return InvalidArgumentError("the decrypted user key is not 64 bytes");
  return user_key;
}

Result<EncString> EncryptPrivateKey(const SymmetricKey& key, const RsaPrivateKey& private_key) {
  KW_RETURN_IF_ERROR(RequireFullKey(key, "key wrapping a private key"));
  KW_ASSIGN_OR_RETURN(SecureBuffer pkcs8, private_key.ToPkcs8Der());
  return EncString::Encrypt(key, pkcs8);
}

Result<RsaPrivateKey> DecryptPrivateKey(const SymmetricKey& key, const EncString& encrypted_private_key) {
  KW_ASSIGN_OR_RETURN(SecureBuffer pkcs8, encrypted_private_key.Decrypt(key));
  return RsaPrivateKey::FromPkcs8Der(pkcs8.span());
}

Status ValidateUserKey(const SymmetricKey& user_key, const EncString& encrypted_private_key,
                       const RsaPublicKey& public_key) {
  Result<RsaPrivateKey> private_key = DecryptPrivateKey(user_key, encrypted_private_key);
  if (!private_key.ok()) {
    if (private_key.status().code() == ErrorCode::kInternal) return private_key.status();
    // Whatever the cause (MAC, legacy key, garbage PKCS#8), the answer is the same: this
    // user key does not open this account's private key. One message for every cause.
    return AuthenticationError("decryption failed");
  }
  if (!private_key->PublicKey().Equals(public_key)) {
    return WrongKeyError("the private key does not match the public key");
  }
  return OkStatus();
}

}  // namespace keywarden
