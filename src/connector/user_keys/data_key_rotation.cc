#include "connector/user_keys/data_key_rotation.h"

#include <algorithm>
#include <memory>
#include <span>
#include <thread>
#include <unordered_set>
#include <utility>

#include "custody/data_keyring.h"

namespace keywarden::connector {
namespace {

using Clock = std::chrono::steady_clock;

// Pages for the resume probe, which only reads versions.
constexpr std::size_t kProbePage = 10000;

// A busy database (the connectors' own writes hold the write lock) is waited out: a page that
// failed to commit changed nothing, and compare-and-set makes writing it again safe.
constexpr int kWriteAttempts = 8;
constexpr std::chrono::milliseconds kWriteBackoff{100};

Result<std::size_t> ResealWithRetry(connector::store::KeyStore& store,
                                    std::span<const connector::store::Reseal> reseals) {
  for (int attempt = 1;; ++attempt) {
    auto changed = store.ResealUserKeys(reseals);
    if (changed.ok() || changed.status().code() != ErrorCode::kUnavailable || attempt == kWriteAttempts) {
      return changed;
    }
    std::this_thread::sleep_for(kWriteBackoff * attempt);
  }
}

// True when some row is sealed under a version older than `newest`.
Result<bool> AnyRowBelow(connector::store::KeyStore& store, std::uint32_t newest) {
  std::string after;
  while (true) {
    KW_ASSIGN_OR_RETURN(std::vector<connector::store::UserKeyRecord> page, store.ListUserKeys(after, kProbePage));
    if (page.empty()) return false;
    for (const connector::store::UserKeyRecord& row : page) {
      if (row.data_key_version < newest) return true;
    }
    after = page.back().user_id;
  }
}

// When the newest version was created, from its oldest wrapping (a resumed rotation need not
// wait for connectors that have long since seen it).
Result<Clock::time_point> CreatedAt(connector::store::KeyStore& store, std::uint32_t version) {
  KW_ASSIGN_OR_RETURN(std::vector<custody::WrappedDataKey> keys, store.ListDataKeys());
  TimeMs created = 0;
  for (const custody::WrappedDataKey& key : keys) {
    if (key.version == version && (created == 0 || key.creation_date < created)) created = key.creation_date;
  }
  const auto age =
      std::chrono::system_clock::now() - std::chrono::system_clock::time_point(std::chrono::milliseconds(created));
  return Clock::now() - std::max<std::chrono::system_clock::duration>(age, {});
}

// One pass over every row. What it found, to decide whether another pass is needed.
struct PassResult {
  std::uint64_t stale = 0;   // rows found under an older version (re-sealed, or rewritten meanwhile)
  std::uint64_t opened = 0;  // rows that opened under their version
};

class Rotation {
 public:
  Rotation(connector::store::KeyStore& store, custody::DataKeyring& keyring, const DataKeyRotationOptions& options,
           DataKeyRotationSummary& summary, std::uint64_t rows_total)
      : store_(store), keyring_(keyring), options_(options), summary_(summary) {
    progress_.rows_total = rows_total;
  }

  Result<PassResult> Pass(int number) {
    PassResult result;
    progress_.pass = number;
    progress_.rows_seen = 0;
    progress_.pass_done = false;
    std::string after;
    std::vector<connector::store::Reseal> reseals;
    reseals.reserve(options_.batch_size);
    while (true) {
      KW_ASSIGN_OR_RETURN(std::vector<connector::store::UserKeyRecord> page,
                          store_.ListUserKeys(after, options_.batch_size));
      if (page.empty()) break;
      const bool last_page = page.size() < options_.batch_size;
      after = page.back().user_id;
      reseals.clear();
      for (connector::store::UserKeyRecord& row : page) {
        if (!failed_.empty() && failed_.contains(row.user_id)) continue;  // counted once, when found
        auto key = keyring_.Open(row.user_id, row.data_key_version, row.sealed);
        if (!key.ok()) {
          if (key.status().code() != ErrorCode::kAuthenticationFailed) return key.status();
          Fail(row.user_id);
          continue;
        }
        ++result.opened;
        if (row.data_key_version >= summary_.version) {
          if (number == 1) ++summary_.already_current;
          continue;
        }
        KW_ASSIGN_OR_RETURN(auto sealed, keyring_.Seal(row.user_id, key->span()));
        reseals.push_back({std::move(row.user_id), row.data_key_version, std::move(row.sealed), sealed.first,
                           std::move(sealed.second)});
      }
      result.stale += reseals.size();
      KW_ASSIGN_OR_RETURN(std::size_t changed, ResealWithRetry(store_, reseals));
      summary_.resealed += changed;
      summary_.rewritten_meanwhile += reseals.size() - changed;
      progress_.resealed = summary_.resealed;
      progress_.rows_seen += page.size();
      Report();
      if (last_page) break;
      if (options_.pause.count() > 0) std::this_thread::sleep_for(options_.pause);
    }
    progress_.pass_done = true;
    Report();
    return result;
  }

