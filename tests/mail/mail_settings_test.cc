// The [mail] section through the configuration engine: names, defaults, types, the secret, and
// the checks across settings.
#include "mail/mail_settings.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "config/settings.h"
#include "config/sources.h"
#include "mail/mail_sender.h"
#include "mail/smtp_sender.h"
#include "support/temp_dir.h"

namespace keywarden::mail {
namespace {

using keywarden::testing::TempDir;

struct ServiceConfig {
  MailSettings mail;
};

const config::SettingTable<ServiceConfig>& Table() {
  static const config::SettingTable<ServiceConfig> table = [] {
    config::SettingTable<ServiceConfig> t;
    t.Add(MailRows(), &ServiceConfig::mail);
    return t;
  }();
  return table;
}

Result<MailSettings> Load(const std::optional<std::string>& toml, const config::Environment& environment = {}) {
  config::RawSettings raw;
  if (toml.has_value()) KW_RETURN_IF_ERROR(config::ReadTomlFile(*toml, Table().Keys(), raw));
  KW_RETURN_IF_ERROR(config::ReadKeywardenEnvironment(environment, Table().Keys(), {}, raw));
  ServiceConfig config;
  KW_RETURN_IF_ERROR(Table().Apply(raw, config));
  return config.mail;
}

TEST(MailSettingsTest, DefaultsMeanNoMail) {
  auto settings = Load(std::nullopt);
  ASSERT_TRUE(settings.ok()) << settings.status().ToString();
  EXPECT_FALSE(settings->enabled());
  EXPECT_EQ(settings->port, 587);
  EXPECT_EQ(settings->security, MailSettings::Security::kStartTls);
  EXPECT_EQ(settings->from_name, "Keywarden");
  EXPECT_EQ(settings->timeout_seconds, 30u);
  EXPECT_TRUE(CheckMail(*settings).ok());
  auto sender = OpenSmtpSender(*settings);
  ASSERT_FALSE(sender.ok());
  EXPECT_EQ(sender.status().code(), MailNotConfigured().code());
  EXPECT_NE(sender.status().message().find("mail is not configured"), std::string::npos);
}

TEST(MailSettingsTest, EverySettingFromToml) {
  TempDir dir;
  const std::string path = dir.Write("server.toml",
                                     "[mail]\n"
                                     "host = \"smtp.example.com\"\n"
                                     "port = 465\n"
                                     "security = \"TLS\"\n"
                                     "username = \"keywarden\"\n"
                                     "password = \"s3cret-pass\"\n"
                                     "from = \"noreply@example.com\"\n"
                                     "from_name = \"Example Vault\"\n"
                                     "ca_file = \"/etc/ssl/private-ca.pem\"\n"
                                     "timeout_seconds = 12\n"
                                     "allow_plaintext = true\n");
  auto settings = Load(path);
  ASSERT_TRUE(settings.ok()) << settings.status().ToString();
  EXPECT_EQ(settings->host, "smtp.example.com");
  EXPECT_EQ(settings->port, 465);
  EXPECT_EQ(settings->security, MailSettings::Security::kTls);
  EXPECT_EQ(settings->username, "keywarden");
  EXPECT_EQ(settings->password, "s3cret-pass");
  EXPECT_EQ(settings->from_address, "noreply@example.com");
  EXPECT_EQ(settings->from_name, "Example Vault");
  EXPECT_EQ(settings->ca_file, "/etc/ssl/private-ca.pem");
  EXPECT_EQ(settings->timeout_seconds, 12u);
  EXPECT_TRUE(settings->allow_plaintext);
  EXPECT_TRUE(CheckMail(*settings).ok());
}

TEST(MailSettingsTest, EnvironmentNames) {
  auto settings = Load(std::nullopt, {{"KEYWARDEN_MAIL_HOST", "127.0.0.1"},
                                      {"KEYWARDEN_MAIL_PORT", "2525"},
                                      {"KEYWARDEN_MAIL_SECURITY", "none"},
                                      {"KEYWARDEN_MAIL_FROM", "vault@example.com"},
                                      {"KEYWARDEN_MAIL_ALLOW_PLAINTEXT", "false"}});
  ASSERT_TRUE(settings.ok()) << settings.status().ToString();
  EXPECT_EQ(settings->port, 2525);
  EXPECT_EQ(settings->security, MailSettings::Security::kNone);
  EXPECT_TRUE(CheckMail(*settings).ok()) << "plain SMTP to loopback is fine";
}

TEST(MailSettingsTest, BadValuesNameTheSettingNotTheValue) {
  struct Case {
    const char* variable;
    const char* value;
  };
  for (const Case& c : {Case{"KEYWARDEN_MAIL_SECURITY", "ssl-maybe"}, Case{"KEYWARDEN_MAIL_PORT", "0"},
                        Case{"KEYWARDEN_MAIL_PORT", "70000"}, Case{"KEYWARDEN_MAIL_HOST", "smtp example"},
                        Case{"KEYWARDEN_MAIL_TIMEOUT_SECONDS", "86400"}, Case{"KEYWARDEN_MAIL_FROM_NAME", "a\nBcc: b"},
                        Case{"KEYWARDEN_MAIL_ALLOW_PLAINTEXT", "yes"}}) {
    auto settings = Load(std::nullopt, {{c.variable, c.value}});
    ASSERT_FALSE(settings.ok()) << c.variable << "=" << c.value;
    EXPECT_EQ(settings.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(settings.status().message().find(c.variable), std::string::npos) << settings.status().message();
    EXPECT_EQ(settings.status().message().find(c.value), std::string::npos) << settings.status().message();
  }
}

TEST(MailSettingsTest, PasswordIsSecretAndNeverDescribed) {
  const std::string described = Table().Describe();
  const std::size_t line = described.find("mail.password, KEYWARDEN_MAIL_PASSWORD:");
  ASSERT_NE(line, std::string::npos) << described;
  EXPECT_NE(described.substr(line, described.find('\n', line) - line).find("(secret)"), std::string::npos);
  for (const char* key : {"mail.host", "mail.port", "mail.security", "mail.username", "mail.from", "mail.from_name",
                          "mail.ca_file", "mail.timeout_seconds", "mail.allow_plaintext"}) {
    EXPECT_NE(described.find(std::string(key) + ", "), std::string::npos) << key;
  }
}

MailSettings Configured() {
  MailSettings settings;
  settings.host = "smtp.example.com";
  settings.from_address = "noreply@example.com";
  return settings;
}

TEST(MailSettingsTest, ChecksAcrossSettings) {
  EXPECT_TRUE(CheckMail(Configured()).ok());

  MailSettings settings = Configured();
  settings.from_address.clear();
  EXPECT_NE(CheckMail(settings).message().find("mail.from is required"), std::string::npos);

  settings = Configured();
  settings.from_address = "noreply";
  EXPECT_EQ(CheckMail(settings).code(), ErrorCode::kInvalidArgument);

  settings = Configured();
  settings.password = "hunter22";
  EXPECT_NE(CheckMail(settings).message().find("mail.username is not"), std::string::npos);
  EXPECT_EQ(CheckMail(settings).message().find("hunter22"), std::string::npos);

  settings = Configured();
  settings.username = "keywarden";
  EXPECT_NE(CheckMail(settings).message().find("mail.password is not"), std::string::npos);

  settings = Configured();
  settings.security = MailSettings::Security::kNone;
  EXPECT_NE(CheckMail(settings).message().find("mail.allow_plaintext"), std::string::npos);
  settings.allow_plaintext = true;
  EXPECT_TRUE(CheckMail(settings).ok());
  settings.ca_file = "/etc/ssl/ca.pem";
  EXPECT_NE(CheckMail(settings).message().find("mail.ca_file"), std::string::npos);

  for (const char* loopback : {"localhost", "127.0.0.1", "::1"}) {
    settings = Configured();
    settings.host = loopback;
    settings.security = MailSettings::Security::kNone;
    EXPECT_TRUE(CheckMail(settings).ok()) << loopback;
  }
}

TEST(MailSettingsTest, UnreadableCaFileIsRefusedAtOpen) {
  MailSettings settings = Configured();
  settings.ca_file = "/nonexistent/ca.pem";
  auto sender = OpenSmtpSender(settings);
  ASSERT_FALSE(sender.ok());
  EXPECT_EQ(sender.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(sender.status().message().find("mail.ca_file"), std::string::npos);
}

}  // namespace
}  // namespace keywarden::mail
