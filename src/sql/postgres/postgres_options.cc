#include "sql/postgres/postgres_options.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <map>

#include "base/ascii.h"
#include "sql/connection_string.h"

namespace keywarden::sql {
namespace {

constexpr std::string_view kWhat = "PostgreSQL connection string";

enum class Field {
  kHost,
  kPort,
  kDatabase,
  kUser,
  kPassword,
  kPassfile,
  kSslMode,
  kSslRootCert,
  kSslCert,
  kSslKey,
  kSslPassword,
  kTrustServerCertificate,
  kTargetSessionAttrs,
  kApplicationName,
  kMaxPoolSize,
  kMinPoolSize,
  kPooling,
  kConnectTimeout,
  kCommandTimeout,
  kKeepalive,
  kTcpKeepalive,
};

struct Alias {
  std::string_view name;  // normalised: lower case, no spaces or underscores
  Field field;
};

// Npgsql's names and synonyms, and libpq's keywords where they differ.
constexpr std::array kAliases = {
    Alias{"host", Field::kHost},
    Alias{"server", Field::kHost},
    Alias{"port", Field::kPort},
    Alias{"database", Field::kDatabase},
    Alias{"db", Field::kDatabase},
    Alias{"dbname", Field::kDatabase},
    Alias{"username", Field::kUser},
    Alias{"user", Field::kUser},
    Alias{"userid", Field::kUser},
    Alias{"uid", Field::kUser},
    Alias{"password", Field::kPassword},
    Alias{"psw", Field::kPassword},
    Alias{"pwd", Field::kPassword},
    Alias{"passfile", Field::kPassfile},
    Alias{"sslmode", Field::kSslMode},
    Alias{"rootcertificate", Field::kSslRootCert},
    Alias{"sslrootcert", Field::kSslRootCert},
    Alias{"sslcertificate", Field::kSslCert},
    Alias{"sslcert", Field::kSslCert},
    Alias{"sslkey", Field::kSslKey},
    Alias{"sslpassword", Field::kSslPassword},
    Alias{"trustservercertificate", Field::kTrustServerCertificate},
    Alias{"targetsessionattributes", Field::kTargetSessionAttrs},
    Alias{"targetsessionattrs", Field::kTargetSessionAttrs},
    Alias{"applicationname", Field::kApplicationName},
    Alias{"maximumpoolsize", Field::kMaxPoolSize},
    Alias{"maxpoolsize", Field::kMaxPoolSize},
    Alias{"minimumpoolsize", Field::kMinPoolSize},
    Alias{"minpoolsize", Field::kMinPoolSize},
    Alias{"pooling", Field::kPooling},
    Alias{"timeout", Field::kConnectTimeout},
    Alias{"connecttimeout", Field::kConnectTimeout},
    Alias{"commandtimeout", Field::kCommandTimeout},
    Alias{"keepalive", Field::kKeepalive},
    Alias{"keepalivesidle", Field::kKeepalive},
    Alias{"tcpkeepalive", Field::kTcpKeepalive},
    Alias{"keepalives", Field::kTcpKeepalive},
};

constexpr std::size_t kMaxPool = 1000;
constexpr std::int64_t kMaxSeconds = 3600;

// Lower case, without spaces, underscores or hyphens: "SSL Mode", "sslmode" and "Ssl_Mode" match;
// so do the values "VerifyFull" and "verify-full".
std::string Normalize(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == ' ' || c == '_' || c == '-') continue;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

std::string Quoted(std::string_view key) { return "'" + std::string(key) + "'"; }

Result<std::int64_t> ParseInteger(std::string_view key, std::string_view value, std::int64_t min, std::int64_t max) {
  std::int64_t number = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (value.empty() || error != std::errc() || end != value.data() + value.size() || number < min || number > max) {
    return InvalidArgumentError(std::string(kWhat) + " setting " + Quoted(key) + " must be an integer from " +
                                std::to_string(min) + " to " + std::to_string(max));
  }
  return number;
}

Result<bool> ParseBool(std::string_view key, std::string_view value) {
  const std::string word = Normalize(value);
  if (word == "true" || word == "yes" || word == "on" || word == "1") return true;
  if (word == "false" || word == "no" || word == "off" || word == "0") return false;
  return InvalidArgumentError(std::string(kWhat) + " setting " + Quoted(key) + " must be true or false");
}

Result<std::string> ParseChoice(std::string_view key, std::string_view value,
                                std::initializer_list<std::string_view> choices) {
  const std::string word = Normalize(value);
  std::string list;
  for (std::string_view choice : choices) {
    if (Normalize(choice) == word) return std::string(choice);
    list += (list.empty() ? "" : ", ") + std::string(choice);
  }
  return InvalidArgumentError(std::string(kWhat) + " setting " + Quoted(key) + " must be one of " + list);
}

// Gathers settings from either form, then checks what needs all of them (hosts and ports).
class Builder {
 public:
  Status Set(std::string_view key, std::string value) {
    const std::string name = Normalize(key);
    const auto alias = std::find_if(kAliases.begin(), kAliases.end(), [&](const Alias& a) { return a.name == name; });
    if (alias == kAliases.end()) {
      return InvalidArgumentError("unsupported " + std::string(kWhat) + " setting " + Quoted(key));
    }
    const auto [previous, inserted] = seen_.emplace(alias->field, std::string(key));
    if (!inserted) {
      return InvalidArgumentError(std::string(kWhat) + " sets " + Quoted(previous->second) + " twice" +
                                  (previous->second == key ? "" : " (as " + Quoted(key) + ")"));
    }
    return Apply(alias->field, key, std::move(value));
  }

