#include "connector/config/connector_config.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "support/temp_dir.h"

namespace keywarden::connector {
namespace {

using keywarden::testing::TempDir;

using Env = std::vector<std::pair<std::string, std::string>>;
using Level = ConnectorConfig::Log::Level;
using Format = ConnectorConfig::Log::Format;

constexpr char kIdentity[] = "https://identity.example.com/";
constexpr char kSecret[] = "Sup3r-S3cret-Pfx-Passw0rd";

// A temporary directory for config and password files, removed after each test.
class ConfigTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& text) { return dir_.Write(name, text); }

  // Loads with the identity server set in the environment, plus `env`.
  Result<ConnectorConfig> LoadWith(Env env, std::optional<std::string> toml = std::nullopt) {
    env.insert(env.begin(), {"KEYWARDEN_IDENTITY_SERVER_URI", kIdentity});
    return LoadConnectorConfig(toml, env);
  }

  // The error message of a load that must fail.
  std::string ErrorOf(const Result<ConnectorConfig>& result) {
    EXPECT_FALSE(result.ok());
    return result.ok() ? std::string() : result.status().message();
  }

  TempDir dir_;
};

TEST_F(ConfigTest, Defaults) {
  auto config = LoadWith({});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->listen.host, "0.0.0.0");
  EXPECT_EQ(config->listen.port, 5000);
  EXPECT_EQ(config->identity_server_uri, "https://identity.example.com");  // trailing '/' dropped
  EXPECT_EQ(config->web_vault_uri, "");
  EXPECT_EQ(config->web_vault_origin, "");
  EXPECT_EQ(config->auth.clock_skew_seconds, 60u);
  EXPECT_EQ(config->auth.audience, "");
  EXPECT_EQ(config->auth.jwks_refresh_seconds, 30u);
  EXPECT_EQ(config->auth.jwks_refresh_interval_seconds, 300u);
  EXPECT_EQ(config->auth.max_token_bytes, 16384u);
  EXPECT_FALSE(config->auth.allow_insecure_identity_server);
  EXPECT_EQ(config->database.provider, config::DatabaseProvider::kSqlite);
  EXPECT_EQ(config->database.sqlite_path, "/var/lib/keywarden/connector.db");
  EXPECT_EQ(config->rsa_key.provider, custody::RsaKeySettings::Provider::kFile);
  EXPECT_EQ(config->rsa_key.key_file, "/etc/bitwarden/key.pfx");
  EXPECT_FALSE(config->rsa_key.key_password.has_value());
  EXPECT_FALSE(config->tls.enabled());
  EXPECT_EQ(config->limits.max_body_bytes, 65536u);
  EXPECT_EQ(config->limits.request_timeout_ms, 10000u);
  EXPECT_EQ(config->limits.idle_timeout_ms, 60000u);
  EXPECT_EQ(config->limits.max_connections, 10000u);
  EXPECT_EQ(config->limits.max_connections_per_address, 1000u);
  EXPECT_EQ(config->limits.threads, 0u);
  EXPECT_EQ(config->log.format, Format::kPlain);
  EXPECT_EQ(config->log.level, Level::kInfo);
  EXPECT_TRUE(config->log.audit);
  EXPECT_EQ(config->last_access_flush_seconds, 30u);
}

