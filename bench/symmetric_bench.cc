// Type 2 EncString throughput against a bare OpenSSL EVP implementation of the same work.
//
// The payload is 64 bytes, a symmetric key: wrapping keys is what Keywarden does most, and at
// this size per-call overhead (fetches, allocations) matters more than the cipher itself.
// Compare items_per_second of BM_Type2Encrypt64 with BM_BaselineEvpEncrypt64, and likewise
// for decrypt; the goal is at least 0.8 of the baseline.
//
// Also the AES-256-GCM open of a stored user key (the user id as associated data), as the
// connector does on every GET, against a bare EVP loop that keeps one keyed context and only
// changes the nonce: the least per-call work OpenSSL allows.
#include <benchmark/benchmark.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "keywarden/crypto/aead.h"
#include "keywarden/crypto/enc_string.h"
#include "keywarden/crypto/random.h"
#include "keywarden/crypto/symmetric_key.h"

namespace keywarden {
namespace {

constexpr std::size_t kPayloadSize = 64;
constexpr std::size_t kCiphertextSize = 80;  // 64 bytes plus a full block of PKCS#7 padding
constexpr std::string_view kUserId = "6b1d6d3c-5c3e-4d1a-9a55-0123456789ab";

SymmetricKey MustGenerateKey() {
  auto key = SymmetricKey::Generate();
  if (!key.ok()) std::abort();
  return std::move(key).value();
}

SecureBuffer MustRandomSecret(std::size_t size) {
  auto bytes = RandomSecret(size);
  if (!bytes.ok()) std::abort();
  return std::move(bytes).value();
}

void BM_Type2Encrypt64(benchmark::State& state) {
  const SymmetricKey key = MustGenerateKey();
  const SecureBuffer payload = MustRandomSecret(kPayloadSize);
  for (auto _ : state) {
    auto enc = EncString::Encrypt(key, payload);
    if (!enc.ok()) state.SkipWithError("encrypt failed");
    benchmark::DoNotOptimize(enc);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(kPayloadSize));
}
BENCHMARK(BM_Type2Encrypt64);

void BM_Type2Decrypt64(benchmark::State& state) {
  const SymmetricKey key = MustGenerateKey();
  const SecureBuffer payload = MustRandomSecret(kPayloadSize);
  auto enc = EncString::Encrypt(key, payload);
  if (!enc.ok()) std::abort();
  for (auto _ : state) {
    auto plaintext = enc->Decrypt(key);
    if (!plaintext.ok()) state.SkipWithError("decrypt failed");
    benchmark::DoNotOptimize(plaintext);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(kPayloadSize));
}
BENCHMARK(BM_Type2Decrypt64);

// The baseline: what a careful direct use of OpenSSL looks like. Algorithms fetched once,
// contexts reused (the cipher stays bound to its context), output in caller-owned memory.
class BaselineEvp {
 public:
  BaselineEvp()
      : cipher_(EVP_CIPHER_fetch(nullptr, "AES-256-CBC", nullptr)),
        mac_(EVP_MAC_fetch(nullptr, "HMAC", nullptr)),
        cipher_ctx_(EVP_CIPHER_CTX_new()),
        mac_ctx_(EVP_MAC_CTX_new(mac_)) {
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
    if (cipher_ == nullptr || cipher_ctx_ == nullptr || mac_ctx_ == nullptr ||
        EVP_MAC_CTX_set_params(mac_ctx_, params) != 1) {
      std::abort();
    }
  }
  ~BaselineEvp() {
    EVP_MAC_CTX_free(mac_ctx_);
    EVP_CIPHER_CTX_free(cipher_ctx_);
    EVP_MAC_free(mac_);
    EVP_CIPHER_free(cipher_);
  }
  BaselineEvp(const BaselineEvp&) = delete;
  BaselineEvp& operator=(const BaselineEvp&) = delete;

  bool Encrypt(const std::uint8_t* key, const std::uint8_t* payload, std::uint8_t* iv, std::uint8_t* ct,
               std::uint8_t* mac) {
    if (RAND_bytes(iv, 16) != 1 || !Cipher(key, iv, payload, kPayloadSize, ct, 1)) return false;
    return Mac(key + 32, iv, ct, mac);
  }

  bool Decrypt(const std::uint8_t* key, const std::uint8_t* iv, const std::uint8_t* ct, const std::uint8_t* mac,
               std::uint8_t* out) {
    std::uint8_t expected[32];
    if (!Mac(key + 32, iv, ct, expected) || CRYPTO_memcmp(expected, mac, 32) != 0) return false;
    return Cipher(key, iv, ct, kCiphertextSize, out, 0);
  }

 private:
  bool Cipher(const std::uint8_t* key, const std::uint8_t* iv, const std::uint8_t* in, std::size_t in_len,
              std::uint8_t* out, int encrypt) {
    const EVP_CIPHER* cipher = bound_ ? nullptr : cipher_;
    if (EVP_CipherInit_ex2(cipher_ctx_, cipher, key, iv, encrypt, nullptr) != 1) return false;
    bound_ = true;
    int n = 0;
    int final_n = 0;
    return EVP_CipherUpdate(cipher_ctx_, out, &n, in, static_cast<int>(in_len)) == 1 &&
           EVP_CipherFinal_ex(cipher_ctx_, out + n, &final_n) == 1;
  }

