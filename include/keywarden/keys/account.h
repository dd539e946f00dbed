// Account keys: a user's key hierarchy as the server stores it.
//
//   master key --stretch--> type 2 EncString of the user key (64 bytes)
//   user key   ----------> type 2 EncString of the RSA-2048 private key (PKCS#8)
//   public key (SPKI DER) in clear
#ifndef KEYWARDEN_KEYS_ACCOUNT_H_
#define KEYWARDEN_KEYS_ACCOUNT_H_

#include <string_view>

#include "keywarden/crypto/enc_string.h"
#include "keywarden/crypto/kdf.h"
#include "keywarden/crypto/master_key.h"
#include "keywarden/crypto/rsa.h"
#include "keywarden/crypto/symmetric_key.h"
#include "keywarden/status.h"

namespace keywarden {

// What the server keeps for an account.
struct AccountKeys {
  EncString encrypted_user_key;     // type 2 under the stretched master key
  RsaPublicKey public_key;          // SPKI, in clear
  EncString encrypted_private_key;  // type 2 of PKCS#8 under the user key
};

struct NewAccount {
  SymmetricKey user_key;
  RsaPrivateKey private_key;
  AccountKeys stored;
};

// A new user key and key pair, wrapped for storage under `master_key`.
Result<NewAccount> InitializeAccount(const MasterKey& master_key);

// Password unlock: password + email + KDF -> master key -> user key.
Result<SymmetricKey> UnlockWithPassword(std::string_view password, std::string_view email, const KdfConfig& kdf,
                                        const EncString& encrypted_user_key);
// Key Connector unlock: the connector's stored 32-byte master key -> user key.
Result<SymmetricKey> UnlockWithKeyConnector(const MasterKey& key_connector_key, const EncString& encrypted_user_key);

// Private keys are stored as type 2 EncStrings of their PKCS#8 DER.
Result<EncString> EncryptPrivateKey(const SymmetricKey& key, const RsaPrivateKey& private_key);
Result<RsaPrivateKey> DecryptPrivateKey(const SymmetricKey& key, const EncString& encrypted_private_key);

// OK when `user_key` decrypts `encrypted_private_key` and that private key's public half is
// `public_key`. kAuthenticationFailed when it does not decrypt, kWrongKey when the pair mismatches.
Status ValidateUserKey(const SymmetricKey& user_key, const EncString& encrypted_private_key,
                       const RsaPublicKey& public_key);

}  // namespace keywarden

#endif  // KEYWARDEN_KEYS_ACCOUNT_H_
