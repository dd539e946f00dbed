// The token matrix: one test per way a bearer token can be right or wrong, against a real
// auth::TokenVerifier, real keys generated at run time, and a JWKS served through the fetch callback
// (which the verifier's refresher thread calls; the fixture's state it reads is locked).
#include "auth/token_verifier.h"

#include "auth/bearer.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "jose/base64url.h"
#include "jose/jwt_signer.h"
#include "keywarden/crypto/encoding.h"

namespace keywarden::auth {
namespace {

using std::chrono::seconds;

constexpr char kIssuer[] = "https://identity.example.com";
constexpr char kSub[] = "A09726A0-9590-49D1-A5F5-AFE300B6A515";
constexpr char kUserId[] = "a09726a0-9590-49d1-a5f5-afe300b6a515";
const TimePoint kNow{seconds(1'700'000'000)};

// Key generation is the slow part; each key is made once per process, and only if used.
const jose::JwtSigner& Rsa() {
  static const jose::JwtSigner signer = *jose::JwtSigner::Generate(jose::JwsAlgorithm::kRs256, "rsa-1");
  return signer;
}
const jose::JwtSigner& RsaRotated() {
  static const jose::JwtSigner signer = *jose::JwtSigner::Generate(jose::JwsAlgorithm::kRs256, "rsa-2");
  return signer;
}
// Same kid as Rsa(), different key: what an attacker with their own key would produce.
const jose::JwtSigner& Foreign() {
  static const jose::JwtSigner signer = *jose::JwtSigner::Generate(jose::JwsAlgorithm::kRs256, "rsa-1");
  return signer;
}
const jose::JwtSigner& Ec() {
  static const jose::JwtSigner signer = *jose::JwtSigner::Generate(jose::JwsAlgorithm::kEs256, "ec-1");
  return signer;
}
const jose::JwtSigner& Pss() {
  static const jose::JwtSigner signer = *jose::JwtSigner::Generate(jose::JwsAlgorithm::kPs256, "pss-1");
  return signer;
}

std::string JwksOf(std::initializer_list<const jose::JwtSigner*> signers) {
  nlohmann::json keys = nlohmann::json::array();
  for (const jose::JwtSigner* signer : signers) keys.push_back(signer->PublicJwk());
  return nlohmann::json{{"keys", keys}}.dump();
}

// Claims() with a distinct `jti`, so that each n gives a different token for the same user.
nlohmann::json ClaimsNumbered(int n) {
  nlohmann::json claims = jose::JwtSigner::StandardClaims(kIssuer, kSub, kNow, seconds(300));
  claims["jti"] = std::to_string(n);
  return claims;
}

std::string Part(std::string_view json) { return jose::Base64UrlEncode(json); }

#define EXPECT_FAILURE(result, expected)                                                                          \
  do {                                                                                                            \
    const auto& kw_r_ = (result);                                                                                 \
    ASSERT_FALSE(kw_r_.ok()) << "accepted a token that must fail";                                                \
    EXPECT_EQ(jose::TokenFailureName(kw_r_.reason()), jose::TokenFailureName(expected)) << kw_r_.error().message; \
  } while (0)

class TokenVerifierTest : public ::testing::Test {
 protected:
  void TearDown() override { ReleaseFetches(); }

  // Created on first use, and then fetches once at kNow, as a service does before it listens.
  auth::TokenVerifier& verifier() {
    if (verifier_ == nullptr) {
      verifier_ = std::make_unique<auth::TokenVerifier>(options_, [this]() -> Result<std::string> {
        std::unique_lock<std::mutex> lock(mu_);
        ++fetches_;
        fetch_seen_.notify_all();
        // A hanging identity server, for at most 5 s (the HTTP client's timeout).
        fetch_released_.wait_for(lock, seconds(5), [this] { return !block_fetches_; });
        if (fetch_fails_) return UnavailableError("connection refused");
        return jwks_;
      });
      (void)verifier_->Refresh(kNow);
    }
    return *verifier_;
  }

  void SetJwks(std::string jwks) {
    std::lock_guard<std::mutex> lock(mu_);
    jwks_ = std::move(jwks);
  }
  void SetFetchFails(bool fails) {
    std::lock_guard<std::mutex> lock(mu_);
    fetch_fails_ = fails;
  }
  int Fetches() {
    std::lock_guard<std::mutex> lock(mu_);
    return fetches_;
  }
  void BlockFetches() {
    std::lock_guard<std::mutex> lock(mu_);
    block_fetches_ = true;
  }
  void ReleaseFetches() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      block_fetches_ = false;
    }
    fetch_released_.notify_all();
  }
  // Waits (at most 10 s) until the fetch callback has been called `count` times in all.
  bool AwaitFetchCount(int count) {
    std::unique_lock<std::mutex> lock(mu_);
    return fetch_seen_.wait_for(lock, seconds(10), [&] { return fetches_ >= count; });
  }
  // Waits (at most 10 s) for the fetch a Verify asked for to be done.
  void Settle() { ASSERT_TRUE(verifier().AwaitIdle(std::chrono::seconds(10))) << "a fetch still running after 10 s"; }

  static nlohmann::json Claims() { return jose::JwtSigner::StandardClaims(kIssuer, kSub, kNow, seconds(300)); }

  static std::string Mint(const jose::JwtSigner& signer, const nlohmann::json& claims = Claims(),
                          const nlohmann::json& header_extra = nullptr) {
    auto token = signer.Mint(header_extra, claims);
    EXPECT_TRUE(token.ok());
    return token.ok() ? *token : std::string();
  }

  jose::TokenResult<auth::Principal> Check(const std::string& token, TimePoint now = kNow) {
    return verifier().Verify("Bearer " + token, now);
  }

  // A token with the claims changed as `edit` says, signed properly by Rsa().
  template <typename Edit>
  jose::TokenResult<auth::Principal> CheckEdited(Edit edit) {
    nlohmann::json claims = Claims();
    edit(claims);
    return Check(Mint(Rsa(), claims));
  }

  auth::TokenVerifierOptions options_ = [] {
    auth::TokenVerifierOptions options;
    // The Key Connector's rules (connector/claim_policy.h), spelled out: auth must not depend on it.
    options.policy.issuer = kIssuer;
    options.policy.required_scopes = {"api"};
    options.policy.allowed_amr = {"Application", "external"};
    return options;
  }();
  std::mutex mu_;  // the fetch callback runs on the verifier's thread
  std::condition_variable fetch_seen_;
  std::condition_variable fetch_released_;
  std::string jwks_ = JwksOf({&Rsa()});
  int fetches_ = 0;
  bool fetch_fails_ = false;
  bool block_fetches_ = false;
  std::unique_ptr<auth::TokenVerifier> verifier_;  // last: destroyed (its thread joined) first
};

// --- Accepted -------------------------------------------------------------------------------

TEST_F(TokenVerifierTest, ValidRs256) {
  auto verified = Check(Mint(Rsa()));
  ASSERT_TRUE(verified.ok()) << verified.error().message;
  EXPECT_EQ(verified->user_id, kUserId);
  EXPECT_EQ(verified->kid, "rsa-1");
  EXPECT_EQ(verified->expires_at, kNow + seconds(300));
  EXPECT_EQ(Fetches(), 1);
  // The JWKS is cached.
  ASSERT_TRUE(Check(Mint(Rsa())).ok());
  EXPECT_EQ(Fetches(), 1);
}

TEST_F(TokenVerifierTest, ValidEs256) {
  SetJwks(JwksOf({&Rsa(), &Ec()}));
  auto verified = Check(Mint(Ec()));
  ASSERT_TRUE(verified.ok()) << verified.error().message;
  EXPECT_EQ(verified->user_id, kUserId);
}

TEST_F(TokenVerifierTest, ValidPs256) {
  SetJwks(JwksOf({&Pss()}));
  auto verified = Check(Mint(Pss()));
  ASSERT_TRUE(verified.ok()) << verified.error().message;
}

TEST_F(TokenVerifierTest, SchemeIsCaseInsensitive) {
  auto verified = verifier().Verify("bEARER " + Mint(Rsa()), kNow);
  ASSERT_TRUE(verified.ok()) << verified.error().message;
}

TEST_F(TokenVerifierTest, AcceptsExternalAmr) {
  ASSERT_TRUE(CheckEdited([](nlohmann::json& c) { c["amr"] = nlohmann::json::array({"external"}); }).ok());
  ASSERT_TRUE(CheckEdited([](nlohmann::json& c) { c["amr"] = nlohmann::json::array({"mfa", "external"}); }).ok());
  ASSERT_TRUE(CheckEdited([](nlohmann::json& c) { c["amr"] = "Application"; }).ok());
}

TEST_F(TokenVerifierTest, AcceptsUnrelatedAudienceWhenNoneConfigured) {
  ASSERT_TRUE(CheckEdited([](nlohmann::json& c) { c["aud"] = "some-other-api"; }).ok());
  ASSERT_TRUE(CheckEdited([](nlohmann::json& c) { c["aud"] = 42; }).ok());
}

TEST_F(TokenVerifierTest, ExpiredWithinSkewIsAccepted) {
  ASSERT_TRUE(Check(Mint(Rsa()), kNow + seconds(300 + 59)).ok());
}

// --- Audience -------------------------------------------------------------------------------

TEST_F(TokenVerifierTest, ConfiguredAudienceMatches) {
  options_.policy.audience = "key-connector";
  ASSERT_TRUE(CheckEdited([](nlohmann::json& c) { c["aud"] = "key-connector"; }).ok());
  ASSERT_TRUE(CheckEdited([](nlohmann::json& c) { c["aud"] = nlohmann::json::array({"api", "key-connector"}); }).ok());
}

TEST_F(TokenVerifierTest, ConfiguredAudienceDoesNotMatch) {
  options_.policy.audience = "key-connector";
  EXPECT_FAILURE(CheckEdited([](nlohmann::json& c) { c["aud"] = "api"; }), jose::TokenFailure::kWrongAudience);
  EXPECT_FAILURE(CheckEdited([](nlohmann::json& c) { c["aud"] = nlohmann::json::array({"api"}); }),
                 jose::TokenFailure::kWrongAudience);
  EXPECT_FAILURE(CheckEdited([](nlohmann::json&) {}), jose::TokenFailure::kWrongAudience);  // absent
}

// --- The header and its scheme --------------------------------------------------------------

TEST_F(TokenVerifierTest, NoHeader) {
  auto result = verifier().Verify("", kNow);
  EXPECT_FAILURE(result, jose::TokenFailure::kMissing);
  EXPECT_EQ(HttpStatusForTokenFailure(result.reason()), 401);
  EXPECT_EQ(Fetches(), 1);  // the start-up fetch only
}

TEST_F(TokenVerifierTest, WrongScheme) {
  EXPECT_FAILURE(verifier().Verify("Basic dXNlcjpwYXNz", kNow), jose::TokenFailure::kWrongScheme);
  EXPECT_FAILURE(verifier().Verify(Mint(Rsa()), kNow), jose::TokenFailure::kWrongScheme);  // no scheme at all
  EXPECT_FAILURE(verifier().Verify("Bearer:" + Mint(Rsa()), kNow), jose::TokenFailure::kWrongScheme);
}

TEST_F(TokenVerifierTest, EmptyToken) {
  EXPECT_FAILURE(verifier().Verify("Bearer ", kNow), jose::TokenFailure::kMalformed);
  EXPECT_FAILURE(verifier().Verify("Bearer", kNow), jose::TokenFailure::kMalformed);
  // Exactly one space.
  EXPECT_FAILURE(verifier().Verify("Bearer  " + Mint(Rsa()), kNow), jose::TokenFailure::kMalformed);
  EXPECT_FAILURE(verifier().Verify("Bearer " + Mint(Rsa()) + " ", kNow), jose::TokenFailure::kMalformed);
}

TEST_F(TokenVerifierTest, HugeToken) {
  const std::string huge(options_.max_token_bytes + 1, 'a');
  EXPECT_FAILURE(Check(huge), jose::TokenFailure::kTooLarge);
  EXPECT_FAILURE(verifier().Verify(std::string(1 << 20, 'x'), kNow), jose::TokenFailure::kTooLarge);
  EXPECT_EQ(Fetches(), 1);  // the start-up fetch only
  // A valid token over a lowered limit is refused too.
  options_.max_token_bytes = 100;
  verifier_.reset();
  EXPECT_FAILURE(Check(Mint(Rsa())), jose::TokenFailure::kTooLarge);
}

// --- Signature and keys ---------------------------------------------------------------------

TEST_F(TokenVerifierTest, SignedByForeignKeyWithSameKid) {
  auto result = Check(Mint(Foreign()));
  EXPECT_FAILURE(result, jose::TokenFailure::kBadSignature);
  EXPECT_EQ(HttpStatusForTokenFailure(result.reason()), 401);
}

TEST_F(TokenVerifierTest, AlgNoneUnsigned) {
  const std::string token = Part(R"({"alg":"none","kid":"rsa-1"})") + "." + Part(Claims().dump()) + ".";
  EXPECT_FAILURE(Check(token), jose::TokenFailure::kUnsupportedAlgorithm);
  EXPECT_FAILURE(Check(Mint(Rsa(), Claims(), {{"alg", "none"}})), jose::TokenFailure::kUnsupportedAlgorithm);
}

// The classic confusion: an HMAC keyed with the RSA public key, which anyone can obtain.
TEST_F(TokenVerifierTest, Hs256WithPublicKeyAsSecret) {
  const std::vector<std::uint8_t> der = Rsa().PublicKeySpkiDer();
  ASSERT_FALSE(der.empty());
  std::string pem = "-----BEGIN PUBLIC KEY-----\n";
  const std::string b64 = Base64Encode(der);
  for (std::size_t i = 0; i < b64.size(); i += 64) pem += b64.substr(i, 64) + "\n";
  pem += "-----END PUBLIC KEY-----\n";
  const std::string n = Rsa().PublicJwk()["n"];
  for (const std::string& secret : {std::string(der.begin(), der.end()), pem, n}) {
    const std::string input = Part(R"({"alg":"HS256","typ":"JWT","kid":"rsa-1"})") + "." + Part(Claims().dump());
    unsigned char mac[EVP_MAX_MD_SIZE];
    std::size_t mac_length = 0;
    ASSERT_NE(
        EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(),
                  reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, sizeof(mac), &mac_length),
        nullptr);
    EXPECT_FAILURE(Check(input + "." + jose::Base64UrlEncode(std::span<const std::uint8_t>(mac, mac_length))),
                   jose::TokenFailure::kUnsupportedAlgorithm);
  }
}

TEST_F(TokenVerifierTest, UnknownKidRefetchesAtMostOncePerInterval) {
  ASSERT_TRUE(Check(Mint(Rsa())).ok());
  ASSERT_EQ(Fetches(), 1);
  // Within the interval of the first fetch: no refetch at all, and a plain unknown key.
  EXPECT_FAILURE(Check(Mint(Rsa(), Claims(), {{"kid", "nope-0"}}), kNow + seconds(5)), jose::TokenFailure::kUnknownKey);
  Settle();
  EXPECT_EQ(Fetches(), 1);
  // After it: exactly one refetch, which the request does not wait for: it may bring the key, so
  // the answer is "try again" (503), not a 401 that would log the client out...
  const TimePoint later = kNow + seconds(31);
  auto pending = Check(Mint(Rsa(), Claims(), {{"kid", "nope-1"}}), later);
  EXPECT_FAILURE(pending, jose::TokenFailure::kKeysUnavailable);
  EXPECT_EQ(HttpStatusForTokenFailure(pending.reason()), 503);
  Settle();
  EXPECT_EQ(Fetches(), 2);
  // ...and a second unknown kid within the interval triggers none.
  EXPECT_FAILURE(Check(Mint(Rsa(), Claims(), {{"kid", "nope-2"}}), later + seconds(10)),
                 jose::TokenFailure::kUnknownKey);
  Settle();
  EXPECT_EQ(Fetches(), 2);
  // Known kids keep working without fetching.
  EXPECT_TRUE(Check(Mint(Rsa()), later + seconds(10)).ok());
  EXPECT_EQ(Fetches(), 2);
}

TEST_F(TokenVerifierTest, ConcurrentMissesShareOneFetch) {
  auth::TokenVerifier& shared = verifier();  // created before the threads start: verifier() is lazy
  const TimePoint later = kNow + seconds(31);
  std::vector<std::string> tokens;
  for (int i = 0; i < 8; ++i) tokens.push_back(Mint(Rsa(), Claims(), {{"kid", "new-" + std::to_string(i)}}));
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      if (!shared.Verify("Bearer " + tokens[static_cast<std::size_t>(i)], later).ok()) ++refused;
    });
  }
  for (std::thread& t : threads) t.join();
  Settle();
  EXPECT_EQ(refused, 8);
  EXPECT_EQ(Fetches(), 2);
}

