// custody::Pkcs11SigningKey against a real SoftHSM2 token made for each test in a temporary
// folder; and a rollover from a key file to the HSM, as an identity provider would do it.
#include "custody/pkcs11/pkcs11_signing_key.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "auth/token_verifier.h"
#include "custody/file/file_rsa_key_provider.h"
#include "custody/file/file_signing_key.h"
#include "custody/open_signing_key.h"
#include "custody/pkcs11/pkcs11_key_generation.h"
#include "jose/in_memory_signing_key.h"
#include "jose/jwks.h"
#include "jose/jws.h"
#include "jose/jwt_signer.h"
#include "jose/signing_key_set.h"
#include "support/jws_openssl.h"
#include "support/softhsm_token.h"

namespace keywarden::custody {
namespace {

using keywarden::testing::OpenSslVerifiesRs256;
using keywarden::testing::SoftHsmToken;
using Session = Pkcs11SessionPool::Session;

const TimePoint kNow{std::chrono::seconds(1'700'000'000)};
constexpr char kIssuer[] = "https://identity.example.com";
constexpr char kUser[] = "A09726A0-9590-49D1-A5F5-AFE300B6A515";

RsaPrivateKey NewKey() {
  auto key = RsaPrivateKey::Generate();
  EXPECT_TRUE(key.ok());
  return std::move(key).value();
}

nlohmann::json Claims(TimePoint now = kNow) {
  return jose::JwtSigner::StandardClaims(kIssuer, kUser, now, std::chrono::minutes(5));
}

std::string Token(const jose::SigningKey& key) {
  auto token = jose::SignCompactJws(key, nullptr, Claims());
  EXPECT_TRUE(token.ok()) << token.status().ToString();
  return token.ok() ? *token : "";
}

// True when `token` verifies against `jwks` as a token verifier checks it.
bool VerifiesWithJose(const std::string& token, const std::string& jwks) {
  auto parsed = jose::ParseJws(token);
  auto keys = jose::ParseJwks(jwks);
  if (!parsed.ok() || !keys.ok() || !keys->contains(parsed->kid)) return false;
  return !jose::VerifyJwsSignature(*parsed, keys->at(parsed->kid)).has_value();
}

// An error that names what is wrong, on one line, and never shows a PIN.
void ExpectClearError(const Status& status, ErrorCode code, std::string_view fragment, const SoftHsmToken& token) {
  EXPECT_EQ(status.code(), code) << status.ToString();
  EXPECT_NE(status.message().find(fragment), std::string::npos) << status.message();
  EXPECT_EQ(status.message().find(token.user_pin()), std::string::npos) << status.message();
  EXPECT_EQ(status.message().find('\n'), std::string::npos) << status.message();
}

// A P-256 key pair generated on the token under `label`, allowed to sign.
Status GenerateEcKeyPair(const SoftHsmToken& token, const std::string& label) {
  KW_ASSIGN_OR_RETURN(std::unique_ptr<Pkcs11SessionPool> pool, OpenPkcs11SessionPool(token.Settings(""), true));
  std::vector<std::uint8_t> p256 = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};  // the OID, DER
  std::string name = label;
  CK_BBOOL yes = CK_TRUE;
  CK_ATTRIBUTE public_template[] = {{CKA_TOKEN, &yes, sizeof yes},
                                    {CKA_VERIFY, &yes, sizeof yes},
                                    {CKA_EC_PARAMS, p256.data(), p256.size()},
                                    {CKA_LABEL, name.data(), name.size()}};
  CK_ATTRIBUTE private_template[] = {{CKA_TOKEN, &yes, sizeof yes},
                                     {CKA_PRIVATE, &yes, sizeof yes},
                                     {CKA_SENSITIVE, &yes, sizeof yes},
                                     {CKA_SIGN, &yes, sizeof yes},
                                     {CKA_LABEL, name.data(), name.size()}};
  return pool->Run([&](Session& session) -> Status {
    CK_MECHANISM mechanism{CKM_EC_KEY_PAIR_GEN, nullptr, 0};
    CK_OBJECT_HANDLE public_key = CK_INVALID_HANDLE;
    CK_OBJECT_HANDLE private_key = CK_INVALID_HANDLE;
    const CK_RV rv = pool->api()->C_GenerateKeyPair(session.handle, &mechanism, public_template, 4, private_template, 5,
                                                    &public_key, &private_key);
    if (rv != CKR_OK) return pool->Failed(session, rv, "C_GenerateKeyPair (EC)");
    return OkStatus();
  });
}

class Pkcs11SigningKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    KW_SOFTHSM_TOKEN_OR_SKIP(token_);
    ASSERT_TRUE(token_->ImportKey(key_, "idp-signing", {0x05, 0x06}).ok());
  }

