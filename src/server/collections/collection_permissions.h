// Who may do what with an organisation's collections, by the reference's rules
// (BulkCollectionAuthorizationHandler, CollectionPermissions) under the collection-management
// settings this server gives every organisation: collection creation limited to owners, admins
// and custom members with CreateNewCollections (LimitCollectionCreation on); deletion not so
// limited (LimitCollectionDeletion off), so a member who manages a collection may delete it;
// owners and admins reach every collection and its items (AllowAdminAccessToAllCollectionItems on).
// The settings are not stored yet; this file is where they are decided.
//
// `manages` is whether the caller holds Manage on every collection concerned (direct or through a
// group). Rights belong to confirmed members only (MemberRole).
//
// Thread-safe; no state.
#ifndef KEYWARDEN_SERVER_COLLECTIONS_COLLECTION_PERMISSIONS_H_
#define KEYWARDEN_SERVER_COLLECTIONS_COLLECTION_PERMISSIONS_H_

#include "server/organizations/member_role.h"

namespace keywarden::server::collections {

using organizations::MemberRole;

inline bool MayCreateCollections(const MemberRole& role) { return role.CreatesCollections(); }

// Reading one collection's name (GET .../collections/{id}).
inline bool MayReadCollection(const MemberRole& role, bool manages) {
  return role.IsAdmin() || role.EditsAnyCollection() || role.DeletesAnyCollection() || (role.confirmed() && manages);
}

// Reading who has access to it (.../details, .../users); managing members also may.
inline bool MayReadCollectionAccess(const MemberRole& role, bool manages) {
  return MayReadCollection(role, manages) || role.ManagesUsers();
}

// Renaming it and changing who has access.
inline bool MayEditCollection(const MemberRole& role, bool manages) {
  return role.EditsAnyCollection() || (role.confirmed() && manages);
}

inline bool MayDeleteCollection(const MemberRole& role, bool manages) {
  return role.DeletesAnyCollection() || (role.confirmed() && manages);
}

// Any item of the organisation, assigned or not, through the admin routes (ciphers/admin,
// organization-details, delete-admin, collections-admin): owners and admins, and custom members
// who may edit any collection.
inline bool MayAdministerItems(const MemberRole& role) { return role.EditsAnyCollection(); }

}  // namespace keywarden::server::collections

#endif  // KEYWARDEN_SERVER_COLLECTIONS_COLLECTION_PERMISSIONS_H_