TEST_F(ConfigTest, TomlFileSetsEverySection) {
  const std::string toml = Write("c.toml", R"(
identity_server_uri = "https://id.example.org/identity"
web_vault_uri = "https://Vault.Example.org:443/#/login"
last_access_flush_seconds = 5
listen = "[::1]:8443"

[auth]
clock_skew_seconds = 10
audience = "api"
jwks_refresh_seconds = 120
jwks_refresh_interval_seconds = 600
max_token_bytes = 8192
allow_insecure_identity_server = true

[database]
provider = "SQLite"
sqlite_path = "/data/kc.db"

[rsa_key]
provider = "file"
key_file = "/keys/rsa.pem"
key_password = "Sup3r-S3cret-Pfx-Passw0rd"

[tls]
cert_file = "/tls/cert.pem"
key_file = "/tls/key.pem"

[limits]
max_body_bytes = 4096
request_timeout_ms = 500
idle_timeout_ms = 700
max_connections = 12
max_connections_per_address = 0
threads = 3

[log]
format = "json"
level = "debug"
audit = false
)");
  auto config = LoadConnectorConfig(toml, {});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->identity_server_uri, "https://id.example.org/identity");
  EXPECT_EQ(config->web_vault_origin, "https://vault.example.org");
  EXPECT_EQ(config->last_access_flush_seconds, 5u);
  EXPECT_EQ(config->listen.host, "::1");
  EXPECT_EQ(config->listen.port, 8443);
  EXPECT_EQ(config->auth.clock_skew_seconds, 10u);
  EXPECT_EQ(config->auth.audience, "api");
  EXPECT_EQ(config->auth.jwks_refresh_seconds, 120u);
  EXPECT_EQ(config->auth.jwks_refresh_interval_seconds, 600u);
  EXPECT_EQ(config->auth.max_token_bytes, 8192u);
  EXPECT_TRUE(config->auth.allow_insecure_identity_server);
  EXPECT_EQ(config->database.provider, config::DatabaseProvider::kSqlite);
  EXPECT_EQ(config->database.sqlite_path, "/data/kc.db");
  EXPECT_EQ(config->rsa_key.key_file, "/keys/rsa.pem");
  ASSERT_TRUE(config->rsa_key.key_password.has_value());
  EXPECT_EQ(config->rsa_key.key_password->view(), kSecret);
  EXPECT_TRUE(config->tls.enabled());
  EXPECT_EQ(config->tls.cert_file, "/tls/cert.pem");
  EXPECT_EQ(config->tls.key_file, "/tls/key.pem");
  EXPECT_EQ(config->limits.max_body_bytes, 4096u);
  EXPECT_EQ(config->limits.request_timeout_ms, 500u);
  EXPECT_EQ(config->limits.idle_timeout_ms, 700u);
  EXPECT_EQ(config->limits.max_connections, 12u);
  EXPECT_EQ(config->limits.max_connections_per_address, 0u);
  EXPECT_EQ(config->limits.threads, 3u);
  EXPECT_EQ(config->log.format, Format::kJson);
  EXPECT_EQ(config->log.level, Level::kDebug);
  EXPECT_FALSE(config->log.audit);
}

TEST_F(ConfigTest, ListenAsATableInToml) {
  const std::string toml = Write("c.toml", "[listen]\nhost = \"127.0.0.1\"\nport = 0\n");
  auto config = LoadWith({}, toml);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(FormatListen(config->listen), "127.0.0.1:0");
}

TEST_F(ConfigTest, OurEnvironmentOverridesToml) {
  const std::string toml = Write("c.toml", R"(
[database]
sqlite_path = "/from/toml.db"
[limits]
threads = 2
[listen]
port = 6000
[log]
audit = true
)");
  auto config = LoadWith({{"KEYWARDEN_DATABASE_SQLITE_PATH", "/from/env.db"},
                          {"KEYWARDEN_LIMITS_THREADS", "7"},
                          {"KEYWARDEN_LISTEN", "localhost:7000"},
                          {"KEYWARDEN_LOG_AUDIT", "FALSE"},
                          {"KEYWARDEN_LOG_LEVEL", "warn"}},
                         toml);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->database.sqlite_path, "/from/env.db");
  EXPECT_EQ(config->limits.threads, 7u);
  EXPECT_EQ(config->listen.host, "localhost");
  EXPECT_EQ(config->listen.port, 7000);  // the shorthand replaces the file's [listen] port
  EXPECT_FALSE(config->log.audit);
  EXPECT_EQ(config->log.level, Level::kWarn);
}

TEST_F(ConfigTest, ListenPartsOverrideEachOtherInSourceOrder) {
  const std::string toml = Write("c.toml", "listen = \"10.0.0.1:6000\"\n");
  auto config = LoadWith({{"KEYWARDEN_LISTEN_PORT", "6001"}}, toml);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(FormatListen(config->listen), "10.0.0.1:6001");
}

