#include "keywarden/keys/account_recovery.h"

#include <utility>

#include "keys/internal/key_checks.h"
#include "keywarden/crypto/master_key.h"
#include "keywarden/keys/organization.h"

namespace keywarden {

using keys_internal::FullKeyFromBytes;
using keys_internal::RequireFullKey;

Result<AsymmetricEncString> EnrollAccountRecovery(const SymmetricKey& user_key, const RsaPublicKey& org_public_key) {
  KW_RETURN_IF_ERROR(RequireFullKey(user_key, "user key"));
  return AsymmetricEncString::Encapsulate(org_public_key, user_key);
}

Result<RecoveredAccount> RecoverAccount(const RecoveryRequest& request) {
  // The member keeps their settings, so any a client derives with will do. Checked first:
  // nothing expensive (RSA, KDF) runs for a request that will be refused anyway.
  KW_RETURN_IF_ERROR(request.kdf.ValidateForClient());

  KW_ASSIGN_OR_RETURN(RsaPrivateKey org_private_key,
                      OpenOrganizationPrivateKey(request.org_key, request.org_encrypted_private_key));
  KW_ASSIGN_OR_RETURN(SecureBuffer user_key_bytes, request.reset_password_key.Decapsulate(org_private_key));
  KW_ASSIGN_OR_RETURN(SymmetricKey user_key, FullKeyFromBytes(std::move(user_key_bytes), "recovered user key"));

  KW_ASSIGN_OR_RETURN(MasterKey master_key, MasterKey::Derive(request.new_password, request.email, request.kdf));
  KW_ASSIGN_OR_RETURN(EncString encrypted_user_key, master_key.EncryptUserKey(user_key));
  KW_ASSIGN_OR_RETURN(std::string server_hash, master_key.ServerHash(request.new_password));
  // Re-enrolled to the public half of the key that just opened the old enrollment, so the
  // new value is guaranteed to open for the same organisation.
  KW_ASSIGN_OR_RETURN(AsymmetricEncString reset_password_key,
                      EnrollAccountRecovery(user_key, org_private_key.PublicKey()));

  return RecoveredAccount{
      .user_key = std::move(user_key),
      .encrypted_user_key = std::move(encrypted_user_key),
      .server_hash = std::move(server_hash),
      .reset_password_key = std::move(reset_password_key),
  };
}

}  // namespace keywarden
