#include "server/collections/collection_routes.h"

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
#include "server/collections/collection_permissions.h"
#include "server/collections/collection_store.h"
#include "server/collections/organization_ids.h"
#include "server/collections/request_event.h"
#include "server/organizations/organization_store.h"

namespace keywarden::server::collections {
namespace {

using api::BadRequest;
using api::FromStatus;
using api::NotFound;
using events::EventType;
using json = nlohmann::json;

// The status a unit of work returns after setting the answer to refuse with: it rolls the work
// back, and the route answers with what was set.
Status Refused() { return InvalidArgumentError("refused"); }

http::HttpResponse Json(const json& body) {
  http::HttpResponse response;
  response.content_type = std::string(http::kJsonContentType);
  response.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return response;
}

http::HttpResponse Empty() { return http::HttpResponse{}; }

// The answer of a unit of work that may have refused.
http::HttpResponse Answer(const Status& status, std::optional<http::HttpResponse>& refused, const json& body) {
  if (refused) return *std::move(refused);
  if (!status.ok()) return FromStatus(status);
  return Json(body);
}

// The member and group ids of a write, checked to be the organisation's.
Result<bool> GrantsAreOrganizations(sql::Session& session, std::string_view organization_id,
                                    const std::optional<std::vector<AccessGrant>>& groups,
                                    const std::optional<std::vector<AccessGrant>>& users) {
  const auto ids = [](const std::optional<std::vector<AccessGrant>>& grants) {
    std::vector<std::string> out;
    if (grants) {
      for (const AccessGrant& grant : *grants) out.push_back(grant.id);
    }
    return out;
  };
  KW_ASSIGN_OR_RETURN(const bool groups_ours, AreGroupsOf(session, organization_id, ids(groups)));
  if (!groups_ours) return false;
  return AreMembersOf(session, organization_id, ids(users));
}

// The collection with its access, as the caller sees it after a change.
Result<json> AccessDetails(sql::Session& session, const Collection& collection, std::string_view user_id) {
  KW_ASSIGN_OR_RETURN(CallerAccess caller, LoadCallerAccess(session, collection.organization_id, user_id));
  KW_ASSIGN_OR_RETURN(auto groups, ListGroupGrants(session, collection.id));
  KW_ASSIGN_OR_RETURN(auto users, ListMemberGrants(session, collection.id));
  return CollectionAccessDetailsJson(collection, caller.RightsIn(collection.id), groups, users);
}

class CollectionRoutes {
 public:
  explicit CollectionRoutes(api::ApiContext& context) : c_(context) {}

  // Each route's handler holds `self`, so the routes live as long as the router.
  static void Add(http::Router& router, const std::shared_ptr<CollectionRoutes>& self) {
    const auto add = [&](std::string method, std::string_view path,
                         http::HttpResponse (CollectionRoutes::*handler)(const http::HttpRequest&, store::User&)) {
      router.Add(std::move(method), path,
                 api::Authenticated(self->c_,
                                    [self, handler](const http::HttpRequest& request, store::User& user) {
                                      return (self.get()->*handler)(request, user);
                                    }),
                 http::Execution::kBlocking);
    };
    add("GET", "/api/collections", &CollectionRoutes::ListMine);
    add("GET", "/api/organizations/{orgId}/collections", &CollectionRoutes::List);
    add("GET", "/api/organizations/{orgId}/collections/details", &CollectionRoutes::ListDetails);
    add("GET", "/api/organizations/{orgId}/collections/{id}", &CollectionRoutes::Get);
    add("GET", "/api/organizations/{orgId}/collections/{id}/details", &CollectionRoutes::GetDetails);
    add("GET", "/api/organizations/{orgId}/collections/{id}/users", &CollectionRoutes::GetUsers);
    add("POST", "/api/organizations/{orgId}/collections", &CollectionRoutes::Create);
    add("PUT", "/api/organizations/{orgId}/collections/{id}", &CollectionRoutes::Update);
    add("POST", "/api/organizations/{orgId}/collections/{id}", &CollectionRoutes::Update);
    add("DELETE", "/api/organizations/{orgId}/collections/{id}", &CollectionRoutes::DeleteOne);
    add("POST", "/api/organizations/{orgId}/collections/{id}/delete", &CollectionRoutes::DeleteOne);
    add("DELETE", "/api/organizations/{orgId}/collections", &CollectionRoutes::DeleteMany);
    add("POST", "/api/organizations/{orgId}/collections/delete", &CollectionRoutes::DeleteMany);
    add("POST", "/api/organizations/{orgId}/collections/bulk-access", &CollectionRoutes::BulkAccess);
  }