TEST_F(ConfigTest, ReferenceEnvironmentOverridesOursAndIgnoresCase) {
  auto config = LoadWith({{"keyconnectorsettings__IDENTITYSERVERURI", "https://ref.example.com"},
                          {"KEYWARDEN_DATABASE_SQLITE_PATH", "/ours.db"},
                          {"KeyConnectorSettings__Database__SqliteConnectionString", "Data Source=/theirs.db"},
                          {"KEYWARDEN_WEB_VAULT_URI", "https://ours.example.com"},
                          {"keyConnectorSettings__webVaultUri", "https://theirs.example.com:8443/vault"}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->identity_server_uri, "https://ref.example.com");
  EXPECT_EQ(config->database.sqlite_path, "/theirs.db");
  EXPECT_EQ(config->web_vault_uri, "https://theirs.example.com:8443/vault");
  EXPECT_EQ(config->web_vault_origin, "https://theirs.example.com:8443");
}

TEST_F(ConfigTest, ExistingReferenceDeployment) {
  const Env env = {
      {"PATH", "/usr/bin"},
      {"keyConnectorSettings__webVaultUri", "https://vault.example.com/"},
      {"keyConnectorSettings__identityServerUri", "https://vault.example.com/identity/"},
      {"keyConnectorSettings__database__provider", "sqlite"},
      {"keyConnectorSettings__database__sqliteConnectionString", "Data Source=/tmp/x.db"},
      {"keyConnectorSettings__rsaKey__provider", "certificate"},
      {"keyConnectorSettings__certificate__provider", "filesystem"},
      {"keyConnectorSettings__certificate__filesystemPath", "/etc/bitwarden/key.pfx"},
      {"keyConnectorSettings__certificate__filesystemPassword", kSecret},
  };
  auto config = LoadConnectorConfig(std::nullopt, env);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->identity_server_uri, "https://vault.example.com/identity");
  EXPECT_EQ(config->web_vault_origin, "https://vault.example.com");
  EXPECT_EQ(config->database.provider, config::DatabaseProvider::kSqlite);
  EXPECT_EQ(config->database.sqlite_path, "/tmp/x.db");
  EXPECT_EQ(config->rsa_key.provider, custody::RsaKeySettings::Provider::kFile);
  EXPECT_EQ(config->rsa_key.key_file, "/etc/bitwarden/key.pfx");
  ASSERT_TRUE(config->rsa_key.key_password.has_value());
  EXPECT_EQ(config->rsa_key.key_password->view(), kSecret);
  EXPECT_EQ(FormatListen(config->listen), "0.0.0.0:5000");
  EXPECT_FALSE(config->tls.enabled());
}

