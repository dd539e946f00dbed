#include "sql/mariadb/mariadb_options.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include "base/ascii.h"
#include "sql/connection_string.h"

namespace keywarden::sql {
namespace {

// Every name that means each setting, as compared: lower case, without spaces, '_' or '-'
// (so "User ID", "userid" and "user_id" are one key).
enum class Setting {
  kServer,
  kPort,
  kDatabase,
  kUser,
  kPassword,
  kSslMode,
  kSslCa,
  kConnectTimeout,
  kCommandTimeout,
  kPoolSize,
  kPooling,
  kCount
};

struct Name {
  std::string_view name;
  Setting setting;
};
constexpr std::array kNames = {
    Name{"server", Setting::kServer},
    Name{"host", Setting::kServer},
    Name{"datasource", Setting::kServer},
    Name{"address", Setting::kServer},
    Name{"port", Setting::kPort},
    Name{"database", Setting::kDatabase},
    Name{"initialcatalog", Setting::kDatabase},
    Name{"userid", Setting::kUser},
    Name{"uid", Setting::kUser},
    Name{"user", Setting::kUser},
    Name{"username", Setting::kUser},
    Name{"password", Setting::kPassword},
    Name{"pwd", Setting::kPassword},
    Name{"sslmode", Setting::kSslMode},
    Name{"sslca", Setting::kSslCa},
    Name{"cacertificatefile", Setting::kSslCa},
    Name{"connectiontimeout", Setting::kConnectTimeout},
    Name{"connecttimeout", Setting::kConnectTimeout},
    Name{"defaultcommandtimeout", Setting::kCommandTimeout},
    Name{"commandtimeout", Setting::kCommandTimeout},
    Name{"maximumpoolsize", Setting::kPoolSize},
    Name{"maxpoolsize", Setting::kPoolSize},
    Name{"pooling", Setting::kPooling},
};

std::string Normalize(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c != ' ' && c != '_' && c != '-') out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

void Wipe(std::string& text) {
  if (!text.empty()) OPENSSL_cleanse(text.data(), text.size());
  text.clear();
}

Status Invalid(std::string_view what) { return InvalidArgumentError("MySQL connection string: " + std::string(what)); }

std::optional<std::uint32_t> ParseNumber(std::string_view text) {
  if (text.empty() || text.size() > 9) return std::nullopt;
  std::uint32_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint32_t>(c - '0');
  }
  return value;
}

Result<std::chrono::seconds> ParseSeconds(std::string_view key, std::string_view text, std::uint32_t min) {
  auto value = ParseNumber(text);
  if (!value || *value < min || *value > 3600) {
    return Invalid("'" + std::string(key) + "' must be a number of seconds from " + std::to_string(min) + " to 3600");
  }
  return std::chrono::seconds(*value);
}

// Applies one key/value pair; `seen` catches a setting given twice under two names.
class Builder {
 public:
  Status Apply(std::string_view raw_key, std::string&& value) {
    const std::string key = AsciiLower(raw_key);
    const std::string normalized = Normalize(key);
    const auto* name = std::find_if(kNames.begin(), kNames.end(), [&](const Name& n) { return n.name == normalized; });
    if (name == kNames.end()) return Invalid("unknown setting '" + key + "'");
    const auto index = static_cast<std::size_t>(name->setting);
    if (!seen_[index].empty()) return Invalid("'" + key + "' and '" + seen_[index] + "' set the same thing");
    seen_[index] = key;

    switch (name->setting) {
      case Setting::kServer:
        if (value.find(',') != std::string::npos) {
          return Invalid("'" + key + "' lists several servers; give one (a proxy or load balancer in front for more)");
        }
        if (value.empty()) return Invalid("'" + key + "' is empty");
        if (value.front() == '/') {
          options_.unix_socket = std::move(value);
        } else {
          options_.host = std::move(value);
        }
        return OkStatus();
      case Setting::kPort: {
        auto port = ParseNumber(value);
        if (!port || *port < 1 || *port > 65535) return Invalid("'" + key + "' must be a number from 1 to 65535");
        options_.port = static_cast<std::uint16_t>(*port);
        return OkStatus();
      }
      case Setting::kDatabase:
        if (value.empty()) return Invalid("'" + key + "' is empty");
        options_.database = std::move(value);
        return OkStatus();
      case Setting::kUser:
        if (value.empty()) return Invalid("'" + key + "' is empty");
        options_.user = std::move(value);
        return OkStatus();
      case Setting::kPassword:
        options_.password = SecureBuffer::CopyOf(std::string_view(value));
        Wipe(value);
        return OkStatus();
      case Setting::kSslMode: return ApplySslMode(key, AsciiLower(value));
      case Setting::kSslCa:
        if (value.empty()) return Invalid("'" + key + "' is empty");
        options_.ssl_ca = std::move(value);
        return OkStatus();
      case Setting::kConnectTimeout: {
        KW_ASSIGN_OR_RETURN(options_.connect_timeout, ParseSeconds(key, value, 1));
        return OkStatus();
      }
      case Setting::kCommandTimeout: {
        KW_ASSIGN_OR_RETURN(options_.read_timeout, ParseSeconds(key, value, 2));
        options_.write_timeout = options_.read_timeout;
        return OkStatus();
      }
      case Setting::kPoolSize: {
        auto size = ParseNumber(value);
        if (!size || *size < 1 || *size > 1000) return Invalid("'" + key + "' must be a number from 1 to 1000");
        options_.max_pool_size = static_cast<int>(*size);
        return OkStatus();
      }
      case Setting::kPooling:
        // The store always pools; a configuration that turns pooling off is not honoured.
        if (AsciiLower(value) != "true") return Invalid("'" + key + "' must be true: the connector always pools");
        return OkStatus();
      case Setting::kCount: break;
    }
    return Invalid("unknown setting '" + key + "'");
  }

