// custody::FileSigningKey and OpenSigningKey's file provider: key files that sign RS256 tokens.
#include "custody/file/file_signing_key.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <fstream>
#include <memory>
#include <string>

#include "custody/file/file_rsa_key_provider.h"
#include "custody/open_signing_key.h"
#include "jose/jwks.h"
#include "jose/jws.h"
#include "jose/jwt_signer.h"
#include "jose/signing_key.h"
#include "support/jws_openssl.h"
#include "support/temp_dir.h"

namespace keywarden::custody {
namespace {

using keywarden::testing::OpenSslVerifiesRs256;
using keywarden::testing::TempDir;

const TimePoint kNow{std::chrono::seconds(1'700'000'000)};

SecureBuffer Password(std::string_view text) { return SecureBuffer::CopyOf(text); }

std::string Token(const jose::SigningKey& key) {
  auto token = jose::SignCompactJws(
      key, nullptr, jose::JwtSigner::StandardClaims("https://id", "sub", kNow, std::chrono::minutes(5)));
  EXPECT_TRUE(token.ok()) << token.status().ToString();
  return token.ok() ? *token : "";
}

// True when `token` verifies against `key`'s JWKS as a token verifier checks it.
bool VerifiesWithJose(const std::string& token, const jose::SigningKey& key) {
  auto parsed = jose::ParseJws(token);
  auto keys = jose::ParseJwks(jose::JwksJsonOf({&key}));
  if (!parsed.ok() || !keys.ok() || !keys->contains(parsed->kid)) return false;
  return !jose::VerifyJwsSignature(*parsed, keys->at(parsed->kid)).has_value();
}

// An error of `code` that names `fragment`, on one line, without `secret`.
void ExpectClearError(const Status& status, ErrorCode code, std::string_view fragment, std::string_view secret = {}) {
  EXPECT_EQ(status.code(), code) << status.ToString();
  EXPECT_NE(status.message().find(fragment), std::string::npos) << status.message();
  EXPECT_EQ(status.message().find('\n'), std::string::npos) << status.message();
  if (!secret.empty()) {
    EXPECT_EQ(status.message().find(secret), std::string::npos) << status.message();
  }
}

// A key OpenSSL makes, written as unencrypted PKCS#8 PEM.
void WriteOpenSslKey(const std::string& path, EVP_PKEY* key) {
  ASSERT_NE(key, nullptr);
  BIO* bio = BIO_new_file(path.c_str(), "w");
  ASSERT_NE(bio, nullptr);
  const int ok = PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  BIO_free(bio);
  EVP_PKEY_free(key);
  ASSERT_EQ(ok, 1);
}

TEST(FileSigningKeyTest, EveryKeyFileFormatSignsTokensItsJwkVerifies) {
  TempDir dir;
  const SecureBuffer password = Password("kw-signing-Pass-42");
  struct Case {
    std::string name;
    KeyFileFormat format;
    const SecureBuffer* password;
  };
  for (const Case& c : {Case{"plain.pem", KeyFileFormat::kPemPkcs8, nullptr},
                        Case{"encrypted.pem", KeyFileFormat::kPemPkcs8, &password},
                        Case{"key.pfx", KeyFileFormat::kPkcs12, &password}}) {
    SCOPED_TRACE(c.name);
    const std::string path = dir.File(c.name);
    auto fingerprint = CreateKeyFile(path, c.format, c.password);
    ASSERT_TRUE(fingerprint.ok()) << fingerprint.status().ToString();

    auto key = FileSigningKey::Load(path, c.password);
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    EXPECT_EQ((*key)->alg(), jose::JwsAlgorithm::kRs256);
    EXPECT_EQ((*key)->kid(), fingerprint->substr(0, 16));  // derived from the public key
    EXPECT_EQ((*key)->PublicKeyFingerprint(), *fingerprint);
    EXPECT_EQ((*key)->format(), c.format);
    EXPECT_EQ((*key)->path(), path);
    EXPECT_FALSE((*key)->world_readable());  // CreateKeyFile makes it 0600

    const nlohmann::json jwk = (*key)->PublicJwk();
    EXPECT_EQ(jwk["kid"], (*key)->kid());
    EXPECT_EQ(jwk["use"], "sig");
    EXPECT_FALSE(jwk.contains("d"));
    const std::string token = Token(**key);
    EXPECT_TRUE(OpenSslVerifiesRs256(token, jwk));
    EXPECT_TRUE(VerifiesWithJose(token, **key));
    EXPECT_TRUE(jose::CheckSigningKey(**key).ok());
  }
}

TEST(FileSigningKeyTest, TheKidIsStablePerKeyUnlessOneIsGiven) {
  TempDir dir;
  ASSERT_TRUE(CreateKeyFile(dir.File("one.pem"), KeyFileFormat::kPemPkcs8, nullptr).ok());
  ASSERT_TRUE(CreateKeyFile(dir.File("two.pem"), KeyFileFormat::kPemPkcs8, nullptr).ok());
  auto one = FileSigningKey::Load(dir.File("one.pem"), nullptr);
  auto again = FileSigningKey::Load(dir.File("one.pem"), nullptr);
  auto two = FileSigningKey::Load(dir.File("two.pem"), nullptr);
  ASSERT_TRUE(one.ok() && again.ok() && two.ok());
  EXPECT_EQ((*one)->kid(), (*again)->kid());
  EXPECT_NE((*one)->kid(), (*two)->kid());
  EXPECT_EQ((*one)->kid().size(), 16u);
  EXPECT_EQ((*one)->kid().find_first_not_of("0123456789abcdef"), std::string::npos);

  auto named = FileSigningKey::Load(dir.File("one.pem"), nullptr, "idp-2024-06");
  ASSERT_TRUE(named.ok());
  EXPECT_EQ((*named)->kid(), "idp-2024-06");
  EXPECT_EQ((*named)->PublicJwk()["kid"], "idp-2024-06");
  EXPECT_EQ((*named)->PublicJwk()["n"], (*one)->PublicJwk()["n"]);
  EXPECT_TRUE(OpenSslVerifiesRs256(Token(**named), (*named)->PublicJwk()));
}

TEST(FileSigningKeyTest, BadKeyFilesAreClearErrors) {
  TempDir dir;
  const std::string missing = dir.File("no-such-key.pem");
  ExpectClearError(FileSigningKey::Load(missing, nullptr).status(), ErrorCode::kUnavailable,
                   "cannot read key file " + missing);

  const std::string encrypted = dir.File("encrypted.pem");
  const SecureBuffer password = Password("kw-right-Pass-1");
  ASSERT_TRUE(CreateKeyFile(encrypted, KeyFileFormat::kPemPkcs8, &password).ok());
  const SecureBuffer wrong = Password("kw-Wrong-Pass-2");
  ExpectClearError(FileSigningKey::Load(encrypted, &wrong).status(), ErrorCode::kInvalidArgument,
                   "wrong password for key file " + encrypted, "kw-Wrong-Pass-2");
  ExpectClearError(FileSigningKey::Load(encrypted, nullptr).status(), ErrorCode::kInvalidArgument,
                   "key file " + encrypted + " is encrypted; a password is required");

  const std::string pfx = dir.File("key.pfx");
  ASSERT_TRUE(CreateKeyFile(pfx, KeyFileFormat::kPkcs12, &password).ok());
  ExpectClearError(FileSigningKey::Load(pfx, &wrong).status(), ErrorCode::kInvalidArgument,
                   "wrong password for key file " + pfx, "kw-Wrong-Pass-2");

  const std::string ec = dir.File("ec.pem");
  WriteOpenSslKey(ec, EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  ExpectClearError(FileSigningKey::Load(ec, nullptr).status(), ErrorCode::kInvalidArgument,
                   "key file " + ec + ": not an RSA key");

  const std::string small = dir.File("rsa-1024.pem");
  WriteOpenSslKey(small, EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(1024)));
  ExpectClearError(FileSigningKey::Load(small, nullptr).status(), ErrorCode::kInvalidArgument,
                   "key file " + small + ": RSA key size 1024 bits is outside 2048..4096");

  const std::string garbage = dir.File("garbage.pem");
  std::ofstream(garbage) << "not a key\n";
  ExpectClearError(FileSigningKey::Load(garbage, nullptr).status(), ErrorCode::kInvalidArgument,
                   "key file " + garbage + " is neither a PEM PKCS#8 key nor a PKCS#12 file");
}

TEST(OpenSigningKeyTest, OpensAKeyFileAndNamesAMissingSetting) {
  TempDir dir;
  const SecureBuffer password = Password("kw-open-Pass-7");
  ASSERT_TRUE(CreateKeyFile(dir.File("signing.pfx"), KeyFileFormat::kPkcs12, &password).ok());

  SigningKeySettings settings;
  settings.provider = SigningKeySettings::Provider::kFile;
  settings.key_file = dir.File("signing.pfx");
  settings.key_password = password.Clone();
  settings.kid = "idp-1";
  auto key = OpenSigningKey(settings);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ((*key)->kid(), "idp-1");
  EXPECT_TRUE(OpenSslVerifiesRs256(Token(**key), (*key)->PublicJwk()));

  SigningKeySettings unset;
  ExpectClearError(OpenSigningKey(unset).status(), ErrorCode::kInvalidArgument, "signing_key.key_file is not set");
  SigningKeySettings no_password;
  no_password.key_file = dir.File("signing.pfx");
  ExpectClearError(OpenSigningKey(no_password).status(), ErrorCode::kInvalidArgument,
                   "key file " + no_password.key_file + " needs a password");
}

}  // namespace
}  // namespace keywarden::custody
