// Reading stored rows into records, the same for every SQL backend.
//
// Every backend selects user keys as (id, sealed, data_key_version, creation_date, revision_date,
// last_access_date) and data-key wrappings as (version, wrapped, provider_fingerprint,
// creation_date). A backend's row type supplies ColumnText, ColumnBlob, ColumnInt and
// ColumnOptionalInt for a column index.
#ifndef KEYWARDEN_CONNECTOR_STORE_INTERNAL_STORED_ROWS_H_
#define KEYWARDEN_CONNECTOR_STORE_INTERNAL_STORED_ROWS_H_

#include <cstdint>
#include <limits>

#include "connector/store/key_store.h"
#include "keywarden/status.h"

namespace keywarden::connector::store::internal {

// A data key version as stored (a signed integer column) checked into its range.
inline Result<std::uint32_t> StoredVersion(std::int64_t value) {
  if (value < 0 || value > std::numeric_limits<std::uint32_t>::max()) {
    return InternalError("stored data key version is out of range");
  }
  return static_cast<std::uint32_t>(value);
}

template <typename Row>
Result<UserKeyRecord> ReadUserKeyRow(const Row& row) {
  UserKeyRecord record;
  record.user_id = row.ColumnText(0);
  record.sealed = row.ColumnBlob(1);
  KW_ASSIGN_OR_RETURN(record.data_key_version, StoredVersion(row.ColumnInt(2)));
  record.creation_date = row.ColumnInt(3);
  record.revision_date = row.ColumnOptionalInt(4);
  record.last_access_date = row.ColumnOptionalInt(5);
  return record;
}

template <typename Row>
Result<custody::WrappedDataKey> ReadDataKeyRow(const Row& row) {
  custody::WrappedDataKey key;
  KW_ASSIGN_OR_RETURN(key.version, StoredVersion(row.ColumnInt(0)));
  key.wrapped = row.ColumnBlob(1);
  key.provider_key_fingerprint = row.ColumnText(2);
  key.creation_date = row.ColumnInt(3);
  return key;
}

}  // namespace keywarden::connector::store::internal

#endif  // KEYWARDEN_CONNECTOR_STORE_INTERNAL_STORED_ROWS_H_
