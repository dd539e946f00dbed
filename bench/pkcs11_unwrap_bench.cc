// RSA unwrap of a 32-byte data key (RSA-OAEP-SHA1, 2048 bits): the same key on a SoftHSM2 token,
// through custody::Pkcs11RsaKeyProvider (C_Decrypt on a pooled, logged-in session), and in a PEM key file,
// through custody::FileRsaKeyProvider (OpenSSL in process). Compare the two times per unwrap; the ratio
// is the price of keeping the key in a (software) HSM.
//
//   build/release/bench/keywarden_pkcs11_bench --benchmark_repetitions=3
#include <benchmark/benchmark.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "custody/file/file_rsa_key_provider.h"
#include "custody/pkcs11/pkcs11_rsa_key_provider.h"
#include "keywarden/crypto/random.h"
#include "support/softhsm_token.h"

namespace keywarden::connector {
namespace {

using keywarden::testing::SoftHsmToken;

// One key, in a file and on a token, and a data key wrapped under it; made once per run.
struct Setup {
  std::string error;  // set when SoftHSM2 is missing or a step failed
  std::unique_ptr<SoftHsmToken> token;
  std::unique_ptr<custody::FileRsaKeyProvider> file;
  std::unique_ptr<custody::Pkcs11RsaKeyProvider> hsm;
  SecureBuffer data_key;
  std::vector<std::uint8_t> wrapped;

  ~Setup() {
    hsm.reset();  // its sessions go before the token's folder
    token.reset();
  }
};

std::unique_ptr<Setup> MakeSetup() {
  auto setup = std::make_unique<Setup>();
  setup->token = SoftHsmToken::Create(&setup->error, "keywarden-bench");
  if (setup->token == nullptr) return setup;
  const std::string path = setup->token->dir().File("key.pem");
  if (!custody::CreateKeyFile(path, custody::KeyFileFormat::kPemPkcs8, nullptr).ok()) {
    setup->error = "cannot create the key file";
    return setup;
  }
  auto file = custody::FileRsaKeyProvider::Load(path, nullptr);
  if (!file.ok()) {
    setup->error = file.status().ToString();
    return setup;
  }
  std::ostringstream pem;
  pem << std::ifstream(path).rdbuf();
  auto key = RsaPrivateKey::FromPem(pem.str());
  if (!key.ok() || !setup->token->ImportKey(*key, "bench", {0x01}).ok()) {
    setup->error = "cannot import the key into the token";
    return setup;
  }
  auto hsm = custody::Pkcs11RsaKeyProvider::Open(setup->token->Settings("bench"));
  auto data_key = RandomSecret(32);
  if (!hsm.ok() || !data_key.ok()) {
    setup->error = hsm.ok() ? "no random data key" : hsm.status().ToString();
    return setup;
  }
  setup->file = std::move(file).value();
  setup->hsm = std::move(hsm).value();
  setup->data_key = std::move(data_key).value();
  auto wrapped = setup->file->Wrap(setup->data_key.span());
  if (!wrapped.ok()) {
    setup->error = "cannot wrap";
    return setup;
  }
  setup->wrapped = std::move(wrapped).value();
  return setup;
}

Setup& Shared() {
  static std::unique_ptr<Setup> setup = MakeSetup();
  return *setup;
}

void Unwrap(benchmark::State& state, const custody::RsaKeyProvider* provider) {
  Setup& setup = Shared();
  if (!setup.error.empty() || provider == nullptr) {
    state.SkipWithError(setup.error.c_str());
    return;
  }
  for (auto _ : state) {
    auto unwrapped = provider->Unwrap(setup.wrapped);
    if (!unwrapped.ok() || !unwrapped->Equals(setup.data_key.span())) {
      state.SkipWithError("unwrap failed");
      break;
    }
    benchmark::DoNotOptimize(unwrapped);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_FileUnwrap32(benchmark::State& state) { Unwrap(state, Shared().file.get()); }
BENCHMARK(BM_FileUnwrap32)->Unit(benchmark::kMicrosecond);

void BM_SoftHsmUnwrap32(benchmark::State& state) { Unwrap(state, Shared().hsm.get()); }
BENCHMARK(BM_SoftHsmUnwrap32)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace keywarden::connector
