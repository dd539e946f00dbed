#include "http/self_signed_certificate.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <memory>

namespace keywarden::http {
namespace {

struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertFree {
  void operator()(X509* cert) const { X509_free(cert); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;
using CertPtr = std::unique_ptr<X509, CertFree>;

bool AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (extension == nullptr) return false;
  const bool added = X509_add_ext(cert, extension, -1) == 1;
  X509_EXTENSION_free(extension);
  return added;
}

// A certificate for `subject_name`, signed by `issuer_key` (and named after `issuer`, or itself).
CertPtr MakeCertificate(EVP_PKEY* key, const char* subject_name, X509* issuer, EVP_PKEY* issuer_key, long serial,
                        int days, bool ca) {
  CertPtr cert(X509_new());
  if (!cert) return nullptr;
  X509_set_version(cert.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* subject = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(subject_name), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : subject);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  bool ok = true;
  if (ca) {
    ok = AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") &&
         AddExtension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    ok = AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE") &&
         AddExtension(cert.get(), signer, NID_key_usage, "critical,digitalSignature") &&
         AddExtension(cert.get(), signer, NID_ext_key_usage, "serverAuth") &&
         AddExtension(cert.get(), signer, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1");
  }
  if (!ok || X509_sign(cert.get(), issuer_key, EVP_sha256()) <= 0) return nullptr;
  return cert;
}

Status WritePem(const std::string& path, X509* cert, EVP_PKEY* key) {
  const mode_t old_mask = ::umask(077);
  FILE* file = std::fopen(path.c_str(), "w");
  ::umask(old_mask);
  if (file == nullptr) return UnavailableError("cannot write " + path);
  const bool ok = cert != nullptr ? PEM_write_X509(file, cert) == 1
                                  : PEM_write_PrivateKey(file, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  const bool closed = std::fclose(file) == 0;
  if (!ok || !closed) return UnavailableError("cannot write " + path);
  return OkStatus();
}

}  // namespace

Result<DevelopmentCertificate> MakeDevelopmentCertificate(const std::filesystem::path& dir, int days) {
  KeyPtr ca_key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  KeyPtr server_key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!ca_key || !server_key) return InternalError("cannot generate a P-256 key");
  CertPtr ca = MakeCertificate(ca_key.get(), "Keywarden development CA", nullptr, ca_key.get(), 1, days, true);
  if (!ca) return InternalError("cannot make the development CA certificate");
  CertPtr leaf = MakeCertificate(server_key.get(), "localhost", ca.get(), ca_key.get(), 2, days, false);
  if (!leaf) return InternalError("cannot make the development server certificate");
  DevelopmentCertificate out;
  out.ca_file = (dir / "ca.pem").string();
  out.server = TlsFiles{(dir / "server.pem").string(), (dir / "server.key").string()};
  KW_RETURN_IF_ERROR(WritePem(out.ca_file, ca.get(), nullptr));
  KW_RETURN_IF_ERROR(WritePem(out.server.cert_file, leaf.get(), nullptr));
  KW_RETURN_IF_ERROR(WritePem(out.server.key_file, nullptr, server_key.get()));
  return out;
}

}  // namespace keywarden::http
