// The caller's devices (member-decryption.md 1.3), each as devices::DeviceJson:
//   GET    /api/devices                          the active devices (a removed one is left out),
//                                                each with devicePendingAuthRequest {id,
//                                                creationDate}: the newest login-with-device
//                                                request (type 0 or 1) from that device, when
//                                                unanswered and younger than 15 minutes; else null
//   GET    /api/devices/{id}                     one, by its id (removed ones too); 404 when the
//                                                id is not a GUID or not one of the caller's
//   GET    /api/devices/identifier/{identifier}  one, by the identifier the client gave itself
//                                                (removed ones too); 404 otherwise
//   DELETE /api/devices/{id}                     removes it (the clients' "remove device"; also
//   POST   /api/devices/{id}/deactivate          the older path): inactive, its trusted-device keys
//                                                cleared; 200 empty, also when already removed;
//                                                404 as for GET. Beyond the reference, which leaves
//                                                the device's sessions running until they expire,
//                                                its refresh tokens are revoked: removing a device
//                                                logs it out at its next token refresh.
//   GET    /api/devices/knowndevice              unauthenticated: whether this device has logged in
//                                                to the account named by X-Request-Email (base64url)
//                                                before: true or false, as the clients expect
// The trusted-device keys themselves are set and cleared by server/devices/device_trust_routes.h.
#ifndef KEYWARDEN_SERVER_ACCOUNTS_DEVICE_ROUTES_H_
#define KEYWARDEN_SERVER_ACCOUNTS_DEVICE_ROUTES_H_

#include "http/router.h"
#include "server/api/api_context.h"

namespace keywarden::server {

void AddDeviceRoutes(http::Router& router, api::ApiContext& context);

}  // namespace keywarden::server

#endif  // KEYWARDEN_SERVER_ACCOUNTS_DEVICE_ROUTES_H_
