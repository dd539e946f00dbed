#include "custody/data_keyring.h"

#include <algorithm>
#include <string>
#include <thread>

#include "keywarden/crypto/encoding.h"
#include "keywarden/crypto/random.h"
#include "telemetry/log.h"

namespace keywarden::custody {
namespace {

// Stores may answer reads from a snapshot a little older than the latest commit (SQLite's read
// connections keep theirs for up to 10 ms), so a row can be newer than the data keys listed
// right after it was read.
constexpr std::chrono::milliseconds kStaleReadMargin{50};

TimeMs NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A fresh data key wrapped by `provider`, as a candidate for `version`.
Result<custody::WrappedDataKey> NewWrappedKey(std::uint32_t version, const RsaKeyProvider& provider) {
  KW_ASSIGN_OR_RETURN(SecureBuffer data_key, RandomSecret(DataKeyring::kDataKeySize));
  KW_ASSIGN_OR_RETURN(std::vector<std::uint8_t> wrapped, provider.Wrap(data_key.span()));
  return custody::WrappedDataKey{version, std::move(wrapped), provider.PublicKeyFingerprint(), NowMs()};
}

std::string JoinFingerprints(const std::set<std::string>& fingerprints) {
  std::string out;
  for (const std::string& fingerprint : fingerprints) {
    if (!out.empty()) out += ", ";
    out += fingerprint.empty() ? "(none)" : fingerprint;
  }
  return out;
}

Status VersionLost(std::uint32_t version) {
  return NotFoundError("stored keys are sealed under data key version " + std::to_string(version) +
                       ", which the database no longer holds (its data_key_wrappings rows were deleted); those keys "
                       "cannot be opened: restore the database from a backup");
}

Status NotWrappedForUs(std::uint32_t version, const std::string& ours, const std::set<std::string>& theirs) {
  return UnavailableError("data key version " + std::to_string(version) +
                          " was not wrapped by this RSA key (fingerprint " + ours + "; it is wrapped by " +
                          JoinFingerprints(theirs) + ")");
}

Result<std::unique_ptr<Aead>> UnwrapVersion(const custody::WrappedDataKey& record, const RsaKeyProvider& provider) {
  const std::string version = std::to_string(record.version);
  auto data_key = provider.Unwrap(record.wrapped);
  if (!data_key.ok()) {
    if (data_key.status().code() != ErrorCode::kAuthenticationFailed) {
      return Status(data_key.status().code(),
                    "cannot unwrap data key version " + version + ": " + data_key.status().message());
    }
    // The record names our key but our key does not open it: altered, or a fingerprint clash.
    return UnavailableError("data key version " + version + ": its wrapping under this RSA key (fingerprint " +
                            provider.PublicKeyFingerprint() + ") does not unwrap");
  }
  if (data_key->size() != DataKeyring::kDataKeySize) {
    return UnavailableError("data key version " + version + " unwraps to " + std::to_string(data_key->size()) +
                            " bytes, not " + std::to_string(DataKeyring::kDataKeySize));
  }
  KW_ASSIGN_OR_RETURN(std::unique_ptr<AesGcmAead> aead, AesGcmAead::New(std::move(data_key).value()));
  return std::unique_ptr<Aead>(std::move(aead));
}

}  // namespace

const Aead* DataKeyring::Snapshot::Find(std::uint32_t version) const {
  // Newest first: almost every row is under the newest version or the one before.
  for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
    if (it->first == version) return it->second;
  }
  return nullptr;
}

DataKeyring::DataKeyring(DataKeyStore& store, const RsaKeyProvider& provider, const DataKeyringOptions& options)
    : store_(store), provider_(provider), options_(options), fingerprint_(provider.PublicKeyFingerprint()) {}

DataKeyring::~DataKeyring() = default;

