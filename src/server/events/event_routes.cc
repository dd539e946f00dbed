#include "server/events/event_routes.h"

#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "server/api/error_response.h"
#include "server/api/field_error.h"
#include "server/api/ids.h"
#include "server/events/event_json.h"
#include "server/events/event_range.h"
#include "server/events/event_store.h"
#include "server/events/event_subjects.h"
#include "server/organizations/member_store.h"

namespace keywarden::server {
namespace {

using events::EventPage;
using events::EventRange;

// Reads one page for a caller who may see it: `read` answers nullopt when the caller may not
// (404), else the page.
using PageRead = std::function<Result<std::optional<EventPage>>(sql::Session&, const EventRange&)>;

http::HttpResponse AnswerPage(api::ApiContext& c, const http::HttpRequest& request, const PageRead& read) {
  // The reference decides access before it reads the dates: who may not read the list learns
  // nothing from a bad query either.
  const Result<EventRange> range = events::ParseEventRange(request.query, api::NowMs(c.clock));
  std::optional<EventPage> page;
  bool allowed = false;
  const Status done = c.database.Read([&](sql::Session& session) -> Status {
    page.reset();
    allowed = false;
    // A malformed range still runs the access check, with a range that reads nothing.
    KW_ASSIGN_OR_RETURN(page, read(session, range.ok() ? *range : EventRange{0, -1, std::nullopt}));
    allowed = page.has_value();
    return OkStatus();
  });
  if (!done.ok()) return api::FromStatus(done);
  if (!allowed) return api::NotFound();
  if (!range.ok()) {
    const std::string& message = range.status().message();
    // Whole-query refusals read as a message, as the reference's; the rest name their field.
    if (message == events::kRangeTooLarge || message == events::kMalformedQuery) return api::BadRequest(message);
    return api::RequestErrorResponse(range.status());
  }
  http::HttpResponse response;
  response.content_type = std::string(http::kJsonContentType);
  response.body = events::EventPageJson(*page);
  return response;
}

// Whether `user_id` may read the organisation's event logs: a confirmed owner, admin, or custom
// member with accessEventLogs.
Result<bool> AccessesEventLogs(sql::Session& session, std::string_view organization_id, std::string_view user_id) {
  KW_ASSIGN_OR_RETURN(const auto membership, organizations::FindMembershipOf(session, organization_id, user_id));
  return membership.has_value() && membership->role().AccessesEventLogs();
}

}  // namespace

void AddEventRoutes(http::Router& router, api::ApiContext& context) {
  api::ApiContext* c = &context;
  const api::UserRoutes user_routes(router, context);
  const auto add = [&](std::string_view path, api::UserHandler handler) {
    user_routes("GET", path, std::move(handler));
  };

  add("/api/organizations/{orgId}/events", [c](const http::HttpRequest& request, store::User& user) {
    const auto organization_id = api::ParseGuid(request.path_param("orgId"));
    if (!organization_id) return api::NotFound();
    return AnswerPage(
        *c, request, [&](sql::Session& session, const EventRange& range) -> Result<std::optional<EventPage>> {
          KW_ASSIGN_OR_RETURN(const bool allowed, AccessesEventLogs(session, *organization_id, user.id));
          if (!allowed) return std::optional<EventPage>();
          KW_ASSIGN_OR_RETURN(EventPage page, events::ReadOrganizationEvents(session, *organization_id, range));
          return std::optional<EventPage>(std::move(page));
        });
  });

  add("/api/organizations/{orgId}/users/{orgUserId}/events", [c](const http::HttpRequest& request, store::User& user) {
    const auto organization_id = api::ParseGuid(request.path_param("orgId"));
    const auto member_id = api::ParseGuid(request.path_param("orgUserId"));
    if (!organization_id || !member_id) return api::NotFound();
    return AnswerPage(
        *c, request, [&](sql::Session& session, const EventRange& range) -> Result<std::optional<EventPage>> {
          KW_ASSIGN_OR_RETURN(const auto member, organizations::FindMember(session, *organization_id, *member_id));
          // An invitation not yet accepted has no account, so no events of its own.
          if (!member || member->user_id.empty()) return std::optional<EventPage>();
          KW_ASSIGN_OR_RETURN(const bool allowed, AccessesEventLogs(session, *organization_id, user.id));
          if (!allowed) return std::optional<EventPage>();
          KW_ASSIGN_OR_RETURN(EventPage page,
                              events::ReadActingUserEvents(session, *organization_id, member->user_id, range));
          return std::optional<EventPage>(std::move(page));
        });
  });

  add("/api/ciphers/{id}/events", [c](const http::HttpRequest& request, store::User& user) {
    const auto cipher_id = api::ParseGuid(request.path_param("id"));
    if (!cipher_id) return api::NotFound();
    return AnswerPage(
        *c, request, [&](sql::Session& session, const EventRange& range) -> Result<std::optional<EventPage>> {
          KW_ASSIGN_OR_RETURN(const auto owner, events::FindCipherOwner(session, *cipher_id));
          if (!owner) return std::optional<EventPage>();
          bool allowed = false;
          if (!owner->organization_id.empty()) {
            KW_ASSIGN_OR_RETURN(allowed, AccessesEventLogs(session, owner->organization_id, user.id));
          } else {
            allowed = owner->user_id == user.id;
          }
          if (!allowed) return std::optional<EventPage>();
          KW_ASSIGN_OR_RETURN(EventPage page, events::ReadCipherEvents(session, *cipher_id, owner->organization_id,
                                                                       owner->user_id, range));
          return std::optional<EventPage>(std::move(page));
        });
  });

  add("/api/events", [c](const http::HttpRequest& request, store::User& user) {
    return AnswerPage(*c, request,
                      [&](sql::Session& session, const EventRange& range) -> Result<std::optional<EventPage>> {
                        KW_ASSIGN_OR_RETURN(EventPage page, events::ReadUserEvents(session, user.id, range));
                        return std::optional<EventPage>(std::move(page));
                      });
  });
}

}  // namespace keywarden::server
