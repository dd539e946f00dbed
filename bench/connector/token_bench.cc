// Token verification cost per request: a token never seen before (parse, RS256 signature, claims,
// cache fill), a token seen before (cache hit), and OpenSSL's bare RS256 verification of the same
// token as the reference in the same run (the part no implementation can avoid).
//
//   build/release/bench/keywarden_token_bench
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <vector>

#include "auth/token_verifier.h"
#include "jose/jws.h"
#include "jose/jwt_signer.h"

namespace {

using keywarden::TimePoint;
using keywarden::auth::TokenVerifier;
using keywarden::auth::TokenVerifierOptions;
using keywarden::jose::JwsAlgorithm;
using keywarden::jose::JwtSigner;

constexpr char kIssuer[] = "https://identity.example.com";
constexpr int kTokens = 2048;

struct Fixture {
  JwtSigner signer;
  std::vector<std::string> headers;  // "Bearer <token>"
};

const Fixture& Tokens() {
  static const Fixture* const fixture = [] {
    auto signer = JwtSigner::Generate(JwsAlgorithm::kRs256, "bench-1");
    if (!signer.ok()) std::abort();
    auto* made = new Fixture{std::move(*signer), {}};
    const TimePoint now = std::chrono::system_clock::now();
    for (int i = 0; i < kTokens; ++i) {
      char sub[37];
      std::snprintf(sub, sizeof(sub), "6b1d6d3c-5c3e-4d1a-9a55-%012d", i);
      auto claims = JwtSigner::StandardClaims(kIssuer, sub, now, std::chrono::hours(4));
      claims["jti"] = std::to_string(i);
      auto token = made->signer.Mint(nlohmann::json::object(), claims);
      if (!token.ok()) std::abort();
      made->headers.push_back("Bearer " + *token);
    }
    return made;
  }();
  return *fixture;
}

std::unique_ptr<TokenVerifier> NewVerifier() {
  TokenVerifierOptions options;
  options.policy.issuer = kIssuer;
  options.policy.required_scopes = {"api"};
  options.policy.allowed_amr = {"Application", "external"};
  const std::string jwks = Tokens().signer.JwksJson();
  auto verifier = std::make_unique<TokenVerifier>(options, [jwks] { return keywarden::Result<std::string>(jwks); });
  if (!verifier->Refresh(std::chrono::system_clock::now()).ok()) std::abort();
  return verifier;
}

void BM_VerifyNewToken(benchmark::State& state) {
  const Fixture& tokens = Tokens();
  std::unique_ptr<TokenVerifier> verifier = NewVerifier();
  const TimePoint now = std::chrono::system_clock::now();
  std::size_t next = 0;
  for (auto _ : state) {
    if (next == tokens.headers.size()) {  // every token seen: start again with an empty cache
      state.PauseTiming();
      verifier = NewVerifier();
      next = 0;
      state.ResumeTiming();
    }
    auto verified = verifier->Verify(tokens.headers[next++], now);
    if (!verified.ok()) state.SkipWithError("a token was refused");
    benchmark::DoNotOptimize(verified);
  }
}
BENCHMARK(BM_VerifyNewToken);

void BM_VerifySeenToken(benchmark::State& state) {
  const Fixture& tokens = Tokens();
  std::unique_ptr<TokenVerifier> verifier = NewVerifier();
  const TimePoint now = std::chrono::system_clock::now();
  for (const std::string& header : tokens.headers) (void)verifier->Verify(header, now);
  std::size_t next = 0;
  for (auto _ : state) {
    auto verified = verifier->Verify(tokens.headers[next], now);
    next = (next + 1) % tokens.headers.size();
    if (!verified.ok()) state.SkipWithError("a token was refused");
    benchmark::DoNotOptimize(verified);
  }
}
BENCHMARK(BM_VerifySeenToken);

// Parsing alone: the three base64url parts, the header's checks and the payload's JSON.
void BM_ParseJws(benchmark::State& state) {
  const Fixture& tokens = Tokens();
  std::size_t next = 0;
  for (auto _ : state) {
    const std::string_view token = std::string_view(tokens.headers[next]).substr(7);
    next = (next + 1) % tokens.headers.size();
    auto jws = keywarden::jose::ParseJws(token, keywarden::jose::kDefaultMaxTokenBytes);
    if (!jws.ok()) state.SkipWithError("a token was refused");
    benchmark::DoNotOptimize(jws);
  }
}
BENCHMARK(BM_ParseJws);

// The reference: OpenSSL verifying one token's RS256 signature over its signing input, with
// nothing else (no parsing, no claims).
void BM_OpenSslRs256Verify(benchmark::State& state) {
  const Fixture& tokens = Tokens();
  const std::string token = tokens.headers[0].substr(7);
  auto jws = keywarden::jose::ParseJws(token, keywarden::jose::kDefaultMaxTokenBytes);
  if (!jws.ok()) std::abort();
  const std::vector<std::uint8_t> spki = tokens.signer.PublicKeySpkiDer();
  const unsigned char* cursor = spki.data();
  EVP_PKEY* key = d2i_PUBKEY(nullptr, &cursor, static_cast<long>(spki.size()));
  if (key == nullptr) std::abort();
  for (auto _ : state) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
                    EVP_DigestVerify(ctx, jws->signature.data(), jws->signature.size(),
                                     reinterpret_cast<const unsigned char*>(jws->signing_input.data()),
                                     jws->signing_input.size()) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok) state.SkipWithError("OpenSSL refused the signature");
  }
  EVP_PKEY_free(key);
}
BENCHMARK(BM_OpenSslRs256Verify);

}  // namespace
