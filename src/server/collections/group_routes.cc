#include "server/collections/group_routes.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/user_id.h"
#include "http/json.h"
#include "server/api/error_response.h"
#include "server/api/field_error.h"
#include "server/api/ids.h"
#include "server/collections/access_request.h"
#include "server/collections/caller_access.h"
#include "server/collections/collection_json.h"
#include "server/collections/collection_store.h"
#include "server/collections/group_store.h"
#include "server/collections/organization_ids.h"
#include "server/collections/request_event.h"
#include "server/organizations/member_store.h"
#include "server/organizations/organization_store.h"

namespace keywarden::server::collections {
namespace {

using api::BadRequest;
using api::FromStatus;
using api::NotFound;
using events::EventType;
using json = nlohmann::json;

Status Refused() { return InvalidArgumentError("refused"); }

http::HttpResponse Json(const json& body) {
  http::HttpResponse response;
  response.content_type = std::string(http::kJsonContentType);
  response.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return response;
}

http::HttpResponse Answer(const Status& status, std::optional<http::HttpResponse>& refused, const json& body) {
  if (refused) return *std::move(refused);
  if (!status.ok()) return FromStatus(status);
  return Json(body);
}

std::vector<std::string> GrantIds(const std::vector<AccessGrant>& grants) {
  std::vector<std::string> ids;
  for (const AccessGrant& grant : grants) ids.push_back(grant.id);
  return ids;
}

class GroupRoutes {
 public:
  explicit GroupRoutes(api::ApiContext& context) : c_(context) {}

  static void Add(http::Router& router, const std::shared_ptr<GroupRoutes>& self) {
    const auto add = [&](std::string method, std::string_view path,
                         http::HttpResponse (GroupRoutes::*handler)(const http::HttpRequest&, store::User&)) {
      router.Add(std::move(method), path,
                 api::Authenticated(self->c_,
                                    [self, handler](const http::HttpRequest& request, store::User& user) {
                                      return (self.get()->*handler)(request, user);
                                    }),
                 http::Execution::kBlocking);
    };
    add("GET", "/api/organizations/{orgId}/groups", &GroupRoutes::List);
    add("GET", "/api/organizations/{orgId}/groups/details", &GroupRoutes::ListDetails);
    add("GET", "/api/organizations/{orgId}/groups/{id}", &GroupRoutes::Get);
    add("GET", "/api/organizations/{orgId}/groups/{id}/details", &GroupRoutes::GetDetails);
    add("GET", "/api/organizations/{orgId}/groups/{id}/users", &GroupRoutes::GetUsers);
    add("POST", "/api/organizations/{orgId}/groups", &GroupRoutes::Create);
    add("PUT", "/api/organizations/{orgId}/groups/{id}", &GroupRoutes::Update);
    add("POST", "/api/organizations/{orgId}/groups/{id}", &GroupRoutes::Update);
    add("DELETE", "/api/organizations/{orgId}/groups/{id}", &GroupRoutes::DeleteOne);
    add("POST", "/api/organizations/{orgId}/groups/{id}/delete", &GroupRoutes::DeleteOne);
    add("DELETE", "/api/organizations/{orgId}/groups", &GroupRoutes::DeleteMany);
    add("POST", "/api/organizations/{orgId}/groups/delete", &GroupRoutes::DeleteMany);
    add("PUT", "/api/organizations/{orgId}/users/{id}/groups", &GroupRoutes::SetMemberGroups);
    add("POST", "/api/organizations/{orgId}/users/{id}/groups", &GroupRoutes::SetMemberGroups);
  }

 private:
  enum class Listing { kPlain, kDetails };

  http::HttpResponse ListAll(const http::HttpRequest& request, store::User& user, Listing listing) {
    const auto org = api::ParseGuid(request.path_param("orgId"));
    if (!org) return NotFound();
    json data = json::array();
    std::optional<http::HttpResponse> refused;
    const Status read = c_.database.Read([&](sql::Session& session) -> Status {
      data = json::array();
      refused.reset();
      KW_ASSIGN_OR_RETURN(CallerAccess caller, LoadCallerAccess(session, *org, user.id));
      const auto& role = caller.role;
      bool allowed = role.ManagesGroups() || role.ManagesUsers();
      if (listing == Listing::kPlain) {
        bool manages_one = false;
        for (const auto& [id, rights] : caller.assigned) manages_one = manages_one || rights.manage;
        allowed = allowed || role.ViewsAllCollections() || manages_one;
      }
      if (!allowed) {
        refused = NotFound();
        return Refused();
      }
      KW_ASSIGN_OR_RETURN(auto groups, ListGroups(session, *org));
      for (const Group& group : groups) {
        if (listing == Listing::kPlain) {
          data.push_back(GroupJson(group));
          continue;
        }
        KW_ASSIGN_OR_RETURN(auto collections, ListGrantsOfGroup(session, group.id));
        data.push_back(GroupDetailsJson(group, collections));
      }
      return OkStatus();
    });
    return Answer(read, refused, ListJson(std::move(data)));
  }
  http::HttpResponse List(const http::HttpRequest& r, store::User& u) { return ListAll(r, u, Listing::kPlain); }
  http::HttpResponse ListDetails(const http::HttpRequest& r, store::User& u) {
    return ListAll(r, u, Listing::kDetails);
  }

