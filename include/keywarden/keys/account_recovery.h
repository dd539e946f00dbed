// Account recovery (admin password reset).
//
// Enroll: the member's user key, encapsulated (type 4) to the org's public key: the
// "reset password key". Recover (admin side, one call): org key -> org private key ->
// user key -> wrap under a master key derived from the new password and the member's own KDF
// settings -> enroll again.
#ifndef KEYWARDEN_KEYS_ACCOUNT_RECOVERY_H_
#define KEYWARDEN_KEYS_ACCOUNT_RECOVERY_H_

#include <string>
#include <string_view>

#include "keywarden/crypto/asymmetric_enc_string.h"
#include "keywarden/crypto/enc_string.h"
#include "keywarden/crypto/kdf.h"
#include "keywarden/crypto/rsa.h"
#include "keywarden/crypto/symmetric_key.h"
#include "keywarden/status.h"

namespace keywarden {

Result<AsymmetricEncString> EnrollAccountRecovery(const SymmetricKey& user_key, const RsaPublicKey& org_public_key);

struct RecoveredAccount {
  SymmetricKey user_key;                   // the member's unchanged user key
  EncString encrypted_user_key;            // type 2 under the new stretched master key
  std::string server_hash;                 // new master password hash for the server
  AsymmetricEncString reset_password_key;  // fresh enrollment
};

struct RecoveryRequest {
  const SymmetricKey& org_key;
  const EncString& org_encrypted_private_key;
  const AsymmetricEncString& reset_password_key;
  std::string_view new_password;
  std::string_view email;
  // The member's existing settings, as the server's reset-password details give them: a
  // recovery keeps them (the reference changes the password, never the KDF), so anything a
  // client still derives with is accepted, down to ValidateForClient. Old accounts hold PBKDF2
  // at 100,000 iterations, below what the server accepts for new settings.
  const KdfConfig& kdf;
};

Result<RecoveredAccount> RecoverAccount(const RecoveryRequest& request);

}  // namespace keywarden

#endif  // KEYWARDEN_KEYS_ACCOUNT_RECOVERY_H_