  Result<PostgresOptions> Finish() && {
    if (host_list_.empty()) return InvalidArgumentError(std::string(kWhat) + " has no host (Host=...)");
    std::string_view rest = host_list_;
    while (true) {
      const std::size_t comma = std::min(rest.find(','), rest.size());
      KW_RETURN_IF_ERROR(AddHost(rest.substr(0, comma)));
      if (comma == rest.size()) break;
      rest.remove_prefix(comma + 1);
    }
    if (options_.max_pool_size.has_value() && options_.min_pool_size > *options_.max_pool_size) {
      return InvalidArgumentError(std::string(kWhat) + ": the minimum pool size is larger than the maximum");
    }
    if (!tcp_keepalive_) options_.keepalive = std::chrono::seconds(0);
    return std::move(options_);
  }

 private:
  Status Apply(Field field, std::string_view key, std::string value) {
    switch (field) {
      case Field::kHost: host_list_ = std::move(value); return OkStatus();
      case Field::kPort: {
        KW_ASSIGN_OR_RETURN(auto port, ParseInteger(key, value, 1, 65535));
        default_port_ = static_cast<std::uint16_t>(port);
        return OkStatus();
      }
      case Field::kDatabase: options_.database = std::move(value); return OkStatus();
      case Field::kUser: options_.user = std::move(value); return OkStatus();
      case Field::kPassword: options_.password = std::move(value); return OkStatus();
      case Field::kPassfile: options_.passfile = std::move(value); return OkStatus();
      case Field::kSslMode: {
        KW_ASSIGN_OR_RETURN(
            options_.ssl_mode,
            ParseChoice(key, value, {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}));
        return OkStatus();
      }
      case Field::kSslRootCert: options_.ssl_root_cert = std::move(value); return OkStatus();
      case Field::kSslCert: options_.ssl_cert = std::move(value); return OkStatus();
      case Field::kSslKey: options_.ssl_key = std::move(value); return OkStatus();
      case Field::kSslPassword: options_.ssl_password = std::move(value); return OkStatus();
      case Field::kTrustServerCertificate:
        // Npgsql needed it with "SSL Mode=Require"; libpq's sslmode alone decides verification
        // (require: encrypted, not verified), so it only has to be well-formed.
        return ParseBool(key, value).status();
      case Field::kTargetSessionAttrs: {
        KW_ASSIGN_OR_RETURN(
            options_.target_session_attrs,
            ParseChoice(key, value, {"any", "read-write", "read-only", "primary", "standby", "prefer-standby"}));
        return OkStatus();
      }
      case Field::kApplicationName: options_.application_name = std::move(value); return OkStatus();
      case Field::kMaxPoolSize: {
        KW_ASSIGN_OR_RETURN(auto size, ParseInteger(key, value, 1, kMaxPool));
        options_.max_pool_size = static_cast<std::size_t>(size);
        return OkStatus();
      }
      case Field::kMinPoolSize: {
        KW_ASSIGN_OR_RETURN(auto size, ParseInteger(key, value, 0, kMaxPool));
        options_.min_pool_size = std::max<std::size_t>(1, static_cast<std::size_t>(size));
        return OkStatus();
      }
      case Field::kPooling: {
        KW_ASSIGN_OR_RETURN(bool pooling, ParseBool(key, value));
        if (!pooling) {
          return InvalidArgumentError(std::string(kWhat) + " setting " + Quoted(key) +
                                      " cannot be false: keywarden always keeps a pool of connections");
        }
        return OkStatus();
      }
      case Field::kConnectTimeout: {
        // Not 0: libpq (and Npgsql) read it as "wait forever".
        KW_ASSIGN_OR_RETURN(auto seconds, ParseInteger(key, value, 1, kMaxSeconds));
        options_.connect_timeout = std::chrono::seconds(seconds);
        return OkStatus();
      }
      case Field::kCommandTimeout: {
        KW_ASSIGN_OR_RETURN(auto seconds, ParseInteger(key, value, 1, kMaxSeconds));
        options_.command_timeout = std::chrono::seconds(seconds);
        return OkStatus();
      }
      case Field::kKeepalive: {
        KW_ASSIGN_OR_RETURN(auto seconds, ParseInteger(key, value, 0, kMaxSeconds));
        options_.keepalive = std::chrono::seconds(seconds);
        return OkStatus();
      }
      case Field::kTcpKeepalive: {
        KW_ASSIGN_OR_RETURN(tcp_keepalive_, ParseBool(key, value));
        return OkStatus();
      }
    }
    return InternalError("unhandled PostgreSQL setting");
  }

