// The vault's API routes (core.md 4 and 6), for the caller's own items:
//   GET  /api/sync                                   profile, folders, ciphers, userDecryption, ...
//   GET|POST /api/folders, GET|PUT|POST|DELETE /api/folders/{id}, POST /api/folders/{id}/delete
//   GET|POST /api/ciphers, POST /api/ciphers/create, GET /api/ciphers/{id}[/details]
//   PUT|POST /api/ciphers/{id}                       edit (refused if based on an older copy)
//   PUT|POST /api/ciphers/{id}/partial               folder and favourite only
//   PUT|POST /api/ciphers/{id}/delete, PUT /api/ciphers/{id}/restore   soft delete and restore
//   DELETE /api/ciphers/{id}, POST /api/ciphers/{id}/delete-admin       purge one
//   PUT /api/ciphers/delete, PUT /api/ciphers/restore, DELETE /api/ciphers, PUT|POST /api/ciphers/move
//                                                    the bulk forms ({"ids": [...]})
//   POST /api/ciphers/purge                          the whole personal vault, after the password
// Another user's item or folder is 404, never its data. Organisation items (core.md 6.1, 7) go
// through the same routes with the rights the caller's collections give
// (organization_cipher_store.h), plus POST /api/ciphers/admin and the -admin forms of delete and
// restore for those who administer the organisation's items, and organization_item_routes.h.
// A personal item is refused while a personal ownership policy applies to the caller.
#ifndef KEYWARDEN_SERVER_VAULT_VAULT_ROUTES_H_
#define KEYWARDEN_SERVER_VAULT_VAULT_ROUTES_H_

#include <atomic>
#include <cstdint>
#include <memory>

#include "http/router.h"
#include "server/accounts/account_routes.h"

namespace keywarden::server {

struct VaultRouteOptions {
  // The limit the routes that read a whole vault (GET /api/sync, GET /api/ciphers) run under
  // (http/concurrency_limit.h): each holds a core and its answer (8 MB for 5,000 items) while it
  // renders, so more at once than cores only adds memory. Null for none.
  std::shared_ptr<http::ConcurrencyLimit> whole_vault_limit;
  // Where GET /api/sync leaves the number of statements its last answer read (after the one that
  // authenticates the caller): a fixed number whatever the vault and its organisations hold
  // (the metric keywarden_sync_statements). Null for none.
  std::shared_ptr<std::atomic<std::uint64_t>> sync_statements;
};

void AddVaultRoutes(http::Router& router, AccountRoutesContext& context, const VaultRouteOptions& options = {});

}  // namespace keywarden::server

#endif  // KEYWARDEN_SERVER_VAULT_VAULT_ROUTES_H_
