#include "connector/reference/reference_import.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "connector/deployment.h"
#include "connector/reference/reference_data.h"
#include "connector/store/open_key_store.h"
#include "custody/data_keyring.h"
#include "custody/open_rsa_key_provider.h"
#include "keywarden/crypto/aead.h"

namespace keywarden::connector {
namespace {

constexpr std::size_t kTagSize = AesGcmAead::kTagSize;
constexpr std::size_t kIvSize = AesGcmAead::kNonceSize;

// The reference's rows, each opened under its data key(s).
class ReferenceKeySource final : public UserKeySource {
 public:
  ReferenceKeySource(ReferenceData& data, std::vector<std::unique_ptr<AesGcmAead>> data_keys)
      : data_(data), data_keys_(std::move(data_keys)) {}

  Result<std::vector<SourceRow>> Next(std::size_t limit) override {
    KW_ASSIGN_OR_RETURN(std::vector<ReferenceRow> rows, data_.NextRows(limit));
    std::vector<SourceRow> out;
    out.reserve(rows.size());
    for (ReferenceRow& row : rows) {
      if (!row.key.ok()) {
        out.push_back(SourceRow{row.name, row.key.status()});
        continue;
      }
      auto opened = Open(*row.key);
      if (!opened.ok()) {
        out.push_back(SourceRow{row.name, opened.status()});
        continue;
      }
      PlainUserKey key;
      key.user_id = row.key->user_id;
      key.key = std::move(opened).value();
      key.creation_date = row.key->creation_date;
      key.revision_date = row.key->revision_date;
      key.last_access_date = row.key->last_access_date;
      out.push_back(SourceRow{row.name, std::move(key)});
    }
    return out;
  }

  std::uint64_t opened_with_other_data_key() const { return opened_with_other_data_key_; }

 private:
  // The reference's layout is ciphertext || tag || iv; AesGcmAead's is iv || ciphertext || tag.
  Result<SecureBuffer> Open(const ReferenceUserKey& row) {
    if (data_keys_.empty()) return UnavailableError("the reference stored no data key");
    const std::span<const std::uint8_t> sealed(row.sealed);
    const std::size_t ciphertext_size = sealed.size() - kTagSize - kIvSize;
    std::vector<std::uint8_t> reordered;
    reordered.reserve(sealed.size());
    const auto iv = sealed.subspan(ciphertext_size + kTagSize);
    const auto ciphertext_and_tag = sealed.first(ciphertext_size + kTagSize);
    reordered.insert(reordered.end(), iv.begin(), iv.end());
    reordered.insert(reordered.end(), ciphertext_and_tag.begin(), ciphertext_and_tag.end());
    for (std::size_t i = 0; i < data_keys_.size(); ++i) {
      auto opened = data_keys_[i]->Decrypt(reordered, {});
      if (!opened.ok()) continue;
      if (i > 0) ++opened_with_other_data_key_;
      return opened;
    }
    return AuthenticationError("it does not open under the reference's data key (altered or damaged)");
  }

  ReferenceData& data_;
  std::vector<std::unique_ptr<AesGcmAead>> data_keys_;
  std::uint64_t opened_with_other_data_key_ = 0;
};

Result<std::vector<std::unique_ptr<AesGcmAead>>> UnwrapDataKeys(ReferenceData& data,
                                                                const custody::RsaKeyProvider& provider) {
  KW_ASSIGN_OR_RETURN(std::vector<std::vector<std::uint8_t>> wrapped_keys, data.WrappedDataKeys());
  std::vector<std::unique_ptr<AesGcmAead>> keys;
  for (std::size_t i = 0; i < wrapped_keys.size(); ++i) {
    const std::string which = wrapped_keys.size() == 1 ? "its data key" : "its data key #" + std::to_string(i + 1);
    auto key = provider.Unwrap(wrapped_keys[i]);
    if (!key.ok()) {
      if (key.status().code() != ErrorCode::kAuthenticationFailed) return key.status();
      return UnavailableError(which + " does not unwrap with the given RSA key (fingerprint " +
                              provider.PublicKeyFingerprint() + ")");
    }
    if (key->size() != AesGcmAead::kKeySize) {
      return UnavailableError(which + " unwraps to " + std::to_string(key->size()) + " bytes, not " +
                              std::to_string(AesGcmAead::kKeySize));
    }
    KW_ASSIGN_OR_RETURN(std::unique_ptr<AesGcmAead> aead, AesGcmAead::New(std::move(key).value()));
    keys.push_back(std::move(aead));
  }
  return keys;
}

}  // namespace

Result<ImportSummary> ImportReference(const ReferenceSettings& reference, const ConnectorConfig& destination,
                                      const CopyOptions& options) {
  auto data = OpenReferenceData(reference);
  if (!data.ok()) return data.status().WithContext("reference");
  auto reference_provider = custody::OpenRsaKeyProvider(reference.rsa_key);
  if (!reference_provider.ok()) return reference_provider.status().WithContext("reference");
  auto data_keys = UnwrapDataKeys(**data, **reference_provider);
  if (!data_keys.ok()) return data_keys.status().WithContext("reference");
  ImportSummary summary;
  summary.data_keys = data_keys->size();

  auto opened = OpenDeployment(destination);
  if (!opened.ok()) return opened.status().WithContext("destination");

  ReferenceKeySource source(**data, std::move(data_keys).value());
  KW_ASSIGN_OR_RETURN(summary.copy, CopyUserKeys(source, *opened->store, *opened->keyring, options));
  summary.opened_with_other_data_key = source.opened_with_other_data_key();
  return summary;
}

}  // namespace keywarden::connector