 private:
  http::HttpResponse ListMine(const http::HttpRequest&, store::User& user) {
    json data = json::array();
    const Status read = c_.database.Read([&](sql::Session& session) -> Status {
      data = json::array();
      KW_ASSIGN_OR_RETURN(auto assigned, ListAssignedCollections(session, user.id));
      for (const AssignedCollection& collection : assigned) data.push_back(CollectionDetailsJson(collection));
      return OkStatus();
    });
    std::optional<http::HttpResponse> refused;
    return Answer(read, refused, ListJson(std::move(data)));
  }

  http::HttpResponse List(const http::HttpRequest& request, store::User& user) {
    const auto org = api::ParseGuid(request.path_param("orgId"));
    if (!org) return NotFound();
    json data = json::array();
    std::optional<http::HttpResponse> refused;
    const Status read = c_.database.Read([&](sql::Session& session) -> Status {
      data = json::array();
      refused.reset();
      KW_ASSIGN_OR_RETURN(CallerAccess caller, LoadCallerAccess(session, *org, user.id));
      if (!caller.confirmed()) {
        refused = NotFound();
        return Refused();
      }
      if (caller.role.ViewsAllCollections()) {
        KW_ASSIGN_OR_RETURN(auto all, ListCollections(session, *org));
        for (const Collection& collection : all) data.push_back(CollectionJson(collection));
        return OkStatus();
      }
      KW_ASSIGN_OR_RETURN(auto assigned, ListAssignedCollections(session, user.id));
      for (const AssignedCollection& collection : assigned) {
        if (collection.collection.organization_id == *org) data.push_back(CollectionDetailsJson(collection));
      }
      return OkStatus();
    });
    return Answer(read, refused, ListJson(std::move(data)));
  }

  // Every collection with its access for those who may read any's; else those the caller manages.
  http::HttpResponse ListDetails(const http::HttpRequest& request, store::User& user) {
    const auto org = api::ParseGuid(request.path_param("orgId"));
    if (!org) return NotFound();
    json data = json::array();
    std::optional<http::HttpResponse> refused;
    const Status read = c_.database.Read([&](sql::Session& session) -> Status {
      data = json::array();
      refused.reset();
      KW_ASSIGN_OR_RETURN(CallerAccess caller, LoadCallerAccess(session, *org, user.id));
      if (!caller.confirmed()) {
        refused = NotFound();
        return Refused();
      }
      const bool all = MayReadCollectionAccess(caller.role, false);
      KW_ASSIGN_OR_RETURN(auto collections, ListCollections(session, *org));
      for (const Collection& collection : collections) {
        const auto rights = caller.RightsIn(collection.id);
        if (!all && !(rights && rights->manage)) continue;
        KW_ASSIGN_OR_RETURN(auto groups, ListGroupGrants(session, collection.id));
        KW_ASSIGN_OR_RETURN(auto users, ListMemberGrants(session, collection.id));
        data.push_back(CollectionAccessDetailsJson(collection, rights, groups, users));
      }
      return OkStatus();
    });
    return Answer(read, refused, ListJson(std::move(data)));
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
      KW_ASSIGN_OR_RETURN(auto collection, FindCollection(session, *org, *id));
      const bool manages = caller.Manages({*id});
      const bool allowed = view == View::kPlain ? MayReadCollection(caller.role, manages)
                                                : MayReadCollectionAccess(caller.role, manages);
      if (!collection || !allowed) {
        refused = NotFound();
        return Refused();
      }
      if (view == View::kPlain) {
        body = CollectionJson(*collection);
      } else if (view == View::kDetails) {
        KW_ASSIGN_OR_RETURN(auto groups, ListGroupGrants(session, *id));
        KW_ASSIGN_OR_RETURN(auto users, ListMemberGrants(session, *id));
        body = CollectionAccessDetailsJson(*collection, caller.RightsIn(*id), groups, users);
      } else {
        KW_ASSIGN_OR_RETURN(auto users, ListMemberGrants(session, *id));
        body = json::array();
        for (const AccessGrant& grant : users) body.push_back(SelectionJson(grant));
      }
      return OkStatus();
    });
    return Answer(read, refused, body);
  }
  http::HttpResponse Get(const http::HttpRequest& r, store::User& u) { return Read(r, u, View::kPlain); }
  http::HttpResponse GetDetails(const http::HttpRequest& r, store::User& u) { return Read(r, u, View::kDetails); }
  http::HttpResponse GetUsers(const http::HttpRequest& r, store::User& u) { return Read(r, u, View::kUsers); }

