// jose::SigningKey: the in-memory implementation, signing through it (SignCompactJws, JwtSigner)
// and CheckSigningKey.
#include "jose/signing_key.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "jose/base64url.h"
#include "jose/in_memory_signing_key.h"
#include "jose/jwks.h"
#include "jose/jws.h"
#include "jose/jwt_signer.h"
#include "support/jws_openssl.h"

namespace keywarden::jose {
namespace {

using keywarden::testing::DecodeJwsPart;
using keywarden::testing::OpenSslVerifiesRs256;

const TimePoint kNow{std::chrono::seconds(1'700'000'000)};

nlohmann::json Claims() { return JwtSigner::StandardClaims("https://id", "sub", kNow, std::chrono::minutes(5)); }

std::shared_ptr<const InMemorySigningKey> NewKey(JwsAlgorithm alg, const std::string& kid) {
  auto key = InMemorySigningKey::Generate(alg, kid);
  EXPECT_TRUE(key.ok()) << key.status().ToString();
  return key.ok() ? std::shared_ptr<const InMemorySigningKey>(std::move(key).value()) : nullptr;
}

// nullopt when `token` verifies, as a token verifier would check it, against `jwks`.
std::optional<std::string> VerifyAgainst(const std::string& token, const std::string& jwks) {
  auto parsed = ParseJws(token);
  if (!parsed.ok()) return "token: " + parsed.error().message;
  auto keys = ParseJwks(jwks);
  if (!keys.ok()) return "jwks: " + keys.status().message();
  const auto key = keys->find(parsed->kid);
  if (key == keys->end()) return "no key " + parsed->kid;
  if (auto failure = VerifyJwsSignature(*parsed, key->second)) return failure->message;
  return std::nullopt;
}

std::vector<std::uint8_t> SignatureOf(const std::string& token) {
  auto signature = Base64UrlDecode(std::string_view(token).substr(token.rfind('.') + 1));
  EXPECT_TRUE(signature.ok());
  return signature.ok() ? *signature : std::vector<std::uint8_t>();
}

// A SigningKey around another, recording what it was asked to sign, or failing when told to.
class RecordingKey final : public SigningKey {
 public:
  explicit RecordingKey(std::shared_ptr<const SigningKey> inner) : inner_(std::move(inner)) {}
  JwsAlgorithm alg() const override { return inner_->alg(); }
  const std::string& kid() const override { return inner_->kid(); }
  Result<std::vector<std::uint8_t>> Sign(std::string_view signing_input) const override {
    signed_.push_back(std::string(signing_input));
    if (fail_) return UnavailableError("the HSM is unplugged");
    return inner_->Sign(signing_input);
  }
  nlohmann::json PublicJwk() const override { return jwk_override_.is_null() ? inner_->PublicJwk() : jwk_override_; }

  mutable std::vector<std::string> signed_;  // single-threaded tests only
  bool fail_ = false;
  nlohmann::json jwk_override_;

 private:
  std::shared_ptr<const SigningKey> inner_;
};

TEST(InMemorySigningKeyTest, Rs256TokensVerifyWithOpenSslAgainstThePublishedJwk) {
  auto key = NewKey(JwsAlgorithm::kRs256, "key-1");
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(key->alg(), JwsAlgorithm::kRs256);
  EXPECT_EQ(key->kid(), "key-1");

  const nlohmann::json jwk = key->PublicJwk();
  std::set<std::string> members;
  for (const auto& [name, value] : jwk.items()) members.insert(name);
  EXPECT_EQ(members, (std::set<std::string>{"alg", "e", "kid", "kty", "n", "use"}));  // nothing private
  EXPECT_EQ(jwk["kty"], "RSA");
  EXPECT_EQ(jwk["alg"], "RS256");
  EXPECT_EQ(jwk["use"], "sig");
  EXPECT_EQ(jwk["kid"], "key-1");
  EXPECT_EQ(jwk["e"], "AQAB");
  auto n = Base64UrlDecode(jwk["n"].get<std::string>());
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->size(), 256u);

  auto token = SignCompactJws(*key, nullptr, Claims());
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_TRUE(OpenSslVerifiesRs256(*token, jwk));
  EXPECT_EQ(VerifyAgainst(*token, JwksJsonOf({key.get()})), std::nullopt);
  const nlohmann::json header = DecodeJwsPart(token->substr(0, token->find('.')));
  EXPECT_EQ(header, (nlohmann::json{{"alg", "RS256"}, {"typ", "JWT"}, {"kid", "key-1"}}));
  EXPECT_EQ(DecodeJwsPart(token->substr(token->find('.') + 1, token->rfind('.') - token->find('.') - 1)), Claims());

  // A token whose payload was changed after signing does not verify.
  std::string tampered = *token;
  const std::size_t payload = tampered.find('.') + 1;
  tampered[payload + 2] = tampered[payload + 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(OpenSslVerifiesRs256(tampered, jwk));
}

TEST(InMemorySigningKeyTest, EveryAlgorithmSignsWhatItsJwkVerifies) {
  for (JwsAlgorithm alg :
       {JwsAlgorithm::kRs256, JwsAlgorithm::kRs384, JwsAlgorithm::kRs512, JwsAlgorithm::kPs256, JwsAlgorithm::kEs256}) {
    SCOPED_TRACE(std::string(JwsAlgorithmName(alg)));
    auto key = NewKey(alg, "k");
    ASSERT_NE(key, nullptr);
    EXPECT_EQ(key->PublicJwk()["alg"], JwsAlgorithmName(alg));
    EXPECT_TRUE(CheckSigningKey(*key).ok());
    auto token = SignCompactJws(*key, nullptr, Claims());
    ASSERT_TRUE(token.ok());
    EXPECT_EQ(VerifyAgainst(*token, JwksJsonOf({key.get()})), std::nullopt);
    EXPECT_EQ(SignatureOf(*token).size(), alg == JwsAlgorithm::kEs256 ? 64u : 256u);
  }
}

TEST(InMemorySigningKeyTest, RefusesAnEmptyKidAndAnRsaKeyForEs256) {
  EXPECT_EQ(InMemorySigningKey::Generate(JwsAlgorithm::kRs256, "").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(InMemorySigningKey::Generate(JwsAlgorithm::kEs256, "").status().code(), ErrorCode::kInvalidArgument);
  auto rsa = RsaPrivateKey::Generate();
  ASSERT_TRUE(rsa.ok());
  auto es256 = InMemorySigningKey::FromRsaKey(std::move(rsa).value(), "k", JwsAlgorithm::kEs256);
  EXPECT_EQ(es256.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(es256.status().message().find("ES256"), std::string::npos) << es256.status().message();
}

TEST(InMemorySigningKeyTest, AnRsaKeyFromElsewherePublishesItsOwnPublicKey) {
  auto rsa = RsaPrivateKey::Generate();
  ASSERT_TRUE(rsa.ok());
  const std::vector<std::uint8_t> spki = rsa->PublicKey().ToSpkiDer();
  auto expected_jwk = RsaPublicJwk(rsa->PublicKey(), "from-file", JwsAlgorithm::kRs256);
  ASSERT_TRUE(expected_jwk.ok());

  auto signer = JwtSigner::FromRsaKey(std::move(rsa).value(), "from-file");
  ASSERT_TRUE(signer.ok()) << signer.status().ToString();
  EXPECT_EQ(signer->PublicJwk(), *expected_jwk);
  EXPECT_EQ(signer->PublicKeySpkiDer(), spki);
  auto token = signer->Mint(nullptr, Claims());
  ASSERT_TRUE(token.ok());
  EXPECT_TRUE(OpenSslVerifiesRs256(*token, *expected_jwk));
}

TEST(RsaPublicJwkTest, RefusesEs256AndAnEmptyKid) {
  auto rsa = RsaPrivateKey::Generate();
  ASSERT_TRUE(rsa.ok());
  EXPECT_EQ(RsaPublicJwk(rsa->PublicKey(), "k", JwsAlgorithm::kEs256).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(RsaPublicJwk(rsa->PublicKey(), "", JwsAlgorithm::kRs256).status().code(), ErrorCode::kInvalidArgument);
  auto ps256 = RsaPublicJwk(rsa->PublicKey(), "k", JwsAlgorithm::kPs256);
  ASSERT_TRUE(ps256.ok());
  EXPECT_EQ((*ps256)["alg"], "PS256");
}

TEST(JwtSignerTest, SignsThroughItsSigningKey) {
  auto inner = NewKey(JwsAlgorithm::kRs256, "hsm-1");
  ASSERT_NE(inner, nullptr);
  auto recording = std::make_shared<RecordingKey>(inner);
  JwtSigner signer(recording);
  EXPECT_EQ(signer.kid(), "hsm-1");
  EXPECT_EQ(signer.alg(), JwsAlgorithm::kRs256);
  EXPECT_EQ(signer.key(), recording);
  EXPECT_EQ(signer.PublicJwk(), inner->PublicJwk());
  EXPECT_EQ(signer.JwksJson(), JwksJsonOf({inner.get()}));
  EXPECT_FALSE(signer.PublicKeySpkiDer().empty());

  auto token = signer.Mint(nullptr, Claims());
  ASSERT_TRUE(token.ok());
  ASSERT_EQ(recording->signed_.size(), 1u);
  EXPECT_EQ(recording->signed_[0], token->substr(0, token->rfind('.')));  // exactly the signing input
  EXPECT_TRUE(OpenSslVerifiesRs256(*token, inner->PublicJwk()));

  // Tests still forge headers: the header says what they ask, the signature stays the key's.
  auto forged = signer.Mint({{"kid", "someone-else"}, {"alg", "HS256"}}, Claims());
  ASSERT_TRUE(forged.ok());
  const nlohmann::json header = DecodeJwsPart(forged->substr(0, forged->find('.')));
  EXPECT_EQ(header["kid"], "someone-else");
  EXPECT_EQ(header["alg"], "HS256");
  auto by_key = inner->Sign(forged->substr(0, forged->rfind('.')));
  ASSERT_TRUE(by_key.ok());
  EXPECT_EQ(SignatureOf(*forged), *by_key);  // RSASSA-PKCS1-v1_5 is deterministic

  // The key's failure is the signer's.
  recording->fail_ = true;
  auto failed = signer.Mint(nullptr, Claims());
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(failed.status().message(), "the HSM is unplugged");
}

TEST(CheckSigningKeyTest, RefusesKeysWhoseTokensWouldNotVerify) {
  auto key = NewKey(JwsAlgorithm::kRs256, "k");
  auto other = NewKey(JwsAlgorithm::kRs256, "k");
  ASSERT_NE(key, nullptr);
  ASSERT_NE(other, nullptr);

  RecordingKey fine(key);
  EXPECT_TRUE(CheckSigningKey(fine).ok());
  EXPECT_EQ(fine.signed_.size(), 1u);

  RecordingKey unplugged(key);
  unplugged.fail_ = true;
  EXPECT_EQ(CheckSigningKey(unplugged).code(), ErrorCode::kUnavailable);

  RecordingKey mismatched(key);  // publishes another key's public half
  mismatched.jwk_override_ = other->PublicJwk();
  const Status wrong = CheckSigningKey(mismatched);
  EXPECT_EQ(wrong.code(), ErrorCode::kWrongKey) << wrong.ToString();
  EXPECT_NE(wrong.message().find("signing key 'k'"), std::string::npos) << wrong.message();

  RecordingKey other_kid(key);
  other_kid.jwk_override_ = key->PublicJwk();
  other_kid.jwk_override_["kid"] = "not-k";
  EXPECT_EQ(CheckSigningKey(other_kid).code(), ErrorCode::kInvalidArgument);

  RecordingKey other_alg(key);
  other_alg.jwk_override_ = key->PublicJwk();
  other_alg.jwk_override_["alg"] = "PS256";
  EXPECT_EQ(CheckSigningKey(other_alg).code(), ErrorCode::kInvalidArgument);

  RecordingKey broken(key);
  broken.jwk_override_ = key->PublicJwk();
  broken.jwk_override_["n"] = "not base64url!";
  EXPECT_EQ(CheckSigningKey(broken).code(), ErrorCode::kInvalidArgument);
}

TEST(InMemorySigningKeyTest, ManyThreadsSignAtOnce) {
  for (JwsAlgorithm alg : {JwsAlgorithm::kRs256, JwsAlgorithm::kEs256}) {
    auto key = NewKey(alg, "shared");
    ASSERT_NE(key, nullptr);
    const std::string jwks = JwksJsonOf({key.get()});
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 15; ++i) {
          nlohmann::json claims = Claims();
          claims["n"] = t * 100 + i;
          auto token = SignCompactJws(*key, nullptr, claims);
          if (!token.ok() || VerifyAgainst(*token, jwks).has_value()) ++failures;
        }
      });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(failures.load(), 0) << JwsAlgorithmName(alg);
  }
}

}  // namespace
}  // namespace keywarden::jose
