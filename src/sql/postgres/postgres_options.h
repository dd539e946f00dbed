// PostgresOptions: where and how the PostgreSQL key store connects, read from a connection string.
//
// Two forms are accepted:
//   - the reference Key Connector's (Npgsql) form,
//     "Host=db;Port=5432;Database=keys;Username=kc;Password=...", keys case-insensitive, with
//     Npgsql's common synonyms (Server, User ID, UID, PWD, ...);
//   - a libpq URL, "postgresql://kc:...@db:5432/keys?sslmode=verify-full".
// Key names ignore case, spaces and underscores, so Npgsql's "SSL Mode" and libpq's "sslmode"
// (and "Connect_Timeout" and "Timeout"'s libpq name "connect_timeout") are one setting in both
// forms. Any other setting is refused by name, so a configuration that expects something we do
// not do (Search Path, Multiplexing, ...) never starts silently without it. docs/configuration.md
// lists the settings.
#ifndef KEYWARDEN_SQL_POSTGRES_POSTGRES_OPTIONS_H_
#define KEYWARDEN_SQL_POSTGRES_POSTGRES_OPTIONS_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keywarden/status.h"

namespace keywarden::sql {

struct PostgresHost {
  std::string host;  // a name, an IP address (IPv6 without brackets), or a Unix socket directory ("/...")
  std::uint16_t port = 5432;
};

struct PostgresOptions {
  // Tried in order (libpq's multi-host failover); at least one.
  std::vector<PostgresHost> hosts;
  std::string database;  // empty: libpq's default (the user name)
  std::string user;      // empty: libpq's default (the OS user)
  std::string password;  // secret: never logged or shown
  std::string passfile;

  std::string ssl_mode;  // libpq's sslmode ("disable" ... "verify-full"); empty: libpq's default (prefer)
  std::string ssl_root_cert;
  std::string ssl_cert;
  std::string ssl_key;
  std::string ssl_password;  // secret
  // libpq's target_session_attrs ("read-write", "primary", ...); empty: any server.
  std::string target_session_attrs;
  std::string application_name = "keywarden";

  // Pool size ("Maximum Pool Size"); unset: the configuration's database.connections.
  std::optional<std::size_t> max_pool_size;
  // Connections opened at start ("Minimum Pool Size").
  std::size_t min_pool_size = 1;

  // Per host tried (libpq's connect_timeout; Npgsql "Timeout").
  std::chrono::seconds connect_timeout{3};
  // The longest any one call waits for the server, on the client and (statement_timeout) on the
  // server (Npgsql "Command Timeout"). Past it the call fails kUnavailable.
  std::chrono::seconds command_timeout{5};
  // TCP keepalive idle time; 0 turns keepalives off (Npgsql "Keepalive", "Tcp Keepalive").
  std::chrono::seconds keepalive{5};
};

// Either form above. kInvalidArgument naming the offending key (never a value) for an unknown,
// repeated (also through a synonym) or malformed setting, or a missing host.
Result<PostgresOptions> ParsePostgresConnectionString(std::string_view text);

// "db:5432/keys" (hosts comma-separated): where the options point, without user or password,
// for logs and `connector check`.
std::string DescribePostgresTarget(const PostgresOptions& options);

}  // namespace keywarden::sql

#endif  // KEYWARDEN_SQL_POSTGRES_POSTGRES_OPTIONS_H_
