// DescribeConfig: the effective configuration, for `connector check`. Never prints a password.
#include <sstream>

#include "connector/config.h"

namespace keywarden::connector {

std::string DescribeConfig(const ConnectorConfig& config) {
  std::ostringstream out;
  out << "listen: " << FormatListen(config.listen) << (config.tls.enabled() ? " (https)" : " (http)") << "\n";
  out << "identity server: " << config.identity_server_uri << "\n";
  out << "web vault origin: " << (config.web_vault_origin.empty() ? "(not set)" : config.web_vault_origin) << "\n";
  out << "database: " << config.database.provider << " " << config.database.sqlite_path << "\n";
  out << "rsa key: " << config.rsa_key.provider << " " << config.rsa_key.key_file << ", password "
      << (config.rsa_key.key_password.has_value() ? "(set)" : "(not set)");
  if (!config.rsa_key.key_password_file.empty()) out << " from " << config.rsa_key.key_password_file;
  out << "\n";
  if (config.tls.enabled()) out << "tls: cert " << config.tls.cert_file << ", key " << config.tls.key_file << "\n";
  out << "auth: clock skew " << config.auth.clock_skew_seconds << " s, audience "
      << (config.auth.audience.empty() ? "(not checked)" : config.auth.audience) << ", jwks refresh "
      << config.auth.jwks_refresh_seconds << " s, max token " << config.auth.max_token_bytes << " bytes"
      << (config.auth.allow_insecure_identity_server ? ", insecure identity server allowed" : "") << "\n";
  out << "limits: body " << config.limits.max_body_bytes << " bytes, request timeout "
      << config.limits.request_timeout_ms << " ms, idle timeout " << config.limits.idle_timeout_ms
      << " ms, max connections " << config.limits.max_connections << ", threads ";
  if (config.limits.threads == 0) {
    out << "one per core";
  } else {
    out << config.limits.threads;
  }
  out << "\n";
  out << "log: " << LogFormatName(config.log.format) << ", " << LogLevelName(config.log.level) << ", audit "
      << (config.log.audit ? "on" : "off") << "\n";
  out << "last access flush: every " << config.last_access_flush_seconds << " s\n";
  return out.str();
}

}  // namespace keywarden::connector
