#include "crypto/internal/aes_cbc_hmac.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>

namespace keywarden::internal {
namespace {

// EVP_CipherUpdate takes an int length; larger inputs go through in steps of this many bytes
// (a multiple of the block size, so no step leaves a partial block behind).
constexpr std::size_t kMaxUpdate = std::size_t{1} << 30;

const std::uint8_t kZeroBlock[kAesBlockSize] = {};

Status DecryptionFailed() { return AuthenticationError("decryption failed"); }
Status CryptoLibraryFailed() { return InternalError("the AES-CBC/HMAC implementation failed"); }

// Explicit fetches, done once: EVP_aes_256_cbc() and friends fetch from the provider on every init.
struct Algorithms {
  EVP_CIPHER* aes_256_cbc = nullptr;
  EVP_MAC* hmac = nullptr;
};

const Algorithms& GetAlgorithms() {
  // Never freed: at exit, OpenSSL may already have cleaned up before static destructors run.
  static const Algorithms* const algorithms = [] {
    auto* a = new Algorithms;
    a->aes_256_cbc = EVP_CIPHER_fetch(nullptr, "AES-256-CBC", nullptr);
    a->hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    return a;
  }();
  return *algorithms;
}

// One cipher context and one HMAC context per thread, kept between calls.
class ThreadContexts {
 public:
  ThreadContexts() {
    const Algorithms& algorithms = GetAlgorithms();
    if (algorithms.aes_256_cbc == nullptr || algorithms.hmac == nullptr) return;
    cipher_ = EVP_CIPHER_CTX_new();
    hmac_ = EVP_MAC_CTX_new(algorithms.hmac);
    if (hmac_ != nullptr) {
      char digest[] = "SHA256";
      const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                   OSSL_PARAM_construct_end()};
      if (EVP_MAC_CTX_set_params(hmac_, params) != 1) {
        EVP_MAC_CTX_free(hmac_);
        hmac_ = nullptr;
      }
    }
  }
  ~ThreadContexts() {
    EVP_CIPHER_CTX_free(cipher_);  // both free functions wipe the key state
    EVP_MAC_CTX_free(hmac_);
  }
  ThreadContexts(const ThreadContexts&) = delete;
  ThreadContexts& operator=(const ThreadContexts&) = delete;

  bool ok() const { return cipher_ != nullptr && hmac_ != nullptr; }

  // Keys the cipher. After the first call the cipher is left bound to the context: passing it
  // again would make OpenSSL free and re-create the provider state on every call.
  bool InitCipher(std::span<const std::uint8_t> key, std::span<const std::uint8_t> iv, int encrypt) {
    const EVP_CIPHER* cipher = EVP_CIPHER_CTX_get0_cipher(cipher_) == nullptr ? GetAlgorithms().aes_256_cbc : nullptr;
    if (EVP_CipherInit_ex2(cipher_, cipher, key.data(), iv.data(), encrypt, nullptr) == 1) return true;
    EVP_CIPHER_CTX_reset(cipher_);
    return false;
  }

  bool Hmac(std::span<const std::uint8_t> key, std::span<const std::uint8_t> iv, std::span<const std::uint8_t> ct,
            std::span<std::uint8_t> out) {
    std::size_t out_len = 0;
    return EVP_MAC_init(hmac_, key.data(), key.size(), nullptr) == 1 &&
           EVP_MAC_update(hmac_, iv.data(), iv.size()) == 1 && EVP_MAC_update(hmac_, ct.data(), ct.size()) == 1 &&
           EVP_MAC_final(hmac_, out.data(), &out_len, out.size()) == 1 && out_len == kMacSize;
  }

  // OpenSSL keeps the last plaintext block (with its padding) in the context's internal buffer.
  // One more update of zeros overwrites it: a decrypt holds back a whole block, an encrypt keeps
  // a partial one, and 15 bytes cover every plaintext byte (the 16th is always padding). The key
  // schedule is left: re-keying after every call costs more than the throughput goal allows, and
  // the next call on this thread, or the thread's exit, replaces or wipes it.
  void ScrubCipherBuffer(int encrypt) {
    std::uint8_t sink[2 * kAesBlockSize];
    int n = 0;
    (void)EVP_CipherUpdate(cipher_, sink, &n, kZeroBlock, encrypt ? 15 : 16);
  }

  EVP_CIPHER_CTX* cipher() { return cipher_; }

