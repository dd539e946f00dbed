// custody::Pkcs11RsaKeyProvider against a real SoftHSM2 token made for each test in a temporary folder.
#include "custody/pkcs11/pkcs11_rsa_key_provider.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "connector/config/connector_config.h"
#include "custody/file/file_rsa_key_provider.h"
#include "custody/open_rsa_key_provider.h"
#include "keywarden/crypto/random.h"
#include "support/softhsm_token.h"

namespace keywarden::custody {
namespace {

using keywarden::testing::SoftHsmToken;

RsaPrivateKey NewKey() {
  auto key = RsaPrivateKey::Generate();
  EXPECT_TRUE(key.ok());
  return std::move(key).value();
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

// An error that names what is wrong and never shows a PIN.
void ExpectClearError(const Status& status, ErrorCode code, std::string_view fragment, const SoftHsmToken& token) {
  EXPECT_EQ(status.code(), code) << status.ToString();
  EXPECT_NE(status.message().find(fragment), std::string::npos) << status.message();
  EXPECT_EQ(status.message().find(token.user_pin()), std::string::npos) << status.message();
  EXPECT_EQ(status.message().find('\n'), std::string::npos) << status.message();
}

class Pkcs11RsaKeyProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    KW_SOFTHSM_TOKEN_OR_SKIP(token_);
    ASSERT_TRUE(token_->ImportKey(key_, "kc-key", {0x01, 0x02}).ok());
  }

  std::unique_ptr<custody::Pkcs11RsaKeyProvider> Open(const custody::Pkcs11Settings& settings) {
    auto provider = custody::Pkcs11RsaKeyProvider::Open(settings);
    EXPECT_TRUE(provider.ok()) << provider.status().ToString();
    return provider.ok() ? std::move(provider).value() : nullptr;
  }

  RsaPrivateKey key_ = NewKey();
  std::unique_ptr<SoftHsmToken> token_;
};

TEST_F(Pkcs11RsaKeyProviderTest, WrapsLocallyAndUnwrapsOnTheToken) {
  auto provider = Open(token_->Settings("kc-key"));
  ASSERT_NE(provider, nullptr);
  EXPECT_EQ(provider->PublicKeyFingerprint(), custody::SpkiFingerprint(key_.PublicKey()));
  EXPECT_TRUE(provider->public_key().Equals(key_.PublicKey()));
  EXPECT_EQ(provider->token_label(), token_->label());
  EXPECT_EQ(provider->token_serial(), token_->serial());
  ExpectRoundTrip(*provider, *provider);
  EXPECT_TRUE(provider->Check().ok());

  // What the token decrypted was really made for this key: OpenSSL agrees.
  auto data_key = RandomSecret(32);
  ASSERT_TRUE(data_key.ok());
  auto wrapped = key_.PublicKey().EncryptOaepSha1(data_key->span());
  ASSERT_TRUE(wrapped.ok());
  auto unwrapped = provider->Unwrap(*wrapped);
  ASSERT_TRUE(unwrapped.ok()) << unwrapped.status().ToString();
  EXPECT_TRUE(unwrapped->Equals(data_key->span()));
}

TEST_F(Pkcs11RsaKeyProviderTest, InteroperatesWithTheFileProviderHoldingTheSameKey) {
  // The key file's key, imported into the token, as an operator moving to an HSM would.
  const std::string path = token_->dir().File("key.pem");
  ASSERT_TRUE(custody::CreateKeyFile(path, custody::KeyFileFormat::kPemPkcs8, nullptr).ok());
  auto file = custody::FileRsaKeyProvider::Load(path, nullptr);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  std::ostringstream pem;
  pem << std::ifstream(path).rdbuf();
  auto file_key = RsaPrivateKey::FromPem(pem.str());
  ASSERT_TRUE(file_key.ok());
  ASSERT_TRUE(token_->ImportKey(*file_key, "from-file", {}).ok());

  auto hsm = Open(token_->Settings("from-file"));
  ASSERT_NE(hsm, nullptr);
  EXPECT_EQ(hsm->PublicKeyFingerprint(), (*file)->PublicKeyFingerprint());
  ExpectRoundTrip(**file, *hsm);
  ExpectRoundTrip(*hsm, **file);
}

TEST_F(Pkcs11RsaKeyProviderTest, FindsTheKeyByIdOrByLabel) {
  const RsaPrivateKey other = NewKey();
  ASSERT_TRUE(token_->ImportKey(other, "other-key", {0x0a, 0x0b, 0x0c}).ok());

  custody::Pkcs11Settings by_id = token_->Settings("");
  by_id.key_id = std::vector<std::uint8_t>{0x0a, 0x0b, 0x0c};
  auto other_provider = Open(by_id);
  ASSERT_NE(other_provider, nullptr);
  EXPECT_EQ(other_provider->PublicKeyFingerprint(), custody::SpkiFingerprint(other.PublicKey()));

  // The id wins over the label, as in the reference.
  custody::Pkcs11Settings both = token_->Settings("other-key");
  both.key_id = std::vector<std::uint8_t>{0x01, 0x02};
  auto first = Open(both);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->PublicKeyFingerprint(), custody::SpkiFingerprint(key_.PublicKey()));