Result<std::unique_ptr<DataKeyring>> DataKeyring::Open(DataKeyStore& store, const RsaKeyProvider& provider,
                                                       const DataKeyringOptions& options) {
  std::unique_ptr<DataKeyring> keyring(new DataKeyring(store, provider, options));
  MutexLock lock(keyring->reload_mu_);
  // Rows first: a version named by a row was stored before the row, and versions are never
  // removed, so the data keys listed after it must hold it (a rotation meanwhile only adds).
  KW_ASSIGN_OR_RETURN(const std::vector<std::uint32_t> sealed, store.SealedDataKeyVersions());
  KW_RETURN_IF_ERROR(keyring->ReloadLocked(/*strict=*/true));
  for (const std::uint32_t version : sealed) {
    if (keyring->aeads_.contains(version)) continue;
    if (!options.allow_lost_versions || keyring->aeads_.empty()) return VersionLost(version);
  }
  if (keyring->aeads_.empty()) {
    // An empty store. The candidate may lose a race with another instance; the record the store
    // returns is the one every instance uses.
    KW_ASSIGN_OR_RETURN(custody::WrappedDataKey candidate, NewWrappedKey(1, provider));
    KW_ASSIGN_OR_RETURN(custody::WrappedDataKey first, store.InitDataKey(candidate));
    if (first.provider_key_fingerprint != keyring->fingerprint_) {
      return NotWrappedForUs(first.version, keyring->fingerprint_, {first.provider_key_fingerprint});
    }
    KW_ASSIGN_OR_RETURN(std::unique_ptr<Aead> aead, UnwrapVersion(first, provider));
    keyring->aeads_[first.version] = std::move(aead);
  }
  keyring->PublishLocked();
  keyring->next_refresh_.store((Clock::now() + options.refresh_interval).time_since_epoch().count(),
                               std::memory_order_relaxed);
  return keyring;
}

Status DataKeyring::ReloadLocked(bool strict) const {
  last_reload_start_ = Clock::now();
  KW_ASSIGN_OR_RETURN(std::vector<custody::WrappedDataKey> records, store_.ListDataKeys());
  // Wrappings come by version: pick ours for each version not held yet.
  std::map<std::uint32_t, const custody::WrappedDataKey*> ours;
  std::map<std::uint32_t, std::set<std::string>> others;
  for (const custody::WrappedDataKey& record : records) {
    if (record.version == 0) return UnavailableError("the store holds a data key with version 0");
    if (aeads_.contains(record.version)) continue;
    if (record.provider_key_fingerprint == fingerprint_) {
      ours[record.version] = &record;
    } else {
      others[record.version].insert(record.provider_key_fingerprint);
    }
  }
  for (auto& [version, fingerprints] : others) {
    if (ours.contains(version)) continue;
    if (strict) return NotWrappedForUs(version, fingerprint_, fingerprints);
    missing_[version] = std::move(fingerprints);
  }
  for (const auto& [version, record] : ours) {
    auto aead = UnwrapVersion(*record, provider_);
    if (!aead.ok()) {
      if (strict) return aead.status();
      broken_.insert_or_assign(version, aead.status());  // Open of this version says why
      continue;
    }
    aeads_[version] = std::move(aead).value();
    missing_.erase(version);
    broken_.erase(version);
  }
  return OkStatus();
}

void DataKeyring::PublishLocked() const {
  auto snapshot = std::make_unique<Snapshot>();
  for (const auto& [version, aead] : aeads_) snapshot->versions.emplace_back(version, aead.get());
  snapshot->current = aeads_.empty() ? 0 : aeads_.rbegin()->first;
  const Snapshot* published = snapshot.get();
  snapshots_.push_back(std::move(snapshot));
  snapshot_.store(published, std::memory_order_release);
}

// A running connector says when it picks up a rotation, and when it cannot (another RSA key).
void DataKeyring::AfterReloadLocked(std::size_t held_before) const {
  if (aeads_.size() != held_before) {
    PublishLocked();
    telemetry::LogInfo("data key version " + std::to_string(aeads_.rbegin()->first) +
                       " loaded; new keys are sealed under it");
  }
  for (const auto& [version, fingerprints] : missing_) {
    if (!warned_.insert(version).second) continue;
    telemetry::LogWarning(NotHeld(version).message() +
                          ": rows under it cannot be read until this connector restarts with "
                          "the RSA key it was wrapped for");
  }
}

std::uint32_t DataKeyring::current_version() const { return snapshot_.load(std::memory_order_acquire)->current; }

std::vector<std::uint32_t> DataKeyring::versions() const {
  std::vector<std::uint32_t> out;
  for (const auto& [version, aead] : snapshot_.load(std::memory_order_acquire)->versions) out.push_back(version);
  return out;
}

Result<std::pair<std::uint32_t, std::vector<std::uint8_t>>> DataKeyring::Seal(
    std::string_view user_id, std::span<const std::uint8_t> user_key) const {
  if (Clock::now().time_since_epoch().count() >= next_refresh_.load(std::memory_order_relaxed)) MaybeRefresh();
  const Snapshot* snapshot = snapshot_.load(std::memory_order_acquire);
  KW_ASSIGN_OR_RETURN(std::vector<std::uint8_t> sealed,
                      snapshot->Find(snapshot->current)->Encrypt(user_key, AsBytes(user_id)));
  return std::make_pair(snapshot->current, std::move(sealed));
}

