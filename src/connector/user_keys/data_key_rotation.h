// RotateDataKey: moves every stored user key to a new data key version while connectors serve.
//
//   1. Opens the data keyring with the configured RSA key.
//   2. If rows under an older version than the newest remain, a previous rotation was cut short:
//      it resumes with the newest version. So it does when every row is already under the newest
//      version and that version is younger than reuse_newest_within: a run killed after its
//      re-sealing pass leaves exactly what a finished one does, and run again it must finish that
//      rotation, not re-seal every row once more under yet another version. Otherwise it adds a
//      version (custody::DataKeyring::AddVersion).
//   3. Passes over every row in user id order, a page at a time: each row under an older version
//      is opened (user id as associated data) and sealed under the new one, and the page is written
//      with KeyStore::ResealUserKeys, which skips rows a user rewrote meanwhile; the next pass reads
//      them again. A row that does not open is counted as failed, listed, and left as it is.
//   4. Ends with a pass that finds nothing left to re-seal and opens every row under its version
//      (the verification), started once connectors have had time to seal under the new version
//      (kRotationSettle after it was created).
//
// Every step is safe to cut at any point: each page is one transaction that only replaces a row
// still holding what was read, and the next run resumes (step 2). The store is the only state.
#ifndef KEYWARDEN_CONNECTOR_USER_KEYS_DATA_KEY_ROTATION_H_
#define KEYWARDEN_CONNECTOR_USER_KEYS_DATA_KEY_ROTATION_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "connector/store/key_store.h"
#include "custody/rsa_key_provider.h"
#include "keywarden/status.h"

namespace keywarden::connector {

// A running connector seals under a new version at most custody::DataKeyringOptions::refresh_interval
// (2 s) after it appears; the margin covers a write sealed just before and committed after.
inline constexpr std::chrono::milliseconds kRotationSettle{3000};

struct DataKeyRotationProgress {
  int pass = 0;                  // 1, 2, ...
  std::uint64_t rows_seen = 0;   // in this pass
  std::uint64_t rows_total = 0;  // rows in the store when the rotation began (an estimate)
  std::uint64_t resealed = 0;    // over all passes so far
  bool pass_done = false;
};

struct DataKeyRotationOptions {
  std::size_t batch_size = 2000;       // rows per page and per transaction
  std::chrono::milliseconds pause{0};  // between pages, to leave the database to the service
  std::chrono::milliseconds settle = kRotationSettle;
  int max_passes = 10;
  // Step 2: how young a newest version (never version 1) with every row already under it is
  // finished rather than followed by another. Zero: always add a version. Long enough for a
  // re-sealing pass and a rerun after a kill; short enough that a scheduled rotation (daily,
  // weekly) is never mistaken for a rerun.
  std::chrono::seconds reuse_newest_within{std::chrono::hours(1)};
  // Called after every page and at the end of every pass, on the calling thread.
  std::function<void(const DataKeyRotationProgress&)> on_progress;
};

struct DataKeyRotationSummary {
  std::uint32_t version = 0;            // the version every row is sealed under now
  std::vector<std::uint32_t> versions;  // every version held
  bool created_version = false;         // false: a cut-short rotation was resumed
  // Resumed with every row already under `version`, because it was younger than
  // reuse_newest_within; version_age says how old it was.
  bool reused_recent_version = false;
  std::chrono::seconds version_age{0};
  std::uint64_t resealed = 0;                // rows moved to `version` by this run
  std::uint64_t already_current = 0;         // rows already under `version` when first read
  std::uint64_t rewritten_meanwhile = 0;     // rows a user replaced between our read and our write
  std::uint64_t failed = 0;                  // rows that do not open (altered or copied): left as they are
  std::vector<std::string> failed_user_ids;  // the first kMaxListedFailures of them
  std::uint64_t verified = 0;                // rows the last pass opened under their version
  int passes = 0;

  static constexpr std::size_t kMaxListedFailures = 100;
};

// Errors: the keyring's (kUnavailable: a version not wrapped by this key), the store's, and
// kUnavailable when rows keep appearing under older versions after max_passes passes (a
// connector that never refreshes its data keys). Rows that fail to open are not an error here:
// see summary.failed.
Result<DataKeyRotationSummary> RotateDataKey(connector::store::KeyStore& store, const custody::RsaKeyProvider& provider,
                                             const DataKeyRotationOptions& options);

}  // namespace keywarden::connector

#endif  // KEYWARDEN_CONNECTOR_USER_KEYS_DATA_KEY_ROTATION_H_