  auto by_label = Open(token_->Settings("other-key"));
  ASSERT_NE(by_label, nullptr);
  EXPECT_EQ(by_label->PublicKeyFingerprint(), custody::SpkiFingerprint(other.PublicKey()));

  // The token by label instead of serial number.
  custody::Pkcs11Settings token_by_label = token_->Settings("kc-key");
  token_by_label.token_serial.clear();
  token_by_label.token_label = token_->label();
  auto labelled = Open(token_by_label);
  ASSERT_NE(labelled, nullptr);
  EXPECT_EQ(labelled->PublicKeyFingerprint(), custody::SpkiFingerprint(key_.PublicKey()));
}

TEST_F(Pkcs11RsaKeyProviderTest, TheReferenceSettingsFindAKeyByItsNumericId) {
  // The reference's pkcs11PrivateKeyId=258 is CKA_ID 02 01 00 00 00 00 00 00.
  const RsaPrivateKey numbered = NewKey();
  ASSERT_TRUE(token_->ImportKey(numbered, "numbered", {0x02, 0x01, 0, 0, 0, 0, 0, 0}).ok());
  const std::vector<std::pair<std::string, std::string>> reference_env = {
      {"keyConnectorSettings__identityServerUri", "https://id.example.com"},
      {"keyConnectorSettings__rsaKey__provider", "pkcs11"},
      {"keyConnectorSettings__rsaKey__pkcs11Provider", "SoftHSM"},
      {"keyConnectorSettings__rsaKey__pkcs11SlotTokenSerialNumber", token_->serial()},
      {"keyConnectorSettings__rsaKey__pkcs11LoginUserType", "user"},
      {"keyConnectorSettings__rsaKey__pkcs11LoginPin", token_->user_pin()},
      {"keyConnectorSettings__rsaKey__pkcs11PrivateKeyId", "258"}};
  auto config = connector::LoadConnectorConfig(std::nullopt, reference_env);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  auto provider = custody::OpenRsaKeyProvider(config->rsa_key);
  ASSERT_TRUE(provider.ok()) << provider.status().ToString();
  EXPECT_EQ((*provider)->PublicKeyFingerprint(), custody::SpkiFingerprint(numbered.PublicKey()));
  ExpectRoundTrip(**provider, **provider);
}

