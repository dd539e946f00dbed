// Login with device / admin approval.
//
// The requesting device makes an ephemeral RSA-2048 key pair and shows a fingerprint phrase;
// the approver (another device of the user, or an admin holding the user key through
// account recovery) checks the phrase and encapsulates the user key (type 4) to it.
#ifndef KEYWARDEN_KEYS_AUTH_REQUEST_H_
#define KEYWARDEN_KEYS_AUTH_REQUEST_H_

#include <string>
#include <string_view>

#include "keywarden/crypto/asymmetric_enc_string.h"
#include "keywarden/crypto/rsa.h"
#include "keywarden/crypto/symmetric_key.h"
#include "keywarden/status.h"

namespace keywarden {

struct AuthRequest {
  RsaPrivateKey private_key;  // stays on the requesting device
  RsaPublicKey public_key;    // sent with the request
  std::string fingerprint;    // shown to the user on both devices
};

Result<AuthRequest> NewAuthRequest(std::string_view email);

// Approver side.
Result<AsymmetricEncString> ApproveAuthRequest(const RsaPublicKey& request_public_key, const SymmetricKey& user_key);

// Requesting device: opens the approval. Accepts a 64-byte user key or a 32-byte master key
// (older clients approve with the master key).
Result<SymmetricKey> CompleteAuthRequest(const RsaPrivateKey& request_private_key, const AsymmetricEncString& approval);

}  // namespace keywarden

#endif  // KEYWARDEN_KEYS_AUTH_REQUEST_H_