 private:
  void Fail(const std::string& user_id) {
    failed_.insert(user_id);
    ++summary_.failed;
    if (summary_.failed_user_ids.size() < DataKeyRotationSummary::kMaxListedFailures) {
      summary_.failed_user_ids.push_back(user_id);
    }
  }
  void Report() {
    if (options_.on_progress) options_.on_progress(progress_);
  }

  connector::store::KeyStore& store_;
  custody::DataKeyring& keyring_;
  const DataKeyRotationOptions& options_;
  DataKeyRotationSummary& summary_;
  DataKeyRotationProgress progress_;
  std::unordered_set<std::string> failed_;
};

}  // namespace

Result<DataKeyRotationSummary> RotateDataKey(connector::store::KeyStore& store, const custody::RsaKeyProvider& provider,
                                             const DataKeyRotationOptions& options) {
  if (options.batch_size == 0) return InvalidArgumentError("the batch size must be at least 1");
  KW_ASSIGN_OR_RETURN(std::vector<custody::WrappedDataKey> existing, store.ListDataKeys());
  if (existing.empty()) {
    return NotFoundError("the database holds no data key yet, so there is nothing to rotate (is it the connector's?)");
  }
  KW_ASSIGN_OR_RETURN(std::unique_ptr<custody::DataKeyring> keyring, custody::DataKeyring::Open(store, provider));
  KW_ASSIGN_OR_RETURN(std::uint64_t rows_total, store.CountUserKeys());

  DataKeyRotationSummary summary;
  Clock::time_point created;
  // Nothing can be below version 1: the first rotation skips the scan.
  bool unfinished = false;
  if (keyring->current_version() > 1) {
    KW_ASSIGN_OR_RETURN(unfinished, AnyRowBelow(store, keyring->current_version()));
    KW_ASSIGN_OR_RETURN(created, CreatedAt(store, keyring->current_version()));
    if (!unfinished && Clock::now() - created < options.reuse_newest_within) {
      unfinished = true;  // finished or killed after re-sealing: the stored state is the same
      summary.reused_recent_version = true;
      summary.version_age = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - created);
    }
  }
  if (unfinished) {
    summary.version = keyring->current_version();
  } else {
    KW_ASSIGN_OR_RETURN(summary.version, keyring->AddVersion());
    summary.created_version = true;
    created = Clock::now();
  }
  const Clock::time_point settled = created + options.settle;

  Rotation rotation(store, *keyring, options, summary, rows_total);
  for (int pass = 1;; ++pass) {
    if (pass > options.max_passes) {
      return UnavailableError("rows keep appearing under older data key versions after " +
                              std::to_string(options.max_passes) +
                              " passes; is a connector running that does not refresh its data keys?");
    }
    // Later passes wait until every connector seals under the new version, so that a pass
    // finding nothing stale proves the rotation complete.
    const Clock::time_point start = pass == 1 ? Clock::now() : std::max(Clock::now(), settled);
    std::this_thread::sleep_until(start);
    KW_ASSIGN_OR_RETURN(PassResult result, rotation.Pass(pass));
    summary.passes = pass;
    if (result.stale == 0 && start >= settled) {
      summary.verified = result.opened;
      break;
    }
  }
  summary.versions = keyring->versions();
  return summary;
}

}  // namespace keywarden::connector