Result<SecureBuffer> DataKeyring::Open(std::string_view user_id, std::uint32_t version,
                                       std::span<const std::uint8_t> sealed) const {
  const Aead* aead = snapshot_.load(std::memory_order_acquire)->Find(version);
  if (aead == nullptr) {
    KW_ASSIGN_OR_RETURN(aead, ReloadFor(version, Clock::now()));
  }
  return aead->Decrypt(sealed, AsBytes(user_id));
}

Result<const Aead*> DataKeyring::ReloadFor(std::uint32_t version, Clock::time_point entered) const {
  MutexLock lock(reload_mu_);
  // The row was read before `entered`, so its version was in the store by then. A reload proves
  // the version absent only if it began late enough to read a snapshot newer than the row's.
  const Clock::time_point conclusive = entered + kStaleReadMargin;
  while (true) {
    if (const Aead* aead = snapshot_.load(std::memory_order_acquire)->Find(version)) return aead;
    if (last_reload_start_ >= conclusive) return NotHeld(version);
    Clock::time_point allowed = last_reload_start_ + options_.min_reload_interval;
    if (last_reload_start_ >= entered) allowed = std::max(allowed, conclusive);  // only too early
    if (Clock::now() < allowed) std::this_thread::sleep_until(allowed);          // others queue on the lock meanwhile
    const std::size_t held = aeads_.size();
    KW_RETURN_IF_ERROR(ReloadLocked(/*strict=*/false));
    AfterReloadLocked(held);
  }
}

void DataKeyring::MaybeRefresh() const {
  if (!reload_mu_.TryLock()) return;  // someone is reloading: seal with what is held
  RefreshLocked();
  reload_mu_.Unlock();
}

void DataKeyring::RefreshLocked() const {
  if (Clock::now().time_since_epoch().count() < next_refresh_.load(std::memory_order_relaxed)) return;
  const std::size_t held = aeads_.size();
  // A failed look (database down) is retried next interval; the write that follows reports it.
  if (ReloadLocked(/*strict=*/false).ok()) AfterReloadLocked(held);
  next_refresh_.store((Clock::now() + options_.refresh_interval).time_since_epoch().count(), std::memory_order_relaxed);
}

Status DataKeyring::Check() const {
  MutexLock lock(reload_mu_);
  RefreshLocked();
  if (!broken_.empty()) return broken_.rbegin()->second;
  if (!missing_.empty()) return NotHeld(missing_.rbegin()->first);
  return OkStatus();
}

Status DataKeyring::NotHeld(std::uint32_t version) const {
  if (auto it = broken_.find(version); it != broken_.end()) return it->second;
  if (auto it = missing_.find(version); it != missing_.end()) {
    return NotWrappedForUs(version, fingerprint_, it->second);
  }
  return UnavailableError("no data key version " + std::to_string(version));
}

Status DataKeyring::CheckStore() const {
  KW_ASSIGN_OR_RETURN(const std::vector<custody::WrappedDataKey> records, store_.ListDataKeys());
  std::set<std::uint32_t> stored;
  for (const custody::WrappedDataKey& record : records) stored.insert(record.version);
  for (const auto& [version, aead] : snapshot_.load(std::memory_order_acquire)->versions) {
    if (!stored.contains(version)) return VersionLost(version);
  }
  return OkStatus();
}

Result<std::uint32_t> DataKeyring::AddVersion() {
  MutexLock lock(reload_mu_);
  KW_RETURN_IF_ERROR(ReloadLocked(/*strict=*/false));
  std::uint32_t newest = aeads_.empty() ? 0 : aeads_.rbegin()->first;
  if (!missing_.empty()) newest = std::max(newest, missing_.rbegin()->first);
  if (newest == UINT32_MAX) return OutOfRangeError("no data key version is left after " + std::to_string(newest));
  KW_ASSIGN_OR_RETURN(custody::WrappedDataKey candidate, NewWrappedKey(newest + 1, provider_));
  KW_ASSIGN_OR_RETURN(custody::WrappedDataKey stored, store_.InitDataKey(candidate));
  if (stored.provider_key_fingerprint != fingerprint_) {
    // Another process created this version under another RSA key at the same moment.
    return NotWrappedForUs(stored.version, fingerprint_, {stored.provider_key_fingerprint});
  }
  KW_ASSIGN_OR_RETURN(std::unique_ptr<Aead> aead, UnwrapVersion(stored, provider_));
  aeads_[stored.version] = std::move(aead);
  PublishLocked();
  return stored.version;
}

}  // namespace keywarden::custody