  enum class View { kPlain, kDetails, kUsers };

  http::HttpResponse Read(const http::HttpRequest& request, store::User& user, View view) {
    const auto org = api::ParseGuid(request.path_param("orgId"));
    const auto id = api::ParseGuid(request.path_param("id"));
    if (!org || !id) return NotFound();
    json body;
    std::optional<http::HttpResponse> refused;
    const Status read = c_.database.Read([&](sql::Session& session) -> Status {
      refused.reset();
      KW_ASSIGN_OR_RETURN(CallerAccess caller, LoadCallerAccess(session, *org, user.id));
      KW_ASSIGN_OR_RETURN(auto group, FindGroup(session, *org, *id));
      if (!group || !caller.role.ManagesGroups()) {
        refused = NotFound();
        return Refused();
      }
      if (view == View::kPlain) {
        body = GroupJson(*group);
      } else if (view == View::kDetails) {
        KW_ASSIGN_OR_RETURN(auto collections, ListGrantsOfGroup(session, *id));
        body = GroupDetailsJson(*group, collections);
      } else {
        KW_ASSIGN_OR_RETURN(auto members, ListGroupMembers(session, *id));
        body = members;
      }
      return OkStatus();
    });
    return Answer(read, refused, body);
  }
  http::HttpResponse Get(const http::HttpRequest& r, store::User& u) { return Read(r, u, View::kPlain); }
  http::HttpResponse GetDetails(const http::HttpRequest& r, store::User& u) { return Read(r, u, View::kDetails); }
  http::HttpResponse GetUsers(const http::HttpRequest& r, store::User& u) { return Read(r, u, View::kUsers); }

  // Creates (no `id`) or edits the group; the collections and members sent must be the
  // organisation's.
  http::HttpResponse Save(const http::HttpRequest& request, store::User& user, const std::optional<std::string>& id) {
    const auto org = api::ParseGuid(request.path_param("orgId"));
    if (!org) return NotFound();
    auto body = http::ParseJsonObject(request.body);
    if (!body.ok()) return BadRequest(body.status().message());
    auto write = ParseGroupRequest(*body);
    if (!write.ok()) return api::RequestErrorResponse(write.status());
    const TimeMs now = api::NowMs(c_.clock);
    Group group;
    json answer;
    std::optional<http::HttpResponse> refused;
    const Status saved = c_.database.Transact([&](sql::Session& session) -> Status {
      refused.reset();
      KW_ASSIGN_OR_RETURN(CallerAccess caller, LoadCallerAccess(session, *org, user.id));
      std::optional<Group> existing;
      if (id) {
        KW_ASSIGN_OR_RETURN(existing, FindGroup(session, *org, *id));
      }
      if (!caller.role.ManagesGroups() || (id && !existing)) {
        refused = NotFound();
        return Refused();
      }
      if (write->collections) {
        KW_ASSIGN_OR_RETURN(const bool ours, AreCollectionsOf(session, *org, GrantIds(*write->collections)));
        if (!ours) {
          refused = BadRequest("One or more collections do not belong to this organization.");
          return Refused();
        }
      }
      if (write->users) {
        KW_ASSIGN_OR_RETURN(const bool ours, AreMembersOf(session, *org, *write->users));
        if (!ours) {
          refused = BadRequest("One or more users do not belong to this organization.");
          return Refused();
        }
      }
      if (existing) {
        group = *std::move(existing);
        group.name = write->name;
        group.external_id = write->external_id;
        group.revision_date = now;
        KW_RETURN_IF_ERROR(UpdateGroup(session, group).status());
      } else {
        KW_ASSIGN_OR_RETURN(std::string new_id, auth::NewGuid());
        group = Group{std::move(new_id), *org, write->name, write->external_id, now, now};
        KW_RETURN_IF_ERROR(InsertGroup(session, group));
      }
      if (write->collections) KW_RETURN_IF_ERROR(ReplaceGrantsOfGroup(session, group.id, *write->collections));
      if (write->users) KW_RETURN_IF_ERROR(ReplaceGroupMembers(session, group.id, *write->users));
      KW_RETURN_IF_ERROR(organizations::TouchMembers(session, *org, now));
      KW_ASSIGN_OR_RETURN(auto collections, ListGrantsOfGroup(session, group.id));
      answer = GroupDetailsJson(group, collections);
      return OkStatus();
    });
    if (saved.ok() && !refused) Log(request, user, id ? EventType::kGroupUpdated : EventType::kGroupCreated, group);
    return Answer(saved, refused, answer);
  }
  http::HttpResponse Create(const http::HttpRequest& r, store::User& u) { return Save(r, u, std::nullopt); }
  http::HttpResponse Update(const http::HttpRequest& r, store::User& u) {
    const auto id = api::ParseGuid(r.path_param("id"));
    if (!id) return NotFound();
    return Save(r, u, id);
  }

