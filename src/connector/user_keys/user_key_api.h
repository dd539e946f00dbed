// The connector's HTTP API, as routes on an http::Router:
//
//   GET    /user-keys   200 {"key": "<base64>"}, 404 when the user has no key
//   POST   /user-keys   {"key": ...} -> 200 with an empty body, 400 when a key exists
//   PUT    /user-keys   {"key": ...} -> 200 (creates or replaces)
//   DELETE /user-keys   200, 404 when there was nothing to delete
// (/alive, /now, /health and /metrics come from service::ServiceHost.)
//
// The user id always comes from the bearer token, never from the request. Every failure is a
// JSON {"message": ...} with a 4xx (bad input, bad token), a 404, or a 503 (a dependency is down).
#ifndef KEYWARDEN_CONNECTOR_USER_KEYS_USER_KEY_API_H_
#define KEYWARDEN_CONNECTOR_USER_KEYS_USER_KEY_API_H_

#include <functional>

#include "auth/token_verifier.h"
#include "connector/user_keys/user_key_service.h"
#include "http/router.h"
#include "keywarden/status.h"
#include "telemetry/metrics.h"

namespace keywarden::connector {

struct UserKeyApi {
  UserKeyService& service;
  auth::TokenVerifier& verifier;
  telemetry::Counter* token_failures = nullptr;  // label "reason"; may be null
  // Writes always run on the server's blocking pool (they wait for a durable commit, which
  // concurrent writes share). Reads run there too when the database is across a network;
  // SQLite reads are quick enough for the I/O threads.
  bool reads_block = false;
  const Clock* clock = &Clock::System();  // the time tokens are checked at
};

void AddUserKeyRoutes(http::Router& router, const UserKeyApi& api);

}  // namespace keywarden::connector

#endif  // KEYWARDEN_CONNECTOR_USER_KEYS_USER_KEY_API_H_
