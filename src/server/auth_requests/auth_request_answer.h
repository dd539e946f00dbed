// Answering an auth request, the one path for the requester's other device (PUT
// /api/auth-requests/{id}) and for an organisation's approvers (organization_auth_request_routes.h),
// with the reference's rules (AuthRequestService.UpdateAuthRequestAsync): an answer is final, an
// expired request cannot be answered, and an approval stores the key for the requester and
// queues an AuthRequestResponse (16) push. A denial queues nothing, so that whoever made the
// request does not learn it was seen. Events (1513, 1514) are logged for organisation requests
// only, by LogAnswerEvent once the answer has committed.
#ifndef KEYWARDEN_SERVER_AUTH_REQUESTS_AUTH_REQUEST_ANSWER_H_
#define KEYWARDEN_SERVER_AUTH_REQUESTS_AUTH_REQUEST_ANSWER_H_

#include <string>
#include <string_view>

#include "base/time.h"
#include "http/http_types.h"
#include "keywarden/status.h"
#include "server/api/api_context.h"
#include "server/auth_requests/auth_request_store.h"
#include "sql/database.h"

namespace keywarden::server::auth_requests {

// The reference's DuplicateAuthRequestException, for a request already answered.
inline constexpr std::string_view kAlreadyAnswered = "An authentication request with the same device already exists.";

struct Answer {
  bool approved = false;
  std::string key;  // approvals only
  std::string master_password_hash;
  std::string response_device_id;  // the approving device, for device requests
};

// Records `answer` on `request` (read in `session`) and updates it: kInvalidArgument
// kAlreadyAnswered when it was answered, also by a request racing this one; kNotFound when it
// can no longer be answered (auth_request_rules.h). Queues push 16 for an approval.
Status RecordAnswer(sql::Session& session, AuthRequest& request, const Answer& answer, TimeMs now);

// Logs 1513 (approved) or 1514 (denied) for an answered organisation request, acted by
// `actor`, about the member `organization_user_id`; nothing for a device request.
void LogAnswerEvent(api::ApiContext& context, const http::HttpRequest& http_request, const AuthRequest& request,
                    std::string_view organization_user_id, std::string_view actor, TimeMs now);

}  // namespace keywarden::server::auth_requests

#endif  // KEYWARDEN_SERVER_AUTH_REQUESTS_AUTH_REQUEST_ANSWER_H_