TEST_F(ConfigTest, KeyPasswordFromFile) {
  const std::string password_file = Write("pw", std::string(kSecret) + "\r\n");
  auto config = LoadWith({{"KEYWARDEN_RSA_KEY_KEY_PASSWORD_FILE", password_file}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_TRUE(config->rsa_key.key_password.has_value());
  EXPECT_EQ(config->rsa_key.key_password->view(), kSecret);  // one trailing newline dropped
  EXPECT_EQ(config->rsa_key.key_password_file, password_file);

  const std::string both = ErrorOf(LoadWith({{"KEYWARDEN_RSA_KEY_KEY_PASSWORD_FILE", password_file},
                                             {"keyConnectorSettings__certificate__filesystemPassword", kSecret}}));
  EXPECT_NE(both.find("keyConnectorSettings__certificate__filesystemPassword and "
                      "KEYWARDEN_RSA_KEY_KEY_PASSWORD_FILE are both set"),
            std::string::npos)
      << both;

  const std::string missing = ErrorOf(LoadWith({{"KEYWARDEN_RSA_KEY_KEY_PASSWORD_FILE", dir_.File("nope")}}));
  EXPECT_NE(missing.find("cannot read rsa_key.key_password_file"), std::string::npos) << missing;
}

TEST_F(ConfigTest, ConfigPathVariableIsNotASetting) {
  EXPECT_TRUE(LoadWith({{std::string(kConfigPathVariable), "/etc/keywarden/connector.toml"}}).ok());
}

TEST_F(ConfigTest, UnknownTomlKeysAndSectionsAreNamed) {
  const std::string key = Write("a.toml", "[database]\nprovider = \"sqlite\"\nfoo = 1\n");
  EXPECT_EQ(ErrorOf(LoadWith({}, key)), "unknown setting database.foo (" + key + " line 3)");

  const std::string section = Write("b.toml", "\n[databse]\nprovider = \"sqlite\"\n");
  EXPECT_EQ(ErrorOf(LoadWith({}, section)), "unknown section [databse] (" + section + " line 2)");

  const std::string top = Write("c.toml", "sqlite_path = \"/x.db\"\n");
  EXPECT_EQ(ErrorOf(LoadWith({}, top)), "unknown setting sqlite_path (" + top + " line 1)");

  // Reference-only keys are not ours to set in the file.
  const std::string hidden = Write("d.toml", "[rsa_key]\ncertificate_provider = \"filesystem\"\n");
  EXPECT_NE(ErrorOf(LoadWith({}, hidden)).find("unknown setting rsa_key.certificate_provider"), std::string::npos);
}

TEST_F(ConfigTest, UnknownVariablesAreNamed) {
  EXPECT_EQ(ErrorOf(LoadWith({{"KEYWARDEN_DATABASE_PATH", "/x.db"}})), "unknown setting KEYWARDEN_DATABASE_PATH");
  EXPECT_EQ(ErrorOf(LoadWith({{"keyConnectorSettings__database__foo", "x"}})),
            "unknown setting keyConnectorSettings__database__foo");
  EXPECT_EQ(ErrorOf(LoadWith({{"KEYCONNECTORSETTINGS__WEBVAULT", "x"}})),
            "unknown setting KEYCONNECTORSETTINGS__WEBVAULT");
  // Other programs' variables are none of our business.
  EXPECT_TRUE(LoadWith({{"HOME", "/root"}, {"keywarden_lowercase", "x"}, {"keyConnectorSettingsX", "y"}}).ok());
}

TEST_F(ConfigTest, ReferenceNamesDifferingOnlyInCaseAreRefused) {
  const std::string error = ErrorOf(LoadWith({{"keyConnectorSettings__webVaultUri", "https://a.example.com"},
                                              {"KEYCONNECTORSETTINGS__WEBVAULTURI", "https://b.example.com"}}));
  EXPECT_EQ(error, "KEYCONNECTORSETTINGS__WEBVAULTURI is set twice (names ignore case)");
}

TEST_F(ConfigTest, UnsupportedDatabaseProvidersAreRecognised) {
  // postgresql and mysql are supported: tests/connector/database_config_test.cc.
  for (const char* name : {"json", "sqlserver", "mongo"}) {
    auto result = LoadWith({{"keyConnectorSettings__database__provider", name}});
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), ErrorCode::kUnsupported);
    EXPECT_EQ(result.status().message(), "database provider '" + std::string(name) +
                                             "' is not supported by this build yet "
                                             "(keyConnectorSettings__database__provider)");
  }
  const std::string unknown = ErrorOf(LoadWith({{"KEYWARDEN_DATABASE_PROVIDER", "oracle"}}));
  EXPECT_EQ(unknown,
            "unknown database provider 'oracle' in KEYWARDEN_DATABASE_PROVIDER (this build supports: sqlite, "
            "postgresql, mysql)");
}