TEST_F(TokenVerifierTest, RotationNewKidVerifiesAfterRefetch) {
  ASSERT_TRUE(Check(Mint(Rsa())).ok());
  SetJwks(JwksOf({&Rsa(), &RsaRotated()}));
  const TimePoint later = kNow + seconds(60);
  const std::string token = Mint(RsaRotated(), jose::JwtSigner::StandardClaims(kIssuer, kSub, later, seconds(300)));
  EXPECT_FAILURE(Check(token, later), jose::TokenFailure::kKeysUnavailable);  // 503: the client retries
  Settle();
  auto rotated = Check(token, later);
  ASSERT_TRUE(rotated.ok()) << rotated.error().message;
  EXPECT_EQ(rotated->kid, "rsa-2");
  EXPECT_EQ(Fetches(), 2);
}

TEST_F(TokenVerifierTest, RetiredKeyStopsVerifyingAfterRefetch) {
  ASSERT_TRUE(Check(Mint(Rsa())).ok());
  SetJwks(JwksOf({&RsaRotated()}));
  const TimePoint later = kNow + seconds(60);
  const std::string rotated = Mint(RsaRotated(), jose::JwtSigner::StandardClaims(kIssuer, kSub, later, seconds(300)));
  EXPECT_FAILURE(Check(rotated, later), jose::TokenFailure::kKeysUnavailable);
  Settle();
  ASSERT_TRUE(Check(rotated, later).ok());
  EXPECT_FAILURE(Check(Mint(Rsa(), jose::JwtSigner::StandardClaims(kIssuer, kSub, later, seconds(300))), later),
                 jose::TokenFailure::kUnknownKey);
  // A kid that names a key of another type.
  SetJwks(JwksOf({&Ec()}));
  const std::string wrong_type = Mint(Rsa(), Claims(), {{"kid", "ec-1"}});
  EXPECT_FAILURE(Check(wrong_type, later + seconds(31)), jose::TokenFailure::kKeysUnavailable);
  Settle();
  EXPECT_FAILURE(Check(wrong_type, later + seconds(31)), jose::TokenFailure::kBadSignature);
}

