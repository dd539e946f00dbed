// jose::SigningKeySet: which key signs, which keys are published, and when, through rollovers.
#include "jose/signing_key_set.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "jose/in_memory_signing_key.h"
#include "jose/jwks.h"
#include "jose/jws.h"
#include "jose/jwt_signer.h"
#include "support/jws_openssl.h"

namespace keywarden::jose {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kT0{seconds(1'700'000'000)};
constexpr seconds kLifetime = hours(1);

std::shared_ptr<const SigningKey> NewKey(const std::string& kid) {
  auto key = InMemorySigningKey::Generate(JwsAlgorithm::kRs256, kid);
  EXPECT_TRUE(key.ok()) << key.status().ToString();
  return key.ok() ? std::shared_ptr<const SigningKey>(std::move(key).value()) : nullptr;
}

// Keys are slow to make; the tests share a few, each by kid.
std::shared_ptr<const SigningKey> Key(const std::string& kid) {
  static const auto* keys = new std::map<std::string, std::shared_ptr<const SigningKey>>{
      {"a", NewKey("a")}, {"b", NewKey("b")}, {"c", NewKey("c")}, {"d", NewKey("d")}};
  return keys->at(kid);
}

// The kids of a JWKS document, in order; the document must also be one verifiers accept.
std::vector<std::string> KidsOf(const std::string& jwks) {
  EXPECT_TRUE(ParseJwks(jwks).ok()) << jwks;
  std::vector<std::string> kids;
  const nlohmann::json document = nlohmann::json::parse(jwks);
  for (const auto& jwk : document["keys"]) kids.push_back(jwk["kid"]);
  return kids;
}

std::string KidOf(const std::string& token) {
  auto parsed = ParseJws(token);
  EXPECT_TRUE(parsed.ok());
  return parsed.ok() ? parsed->kid : "";
}

// True when `token` verifies against `jwks`, as a token verifier checks it.
bool Verifies(const std::string& token, const std::string& jwks) {
  auto parsed = ParseJws(token);
  auto keys = ParseJwks(jwks);
  if (!parsed.ok() || !keys.ok()) return false;
  const auto key = keys->find(parsed->kid);
  return key != keys->end() && !VerifyJwsSignature(*parsed, key->second).has_value();
}

nlohmann::json ClaimsAt(TimePoint now, seconds lifetime = kLifetime) {
  return JwtSigner::StandardClaims("https://id", "sub", now, lifetime);
}

std::unique_ptr<SigningKeySet> NewSet(const std::string& current_kid) {
  auto set = SigningKeySet::Create(Key(current_kid), kLifetime);
  EXPECT_TRUE(set.ok()) << set.status().ToString();
  return set.ok() ? std::move(set).value() : nullptr;
}

std::string MintAt(const SigningKeySet& set, TimePoint now) {
  auto token = set.Mint(ClaimsAt(now), now);
  EXPECT_TRUE(token.ok()) << token.status().ToString();
  return token.ok() ? *token : "";
}

TEST(SigningKeySetTest, RolloverPublishesTheNextKeyFirstAndTheOldOneUntilItsLastTokenExpires) {
  auto set = NewSet("a");
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(KidsOf(set->Publish(kT0)), std::vector<std::string>{"a"});
  EXPECT_EQ(set->next(), nullptr);
  const std::string first = MintAt(*set, kT0);
  EXPECT_EQ(KidOf(first), "a");
  EXPECT_TRUE(Verifies(first, set->Publish(kT0)));
  EXPECT_TRUE(keywarden::testing::OpenSslVerifiesRs256(first, Key("a")->PublicJwk()));

  // The next key is published before it signs anything.
  const TimePoint staged = kT0 + minutes(1);
  ASSERT_TRUE(set->SetNext(Key("b"), staged).ok());
  EXPECT_EQ(set->next(), Key("b"));
  EXPECT_EQ(KidsOf(set->Publish(staged)), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(KidOf(MintAt(*set, staged)), "a");
  EXPECT_EQ(set->current(), Key("a"));

  // The old key's last token, a moment before the promotion, lives as long as tokens may.
  const TimePoint promoted = kT0 + minutes(10);
  const std::string last_of_a = MintAt(*set, promoted);
  ASSERT_TRUE(set->Promote(promoted).ok());
  EXPECT_EQ(set->current(), Key("b"));
  EXPECT_EQ(set->next(), nullptr);
  EXPECT_EQ(KidOf(MintAt(*set, promoted)), "b");
  EXPECT_EQ(KidsOf(set->Publish(promoted)), (std::vector<std::string>{"b", "a"}));
  const auto keys = set->Keys(promoted);
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].role, SigningKeySet::PublishedKey::Role::kCurrent);
  EXPECT_EQ(keys[1].kid, "a");
  EXPECT_EQ(keys[1].role, SigningKeySet::PublishedKey::Role::kRetired);
  EXPECT_EQ(keys[1].until, promoted + kLifetime);

  // One second before that token expires, a verifier can still check it...
  const TimePoint almost = promoted + kLifetime - seconds(1);
  EXPECT_EQ(KidsOf(set->Publish(almost)), (std::vector<std::string>{"b", "a"}));
  EXPECT_TRUE(Verifies(last_of_a, set->Publish(almost)));
  // ...and once it has expired, the old key is gone for good.
  const TimePoint expired = promoted + kLifetime;
  EXPECT_EQ(KidsOf(set->Publish(expired)), std::vector<std::string>{"b"});
  EXPECT_FALSE(Verifies(last_of_a, set->Publish(expired)));
  EXPECT_EQ(KidsOf(set->Publish(almost)), std::vector<std::string>{"b"});
  EXPECT_EQ(set->Keys(expired).size(), 1u);
}

TEST(SigningKeySetTest, EachRetiredKeyKeepsItsOwnTime) {
  auto set = NewSet("a");
  ASSERT_NE(set, nullptr);
  const TimePoint first = kT0 + minutes(5);
  const TimePoint second = kT0 + minutes(20);
  ASSERT_TRUE(set->SetNext(Key("b"), kT0).ok());
  ASSERT_TRUE(set->Promote(first).ok());
  ASSERT_TRUE(set->SetNext(Key("c"), first).ok());
  ASSERT_TRUE(set->Promote(second).ok());
  EXPECT_EQ(KidsOf(set->Publish(second)), (std::vector<std::string>{"c", "b", "a"}));
  EXPECT_EQ(KidsOf(set->Publish(first + kLifetime - seconds(1))), (std::vector<std::string>{"c", "b", "a"}));
  EXPECT_EQ(KidsOf(set->Publish(first + kLifetime)), (std::vector<std::string>{"c", "b"}));
  EXPECT_EQ(KidsOf(set->Publish(second + kLifetime)), std::vector<std::string>{"c"});
}

TEST(SigningKeySetTest, MintRefusesTokensThatWouldOutliveTheOldKeysRetirement) {
  auto set = NewSet("a");
  ASSERT_NE(set, nullptr);
  EXPECT_TRUE(set->Mint(ClaimsAt(kT0, kLifetime), kT0).ok());
  const auto too_long = set->Mint(ClaimsAt(kT0, kLifetime + seconds(1)), kT0);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(too_long.status().message().find("3600 s"), std::string::npos) << too_long.status().message();

  nlohmann::json no_exp = ClaimsAt(kT0);
  no_exp.erase("exp");
  nlohmann::json text_exp = ClaimsAt(kT0);
  text_exp["exp"] = "1700000300";
  nlohmann::json fractional_exp = ClaimsAt(kT0);
  fractional_exp["exp"] = 1'700'000'300.5;
  nlohmann::json huge_exp = ClaimsAt(kT0);
  huge_exp["exp"] = std::numeric_limits<std::uint64_t>::max();
  for (const nlohmann::json& claims : {no_exp, text_exp, fractional_exp, huge_exp, nlohmann::json::array()}) {
    SCOPED_TRACE(claims.dump());
    EXPECT_EQ(set->Mint(claims, kT0).status().code(), ErrorCode::kInvalidArgument);
  }
}

TEST(SigningKeySetTest, PromoteWithoutANextKeyChangesNothing) {
  auto set = NewSet("a");
  ASSERT_NE(set, nullptr);
  const Status promoted = set->Promote(kT0);
  EXPECT_EQ(promoted.code(), ErrorCode::kNotFound) << promoted.ToString();
  EXPECT_EQ(set->current(), Key("a"));
  EXPECT_EQ(KidsOf(set->Publish(kT0)), std::vector<std::string>{"a"});
}

TEST(SigningKeySetTest, KidsStayUniqueWhilePublished) {
  auto set = NewSet("a");
  ASSERT_NE(set, nullptr);
  auto other_a = NewKey("a");  // another key under a published kid
  ASSERT_NE(other_a, nullptr);
  EXPECT_EQ(set->SetNext(other_a, kT0).code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(set->next(), nullptr);

  // A staged next key may be replaced, even by one of the same kid: it never signed.
  ASSERT_TRUE(set->SetNext(Key("c"), kT0).ok());
  ASSERT_TRUE(set->SetNext(Key("b"), kT0).ok());
  EXPECT_EQ(KidsOf(set->Publish(kT0)), (std::vector<std::string>{"a", "b"}));
  ASSERT_TRUE(set->Promote(kT0).ok());

  // "a" is retired but still published: its kid is still taken...
  EXPECT_EQ(set->SetNext(other_a, kT0 + minutes(1)).code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(set->Retire(other_a, kT0 + hours(2), kT0).code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(set->Retire(Key("b"), kT0 + hours(2), kT0).code(), ErrorCode::kAlreadyExists);
  // ...until it drops out.
  ASSERT_TRUE(set->SetNext(other_a, kT0 + kLifetime).ok());
  EXPECT_EQ(KidsOf(set->Publish(kT0 + kLifetime)), (std::vector<std::string>{"b", "a"}));
  EXPECT_TRUE(Verifies(MintAt(*set, kT0 + kLifetime), set->Publish(kT0 + kLifetime)));
}

TEST(SigningKeySetTest, RefusesMissingAndBrokenKeys) {
  EXPECT_EQ(SigningKeySet::Create(nullptr, kLifetime).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(SigningKeySet::Create(Key("a"), seconds(0)).status().code(), ErrorCode::kInvalidArgument);

  // A key that publishes another key's public half is never published.
  class Mismatched final : public SigningKey {
   public:
    JwsAlgorithm alg() const override { return JwsAlgorithm::kRs256; }
    const std::string& kid() const override { return kid_; }
    Result<std::vector<std::uint8_t>> Sign(std::string_view input) const override { return Key("c")->Sign(input); }
    nlohmann::json PublicJwk() const override {
      nlohmann::json jwk = Key("d")->PublicJwk();
      jwk["kid"] = kid_;
      return jwk;
    }

   private:
    std::string kid_ = "mismatched";
  };
  auto broken = std::make_shared<Mismatched>();
  EXPECT_EQ(SigningKeySet::Create(broken, kLifetime).status().code(), ErrorCode::kWrongKey);
  auto set = NewSet("a");
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->SetNext(broken, kT0).code(), ErrorCode::kWrongKey);
  EXPECT_EQ(set->SetNext(nullptr, kT0).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(set->Retire(nullptr, kT0 + hours(1), kT0).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(KidsOf(set->Publish(kT0)), std::vector<std::string>{"a"});
}

TEST(SigningKeySetTest, RetireKeepsAKeyFromBeforeARestartPublishedUntilItsTime) {
  auto set = NewSet("b");
  ASSERT_NE(set, nullptr);
  const TimePoint until = kT0 + minutes(30);
  EXPECT_EQ(set->Retire(Key("a"), kT0, kT0).code(), ErrorCode::kInvalidArgument);  // already over
  ASSERT_TRUE(set->Retire(Key("a"), until, kT0).ok());
  ASSERT_TRUE(set->Retire(Key("c"), until + minutes(10), kT0).ok());
  EXPECT_EQ(KidsOf(set->Publish(kT0)), (std::vector<std::string>{"b", "c", "a"}));  // latest first
  EXPECT_EQ(KidOf(MintAt(*set, kT0)), "b");                                         // retired keys never sign
  EXPECT_EQ(KidsOf(set->Publish(until)), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(KidsOf(set->Publish(until + minutes(10))), std::vector<std::string>{"b"});
}

// Tokens are minted and checked against the JWKS published right after while another thread
// rolls the keys over: every token verifies, whichever key signed it.
TEST(SigningKeySetTest, TokensMintedDuringRolloversAlwaysVerify) {
  auto set = NewSet("a");
  ASSERT_NE(set, nullptr);
  std::atomic<std::int64_t> clock_seconds{0};
  auto now = [&] { return kT0 + seconds(clock_seconds.load()); };
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::atomic<int> minted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&] {
      while (!done.load()) {
        const TimePoint at = now();
        auto token = set->Mint(ClaimsAt(at, minutes(5)), at);
        if (!token.ok() || !Verifies(*token, set->Publish(now()))) ++failures;
        ++minted;
      }
    });
  }
  // Rolls over a -> b -> c -> d, a minute apart: with a one-hour retirement every key that signed
  // stays published, and "a" cannot come back under its kid meanwhile. (EXPECT, not ASSERT: the
  // threads must be joined.)
  for (const std::string kid : {"b", "c", "d"}) {
    clock_seconds += 60;
    EXPECT_TRUE(set->SetNext(Key(kid), now()).ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    clock_seconds += 60;
    EXPECT_TRUE(set->Promote(now()).ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(set->SetNext(Key("a"), now()).code(), ErrorCode::kAlreadyExists);
  done = true;
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(minted.load(), 0);
  EXPECT_EQ(KidsOf(set->Publish(now())), (std::vector<std::string>{"d", "c", "b", "a"}));
}

}  // namespace
}  // namespace keywarden::jose
