// Folder request bodies (POST /folders, PUT /folders/{id}): {"name": "2.…"}, the name encrypted
// with the user key. Checked like a cipher's leaves (server/vault/cipher_request.h): Name is
// required and must be a well-formed EncString of at most max_enc_string_chars characters;
// member names are case-insensitive; anything else (an `id`, which the route takes from the
// path) is ignored.
//
// Thread-safe; no state.
#ifndef KEYWARDEN_SERVER_VAULT_FOLDER_REQUEST_H_
#define KEYWARDEN_SERVER_VAULT_FOLDER_REQUEST_H_

#include <string>

#include <nlohmann/json.hpp>

#include "keywarden/status.h"
#include "server/vault/request_limits.h"

namespace keywarden::server::vault {

struct FolderWrite {
  std::string name;  // the EncString, as the library writes it back
};

// Field errors name "Name"; a body that is not a JSON object is kInvalidArgument without a field.
Result<FolderWrite> ParseFolderRequest(const nlohmann::json& body, const VaultRequestLimits& limits = {});

}  // namespace keywarden::server::vault

#endif  // KEYWARDEN_SERVER_VAULT_FOLDER_REQUEST_H_