TEST_F(TokenVerifierTest, JkuHeader) {
  EXPECT_FAILURE(Check(Mint(Rsa(), Claims(), {{"jku", "https://evil.example/jwks"}})),
                 jose::TokenFailure::kForbiddenHeader);
  EXPECT_EQ(Fetches(), 1);  // the start-up fetch only
}

TEST_F(TokenVerifierTest, X5uHeader) {
  EXPECT_FAILURE(Check(Mint(Rsa(), Claims(), {{"x5u", "https://evil.example/cert.pem"}})),
                 jose::TokenFailure::kForbiddenHeader);
}

TEST_F(TokenVerifierTest, EmbeddedJwkHeader) {
  EXPECT_FAILURE(Check(Mint(Foreign(), Claims(), {{"jwk", Foreign().PublicJwk()}})),
                 jose::TokenFailure::kForbiddenHeader);
  EXPECT_FAILURE(Check(Mint(Rsa(), Claims(), {{"x5c", nlohmann::json::array({"MIIB"})}})),
                 jose::TokenFailure::kForbiddenHeader);
}

TEST_F(TokenVerifierTest, CritHeader) {
  EXPECT_FAILURE(Check(Mint(Rsa(), Claims(), {{"crit", nlohmann::json::array({"exp"})}})),
                 jose::TokenFailure::kForbiddenHeader);
}

