// FileSigningKey: the RSA key an identity provider signs its tokens with (RS256), read from a key
// file at start-up.
//
// The file is read exactly as FileRsaKeyProvider reads its own (file_rsa_key_provider.h): PEM
// PKCS#8, plain or encrypted, or PKCS#12 with a password, recognised by content; RSA keys of
// 2048..4096 bits only. The private key then stays in memory for the life of the object and the
// file is not read again. Signing is RSASSA-PKCS1-v1_5 with SHA-256, in process
// (jose/in_memory_signing_key.h).
//
// Use a key of its own: never the key file that wraps the data keys.
//
// Thread-safe: any number of threads may sign at once.
#ifndef KEYWARDEN_CUSTODY_FILE_FILE_SIGNING_KEY_H_
#define KEYWARDEN_CUSTODY_FILE_FILE_SIGNING_KEY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "custody/file/file_rsa_key_provider.h"
#include "jose/in_memory_signing_key.h"
#include "jose/signing_key.h"
#include "keywarden/crypto/secure_buffer.h"
#include "keywarden/status.h"

namespace keywarden::custody {

class FileSigningKey final : public jose::SigningKey {
 public:
  // Reads the key file `path`; `password` may be null for an unencrypted PEM file. `kid` names the
  // key in tokens and the JWKS; when empty, DefaultSigningKeyId of its public key.
  // Errors, naming the file and never the password: kUnavailable when it cannot be read;
  // kInvalidArgument for a wrong or missing password, a file that holds no key, a key that is not
  // RSA or whose size is outside 2048..4096 bits.
  static Result<std::unique_ptr<FileSigningKey>> Load(const std::string& path, const SecureBuffer* password,
                                                      std::string kid = "");

  jose::JwsAlgorithm alg() const override { return key_->alg(); }
  const std::string& kid() const override { return key_->kid(); }
  Result<std::vector<std::uint8_t>> Sign(std::string_view signing_input) const override {
    return key_->Sign(signing_input);
  }
  nlohmann::json PublicJwk() const override { return key_->PublicJwk(); }

  const std::string& path() const { return path_; }
  KeyFileFormat format() const { return format_; }
  // True when the file's group or others may read it, as it was when loaded.
  bool world_readable() const { return world_readable_; }
  // SHA-256 of the public key's SPKI DER, lower-case hex (SpkiFingerprint).
  const std::string& PublicKeyFingerprint() const { return fingerprint_; }

 private:
  FileSigningKey(std::string path, KeyFileFormat format, bool world_readable, std::string fingerprint,
                 std::unique_ptr<jose::InMemorySigningKey> key)
      : path_(std::move(path)),
        format_(format),
        world_readable_(world_readable),
        fingerprint_(std::move(fingerprint)),
        key_(std::move(key)) {}

  const std::string path_;
  const KeyFileFormat format_;
  const bool world_readable_;
  const std::string fingerprint_;
  const std::unique_ptr<const jose::InMemorySigningKey> key_;
};

}  // namespace keywarden::custody

#endif  // KEYWARDEN_CUSTODY_FILE_FILE_SIGNING_KEY_H_
