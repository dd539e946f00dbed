// DataKeyring: the envelope around stored user keys.
//
// The store keeps data keys only wrapped by RSA keys (one wrapping per version and RSA key); the
// keyring unwraps, for every version, the wrapping made for its own provider's key, and seals and
// opens user keys with AES-256-GCM under them. A user key is sealed under the newest version with
// its user id as associated data, so a sealed row copied onto another user's row does not open.
//
// On an empty store the keyring creates version 1 through KeyStore::InitDataKey and adopts
// whatever record the store returns, so instances starting together on one database agree on
// a single data key (the reference can end up with two). It never creates one while stored data
// is sealed under versions the store no longer holds (their rows deleted): a new key would open
// none of it, and writes under it would bury the loss. Open refuses instead, naming the version.
//
// Rotation while running: `keywarden connector rotate-data-key` (another process) adds a version
// and re-seals rows under it. A row whose version this keyring does not hold makes Open reload
// the data keys from the store (at most once per min_reload_interval); Seal re-reads the list of
// versions at most once per refresh_interval, so new writes move to a new version within that
// interval. Versions once loaded are never dropped: rows sealed under them keep opening.
//
// Safe to use from several threads at once. The hot path (Open of a version already held, Seal
// between refreshes) takes no lock: the held versions are an immutable snapshot behind an atomic
// pointer, replaced (never modified) by a reload.
#ifndef KEYWARDEN_CUSTODY_DATA_KEYRING_H_
#define KEYWARDEN_CUSTODY_DATA_KEYRING_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/mutex.h"
#include "custody/data_key_store.h"
#include "custody/rsa_key_provider.h"
#include "keywarden/crypto/aead.h"
#include "keywarden/crypto/secure_buffer.h"
#include "keywarden/status.h"

namespace keywarden::custody {

struct DataKeyringOptions {
  // How stale Seal's idea of the newest version may get. rotate-data-key waits this long (plus a
  // margin, kRotationSettle in data_key_rotation.h) before its last pass, so keep the two in step.
  std::chrono::milliseconds refresh_interval{2000};
  // The least time between two reloads caused by rows of unknown versions (a corrupt row must not
  // turn every read into a database round trip).
  std::chrono::milliseconds min_reload_interval{100};
  // Open refuses a store whose rows are sealed under a version it no longer holds, unless this is
  // set: for tools that salvage what still opens (transfer --skip-unreadable), where such rows
  // fail one by one instead. Even then no data key is created while rows exist.
  bool allow_lost_versions = false;
};

class DataKeyring {
 public:
  static constexpr std::size_t kDataKeySize = 32;

  // Loads (or, on an empty store, creates) the data keys. kUnavailable when a stored version has
  // no wrapping under `provider`'s key, or when the store or provider cannot be reached;
  // kNotFound when stored data is sealed under a version the store does not hold (see
  // allow_lost_versions), or, always, when it holds none at all.
  // `store` and `provider` must outlive the keyring (it reloads from them).
  static Result<std::unique_ptr<DataKeyring>> Open(DataKeyStore& store, const RsaKeyProvider& provider,
                                                   const DataKeyringOptions& options = {});
  ~DataKeyring();
  DataKeyring(const DataKeyring&) = delete;
  DataKeyring& operator=(const DataKeyring&) = delete;

  // The version new seals use (the newest held).
  std::uint32_t current_version() const;
  // Every version held, oldest first.
  std::vector<std::uint32_t> versions() const;

  // Seals `user_key` for `user_id` under the current version: {version, sealed bytes}.
  Result<std::pair<std::uint32_t, std::vector<std::uint8_t>>> Seal(std::string_view user_id,
                                                                   std::span<const std::uint8_t> user_key) const;
  // Opens what Seal returned. kUnavailable for a version that neither this keyring nor (after a
  // reload) the store holds under this RSA key; kAuthenticationFailed when `sealed` was altered
  // or sealed for another user.
  Result<SecureBuffer> Open(std::string_view user_id, std::uint32_t version,
                            std::span<const std::uint8_t> sealed) const;