  Result<MariaDbOptions> Finish() && {
    if (options_.database.empty()) return Invalid("no database given (Database=...)");
    if (options_.user.empty()) return Invalid("no user given (Uid=...)");
    if (!options_.ssl_ca.empty() && options_.ssl_mode != MariaDbSslMode::kVerifyFull) {
      return Invalid("SslCa is only used with SslMode=VerifyFull");
    }
    return std::move(options_);
  }

 private:
  Status ApplySslMode(const std::string& key, const std::string& value) {
    if (value == "none" || value == "disabled") {
      options_.ssl_mode = MariaDbSslMode::kNone;
    } else if (value == "preferred") {
      options_.ssl_mode = MariaDbSslMode::kPreferred;
    } else if (value == "required") {
      options_.ssl_mode = MariaDbSslMode::kRequired;
    } else if (value == "verifyfull" || value == "verify_identity") {
      options_.ssl_mode = MariaDbSslMode::kVerifyFull;
    } else if (value == "verifyca" || value == "verify_ca") {
      // Connector/C checks the host name whenever it checks the chain.
      return Invalid("'" + key + "' VerifyCA is not supported (the host name is always checked); use VerifyFull");
    } else {
      return Invalid("'" + key + "' must be None, Preferred, Required or VerifyFull");
    }
    return OkStatus();
  }

  MariaDbOptions options_;
  std::array<std::string, static_cast<std::size_t>(Setting::kCount)>
      seen_;  // by Setting: the name it was first given under
};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3986 percent-decoding; `part` names the URL part in errors.
Result<std::string> PercentDecode(std::string_view text, std::string_view part) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    const int high = i + 2 < text.size() ? HexValue(text[i + 1]) : -1;
    const int low = high >= 0 ? HexValue(text[i + 2]) : -1;
    if (low < 0) {
      Wipe(out);
      return Invalid("URL " + std::string(part) + " has a bad percent escape");
    }
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  if (out.find('\0') != std::string::npos) {
    Wipe(out);
    return Invalid("URL " + std::string(part) + " contains a NUL character");
  }
  return out;
}

