#include "custody/rsa_key_rotation.h"

#include <chrono>
#include <map>
#include <optional>
#include <utility>

#include "custody/data_keyring.h"

namespace keywarden::custody {
namespace {

TimeMs NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The wrappings of one version under the two keys of interest.
struct VersionWrappings {
  std::optional<custody::WrappedDataKey> old_key;
  std::optional<custody::WrappedDataKey> new_key;
};

Result<std::map<std::uint32_t, VersionWrappings>> ReadWrappings(DataKeyStore& store, const std::string& old_fp,
                                                                const std::string& new_fp) {
  KW_ASSIGN_OR_RETURN(std::vector<custody::WrappedDataKey> records, store.ListDataKeys());
  std::map<std::uint32_t, VersionWrappings> versions;
  for (custody::WrappedDataKey& record : records) {
    VersionWrappings& entry = versions[record.version];  // every version appears, even under other keys only
    if (record.provider_key_fingerprint == old_fp) {
      entry.old_key = std::move(record);
    } else if (record.provider_key_fingerprint == new_fp) {
      entry.new_key = std::move(record);
    }
  }
  return versions;
}

std::string Version(std::uint32_t version) { return "data key version " + std::to_string(version); }

// The data key, checked for size.
Result<SecureBuffer> Unwrap(const RsaKeyProvider& key, const custody::WrappedDataKey& wrapping,
                            std::string_view which) {
  auto data_key = key.Unwrap(wrapping.wrapped);
  if (!data_key.ok()) {
    return Status(data_key.status().code() == ErrorCode::kAuthenticationFailed ? ErrorCode::kUnavailable
                                                                               : data_key.status().code(),
                  Version(wrapping.version) + ": its wrapping under the " + std::string(which) +
                      " RSA key does not unwrap: " + data_key.status().message());
  }
  if (data_key->size() != DataKeyring::kDataKeySize) {
    return UnavailableError(Version(wrapping.version) + ": its wrapping under the " + std::string(which) +
                            " RSA key holds " + std::to_string(data_key->size()) + " bytes, not a data key");
  }
  return data_key;
}

}  // namespace

Result<RsaKeyRotationSummary> RotateRsaKey(DataKeyStore& store, const RsaKeyProvider& old_key,
                                           const RsaKeyProvider& new_key, bool keep_old) {
  RsaKeyRotationSummary summary;
  summary.old_fingerprint = old_key.PublicKeyFingerprint();
  summary.new_fingerprint = new_key.PublicKeyFingerprint();
  summary.kept_old = keep_old;
  if (summary.old_fingerprint == summary.new_fingerprint) {
    return InvalidArgumentError("the new RSA key is the current one (fingerprint " + summary.new_fingerprint + ")");
  }
  KW_ASSIGN_OR_RETURN(auto versions, ReadWrappings(store, summary.old_fingerprint, summary.new_fingerprint));
  if (versions.empty()) return NotFoundError("the database holds no data key yet, so there is nothing to rotate");

  // 1. Wrap every version for the new key, unless a previous run already did it correctly.
  std::map<std::uint32_t, SecureBuffer> expected;  // what the new wrapping must unwrap to
  for (auto& [version, wrappings] : versions) {
    summary.versions.push_back(version);
    if (!wrappings.old_key) {
      if (wrappings.new_key) continue;  // retired by an earlier run, after it verified; checked below
      return UnavailableError(Version(version) + " is wrapped neither by the current RSA key (fingerprint " +
                              summary.old_fingerprint + ") nor by the new one");
    }
    KW_ASSIGN_OR_RETURN(SecureBuffer data_key, Unwrap(old_key, *wrappings.old_key, "current"));
    bool wrapped_already = false;
    if (wrappings.new_key) {
      auto existing = new_key.Unwrap(wrappings.new_key->wrapped);
      wrapped_already = existing.ok() && existing->Equals(data_key.span());
    }
    if (wrapped_already) {
      ++summary.already_wrapped;
    } else {
      KW_ASSIGN_OR_RETURN(std::vector<std::uint8_t> wrapped, new_key.Wrap(data_key.span()));
      KW_RETURN_IF_ERROR(store.PutDataKeyWrapping({version, std::move(wrapped), summary.new_fingerprint, NowMs()}));
      ++summary.wrapped;
    }
    expected.emplace(version, std::move(data_key));
  }

  // 2. Verify what the store now holds, read back: every version opens with the new key, to the
  // same data key as under the old one.
  KW_ASSIGN_OR_RETURN(versions, ReadWrappings(store, summary.old_fingerprint, summary.new_fingerprint));
  for (const auto& [version, wrappings] : versions) {
    if (!wrappings.new_key) {
      return UnavailableError(Version(version) +
                              " has no wrapping under the new RSA key (created meanwhile, by a rotate-data-key?); "
                              "nothing was retired: run rotate-rsa-key again");
    }
    KW_ASSIGN_OR_RETURN(SecureBuffer data_key, Unwrap(new_key, *wrappings.new_key, "new"));
    const auto want = expected.find(version);
    if (want != expected.end() && !data_key.Equals(want->second.span())) {
      return UnavailableError(Version(version) +
                              ": the new RSA key's wrapping unwraps to another data key; nothing was retired");
    }
  }

  // 3. Retire the old key's wrappings, now that nothing depends on them.
  if (!keep_old) {
    for (const auto& [version, wrappings] : versions) {
      if (!wrappings.old_key) continue;
      KW_RETURN_IF_ERROR(store.DeleteDataKeyWrapping(version, summary.old_fingerprint));
      ++summary.retired;
    }
  }
  return summary;
}

}  // namespace keywarden::custody