TEST_F(ConfigTest, UnsupportedKeyProvidersAreNamed) {
  // pkcs11 is supported: tests/connector/pkcs11_config_test.cc.
  for (const char* name : {"azurekv", "awskms", "gcpkms"}) {
    EXPECT_NE(ErrorOf(LoadWith({{"keyConnectorSettings__rsaKey__provider", name}}))
                  .find("RSA key provider '" + std::string(name) + "' is not supported by this build"),
              std::string::npos);
  }
  for (const char* name : {"store", "azurestorage", "vault"}) {
    auto result = LoadWith({{"keyConnectorSettings__rsaKey__provider", "certificate"},
                            {"keyConnectorSettings__certificate__provider", name}});
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), ErrorCode::kUnsupported);
    EXPECT_EQ(result.status().message(), "certificate provider '" + std::string(name) +
                                             "' is not supported by this build "
                                             "(keyConnectorSettings__certificate__provider)");
  }
  EXPECT_NE(ErrorOf(LoadWith({{"KEYWARDEN_RSA_KEY_PROVIDER", "hsm"}})).find("unknown RSA key provider 'hsm'"),
            std::string::npos);
}

TEST_F(ConfigTest, SettingsOfUnsupportedFeaturesAreNamed) {
  for (const char* name :
       {"keyConnectorSettings__rsaKey__azureKeyvaultUri", "keyConnectorSettings__rsaKey__awsRegion",
        "keyConnectorSettings__rsaKey__googleCloudKeyId", "keyConnectorSettings__certificate__vaultToken",
        "keyConnectorSettings__database__sqlServerConnectionString",
        "keyConnectorSettings__transferTo__database__provider", "keyConnectorSettings__transferTo__lockfilePath"}) {
    auto result = LoadWith({{name, "value"}});
    ASSERT_FALSE(result.ok()) << name;
    EXPECT_EQ(result.status().code(), ErrorCode::kUnsupported);
    EXPECT_EQ(result.status().message(), "setting " + std::string(name) + " is not supported by this build");
  }
}

TEST_F(ConfigTest, MalformedTomlGivesTheLine) {
  const std::string toml = Write("bad.toml", "[auth]\nclock_skew_seconds = 10\naudience = \"unterminated\n");
  const std::string error = ErrorOf(LoadWith({}, toml));
  EXPECT_TRUE(error.starts_with("config file " + toml + " line 3: ")) << error;

  // toml++ may quote the offending character: not from a line that holds a password.
  const std::string secret = Write("secret.toml", "[rsa_key]\nkey_password = \"a\\qb\"\n");
  EXPECT_EQ(ErrorOf(LoadWith({}, secret)),
            "config file " + secret + " line 2: syntax error (details withheld: the line holds a password)");

  const std::string missing = ErrorOf(LoadWith({}, dir_.File("absent.toml")));
  EXPECT_TRUE(missing.starts_with("cannot read config file ")) << missing;
}

TEST_F(ConfigTest, IdentityServerIsRequiredAndMustBeAnAbsoluteUrl) {
  EXPECT_EQ(
      ErrorOf(LoadConnectorConfig(std::nullopt, {})),
      "identity_server_uri is required (KEYWARDEN_IDENTITY_SERVER_URI or keyConnectorSettings__identityServerUri)");
  for (const char* bad : {"identity.example.com", "ftp://identity.example.com", "https://",
                          "https://user:pw@id.example.com", "https://id.example.com:0", "https://id.example.com:99999",
                          "https://id example.com", "https://[::1/", "https://[nothost]/"}) {
    SCOPED_TRACE(bad);
    const std::string error = ErrorOf(LoadConnectorConfig(std::nullopt, {{"KEYWARDEN_IDENTITY_SERVER_URI", bad}}));
    EXPECT_TRUE(error.starts_with("KEYWARDEN_IDENTITY_SERVER_URI must be an absolute http(s) URL")) << error;
    EXPECT_EQ(error.find("pw@"), std::string::npos);
  }
  EXPECT_EQ(
      ErrorOf(LoadConnectorConfig(std::nullopt, {{"KEYWARDEN_IDENTITY_SERVER_URI", "https://id.example.com/?a=b"}})),
      "KEYWARDEN_IDENTITY_SERVER_URI must not have a query or fragment");
  EXPECT_TRUE(ErrorOf(LoadWith({{"KEYWARDEN_WEB_VAULT_URI", "vault.example.com"}}))
                  .starts_with("KEYWARDEN_WEB_VAULT_URI must be an absolute http(s) URL"));
}

