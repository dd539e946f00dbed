// CopyUserKeys: moves user keys from any source into a Keywarden key store, re-sealed on the way.
//
// `connector transfer` (one Keywarden database and RSA key to another) and `connector
// import-reference` (the reference Key Connector's data) both run through it; they differ only in
// their UserKeySource, which hands over each row already opened.
//
// For each batch of source rows: each row is looked up in the destination; the missing ones are
// sealed with the destination's keyring and written with PutUserKeysExact (one transaction per
// batch, every date kept); then the batch is read back and every written row opened and compared
// with the source (key and dates) before the next batch starts.
//
// Resumable and idempotent: a destination row that already opens to the same key counts as
// "already present" and is left alone, so a copy that was interrupted at any point (each batch
// lands whole or not at all) is simply run again, and running a finished one again writes nothing.
// A destination row holding a different key (or one it cannot open) is a conflict: the copy stops
// naming the user, unless `overwrite` lets the source win.
//
// A source row that cannot be read (it fails to open, names an unknown data key version, is
// malformed, or repeats an id) stops the copy with an error naming the row, unless
// `skip_unreadable`: then the row is listed in the summary and the copy goes on. Rows written
// before a stop stay written; the next run continues after them.
#ifndef KEYWARDEN_CONNECTOR_TRANSFER_COPY_USER_KEYS_H_
#define KEYWARDEN_CONNECTOR_TRANSFER_COPY_USER_KEYS_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "connector/store/key_store.h"
#include "custody/data_keyring.h"
#include "keywarden/crypto/secure_buffer.h"
#include "keywarden/status.h"

namespace keywarden::connector {

// One source row, opened: the plaintext key and the dates to keep.
struct PlainUserKey {
  std::string user_id;  // canonical lower-case GUID
  SecureBuffer key;
  TimeMs creation_date = 0;
  std::optional<TimeMs> revision_date;
  std::optional<TimeMs> last_access_date;
};

struct SourceRow {
  // The user id; when the row's id is itself unreadable, what names the row ("row 7").
  std::string name;
  // The opened key, or why this row cannot be read.
  Result<PlainUserKey> key;
};

// Rows to copy, in ascending canonical user-id order (byte order, as KeyStore::ListUserKeys).
class UserKeySource {
 public:
  virtual ~UserKeySource() = default;
  // Up to `limit` next rows; empty when there are no more. An error is a failure of the source
  // itself (database unreachable, file unreadable), not of one row: the copy stops.
  virtual Result<std::vector<SourceRow>> Next(std::size_t limit) = 0;
};

struct CopyOptions {
  std::size_t batch_size = 500;  // rows per transaction
  bool skip_unreadable = false;
  bool overwrite = false;  // replace destination rows that hold a different key
  // Called after each batch with the rows handled so far (for a progress display).
  std::function<void(std::uint64_t rows_done)> progress;
};

struct CopySummary {
  std::uint64_t transferred = 0;      // written (new in the destination)
  std::uint64_t replaced = 0;         // written over a different key (overwrite only)
  std::uint64_t already_present = 0;  // the destination already held the same key
  std::vector<std::string> skipped;   // unreadable rows (skip_unreadable only), by name
  std::uint64_t verified = 0;         // written rows read back and compared
};

// Copies every row of `source` into `destination`, sealed by `keyring` (the destination's).
// Errors: the first unreadable row (unless skipped) or conflict, naming the row; a failing store;
// a written row that does not read back as written (kInternal).
Result<CopySummary> CopyUserKeys(UserKeySource& source, connector::store::KeyStore& destination,
                                 const custody::DataKeyring& keyring, const CopyOptions& options);

}  // namespace keywarden::connector

#endif  // KEYWARDEN_CONNECTOR_TRANSFER_COPY_USER_KEYS_H_
