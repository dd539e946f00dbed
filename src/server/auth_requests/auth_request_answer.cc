#include "server/auth_requests/auth_request_answer.h"

#include <utility>

#include "server/auth_requests/auth_request_rules.h"
#include "server/notifications/push_outbox.h"
#include "server/organizations/internal/route_support.h"

namespace keywarden::server::auth_requests {

Status RecordAnswer(sql::Session& session, AuthRequest& request, const Answer& answer, TimeMs now) {
  if (request.answered()) return InvalidArgumentError(std::string(kAlreadyAnswered));
  if (!IsAnswerable(request, now)) return NotFoundError("the auth request expired");
  AuthRequest answered = request;
  answered.approved = answer.approved;
  answered.response_date = now;
  answered.response_device_id = answer.response_device_id;
  if (answer.approved) {
    answered.key = answer.key;
    answered.master_password_hash = answer.master_password_hash;
  }
  KW_ASSIGN_OR_RETURN(const bool first, StoreAnswer(session, answered));
  if (!first) return InvalidArgumentError(std::string(kAlreadyAnswered));
  if (answer.approved)
    KW_RETURN_IF_ERROR(notifications::QueueAuthRequestResponse(session, request.user_id, request.id, now));
  request = std::move(answered);
  return OkStatus();
}

void LogAnswerEvent(api::ApiContext& context, const http::HttpRequest& http_request, const AuthRequest& request,
                    std::string_view organization_user_id, std::string_view actor, TimeMs now) {
  if (request.organization_id.empty() || !request.approved.has_value()) return;
  events::Event event = organizations::internal::OrganizationEvent(
      *request.approved ? events::EventType::kMemberApprovedAuthRequest : events::EventType::kMemberRejectedAuthRequest,
      request.organization_id, actor, http_request, now);
  event.organization_user_id = organization_user_id;
  event.user_id = request.user_id;
  context.events.Record(std::move(event));
}

}  // namespace keywarden::server::auth_requests
