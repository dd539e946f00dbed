// A stored folder as the clients read it: the element of the sync's `folders` array and the
// answer of the folder routes, {"object":"folder","id":…,"name":"2.…","revisionDate":…}
// (docs core.md 4.5, 6.4).
//
// Thread-safe; no state.
#ifndef KEYWARDEN_SERVER_VAULT_FOLDER_JSON_H_
#define KEYWARDEN_SERVER_VAULT_FOLDER_JSON_H_

#include <string>

#include "base/time.h"

namespace keywarden::server::vault {

struct StoredFolder {
  std::string id;    // canonical GUID
  std::string name;  // FolderWrite::name
  TimeMs revision_date = 0;
};

// Appends the folder's JSON object (no separator before or after).
void AppendFolderJson(const StoredFolder& folder, std::string& out);

}  // namespace keywarden::server::vault

#endif  // KEYWARDEN_SERVER_VAULT_FOLDER_JSON_H_
