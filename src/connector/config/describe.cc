// DescribeConfig: the effective configuration, for `connector check`. Never prints a password.
#include <sstream>

#include "connector/config/connector_config.h"
#include "custody/pkcs11/pkcs11_module.h"
#include "sql/mariadb/mariadb_options.h"
#include "sql/postgres/postgres_options.h"

namespace keywarden::connector {
namespace {

// Where the database is: never the user or password of a connection string.
std::string DescribeDatabase(const ConnectorConfig::Database& database) {
  if (database.provider == config::DatabaseProvider::kPostgresql) {
    auto options = sql::ParsePostgresConnectionString(database.postgresql);
    if (!options.ok()) return "postgresql (connection string not valid)";
    return "postgresql " + sql::DescribePostgresTarget(*options) + ", pool of " +
           std::to_string(options->max_pool_size.value_or(database.connections));
  }
  if (database.provider == config::DatabaseProvider::kMysql) {
    auto options = sql::ParseMariaDbConnectionString(database.mysql);
    if (!options.ok()) return "mysql (connection string not valid)";
    return "mysql " + sql::DescribeMariaDbTarget(*options);
  }
  return "sqlite " + database.sqlite_path;
}

}  // namespace

std::string DescribeConfig(const ConnectorConfig& config) {
  std::ostringstream out;
  out << "listen: " << config::FormatListen(config.listen) << (config.tls.enabled() ? " (https)" : " (http)") << "\n";
  out << "identity server: " << config.identity_server_uri << "\n";
  out << "web vault origin: " << (config.web_vault_origin.empty() ? "(not set)" : config.web_vault_origin) << "\n";
  out << "database: " << DescribeDatabase(config.database) << "\n";
  if (config.rsa_key.provider == custody::RsaKeySettings::Provider::kPkcs11) {
    const custody::Pkcs11Settings& pkcs11 = config.rsa_key.pkcs11;
    out << "rsa key: pkcs11 module "
        << (pkcs11.library.empty() ? "of provider " + pkcs11.provider_name : pkcs11.library) << ", token "
        << (pkcs11.token_serial.empty() ? "labelled '" + pkcs11.token_label + "'" : "serial " + pkcs11.token_serial)
        << ", key "
        << (pkcs11.key_id.has_value() ? "id " + custody::Pkcs11IdHex(*pkcs11.key_id)
                                      : "labelled '" + pkcs11.key_label + "'")
        << ", login " << custody::Pkcs11UserTypeName(pkcs11.user_type) << " with PIN (set)";
    if (!pkcs11.pin_file.empty()) out << " from " << pkcs11.pin_file;
    out << ", " << pkcs11.sessions << " sessions\n";
  } else {
    out << "rsa key: " << custody::RsaKeyProviderName(config.rsa_key.provider) << " " << config.rsa_key.key_file
        << ", password " << (config.rsa_key.key_password.has_value() ? "(set)" : "(not set)");
    if (!config.rsa_key.key_password_file.empty()) out << " from " << config.rsa_key.key_password_file;
    out << "\n";
  }
  if (config.tls.enabled()) out << "tls: cert " << config.tls.cert_file << ", key " << config.tls.key_file << "\n";
  out << "auth: clock skew " << config.auth.clock_skew_seconds << " s, max token lifetime "
      << config.auth.max_token_lifetime_seconds << " s, audience "
      << (config.auth.audience.empty() ? "(not checked)" : config.auth.audience) << ", jwks refresh every "
      << config.auth.jwks_refresh_interval_seconds << " s (on demand at most every " << config.auth.jwks_refresh_seconds
      << " s), max token " << config.auth.max_token_bytes << " bytes"
      << (config.auth.allow_insecure_identity_server ? ", insecure identity server allowed" : "") << "\n";
  out << "limits: body " << config.limits.max_body_bytes << " bytes, request timeout "
      << config.limits.request_timeout_ms << " ms, idle timeout " << config.limits.idle_timeout_ms
      << " ms, max connections " << config.limits.max_connections << " (per address "
      << config.limits.max_connections_per_address << "), threads ";
  if (config.limits.threads == 0) {
    out << "one per core";
  } else {
    out << config.limits.threads;
  }
  out << "\n";
  out << "log: " << config::LogFormatName(config.log.format) << ", " << config::LogLevelName(config.log.level)
      << ", audit " << (config.log.audit ? "on" : "off") << "\n";
  out << "last access flush: every " << config.last_access_flush_seconds << " s\n";
  return out.str();
}

}  // namespace keywarden::connector
