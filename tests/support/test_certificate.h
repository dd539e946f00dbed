// A self-signed certificate made at run time, for tests that serve TLS (the HTTP server, its
// WebSockets).
#ifndef KEYWARDEN_TESTS_SUPPORT_TEST_CERTIFICATE_H_
#define KEYWARDEN_TESTS_SUPPORT_TEST_CERTIFICATE_H_

#include <filesystem>
#include <string>

#include "http/server.h"

namespace keywarden::testing {

// A self-signed P-256 certificate for `name` (CN and DNS SAN), valid from an hour ago for a
// day, written with its key as `dir`/<name>.crt and `dir`/<name>.key. Failures are recorded as
// test failures.
http::TlsFiles MakeCertificate(const std::filesystem::path& dir, const std::string& name);

}  // namespace keywarden::testing

#endif  // KEYWARDEN_TESTS_SUPPORT_TEST_CERTIFICATE_H_