  // For /health: OK when this keyring holds every data key version the store lists. kUnavailable
  // naming a version it cannot unwrap (stored since start-up only under another RSA key, or a
  // wrapping for ours that does not unwrap): rows under that version answer 503, so the instance
  // is not healthy even though its own key still works. Looks at the store at most once per
  // refresh_interval (as Seal does); a store that cannot be read is left to the store's own check.
  Status Check() const KW_EXCLUDES(reload_mu_);

  // For health checks, one read of the store's wrappings: OK while the store still holds every
  // version this keyring holds; kNotFound naming the first it lost (a restart would refuse to
  // start, and other instances cannot open rows under it).
  Status CheckStore() const;

  // Creates the next data key version (one above the newest in the store), wrapped by the
  // provider's key, and makes it current. Two processes adding at once end up with the same
  // version (KeyStore::InitDataKey). Returns the new version.
  Result<std::uint32_t> AddVersion();

 private:
  // What readers see: the versions held and the newest. Never modified once published.
  struct Snapshot {
    std::vector<std::pair<std::uint32_t, const Aead*>> versions;  // ascending
    std::uint32_t current = 0;
    const Aead* Find(std::uint32_t version) const;
  };
  using Clock = std::chrono::steady_clock;

  DataKeyring(DataKeyStore& store, const RsaKeyProvider& provider, const DataKeyringOptions& options);

  // With reload_mu_ held: reads the store's wrappings and unwraps every version not held yet
  // whose wrapping is under this provider's key. `strict`: a version without one is an error
  // (start-up); otherwise it is remembered in missing_ and skipped.
  Status ReloadLocked(bool strict) const KW_REQUIRES(reload_mu_);
  // Publishes aeads_ as a new snapshot (reload_mu_ held).
  void PublishLocked() const KW_REQUIRES(reload_mu_);
  // After a reload while serving: publishes new versions, and logs them and versions missing.
  void AfterReloadLocked(std::size_t held_before) const KW_REQUIRES(reload_mu_);
  // The slow path of Open: `version` is not in the snapshot.
  Result<const Aead*> ReloadFor(std::uint32_t version, Clock::time_point entered) const KW_EXCLUDES(reload_mu_);
  // Seal's periodic look at the store for newer versions; skipped when another thread reloads.
  void MaybeRefresh() const KW_EXCLUDES(reload_mu_);
  void RefreshLocked() const KW_REQUIRES(reload_mu_);
  Status NotHeld(std::uint32_t version) const KW_REQUIRES(reload_mu_);

  DataKeyStore& store_;
  const RsaKeyProvider& provider_;
  const DataKeyringOptions options_;
  const std::string fingerprint_;

  mutable std::atomic<const Snapshot*> snapshot_{nullptr};
  mutable std::atomic<Clock::rep> next_refresh_{0};  // Clock ticks; Seal refreshes once past it

  mutable Mutex reload_mu_;  // guards everything below, and serialises reloads
  mutable std::map<std::uint32_t, std::unique_ptr<Aead>> aeads_ KW_GUARDED_BY(reload_mu_);
  // Every snapshot ever published: readers may still hold an old one. A few per rotation.
  mutable std::vector<std::unique_ptr<const Snapshot>> snapshots_ KW_GUARDED_BY(reload_mu_);
  // Versions the store holds only under other RSA keys: version -> their fingerprints.
  mutable std::map<std::uint32_t, std::set<std::string>> missing_ KW_GUARDED_BY(reload_mu_);
  // Wrapped for us, but the unwrap failed: why.
  mutable std::map<std::uint32_t, Status> broken_ KW_GUARDED_BY(reload_mu_);
  mutable std::set<std::uint32_t> warned_ KW_GUARDED_BY(reload_mu_);  // missing versions already logged
  mutable Clock::time_point last_reload_start_ KW_GUARDED_BY(reload_mu_);
};

}  // namespace keywarden::custody

#endif  // KEYWARDEN_CUSTODY_DATA_KEYRING_H_