TEST_F(Pkcs11RsaKeyProviderTest, AWrongPinIsAClearStartUpErrorNamingItsSetting) {
  custody::Pkcs11Settings settings = token_->Settings("kc-key");
  const std::string wrong = "kw-Wrong-Pin-9931";
  settings.pin = SecureBuffer::CopyOf(std::string_view(wrong));
  settings.pin_setting = "keyConnectorSettings__rsaKey__pkcs11LoginPin";
  auto provider = custody::Pkcs11RsaKeyProvider::Open(settings);
  ASSERT_FALSE(provider.ok());
  ExpectClearError(
      provider.status(), ErrorCode::kInvalidArgument,
      "wrong PIN for PKCS#11 token '" + token_->label() + "' (keyConnectorSettings__rsaKey__pkcs11LoginPin)", *token_);
  EXPECT_EQ(provider.status().message().find(wrong), std::string::npos);
  // The right PIN still works: nothing was locked or left logged in half-way.
  EXPECT_NE(Open(token_->Settings("kc-key")), nullptr);
}

TEST_F(Pkcs11RsaKeyProviderTest, MissingModuleTokenOrKeyAreClearErrors) {
  custody::Pkcs11Settings no_module = token_->Settings("kc-key");
  no_module.library = token_->dir().File("no-such-module.so");
  ExpectClearError(custody::Pkcs11RsaKeyProvider::Open(no_module).status(), ErrorCode::kUnavailable, "does not exist",
                   *token_);

  custody::Pkcs11Settings not_a_module = token_->Settings("kc-key");
  not_a_module.library = token_->conf_path();
  ExpectClearError(custody::Pkcs11RsaKeyProvider::Open(not_a_module).status(), ErrorCode::kUnavailable,
                   "cannot load PKCS#11 module", *token_);

  // A short name whose module is not installed here (the reference's yubihsm module never is).
  auto yubihsm = custody::Pkcs11ProviderModuleFor("yubihsm");
  ASSERT_TRUE(yubihsm.ok());
  if (::access(yubihsm->path.c_str(), F_OK) != 0) {
    custody::Pkcs11Settings by_name = token_->Settings("kc-key");
    by_name.library.clear();
    by_name.provider_name = "yubihsm";
    ExpectClearError(custody::Pkcs11RsaKeyProvider::Open(by_name).status(), ErrorCode::kUnavailable,
                     "the PKCS#11 module of provider 'yubihsm' is not installed (" + yubihsm->path + ")", *token_);
  }

  custody::Pkcs11Settings wrong_serial = token_->Settings("kc-key");
  wrong_serial.token_serial = "0000000000000bad";
  ExpectClearError(custody::Pkcs11RsaKeyProvider::Open(wrong_serial).status(), ErrorCode::kNotFound,
                   "no PKCS#11 token with serial number '0000000000000bad'", *token_);
  // ...and says which tokens there are.
  EXPECT_NE(
      custody::Pkcs11RsaKeyProvider::Open(wrong_serial).status().message().find("serial '" + token_->serial() + "'"),
      std::string::npos);

  custody::Pkcs11Settings wrong_label = token_->Settings("kc-key");
  wrong_label.token_serial.clear();
  wrong_label.token_label = "not-this-one";
  ExpectClearError(custody::Pkcs11RsaKeyProvider::Open(wrong_label).status(), ErrorCode::kNotFound,
                   "no PKCS#11 token with label 'not-this-one'", *token_);

  ExpectClearError(
      custody::Pkcs11RsaKeyProvider::Open(token_->Settings("no-such-key")).status(), ErrorCode::kNotFound,
      "no private key with label 'no-such-key' on PKCS#11 token '" + token_->label() + "' (rsa_key.pkcs11_key_label)",
      *token_);
  custody::Pkcs11Settings wrong_id = token_->Settings("");
  wrong_id.key_id = std::vector<std::uint8_t>{0xff};
  ExpectClearError(custody::Pkcs11RsaKeyProvider::Open(wrong_id).status(), ErrorCode::kNotFound,
                   "no private key with id ff", *token_);

  // Private keys are invisible to the security officer: the error says so.
  custody::Pkcs11Settings so = token_->Settings("kc-key");
  so.user_type = custody::Pkcs11Settings::UserType::kSo;
  so.pin = SecureBuffer::CopyOf(std::string_view(token_->so_pin()));
  const Status as_so = custody::Pkcs11RsaKeyProvider::Open(so).status();
  ExpectClearError(as_so, ErrorCode::kNotFound, "log in as user", *token_);
  EXPECT_EQ(as_so.message().find(token_->so_pin()), std::string::npos);
}

