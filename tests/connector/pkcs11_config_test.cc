// The pkcs11 RSA key provider's settings: our TOML and KEYWARDEN_* names and the reference's
// keyConnectorSettings__rsaKey__pkcs11* variables, and the checks made before anything starts.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "connector/config/connector_config.h"
#include "support/temp_dir.h"

namespace keywarden::connector {
namespace {

using Env = std::vector<std::pair<std::string, std::string>>;
using keywarden::testing::TempDir;

constexpr char kPin[] = "Pkcs11-Pin-Never-Shown-5521";

class Pkcs11ConfigTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_.File(name);
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  Result<ConnectorConfig> LoadWith(Env env, std::optional<std::string> toml = std::nullopt) {
    env.insert(env.begin(), {"KEYWARDEN_IDENTITY_SERVER_URI", "https://identity.example.com"});
    return LoadConnectorConfig(toml, env);
  }

  // A complete pkcs11 setup through our variables, with `changes` applied (an empty value removes).
  Env OurEnv(const Env& changes = {}) {
    Env env = {{"KEYWARDEN_RSA_KEY_PROVIDER", "pkcs11"},
               {"KEYWARDEN_RSA_KEY_PKCS11_LIBRARY", "/usr/lib/softhsm/libsofthsm2.so"},
               {"KEYWARDEN_RSA_KEY_PKCS11_TOKEN_LABEL", "connector"},
               {"KEYWARDEN_RSA_KEY_PKCS11_KEY_LABEL", "wrapping-key"},
               {"KEYWARDEN_RSA_KEY_PKCS11_PIN", kPin}};
    for (const auto& change : changes) {
      std::erase_if(env, [&](const auto& entry) { return entry.first == change.first; });
      if (!change.second.empty()) env.push_back(change);
    }
    return env;
  }

  std::string ErrorOf(const Result<ConnectorConfig>& result) {
    EXPECT_FALSE(result.ok());
    if (result.ok()) return "";
    EXPECT_EQ(result.status().message().find(kPin), std::string::npos) << result.status().message();
    return result.status().message();
  }

