// ReferenceData: what the reference Key Connector stored, read as it left it.
//
// The reference keeps one data key, RSA-OAEP-SHA1-wrapped under its RSA key and stored base64,
// and per user one key sealed with AES-256-GCM under the data key without associated data,
// stored as base64 of ciphertext || tag(16) || iv(12). Where it keeps them:
//   JSON file (database__provider=json; JsonFlatFileDataStore, lower camel case):
//     {"symmetricKey": "<base64>",
//      "userKey": [{"id": "<guid>", "key": "<base64>", "creationDate": "2021-08-20T15:59:54.1234567Z",
//                   "revisionDate": null, "lastAccessDate": "..."}, ...]}
//     Property names inside a userKey item are matched ignoring case, as the reference reads them.
//   SQLite (database__provider=sqlite; EF Core):
//     ApplicationDatas(Id INTEGER PRIMARY KEY, SymmetricKey TEXT NULL): the reference uses the
//       first row; more than one appears when two instances started together on an empty database.
//     UserKeys(Id TEXT PRIMARY KEY: upper-case GUID, Key TEXT NULL, CreationDate TEXT NOT NULL,
//       RevisionDate TEXT NULL, LastAccessDate TEXT NULL), dates as "yyyy-MM-dd HH:mm:ss.fffffff".
//   PostgreSQL (database__provider=postgresql) and MySQL/MariaDB (mysql): the same two tables,
//     "UserKeys"."Id" uuid / `Id` char(36) ascii_general_ci, dates as timestamp without time zone /
//     datetime(6), read as text.
//
// Readers never write: the SQLite file is opened read-only, the servers are only sent SELECTs.
#ifndef KEYWARDEN_CONNECTOR_REFERENCE_REFERENCE_DATA_H_
#define KEYWARDEN_CONNECTOR_REFERENCE_REFERENCE_DATA_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connector/reference/reference_settings.h"
#include "connector/store/key_store.h"
#include "keywarden/status.h"

namespace keywarden::connector {

// One UserKeys row, decoded but still sealed.
struct ReferenceUserKey {
  std::string user_id;               // canonical lower-case GUID
  std::vector<std::uint8_t> sealed;  // ciphertext || tag(16) || iv(12)
  TimeMs creation_date = 0;
  std::optional<TimeMs> revision_date;
  std::optional<TimeMs> last_access_date;
};

struct ReferenceRow {
  // The canonical user id; when the stored id is not a GUID, where the row is ("userKey[3]",
  // "UserKeys rowid 7").
  std::string name;
  Result<ReferenceUserKey> key;  // or why the row cannot be read
};

class ReferenceData {
 public:
  virtual ~ReferenceData() = default;

  // The stored data keys, base64-decoded, the one the reference uses first. Empty when the
  // reference never stored one (it had no users yet).
  virtual Result<std::vector<std::vector<std::uint8_t>>> WrappedDataKeys() = 0;
  // Up to `limit` next rows in canonical user-id order (rows whose id is not a GUID anywhere);
  // empty at the end. An error is a failure of the whole source, not of one row.
  virtual Result<std::vector<ReferenceRow>> NextRows(std::size_t limit) = 0;
};

// The data `settings` names (its JSON file or SQLite database, which must exist, or its server).
Result<std::unique_ptr<ReferenceData>> OpenReferenceData(const ReferenceSettings& settings);
Result<std::unique_ptr<ReferenceData>> OpenReferenceJson(const std::string& path);
Result<std::unique_ptr<ReferenceData>> OpenReferenceSqlite(const std::string& path);
Result<std::unique_ptr<ReferenceData>> OpenReferencePostgres(const std::string& connection_string);
Result<std::unique_ptr<ReferenceData>> OpenReferenceMysql(const std::string& connection_string);

// One row from its stored texts (shared by the readers): the id must be a GUID, the key base64 of
// at least tag and iv, the dates as reference_date.h reads them. `name` is the row's name for
// messages when the id is not a GUID.
ReferenceRow ParseReferenceRow(std::string_view name, std::string_view id, const std::optional<std::string>& key,
                               const std::optional<std::string>& creation_date,
                               const std::optional<std::string>& revision_date,
                               const std::optional<std::string>& last_access_date);

}  // namespace keywarden::connector

#endif  // KEYWARDEN_CONNECTOR_REFERENCE_REFERENCE_DATA_H_
