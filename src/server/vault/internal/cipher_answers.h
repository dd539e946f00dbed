// The answers the vault's routes share: JSON text, an item as its viewer sees it, and the status a
// unit of work returns after choosing to refuse.
#ifndef KEYWARDEN_SERVER_VAULT_INTERNAL_CIPHER_ANSWERS_H_
#define KEYWARDEN_SERVER_VAULT_INTERNAL_CIPHER_ANSWERS_H_

#include <string>
#include <utility>

#include "http/http_types.h"
#include "keywarden/status.h"
#include "server/vault/cipher_json.h"
#include "server/vault/organization_cipher_store.h"

namespace keywarden::server::vault::internal {

inline http::HttpResponse JsonText(std::string body) {
  http::HttpResponse response;
  response.content_type = std::string(http::kJsonContentType);
  response.body = std::move(body);
  return response;
}

// {"object": "cipher", ...} with the viewer's rights.
inline http::HttpResponse CipherAnswer(const StoredCipher& cipher, const CipherAccess& access) {
  std::string body;
  AppendCipherJson(cipher, ViewerRights(cipher, access), CipherObject::kCipher, body);
  return JsonText(std::move(body));
}

// What a unit of work returns once it has set the answer to refuse with: the work rolls back and
// the route answers with what was set.
inline Status Refused() { return InvalidArgumentError("refused"); }

}  // namespace keywarden::server::vault::internal

#endif  // KEYWARDEN_SERVER_VAULT_INTERNAL_CIPHER_ANSWERS_H_
