// AES-256-GCM open of a stored user key (64 bytes, the user id as associated data), as the
// connector does on every GET, against a bare OpenSSL EVP loop that keeps one keyed context and
// only changes the nonce: the least per-call work OpenSSL allows.
#include <benchmark/benchmark.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "keywarden/crypto/aead.h"
#include "keywarden/crypto/random.h"

namespace keywarden {
namespace {

constexpr std::size_t kPayloadSize = 64;
constexpr std::string_view kUserId = "6b1d6d3c-5c3e-4d1a-9a55-0123456789ab";

SecureBuffer MustRandomSecret(std::size_t size) {
  auto bytes = RandomSecret(size);
  if (!bytes.ok()) std::abort();
  return std::move(bytes).value();
}

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
    const bool ok = EVP_DecryptInit_ex2(ctx, nullptr, nullptr, nonce, nullptr) == 1 &&
                    EVP_DecryptUpdate(ctx, nullptr, &n, AssociatedData().data(),
                                      static_cast<int>(AssociatedData().size())) == 1 &&
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