  std::unique_ptr<Pkcs11SigningKey> Open(const Pkcs11Settings& settings, std::string kid = "") {
    auto key = Pkcs11SigningKey::Open(settings, std::move(kid));
    EXPECT_TRUE(key.ok()) << key.status().ToString();
    return key.ok() ? std::move(key).value() : nullptr;
  }

  RsaPrivateKey key_ = NewKey();
  std::unique_ptr<SoftHsmToken> token_;
};

TEST_F(Pkcs11SigningKeyTest, SignsOnTheTokenWhatOpenSslVerifiesAgainstThePublishedJwk) {
  auto key = Open(token_->Settings("idp-signing"));
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(key->alg(), jose::JwsAlgorithm::kRs256);
  EXPECT_EQ(key->kid(), DefaultSigningKeyId(key_.PublicKey()));
  EXPECT_EQ(key->PublicKeyFingerprint(), SpkiFingerprint(key_.PublicKey()));
  EXPECT_TRUE(key->public_key().Equals(key_.PublicKey()));
  EXPECT_EQ(key->token_label(), token_->label());
  EXPECT_EQ(key->token_serial(), token_->serial());
  auto expected_jwk = jose::RsaPublicJwk(key_.PublicKey(), key->kid(), jose::JwsAlgorithm::kRs256);
  ASSERT_TRUE(expected_jwk.ok());
  EXPECT_EQ(key->PublicJwk(), *expected_jwk);  // read from the token, exactly the key's

  const std::string token = Token(*key);
  EXPECT_TRUE(OpenSslVerifiesRs256(token, key->PublicJwk()));
  EXPECT_TRUE(VerifiesWithJose(token, jose::JwksJsonOf({key.get()})));

  // RSASSA-PKCS1-v1_5 is deterministic: the token signs exactly what OpenSSL signs with the key.
  auto in_memory = jose::InMemorySigningKey::FromRsaKey(std::move(key_), "same");
  ASSERT_TRUE(in_memory.ok());
  for (std::string_view input : {std::string_view("a.b"), std::string_view(""), std::string_view(token)}) {
    auto on_token = key->Sign(input);
    auto by_openssl = (*in_memory)->Sign(input);
    ASSERT_TRUE(on_token.ok()) << on_token.status().ToString();
    ASSERT_TRUE(by_openssl.ok());
    EXPECT_EQ(*on_token, *by_openssl);
    EXPECT_EQ(on_token->size(), 256u);
  }
}

TEST_F(Pkcs11SigningKeyTest, TheSameKeyInAFileAndOnTheTokenIsOneKeyToVerifiers) {
  const std::string path = token_->dir().File("signing.pem");
  ASSERT_TRUE(CreateKeyFile(path, KeyFileFormat::kPemPkcs8, nullptr).ok());
  std::ostringstream pem;
  pem << std::ifstream(path).rdbuf();
  auto file_key = RsaPrivateKey::FromPem(pem.str());
  ASSERT_TRUE(file_key.ok());
  ASSERT_TRUE(token_->ImportKey(*file_key, "moved-to-hsm", {}).ok());

  auto file = FileSigningKey::Load(path, nullptr);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  auto hsm = Open(token_->Settings("moved-to-hsm"));
  ASSERT_NE(hsm, nullptr);
  EXPECT_EQ(hsm->kid(), (*file)->kid());
  EXPECT_EQ(hsm->PublicJwk(), (*file)->PublicJwk());
  EXPECT_TRUE(VerifiesWithJose(Token(*hsm), jose::JwksJsonOf({file->get()})));
  EXPECT_TRUE(VerifiesWithJose(Token(**file), jose::JwksJsonOf({hsm.get()})));
}

TEST_F(Pkcs11SigningKeyTest, FindsTheKeyByIdOrLabelAndTakesAGivenKid) {
  const RsaPrivateKey other = NewKey();
  ASSERT_TRUE(token_->ImportKey(other, "other", {0x0a, 0x0b}).ok());
  Pkcs11Settings by_id = token_->Settings("");
  by_id.key_id = std::vector<std::uint8_t>{0x0a, 0x0b};
  auto found = Open(by_id, "idp-2");
  ASSERT_NE(found, nullptr);
  EXPECT_TRUE(found->public_key().Equals(other.PublicKey()));
  EXPECT_EQ(found->kid(), "idp-2");
  EXPECT_EQ(found->PublicJwk()["kid"], "idp-2");
  EXPECT_TRUE(OpenSslVerifiesRs256(Token(*found), found->PublicJwk()));

  // The id wins over the label, as for the RSA key provider.
  Pkcs11Settings both = token_->Settings("other");
  both.key_id = std::vector<std::uint8_t>{0x05, 0x06};
  auto first = Open(both);
  ASSERT_NE(first, nullptr);
  EXPECT_TRUE(first->public_key().Equals(key_.PublicKey()));
}

TEST_F(Pkcs11SigningKeyTest, AWrongPinIsAClearErrorNamingItsSetting) {
  const std::string wrong = "kw-Wrong-Pin-2718";
  Pkcs11Settings settings = token_->Settings("idp-signing");
  settings.pin = SecureBuffer::CopyOf(std::string_view(wrong));
  settings.pin_setting.clear();  // the signing key's own setting is named
  auto key = Pkcs11SigningKey::Open(settings);
  ASSERT_FALSE(key.ok());
  ExpectClearError(key.status(), ErrorCode::kInvalidArgument,
                   "wrong PIN for PKCS#11 token '" + token_->label() + "' (signing_key.pkcs11_pin)", *token_);
  EXPECT_EQ(key.status().message().find(wrong), std::string::npos);

  settings.pin_setting = "KEYWARDEN_SIGNING_PIN";
  ExpectClearError(Pkcs11SigningKey::Open(settings).status(), ErrorCode::kInvalidArgument,
                   "wrong PIN for PKCS#11 token '" + token_->label() + "' (KEYWARDEN_SIGNING_PIN)", *token_);
  settings.pin.reset();
  ExpectClearError(Pkcs11SigningKey::Open(settings).status(), ErrorCode::kInvalidArgument,
                   "no PIN is configured for the PKCS#11 token (KEYWARDEN_SIGNING_PIN)", *token_);
  // The right PIN still works: nothing was locked.
  EXPECT_NE(Open(token_->Settings("idp-signing")), nullptr);
}

TEST_F(Pkcs11SigningKeyTest, MissingKeysAndKeysThatCannotSignAreClearErrors) {
  ExpectClearError(Pkcs11SigningKey::Open(token_->Settings("no-such-key")).status(), ErrorCode::kNotFound,
                   "no private key with label 'no-such-key' on PKCS#11 token '" + token_->label() +
                       "' (signing_key.pkcs11_key_label)",
                   *token_);
  Pkcs11Settings wrong_id = token_->Settings("");
  wrong_id.key_id = std::vector<std::uint8_t>{0xee};
  ExpectClearError(Pkcs11SigningKey::Open(wrong_id).status(), ErrorCode::kNotFound,
                   "no private key with id ee on PKCS#11 token '" + token_->label() + "' (signing_key.pkcs11_key_id)",
                   *token_);

  // An EC key is not an RSA key, whatever else it can do.
  const Status ec = GenerateEcKeyPair(*token_, "ec-key");
  ASSERT_TRUE(ec.ok()) << ec.ToString();
  ExpectClearError(Pkcs11SigningKey::Open(token_->Settings("ec-key")).status(), ErrorCode::kInvalidArgument,
                   "the private key with label 'ec-key' on PKCS#11 token '" + token_->label() + "' is not an RSA key",
                   *token_);

  // The key pairs `connector init --pkcs11` makes may decrypt and nothing else.
  auto wrapping = CreatePkcs11KeyPair(token_->Settings("wrap-only"));
  ASSERT_TRUE(wrapping.ok()) << wrapping.status().ToString();
  ExpectClearError(Pkcs11SigningKey::Open(token_->Settings("wrap-only")).status(), ErrorCode::kInvalidArgument,
                   "the private key with label 'wrap-only' on PKCS#11 token '" + token_->label() +
                       "' may not sign (CKA_SIGN is false)",
                   *token_);

  ASSERT_TRUE(token_->ImportKey(NewKey(), "idp-signing", {0x09}).ok());
  ExpectClearError(Pkcs11SigningKey::Open(token_->Settings("idp-signing")).status(), ErrorCode::kInvalidArgument,
                   "more than one private key with label 'idp-signing'", *token_);

  Pkcs11Settings no_module = token_->Settings("idp-signing");
  no_module.library = token_->dir().File("no-such-module.so");
  ExpectClearError(Pkcs11SigningKey::Open(no_module).status(), ErrorCode::kUnavailable, "no-such-module.so", *token_);
}

TEST_F(Pkcs11SigningKeyTest, KeysThatDemandThePinForEachUseGetIt) {
  const RsaPrivateKey guarded = NewKey();
  SoftHsmToken::ImportOptions options;
  options.always_authenticate = true;
  ASSERT_TRUE(token_->ImportKey(guarded, "guarded", {0x33}, options).ok());
  auto key = Open(token_->Settings("guarded"));
  ASSERT_NE(key, nullptr);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(OpenSslVerifiesRs256(Token(*key), key->PublicJwk()));
}

TEST_F(Pkcs11SigningKeyTest, ATokenResetIsFollowedByANewLogin) {
  auto key = Open(token_->Settings("idp-signing"));
  ASSERT_NE(key, nullptr);
  for (int reset = 0; reset < 3; ++reset) {
    ASSERT_TRUE(token_->Reset().ok());
    EXPECT_TRUE(OpenSslVerifiesRs256(Token(*key), key->PublicJwk()));
  }
}

TEST_F(Pkcs11SigningKeyTest, ManyThreadsSignThroughASmallPool) {
  Pkcs11Settings settings = token_->Settings("idp-signing");
  settings.sessions = 2;
  auto key = Open(settings);
  ASSERT_NE(key, nullptr);
  const std::string jwks = jose::JwksJsonOf({key.get()});
  std::atomic<int> failures{0};
  std::atomic<bool> over_bound{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        nlohmann::json claims = Claims();
        claims["jti"] = std::to_string(t) + "-" + std::to_string(i);
        auto token = jose::SignCompactJws(*key, nullptr, claims);
        if (!token.ok() || !VerifiesWithJose(*token, jwks)) ++failures;
        if (key->open_sessions() > 2) over_bound = true;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_FALSE(over_bound.load());
}

// An identity provider moves its signing key from a file to the HSM: the HSM key is published
// first, then signs; the file key's tokens stay verifiable until they expire. Checked by the
// bearer-token verifier the services use (custody's tests already link it through the connector).
TEST_F(Pkcs11SigningKeyTest, RollsOverFromAKeyFileToTheHsmAsVerifiersSeeIt) {
  const std::string path = token_->dir().File("signing.pem");
  ASSERT_TRUE(CreateKeyFile(path, KeyFileFormat::kPemPkcs8, nullptr).ok());
  SigningKeySettings file_settings;
  file_settings.key_file = path;
  auto file = OpenSigningKey(file_settings);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  SigningKeySettings hsm_settings;
  hsm_settings.provider = SigningKeySettings::Provider::kPkcs11;
  hsm_settings.pkcs11 = token_->Settings("idp-signing");
  hsm_settings.kid = "hsm-1";
  auto hsm = OpenSigningKey(hsm_settings);
  ASSERT_TRUE(hsm.ok()) << hsm.status().ToString();

  constexpr std::chrono::seconds kLifetime = std::chrono::minutes(10);
  auto set = jose::SigningKeySet::Create(std::move(file).value(), kLifetime);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  const std::string file_kid = (*set)->current()->kid();

  TimePoint now = kNow;
  // A verifier that fetches the set's JWKS as published at `now` (once at creation, as a service
  // does before it listens), at most once per `refresh`.
  auto verifier = [&](std::chrono::seconds refresh = std::chrono::seconds(30)) {
    auth::TokenVerifierOptions options;
    options.policy.issuer = kIssuer;
    options.policy.required_scopes = {"api"};
    options.jwks_refresh_min_interval = refresh;
    auto made =
        std::make_unique<auth::TokenVerifier>(options, [&]() -> Result<std::string> { return (*set)->Publish(now); });
    EXPECT_TRUE(made->Refresh(now).ok());
    return made;
  };
  auto mint = [&] {
    auto token = (*set)->Mint(Claims(now), now);
    EXPECT_TRUE(token.ok()) << token.status().ToString();
    return token.ok() ? *token : "";
  };

  const std::string by_file = mint();
  ASSERT_TRUE(verifier()->Verify("Bearer " + by_file, now).ok());

  ASSERT_TRUE((*set)->SetNext(std::move(hsm).value(), now).ok());
  // Published, not signing: a verifier that fetches the JWKS now, and not again for a day, knows
  // the HSM key in advance.
  auto early = verifier(std::chrono::hours(24));
  ASSERT_TRUE(early->Refresh(now).ok());
  EXPECT_EQ(jose::ParseJws(mint())->kid, file_kid);

  now += std::chrono::minutes(1);
  const std::string last_by_file = mint();
  ASSERT_TRUE((*set)->Promote(now).ok());
  const std::string by_hsm = mint();
  EXPECT_EQ(jose::ParseJws(by_hsm)->kid, "hsm-1");
  EXPECT_TRUE(OpenSslVerifiesRs256(by_hsm, (*set)->current()->PublicJwk()));
  auto accepted = early->Verify("Bearer " + by_hsm, now);
  EXPECT_TRUE(accepted.ok()) << accepted.error().message;
  EXPECT_TRUE(early->Verify("Bearer " + last_by_file, now).ok());

  // Until the file key's last token expires, both verify for a verifier that fetches now...
  now += std::chrono::minutes(4);
  EXPECT_TRUE(verifier()->Verify("Bearer " + last_by_file, now).ok());
  EXPECT_TRUE(verifier()->Verify("Bearer " + by_hsm, now).ok());
  // ...then the file key is gone from the JWKS, and the HSM's tokens still verify.
  now = kNow + std::chrono::minutes(1) + kLifetime;
  const std::string jwks = (*set)->Publish(now);
  EXPECT_FALSE(VerifiesWithJose(last_by_file, jwks));
  EXPECT_TRUE(VerifiesWithJose(mint(), jwks));
  auto late = verifier()->Verify("Bearer " + last_by_file, now);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.reason(), jose::TokenFailure::kUnknownKey) << late.error().message;
}

}  // namespace
}  // namespace keywarden::custody