TEST_F(TokenVerifierTest, StrippedSignature) {
  const std::string token = Mint(Rsa());
  EXPECT_FAILURE(Check(token.substr(0, token.rfind('.') + 1)), jose::TokenFailure::kMalformed);
}

TEST_F(TokenVerifierTest, HeaderNotJson) {
  EXPECT_FAILURE(Check(Part("RS256") + "." + Part(Claims().dump()) + ".AAAA"), jose::TokenFailure::kMalformed);
}

TEST_F(TokenVerifierTest, PayloadNotJson) {
  const std::string token = Mint(Rsa());
  const std::string header = token.substr(0, token.find('.'));
  EXPECT_FAILURE(Check(header + "." + Part("sub=me") + ".AAAA"), jose::TokenFailure::kMalformed);
}

// A signed payload that is valid JSON but not an object.
TEST_F(TokenVerifierTest, PayloadJsonArray) {
  EXPECT_FAILURE(Check(Mint(Rsa(), nlohmann::json::array({Claims()}))), jose::TokenFailure::kMalformed);
}

TEST_F(TokenVerifierTest, RepeatedClaimNames) {
  // Signed, so only the duplicate (which parsers resolve differently) can be the problem.
  const std::string claims = Claims().dump();
  const std::string doubled = claims.substr(0, claims.size() - 1) + R"(,"sub":"00000000-0000-0000-0000-000000000000"})";
  const std::string input = Part(R"({"alg":"RS256","kid":"rsa-1"})") + "." + Part(doubled);
  EXPECT_FAILURE(Check(input + ".AAAA"), jose::TokenFailure::kMalformed);
}

