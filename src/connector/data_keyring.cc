#include "connector/data_keyring.h"

#include <chrono>
#include <string>

#include "keywarden/crypto/encoding.h"
#include "keywarden/crypto/random.h"

namespace keywarden::connector {
namespace {

store::TimeMs NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Version 1 for an empty store. The candidate may lose a race with another instance; the
// record the store returns is the one every instance uses.
Result<store::WrappedDataKey> InitFirstVersion(store::KeyStore& store, const RsaKeyProvider& provider) {
  KW_ASSIGN_OR_RETURN(SecureBuffer data_key, RandomSecret(DataKeyring::kDataKeySize));
  KW_ASSIGN_OR_RETURN(std::vector<std::uint8_t> wrapped, provider.Wrap(data_key.span()));
  const store::WrappedDataKey candidate{1, std::move(wrapped), provider.PublicKeyFingerprint(), NowMs()};
  return store.InitDataKey(candidate);
}

Result<std::unique_ptr<Aead>> UnwrapVersion(const store::WrappedDataKey& record, const RsaKeyProvider& provider) {
  const std::string version = std::to_string(record.version);
  auto data_key = provider.Unwrap(record.wrapped);
  if (!data_key.ok()) {
    if (data_key.status().code() != ErrorCode::kAuthenticationFailed) {
      return Status(data_key.status().code(), "cannot unwrap data key version " + version + ": " +
                                                  data_key.status().message());
    }
    return UnavailableError("data key version " + version + " was not wrapped by this RSA key (fingerprint " +
                            provider.PublicKeyFingerprint() + "; the record names " +
                            (record.provider_key_fingerprint.empty() ? "none" : record.provider_key_fingerprint) +
                            ")");
  }
  if (data_key->size() != DataKeyring::kDataKeySize) {
    return UnavailableError("data key version " + version + " unwraps to " + std::to_string(data_key->size()) +
                            " bytes, not " + std::to_string(DataKeyring::kDataKeySize));
  }
  KW_ASSIGN_OR_RETURN(std::unique_ptr<AesGcmAead> aead, AesGcmAead::New(std::move(data_key).value()));
  return std::unique_ptr<Aead>(std::move(aead));
}

}  // namespace

DataKeyring::DataKeyring(std::map<std::uint32_t, std::unique_ptr<Aead>> versions)
    : versions_(std::move(versions)), current_version_(versions_.rbegin()->first) {}

Result<std::unique_ptr<DataKeyring>> DataKeyring::Open(store::KeyStore& store, const RsaKeyProvider& provider) {
  KW_ASSIGN_OR_RETURN(std::vector<store::WrappedDataKey> records, store.ListDataKeys());
  if (records.empty()) {
    KW_ASSIGN_OR_RETURN(store::WrappedDataKey first, InitFirstVersion(store, provider));
    records.push_back(std::move(first));
  }
  std::map<std::uint32_t, std::unique_ptr<Aead>> versions;
  for (const store::WrappedDataKey& record : records) {
    if (record.version == 0) return UnavailableError("the store holds a data key with version 0");
    KW_ASSIGN_OR_RETURN(std::unique_ptr<Aead> aead, UnwrapVersion(record, provider));
    if (!versions.emplace(record.version, std::move(aead)).second) {
      return UnavailableError("the store holds data key version " + std::to_string(record.version) + " twice");
    }
  }
  return std::unique_ptr<DataKeyring>(new DataKeyring(std::move(versions)));
}

Result<std::pair<std::uint32_t, std::vector<std::uint8_t>>> DataKeyring::Seal(
    std::string_view user_id, std::span<const std::uint8_t> user_key) const {
  KW_ASSIGN_OR_RETURN(std::vector<std::uint8_t> sealed,
                      versions_.at(current_version_)->Encrypt(user_key, AsBytes(user_id)));
  return std::make_pair(current_version_, std::move(sealed));
}

Result<SecureBuffer> DataKeyring::Open(std::string_view user_id, std::uint32_t version,
                                       std::span<const std::uint8_t> sealed) const {
  const auto it = versions_.find(version);
  if (it == versions_.end()) return UnavailableError("no data key version " + std::to_string(version));
  return it->second->Decrypt(sealed, AsBytes(user_id));
}

}  // namespace keywarden::connector
