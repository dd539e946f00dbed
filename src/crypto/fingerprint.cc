#include "keywarden/crypto/fingerprint.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <array>
#include <memory>

#include "keywarden/crypto/kdf.h"

namespace keywarden {
namespace {

constexpr std::size_t kFingerprintSize = 32;
// ceil(64 bits of wanted entropy / log2(7776) bits per word) = 5 words.
constexpr int kWords = 5;

}  // namespace

Result<std::string> FingerprintPhrase(std::string_view material, const RsaPublicKey& public_key) {
  // As Bitwarden's SDK: the PRK is SHA-256 of the SPKI DER (see the header for why that equals
  // using the DER itself).
  const std::vector<std::uint8_t> spki = public_key.ToSpkiDer();
  std::array<std::uint8_t, 32> key_hash{};
  if (EVP_Digest(spki.data(), spki.size(), key_hash.data(), nullptr, EVP_sha256(), nullptr) != 1) {
    ERR_clear_error();
    return InternalError("SHA-256 failed");
  }
  KW_ASSIGN_OR_RETURN(SecureBuffer fingerprint, HkdfExpandSha256(key_hash, material, kFingerprintSize));

  std::unique_ptr<BIGNUM, decltype(&BN_free)> number(
      BN_bin2bn(fingerprint.data(), static_cast<int>(fingerprint.size()), nullptr), &BN_free);
  if (number == nullptr) {
    ERR_clear_error();
    return InternalError("cannot read the fingerprint as a number");
  }
  const std::span<const std::string_view> words = EffLongWordList();
  std::string phrase;
  for (int i = 0; i < kWords; ++i) {
    // Least significant base-7776 digit first.
    const BN_ULONG index = BN_div_word(number.get(), static_cast<BN_ULONG>(words.size()));
    if (index == static_cast<BN_ULONG>(-1)) {
      ERR_clear_error();
      return InternalError("cannot divide the fingerprint");
    }
    if (i > 0) phrase += '-';
    phrase += words[index];
  }
  return phrase;
}

}  // namespace keywarden
