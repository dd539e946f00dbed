// What the organisation, member and policy routes share: how a handler learns the caller's role
// in the organisation of its path, how a refusal is answered, and the events they log.
#ifndef KEYWARDEN_SERVER_ORGANIZATIONS_INTERNAL_ROUTE_SUPPORT_H_
#define KEYWARDEN_SERVER_ORGANIZATIONS_INTERNAL_ROUTE_SUPPORT_H_

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "http/http_types.h"
#include "keywarden/status.h"
#include "server/api/api_context.h"
#include "server/events/event_log.h"
#include "server/organizations/member_store.h"
#include "sql/database.h"

namespace keywarden::server::organizations::internal {

// The caller's membership of `organization_id`, any status; kNotFound when none (the route then
// answers 404, as for an organisation that does not exist).
Result<Member> CallerMembership(sql::Session& session, std::string_view organization_id, std::string_view user_id);

// kNotFound unless `allowed`: a right the caller lacks reads as an organisation they cannot see.
inline Status Require(bool allowed) { return allowed ? OkStatus() : NotFoundError("organization"); }

// The answer for a handler's outcome after its body was parsed: `body` as JSON (200) when OK,
// else api::FromStatus (kInvalidArgument's 400 with its message, kNotFound's 404, ...). Parse
// errors go through api::RequestErrorResponse instead, which reads a leading word as a field.
http::HttpResponse Answer(const Status& status, const nlohmann::json& body);
// 200 with no body when OK.
http::HttpResponse AnswerEmpty(const Status& status);

// An organisation event of `type`, acted by `actor`, from the request's device and address.
events::Event OrganizationEvent(events::EventType type, std::string_view organization_id, std::string_view actor,
                                const http::HttpRequest& request, TimeMs now);

// {"ids": [GUID, ...]} of a bulk request: at most 500, each a GUID, no repeats. Field errors.
Result<std::vector<std::string>> ParseIds(const nlohmann::json& body);

}  // namespace keywarden::server::organizations::internal

#endif  // KEYWARDEN_SERVER_ORGANIZATIONS_INTERNAL_ROUTE_SUPPORT_H_