TEST_F(TokenVerifierTest, Rs256AgainstEcKey) {
  SetJwks(JwksOf({&Ec()}));
  EXPECT_FAILURE(Check(Mint(Rsa(), Claims(), {{"kid", "ec-1"}})), jose::TokenFailure::kBadSignature);
}

TEST_F(TokenVerifierTest, JwksFetchFailing) {
  SetFetchFails(true);
  auto result = Check(Mint(Rsa()));
  EXPECT_FAILURE(result, jose::TokenFailure::kKeysUnavailable);
  EXPECT_EQ(HttpStatusForTokenFailure(result.reason()), 503);
  // Still failing within the interval, without hammering the identity server.
  EXPECT_FAILURE(Check(Mint(Rsa()), kNow + seconds(1)), jose::TokenFailure::kKeysUnavailable);
  Settle();
  EXPECT_EQ(Fetches(), 1);
  // Recovers once the server answers and the interval has passed: that request asks for the
  // fetch, the next one is served.
  SetFetchFails(false);
  EXPECT_FAILURE(Check(Mint(Rsa()), kNow + seconds(31)), jose::TokenFailure::kKeysUnavailable);
  Settle();
  EXPECT_TRUE(Check(Mint(Rsa()), kNow + seconds(31)).ok());
}

TEST_F(TokenVerifierTest, BrokenJwksKeepsTheKeysAlreadyHeld) {
  ASSERT_TRUE(verifier().Refresh(kNow).ok());
  SetJwks("<html>502 Bad Gateway</html>");
  const TimePoint later = kNow + seconds(60);
  EXPECT_FAILURE(Check(Mint(Rsa(), Claims(), {{"kid", "new"}}), later), jose::TokenFailure::kKeysUnavailable);
  Settle();
  EXPECT_TRUE(Check(Mint(Rsa()), later).ok());
  EXPECT_EQ(Fetches(), 2);
}

// --- Fetching off the request's thread, on a timer, and after a signature failure ----------------

// How long `verify` takes.
template <typename Verify>
std::chrono::milliseconds Timed(Verify verify) {
  const auto start = std::chrono::steady_clock::now();
  verify();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
}

TEST_F(TokenVerifierTest, AVerifyNeverWaitsForAHangingFetch) {
  ASSERT_TRUE(Check(Mint(Rsa())).ok());
  BlockFetches();  // the identity server now hangs for 5 s per request
  const TimePoint later = kNow + seconds(31);
  // An unknown kid asks for a fetch and is answered at once: 503, try again.
  jose::TokenResult<auth::Principal> unknown = jose::TokenError{jose::TokenFailure::kMissing, ""};
  const auto first = Timed([&] { unknown = Check(Mint(Rsa(), Claims(), {{"kid", "new-1"}}), later); });
  EXPECT_FAILURE(unknown, jose::TokenFailure::kKeysUnavailable);
  EXPECT_LT(first.count(), 1000);
  ASSERT_TRUE(AwaitFetchCount(2));  // the refresher is inside the hanging fetch now
  // Meanwhile: more unknown kids and known-kid tokens (new ones: no cache) are answered at once.
  for (int i = 0; i < 20; ++i) {
    const std::string known = Mint(Rsa(), ClaimsNumbered(i));
    const std::string invented = Mint(Rsa(), Claims(), {{"kid", "new-" + std::to_string(i + 2)}});
    jose::TokenResult<auth::Principal> accepted = jose::TokenError{jose::TokenFailure::kMissing, ""};
    const auto fast = Timed([&] {
      accepted = Check(known, later);
      unknown = Check(invented, later + seconds(i));
    });
    EXPECT_TRUE(accepted.ok()) << accepted.error().message;
    EXPECT_FAILURE(unknown, jose::TokenFailure::kKeysUnavailable);  // the fetch is still running
    EXPECT_LT(fast.count(), 1000) << "a Verify waited for the fetch";
  }
  EXPECT_EQ(Fetches(), 2);  // one fetch for them all
  ReleaseFetches();
  Settle();
}

TEST_F(TokenVerifierTest, TheTimerRefreshWithdrawsAKeyAndEmptiesTheCache) {
  options_.jwks_refresh_interval = std::chrono::milliseconds(100);
  SetJwks(JwksOf({&Rsa(), &RsaRotated()}));
  const std::string old_token = Mint(Rsa());
  const std::string new_token = Mint(RsaRotated());
  ASSERT_TRUE(Check(old_token).ok());
  ASSERT_TRUE(Check(new_token).ok());
  ASSERT_EQ(verifier().CachedTokenCount(), 2u);
  // The identity server withdraws rsa-1; no token asks for a fetch, the timer does it.
  const std::string withdrawn_jwks = JwksOf({&RsaRotated()});
  const int before = Fetches();
  SetJwks(withdrawn_jwks);
  // Two fetches: the timer may have started one that read the old set just before SetJwks.
  ASSERT_TRUE(AwaitFetchCount(before + 2));
  Settle();
  // No request asked for that fetch; and the cached token of the withdrawn key is refused too.
  EXPECT_FAILURE(Check(old_token), jose::TokenFailure::kUnknownKey);
  EXPECT_TRUE(Check(new_token).ok());
  // It keeps going: the keys are fetched again and again.
  ASSERT_TRUE(AwaitFetchCount(Fetches() + 3));
}

