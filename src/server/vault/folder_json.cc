#include "server/vault/folder_json.h"

#include "base/iso_date.h"
#include "server/vault/internal/json_text.h"

namespace keywarden::server::vault {

void AppendFolderJson(const StoredFolder& folder, std::string& out) {
  out.append(R"({"object":"folder","id":)");
  internal::AppendJsonString(folder.id, out);
  out.append(",\"name\":");
  internal::AppendJsonString(folder.name, out);
  out.append(",\"revisionDate\":\"");
  AppendIsoDate(folder.revision_date, out);
  out.append("\"}");
}

}  // namespace keywarden::server::vault