// mysql://[user[:password]@]host[:port]/database[?key=value&...]
Result<MariaDbOptions> ParseUrl(std::string_view text, std::size_t scheme_length) {
  Builder builder;
  std::string_view rest = text.substr(scheme_length);
  if (rest.find('#') != std::string_view::npos) return Invalid("URL must not have a fragment ('#'); percent-encode it");

  std::string_view query;
  if (const auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  // The last '@': a password may hold an unencoded '@', never a host.
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const auto colon = userinfo.find(':');
    KW_ASSIGN_OR_RETURN(std::string user, PercentDecode(userinfo.substr(0, colon), "user"));
    if (!user.empty()) KW_RETURN_IF_ERROR(builder.Apply("user", std::move(user)));
    if (colon != std::string_view::npos) {
      KW_ASSIGN_OR_RETURN(std::string password, PercentDecode(userinfo.substr(colon + 1), "password"));
      KW_RETURN_IF_ERROR(builder.Apply("password", std::move(password)));
    }
  }

  const auto slash = rest.find('/');
  if (slash == std::string_view::npos) return Invalid("URL has no database (mysql://HOST/DATABASE)");
  std::string_view hostport = rest.substr(0, slash);
  const std::string_view path = rest.substr(slash + 1);
  if (path.find('/') != std::string_view::npos) return Invalid("URL path must be just the database name");

  std::string_view port;
  if (!hostport.empty() && hostport.front() == '[') {
    const auto close = hostport.find(']');
    if (close == std::string_view::npos) return Invalid("URL has an unterminated '[' in its host");
    const std::string_view after = hostport.substr(close + 1);
    if (!after.empty() && after.front() != ':') return Invalid("URL has text after its bracketed host");
    if (!after.empty()) port = after.substr(1);
    hostport = hostport.substr(1, close - 1);
  } else if (const auto colon = hostport.rfind(':'); colon != std::string_view::npos) {
    port = hostport.substr(colon + 1);
    hostport = hostport.substr(0, colon);
  }
  if (!hostport.empty()) {
    KW_ASSIGN_OR_RETURN(std::string host, PercentDecode(hostport, "host"));
    KW_RETURN_IF_ERROR(builder.Apply("server", std::move(host)));
  }
  if (!port.empty()) KW_RETURN_IF_ERROR(builder.Apply("port", std::string(port)));
  if (!path.empty()) {
    KW_ASSIGN_OR_RETURN(std::string database, PercentDecode(path, "database"));
    KW_RETURN_IF_ERROR(builder.Apply("database", std::move(database)));
  }

  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const auto equals = pair.find('=');
    if (equals == std::string_view::npos) return Invalid("URL query has a parameter without '='");
    KW_ASSIGN_OR_RETURN(std::string key, PercentDecode(pair.substr(0, equals), "query"));
    KW_ASSIGN_OR_RETURN(std::string value, PercentDecode(pair.substr(equals + 1), "query"));
    KW_RETURN_IF_ERROR(builder.Apply(key, std::move(value)));
  }
  return std::move(builder).Finish();
}

}  // namespace

MariaDbOptions MariaDbOptions::Clone() const {
  MariaDbOptions copy;
  copy.host = host;
  copy.port = port;
  copy.unix_socket = unix_socket;
  copy.database = database;
  copy.user = user;
  copy.password = password.Clone();
  copy.ssl_mode = ssl_mode;
  copy.ssl_ca = ssl_ca;
  copy.max_pool_size = max_pool_size;
  copy.connect_timeout = connect_timeout;
  copy.read_timeout = read_timeout;
  copy.write_timeout = write_timeout;
  copy.migration_lock_timeout = migration_lock_timeout;
  return copy;
}

std::string MariaDbOptions::Describe() const { return user + "@" + DescribeMariaDbTarget(*this); }

std::string DescribeMariaDbTarget(const MariaDbOptions& options) {
  const std::string where =
      options.unix_socket.empty() ? options.host + ":" + std::to_string(options.port) : "unix:" + options.unix_socket;
  return where + "/" + options.database;
}

std::string_view MariaDbSslModeName(MariaDbSslMode mode) {
  switch (mode) {
    case MariaDbSslMode::kNone: return "None";
    case MariaDbSslMode::kPreferred: return "Preferred";
    case MariaDbSslMode::kRequired: return "Required";
    case MariaDbSslMode::kVerifyFull: return "VerifyFull";
  }
  return "?";
}

Result<MariaDbOptions> ParseMariaDbConnectionString(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  if (text.empty()) return Invalid("empty");
  // A URL starts with a scheme: letters up to "://".
  if (const auto colon = text.find("://");
      colon != std::string_view::npos && colon > 0 &&
      std::all_of(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(colon),
                  [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; })) {
    const std::string scheme = AsciiLower(text.substr(0, colon));
    if (scheme != "mysql" && scheme != "mariadb") return Invalid("only mysql:// and mariadb:// URLs are understood");
    return ParseUrl(text, colon + 3);
  }

  auto pairs = ParseKeyValueConnectionString(text);
  if (!pairs.ok()) return InvalidArgumentError("MySQL " + pairs.status().message());
  Builder builder;
  Status status;
  for (auto& [key, value] : *pairs) {
    if (status.ok()) status = builder.Apply(key, std::move(value));
    Wipe(value);  // the password's copy in the split result
  }
  if (!status.ok()) return status;
  return std::move(builder).Finish();
}

}  // namespace keywarden::sql