TEST_F(TokenVerifierTest, TheTimerRefreshLoadsAKeyReissuedUnderItsKid) {
  options_.jwks_refresh_interval = std::chrono::milliseconds(100);
  const std::string old_token = Mint(Rsa());
  ASSERT_TRUE(Check(old_token).ok());
  const std::string reissued_jwks = JwksOf({&Foreign()});  // rsa-1 again, another key (slow to make)
  const int before = Fetches();
  SetJwks(reissued_jwks);
  // Two fetches: the timer may have started one that read the old set just before SetJwks.
  ASSERT_TRUE(AwaitFetchCount(before + 2));
  Settle();
  EXPECT_TRUE(Check(Mint(Foreign())).ok());
  EXPECT_FAILURE(Check(old_token), jose::TokenFailure::kBadSignature);
}

TEST_F(TokenVerifierTest, ASignatureFailureOnAKnownKidRefetchesOncePerInterval) {
  options_.jwks_refresh_interval = std::chrono::milliseconds(0);  // no timer: only what Verify asks for
  ASSERT_TRUE(Check(Mint(Rsa())).ok());
  SetJwks(JwksOf({&Foreign()}));  // rsa-1 re-issued
  const std::string reissued = Mint(Foreign());
  // Within the interval of the start-up fetch: refused, and no fetch.
  EXPECT_FAILURE(Check(reissued, kNow + seconds(5)), jose::TokenFailure::kBadSignature);
  Settle();
  EXPECT_EQ(Fetches(), 1);
  // After it: still refused (a signature failure is a 401 as before), but a fetch is asked for...
  const TimePoint later = kNow + seconds(31);
  EXPECT_FAILURE(Check(reissued, later), jose::TokenFailure::kBadSignature);
  Settle();
  EXPECT_EQ(Fetches(), 2);
  // ...which brings the re-issued key.
  EXPECT_TRUE(Check(reissued, later).ok());
  // Forgeries under a known kid do not make a fetch each.
  for (int i = 0; i < 5; ++i) {
    EXPECT_FAILURE(Check(Mint(Rsa(), ClaimsNumbered(i)), later + seconds(i)), jose::TokenFailure::kBadSignature);
  }
  Settle();
  EXPECT_EQ(Fetches(), 2);
}

TEST_F(TokenVerifierTest, AnUnusableKeyIsSkippedNotFatal) {
  nlohmann::json broken = RsaRotated().PublicJwk();
  broken["n"] = "AQAB";  // a tiny modulus
  nlohmann::json keys = nlohmann::json::array({broken, Rsa().PublicJwk(), {{"kty", "OKP"}, {"kid", "ed"}}});
  SetJwks(nlohmann::json{{"keys", keys}}.dump());
  EXPECT_TRUE(Check(Mint(Rsa())).ok());
  EXPECT_FAILURE(Check(Mint(RsaRotated())), jose::TokenFailure::kUnknownKey);
}

TEST_F(TokenVerifierTest, AJwksWithNoUsableKeyIsAFailedFetch) {
  nlohmann::json broken = Rsa().PublicJwk();
  broken["n"] = "AQAB";
  SetJwks(nlohmann::json{{"keys", nlohmann::json::array({broken})}}.dump());
  verifier();  // its start-up fetch fails
  EXPECT_EQ(Fetches(), 1);
  auto refused = Check(Mint(Rsa()));
  EXPECT_FAILURE(refused, jose::TokenFailure::kKeysUnavailable);
  EXPECT_NE(refused.error().message.find("no usable"), std::string::npos) << refused.error().message;
  // Keys already held stay when a later JWKS has none usable.
  SetJwks(JwksOf({&Rsa()}));
  EXPECT_TRUE(verifier().Refresh(kNow + seconds(31)).ok());
  SetJwks(nlohmann::json{{"keys", nlohmann::json::array({broken})}}.dump());
  EXPECT_FALSE(verifier().Refresh(kNow + seconds(62)).ok());
  EXPECT_TRUE(Check(Mint(Rsa()), kNow + seconds(62)).ok());
}

TEST_F(TokenVerifierTest, DestroyingTheVerifierStopsItsThreadPromptly) {
  options_.jwks_refresh_interval = std::chrono::milliseconds(50);
  verifier();
  const auto stopped = Timed([&] { verifier_.reset(); });
  EXPECT_LT(stopped.count(), 1000);
}

// --- Claims ---------------------------------------------------------------------------------

TEST_F(TokenVerifierTest, WrongIssuer) {
  EXPECT_FAILURE(CheckEdited([](nlohmann::json& c) { c["iss"] = "https://evil.example.com"; }),
                 jose::TokenFailure::kWrongIssuer);
  EXPECT_FAILURE(CheckEdited([](nlohmann::json& c) { c["iss"] = std::string(kIssuer) + "/"; }),
                 jose::TokenFailure::kWrongIssuer);
  EXPECT_FAILURE(CheckEdited([](nlohmann::json& c) { c.erase("iss"); }), jose::TokenFailure::kWrongIssuer);
}

TEST_F(TokenVerifierTest, ExpiredBeyondSkew) {
  auto result = Check(Mint(Rsa()), kNow + seconds(300 + 60));
  EXPECT_FAILURE(result, jose::TokenFailure::kExpired);
  EXPECT_EQ(HttpStatusForTokenFailure(result.reason()), 401);
}

TEST_F(TokenVerifierTest, ExpMissingOrNotANumber) {
  EXPECT_FAILURE(CheckEdited([](nlohmann::json& c) { c.erase("exp"); }), jose::TokenFailure::kMalformed);
  EXPECT_FAILURE(CheckEdited([](nlohmann::json& c) { c["exp"] = "1700000300"; }), jose::TokenFailure::kMalformed);
  // Absurd but numeric values are clamped, not overflowed.
  EXPECT_TRUE(CheckEdited([](nlohmann::json& c) { c["exp"] = 1e300; }).ok());
  EXPECT_TRUE(CheckEdited([](nlohmann::json& c) { c["exp"] = 18446744073709551615ull; }).ok());
  EXPECT_FAILURE(CheckEdited([](nlohmann::json& c) { c["exp"] = -1e300; }), jose::TokenFailure::kExpired);
}

