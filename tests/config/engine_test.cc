// The configuration engine with a made-up second service, "beacon": two shared sections, rows
// of its own (a secret, an enumerated provider) and an alias source of its own.
#include <gtest/gtest.h>

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "config/sections.h"
#include "config/settings.h"
#include "config/sources.h"
#include "config/values.h"
#include "support/temp_dir.h"

namespace keywarden::config {
namespace {

using keywarden::testing::TempDir;

struct BeaconConfig {
  enum class Mode { kFast, kSafe };

  ListenSection listen;
  LogSection log;
  std::string greeting = "hello";
  std::optional<SecureBuffer> api_token;
  Mode mode = Mode::kSafe;
};

Status ApplyMode(const RawValue& raw, BeaconConfig& config) {
  KW_ASSIGN_OR_RETURN(std::string name, AsName(raw));
  if (name != "fast" && name != "safe") return InvalidArgumentError(raw.origin + " must be \"fast\" or \"safe\"");
  config.mode = name == "fast" ? BeaconConfig::Mode::kFast : BeaconConfig::Mode::kSafe;
  return OkStatus();
}

using R = RawValue;
using B = BeaconConfig;

constexpr std::array<SettingRow<B>, 3> kBeaconRows = {{
    {"greeting", [](const R& r, B& c) { return SetString(r, c.greeting); }, "what it says"},
    {"api_token", [](const R& r, B& c) { return SetSecret(r, c.api_token); }, "upstream token", true},
    {"mode", ApplyMode, "fast or safe", false, false, true},
}};

const SettingTable<B>& BeaconTable() {
  static const SettingTable<B> table = [] {
    SettingTable<B> t;
    t.Add(ListenRows(), &B::listen).Add(LogRows(), &B::log).Add(kBeaconRows);
    return t;
  }();
  return table;
}

// The alias source: BEACON_GREETING, read last.
Status ReadBeaconAliases(const Environment& environment, RawSettings& settings) {
  for (const auto& [name, value] : environment) {
    if (name == "BEACON_GREETING") KW_RETURN_IF_ERROR(Assign(settings, "greeting", RawValue{value, name, true}));
  }
  return OkStatus();
}

constexpr std::string_view kIgnored[] = {"KEYWARDEN_CONFIG"};

Result<BeaconConfig> LoadBeacon(const std::optional<std::string>& toml, const Environment& environment) {
  const auto& table = BeaconTable();
  RawSettings settings;
  if (toml.has_value()) KW_RETURN_IF_ERROR(ReadTomlFile(*toml, table.Keys(), settings));
  KW_RETURN_IF_ERROR(ReadKeywardenEnvironment(environment, table.Keys(), kIgnored, settings));
  KW_RETURN_IF_ERROR(ReadBeaconAliases(environment, settings));
  BeaconConfig config;
  KW_RETURN_IF_ERROR(table.Apply(settings, config));
  return config;
}

std::string ErrorOf(const Result<BeaconConfig>& result) {
  EXPECT_FALSE(result.ok());
  return result.ok() ? std::string() : result.status().message();
}

TEST(ConfigEngine, DefaultsComeFromTheStructs) {
  auto config = LoadBeacon(std::nullopt, {{"PATH", "/bin"}, {"KEYWARDEN_CONFIG", "/etc/beacon.toml"}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(FormatListen(config->listen), "0.0.0.0:5000");
  EXPECT_EQ(config->log.level, LogSection::Level::kInfo);
  EXPECT_EQ(config->greeting, "hello");
  EXPECT_FALSE(config->api_token.has_value());
  EXPECT_EQ(config->mode, BeaconConfig::Mode::kSafe);
}

TEST(ConfigEngine, LaterSourcesOverrideEarlierOnes) {
  TempDir dir;
  const std::string toml = dir.Write("beacon.toml",
                                     "greeting = \"from toml\"\nmode = \"fast\"\n"
                                     "[listen]\nhost = \"127.0.0.1\"\nport = 7000\n[log]\nlevel = \"debug\"\n");
  auto file_only = LoadBeacon(toml, {});
  ASSERT_TRUE(file_only.ok()) << file_only.status().ToString();
  EXPECT_EQ(file_only->greeting, "from toml");
  EXPECT_EQ(FormatListen(file_only->listen), "127.0.0.1:7000");
  EXPECT_EQ(file_only->mode, BeaconConfig::Mode::kFast);

  auto config = LoadBeacon(toml, {{"KEYWARDEN_GREETING", "from env"},
                                  {"KEYWARDEN_LISTEN", "[::1]:7001"},
                                  {"KEYWARDEN_LOG_LEVEL", "WARN"},
                                  {"BEACON_GREETING", "from alias"}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->greeting, "from alias");
  EXPECT_EQ(FormatListen(config->listen), "[::1]:7001");
  EXPECT_EQ(config->log.level, LogSection::Level::kWarn);
  EXPECT_EQ(config->mode, BeaconConfig::Mode::kFast);  // the file's, not overridden
}

TEST(ConfigEngine, UnknownNamesAreRefused) {
  TempDir dir;
  EXPECT_EQ(ErrorOf(LoadBeacon(std::nullopt, {{"KEYWARDEN_GREETINGS", "x"}})), "unknown setting KEYWARDEN_GREETINGS");
  // A section of the connector's that beacon does not have.
  const std::string toml = dir.Write("beacon.toml", "[database]\nprovider = \"sqlite\"\n");
  EXPECT_EQ(ErrorOf(LoadBeacon(toml, {})), "unknown section [database] (" + toml + " line 1)");
  const std::string key = dir.Write("key.toml", "[log]\nlevels = \"info\"\n");
  EXPECT_EQ(ErrorOf(LoadBeacon(key, {})), "unknown setting log.levels (" + key + " line 2)");
}

TEST(ConfigEngine, WrongTypesNameTheSetting) {
  TempDir dir;
  const std::string toml = dir.Write("beacon.toml", "[listen]\nport = \"7000\"\n");
  EXPECT_EQ(ErrorOf(LoadBeacon(toml, {})), "listen.port (" + toml + " line 2) must be an integer from 0 to 65535");
  EXPECT_EQ(ErrorOf(LoadBeacon(std::nullopt, {{"KEYWARDEN_LOG_AUDIT", "maybe"}})),
            "KEYWARDEN_LOG_AUDIT must be true or false");
  EXPECT_EQ(ErrorOf(LoadBeacon(std::nullopt, {{"KEYWARDEN_LISTEN_PORT", "-1"}})),
            "KEYWARDEN_LISTEN_PORT must be an integer from 0 to 65535");
}

TEST(ConfigEngine, SecretsAreNeverEchoed) {
  constexpr char kToken[] = "t0ken-S3cret-value";
  auto config = LoadBeacon(std::nullopt, {{"KEYWARDEN_API_TOKEN", kToken}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_TRUE(config->api_token.has_value());
  EXPECT_EQ(config->api_token->size(), std::string_view(kToken).size());

  const std::string description = BeaconTable().Describe();
  EXPECT_NE(description.find("api_token, KEYWARDEN_API_TOKEN: upstream token (secret)"), std::string::npos)
      << description;
  EXPECT_NE(description.find("listen.port, KEYWARDEN_LISTEN_PORT: "), std::string::npos) << description;

  TempDir dir;
  const std::string toml = dir.Write("beacon.toml", std::string("api_password = \"") + kToken + "\n");
  const std::string error = ErrorOf(LoadBeacon(toml, {}));
  EXPECT_EQ(error.find(kToken), std::string::npos) << error;
  EXPECT_NE(error.find("details withheld"), std::string::npos) << error;
}

TEST(ConfigEngine, EnumsAreValidatedOnceAtLoad) {
  EXPECT_EQ(ErrorOf(LoadBeacon(std::nullopt, {{"KEYWARDEN_MODE", "turbo"}})),
            "KEYWARDEN_MODE must be \"fast\" or \"safe\"");
  EXPECT_EQ(ErrorOf(LoadBeacon(std::nullopt, {{"KEYWARDEN_LOG_FORMAT", "xml"}})),
            "KEYWARDEN_LOG_FORMAT must be \"plain\" or \"json\"");
  auto config = LoadBeacon(std::nullopt, {{"KEYWARDEN_MODE", "FAST"}, {"KEYWARDEN_LOG_FORMAT", "Json"}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->mode, BeaconConfig::Mode::kFast);
  EXPECT_EQ(config->log.format, LogSection::Format::kJson);
  EXPECT_EQ(LogFormatName(config->log.format), "json");
}

TEST(ConfigEngine, ProvidersAreAppliedFirst) {
  // mode comes last in the table but is early: its error wins over an earlier row's.
  EXPECT_EQ(ErrorOf(LoadBeacon(std::nullopt, {{"KEYWARDEN_LOG_AUDIT", "maybe"}, {"KEYWARDEN_MODE", "turbo"}})),
            "KEYWARDEN_MODE must be \"fast\" or \"safe\"");
}

TEST(ConfigEngine, SetTwiceIsAnError) {
  EXPECT_EQ(ErrorOf(LoadBeacon(std::nullopt, {{"KEYWARDEN_MODE", "fast"}, {"KEYWARDEN_MODE", "safe"}})),
            "KEYWARDEN_MODE is set twice");
}

}  // namespace
}  // namespace keywarden::config