TEST_F(Pkcs11RsaKeyProviderTest, TwoKeysOfOneNameAreRefused) {
  ASSERT_TRUE(token_->ImportKey(NewKey(), "kc-key", {0x07}).ok());
  ExpectClearError(custody::Pkcs11RsaKeyProvider::Open(token_->Settings("kc-key")).status(),
                   ErrorCode::kInvalidArgument, "more than one private key with label 'kc-key'", *token_);
}

TEST_F(Pkcs11RsaKeyProviderTest, ForeignOrDamagedCiphertextsFailAsAuthenticationFailures) {
  auto provider = Open(token_->Settings("kc-key"));
  ASSERT_NE(provider, nullptr);
  auto data_key = RandomSecret(32);
  ASSERT_TRUE(data_key.ok());
  auto foreign = NewKey().PublicKey().EncryptOaepSha1(data_key->span());
  ASSERT_TRUE(foreign.ok());
  auto wrapped = provider->Wrap(data_key->span());
  ASSERT_TRUE(wrapped.ok());
  std::vector<std::uint8_t> flipped = *wrapped;
  flipped[100] ^= 0x01;
  std::vector<std::uint8_t> short_one(wrapped->begin(), wrapped->end() - 1);
  for (const auto& bad : {*foreign, flipped, short_one, std::vector<std::uint8_t>()}) {
    auto result = provider->Unwrap(bad);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), ErrorCode::kAuthenticationFailed) << result.status().ToString();
    EXPECT_EQ(result.status().message(), "decryption failed");
  }
  // The sessions are still good.
  ExpectRoundTrip(*provider, *provider);
}

TEST_F(Pkcs11RsaKeyProviderTest, KeysThatDemandThePinForEachUseGetIt) {
  const RsaPrivateKey guarded = NewKey();
  SoftHsmToken::ImportOptions options;
  options.always_authenticate = true;
  ASSERT_TRUE(token_->ImportKey(guarded, "guarded", {0x33}, options).ok());
  for (auto type : {custody::Pkcs11Settings::UserType::kUser, custody::Pkcs11Settings::UserType::kContextSpecific}) {
    custody::Pkcs11Settings settings = token_->Settings("guarded");
    settings.user_type = type;
    auto provider = Open(settings);
    ASSERT_NE(provider, nullptr);
    for (int i = 0; i < 3; ++i) ExpectRoundTrip(*provider, *provider);
  }
}

TEST_F(Pkcs11RsaKeyProviderTest, ReadsThePublicExponentFromThePublicKeyObjectWhenNeeded) {
  const RsaPrivateKey split = NewKey();
  SoftHsmToken::ImportOptions options;
  options.exponent_on_public_key_only = true;
  ASSERT_TRUE(token_->ImportKey(split, "split", {0x44}, options).ok());
  auto provider = Open(token_->Settings("split"));
  ASSERT_NE(provider, nullptr);
  EXPECT_EQ(provider->PublicKeyFingerprint(), custody::SpkiFingerprint(split.PublicKey()));
  // Wrapping uses that public key. (SoftHSM2 itself cannot decrypt with a private key stored
  // without its exponent, so the unwrapping here is the key's own.)
  auto data_key = RandomSecret(32);
  ASSERT_TRUE(data_key.ok());
  auto wrapped = provider->Wrap(data_key->span());
  ASSERT_TRUE(wrapped.ok());
  auto unwrapped = split.DecryptOaep(*wrapped, RsaPrivateKey::OaepHash::kSha1);
  ASSERT_TRUE(unwrapped.ok());
  EXPECT_TRUE(unwrapped->Equals(data_key->span()));
}

