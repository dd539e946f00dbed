// FileRsaKeyProvider: the RSA key that wraps the data key, read from a file at start-up.
//
// Accepted files, recognised by their content (never by their name):
//   PEM "BEGIN PRIVATE KEY"            unencrypted PKCS#8
//   PEM "BEGIN ENCRYPTED PRIVATE KEY"  PKCS#8 under a password (PBES2)
//   PKCS#12 (.pfx/.p12)                the reference's default (/etc/bitwarden/key.pfx), with a password;
//                                      OpenSSL 3's defaults (PBES2/AES) or OpenSSL 1.1's (RC2-40, 3DES),
//                                      the latter through OpenSSL's legacy provider for that one
//                                      decryption only (legacy_pkcs12_context.h)
// Only RSA keys of 2048..4096 bits are accepted. The private key stays in memory for the
// life of the provider; the file is not read again. A file anyone may write is refused (they
// could substitute a key); one the group may write, or the group or others may read, is loaded
// with a warning.
#ifndef KEYWARDEN_CUSTODY_FILE_FILE_RSA_KEY_PROVIDER_H_
#define KEYWARDEN_CUSTODY_FILE_FILE_RSA_KEY_PROVIDER_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "custody/rsa_key_provider.h"
#include "keywarden/crypto/rsa.h"
#include "keywarden/crypto/secure_buffer.h"
#include "keywarden/status.h"

namespace keywarden::custody {

enum class KeyFileFormat { kPemPkcs8, kPkcs12 };

// "pem" or "pkcs12", as the CLI and configuration spell it.
std::string_view KeyFileFormatName(KeyFileFormat format);

// SHA-256 of the key's SPKI DER, lower-case hex (64 characters).
std::string SpkiFingerprint(const RsaPublicKey& key);

// The kid of a signing key for which none is configured: the first 16 hex digits of its
// SpkiFingerprint. Stable for the key wherever it is held (a file, an HSM), and different for
// different keys.
std::string DefaultSigningKeyId(const RsaPublicKey& key);

// The RSA private key in a key file, read as FileRsaKeyProvider::Load reads it (the formats above,
// the same checks and the same errors); for the other holders of key files (file_signing_key.h).
struct RsaKeyFile {
  KeyFileFormat format;
  bool world_readable;  // the group or others may read the file
  bool group_writable;  // the group may write it (others may not: such a file is refused)
  RsaPrivateKey key;
};
Result<RsaKeyFile> ReadRsaKeyFile(const std::string& path, const SecureBuffer* password);

class FileRsaKeyProvider final : public RsaKeyProvider {
 public:
  // Reads and parses the key file. `password` may be null for an unencrypted PEM file.
  // Errors: kUnavailable when the file cannot be read (naming the path); kInvalidArgument for
  // a file anyone may write, a wrong or missing password, a file that holds no
  // key, a key that is not RSA or whose size is outside 2048..4096 bits; kUnsupported for a
  // legacy PKCS#12 file when OpenSSL's legacy provider is not installed.
  static Result<std::unique_ptr<FileRsaKeyProvider>> Load(const std::string& path, const SecureBuffer* password);

  Result<std::vector<std::uint8_t>> Wrap(std::span<const std::uint8_t> data_key) const override;
  Result<SecureBuffer> Unwrap(std::span<const std::uint8_t> wrapped) const override;
  std::string PublicKeyFingerprint() const override { return fingerprint_; }
  Status Check() const override { return OkStatus(); }  // the key is in memory: always usable
  std::vector<std::string> Warnings() const override;

  const std::string& path() const { return path_; }
  KeyFileFormat format() const { return format_; }
  // True when the file's group or others may read it, as it was when loaded (see Warnings).
  bool world_readable() const { return world_readable_; }

 private:
  FileRsaKeyProvider(std::string path, KeyFileFormat format, bool world_readable, bool group_writable,
                     RsaPrivateKey private_key);

  std::string path_;
  KeyFileFormat format_;
  bool world_readable_;
  bool group_writable_;
  RsaPrivateKey private_key_;
  RsaPublicKey public_key_;
  std::string fingerprint_;
};

// Generates an RSA-2048 key and writes it to a new file `path` with mode 0600. Never
// overwrites: an existing path is kAlreadyExists "PATH exists; refusing to overwrite".
//   kPemPkcs8  PKCS#8 PEM, encrypted (PBES2, AES-256-CBC, PBKDF2-HMAC-SHA256) when `password`
//              is given, plain otherwise.
//   kPkcs12    needs `password`; holds the key and a self-signed certificate
//              (CN=Keywarden Key Connector, SHA-256, valid 10 years), because the reference
//              loads its key file as a certificate.
// Returns the new key's fingerprint (see SpkiFingerprint).
Result<std::string> CreateKeyFile(const std::string& path, KeyFileFormat format, const SecureBuffer* password);

}  // namespace keywarden::custody

#endif  // KEYWARDEN_CUSTODY_FILE_FILE_RSA_KEY_PROVIDER_H_
