#include "custody/file/file_signing_key.h"

#include <utility>

namespace keywarden::custody {

Result<std::unique_ptr<FileSigningKey>> FileSigningKey::Load(const std::string& path, const SecureBuffer* password,
                                                             std::string kid) {
  KW_ASSIGN_OR_RETURN(RsaKeyFile file, ReadRsaKeyFile(path, password));
  const RsaPublicKey public_key = file.key.PublicKey();
  std::string fingerprint = SpkiFingerprint(public_key);
  if (kid.empty()) kid = DefaultSigningKeyId(public_key);
  auto key = jose::InMemorySigningKey::FromRsaKey(std::move(file.key), std::move(kid), jose::JwsAlgorithm::kRs256);
  if (!key.ok()) return Status(key.status().code(), "key file " + path + ": " + key.status().message());
  return std::unique_ptr<FileSigningKey>(
      new FileSigningKey(path, file.format, file.world_readable, std::move(fingerprint), std::move(key).value()));
}

}  // namespace keywarden::custody