  bool Mac(const std::uint8_t* mac_key, const std::uint8_t* iv, const std::uint8_t* ct, std::uint8_t* out) {
    std::size_t out_len = 0;
    return EVP_MAC_init(mac_ctx_, mac_key, 32, nullptr) == 1 && EVP_MAC_update(mac_ctx_, iv, 16) == 1 &&
           EVP_MAC_update(mac_ctx_, ct, kCiphertextSize) == 1 && EVP_MAC_final(mac_ctx_, out, &out_len, 32) == 1;
  }

  EVP_CIPHER* cipher_;
  EVP_MAC* mac_;
  EVP_CIPHER_CTX* cipher_ctx_;
  EVP_MAC_CTX* mac_ctx_;
  bool bound_ = false;
};

void BM_BaselineEvpEncrypt64(benchmark::State& state) {
  BaselineEvp evp;
  const SecureBuffer key = MustRandomSecret(SymmetricKey::kSize);
  const SecureBuffer payload = MustRandomSecret(kPayloadSize);
  std::array<std::uint8_t, 16> iv{};
  std::array<std::uint8_t, kCiphertextSize> ct{};
  std::array<std::uint8_t, 32> mac{};
  for (auto _ : state) {
    if (!evp.Encrypt(key.data(), payload.data(), iv.data(), ct.data(), mac.data())) {
      state.SkipWithError("encrypt failed");
    }
    benchmark::DoNotOptimize(ct);
    benchmark::DoNotOptimize(mac);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(kPayloadSize));
}
BENCHMARK(BM_BaselineEvpEncrypt64);

void BM_BaselineEvpDecrypt64(benchmark::State& state) {
  BaselineEvp evp;
  const SecureBuffer key = MustRandomSecret(SymmetricKey::kSize);
  const SecureBuffer payload = MustRandomSecret(kPayloadSize);
  std::array<std::uint8_t, 16> iv{};
  std::array<std::uint8_t, kCiphertextSize> ct{};
  std::array<std::uint8_t, 32> mac{};
  if (!evp.Encrypt(key.data(), payload.data(), iv.data(), ct.data(), mac.data())) std::abort();
  std::array<std::uint8_t, kCiphertextSize> out{};
  for (auto _ : state) {
    if (!evp.Decrypt(key.data(), iv.data(), ct.data(), mac.data(), out.data())) {
      state.SkipWithError("decrypt failed");
    }
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(kPayloadSize));
}
BENCHMARK(BM_BaselineEvpDecrypt64);

std::span<const std::uint8_t> AssociatedData() {
  return {reinterpret_cast<const std::uint8_t*>(kUserId.data()), kUserId.size()};
}

void BM_AesGcmAeadOpen64(benchmark::State& state) {
  auto aead = AesGcmAead::New(MustRandomSecret(AesGcmAead::kKeySize));
  if (!aead.ok()) std::abort();
  const SecureBuffer payload = MustRandomSecret(kPayloadSize);
  auto sealed = (*aead)->Encrypt(payload.span(), AssociatedData());
  if (!sealed.ok()) std::abort();
  for (auto _ : state) {
    auto opened = (*aead)->Decrypt(*sealed, AssociatedData());
    if (!opened.ok()) state.SkipWithError("decrypt failed");
    benchmark::DoNotOptimize(opened);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AesGcmAeadOpen64);

void BM_BaselineEvpGcmOpen64(benchmark::State& state) {
  const SecureBuffer key = MustRandomSecret(AesGcmAead::kKeySize);
  auto sealer = AesGcmAead::New(key.Clone());
  if (!sealer.ok()) std::abort();
  const SecureBuffer payload = MustRandomSecret(kPayloadSize);
  auto sealed = (*sealer)->Encrypt(payload.span(), AssociatedData());
  if (!sealed.ok()) std::abort();
  EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (cipher == nullptr || ctx == nullptr || EVP_DecryptInit_ex2(ctx, cipher, key.data(), nullptr, nullptr) != 1) {
    std::abort();
  }
  std::array<std::uint8_t, kPayloadSize> out{};
  std::array<std::uint8_t, AesGcmAead::kTagSize> tag{};
  const std::uint8_t* nonce = sealed->data();
  const std::uint8_t* ct = nonce + AesGcmAead::kNonceSize;
  std::copy_n(ct + kPayloadSize, tag.size(), tag.begin());
  for (auto _ : state) {
    int n = 0;
    OSSL_PARAM params[] = {OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag.data(), tag.size()),
                           OSSL_PARAM_construct_end()};
    const bool ok =
        EVP_DecryptInit_ex2(ctx, nullptr, nullptr, nonce, nullptr) == 1 &&
        EVP_DecryptUpdate(ctx, nullptr, &n, AssociatedData().data(), static_cast<int>(AssociatedData().size())) == 1 &&
        EVP_DecryptUpdate(ctx, out.data(), &n, ct, static_cast<int>(kPayloadSize)) == 1 &&
        EVP_CIPHER_CTX_set_params(ctx, params) == 1 && EVP_DecryptFinal_ex(ctx, out.data(), &n) == 1;
    if (!ok) state.SkipWithError("decrypt failed");
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
  EVP_CIPHER_CTX_free(ctx);
  EVP_CIPHER_free(cipher);
}
BENCHMARK(BM_BaselineEvpGcmOpen64);

}  // namespace
}  // namespace keywarden
