// `keywarden connector init --pkcs11` and `check`, run as processes against a SoftHSM2 token made
// for each test (the child finds it through SOFTHSM2_CONF, inherited from this process).
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "custody/pkcs11/pkcs11_rsa_key_provider.h"
#include "e2e/cli_runner.h"
#include "support/softhsm_token.h"

namespace keywarden::testing {
namespace {

// One line on stderr, nothing on stdout.
void ExpectFailure(const CliResult& r, int exit_code, std::string_view fragment) {
  EXPECT_EQ(r.exit_code, exit_code) << r.err;
  EXPECT_EQ(r.out, "");
  ASSERT_FALSE(r.err.empty());
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
  EXPECT_NE(r.err.find(fragment), std::string::npos) << r.err;
}

class CliConnectorInitPkcs11 : public ::testing::Test {
 protected:
  void SetUp() override {
    KW_SOFTHSM_TOKEN_OR_SKIP(token_);
    pin_file_ = token_->dir().File("pin");
    std::ofstream(pin_file_) << token_->user_pin() << "\n";
  }

  // A configuration for `serve` with the key on the token, labelled `key_label`.
  std::string WriteConfig(const std::string& key_label, const std::string& extra = "") {
    const std::string path = token_->dir().File("connector.toml");
    std::ofstream(path) << "identity_server_uri = \"http://127.0.0.1:9\"\n"
                        << "[database]\nsqlite_path = \"" << token_->dir().File("connector.db") << "\"\n"
                        << "[rsa_key]\nprovider = \"pkcs11\"\npkcs11_provider = \"softhsm\"\n"
                        << "pkcs11_token_serial = \"" << token_->serial() << "\"\n"
                        << "pkcs11_key_label = \"" << key_label << "\"\n"
                        << "pkcs11_pin_file = \"" << pin_file_ << "\"\n"
                        << extra;
    return path;
  }

  std::unique_ptr<SoftHsmToken> token_;
  std::string pin_file_;
};

TEST_F(CliConnectorInitPkcs11, GeneratesANonExtractableKeyPairAndRefusesASecondOne) {
  const std::string config = WriteConfig("connector-key", "pkcs11_key_id = \"c0ffee\"\n");
  const auto out = RunOk({"connector", "init", "--pkcs11", "--config", config});
  EXPECT_EQ(out.value("token_label", ""), token_->label());
  EXPECT_EQ(out.value("token_serial", ""), token_->serial());
  EXPECT_EQ(out.value("key_label", ""), "connector-key");
  EXPECT_EQ(out.value("key_id", ""), "c0ffee");
  const std::string fingerprint = out.value("fingerprint", "");
  EXPECT_EQ(fingerprint.size(), 64u);

  // The token's own word on the new private key: it can never leave the token.
  auto extractable = token_->PrivateKeyFlag("connector-key", CKA_EXTRACTABLE);
  ASSERT_TRUE(extractable.ok()) << extractable.status().ToString();
  EXPECT_FALSE(*extractable);
  auto sensitive = token_->PrivateKeyFlag("connector-key", CKA_SENSITIVE);
  ASSERT_TRUE(sensitive.ok());
  EXPECT_TRUE(*sensitive);
  auto never_extractable = token_->PrivateKeyFlag("connector-key", CKA_NEVER_EXTRACTABLE);
  ASSERT_TRUE(never_extractable.ok());
  EXPECT_TRUE(*never_extractable);
  EXPECT_EQ(token_->CountObjects("connector-key").value(), 2u);  // the private and the public key

  // The provider the service would open finds it and reports the same fingerprint.
  custody::Pkcs11Settings settings = token_->Settings("connector-key");
  auto provider = custody::Pkcs11RsaKeyProvider::Open(settings);
  ASSERT_TRUE(provider.ok()) << provider.status().ToString();
  EXPECT_EQ((*provider)->PublicKeyFingerprint(), fingerprint);
  provider->reset();

  ExpectFailure(RunCli({"connector", "init", "--pkcs11", "--config", config}), 1,
                "already holds a key with label 'connector-key'; refusing to create another");
  EXPECT_EQ(token_->CountObjects("connector-key").value(), 2u);
  // Another label but the same id is refused as well.
  ExpectFailure(
      RunCli({"connector", "init", "--pkcs11", "--config", WriteConfig("other-label", "pkcs11_key_id = \"c0ffee\"\n")}),
      1, "already holds a key with id c0ffee");
  EXPECT_EQ(token_->CountObjects("other-label").value(), 0u);
}

TEST_F(CliConnectorInitPkcs11, ChecksTheKeyOnTheToken) {
  const std::string config = WriteConfig("checked");
  const auto init = RunOk({"connector", "init", "--pkcs11", "--config", config});
  EXPECT_EQ(init.value("key_id", "").size(), 32u);  // none configured: 16 random bytes
  const CliResult check = RunCli({"connector", "check", "--config", config});
  const auto json = nlohmann::json::parse(check.out, nullptr, false);
  ASSERT_TRUE(json.is_object()) << check.out << check.err;
  EXPECT_EQ(json.value("key_provider", ""), "ok") << check.out;
  EXPECT_EQ(json.value("key_fingerprint", ""), init.value("fingerprint", ""));
}

TEST_F(CliConnectorInitPkcs11, AWrongPinFailsInOneLineWithoutThePin) {
  std::ofstream(pin_file_) << "kw-Not-The-Pin-1234\n";
  const CliResult r = RunCli({"connector", "init", "--pkcs11", "--config", WriteConfig("k")});
  ExpectFailure(r, 2, "wrong PIN for PKCS#11 token '" + token_->label() + "' (rsa_key.pkcs11_pin_file");
  EXPECT_EQ(r.err.find("kw-Not-The-Pin-1234"), std::string::npos);
  EXPECT_EQ(r.err.find(token_->user_pin()), std::string::npos);
}

TEST_F(CliConnectorInitPkcs11, NeedsThePkcs11ProviderAndNoKeyFileFlags) {
  const std::string file_config = token_->dir().File("file.toml");
  std::ofstream(file_config) << "identity_server_uri = \"http://127.0.0.1:9\"\n";
  ExpectFailure(RunCli({"connector", "init", "--pkcs11", "--config", file_config}), 2,
                "--pkcs11 needs rsa_key.provider = \"pkcs11\"");
  EXPECT_EQ(RunCli({"connector", "init", "--pkcs11", "--key-file", token_->dir().File("k.pem")}).exit_code, 2);
  EXPECT_EQ(RunCli({"connector", "init"}).exit_code, 2);
  ExpectFailure(RunCli({"connector", "init", "--pkcs11", "--config", token_->dir().File("missing.toml")}), 2,
                "configuration: ");
}

}  // namespace
}  // namespace keywarden::testing
