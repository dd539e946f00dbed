// MariaDbOptions: where and how the MariaDB/MySQL key store connects, and the two ways the
// reference's configuration writes it.
//
//   Server=db.example.com;Port=3306;Database=keyconnector;Uid=keyconnector;Pwd=secret
//   mysql://keyconnector:secret@db.example.com:3306/keyconnector?SslMode=Required
//
// The first is the .NET form the reference Key Connector reads (MySqlConnector); the second a
// URL (`mariadb://` too; user, password and database percent-decoded; query parameters take the
// same names as the .NET keys). Keys ignore case. Accepted keys and their synonyms:
//
//   Server, Host, Data Source, Address     host name or address; a value starting with '/' is a
//                                          Unix socket path (default "localhost", over TCP)
//   Port                                   1-65535 (default 3306)
//   Database, Initial Catalog              required
//   User Id, UserId, Uid, User, Username   required
//   Password, Pwd                          secret: kept in a SecureBuffer, never in a message
//   SslMode, Ssl Mode                      None, Preferred (default, as MySqlConnector),
//                                          Required (TLS, server not verified), VerifyFull
//   SslCa, Ssl-Ca, CACertificateFile       CA file (PEM) for VerifyFull; default the system's
//   Connection Timeout, Connect Timeout    seconds to connect (default 3)
//   Default Command Timeout, Command Timeout  2 or more seconds a read or write may wait (default 5)
//   Maximum Pool Size, Max Pool Size       connections kept open (default: the configuration's)
//   Pooling                                true only: the store always pools
//
// Key names also ignore spaces, '_' and '-' ("User ID" = "userid" = "user_id"). Anything else is
// refused by name, so a setting the operator relies on is never silently dropped. Errors name
// the key, never its value.
#ifndef KEYWARDEN_SQL_MARIADB_MARIADB_OPTIONS_H_
#define KEYWARDEN_SQL_MARIADB_MARIADB_OPTIONS_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "keywarden/crypto/secure_buffer.h"
#include "keywarden/status.h"

namespace keywarden::sql {

enum class MariaDbSslMode {
  kNone,        // plain TCP
  kPreferred,   // TLS when the server offers it, unverified; else plain
  kRequired,    // TLS or fail; the certificate is not checked
  kVerifyFull,  // TLS, certificate chain and host name checked
};

struct MariaDbOptions {
  std::string host = "localhost";  // always reached over TCP, as MySqlConnector does
  std::uint16_t port = 3306;
  std::string unix_socket;  // when set, host and port are not used
  std::string database;
  std::string user;
  SecureBuffer password;
  MariaDbSslMode ssl_mode = MariaDbSslMode::kPreferred;
  std::string ssl_ca;  // PEM file of trusted CAs (kVerifyFull); empty: the system's
  // Connections kept open at most, 1 to 1000 ("Maximum Pool Size"); unset: Open's default.
  std::optional<int> max_pool_size;
  // Connector/C counts whole seconds. A call never waits longer than about these for an
  // unreachable or stalled server, and then reports kUnavailable.
  std::chrono::seconds connect_timeout{3};
  std::chrono::seconds read_timeout{5};
  std::chrono::seconds write_timeout{5};
  // How long Open waits for another instance's schema migration to finish.
  std::chrono::seconds migration_lock_timeout{60};

  MariaDbOptions Clone() const;
  // "user@host:port/database" or "user@unix:PATH/database", for messages (no password).
  std::string Describe() const;
};

// Parses either form above. kInvalidArgument names the offending key (or the URL part).
Result<MariaDbOptions> ParseMariaDbConnectionString(std::string_view text);

std::string_view MariaDbSslModeName(MariaDbSslMode mode);

// "host:port/database" or "unix:PATH/database": where the options point, without user or
// password, for logs, `connector check` and telling two databases apart.
std::string DescribeMariaDbTarget(const MariaDbOptions& options);

}  // namespace keywarden::sql

#endif  // KEYWARDEN_SQL_MARIADB_MARIADB_OPTIONS_H_
