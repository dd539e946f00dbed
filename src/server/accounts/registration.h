// Registration and prelogin: the unauthenticated identity routes (core.md 1 and 2).
//
//   POST /identity/accounts/prelogin/password, /identity/accounts/prelogin
//        the KDF to derive the master key with; an unknown address gets the default (PBKDF2
//        600,000, the address as salt), so that the answer does not tell who has an account
//   POST /identity/accounts/register/send-verification-email
//        with mail verification on: mails a link (204); off: answers the token itself (200, a JSON
//        string), as the reference does, and the client finishes at once
//   POST /identity/accounts/register/finish, /identity/accounts/register, /api/accounts/register
//        creates the account from what the client derived (hash, wrapped user key, key pair)
// Signups may be open, closed, or limited to e-mail domains.
#ifndef KEYWARDEN_SERVER_ACCOUNTS_REGISTRATION_H_
#define KEYWARDEN_SERVER_ACCOUNTS_REGISTRATION_H_

#include <functional>
#include <memory>
#include <string>

#include "http/router.h"
#include "server/api/api_context.h"
#include "server/config/server_config.h"
#include "server/identity/hashing_gate.h"
#include "server/identity/password_hasher.h"

namespace keywarden::server {

struct RegistrationOptions {
  ServerConfig::Accounts accounts;
  // Sends the verification link; empty when mail is not configured.
  std::function<Status(const std::string& email, const std::string& name, const std::string& token)> send_verification;
  // The limit the routes that hash a password (register) run under, shared with the token
  // endpoint's password grants (http/concurrency_limit.h); null for none.
  std::shared_ptr<http::ConcurrencyLimit> hashing_limit;
};

struct RegistrationContext {
  api::ApiContext& api;
  const identity::PasswordHasher& hasher;
  identity::HashingGate& gate;
  RegistrationOptions options;
};

// Adds the routes above. `context` must outlive the router.
void AddRegistrationRoutes(http::Router& router, RegistrationContext& context);

// Checks and stores a new account from a register/finish body (exposed for tests and fuzzing):
// kInvalidArgument naming the field for a malformed body, kAlreadyExists for a taken address.
Status RegisterAccount(RegistrationContext& context, const nlohmann::json& body, bool token_checked);

}  // namespace keywarden::server

#endif  // KEYWARDEN_SERVER_ACCOUNTS_REGISTRATION_H_
