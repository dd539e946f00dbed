#include "server/vault/folder_request.h"

#include "http/json.h"
#include "server/vault/internal/field_path.h"
#include "server/vault/internal/field_values.h"

namespace keywarden::server::vault {

Result<FolderWrite> ParseFolderRequest(const nlohmann::json& body, const VaultRequestLimits& limits) {
  if (!body.is_object()) return InvalidArgumentError("the request body must be a JSON object");
  internal::FieldPath path;
  internal::FieldPath::Member scope(path, "name");
  const nlohmann::json* name = http::FindField(body, "name");
  if (internal::IsAbsent(name)) return path.Error("is required.");
  FolderWrite folder;
  KW_ASSIGN_OR_RETURN(folder.name, internal::ReadEncString(*name, path, limits.max_enc_string_chars));
  return folder;
}

}  // namespace keywarden::server::vault
