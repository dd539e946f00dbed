#include "custody/file/file_rsa_key_provider.h"
#include "support/temp_dir.h"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "keywarden/crypto/random.h"

namespace keywarden::custody {
namespace {

namespace fs = std::filesystem;

using keywarden::testing::TempDir;

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

SecureBuffer Password(std::string_view text) { return SecureBuffer::CopyOf(text); }

// A key OpenSSL generates here, written as PEM by OpenSSL itself (PKCS#8, or the legacy
// PKCS#1 "RSA PRIVATE KEY" form when `traditional`).
void WriteGeneratedKey(const std::string& path, EVP_PKEY* key, bool traditional = false) {
  ASSERT_NE(key, nullptr);
  BIO* bio = BIO_new_file(path.c_str(), "w");
  ASSERT_NE(bio, nullptr);
  const int ok = traditional ? PEM_write_bio_PrivateKey_traditional(bio, key, nullptr, nullptr, 0, nullptr, nullptr)
                             : PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  BIO_free(bio);
  EVP_PKEY_free(key);
  ASSERT_EQ(ok, 1);
}

// Wrapping with one provider and unwrapping with another recovers the data key.
void ExpectRoundTrip(const custody::RsaKeyProvider& wrapper, const custody::RsaKeyProvider& unwrapper) {
  auto data_key = RandomSecret(32);
  ASSERT_TRUE(data_key.ok());
  auto wrapped = wrapper.Wrap(data_key->span());
  ASSERT_TRUE(wrapped.ok()) << wrapped.status().ToString();
  auto unwrapped = unwrapper.Unwrap(*wrapped);
  ASSERT_TRUE(unwrapped.ok()) << unwrapped.status().ToString();
  EXPECT_TRUE(unwrapped->Equals(data_key->span()));
}

void ExpectError(const Status& status, ErrorCode code, std::string_view fragment) {
  EXPECT_EQ(status.code(), code) << status.ToString();
  EXPECT_NE(status.message().find(fragment), std::string::npos) << status.message();
  EXPECT_EQ(status.message().find('\n'), std::string::npos);
}

TEST(FileRsaKeyProviderTest, PlainPemLoadsAndWraps) {
  TempDir dir;
  const std::string path = dir.File("key.pem");
  auto fingerprint = custody::CreateKeyFile(path, custody::KeyFileFormat::kPemPkcs8, nullptr);
  ASSERT_TRUE(fingerprint.ok()) << fingerprint.status().ToString();
  EXPECT_NE(ReadFile(path).find("-----BEGIN PRIVATE KEY-----"), std::string::npos);

  auto provider = custody::FileRsaKeyProvider::Load(path, nullptr);
  ASSERT_TRUE(provider.ok()) << provider.status().ToString();
  EXPECT_EQ((*provider)->format(), custody::KeyFileFormat::kPemPkcs8);
  EXPECT_EQ((*provider)->PublicKeyFingerprint(), *fingerprint);
  EXPECT_EQ(fingerprint->size(), 64u);
  EXPECT_EQ(fingerprint->find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_TRUE((*provider)->Check().ok());
  EXPECT_FALSE((*provider)->world_readable());
  EXPECT_TRUE((*provider)->Warnings().empty());
  ExpectRoundTrip(**provider, **provider);
}

TEST(FileRsaKeyProviderTest, EncryptedPemNeedsItsPassword) {
  TempDir dir;
  const std::string path = dir.File("key.pem");
  const SecureBuffer password = Password("correct horse");
  auto fingerprint = custody::CreateKeyFile(path, custody::KeyFileFormat::kPemPkcs8, &password);
  ASSERT_TRUE(fingerprint.ok()) << fingerprint.status().ToString();
  EXPECT_NE(ReadFile(path).find("-----BEGIN ENCRYPTED PRIVATE KEY-----"), std::string::npos);

  auto provider = custody::FileRsaKeyProvider::Load(path, &password);
  ASSERT_TRUE(provider.ok()) << provider.status().ToString();
  EXPECT_EQ((*provider)->PublicKeyFingerprint(), *fingerprint);
  ExpectRoundTrip(**provider, **provider);

  const SecureBuffer wrong = Password("correct horsf");
  auto with_wrong = custody::FileRsaKeyProvider::Load(path, &wrong);
  ASSERT_FALSE(with_wrong.ok());
  ExpectError(with_wrong.status(), ErrorCode::kInvalidArgument, "wrong password for key file " + path);

  auto without = custody::FileRsaKeyProvider::Load(path, nullptr);
  ASSERT_FALSE(without.ok());
  ExpectError(without.status(), ErrorCode::kInvalidArgument, "password is required");
}

TEST(FileRsaKeyProviderTest, Pkcs12LoadsAndRejectsAWrongPassword) {
  TempDir dir;
  const std::string path = dir.File("key.pfx");
  const SecureBuffer password = Password("s3cret");
  auto fingerprint = custody::CreateKeyFile(path, custody::KeyFileFormat::kPkcs12, &password);
  ASSERT_TRUE(fingerprint.ok()) << fingerprint.status().ToString();

  auto provider = custody::FileRsaKeyProvider::Load(path, &password);
  ASSERT_TRUE(provider.ok()) << provider.status().ToString();
  EXPECT_EQ((*provider)->format(), custody::KeyFileFormat::kPkcs12);
  EXPECT_EQ((*provider)->PublicKeyFingerprint(), *fingerprint);
  ExpectRoundTrip(**provider, **provider);

  const SecureBuffer wrong = Password("s3cres");
  auto with_wrong = custody::FileRsaKeyProvider::Load(path, &wrong);
  ASSERT_FALSE(with_wrong.ok());
  ExpectError(with_wrong.status(), ErrorCode::kInvalidArgument, "wrong password for key file " + path);

  auto without = custody::FileRsaKeyProvider::Load(path, nullptr);
  ASSERT_FALSE(without.ok());
  ExpectError(without.status(), ErrorCode::kInvalidArgument, "needs a password");
}

TEST(FileRsaKeyProviderTest, FormatIsDetectedFromContentNotName) {
  TempDir dir;
  const SecureBuffer password = Password("pw");
  const std::string pfx_named_pem = dir.File("really-pkcs12.pem");
  ASSERT_TRUE(custody::CreateKeyFile(pfx_named_pem, custody::KeyFileFormat::kPkcs12, &password).ok());
  auto provider = custody::FileRsaKeyProvider::Load(pfx_named_pem, &password);
  ASSERT_TRUE(provider.ok()) << provider.status().ToString();
  EXPECT_EQ((*provider)->format(), custody::KeyFileFormat::kPkcs12);
}

// This is how the reference's /etc/bitwarden/key.pfx is made.
TEST(FileRsaKeyProviderTest, LoadsAPkcs12MadeByTheOpensslCommandLine) {
  TempDir dir;
  const std::string key_pem = dir.File("k.pem");
  const std::string cert_pem = dir.File("c.pem");
  const std::string pfx = dir.File("key.pfx");
  const std::string command =
      "openssl req -x509 -newkey rsa:2048 -sha256 -nodes -days 365 -subj /CN=connector"
      " -keyout '" +
      key_pem + "' -out '" + cert_pem +
      "' >/dev/null 2>&1"
      " && openssl pkcs12 -export -inkey '" +
      key_pem + "' -in '" + cert_pem + "' -passout pass:from-openssl -out '" + pfx + "' >/dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << "the openssl command line failed";

  const SecureBuffer password = Password("from-openssl");
  auto from_pfx = custody::FileRsaKeyProvider::Load(pfx, &password);
  ASSERT_TRUE(from_pfx.ok()) << from_pfx.status().ToString();
  auto from_pem = custody::FileRsaKeyProvider::Load(key_pem, nullptr);
  ASSERT_TRUE(from_pem.ok()) << from_pem.status().ToString();
  EXPECT_EQ((*from_pfx)->PublicKeyFingerprint(), (*from_pem)->PublicKeyFingerprint());
  ExpectRoundTrip(**from_pfx, **from_pem);
  ExpectRoundTrip(**from_pem, **from_pfx);

  // A PEM bundle with the certificate before the key: the key is found.
  const std::string bundle = dir.File("bundle.pem");
  WriteFile(bundle, ReadFile(cert_pem) + ReadFile(key_pem));
  auto from_bundle = custody::FileRsaKeyProvider::Load(bundle, nullptr);
  ASSERT_TRUE(from_bundle.ok()) << from_bundle.status().ToString();
  EXPECT_EQ((*from_bundle)->PublicKeyFingerprint(), (*from_pem)->PublicKeyFingerprint());

  // A certificate alone is not a key.
  auto cert_only = custody::FileRsaKeyProvider::Load(cert_pem, nullptr);
  ASSERT_FALSE(cert_only.ok());
  ExpectError(cert_only.status(), ErrorCode::kInvalidArgument, "\"CERTIFICATE\"");
}

// What OpenSSL 1.1 wrote by default (certificates under RC2-40, the key under 3DES, SHA-1 MAC),
// as the reference's setup guide produced on older systems; OpenSSL 3 writes it with -legacy.
TEST(FileRsaKeyProviderTest, LoadsAnOpenssl11Pkcs12WithoutLegacyAlgorithmsLeakingOut) {
  if (std::system("openssl list -providers -provider legacy >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "OpenSSL's legacy provider module (ossl-modules/legacy.so) is not installed: "
                    "`openssl list -providers -provider legacy` fails, so no legacy PKCS#12 file can be made here";
  }
  TempDir dir;
  const std::string key_pem = dir.File("k.pem");
  const std::string cert_pem = dir.File("c.pem");
  const std::string pfx = dir.File("legacy.pfx");
  const std::string command =
      "openssl req -x509 -newkey rsa:2048 -sha256 -nodes -days 365 -subj /CN=connector -keyout '" + key_pem +
      "' -out '" + cert_pem + "' >/dev/null 2>&1 && openssl pkcs12 -export -legacy -certpbe PBE-SHA1-RC2-40" +
      " -keypbe PBE-SHA1-3DES -macalg sha1 -inkey '" + key_pem + "' -in '" + cert_pem +
      "' -passout pass:from-openssl-1.1 -out '" + pfx + "' >/dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << "the openssl command line failed";
  // The file really is in the old format: OpenSSL 3 cannot read it without the legacy provider.
  const std::string plain_read =
      "openssl pkcs12 -in '" + pfx + "' -passin pass:from-openssl-1.1 -nodes -noout" + " >/dev/null 2>&1";
  ASSERT_NE(std::system(plain_read.c_str()), 0) << "openssl 3 read the file without -legacy";

  const SecureBuffer password = Password("from-openssl-1.1");
  auto from_pfx = custody::FileRsaKeyProvider::Load(pfx, &password);
  ASSERT_TRUE(from_pfx.ok()) << from_pfx.status().ToString();
  EXPECT_EQ((*from_pfx)->format(), custody::KeyFileFormat::kPkcs12);
  auto from_pem = custody::FileRsaKeyProvider::Load(key_pem, nullptr);
  ASSERT_TRUE(from_pem.ok()) << from_pem.status().ToString();
  EXPECT_EQ((*from_pfx)->PublicKeyFingerprint(), (*from_pem)->PublicKeyFingerprint());
  ExpectRoundTrip(**from_pfx, **from_pem);
  ExpectRoundTrip(**from_pem, **from_pfx);

  // The legacy provider served that one decryption: this thread's default context still has no RC2.
  EVP_CIPHER* rc2 = EVP_CIPHER_fetch(nullptr, "RC2-40-CBC", nullptr);
  EXPECT_EQ(rc2, nullptr) << "a legacy cipher is reachable from the default library context";
  EVP_CIPHER_free(rc2);
  ERR_clear_error();

  // A wrong password is still told apart by the MAC.
  const SecureBuffer wrong = Password("not-it");
  auto refused = custody::FileRsaKeyProvider::Load(pfx, &wrong);
  ASSERT_FALSE(refused.ok());
  ExpectError(refused.status(), ErrorCode::kInvalidArgument, "wrong password");
}

// Whoever may write the key file may put their own key there: refused when anyone may; a
// group that may write it (umask 002) or others that may read it are warnings.
TEST(FileRsaKeyProviderTest, RefusesAKeyFileAnyoneMayWriteAndWarnsAboutItsGroup) {
  TempDir dir;
  const std::string path = dir.File("key.pem");
  ASSERT_TRUE(custody::CreateKeyFile(path, custody::KeyFileFormat::kPemPkcs8, nullptr).ok());
  for (const mode_t mode : {0602, 0622, 0666}) {
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
    auto provider = custody::FileRsaKeyProvider::Load(path, nullptr);
    ASSERT_FALSE(provider.ok()) << std::oct << mode;
    ExpectError(provider.status(), ErrorCode::kInvalidArgument, "writable by other users");
    EXPECT_NE(provider.status().message().find(path), std::string::npos);
  }
  const std::pair<mode_t, std::vector<std::string>> warned[] = {
      {0600, {}},
      {0620, {"the key file is writable by its group"}},
      {0640, {"the key file is readable by other users"}},
      {0664, {"the key file is readable by other users and writable by its group"}},
  };
  for (const auto& [mode, warnings] : warned) {
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
    auto provider = custody::FileRsaKeyProvider::Load(path, nullptr);
    ASSERT_TRUE(provider.ok()) << std::oct << mode << ": " << provider.status().ToString();
    EXPECT_EQ((*provider)->Warnings(), warnings) << std::oct << mode;
  }
}

TEST(FileRsaKeyProviderTest, MissingFileIsUnavailableAndNamesThePath) {
  TempDir dir;
  const std::string path = dir.File("absent.pfx");
  auto provider = custody::FileRsaKeyProvider::Load(path, nullptr);
  ASSERT_FALSE(provider.ok());
  ExpectError(provider.status(), ErrorCode::kUnavailable, "cannot read key file " + path);

  auto directory = custody::FileRsaKeyProvider::Load(dir.File(""), nullptr);
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.status().code(), ErrorCode::kUnavailable);
}

TEST(FileRsaKeyProviderTest, GarbageIsNotAKey) {
  TempDir dir;
  const SecureBuffer password = Password("pw");
  const std::string cases[] = {
      std::string("hello, world\n"),
      std::string("\x30\x82\x01\x00garbage", 12),
      std::string("-----BEGIN PRIVATE KEY-----\nnot base64 !!\n-----END PRIVATE KEY-----\n"),
      std::string("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
      std::string("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"),
      std::string(),
  };
  int i = 0;
  for (const std::string& content : cases) {
    SCOPED_TRACE(i);
    const std::string path = dir.File("garbage" + std::to_string(i++));
    WriteFile(path, content);
    for (const SecureBuffer* pw : {static_cast<const SecureBuffer*>(nullptr), &password}) {
      auto provider = custody::FileRsaKeyProvider::Load(path, pw);
      ASSERT_FALSE(provider.ok());
      ExpectError(provider.status(), ErrorCode::kInvalidArgument, path);
    }
  }
}

TEST(FileRsaKeyProviderTest, EcKeyIsRejected) {
  TempDir dir;
  const std::string path = dir.File("ec.pem");
  WriteGeneratedKey(path, EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  auto provider = custody::FileRsaKeyProvider::Load(path, nullptr);
  ASSERT_FALSE(provider.ok());
  ExpectError(provider.status(), ErrorCode::kInvalidArgument, "not an RSA key");
  EXPECT_NE(provider.status().message().find(path), std::string::npos);
}

TEST(FileRsaKeyProviderTest, SmallRsaKeyIsRejected) {
  TempDir dir;
  const std::string path = dir.File("rsa1024.pem");
  WriteGeneratedKey(path, EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(1024)));
  auto provider = custody::FileRsaKeyProvider::Load(path, nullptr);
  ASSERT_FALSE(provider.ok());
  ExpectError(provider.status(), ErrorCode::kInvalidArgument, "1024 bits");
}

TEST(FileRsaKeyProviderTest, LegacyRsaPemIsRejectedWithAHint) {
  TempDir dir;
  const std::string path = dir.File("pkcs1.pem");
  WriteGeneratedKey(path, EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048)), true);
  ASSERT_NE(ReadFile(path).find("BEGIN RSA PRIVATE KEY"), std::string::npos);
  auto provider = custody::FileRsaKeyProvider::Load(path, nullptr);
  ASSERT_FALSE(provider.ok());
  ExpectError(provider.status(), ErrorCode::kInvalidArgument, "openssl pkcs8 -topk8");
}

TEST(FileRsaKeyProviderTest, UnwrapRefusesWhatItDidNotWrap) {
  TempDir dir;
  ASSERT_TRUE(custody::CreateKeyFile(dir.File("a.pem"), custody::KeyFileFormat::kPemPkcs8, nullptr).ok());
  ASSERT_TRUE(custody::CreateKeyFile(dir.File("b.pem"), custody::KeyFileFormat::kPemPkcs8, nullptr).ok());
  auto a = custody::FileRsaKeyProvider::Load(dir.File("a.pem"), nullptr);
  auto b = custody::FileRsaKeyProvider::Load(dir.File("b.pem"), nullptr);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE((*a)->PublicKeyFingerprint(), (*b)->PublicKeyFingerprint());
  const std::uint8_t data_key[32] = {1, 2, 3};
  auto wrapped = (*a)->Wrap(data_key);
  ASSERT_TRUE(wrapped.ok());
  EXPECT_EQ((*b)->Unwrap(*wrapped).status().code(), ErrorCode::kAuthenticationFailed);
  const std::uint8_t junk[5] = {9, 9, 9, 9, 9};
  EXPECT_EQ((*a)->Unwrap(junk).status().code(), ErrorCode::kAuthenticationFailed);
}

TEST(FileRsaKeyProviderTest, CreateRefusesToOverwrite) {
  TempDir dir;
  const std::string path = dir.File("key.pem");
  WriteFile(path, "precious");
  auto fingerprint = custody::CreateKeyFile(path, custody::KeyFileFormat::kPemPkcs8, nullptr);
  ASSERT_FALSE(fingerprint.ok());
  ExpectError(fingerprint.status(), ErrorCode::kAlreadyExists, path + " exists; refusing to overwrite");
  EXPECT_EQ(ReadFile(path), "precious");

  // Nor through a symlink that points nowhere yet.
  const std::string link = dir.File("link.pem");
  fs::create_symlink(dir.File("target.pem"), link);
  EXPECT_FALSE(custody::CreateKeyFile(link, custody::KeyFileFormat::kPemPkcs8, nullptr).ok());
  EXPECT_FALSE(fs::exists(dir.File("target.pem")));
}

TEST(FileRsaKeyProviderTest, CreatedFileIsMode0600WhateverTheUmask) {
  TempDir dir;
  const SecureBuffer password = Password("pw");
  const mode_t previous = ::umask(0);
  auto pem = custody::CreateKeyFile(dir.File("key.pem"), custody::KeyFileFormat::kPemPkcs8, nullptr);
  auto pfx = custody::CreateKeyFile(dir.File("key.p12"), custody::KeyFileFormat::kPkcs12, &password);
  ::umask(previous);
  ASSERT_TRUE(pem.ok() && pfx.ok());
  for (const char* name : {"key.pem", "key.p12"}) {
    struct stat st {};
    ASSERT_EQ(::stat(dir.File(name).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u) << name;
  }
}

TEST(FileRsaKeyProviderTest, ReportsAWorldReadableFile) {
  TempDir dir;
  const std::string path = dir.File("key.pem");
  ASSERT_TRUE(custody::CreateKeyFile(path, custody::KeyFileFormat::kPemPkcs8, nullptr).ok());
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  auto provider = custody::FileRsaKeyProvider::Load(path, nullptr);
  ASSERT_TRUE(provider.ok());
  EXPECT_TRUE((*provider)->world_readable());
  // Reported through the interface, so `connector check` needs no knowledge of the provider kind.
  const custody::RsaKeyProvider& any_provider = **provider;
  EXPECT_EQ(any_provider.Warnings(), std::vector<std::string>{"the key file is readable by other users"});
}

TEST(FileRsaKeyProviderTest, CreateChecksItsArguments) {
  TempDir dir;
  const std::string path = dir.File("key.pfx");
  auto no_password = custody::CreateKeyFile(path, custody::KeyFileFormat::kPkcs12, nullptr);
  ASSERT_FALSE(no_password.ok());
  EXPECT_EQ(no_password.status().code(), ErrorCode::kInvalidArgument);

  const SecureBuffer empty;
  EXPECT_EQ(custody::CreateKeyFile(path, custody::KeyFileFormat::kPkcs12, &empty).status().code(),
            ErrorCode::kInvalidArgument);
  const SecureBuffer with_nul = Password(std::string_view("a\0b", 3));
  EXPECT_EQ(custody::CreateKeyFile(path, custody::KeyFileFormat::kPkcs12, &with_nul).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(path));

  auto no_dir = custody::CreateKeyFile(dir.File("missing/key.pem"), custody::KeyFileFormat::kPemPkcs8, nullptr);
  ASSERT_FALSE(no_dir.ok());
  EXPECT_EQ(no_dir.status().code(), ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace keywarden::custody
