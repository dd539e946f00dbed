#include "support/test_certificate.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace keywarden::testing {

http::TlsFiles MakeCertificate(const std::filesystem::path& dir, const std::string& name) {
  http::TlsFiles files{(dir / (name + ".crt")).string(), (dir / (name + ".key")).string()};
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  X509* cert = X509_new();
  EXPECT_TRUE(key && cert);
  X509_set_version(cert, X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* subject = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(cert, subject);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, ("DNS:" + name).c_str());
  EXPECT_TRUE(san);
  X509_add_ext(cert, san, -1);
  X509_EXTENSION_free(san);
  EXPECT_GT(X509_sign(cert, key, EVP_sha256()), 0);
  BIO* out = BIO_new_file(files.cert_file.c_str(), "w");
  EXPECT_EQ(PEM_write_bio_X509(out, cert), 1);
  BIO_free(out);
  out = BIO_new_file(files.key_file.c_str(), "w");
  EXPECT_EQ(PEM_write_bio_PrivateKey(out, key, nullptr, nullptr, 0, nullptr, nullptr), 1);
  BIO_free(out);
  X509_free(cert);
  EVP_PKEY_free(key);
  return files;
}

}  // namespace keywarden::testing