  http::HttpResponse Create(const http::HttpRequest& request, store::User& user) {
    const auto org = api::ParseGuid(request.path_param("orgId"));
    if (!org) return NotFound();
    auto body = http::ParseJsonObject(request.body);
    if (!body.ok()) return BadRequest(body.status().message());
    auto write = ParseCollectionRequest(*body, /*creating=*/true);
    if (!write.ok()) return api::RequestErrorResponse(write.status());
    auto id = auth::NewGuid();
    if (!id.ok()) return FromStatus(id.status());
    const TimeMs now = api::NowMs(c_.clock);
    Collection collection{*id, *org, *write->name, write->external_id, 0, "", now, now};
    json answer;
    std::optional<http::HttpResponse> refused;
    const Status saved = c_.database.Transact([&](sql::Session& session) -> Status {
      refused.reset();
      KW_ASSIGN_OR_RETURN(CallerAccess caller, LoadCallerAccess(session, *org, user.id));
      if (!MayCreateCollections(caller.role)) {
        refused = NotFound();
        return Refused();
      }
      KW_ASSIGN_OR_RETURN(const bool ours, GrantsAreOrganizations(session, *org, write->groups, write->users));
      if (!ours) {
        refused = BadRequest("One or more groups or users do not belong to this organization.");
        return Refused();
      }
      KW_RETURN_IF_ERROR(InsertCollection(session, collection));
      if (write->groups) KW_RETURN_IF_ERROR(ReplaceGroupGrants(session, collection.id, *write->groups));
      if (write->users) KW_RETURN_IF_ERROR(ReplaceMemberGrants(session, collection.id, *write->users));
      KW_RETURN_IF_ERROR(organizations::TouchMembers(session, *org, now));
      KW_ASSIGN_OR_RETURN(answer, AccessDetails(session, collection, user.id));
      return OkStatus();
    });
    if (saved.ok()) Log(request, user, EventType::kCollectionCreated, collection);
    return Answer(saved, refused, answer);
  }

  http::HttpResponse Update(const http::HttpRequest& request, store::User& user) {
    const auto org = api::ParseGuid(request.path_param("orgId"));
    const auto id = api::ParseGuid(request.path_param("id"));
    if (!org || !id) return NotFound();
    auto body = http::ParseJsonObject(request.body);
    if (!body.ok()) return BadRequest(body.status().message());
    auto write = ParseCollectionRequest(*body, /*creating=*/false);
    if (!write.ok()) return api::RequestErrorResponse(write.status());
    const TimeMs now = api::NowMs(c_.clock);
    std::optional<Collection> collection;
    json answer;
    std::optional<http::HttpResponse> refused;
    const Status saved = c_.database.Transact([&](sql::Session& session) -> Status {
      refused.reset();
      KW_ASSIGN_OR_RETURN(CallerAccess caller, LoadCallerAccess(session, *org, user.id));
      KW_ASSIGN_OR_RETURN(collection, FindCollection(session, *org, *id));
      if (!collection || !MayEditCollection(caller.role, caller.Manages({*id}))) {
        refused = NotFound();
        return Refused();
      }
      KW_ASSIGN_OR_RETURN(const bool ours, GrantsAreOrganizations(session, *org, write->groups, write->users));
      if (!ours) {
        refused = BadRequest("One or more groups or users do not belong to this organization.");
        return Refused();
      }
      // A member's default collection keeps its name (the reference's UpdateCollectionRequestModel).
      if (write->name && collection->default_user_collection_email.empty()) collection->name = *write->name;
      collection->external_id = write->external_id;
      collection->revision_date = now;
      KW_RETURN_IF_ERROR(UpdateCollection(session, *collection).status());
      if (write->groups) KW_RETURN_IF_ERROR(ReplaceGroupGrants(session, *id, *write->groups));
      if (write->users) KW_RETURN_IF_ERROR(ReplaceMemberGrants(session, *id, *write->users));
      KW_RETURN_IF_ERROR(organizations::TouchMembers(session, *org, now));
      KW_ASSIGN_OR_RETURN(answer, AccessDetails(session, *collection, user.id));
      return OkStatus();
    });
    if (saved.ok()) Log(request, user, EventType::kCollectionUpdated, *collection);
    return Answer(saved, refused, answer);
  }