TEST_F(ConfigTest, PlainHttpIdentityServerOnlyOnLoopbackUnlessAllowed) {
  const std::string remote =
      ErrorOf(LoadConnectorConfig(std::nullopt, {{"KEYWARDEN_IDENTITY_SERVER_URI", "http://identity:5000"}}));
  EXPECT_TRUE(remote.starts_with("KEYWARDEN_IDENTITY_SERVER_URI uses plain http to a host that is not loopback"))
      << remote;

  auto allowed = LoadConnectorConfig(std::nullopt, {{"KEYWARDEN_IDENTITY_SERVER_URI", "http://identity:5000"},
                                                    {"KEYWARDEN_AUTH_ALLOW_INSECURE_IDENTITY_SERVER", "true"}});
  ASSERT_TRUE(allowed.ok()) << allowed.status().ToString();
  EXPECT_EQ(allowed->identity_server_uri, "http://identity:5000");

  for (const char* loopback : {"http://localhost:33656", "http://127.0.0.1", "http://127.1.2.3:80/identity",
                               "http://[::1]:5000", "HTTP://LOCALHOST"}) {
    SCOPED_TRACE(loopback);
    EXPECT_TRUE(LoadConnectorConfig(std::nullopt, {{"KEYWARDEN_IDENTITY_SERVER_URI", loopback}}).ok());
  }
}

TEST_F(ConfigTest, WebVaultOriginIsWhatBrowsersSend) {
  const std::pair<const char*, const char*> cases[] = {
      {"https://vault.example.com/", "https://vault.example.com"},
      {"HTTPS://Vault.Example.COM:443/web/#/", "https://vault.example.com"},
      {"http://localhost:8080/", "http://localhost:8080"},
      {"http://vault.example.com:80", "http://vault.example.com"},
      {"https://[2001:db8::1]:8443/", "https://[2001:db8::1]:8443"},
  };
  for (const auto& [uri, origin] : cases) {
    auto config = LoadWith({{"KEYWARDEN_WEB_VAULT_URI", uri}});
    ASSERT_TRUE(config.ok()) << uri << ": " << config.status().ToString();
    EXPECT_EQ(config->web_vault_origin, origin);
  }
}

TEST_F(ConfigTest, ParseListen) {
  auto v4 = config::ParseListen("127.0.0.1:8080");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 8080);
  auto v6 = config::ParseListen("[::1]:5000");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(FormatListen(*v6), "[::1]:5000");
  EXPECT_TRUE(config::ParseListen("keywarden.internal:65535").ok());
  for (const char* bad : {"", "5000", ":5000", "host:", "host:65536", "host:-1", "host:+80", "host:80x", "::1:5000",
                          "[::1]5000", "[::1", "[127.0.0.1]:80", "[not-v6:]:80", "bad host:80", "host:80 "}) {
    SCOPED_TRACE(bad);
    auto result = config::ParseListen(bad);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), ErrorCode::kInvalidArgument);
  }
}

TEST_F(ConfigTest, BadListenStringNamesTheSetting) {
  const std::string error = ErrorOf(LoadWith({{"KEYWARDEN_LISTEN", "0.0.0.0"}}));
  EXPECT_TRUE(error.starts_with("KEYWARDEN_LISTEN: invalid listen address '0.0.0.0'")) << error;
  const std::string toml = Write("c.toml", "listen = 5000\n");
  EXPECT_EQ(ErrorOf(LoadWith({}, toml)), "listen (" + toml + " line 1) must be a string \"HOST:PORT\" or a table");
  EXPECT_EQ(ErrorOf(LoadWith({{"KEYWARDEN_LISTEN_HOST", "not a host"}})),
            "KEYWARDEN_LISTEN_HOST must be a host name or IP address");
}

TEST_F(ConfigTest, TlsNeedsBothFiles) {
  EXPECT_EQ(ErrorOf(LoadWith({{"KEYWARDEN_TLS_CERT_FILE", "/tls/cert.pem"}})),
            "KEYWARDEN_TLS_CERT_FILE is set but tls.key_file is not: set both or neither");
  const std::string toml = Write("c.toml", "[tls]\nkey_file = \"/tls/key.pem\"\n");
  EXPECT_EQ(ErrorOf(LoadWith({}, toml)),
            "tls.key_file (" + toml + " line 2) is set but tls.cert_file is not: set both or neither");
}

