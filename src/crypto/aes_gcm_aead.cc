#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <memory>

#include "crypto/openssl_ptr.h"
#include "keywarden/crypto/aead.h"
#include "keywarden/crypto/random.h"

namespace keywarden {
namespace {

// EVP takes int lengths; longer inputs go through in steps (GCM is a stream mode, any split works).
constexpr std::size_t kMaxUpdate = std::size_t{1} << 30;

Status DecryptionFailed() { return AuthenticationError("decryption failed"); }
Status CryptoLibraryFailed() { return InternalError("the AES-GCM implementation failed"); }

// Fetched once: EVP_aes_256_gcm() would fetch from the provider on every init. Never freed,
// because OpenSSL may clean up before static destructors run.
const EVP_CIPHER* AesGcm() {
  static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  return cipher;
}

using CipherCtx = OpenSslPtr<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;  // the free wipes the key schedule

// Feeds associated data (out == nullptr) or message bytes through the keyed context.
bool Update(EVP_CIPHER_CTX* ctx, std::span<const std::uint8_t> in, std::uint8_t* out) {
  while (!in.empty()) {
    const std::size_t step = std::min(in.size(), kMaxUpdate);
    int n = 0;
    if (EVP_CipherUpdate(ctx, out, &n, in.data(), static_cast<int>(step)) != 1) return false;
    if (out != nullptr) out += n;
    in = in.subspan(step);
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<AesGcmAead>> AesGcmAead::New(SecureBuffer key) {
  if (key.size() != kKeySize) {
    return InvalidArgumentError("AES-256-GCM needs a 32-byte key, got " + std::to_string(key.size()) + " bytes");
  }
  const EVP_CIPHER* cipher = AesGcm();
  CipherCtx decrypt_template(EVP_CIPHER_CTX_new());
  if (cipher == nullptr || decrypt_template == nullptr ||
      EVP_DecryptInit_ex2(decrypt_template.get(), cipher, key.data(), nullptr, nullptr) != 1) {
    return CryptoLibraryFailed();
  }
  return std::unique_ptr<AesGcmAead>(new AesGcmAead(std::move(key), CipherContext(decrypt_template.release())));
}

void AesGcmAead::CipherContextFree::operator()(evp_cipher_ctx_st* ctx) const { EVP_CIPHER_CTX_free(ctx); }

Result<std::vector<std::uint8_t>> AesGcmAead::Encrypt(std::span<const std::uint8_t> plaintext,
                                                      std::span<const std::uint8_t> associated_data) const {
  const EVP_CIPHER* cipher = AesGcm();
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (cipher == nullptr || ctx == nullptr) return CryptoLibraryFailed();

  std::vector<std::uint8_t> out(kNonceSize + plaintext.size() + kTagSize);
  std::span<std::uint8_t> nonce(out.data(), kNonceSize);
  KW_RETURN_IF_ERROR(RandomBytes(nonce));

  std::uint8_t* ct = out.data() + kNonceSize;
  std::uint8_t sink[16];  // GCM's final writes nothing; EVP still wants somewhere to write
  int final_len = 0;
  // The default GCM IV length is 12 bytes, so the nonce goes straight into the init.
  if (EVP_EncryptInit_ex2(ctx.get(), cipher, key_.data(), nonce.data(), nullptr) != 1 ||
      !Update(ctx.get(), associated_data, nullptr) || !Update(ctx.get(), plaintext, ct) ||
      EVP_EncryptFinal_ex(ctx.get(), sink, &final_len) != 1 || final_len != 0) {
    return CryptoLibraryFailed();
  }
  std::uint8_t* tag = ct + plaintext.size();
  OSSL_PARAM params[] = {OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, kTagSize),
                         OSSL_PARAM_construct_end()};
  if (EVP_CIPHER_CTX_get_params(ctx.get(), params) != 1) return CryptoLibraryFailed();
  return out;
}

Result<SecureBuffer> AesGcmAead::Decrypt(std::span<const std::uint8_t> ciphertext,
                                         std::span<const std::uint8_t> associated_data) const {
  if (ciphertext.size() < kNonceSize + kTagSize) return DecryptionFailed();
  // A copy of the keyed context skips the key schedule and the provider lookups; only the
  // nonce is new.
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr || EVP_CIPHER_CTX_copy(ctx.get(), decrypt_template_.get()) != 1) {
    return CryptoLibraryFailed();
  }

  const auto nonce = ciphertext.first(kNonceSize);
  const auto ct = ciphertext.subspan(kNonceSize, ciphertext.size() - kNonceSize - kTagSize);
  // EVP wants a mutable pointer for the expected tag, though it only reads it.
  std::uint8_t tag[kTagSize];
  std::copy_n(ciphertext.end() - kTagSize, kTagSize, tag);

  SecureBuffer plaintext(ct.size());
  OSSL_PARAM params[] = {OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, kTagSize),
                         OSSL_PARAM_construct_end()};
  std::uint8_t sink[16];
  int final_len = 0;
  // The final call compares the tag (in constant time); any failure says only "decryption failed",
  // and the plaintext buffer, already written, is wiped when it goes out of scope.
  if (EVP_DecryptInit_ex2(ctx.get(), nullptr, nullptr, nonce.data(), nullptr) != 1 ||
      !Update(ctx.get(), associated_data, nullptr) || !Update(ctx.get(), ct, plaintext.data()) ||
      EVP_CIPHER_CTX_set_params(ctx.get(), params) != 1 || EVP_DecryptFinal_ex(ctx.get(), sink, &final_len) != 1 ||
      final_len != 0) {
    return DecryptionFailed();
  }
  return plaintext;
}

}  // namespace keywarden