  http::HttpResponse Delete(const http::HttpRequest& request, store::User& user, std::string_view org,
                            const std::vector<std::string>& ids) {
    const TimeMs now = api::NowMs(c_.clock);
    std::vector<Group> deleted;
    std::optional<http::HttpResponse> refused;
    const Status saved = c_.database.Transact([&](sql::Session& session) -> Status {
      refused.reset();
      deleted.clear();
      KW_ASSIGN_OR_RETURN(CallerAccess caller, LoadCallerAccess(session, org, user.id));
      if (!caller.role.ManagesGroups()) {
        refused = NotFound();
        return Refused();
      }
      for (const std::string& id : ids) {
        KW_ASSIGN_OR_RETURN(auto group, FindGroup(session, org, id));
        if (!group) {
          refused = NotFound();
          return Refused();
        }
        deleted.push_back(*std::move(group));
      }
      for (const std::string& id : ids) KW_RETURN_IF_ERROR(DeleteGroup(session, org, id).status());
      return organizations::TouchMembers(session, org, now);
    });
    if (refused) return *refused;
    if (!saved.ok()) return FromStatus(saved);
    for (const Group& group : deleted) Log(request, user, EventType::kGroupDeleted, group);
    return http::HttpResponse{};
  }
  http::HttpResponse DeleteOne(const http::HttpRequest& request, store::User& user) {
    const auto org = api::ParseGuid(request.path_param("orgId"));
    const auto id = api::ParseGuid(request.path_param("id"));
    if (!org || !id) return NotFound();
    return Delete(request, user, *org, {*id});
  }
  http::HttpResponse DeleteMany(const http::HttpRequest& request, store::User& user) {
    const auto org = api::ParseGuid(request.path_param("orgId"));
    if (!org) return NotFound();
    auto body = http::ParseJsonObject(request.body);
    if (!body.ok()) return BadRequest(body.status().message());
    auto ids = ParseIdList(*body, "ids", /*required=*/true);
    if (!ids.ok()) return api::RequestErrorResponse(ids.status());
    if (ids->empty()) return http::HttpResponse{};
    return Delete(request, user, *org, *ids);
  }

  // {"groupIds": [id]}: the member's groups, replaced.
  http::HttpResponse SetMemberGroups(const http::HttpRequest& request, store::User& user) {
    const auto org = api::ParseGuid(request.path_param("orgId"));
    const auto member_id = api::ParseGuid(request.path_param("id"));
    if (!org || !member_id) return NotFound();
    auto body = http::ParseJsonObject(request.body);
    if (!body.ok()) return BadRequest(body.status().message());
    auto group_ids = ParseIdList(*body, "groupIds", /*required=*/true);
    if (!group_ids.ok()) return api::RequestErrorResponse(group_ids.status());
    const TimeMs now = api::NowMs(c_.clock);
    std::optional<http::HttpResponse> refused;
    const Status saved = c_.database.Transact([&](sql::Session& session) -> Status {
      refused.reset();
      KW_ASSIGN_OR_RETURN(CallerAccess caller, LoadCallerAccess(session, *org, user.id));
      KW_ASSIGN_OR_RETURN(auto member, organizations::FindMember(session, *org, *member_id));
      if (!caller.role.ManagesGroups() || !member) {
        refused = NotFound();
        return Refused();
      }
      KW_ASSIGN_OR_RETURN(const bool ours, AreGroupsOf(session, *org, *group_ids));
      if (!ours) {
        refused = BadRequest("One or more groups do not belong to this organization.");
        return Refused();
      }
      KW_RETURN_IF_ERROR(ReplaceGroupsOfMember(session, *member_id, *group_ids));
      return organizations::TouchMembers(session, *org, now);
    });
    if (refused) return *refused;
    if (!saved.ok()) return FromStatus(saved);
    events::Event event = RequestEvent(request, user.id, EventType::kMemberUpdatedGroups, now);
    event.organization_id = *org;
    event.organization_user_id = *member_id;
    c_.events.Record(std::move(event));
    return http::HttpResponse{};
  }

  void Log(const http::HttpRequest& request, const store::User& user, EventType type, const Group& group) {
    events::Event event = RequestEvent(request, user.id, type, api::NowMs(c_.clock));
    event.organization_id = group.organization_id;
    event.group_id = group.id;
    c_.events.Record(std::move(event));
  }

  api::ApiContext& c_;
};

}  // namespace

void AddGroupRoutes(http::Router& router, api::ApiContext& context) {
  GroupRoutes::Add(router, std::make_shared<GroupRoutes>(context));
}

}  // namespace keywarden::server::collections
