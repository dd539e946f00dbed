// The caller's devices (member-decryption.md, the devices table):
//   GET  /api/devices                          every device that has logged in to the account
//   GET  /api/devices/identifier/{identifier}  one, by the identifier the client gave itself
//   GET  /api/devices/knowndevice              unauthenticated: whether this device has logged in
//                                              to the account named by X-Request-Email (base64url)
//                                              before: true or false, as the clients expect
// Trusted-device keys and approvals extend these routes with the single sign-on steps.
#ifndef KEYWARDEN_SERVER_ACCOUNTS_DEVICE_ROUTES_H_
#define KEYWARDEN_SERVER_ACCOUNTS_DEVICE_ROUTES_H_

#include "http/router.h"
#include "server/api/api_context.h"

namespace keywarden::server {

void AddDeviceRoutes(http::Router& router, api::ApiContext& context);

}  // namespace keywarden::server

#endif  // KEYWARDEN_SERVER_ACCOUNTS_DEVICE_ROUTES_H_
