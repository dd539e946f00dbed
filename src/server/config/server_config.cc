#include "server/config/server_config.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "config/rsa_key_section.h"
#include "config/settings.h"
#include "config/sources.h"
#include "config/values.h"
#include "net/loopback.h"
#include "sql/postgres/postgres_options.h"

namespace keywarden::server {
namespace {

using C = ServerConfig;
using R = config::RawValue;
using Row = config::SettingRow<ServerConfig>;

constexpr std::uint64_t kDay = 86400;

Status ApplySignups(const R& raw, C& c) {
  KW_ASSIGN_OR_RETURN(std::string name, config::AsName(raw));
  using S = C::Accounts::Signups;
  if (name == "open")
    c.accounts.signups = S::kOpen;
  else if (name == "closed")
    c.accounts.signups = S::kClosed;
  else if (name == "domains")
    c.accounts.signups = S::kDomains;
  else
    return InvalidArgumentError(raw.origin + " must be \"open\", \"closed\" or \"domains\"");
  return OkStatus();
}

// "A, b ,c" -> {"a", "b", "c"}: split at commas, white space dropped, lower-cased, empty
// entries skipped.
std::vector<std::string> LowerCaseList(std::string_view text) {
  std::vector<std::string> out(1);
  for (char ch : text) {
    if (ch == ',') {
      if (!out.back().empty()) out.emplace_back();
    } else if (!std::isspace(static_cast<unsigned char>(ch))) {
      out.back().push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
    }
  }
  if (out.back().empty()) out.pop_back();
  return out;
}

// "example.com, example.org": lower-cased, without spaces or a leading '@'.
Status ApplySignupDomains(const R& raw, C& c) {
  KW_ASSIGN_OR_RETURN(std::string text, config::AsString(raw));
  c.accounts.signup_domains.clear();
  for (std::string domain : LowerCaseList(text)) {
    while (!domain.empty() && domain.front() == '@') domain.erase(domain.begin());
    if (domain.empty()) continue;
    if (domain.find_first_of("@/") != std::string::npos || domain.find('.') == std::string::npos) {
      return InvalidArgumentError(raw.origin + " must list domain names separated by commas, e.g. \"example.com\"");
    }
    c.accounts.signup_domains.push_back(std::move(domain));
  }
  return OkStatus();
}

// "everyone", "nobody", or "admin@example.com, ops@example.com".
Status ApplyCreators(const R& raw, C& c) {
  KW_ASSIGN_OR_RETURN(std::string text, config::AsString(raw));
  using K = C::Organizations::Creators;
  c.organizations.creator_emails.clear();
  if (text == "everyone" || text == "nobody") {
    c.organizations.creators = text == "everyone" ? K::kEveryone : K::kNobody;
    return OkStatus();
  }
  c.organizations.creators = K::kListed;
  const auto refused = [&] {
    return InvalidArgumentError(raw.origin +
                                R"( must be "everyone", "nobody" or e-mail addresses separated by commas)");
  };
  for (std::string email : LowerCaseList(text)) {
    const auto at = email.find('@');
    if (at == std::string::npos || at == 0 || email.find('.', at) == std::string::npos ||
        email.find('/') != std::string::npos) {
      return refused();
    }
    c.organizations.creator_emails.push_back(std::move(email));
  }
  if (c.organizations.creator_emails.empty()) return refused();
  return OkStatus();
}

constexpr std::array<Row, 2> kTop = {{
    {"public_url", [](const R& r, C& c) { return config::SetString(r, c.public_url); },
     "where clients reach this server, https://host[:port] (required)"},
    {"web_vault_dir", [](const R& r, C& c) { return config::SetString(r, c.web_vault_dir); },
     "a web vault build to serve at /"},
}};

constexpr std::array<Row, 15> kServer = {{
    {"organizations.creators", ApplyCreators,
     "who may create organisations: everyone, nobody, or e-mail addresses separated by commas"},
    {"accounts.signups", ApplySignups, "open, closed, or domains (only signup_domains)"},
    {"accounts.signup_domains", ApplySignupDomains, "e-mail domains that may sign up, comma-separated"},
    {"accounts.require_email_verification",
     [](const R& r, C& c) { return config::SetBool(r, c.accounts.require_email_verification); },
     "registration only through a link mailed to the address"},
    {"tokens.access_token_seconds",
     [](const R& r, C& c) { return config::SetInteger(r, 60, kDay, c.tokens.access_token_seconds); },
     "lifetime of an access token"},
    {"tokens.refresh_token_days",
     [](const R& r, C& c) { return config::SetInteger(r, 1, 365, c.tokens.refresh_token_days); },
     "a session ends after this many days without use"},
    {"tokens.refresh_reuse_grace_seconds",
     [](const R& r, C& c) { return config::SetInteger(r, 0, 300, c.tokens.refresh_reuse_grace_seconds); },
     "a refresh token used again within this time gets an access token; later, it ends the session"},
    {"password_hash.memory_kib",
     [](const R& r, C& c) { return config::SetInteger(r, 8192, 4u << 20, c.password_hash.memory_kib); },
     "Argon2id memory, KiB"},
    {"password_hash.iterations",
     [](const R& r, C& c) { return config::SetInteger(r, 1, 20, c.password_hash.iterations); }, "Argon2id passes"},
    {"password_hash.parallelism",
     [](const R& r, C& c) { return config::SetInteger(r, 1, 16, c.password_hash.parallelism); }, "Argon2id lanes"},
    {"password_hash.concurrency",
     [](const R& r, C& c) { return config::SetInteger(r, 0, 1024, c.password_hash.concurrency); },
     "Argon2id computations at once (0: one per core)"},
    {"login.max_failures_per_account",
     [](const R& r, C& c) { return config::SetInteger(r, 1, 100000, c.login.max_failures_per_account); },
     "failed logins to one account before a pause"},
    {"login.max_failures_per_address",
     [](const R& r, C& c) { return config::SetInteger(r, 1, 1000000, c.login.max_failures_per_address); },
     "failed logins from one address before a pause"},
    {"login.window_seconds", [](const R& r, C& c) { return config::SetInteger(r, 1, kDay, c.login.window_seconds); },
     "the window failures are counted over"},
    {"login.block_seconds", [](const R& r, C& c) { return config::SetInteger(r, 1, kDay, c.login.block_seconds); },
     "how long logins pause after too many failures"},
}};

config::SettingTable<C> BuildTable() {
  config::SettingTable<C> table;
  table.Add(config::ListenRows(), &C::listen)
      .Add(kTop)
      .Add(config::DatabaseRows(), &C::database)
      .Add(config::SigningKeyRows(), &C::signing_key)
      .Add(config::TlsRows(), &C::tls)
      .Add(config::LimitsRows(), &C::limits)
      .Add(config::LogRows(), &C::log)
      .Add(config::MetricsRows(), &C::metrics)
      .Add(::keywarden::mail::MailRows(), &C::mail)
      .Add(kServer);
  return table;
}

const config::SettingTable<C>& Settings() {
  static const config::SettingTable<C> table = BuildTable();
  return table;
}

Status CheckPublicUrl(const config::RawSettings& settings, C& c) {
  if (c.public_url.empty()) {
    return InvalidArgumentError(
        "public_url is required (KEYWARDEN_PUBLIC_URL): where clients reach this server, "
        "e.g. https://vault.example.com");
  }
  const std::string origin = config::OriginOf(settings, "public_url");
  KW_ASSIGN_OR_RETURN(net::HttpUrl url, config::ParseUrlSetting(c.public_url, origin));
  if (url.query || url.has_fragment) return InvalidArgumentError(origin + " must not have a query or fragment");
  if (!url.https && !net::IsLoopbackHost(url.host)) {
    return InvalidArgumentError(origin + " must use https: the official clients refuse plain http");
  }
  while (c.public_url.ends_with('/')) c.public_url.pop_back();
  return OkStatus();
}

Status CheckDatabase(const config::RawSettings& settings, const C& c) {
  if (c.database.provider == config::DatabaseProvider::kMysql) {
    return InvalidArgumentError(config::OriginOf(settings, "database.provider") +
                                " is mysql: the server runs on sqlite or postgresql");
  }
  if (c.database.provider != config::DatabaseProvider::kPostgresql) return OkStatus();
  if (c.database.postgresql.empty()) {
    return InvalidArgumentError(config::OriginOf(settings, "database.provider") +
                                " is postgresql but database.postgresql is not set (KEYWARDEN_DATABASE_POSTGRESQL)");
  }
  const Status parsed = sql::ParsePostgresConnectionString(c.database.postgresql).status();
  if (!parsed.ok())
    return InvalidArgumentError(config::OriginOf(settings, "database.postgresql") + ": " + parsed.message());
  return OkStatus();
}

Status CheckAccounts(const config::RawSettings& settings, const C& c) {
  if (c.accounts.signups == C::Accounts::Signups::kDomains && c.accounts.signup_domains.empty()) {
    return InvalidArgumentError(config::OriginOf(settings, "accounts.signups") +
                                " is domains but accounts.signup_domains lists none");
  }
  if (c.accounts.require_email_verification && !c.mail.enabled()) {
    return InvalidArgumentError(config::OriginOf(settings, "accounts.require_email_verification") +
                                " needs mail: set mail.host (and mail.from)");
  }
  if (c.signing_key.provider == custody::RsaKeySettings::Provider::kFile && c.signing_key.key_file.empty()) {
    return InvalidArgumentError(
        "signing_key.key_file is required (KEYWARDEN_SIGNING_KEY_KEY_FILE): the key that signs access tokens; "
        "`keywarden server init` makes one");
  }
  return OkStatus();
}

}  // namespace

Result<ServerConfig> LoadServerConfig(const std::optional<std::string>& toml_path,
                                      const std::vector<std::pair<std::string, std::string>>& environment) {
  const auto& table = Settings();
  config::RawSettings settings;
  if (toml_path.has_value()) KW_RETURN_IF_ERROR(config::ReadTomlFile(*toml_path, table.Keys(), settings));
  static constexpr std::string_view kIgnored[] = {kServerConfigPathVariable};
  KW_RETURN_IF_ERROR(config::ReadKeywardenEnvironment(environment, table.Keys(), kIgnored, settings));
  ServerConfig config;
  config.database.sqlite_path = "/var/lib/keywarden/server.db";
  config.signing_key.key_file = "/var/lib/keywarden/signing-key.pem";
  KW_RETURN_IF_ERROR(table.Apply(settings, config));
  if (!settings.unsupported.empty()) {
    return UnsupportedError("setting " + settings.unsupported.front() + " is not supported by this build");
  }
  KW_RETURN_IF_ERROR(CheckPublicUrl(settings, config));
  KW_RETURN_IF_ERROR(config::CheckTls(settings, config.tls));
  KW_RETURN_IF_ERROR(CheckDatabase(settings, config));
  KW_RETURN_IF_ERROR(config::CheckSigningKey(settings, config.signing_key));
  KW_RETURN_IF_ERROR(CheckAccounts(settings, config));
  if (config.mail.enabled()) KW_RETURN_IF_ERROR(::keywarden::mail::CheckMail(config.mail));
  return config;
}

std::string DescribeServerSettings() { return Settings().Describe(); }

std::string DescribeServerConfig(const ServerConfig& config) {
  std::string out;
  out += "public URL: " + config.public_url + "\n";
  out += "listen: " + config.listen.host + ":" + std::to_string(config.listen.port) +
         (config.tls.enabled() ? " (TLS)" : " (plain HTTP: put TLS in front)") + "\n";
  out += "database: " + std::string(config::DatabaseProviderName(config.database.provider));
  if (config.database.provider == config::DatabaseProvider::kSqlite)
    out += " " + config.database.sqlite_path;
  else
    out += " (connection string set)";
  out += "\nsigning key: " + std::string(custody::RsaKeyProviderName(config.signing_key.provider));
  if (config.signing_key.provider == custody::RsaKeySettings::Provider::kFile) out += " " + config.signing_key.key_file;
  out += "\nsignups: ";
  switch (config.accounts.signups) {
    case ServerConfig::Accounts::Signups::kOpen: out += "open"; break;
    case ServerConfig::Accounts::Signups::kClosed: out += "closed"; break;
    case ServerConfig::Accounts::Signups::kDomains: out += "domains"; break;
  }
  out += "\norganizations created by: ";
  switch (config.organizations.creators) {
    case ServerConfig::Organizations::Creators::kEveryone: out += "everyone"; break;
    case ServerConfig::Organizations::Creators::kNobody: out += "nobody"; break;
    case ServerConfig::Organizations::Creators::kListed:
      out += std::to_string(config.organizations.creator_emails.size()) + " listed address(es)";
      break;
  }
  out += "\nmail: " + (config.mail.enabled()
                           ? config.mail.host + ":" + std::to_string(config.mail.port)
                           : std::string("not configured (verification, new-device notices and e-mail codes are off)"));
  out += "\npassword hash: argon2id m=" + std::to_string(config.password_hash.memory_kib) +
         " t=" + std::to_string(config.password_hash.iterations) +
         " p=" + std::to_string(config.password_hash.parallelism) + "\n";
  return out;
}

}  // namespace keywarden::server