TEST_F(ConfigTest, BadNumbersAndTypesNameTheSettingAndType) {
  const std::pair<const char*, const char*> env_cases[] = {
      {"KEYWARDEN_LISTEN_PORT", "65536"},         {"KEYWARDEN_LISTEN_PORT", "-1"},
      {"KEYWARDEN_LIMITS_THREADS", "two"},        {"KEYWARDEN_LIMITS_THREADS", " 2"},
      {"KEYWARDEN_LIMITS_MAX_BODY_BYTES", "1e6"}, {"KEYWARDEN_AUTH_CLOCK_SKEW_SECONDS", ""},
      {"KEYWARDEN_LIMITS_MAX_CONNECTIONS", "0"},  {"KEYWARDEN_AUTH_MAX_TOKEN_BYTES", "99999999999999999999999"},
  };
  for (const auto& [name, value] : env_cases) {
    SCOPED_TRACE(std::string(name) + "=" + value);
    const std::string error = ErrorOf(LoadWith({{name, value}}));
    EXPECT_TRUE(error.starts_with(std::string(name) + " must be an integer from ")) << error;
  }
  EXPECT_EQ(ErrorOf(LoadWith({{"KEYWARDEN_LISTEN_PORT", "70000"}})),
            "KEYWARDEN_LISTEN_PORT must be an integer from 0 to 65535");
  for (const char* interval : {"0", "86401", "5m", "-300"}) {
    EXPECT_EQ(ErrorOf(LoadWith({{"KEYWARDEN_AUTH_JWKS_REFRESH_INTERVAL_SECONDS", interval}})),
              "KEYWARDEN_AUTH_JWKS_REFRESH_INTERVAL_SECONDS must be an integer from 1 to 86400");
  }
  EXPECT_EQ(ErrorOf(LoadWith({{"KEYWARDEN_LOG_AUDIT", "yes"}})), "KEYWARDEN_LOG_AUDIT must be true or false");
  EXPECT_EQ(ErrorOf(LoadWith({{"KEYWARDEN_LOG_LEVEL", "verbose"}})),
            "KEYWARDEN_LOG_LEVEL must be one of trace, debug, info, warn, error");
  EXPECT_EQ(ErrorOf(LoadWith({{"KEYWARDEN_LOG_FORMAT", "xml"}})), "KEYWARDEN_LOG_FORMAT must be \"plain\" or \"json\"");
  EXPECT_EQ(ErrorOf(LoadWith({{"KEYWARDEN_DATABASE_SQLITE_PATH", ""}})),
            "KEYWARDEN_DATABASE_SQLITE_PATH must not be empty");

  const std::pair<const char*, const char*> toml_cases[] = {
      {"[limits]\nthreads = \"4\"\n", "limits.threads (PATH line 2) must be an integer from 0 to 1024"},
      {"[limits]\nthreads = -4\n", "limits.threads (PATH line 2) must be an integer from 0 to 1024"},
      {"[limits]\nthreads = 4.0\n", "limits.threads (PATH line 2) must be an integer from 0 to 1024"},
      {"[listen]\nport = 65536\n", "listen.port (PATH line 2) must be an integer from 0 to 65535"},
      {"[log]\naudit = \"true\"\n", "log.audit (PATH line 2) must be true or false"},
      {"[auth]\naudience = 5\n", "auth.audience (PATH line 2) must be a string"},
      {"[database]\nsqlite_path = [\"a\"]\n", "database.sqlite_path (PATH line 2) must be a string"},
  };
  for (const auto& [text, expected] : toml_cases) {
    SCOPED_TRACE(text);
    const std::string path = Write("n.toml", text);
    std::string want = expected;
    want.replace(want.find("PATH"), 4, path);
    EXPECT_EQ(ErrorOf(LoadWith({}, path)), want);
  }
}

