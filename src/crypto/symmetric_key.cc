#include "keywarden/crypto/symmetric_key.h"

#include <string>

#include "keywarden/crypto/encoding.h"
#include "keywarden/crypto/random.h"

namespace keywarden {

Result<SymmetricKey> SymmetricKey::Generate() {
  KW_ASSIGN_OR_RETURN(SecureBuffer bytes, RandomSecret(kSize));
  return SymmetricKey(std::move(bytes), Kind::kAes256CbcHmac);
}

Result<SymmetricKey> SymmetricKey::FromBytes(SecureBuffer bytes) {
  // Only the length is reported: it is not secret, the bytes are.
  switch (bytes.size()) {
    case kSize: return SymmetricKey(std::move(bytes), Kind::kAes256CbcHmac);
    case kLegacySize: return SymmetricKey(std::move(bytes), Kind::kAes256CbcLegacy);
    default:
      return InvalidArgumentError("a symmetric key must be 64 bytes (or 32 for a legacy key), got " +
                                  std::to_string(bytes.size()));
  }
}

Result<SymmetricKey> SymmetricKey::FromBase64(std::string_view text) {
  auto bytes = Base64DecodeSecret(text);
  if (!bytes.ok()) return InvalidArgumentError("a symmetric key must be base64: " + bytes.status().message());
  return FromBytes(std::move(bytes).value());
}

std::span<const std::uint8_t> SymmetricKey::mac_key() const {
  if (is_legacy()) return {};
  return bytes_.span().subspan(32);
}

bool SymmetricKey::Equals(const SymmetricKey& other) const {
  // The kind follows from the length, which is public; the bytes are compared in constant time.
  return kind_ == other.kind_ && bytes_.Equals(other.bytes_.span());
}

}  // namespace keywarden