  // Deletes `ids` (all of the organisation, all deletable by the caller) or nothing.
  http::HttpResponse Delete(const http::HttpRequest& request, store::User& user, std::string_view org,
                            const std::vector<std::string>& ids) {
    const TimeMs now = api::NowMs(c_.clock);
    std::vector<Collection> deleted;
    std::optional<http::HttpResponse> refused;
    const Status saved = c_.database.Transact([&](sql::Session& session) -> Status {
      refused.reset();
      deleted.clear();
      KW_ASSIGN_OR_RETURN(CallerAccess caller, LoadCallerAccess(session, org, user.id));
      for (const std::string& id : ids) {
        KW_ASSIGN_OR_RETURN(auto collection, FindCollection(session, org, id));
        if (!collection) {
          refused = NotFound();
          return Refused();
        }
        deleted.push_back(*std::move(collection));
      }
      if (!MayDeleteCollection(caller.role, caller.Manages(ids))) {
        refused = NotFound();
        return Refused();
      }
      for (const std::string& id : ids) KW_RETURN_IF_ERROR(DeleteCollection(session, org, id).status());
      return organizations::TouchMembers(session, org, now);
    });
    if (refused) return *refused;
    if (!saved.ok()) return FromStatus(saved);
    for (const Collection& collection : deleted) Log(request, user, EventType::kCollectionDeleted, collection);
    return Empty();
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
    if (ids->empty()) return Empty();
    return Delete(request, user, *org, *ids);
  }

  // Adds (or replaces) the grants on every collection named; refused whole when any collection,
  // group or member is not the organisation's, or the caller may not edit every collection.
  http::HttpResponse BulkAccess(const http::HttpRequest& request, store::User& user) {
    const auto org = api::ParseGuid(request.path_param("orgId"));
    if (!org) return NotFound();
    auto body = http::ParseJsonObject(request.body);
    if (!body.ok()) return BadRequest(body.status().message());
    auto write = ParseBulkAccessRequest(*body);
    if (!write.ok()) return api::RequestErrorResponse(write.status());
    const TimeMs now = api::NowMs(c_.clock);
    std::vector<Collection> changed;
    std::optional<http::HttpResponse> refused;
    const Status saved = c_.database.Transact([&](sql::Session& session) -> Status {
      refused.reset();
      changed.clear();
      KW_ASSIGN_OR_RETURN(CallerAccess caller, LoadCallerAccess(session, *org, user.id));
      for (const std::string& id : write->collection_ids) {
        KW_ASSIGN_OR_RETURN(auto collection, FindCollection(session, *org, id));
        if (!collection) {
          refused = NotFound();
          return Refused();
        }
        changed.push_back(*std::move(collection));
      }
      if (!MayEditCollection(caller.role, caller.Manages(write->collection_ids))) {
        refused = NotFound();
        return Refused();
      }
      KW_ASSIGN_OR_RETURN(const bool ours, GrantsAreOrganizations(session, *org, write->groups, write->users));
      if (!ours) {
        refused = BadRequest("One or more groups or users do not belong to this organization.");
        return Refused();
      }
      for (const std::string& id : write->collection_ids) {
        for (const AccessGrant& grant : write->groups) KW_RETURN_IF_ERROR(UpsertGroupGrant(session, id, grant));
        for (const AccessGrant& grant : write->users) KW_RETURN_IF_ERROR(UpsertMemberGrant(session, id, grant));
      }
      return organizations::TouchMembers(session, *org, now);
    });
    if (refused) return *refused;
    if (!saved.ok()) return FromStatus(saved);
    for (const Collection& collection : changed) Log(request, user, EventType::kCollectionUpdated, collection);
    return Empty();
  }

  void Log(const http::HttpRequest& request, const store::User& user, EventType type, const Collection& collection) {
    events::Event event = RequestEvent(request, user.id, type, api::NowMs(c_.clock));
    event.organization_id = collection.organization_id;
    event.collection_id = collection.id;
    c_.events.Record(std::move(event));
  }

  api::ApiContext& c_;
};

}  // namespace

void AddCollectionRoutes(http::Router& router, api::ApiContext& context) {
  CollectionRoutes::Add(router, std::make_shared<CollectionRoutes>(context));
}

}  // namespace keywarden::server::collections