TEST_F(ConfigTest, BadSqliteConnectionStringNamesTheVariable) {
  const std::string error =
      ErrorOf(LoadWith({{"keyConnectorSettings__database__sqliteConnectionString", "Data Source=/x.db;Password=pw"}}));
  EXPECT_TRUE(error.starts_with("keyConnectorSettings__database__sqliteConnectionString: ")) << error;
}

TEST_F(ConfigTest, PasswordNeverAppearsInErrorsOrDescription) {
  const std::string secret_toml =
      Write("s.toml", std::string("[rsa_key]\nkey_password = \"") + kSecret + "\"\nbogus = 1\n");
  const std::string broken_toml = Write("b.toml", std::string("[rsa_key]\nkey_password = \"") + kSecret + "\" x\n");
  const std::string password_file = Write("pw", kSecret);
  const std::vector<Result<ConnectorConfig>> failures = [&] {
    std::vector<Result<ConnectorConfig>> out;
    out.push_back(LoadWith({}, secret_toml));
    out.push_back(LoadWith({}, broken_toml));
    out.push_back(LoadWith(
        {{"KEYWARDEN_RSA_KEY_KEY_PASSWORD", kSecret}, {"KEYWARDEN_RSA_KEY_KEY_PASSWORD_FILE", password_file}}));
    out.push_back(LoadWith({{"keyConnectorSettings__certificate__filesystemPassword", kSecret},
                            {"keyConnectorSettings__rsaKey__pkcs11LoginPin", kSecret}}));
    out.push_back(LoadWith({{"KEYWARDEN_LIMITS_THREADS", kSecret}}));
    out.push_back(LoadWith({{"KEYWARDEN_LOG_AUDIT", kSecret}}));
    out.push_back(LoadConnectorConfig(std::nullopt, {{"KEYWARDEN_IDENTITY_SERVER_URI", kSecret}}));
    out.push_back(LoadWith({{"keyConnectorSettings__database__sqliteConnectionString", kSecret}}));
    return out;
  }();
  for (const auto& result : failures) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().message().find(kSecret), std::string::npos) << result.status().message();
    EXPECT_EQ(result.status().message().find("S3cret"), std::string::npos) << result.status().message();
  }

  auto config = LoadWith({{"keyConnectorSettings__certificate__filesystemPassword", kSecret},
                          {"KEYWARDEN_WEB_VAULT_URI", "https://vault.example.com"},
                          {"KEYWARDEN_TLS_CERT_FILE", "/c.pem"},
                          {"KEYWARDEN_TLS_KEY_FILE", "/k.pem"}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const std::string description = DescribeConfig(*config);
  EXPECT_EQ(description.find(kSecret), std::string::npos);
  EXPECT_NE(description.find("password (set)"), std::string::npos) << description;
  EXPECT_NE(description.find("listen: 0.0.0.0:5000 (https)"), std::string::npos) << description;
  EXPECT_NE(description.find("identity server: https://identity.example.com\n"), std::string::npos) << description;
  EXPECT_NE(description.find("database: sqlite /var/lib/keywarden/connector.db"), std::string::npos) << description;
  EXPECT_NE(description.find("web vault origin: https://vault.example.com"), std::string::npos) << description;
}

TEST_F(ConfigTest, DescribeSaysWhatIsNotSet) {
  auto config = LoadWith({});
  ASSERT_TRUE(config.ok());
  const std::string description = DescribeConfig(*config);
  EXPECT_NE(description.find("password (not set)"), std::string::npos) << description;
  EXPECT_NE(description.find("web vault origin: (not set)"), std::string::npos) << description;
  EXPECT_NE(description.find("threads one per core"), std::string::npos) << description;
  EXPECT_EQ(description.find("tls:"), std::string::npos) << description;
}

TEST_F(ConfigTest, ProcessEnvironmentReadsEnviron) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) GTEST_SKIP() << "PATH is not set";
  const auto environment = ProcessEnvironment();
  EXPECT_NE(std::find(environment.begin(), environment.end(), std::pair<std::string, std::string>("PATH", path)),
            environment.end());
}

}  // namespace
}  // namespace keywarden::connector