TEST_F(TokenVerifierTest, NbfInTheFuture) {
  EXPECT_FAILURE(CheckEdited([](nlohmann::json& c) { c["nbf"] = c["iat"].get<std::int64_t>() + 120; }),
                 jose::TokenFailure::kNotYetValid);
  // Within the skew it is fine.
  EXPECT_TRUE(CheckEdited([](nlohmann::json& c) { c["nbf"] = c["iat"].get<std::int64_t>() + 30; }).ok());
}

TEST_F(TokenVerifierTest, IatFarInTheFuture) {
  EXPECT_FAILURE(CheckEdited([](nlohmann::json& c) {
                   c["iat"] = c["iat"].get<std::int64_t>() + 3600;
                   c["exp"] = c["iat"].get<std::int64_t>() + 300;
                 }),
                 jose::TokenFailure::kNotYetValid);
}

TEST_F(TokenVerifierTest, ScopeMissing) {
  auto result = CheckEdited([](nlohmann::json& c) { c.erase("scope"); });
  EXPECT_FAILURE(result, jose::TokenFailure::kInsufficientScope);
  EXPECT_EQ(HttpStatusForTokenFailure(result.reason()), 403);
}

TEST_F(TokenVerifierTest, ScopeAsString) {
  EXPECT_FAILURE(CheckEdited([](nlohmann::json& c) { c["scope"] = "api"; }), jose::TokenFailure::kInsufficientScope);
  EXPECT_FAILURE(CheckEdited([](nlohmann::json& c) { c["scope"] = "openid api offline_access"; }),
                 jose::TokenFailure::kInsufficientScope);
}

TEST_F(TokenVerifierTest, ScopeArrayWithoutApi) {
  EXPECT_FAILURE(CheckEdited([](nlohmann::json& c) {
                   c["scope"] = nlohmann::json::array({"openid", "API"});
                 }),
                 jose::TokenFailure::kInsufficientScope);
  EXPECT_TRUE(CheckEdited([](nlohmann::json& c) { c["scope"] = nlohmann::json::array({"openid", "api"}); }).ok());
}

TEST_F(TokenVerifierTest, AmrWrong) {
  auto result = CheckEdited([](nlohmann::json& c) { c["amr"] = nlohmann::json::array({"pwd", "application"}); });
  EXPECT_FAILURE(result, jose::TokenFailure::kWrongAmr);
  EXPECT_EQ(HttpStatusForTokenFailure(result.reason()), 403);
}

TEST_F(TokenVerifierTest, AmrAbsent) {
  EXPECT_FAILURE(CheckEdited([](nlohmann::json& c) { c.erase("amr"); }), jose::TokenFailure::kWrongAmr);
}

TEST_F(TokenVerifierTest, NonGuidSub) {
  auto result = CheckEdited([](nlohmann::json& c) { c["sub"] = "alice@example.com"; });
  EXPECT_FAILURE(result, jose::TokenFailure::kInvalidSubject);
  EXPECT_EQ(HttpStatusForTokenFailure(result.reason()), 401);
  EXPECT_FAILURE(CheckEdited([](nlohmann::json& c) { c["sub"] = 12; }), jose::TokenFailure::kInvalidSubject);
}

TEST_F(TokenVerifierTest, SubMissing) {
  EXPECT_FAILURE(CheckEdited([](nlohmann::json& c) { c.erase("sub"); }), jose::TokenFailure::kInvalidSubject);
}

TEST_F(TokenVerifierTest, ErrorMessagesNeverEchoTheToken) {
  const std::string token = Mint(Foreign());
  auto result = Check(token);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message.find(token.substr(token.rfind('.') + 1)), std::string::npos);
  EXPECT_EQ(result.error().message.find('\n'), std::string::npos);
}

// --- The verified-token cache ---------------------------------------------------------------

TEST_F(TokenVerifierTest, CachedTokenIsRefusedAfterItExpires) {
  const std::string token = Mint(Rsa());
  ASSERT_TRUE(Check(token).ok());
  ASSERT_EQ(verifier().CachedTokenCount(), 1u);
  // From the cache, still within exp + skew (300 s + 60 s).
  auto hit = Check(token, kNow + seconds(359));
  ASSERT_TRUE(hit.ok()) << hit.error().message;
  EXPECT_EQ(hit->user_id, kUserId);
  EXPECT_EQ(hit->kid, "rsa-1");
  EXPECT_EQ(hit->expires_at, kNow + seconds(300));
  EXPECT_EQ(verifier().CachedTokenCount(), 1u);
  // Past it: refused, and the entry is gone.
  EXPECT_FAILURE(Check(token, kNow + seconds(360)), jose::TokenFailure::kExpired);
  EXPECT_EQ(verifier().CachedTokenCount(), 0u);
  EXPECT_FAILURE(Check(token, kNow + seconds(360)), jose::TokenFailure::kExpired);
  EXPECT_EQ(verifier().CachedTokenCount(), 0u);
}

