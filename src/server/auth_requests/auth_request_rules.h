// When an auth request may still be read, answered or used to log in (member-decryption.md
// 2.2-2.4, the reference's PasswordlessAuth settings at their defaults): device requests
// (types 0 and 1) live 15 minutes from their creation; admin approval requests 7 days while
// unanswered and 12 hours after their approval.
//
// Thread-safe; no state.
#ifndef KEYWARDEN_SERVER_AUTH_REQUESTS_AUTH_REQUEST_RULES_H_
#define KEYWARDEN_SERVER_AUTH_REQUESTS_AUTH_REQUEST_RULES_H_

#include <string_view>
#include <vector>

#include "base/time.h"
#include "server/auth_requests/auth_request_store.h"

namespace keywarden::server::auth_requests {

inline constexpr TimeMs kUserRequestLifetimeMs = 15 * 60 * 1000;
inline constexpr TimeMs kAdminRequestLifetimeMs = 7 * 24 * 60 * 60 * 1000LL;
inline constexpr TimeMs kAfterAdminApprovalMs = 12 * 60 * 60 * 1000LL;

// Whether the request may still be answered: a device request within its 15 minutes, an admin
// request within its 7 days (the reference's UpdateAuthRequestAsync).
bool IsAnswerable(const AuthRequest& request, TimeMs now);

// Whether the requester may still read the answer with its access code (GET .../response): as
// IsAnswerable, but an approved admin request counts its 12 hours from the approval.
bool IsReadable(const AuthRequest& request, TimeMs now);

// Whether `code` is the request's access code, compared in constant time (the codes' hashes):
// neither content nor length leaks through timing.
bool MatchesAccessCode(const AuthRequest& request, std::string_view code);

// Whether the request can log its user in with the password grant (once): an approved
// authenticate-and-unlock request of that user, within 15 minutes of its creation, not used
// yet, whose access code is `code`.
bool IsValidForAuthentication(const AuthRequest& request, std::string_view user_id, std::string_view code, TimeMs now);

// The pending device requests among the user's `requests` (any order): for each requesting
// device, its newest device request (types 0 and 1) when that one is unanswered and younger than
// 15 minutes (the reference's AuthRequestPendingDetailsView). Newest first.
std::vector<AuthRequest> PendingDeviceRequests(const std::vector<AuthRequest>& requests, TimeMs now);

}  // namespace keywarden::server::auth_requests

#endif  // KEYWARDEN_SERVER_AUTH_REQUESTS_AUTH_REQUEST_RULES_H_
