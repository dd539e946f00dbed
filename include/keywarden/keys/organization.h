// Organisation keys: one 64-byte org key shared with each member (type 4 to the member's
// public key), and the org's own RSA key pair (private key type 2 under the org key),
// which account recovery encapsulates users' keys to.
#ifndef KEYWARDEN_KEYS_ORGANIZATION_H_
#define KEYWARDEN_KEYS_ORGANIZATION_H_

#include "keywarden/crypto/asymmetric_enc_string.h"
#include "keywarden/crypto/enc_string.h"
#include "keywarden/crypto/rsa.h"
#include "keywarden/crypto/symmetric_key.h"
#include "keywarden/status.h"

namespace keywarden {

struct NewOrganization {
  SymmetricKey org_key;
  RsaPrivateKey private_key;
  RsaPublicKey public_key;          // stored in clear
  EncString encrypted_private_key;  // stored: type 2 under the org key
};

Result<NewOrganization> CreateOrganization();

// A member's copy of the org key: type 4 to the member's public key.
Result<AsymmetricEncString> ShareOrganizationKey(const SymmetricKey& org_key, const RsaPublicKey& member_public_key);
// The member opens their copy with their private key; only a 64-byte key is accepted.
Result<SymmetricKey> OpenOrganizationKey(const AsymmetricEncString& member_org_key,
                                         const RsaPrivateKey& member_private_key);

// The org's private key, from its stored form.
Result<RsaPrivateKey> OpenOrganizationPrivateKey(const SymmetricKey& org_key, const EncString& encrypted_private_key);

}  // namespace keywarden

#endif  // KEYWARDEN_KEYS_ORGANIZATION_H_
