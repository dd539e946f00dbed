#include "config/sections.h"

#include <algorithm>
#include <array>

#include "config/values.h"
#include "net/url.h"

namespace keywarden::config {
namespace {

constexpr std::uint64_t kDay = 86400;
constexpr std::uint64_t kHourMs = std::uint64_t{3600} * 1000;

using R = RawValue;

Status ApplyListenHost(const RawValue& raw, ListenSection& listen) {
  KW_ASSIGN_OR_RETURN(std::string host, AsString(raw));
  if (!net::IsValidHost(host)) return InvalidArgumentError(raw.origin + " must be a host name or IP address");
  listen.host = std::move(host);
  return OkStatus();
}

Status ApplyLogFormat(const RawValue& raw, LogSection& log) {
  KW_ASSIGN_OR_RETURN(std::string name, AsName(raw));
  for (auto format : {LogSection::Format::kPlain, LogSection::Format::kJson}) {
    if (name == LogFormatName(format)) {
      log.format = format;
      return OkStatus();
    }
  }
  return InvalidArgumentError(raw.origin + " must be \"plain\" or \"json\"");
}

Status ApplyLogLevel(const RawValue& raw, LogSection& log) {
  KW_ASSIGN_OR_RETURN(std::string name, AsName(raw));
  using Level = LogSection::Level;
  for (Level level : {Level::kTrace, Level::kDebug, Level::kInfo, Level::kWarn, Level::kError}) {
    if (name == LogLevelName(level)) {
      log.level = level;
      return OkStatus();
    }
  }
  return InvalidArgumentError(raw.origin + " must be one of trace, debug, info, warn, error");
}

}  // namespace

std::string_view DatabaseProviderName(DatabaseProvider provider) {
  switch (provider) {
    case DatabaseProvider::kSqlite: return "sqlite";
    case DatabaseProvider::kPostgresql: return "postgresql";
    case DatabaseProvider::kMysql: return "mysql";
  }
  return "unknown";
}

namespace {

Status ApplyDatabaseProvider(const RawValue& raw, DatabaseSection& database) {
  KW_ASSIGN_OR_RETURN(std::string name, AsName(raw));
  for (DatabaseProvider provider :
       {DatabaseProvider::kSqlite, DatabaseProvider::kPostgresql, DatabaseProvider::kMysql}) {
    if (name == DatabaseProviderName(provider)) {
      database.provider = provider;
      return OkStatus();
    }
  }
  if (OneOf(name, {"json", "sqlserver", "mongo"})) {
    return UnsupportedError("database provider '" + name + "' is not supported by this build yet (" + raw.origin + ")");
  }
  return InvalidArgumentError("unknown database provider '" + name + "' in " + raw.origin +
                              " (this build supports: sqlite, postgresql, mysql)");
}

constexpr std::array<SettingRow<ListenSection>, 2> kListen = {{
    {"listen.host", ApplyListenHost, "host name or IP address to listen on"},
    {"listen.port", [](const R& r, ListenSection& s) { return SetInteger(r, 0, 65535, s.port); }, "TCP port"},
}};

constexpr std::array<SettingRow<IdentitySection>, 7> kIdentity = {{
    {"auth.clock_skew_seconds",
     [](const R& r, IdentitySection& s) { return SetInteger(r, 0, 600, s.clock_skew_seconds); },
     "tolerated clock difference for token times"},
    {"auth.max_token_lifetime_seconds",
     [](const R& r, IdentitySection& s) { return SetInteger(r, 60, 30 * kDay, s.max_token_lifetime_seconds); },
     "longest token lifetime accepted (exp - iat)"},
    {"auth.audience", [](const R& r, IdentitySection& s) { return SetString(r, s.audience); },
     "required token audience; empty = not checked"},
    {"auth.jwks_refresh_seconds",
     [](const R& r, IdentitySection& s) { return SetInteger(r, 1, kDay, s.jwks_refresh_seconds); },
     "least time between two fetches of the identity server's keys"},
    {"auth.jwks_refresh_interval_seconds",
     [](const R& r, IdentitySection& s) { return SetInteger(r, 1, kDay, s.jwks_refresh_interval_seconds); },
     "time between two scheduled fetches of the identity server's keys"},
    {"auth.max_token_bytes",
     [](const R& r, IdentitySection& s) { return SetInteger(r, 1024, 1 << 20, s.max_token_bytes); },
     "largest bearer token accepted"},
    {"auth.allow_insecure_identity_server",
     [](const R& r, IdentitySection& s) { return SetBool(r, s.allow_insecure_identity_server); },
     "allow plain http to a non-loopback identity server"},
}};

constexpr std::array<SettingRow<DatabaseSection>, 5> kDatabase = {{
    {"database.provider", ApplyDatabaseProvider, "sqlite, postgresql or mysql", false, false, true},
    {"database.sqlite_path", [](const R& r, DatabaseSection& s) { return SetPath(r, s.sqlite_path); },
     "SQLite database file"},
    {"database.postgresql", [](const R& r, DatabaseSection& s) { return SetString(r, s.postgresql); },
     "PostgreSQL connection string", true},
    {"database.mysql", [](const R& r, DatabaseSection& s) { return SetString(r, s.mysql); },
     "MySQL/MariaDB connection string", true},
    {"database.connections", [](const R& r, DatabaseSection& s) { return SetInteger(r, 1, 1000, s.connections); },
     "connection pool size"},
}};

constexpr std::array<SettingRow<TlsSection>, 2> kTls = {{
    {"tls.cert_file", [](const R& r, TlsSection& s) { return SetString(r, s.cert_file); }, "PEM certificate chain"},
    {"tls.key_file", [](const R& r, TlsSection& s) { return SetString(r, s.key_file); }, "PEM private key"},
}};

Status ApplyTrustedProxies(const RawValue& raw, LimitsSection& s) {
  KW_ASSIGN_OR_RETURN(std::string text, AsString(raw));
  auto networks = net::ParseIpNetworkList(text);
  if (!networks.ok()) return InvalidArgumentError(raw.origin + ": " + networks.status().message());
  s.trusted_proxies = *std::move(networks);
  return OkStatus();
}

constexpr std::array<SettingRow<LimitsSection>, 7> kLimits = {{
    {"limits.max_body_bytes",
     [](const R& r, LimitsSection& s) { return SetInteger(r, 1024, 16 << 20, s.max_body_bytes); },
     "largest request body"},
    {"limits.request_timeout_ms",
     [](const R& r, LimitsSection& s) { return SetInteger(r, 1, kHourMs, s.request_timeout_ms); },
     "time to read a request and write its response"},
    {"limits.idle_timeout_ms",
     [](const R& r, LimitsSection& s) { return SetInteger(r, 1, kHourMs, s.idle_timeout_ms); },
     "time a kept-alive connection may stay idle"},
    {"limits.max_connections",
     [](const R& r, LimitsSection& s) { return SetInteger(r, 1, 1000000, s.max_connections); },
     "open connections at most"},
    {"limits.max_connections_per_address",
     [](const R& r, LimitsSection& s) { return SetInteger(r, 0, 1000000, s.max_connections_per_address); },
     "open connections from one client address at most; 0 = no limit"},
    {"limits.threads", [](const R& r, LimitsSection& s) { return SetInteger(r, 0, 1024, s.threads); },
     "server threads; 0 = one per core"},
    {"limits.trusted_proxies", ApplyTrustedProxies,
     "reverse proxies whose X-Forwarded-For names the client: addresses or networks, comma-separated"},
}};

constexpr std::array<SettingRow<LogSection>, 3> kLog = {{
    {"log.format", ApplyLogFormat, "plain or json"},
    {"log.level", ApplyLogLevel, "trace, debug, info, warn or error"},
    {"log.audit", [](const R& r, LogSection& s) { return SetBool(r, s.audit); }, "one line per key read or written"},
}};

// A bearer secret for scrapers: long enough not to be guessed, printable, no spaces.
Status ApplyMetricsToken(const RawValue& raw, MetricsSection& section) {
  std::string token;
  KW_RETURN_IF_ERROR(SetString(raw, token));
  const bool printable = std::all_of(token.begin(), token.end(), [](char c) { return c > ' ' && c < 127; });
  if (token.size() < 16 || !printable) {
    return InvalidArgumentError(raw.origin + " must be at least 16 printable characters without spaces");
  }
  section.token = std::move(token);
  return OkStatus();
}

constexpr std::array<SettingRow<MetricsSection>, 2> kMetrics = {{
    {"metrics.token", ApplyMetricsToken, "bearer token a /metrics scrape must send; not set = open", true},
    {"metrics.sample_seconds", [](const R& r, MetricsSection& s) { return SetInteger(r, 1, 3600, s.sample_seconds); },
     "how often gauges that cost a query are sampled"},
}};

}  // namespace

std::string_view LogFormatName(LogSection::Format format) {
  return format == LogSection::Format::kJson ? "json" : "plain";
}

std::string_view LogLevelName(LogSection::Level level) {
  using Level = LogSection::Level;
  switch (level) {
    case Level::kTrace: return "trace";
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "info";
}

std::span<const SettingRow<ListenSection>> ListenRows() { return kListen; }
std::span<const SettingRow<IdentitySection>> IdentityRows() { return kIdentity; }
std::span<const SettingRow<TlsSection>> TlsRows() { return kTls; }
std::span<const SettingRow<LimitsSection>> LimitsRows() { return kLimits; }
std::span<const SettingRow<LogSection>> LogRows() { return kLog; }
std::span<const SettingRow<MetricsSection>> MetricsRows() { return kMetrics; }
std::span<const SettingRow<DatabaseSection>> DatabaseRows() { return kDatabase; }

Status CheckTls(const RawSettings& settings, const TlsSection& tls) {
  if (tls.cert_file.empty() == tls.key_file.empty()) return OkStatus();
  const bool cert = !tls.cert_file.empty();
  return InvalidArgumentError(OriginOf(settings, cert ? "tls.cert_file" : "tls.key_file") + " is set but " +
                              (cert ? "tls.key_file" : "tls.cert_file") + " is not: set both or neither");
}

}  // namespace keywarden::config
