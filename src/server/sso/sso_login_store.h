// What a single sign-on login holds between its steps (docs member-decryption.md 7): the
// prevalidation token between /sso/prevalidate and /connect/authorize, the pending login
// between /connect/authorize and the provider's callback, and the authorization code between
// the callback and the token grant; and the link token with which a signed-in account asks
// that its next single sign-on login link it (GET /api/accounts/sso/user-identifier).
//
// In memory: each lives for minutes at most and is used once, so a restart only makes the
// logins in flight start again. Entries are kept by the SHA-256 of their token, so that a
// lookup compares digests, never the secret itself. Expired entries are dropped when new ones
// are added; when `max_entries` live entries of one kind are held, new ones are refused
// (kUnavailable, answered 503) rather than letting anonymous callers grow the process.
//
// Thread-safe.
#ifndef KEYWARDEN_SERVER_SSO_SSO_LOGIN_STORE_H_
#define KEYWARDEN_SERVER_SSO_SSO_LOGIN_STORE_H_

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/mutex.h"
#include "keywarden/status.h"

namespace keywarden::server::sso {

// A client's authorization request, checked and waiting for the provider's answer.
struct PendingSsoLogin {
  std::string organization_id;
  std::string client_id;     // web, browser, desktop, cli, mobile or connector
  std::string redirect_uri;  // where the client waits for its code
  std::string client_state;  // returned to the client as it sent it
  std::string code_challenge;
  // Toward the provider: the ID token must carry `nonce`; the code is redeemed with
  // `provider_code_verifier` (PKCE).
  std::string nonce;
  std::string provider_code_verifier;
  // The account that asked to be linked (a `user_identifier` whose link token was taken), or
  // empty.
  std::string claimed_user_id;
};

// An authorization code the server issued to a client for `user_id`.
struct SsoAuthorizationCode {
  std::string user_id;
  std::string organization_id;
  std::string client_id;
  std::string redirect_uri;
  std::string code_challenge;  // base64url(SHA-256(code_verifier)), as the client sent it
};

struct SsoLoginStoreOptions {
  std::chrono::seconds prevalidation_lifetime{60};
  std::chrono::seconds login_lifetime{600};  // time to sign in at the provider
  std::chrono::seconds code_lifetime{300};
  std::size_t max_entries = 10'000;         // of each kind
  std::chrono::seconds link_lifetime{600};  // from the web vault's link button to /connect/authorize
};

class SsoLoginStore {
 public:
  explicit SsoLoginStore(SsoLoginStoreOptions options = {}) : options_(options) {}

  // A token that lets /connect/authorize start a login into `organization_id`.
  Result<std::string> IssuePrevalidation(const std::string& organization_id, TimePoint now);
  // The organisation `token` was issued for, while it is valid (it may be used more than once,
  // as a client may retry the redirect).
  std::optional<std::string> PrevalidatedOrganization(std::string_view token, TimePoint now) const;

  // The state to send to the provider for `login`.
  Result<std::string> BeginLogin(PendingSsoLogin login, TimePoint now);
  // The login `state` names, once: a replayed or expired state finds nothing.
  std::optional<PendingSsoLogin> TakeLogin(std::string_view state, TimePoint now);

  Result<std::string> IssueCode(SsoAuthorizationCode code, TimePoint now);
  // The grant `code` stands for, leaving it valid: a login that must pass two-step login first
  // presents the same code again with the second factor, as the clients do.
  std::optional<SsoAuthorizationCode> FindCode(std::string_view code, TimePoint now) const;
  // The grant `code` stands for, once.
  std::optional<SsoAuthorizationCode> TakeCode(std::string_view code, TimePoint now);

  // A token by which account `user_id` claims the next single sign-on login; the account it was
  // issued to, once.
  Result<std::string> IssueLinkToken(const std::string& user_id, TimePoint now);
  std::optional<std::string> TakeLinkToken(std::string_view token, TimePoint now);

 private:
  template <typename T>
  struct Entry {
    T value;
    TimePoint expires;
  };
  template <typename T>
  using Table = std::map<std::string, Entry<T>, std::less<>>;  // by the SHA-256 of the token

  template <typename T>
  Result<std::string> Add(Table<T>& table, T value, TimePoint expires, TimePoint now) KW_REQUIRES(mu_);
  template <typename T>
  std::optional<T> Find(const Table<T>& table, std::string_view token, TimePoint now) const KW_REQUIRES(mu_);
  template <typename T>
  std::optional<T> Take(Table<T>& table, std::string_view token, TimePoint now) KW_REQUIRES(mu_);

  const SsoLoginStoreOptions options_;
  mutable Mutex mu_;
  Table<std::string> prevalidations_ KW_GUARDED_BY(mu_);
  Table<PendingSsoLogin> logins_ KW_GUARDED_BY(mu_);
  Table<SsoAuthorizationCode> codes_ KW_GUARDED_BY(mu_);
  Table<std::string> links_ KW_GUARDED_BY(mu_);
};

// base64url(SHA-256(verifier)) compared in constant time with `challenge` (RFC 7636 S256).
// The verifier must be 43 to 128 characters of the unreserved set.
bool PkceMatches(std::string_view verifier, std::string_view challenge);

// The S256 challenge of `verifier`: base64url(SHA-256(verifier)), unpadded; empty if hashing
// fails.
std::string PkceChallenge(std::string_view verifier);

}  // namespace keywarden::server::sso

#endif  // KEYWARDEN_SERVER_SSO_SSO_LOGIN_STORE_H_