  // "name", "name:port", "[v6]", "[v6]:port", "v6" or "/socket/dir".
  Status AddHost(std::string_view text) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    if (text.empty()) return InvalidArgumentError(std::string(kWhat) + " has an empty host in its host list");
    PostgresHost host{std::string(text), default_port_};
    std::string_view port;
    if (text.front() == '/') {
      // A Unix socket directory: no port inside.
    } else if (text.front() == '[') {
      const std::size_t close = text.find(']');
      if (close == std::string_view::npos) {
        return InvalidArgumentError(std::string(kWhat) + " has a host with '[' but no ']'");
      }
      host.host = std::string(text.substr(1, close - 1));
      std::string_view after = text.substr(close + 1);
      if (!after.empty()) {
        if (after.front() != ':') return InvalidArgumentError(std::string(kWhat) + " has text after a host's ']'");
        port = after.substr(1);
        if (port.empty()) return InvalidArgumentError(std::string(kWhat) + " has a host with an empty port");
      }
    } else if (const std::size_t colon = text.find(':');
               colon != std::string_view::npos && text.find(':', colon + 1) == std::string_view::npos) {
      host.host = std::string(text.substr(0, colon));
      port = text.substr(colon + 1);
      if (port.empty()) return InvalidArgumentError(std::string(kWhat) + " has a host with an empty port");
    }
    if (!port.empty()) {
      KW_ASSIGN_OR_RETURN(auto number, ParseInteger("host port", port, 1, 65535));
      host.port = static_cast<std::uint16_t>(number);
    }
    if (host.host.empty()) return InvalidArgumentError(std::string(kWhat) + " has an empty host in its host list");
    options_.hosts.push_back(std::move(host));
    return OkStatus();
  }

  PostgresOptions options_;
  std::map<Field, std::string> seen_;  // each field, by the name first used for it
  std::string host_list_;
  std::uint16_t default_port_ = 5432;
  bool tcp_keepalive_ = true;
};

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> PercentDecode(std::string_view text, std::string_view part) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    const int high = i + 2 < text.size() ? HexDigit(text[i + 1]) : -1;
    const int low = i + 2 < text.size() ? HexDigit(text[i + 2]) : -1;
    if (high < 0 || low < 0) {
      return InvalidArgumentError("PostgreSQL URL has a malformed %-escape in its " + std::string(part));
    }
    const char c = static_cast<char>(high * 16 + low);
    if (c == '\0') return InvalidArgumentError("PostgreSQL URL has an encoded NUL in its " + std::string(part));
    out.push_back(c);
    i += 2;
  }
  return out;
}