  TempDir dir_;
};

TEST_F(Pkcs11ConfigTest, TheReferenceVariablesConfigureTheProvider) {
  auto config = LoadWith({{"keyConnectorSettings__rsaKey__provider", "PKCS11"},
                          {"keyConnectorSettings__rsaKey__pkcs11Provider", "YubiHSM"},
                          {"keyConnectorSettings__rsaKey__pkcs11SlotTokenSerialNumber", "0123456789ABCDEF"},
                          {"keyConnectorSettings__rsaKey__pkcs11LoginUserType", "so"},
                          {"keyConnectorSettings__rsaKey__pkcs11LoginPin", kPin},
                          {"keyConnectorSettings__rsaKey__pkcs11PrivateKeyLabel", "bitwarden"},
                          {"keyconnectorsettings__rsakey__pkcs11privatekeyid", "258"}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const custody::Pkcs11Settings& pkcs11 = config->rsa_key.pkcs11;
  EXPECT_EQ(config->rsa_key.provider, custody::RsaKeySettings::Provider::kPkcs11);
  EXPECT_EQ(pkcs11.provider_name, "yubihsm");
  EXPECT_EQ(pkcs11.library, "");
  EXPECT_EQ(pkcs11.token_serial, "0123456789ABCDEF");
  EXPECT_EQ(pkcs11.user_type, custody::Pkcs11Settings::UserType::kSo);
  ASSERT_TRUE(pkcs11.pin.has_value());
  EXPECT_EQ(pkcs11.pin->view(), kPin);
  EXPECT_EQ(pkcs11.pin_setting, "keyConnectorSettings__rsaKey__pkcs11LoginPin");
  EXPECT_EQ(pkcs11.key_label, "bitwarden");
  // A CK_ULONG as the reference's PKCS#11 library puts it in CKA_ID: 8 bytes, little-endian.
  EXPECT_EQ(pkcs11.key_id, (std::vector<std::uint8_t>{0x02, 0x01, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(pkcs11.sessions, 4u);

  auto library = LoadWith({{"keyConnectorSettings__rsaKey__provider", "pkcs11"},
                           {"keyConnectorSettings__rsaKey__pkcs11LibraryPath", "/opt/hsm/libcknfast.so"},
                           {"keyConnectorSettings__rsaKey__pkcs11SlotTokenSerialNumber", "1"},
                           {"keyConnectorSettings__rsaKey__pkcs11LoginPin", kPin},
                           {"keyConnectorSettings__rsaKey__pkcs11LoginUserType", "context_specific"},
                           {"keyConnectorSettings__rsaKey__pkcs11PrivateKeyLabel", "bitwarden"}});
  ASSERT_TRUE(library.ok()) << library.status().ToString();
  EXPECT_EQ(library->rsa_key.pkcs11.library, "/opt/hsm/libcknfast.so");
  EXPECT_EQ(library->rsa_key.pkcs11.user_type, custody::Pkcs11Settings::UserType::kContextSpecific);
  EXPECT_FALSE(library->rsa_key.pkcs11.key_id.has_value());
}

TEST_F(Pkcs11ConfigTest, OurTomlAndVariablesConfigureTheProvider) {
  const std::string pin_file = Write("pin", std::string(kPin) + "\n");
  const std::string toml = Write("c.toml",
                                 "[rsa_key]\nprovider = \"pkcs11\"\npkcs11_provider = \"softhsm\"\n"
                                 "pkcs11_token_label = \"connector\"\npkcs11_key_id = \"01A2ff\"\n"
                                 "pkcs11_pin_file = \"" +
                                     pin_file +
                                     "\"\npkcs11_sessions = 8\n"
                                     "pkcs11_user_type = \"user\"\n");
  auto config = LoadWith({}, toml);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const custody::Pkcs11Settings& pkcs11 = config->rsa_key.pkcs11;
  EXPECT_EQ(pkcs11.provider_name, "softhsm");
  EXPECT_EQ(pkcs11.token_label, "connector");
  EXPECT_EQ(pkcs11.key_id, (std::vector<std::uint8_t>{0x01, 0xa2, 0xff}));
  ASSERT_TRUE(pkcs11.pin.has_value());
  EXPECT_EQ(pkcs11.pin->view(), kPin);  // one trailing newline dropped
  EXPECT_NE(pkcs11.pin_setting.find(pin_file), std::string::npos);
  EXPECT_EQ(pkcs11.sessions, 8u);

  // The environment overrides the file.
  auto overridden = LoadWith({{"KEYWARDEN_RSA_KEY_PKCS11_SESSIONS", "2"},
                              {"KEYWARDEN_RSA_KEY_PKCS11_TOKEN_SERIAL", "abc"},
                              {"KEYWARDEN_RSA_KEY_PKCS11_LIBRARY", "/opt/hsm/lib.so"}},
                             toml);
  ASSERT_TRUE(overridden.ok()) << overridden.status().ToString();
  EXPECT_EQ(overridden->rsa_key.pkcs11.sessions, 2u);
  EXPECT_EQ(overridden->rsa_key.pkcs11.token_serial, "abc");
  EXPECT_EQ(overridden->rsa_key.pkcs11.library, "/opt/hsm/lib.so");

  auto ours = LoadWith(OurEnv());
  ASSERT_TRUE(ours.ok()) << ours.status().ToString();
  EXPECT_EQ(ours->rsa_key.pkcs11.pin_setting, "KEYWARDEN_RSA_KEY_PKCS11_PIN");

  // The description names the key and token, never the PIN.
  const std::string described = DescribeConfig(*ours);
  EXPECT_NE(described.find("rsa key: pkcs11 module /usr/lib/softhsm/libsofthsm2.so, token labelled 'connector', "
                           "key labelled 'wrapping-key', login user with PIN (set), 4 sessions"),
            std::string::npos)
      << described;
  EXPECT_EQ(described.find(kPin), std::string::npos);
}

TEST_F(Pkcs11ConfigTest, WhatIsMissingIsNamed) {
  EXPECT_NE(ErrorOf(LoadWith(OurEnv({{"KEYWARDEN_RSA_KEY_PKCS11_LIBRARY", ""}})))
                .find("needs its module: set rsa_key.pkcs11_library (keyConnectorSettings__rsaKey__pkcs11LibraryPath)"),
            std::string::npos);
  EXPECT_NE(ErrorOf(LoadWith(OurEnv({{"KEYWARDEN_RSA_KEY_PKCS11_TOKEN_LABEL", ""}})))
                .find("needs the token: set rsa_key.pkcs11_token_serial"),
            std::string::npos);
  EXPECT_NE(ErrorOf(LoadWith(OurEnv({{"KEYWARDEN_RSA_KEY_PKCS11_KEY_LABEL", ""}})))
                .find("needs the private key: set rsa_key.pkcs11_key_label"),
            std::string::npos);
  EXPECT_NE(ErrorOf(LoadWith(OurEnv({{"KEYWARDEN_RSA_KEY_PKCS11_PIN", ""}})))
                .find("needs a PIN: set rsa_key.pkcs11_pin (keyConnectorSettings__rsaKey__pkcs11LoginPin)"),
            std::string::npos);
}

TEST_F(Pkcs11ConfigTest, MalformedValuesAreNamedWithoutThePin) {
  const std::string pin_file = Write("pin", kPin);
  EXPECT_EQ(ErrorOf(LoadWith(OurEnv({{"KEYWARDEN_RSA_KEY_PKCS11_PIN_FILE", pin_file}}))),
            "KEYWARDEN_RSA_KEY_PKCS11_PIN and KEYWARDEN_RSA_KEY_PKCS11_PIN_FILE are both set: set one");
  EXPECT_NE(ErrorOf(LoadWith(OurEnv({{"KEYWARDEN_RSA_KEY_PKCS11_PIN", ""},
                                     {"KEYWARDEN_RSA_KEY_PKCS11_PIN_FILE", dir_.File("missing")}})))
                .find("cannot read KEYWARDEN_RSA_KEY_PKCS11_PIN_FILE"),
            std::string::npos);
  EXPECT_EQ(ErrorOf(LoadWith(OurEnv({{"KEYWARDEN_RSA_KEY_PKCS11_USER_TYPE", "admin"}}))),
            "KEYWARDEN_RSA_KEY_PKCS11_USER_TYPE must be \"user\", \"so\" or \"context_specific\"");
  for (const char* bad : {"1", "0g", "01 02", "0x01"}) {
    EXPECT_NE(ErrorOf(LoadWith(OurEnv({{"KEYWARDEN_RSA_KEY_PKCS11_KEY_ID", bad}})))
                  .find("KEYWARDEN_RSA_KEY_PKCS11_KEY_ID must be the key's CKA_ID in hex"),
              std::string::npos)
        << bad;
  }
  EXPECT_EQ(ErrorOf(LoadWith(OurEnv({{"keyConnectorSettings__rsaKey__pkcs11PrivateKeyId", "-1"}}))),
            "keyConnectorSettings__rsaKey__pkcs11PrivateKeyId must be an integer from 0 to 18446744073709551615");
  EXPECT_EQ(ErrorOf(LoadWith(OurEnv({{"KEYWARDEN_RSA_KEY_PKCS11_SESSIONS", "0"}}))),
            "KEYWARDEN_RSA_KEY_PKCS11_SESSIONS must be an integer from 1 to 64");
  EXPECT_EQ(ErrorOf(LoadWith(OurEnv({{"keyConnectorSettings__rsaKey__pkcs11Provider", "thales"}}))),
            "keyConnectorSettings__rsaKey__pkcs11Provider: unknown PKCS#11 provider 'thales' (known: yubihsm, opensc, "
            "softhsm; or set the module's path)");
  const std::string empty_pin = Write("empty", "\n");
  EXPECT_NE(ErrorOf(LoadWith(OurEnv(
                        {{"KEYWARDEN_RSA_KEY_PKCS11_PIN", ""}, {"KEYWARDEN_RSA_KEY_PKCS11_PIN_FILE", empty_pin}})))
                .find("is empty"),
            std::string::npos);
}

TEST_F(Pkcs11ConfigTest, Pkcs11SettingsWithAnotherProviderAreRefused) {
  // Left alone they would be ignored, and the connector would quietly look for a key file.
  EXPECT_EQ(ErrorOf(LoadWith({{"keyConnectorSettings__rsaKey__provider", "certificate"},
                              {"keyConnectorSettings__rsaKey__pkcs11LoginPin", kPin}})),
            "keyConnectorSettings__rsaKey__pkcs11LoginPin is set but the RSA key provider is 'file': set "
            "keyConnectorSettings__rsaKey__provider to pkcs11, or remove the setting");
  EXPECT_NE(ErrorOf(LoadWith({{"KEYWARDEN_RSA_KEY_PKCS11_TOKEN_LABEL", "x"}})).find("is set but the RSA key provider"),
            std::string::npos);
}

}  // namespace
}  // namespace keywarden::connector
