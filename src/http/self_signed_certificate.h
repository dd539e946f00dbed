// A throwaway certificate authority and a server certificate it signs, for a development server
// that clients must reach over TLS (the official Bitwarden clients refuse plain http).
//
// Clients trust the CA's certificate (NODE_EXTRA_CA_CERTS=ca.pem for the CLI); the server serves
// the leaf. Both keys are P-256; the leaf names localhost, 127.0.0.1 and ::1, and is valid from
// an hour ago for `days`. Never for production: the CA's key is thrown away, so nothing else can
// ever be signed with it, but the files sit wherever the caller puts them.
#ifndef KEYWARDEN_HTTP_SELF_SIGNED_CERTIFICATE_H_
#define KEYWARDEN_HTTP_SELF_SIGNED_CERTIFICATE_H_

#include <filesystem>
#include <string>

#include "http/server.h"
#include "keywarden/status.h"

namespace keywarden::http {

struct DevelopmentCertificate {
  TlsFiles server;      // leaf chain and key, for HttpServerOptions::tls
  std::string ca_file;  // the CA certificate clients must trust
};

// Writes ca.pem, server.pem and server.key (0600) into `dir`. kInternal when OpenSSL fails,
// kUnavailable when a file cannot be written (naming it).
Result<DevelopmentCertificate> MakeDevelopmentCertificate(const std::filesystem::path& dir, int days = 30);

}  // namespace keywarden::http

#endif  // KEYWARDEN_HTTP_SELF_SIGNED_CERTIFICATE_H_
