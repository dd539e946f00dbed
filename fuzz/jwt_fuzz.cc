// libFuzzer target for bearer-token authentication: the bytes are an Authorization header
// value (as sent, and behind a "Bearer " prefix so the fuzzer reaches the JWS parser at once),
// a JWKS document and an OIDC discovery document.
//
// Beyond "does not crash or hang": no input may verify, since the fuzzer cannot forge a
// signature of the key made at start-up; an accepted token aborts so that libFuzzer saves it.
// And the two strict JSON readers (strict_json.h) must accept and refuse the same documents.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "auth/token_verifier.h"
#include "fuzz_require.h"
#include "jose/jwks.h"
#include "jose/jwt_signer.h"
#include "jose/strict_json.h"

namespace keywarden::connector {
namespace {

const TimePoint kNow{std::chrono::seconds(1'700'000'000)};

using ::keywarden::fuzz::Require;

struct Fixture {
  std::string jwks;
  std::unique_ptr<auth::TokenVerifier> verifier;
};

Fixture& GetFixture() {
  static Fixture* fixture = [] {
    auto* f = new Fixture;
    auto rsa = jose::JwtSigner::Generate(jose::JwsAlgorithm::kRs256, "rsa-1");
    auto ec = jose::JwtSigner::Generate(jose::JwsAlgorithm::kEs256, "ec-1");
    Require(rsa.ok() && ec.ok(), "cannot generate the fuzzing keys");
    f->jwks = nlohmann::json{{"keys", nlohmann::json::array({rsa->PublicJwk(), ec->PublicJwk()})}}.dump();
    auth::TokenVerifierOptions options;
    options.policy.issuer = "https://identity.example.com";
    options.policy.audience = "key-connector";
    options.policy.required_scopes = {"api"};
    options.policy.allowed_amr = {"Application", "external"};
    f->verifier = std::make_unique<auth::TokenVerifier>(options, [f]() -> Result<std::string> { return f->jwks; });
    Require(f->verifier->Refresh(kNow).ok(), "the fuzzing JWKS does not load");
    return f;
  }();
  return *fixture;
}

}  // namespace
}  // namespace keywarden::connector

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace keywarden;
  using namespace keywarden::connector;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Fixture& fixture = GetFixture();
  // The same `now` every time: refetches (for unknown kids) stay paced and the run deterministic.
  Require(!fixture.verifier->Verify(text, kNow).ok(), "a fuzzed Authorization header verified");
  Require(!fixture.verifier->Verify("Bearer " + std::string(text), kNow).ok(), "a fuzzed token verified");
  auto set = jose::ParseJwks(text);
  if (set.ok()) {
    for (const auto& [kid, key] : *set) Require(!kid.empty() && key.key != nullptr, "ParseJwks kept an empty key");
  }
  (void)jose::ParseDiscovery(text);
  // The member reader and the document builder enforce one set of rules: they must agree.
  std::array<jose::JsonMember, jose::TokenClaims::kCount> members;
  const bool read = jose::ReadJsonMembers(text, "x", jose::TokenClaims::kNames, members).ok();
  Require(read == jose::ParseJsonObject(text, "x").ok(), "ReadJsonMembers and ParseJsonObject disagree");
  return 0;
}