TEST_F(Pkcs11RsaKeyProviderTest, ATokenResetMidRunIsFollowedByANewLogin) {
  auto provider = Open(token_->Settings("kc-key"));
  ASSERT_NE(provider, nullptr);
  ExpectRoundTrip(*provider, *provider);
  for (int reset = 0; reset < 3; ++reset) {
    ASSERT_TRUE(token_->Reset().ok());
    // Every session of the process is gone, and with them the login: the next call reconnects.
    ExpectRoundTrip(*provider, *provider);
    ASSERT_TRUE(token_->Reset().ok());
    EXPECT_TRUE(provider->Check().ok());
  }
}

// Lets calls through, or holds new ones back and waits for those in flight, so that the token can
// be reset between calls: PKCS#11 leaves closing a session that another thread is using undefined
// (SoftHSM2 crashes), so a test may not do it; a real token reset is the module's to handle.
// Neither wait is unbounded: after kPatience the test fails, naming what it waited for.
class CallGate {
 public:
  static constexpr auto kPatience = std::chrono::seconds(30);

  void Enter() {
    std::unique_lock lock(mutex_);
    if (!changed_.wait_for(lock, kPatience, [&] { return !closed_; })) {
      ADD_FAILURE() << "a call waited 30 s for the gate to open again after a token reset";
    }
    ++inside_;
  }
  void Leave() {
    std::lock_guard lock(mutex_);
    --inside_;
    changed_.notify_all();
  }
  // False when the calls in flight did not all finish within kPatience (the gate stays closed).
  [[nodiscard]] bool CloseAndDrain() {
    std::unique_lock lock(mutex_);
    closed_ = true;
    return changed_.wait_for(lock, kPatience, [&] { return inside_ == 0; });
  }
  void Open() {
    std::lock_guard lock(mutex_);
    closed_ = false;
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool closed_ = false;
  int inside_ = 0;
};

TEST_F(Pkcs11RsaKeyProviderTest, ManyThreadsShareASmallPoolThroughResets) {
  custody::Pkcs11Settings settings = token_->Settings("kc-key");
  settings.sessions = 2;
  auto provider = Open(settings);
  ASSERT_NE(provider, nullptr);
  auto data_key = RandomSecret(32);
  ASSERT_TRUE(data_key.ok());
  auto wrapped = provider->Wrap(data_key->span());
  ASSERT_TRUE(wrapped.ok());

  constexpr int kThreads = 8;
  constexpr int kUnwrapsPerThread = 30;
  std::atomic<int> failures{0};
  std::atomic<int> finished{0};
  std::atomic<bool> over_bound{false};
  CallGate gate;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kUnwrapsPerThread; ++i) {
        gate.Enter();
        auto unwrapped = provider->Unwrap(*wrapped);
        if (!unwrapped.ok() || !unwrapped->Equals(data_key->span())) ++failures;
        if (provider->open_sessions() > 2) over_bound = true;
        gate.Leave();
      }
      ++finished;
    });
  }
  // Each reset leaves every pooled session dead and the process logged out; the threads then
  // meet that all at once.
  int resets = 0;
  while (finished.load() < kThreads && resets < 5) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (!gate.CloseAndDrain()) {
      // Resetting now would close sessions in use; let the threads go and fail instead.
      ADD_FAILURE() << "calls in flight did not finish within 30 s of closing the gate (reset " << resets << ")";
      gate.Open();
      break;
    }
    const Status reset = token_->Reset();
    gate.Open();
    EXPECT_TRUE(reset.ok()) << reset.ToString();
    ++resets;
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_FALSE(over_bound.load());
  EXPECT_GE(resets, 1);
  EXPECT_LE(provider->open_sessions(), 2u);
}

}  // namespace
}  // namespace keywarden::custody