// postgresql://[user[:password]@][host[:port][,host[:port]...]][/database][?key=value&...]
Result<PostgresOptions> ParseUrl(std::string_view text) {
  const std::size_t scheme_end = text.find("://");
  text.remove_prefix(scheme_end + 3);
  if (text.find('#') != std::string_view::npos)
    return InvalidArgumentError("PostgreSQL URL must not have a '#' fragment");

  const std::size_t question = std::min(text.find('?'), text.size());
  std::string_view query = text.substr(std::min(question + 1, text.size()));
  const std::string_view before_query = text.substr(0, question);
  const std::size_t slash = std::min(before_query.find('/'), before_query.size());
  const std::string_view authority = before_query.substr(0, slash);
  const std::string_view path = before_query.substr(std::min(slash + 1, before_query.size()));

  Builder builder;
  std::string_view hosts = authority;
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    hosts = authority.substr(at + 1);
    const std::size_t colon = std::min(userinfo.find(':'), userinfo.size());
    KW_ASSIGN_OR_RETURN(std::string user, PercentDecode(userinfo.substr(0, colon), "user name"));
    if (!user.empty()) KW_RETURN_IF_ERROR(builder.Set("user", std::move(user)));
    if (colon < userinfo.size()) {
      KW_ASSIGN_OR_RETURN(std::string password, PercentDecode(userinfo.substr(colon + 1), "password"));
      KW_RETURN_IF_ERROR(builder.Set("password", std::move(password)));
    }
  }
  if (!hosts.empty()) {
    KW_ASSIGN_OR_RETURN(std::string decoded, PercentDecode(hosts, "host"));
    KW_RETURN_IF_ERROR(builder.Set("host", std::move(decoded)));
  }
  if (!path.empty()) {
    if (path.find('/') != std::string_view::npos) {
      return InvalidArgumentError("PostgreSQL URL path must be just the database name");
    }
    KW_ASSIGN_OR_RETURN(std::string database, PercentDecode(path, "database name"));
    KW_RETURN_IF_ERROR(builder.Set("dbname", std::move(database)));
  }
  while (!query.empty()) {
    const std::size_t amp = std::min(query.find('&'), query.size());
    const std::string_view pair = query.substr(0, amp);
    query.remove_prefix(std::min(amp + 1, query.size()));
    if (pair.empty()) continue;
    const std::size_t equals = pair.find('=');
    if (equals == std::string_view::npos) {
      return InvalidArgumentError("PostgreSQL URL has a query parameter without '='");
    }
    KW_ASSIGN_OR_RETURN(std::string key, PercentDecode(pair.substr(0, equals), "query"));
    KW_ASSIGN_OR_RETURN(std::string value, PercentDecode(pair.substr(equals + 1), "query"));
    KW_RETURN_IF_ERROR(builder.Set(key, std::move(value)));
  }
  return std::move(builder).Finish();
}

}  // namespace

Result<PostgresOptions> ParsePostgresConnectionString(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  if (text.empty()) return InvalidArgumentError(std::string(kWhat) + " is empty");
  if (StartsWithIgnoreAsciiCase(text, "postgresql://") || StartsWithIgnoreAsciiCase(text, "postgres://"))
    return ParseUrl(text);
  if (text.find("://") != std::string_view::npos && text.find("://") < text.find_first_of(";=")) {
    return InvalidArgumentError("a PostgreSQL URL must start with postgresql:// or postgres://");
  }

  auto pairs = ParseKeyValueConnectionString(text);
  if (!pairs.ok()) return InvalidArgumentError(std::string(kWhat) + ": " + pairs.status().message());
  Builder builder;
  for (auto& [key, value] : *pairs) KW_RETURN_IF_ERROR(builder.Set(key, std::move(value)));
  return std::move(builder).Finish();
}

std::string DescribePostgresTarget(const PostgresOptions& options) {
  std::string out;
  for (const PostgresHost& host : options.hosts) {
    if (!out.empty()) out += ",";
    const bool v6 = host.host.find(':') != std::string::npos && host.host.front() != '/';
    out += v6 ? "[" + host.host + "]" : host.host;
    out += ":" + std::to_string(host.port);
  }
  return out + "/" + (options.database.empty() ? "(default database)" : options.database);
}

}  // namespace keywarden::sql