 private:
  EVP_CIPHER_CTX* cipher_ = nullptr;
  EVP_MAC_CTX* hmac_ = nullptr;
};

ThreadContexts* Contexts() {
  thread_local ThreadContexts contexts;
  return contexts.ok() ? &contexts : nullptr;
}

// Runs the keyed cipher over all of `in` (update and final), writing to `out`.
bool CipherRun(EVP_CIPHER_CTX* ctx, std::span<const std::uint8_t> in, std::uint8_t* out, std::size_t* written) {
  std::size_t total = 0;
  while (!in.empty()) {
    const std::size_t step = std::min(in.size(), kMaxUpdate);
    int n = 0;
    if (EVP_CipherUpdate(ctx, out + total, &n, in.data(), static_cast<int>(step)) != 1) return false;
    total += static_cast<std::size_t>(n);
    in = in.subspan(step);
  }
  int n = 0;
  if (EVP_CipherFinal_ex(ctx, out + total, &n) != 1) return false;
  *written = total + static_cast<std::size_t>(n);
  return true;
}

bool KeyAndIvSizesOk(std::span<const std::uint8_t> key, std::span<const std::uint8_t> iv) {
  return key.size() == kAesKeySize && iv.size() == kIvSize;
}

// Shared by types 0 and 2, after any MAC check.
Result<SecureBuffer> CbcDecrypt(ThreadContexts& contexts, std::span<const std::uint8_t> key,
                                std::span<const std::uint8_t> iv, std::span<const std::uint8_t> ct) {
  if (ct.empty() || ct.size() % kAesBlockSize != 0) return DecryptionFailed();
  if (!contexts.InitCipher(key, iv, 0)) return CryptoLibraryFailed();
  SecureBuffer plaintext(ct.size());  // padding removal only shortens it
  std::size_t written = 0;
  const bool ok = CipherRun(contexts.cipher(), ct, plaintext.data(), &written);
  contexts.ScrubCipherBuffer(0);
  if (!ok) return DecryptionFailed();  // bad padding
  plaintext.Truncate(written);
  return plaintext;
}

}  // namespace

Status Aes256CbcHmacEncrypt(std::span<const std::uint8_t> enc_key, std::span<const std::uint8_t> mac_key,
                            std::span<const std::uint8_t> iv, std::span<const std::uint8_t> plaintext,
                            std::span<std::uint8_t> ct_out, std::span<std::uint8_t> mac_out) {
  if (!KeyAndIvSizesOk(enc_key, iv) || mac_key.size() != kHmacKeySize || mac_out.size() != kMacSize ||
      ct_out.size() != CbcCiphertextSize(plaintext.size())) {
    return InvalidArgumentError("AES-256-CBC-HMAC needs 32-byte keys, a 16-byte iv and a sized output");
  }
  ThreadContexts* contexts = Contexts();
  if (contexts == nullptr || !contexts->InitCipher(enc_key, iv, 1)) return CryptoLibraryFailed();
  std::size_t written = 0;
  const bool encrypted = CipherRun(contexts->cipher(), plaintext, ct_out.data(), &written);
  contexts->ScrubCipherBuffer(1);
  if (!encrypted || written != ct_out.size()) return CryptoLibraryFailed();
  const bool maced = contexts->Hmac(mac_key, iv, ct_out, mac_out);
  return maced ? OkStatus() : CryptoLibraryFailed();
}

Result<SecureBuffer> Aes256CbcHmacDecrypt(std::span<const std::uint8_t> enc_key, std::span<const std::uint8_t> mac_key,
                                          std::span<const std::uint8_t> iv, std::span<const std::uint8_t> ct,
                                          std::span<const std::uint8_t> mac) {
  if (!KeyAndIvSizesOk(enc_key, iv) || mac_key.size() != kHmacKeySize) {
    return InvalidArgumentError("AES-256-CBC-HMAC needs 32-byte keys and a 16-byte iv");
  }
  ThreadContexts* contexts = Contexts();
  if (contexts == nullptr) return CryptoLibraryFailed();
  std::uint8_t expected[kMacSize];
  const bool maced = contexts->Hmac(mac_key, iv, ct, expected);
  if (!maced) return CryptoLibraryFailed();
  // Constant time, and before any decryption: nothing about the plaintext leaks on a forgery.
  if (!ConstantTimeEquals(expected, mac)) return DecryptionFailed();
  return CbcDecrypt(*contexts, enc_key, iv, ct);
}

Result<SecureBuffer> Aes256CbcDecrypt(std::span<const std::uint8_t> key, std::span<const std::uint8_t> iv,
                                      std::span<const std::uint8_t> ct) {
  if (!KeyAndIvSizesOk(key, iv)) return InvalidArgumentError("AES-256-CBC needs a 32-byte key and a 16-byte iv");
  ThreadContexts* contexts = Contexts();
  if (contexts == nullptr) return CryptoLibraryFailed();
  return CbcDecrypt(*contexts, key, iv, ct);
}

}  // namespace keywarden::internal
