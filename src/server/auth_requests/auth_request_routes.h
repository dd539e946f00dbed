// Auth requests, the user's side (member-decryption.md 2.2): a device asks another of the
// user's devices, or an administrator, for the user key, encapsulated to the request's public key.
//
//   POST /api/auth-requests                    anonymous; {email, publicKey, deviceIdentifier,
//        accessCode, type 0|1}. 400 "You must be authenticated to create a request of that
//        type." for type 2; 400 "Device type not provided." without a Device-Type header; 400
//        "User or known device not found." for an unknown address or a device the account has
//        never logged in from (the same answer, so that addresses are not revealed), and the
//        same 400 when a valid bearer token of another account comes with it (a refused token
//        leaves the request anonymous). Queues an AuthRequest (15) push for the user's devices.
//   POST /api/auth-requests/admin-request      the caller's; the same body with type 2 (else 400
//        "Invalid AuthRequestType. Expected AdminApproval."): one request per organisation the
//        caller belongs to (400 "User does not belong to any organizations." when none), event
//        1010, a mail to each organisation's approvers; answers the first request.
//   GET  /api/auth-requests                    every request of the caller
//   GET  /api/auth-requests/pending            the newest unanswered device request of each
//        requesting device, within 15 minutes, with "requestDeviceId"
//   GET  /api/auth-requests/{id}               the caller's request (404 for another's)
//   GET  /api/auth-requests/{id}/response?code=ACCESS_CODE   anonymous: the request, when the
//        code matches (constant time) and it is still readable (auth_request_rules.h), else 404
//   PUT  /api/auth-requests/{id}               {key, masterPasswordHash, deviceIdentifier,
//        requestApproved}: the caller answers their own request (auth_request_answer.h). An
//        approval must be of the newest pending request of its device (400 "This request is no
//        longer valid. Make sure to approve the most recent request."); the approving device must
//        be the caller's (400 "Invalid device."); an answered request 400 (final); an expired one
//        or another user's 404.
// Answers are the reference's AuthRequestResponseModel (auth_request_json.h).
#ifndef KEYWARDEN_SERVER_AUTH_REQUESTS_AUTH_REQUEST_ROUTES_H_
#define KEYWARDEN_SERVER_AUTH_REQUESTS_AUTH_REQUEST_ROUTES_H_

#include "http/router.h"
#include "server/organizations/organization_routes.h"

namespace keywarden::server::auth_requests {

// Uses the API context, the public URL (the "origin" the approving client shows) and the mail
// of `context`.
void AddAuthRequestRoutes(http::Router& router, OrganizationRoutesContext& context);

}  // namespace keywarden::server::auth_requests

#endif  // KEYWARDEN_SERVER_AUTH_REQUESTS_AUTH_REQUEST_ROUTES_H_
