// Admin approval of device requests, the organisation's side (member-decryption.md 3.1): a
// member logging in on a new device without a master password asks the organisation's
// approvers (POST /api/auth-requests/admin-request), and one of them answers with the member's
// user key, recovered through account recovery and encapsulated to the request's public key by
// the approver's client.
//
//   GET  /api/organizations/{orgId}/auth-requests             the unanswered admin requests
//        ("pending-org-auth-request": id, userId, organizationUserId, email, publicKey, ...)
//   POST /api/organizations/{orgId}/auth-requests/{requestId} {requestApproved, encryptedUserKey}
//        answers one: 404 unless an admin request of this organisation; 400 when already answered
//        (answers are final); 404 once it expired (7 days). 200 empty.
//   POST /api/organizations/{orgId}/auth-requests             [{id, approved, key}, ...] answers
//        several: those not of this organisation, answered, expired, or approved without a key
//        are skipped, as in the reference. 200 empty.
//   POST /api/organizations/{orgId}/auth-requests/deny        {ids}: denies each; all or nothing
//        (400 when one was answered, 404 when one expired); unknown ids are skipped. 200 empty.
// Who may: owners, admins and custom members with manageResetPassword (confirmed). Anyone else
// gets 404, as for an organisation they cannot see: the reference answers 401 there, on which the
// official clients log out. An approval queues an AuthRequestResponse (16) push and mails the
// member; events 1513 (approved) and 1514 (denied) about the member.
#ifndef KEYWARDEN_SERVER_AUTH_REQUESTS_ORGANIZATION_AUTH_REQUEST_ROUTES_H_
#define KEYWARDEN_SERVER_AUTH_REQUESTS_ORGANIZATION_AUTH_REQUEST_ROUTES_H_

#include "http/router.h"
#include "server/organizations/organization_routes.h"

namespace keywarden::server::auth_requests {

void AddOrganizationAuthRequestRoutes(http::Router& router, OrganizationRoutesContext& context);

}  // namespace keywarden::server::auth_requests

#endif  // KEYWARDEN_SERVER_AUTH_REQUESTS_ORGANIZATION_AUTH_REQUEST_ROUTES_H_
