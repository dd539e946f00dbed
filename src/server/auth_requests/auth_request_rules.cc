#include "server/auth_requests/auth_request_rules.h"

#include <algorithm>
#include <map>
#include <string>

#include "server/two_factor/codes.h"

namespace keywarden::server::auth_requests {
namespace {

bool IsDeviceRequest(const AuthRequest& request) { return request.type != AuthRequestType::kAdminApproval; }

}  // namespace

bool IsAnswerable(const AuthRequest& request, TimeMs now) {
  const TimeMs lifetime = IsDeviceRequest(request) ? kUserRequestLifetimeMs : kAdminRequestLifetimeMs;
  return now <= request.creation_date + lifetime;
}

bool IsReadable(const AuthRequest& request, TimeMs now) {
  if (!IsDeviceRequest(request) && request.approved == true && request.response_date.has_value()) {
    return now <= *request.response_date + kAfterAdminApprovalMs;
  }
  return IsAnswerable(request, now);
}

bool MatchesAccessCode(const AuthRequest& request, std::string_view code) {
  auto stored = two_factor::TokenHash(request.access_code);
  auto given = two_factor::TokenHash(code);
  return stored.ok() && given.ok() && !request.access_code.empty() && two_factor::SameHash(*stored, *given);
}

bool IsValidForAuthentication(const AuthRequest& request, std::string_view user_id, std::string_view code, TimeMs now) {
  // Every condition is evaluated, so that the code's comparison always runs.
  const bool code_matches = MatchesAccessCode(request, code);
  return code_matches && request.type == AuthRequestType::kAuthenticateAndUnlock && request.user_id == user_id &&
         request.approved == true && request.response_date.has_value() && !request.authentication_date.has_value() &&
         now <= request.creation_date + kUserRequestLifetimeMs;
}

std::vector<AuthRequest> PendingDeviceRequests(const std::vector<AuthRequest>& requests, TimeMs now) {
  std::map<std::string, const AuthRequest*> newest_by_device;
  for (const AuthRequest& request : requests) {
    if (!IsDeviceRequest(request)) continue;
    const AuthRequest*& newest = newest_by_device[request.request_device_identifier];
    if (newest == nullptr || request.creation_date > newest->creation_date ||
        (request.creation_date == newest->creation_date && request.id > newest->id)) {
      newest = &request;
    }
  }
  std::vector<AuthRequest> pending;
  for (const auto& [device, request] : newest_by_device) {
    if (!request->answered() && now <= request->creation_date + kUserRequestLifetimeMs) pending.push_back(*request);
  }
  std::sort(pending.begin(), pending.end(),
            [](const AuthRequest& a, const AuthRequest& b) { return a.creation_date > b.creation_date; });
  return pending;
}

}  // namespace keywarden::server::auth_requests
