// The routes that only organisation items have (docs core.md 6.1; the reference's
// CiphersController):
//   PUT|POST /api/ciphers/{id}/share          a personal item into an organisation (`bw share`,
//                                             `bw move`): {"cipher": re-encrypted with the
//                                             organisation key, "collectionIds": [...]}
//   PUT|POST /api/ciphers/{id}/collections_v2 the item's collections (`bw edit item-collections`):
//                                             {"collectionIds"} -> {"unavailable", "cipher"}
//   PUT|POST /api/ciphers/{id}/collections    the same, answering the item
//   PUT|POST /api/ciphers/{id}/collections-admin   every collection of the item, for those who
//                                             administer the organisation's items
//   GET /api/ciphers/organization-details?organizationId=O   every item of the organisation,
//                                             for the same
//   GET|PUT|POST /api/ciphers/{id}/admin      one item of the organisation, for the same
// Collections named must be the organisation's (else 400, nothing changed) and the caller must
// be allowed to put items in them; an item the caller does not see is 404.
#ifndef KEYWARDEN_SERVER_VAULT_ORGANIZATION_ITEM_ROUTES_H_
#define KEYWARDEN_SERVER_VAULT_ORGANIZATION_ITEM_ROUTES_H_

#include "http/router.h"
#include "server/accounts/account_routes.h"

namespace keywarden::server::vault {

void AddOrganizationItemRoutes(http::Router& router, AccountRoutesContext& context);

}  // namespace keywarden::server::vault

#endif  // KEYWARDEN_SERVER_VAULT_ORGANIZATION_ITEM_ROUTES_H_
