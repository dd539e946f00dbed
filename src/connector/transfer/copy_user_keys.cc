#include "connector/transfer/copy_user_keys.h"

#include <utility>

namespace keywarden::connector {
namespace {

// The destination's rows, read in id order alongside the source's, so that looking a row up
// costs one row of a page instead of a round trip per row.
class DestinationCursor {
 public:
  DestinationCursor(connector::store::KeyStore& store, std::size_t page_size) : store_(store), page_size_(page_size) {}

  // The destination's row for `user_id`, if it has one. Ids must be asked for in ascending order.
  Result<std::optional<connector::store::UserKeyRecord>> Find(const std::string& user_id) {
    while (true) {
      while (next_ < page_.size() && page_[next_].user_id < user_id) ++next_;
      if (next_ < page_.size()) {
        if (page_[next_].user_id != user_id) return std::optional<connector::store::UserKeyRecord>();
        return std::optional<connector::store::UserKeyRecord>(std::move(page_[next_++]));
      }
      // A short page was the end of what the destination held; rows beyond it are ours.
      if (exhausted_) return std::optional<connector::store::UserKeyRecord>();
      KW_ASSIGN_OR_RETURN(page_, store_.ListUserKeys(after_, page_size_));
      next_ = 0;
      exhausted_ = page_.size() < page_size_;
      if (!page_.empty()) after_ = page_.back().user_id;
    }
  }

 private:
  connector::store::KeyStore& store_;
  const std::size_t page_size_;
  std::vector<connector::store::UserKeyRecord> page_;
  std::size_t next_ = 0;
  std::string after_;
  bool exhausted_ = false;
};

bool SameRecord(const connector::store::UserKeyRecord& a, const connector::store::UserKeyRecord& b) {
  return a.user_id == b.user_id && a.sealed == b.sealed && a.data_key_version == b.data_key_version &&
         a.creation_date == b.creation_date && a.revision_date == b.revision_date &&
         a.last_access_date == b.last_access_date;
}

// Reads back the rows just written (ids ascending, all after `after`) and checks that each one is
// stored exactly as written and opens to its source key.
Status VerifyWritten(connector::store::KeyStore& destination, const custody::DataKeyring& keyring, std::string after,
                     const std::vector<connector::store::UserKeyRecord>& written, const std::vector<PlainUserKey>& keys,
                     std::size_t page_size) {
  std::size_t i = 0;
  while (i < written.size()) {
    KW_ASSIGN_OR_RETURN(std::vector<connector::store::UserKeyRecord> page, destination.ListUserKeys(after, page_size));
    for (const connector::store::UserKeyRecord& stored : page) {
      if (i == written.size()) break;
      if (stored.user_id < written[i].user_id) continue;  // a row this batch did not write
      if (stored.user_id > written[i].user_id) break;
      if (!SameRecord(stored, written[i])) {
        return InternalError("verification failed: user key " + stored.user_id + " was not stored as written");
      }
      auto opened = keyring.Open(stored.user_id, stored.data_key_version, stored.sealed);
      if (!opened.ok() || !opened->Equals(keys[i].key.span())) {
        return InternalError("verification failed: user key " + stored.user_id + " does not open to its source key");
      }
      ++i;
    }
    if (i < written.size() && (page.empty() || page.back().user_id >= written[i].user_id)) {
      return InternalError("verification failed: user key " + written[i].user_id + " is missing after writing it");
    }
    if (!page.empty()) after = page.back().user_id;
  }
  return OkStatus();
}

}  // namespace

Result<CopySummary> CopyUserKeys(UserKeySource& source, connector::store::KeyStore& destination,
                                 const custody::DataKeyring& keyring, const CopyOptions& options) {
  if (options.batch_size == 0) return InvalidArgumentError("the batch size must be at least 1");
  CopySummary summary;
  DestinationCursor existing(destination, options.batch_size);
  std::string previous;  // the last source id taken: ids must rise strictly
  std::uint64_t rows_done = 0;
  while (true) {
    KW_ASSIGN_OR_RETURN(std::vector<SourceRow> rows, source.Next(options.batch_size));
    if (rows.empty()) break;
    const std::string batch_after = previous;
    std::vector<connector::store::UserKeyRecord> records;
    std::vector<PlainUserKey> keys;  // the source keys of `records`, for verification
    std::uint64_t replacing = 0;
    for (SourceRow& row : rows) {
      ++rows_done;
      Status problem = row.key.status();
      if (problem.ok() && !previous.empty() && row.key->user_id <= previous) {
        problem = InvalidArgumentError("its id repeats an earlier row's");
      }
      if (!problem.ok()) {
        if (!options.skip_unreadable) {
          return Status(problem.code(), "user key " + row.name + " cannot be read: " + problem.message());
        }
        summary.skipped.push_back(row.name);
        continue;
      }
      PlainUserKey& key = *row.key;
      previous = key.user_id;
      KW_ASSIGN_OR_RETURN(std::optional<connector::store::UserKeyRecord> found, existing.Find(key.user_id));
      if (found) {
        auto opened = keyring.Open(found->user_id, found->data_key_version, found->sealed);
        if (opened.ok() && opened->Equals(key.key.span())) {
          ++summary.already_present;
          continue;
        }
        if (!options.overwrite) {
          return AlreadyExistsError("user " + key.user_id + " already has " +
                                    (opened.ok() ? "a different key" : "a key that cannot be opened") +
                                    " in the destination");
        }
        ++replacing;
      }
      KW_ASSIGN_OR_RETURN(auto sealed, keyring.Seal(key.user_id, key.key.span()));
      connector::store::UserKeyRecord record;
      record.user_id = key.user_id;
      record.data_key_version = sealed.first;
      record.sealed = std::move(sealed.second);
      record.creation_date = key.creation_date;
      record.revision_date = key.revision_date;
      record.last_access_date = key.last_access_date;
      records.push_back(std::move(record));
      keys.push_back(std::move(key));
    }
    if (!records.empty()) {
      KW_RETURN_IF_ERROR(destination.PutUserKeysExact(records));
      KW_RETURN_IF_ERROR(VerifyWritten(destination, keyring, batch_after, records, keys, options.batch_size));
      summary.verified += records.size();
      summary.replaced += replacing;
      summary.transferred += records.size() - replacing;
    }
    if (options.progress) options.progress(rows_done);
  }
  return summary;
}

}  // namespace keywarden::connector