TEST_F(TokenVerifierTest, FailuresAreNotCached) {
  EXPECT_FAILURE(Check(Mint(Rsa()), kNow + seconds(400)), jose::TokenFailure::kExpired);
  EXPECT_FAILURE(Check(Mint(Foreign())), jose::TokenFailure::kBadSignature);
  EXPECT_FAILURE(CheckEdited([](nlohmann::json& c) { c["iss"] = "https://evil.example"; }),
                 jose::TokenFailure::kWrongIssuer);
  const std::string early =
      Mint(Rsa(), jose::JwtSigner::StandardClaims(kIssuer, kSub, kNow + seconds(600), seconds(300)));
  EXPECT_FAILURE(Check(early), jose::TokenFailure::kNotYetValid);
  EXPECT_EQ(verifier().CachedTokenCount(), 0u);
  // The same token, once valid, is accepted (it was not remembered as a failure).
  EXPECT_TRUE(Check(early, kNow + seconds(600)).ok());
  EXPECT_EQ(verifier().CachedTokenCount(), 1u);
}

TEST_F(TokenVerifierTest, CachedTokenOfRetiredKeyIsRefusedAfterRefetch) {
  SetJwks(JwksOf({&Rsa(), &RsaRotated()}));
  const std::string old_token = Mint(Rsa());
  const std::string new_token = Mint(RsaRotated());
  ASSERT_TRUE(Check(old_token).ok());
  ASSERT_TRUE(Check(new_token).ok());
  ASSERT_EQ(verifier().CachedTokenCount(), 2u);
  // rsa-1 is retired; an unknown kid after the interval makes the verifier refetch.
  SetJwks(JwksOf({&RsaRotated()}));
  const TimePoint later = kNow + seconds(31);
  EXPECT_FAILURE(Check(Mint(Rsa(), Claims(), {{"kid", "nope"}}), later), jose::TokenFailure::kKeysUnavailable);
  Settle();
  ASSERT_EQ(Fetches(), 2);
  EXPECT_FAILURE(Check(old_token, later), jose::TokenFailure::kUnknownKey);
  EXPECT_TRUE(Check(new_token, later).ok());
}

TEST_F(TokenVerifierTest, CachedTokenOfReplacedKeyIsRefusedAfterRefetch) {
  const std::string token = Mint(Rsa());
  ASSERT_TRUE(Check(token).ok());
  // Same kid, another key.
  SetJwks(JwksOf({&Foreign()}));
  const TimePoint later = kNow + seconds(31);
  EXPECT_FAILURE(Check(Mint(Rsa(), Claims(), {{"kid", "nope"}}), later), jose::TokenFailure::kKeysUnavailable);
  Settle();
  ASSERT_EQ(Fetches(), 2);
  EXPECT_FAILURE(Check(token, later), jose::TokenFailure::kBadSignature);
}

TEST_F(TokenVerifierTest, RefetchKeepingTheKeysKeepsTheCache) {
  ASSERT_TRUE(Check(Mint(Rsa())).ok());
  SetJwks(JwksOf({&Rsa(), &RsaRotated()}));
  EXPECT_FAILURE(Check(Mint(Rsa(), Claims(), {{"kid", "nope"}}), kNow + seconds(31)),
                 jose::TokenFailure::kKeysUnavailable);
  Settle();
  ASSERT_EQ(Fetches(), 2);
  EXPECT_EQ(verifier().CachedTokenCount(), 1u);
}

TEST_F(TokenVerifierTest, DifferentTokensOfOneUserAreDistinctEntries) {
  const std::string first = Mint(Rsa(), ClaimsNumbered(1));
  const std::string second = Mint(Rsa(), ClaimsNumbered(2));
  ASSERT_NE(first, second);
  ASSERT_TRUE(Check(first).ok());
  ASSERT_TRUE(Check(second).ok());
  EXPECT_EQ(verifier().CachedTokenCount(), 2u);
  auto a = Check(first);
  auto b = Check(second);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->user_id, kUserId);
  EXPECT_EQ(b->user_id, kUserId);
  EXPECT_EQ(verifier().CachedTokenCount(), 2u);
}

TEST_F(TokenVerifierTest, CacheCapacityIsRespected) {
  options_.token_cache_capacity = 5;
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE(Check(Mint(Rsa(), ClaimsNumbered(i))).ok());
    ASSERT_LE(verifier().CachedTokenCount(), 5u);
  }
  EXPECT_GT(verifier().CachedTokenCount(), 0u);
}

TEST_F(TokenVerifierTest, LargeCacheCapacityIsRespected) {
  options_.token_cache_capacity = 40;
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(Check(Mint(Rsa(), ClaimsNumbered(i))).ok());
    ASSERT_LE(verifier().CachedTokenCount(), 40u);
  }
}

TEST_F(TokenVerifierTest, CacheCanBeTurnedOff) {
  options_.token_cache_capacity = 0;
  const std::string token = Mint(Rsa());
  ASSERT_TRUE(Check(token).ok());
  ASSERT_TRUE(Check(token).ok());
  EXPECT_EQ(verifier().CachedTokenCount(), 0u);
}

TEST_F(TokenVerifierTest, ConcurrentVerificationWithASmallCache) {
  options_.token_cache_capacity = 8;
  std::vector<std::string> tokens;
  for (int i = 0; i < 24; ++i) tokens.push_back(Mint(Rsa(), ClaimsNumbered(i)));
  verifier();  // created before the threads share it
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round) {
        for (std::size_t i = 0; i < tokens.size(); ++i) {
          const std::string& token = tokens[(i + static_cast<std::size_t>(t) * 6) % tokens.size()];
          if (verifier().Verify("Bearer " + token, kNow).ok()) ++accepted;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(accepted, 4 * 3 * 24);
  EXPECT_LE(verifier().CachedTokenCount(), 8u);
}

}  // namespace
}  // namespace keywarden::auth
