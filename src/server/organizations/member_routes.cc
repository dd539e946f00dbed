// The member routes (docs core.md 7.1-7.2), for members with the right to manage users:
//   GET  /api/organizations/{orgId}/users                   the members (also for account recovery managers)
//   GET  /api/organizations/{orgId}/users/{id}              one member
//   PUT|POST /api/organizations/{orgId}/users/{id}          type, permissions, access
//   PUT|PATCH /api/organizations/{orgId}/users/{id}/revoke, PUT|PATCH .../users/revoke      {ids}
//   PUT|PATCH /api/organizations/{orgId}/users/{id}/restore, PUT|PATCH .../users/restore    {ids}
//   DELETE|POST /api/organizations/{orgId}/users/{id}[/remove], DELETE .../users, POST .../users/remove {ids}
//   POST /api/organizations/{orgId}/users/public-keys       {ids}: the members' public keys
//   GET  /api/users/{id}/public-key                          any account's public key
// Invitations and confirmation are in invitation_routes.cc. A bulk request naming a member of
// another organisation (or none) is refused whole with "Users invalid.", nothing changed; the
// reference's per-member refusals ("You cannot revoke yourself.") are reported per member.
#include <functional>
#include <utility>

#include "http/json.h"
#include "server/api/error_response.h"
#include "server/api/field_error.h"
#include "server/api/ids.h"
#include "server/collections/access_request.h"
#include "server/collections/collection_json.h"
#include "server/collections/collection_store.h"
#include "server/collections/group_store.h"
#include "server/collections/member_access.h"
#include "server/organizations/internal/member_checks.h"
#include "server/organizations/internal/route_support.h"
#include "server/organizations/member_directory.h"
#include "server/organizations/organization_json.h"
#include "server/organizations/organization_routes.h"
#include "server/organizations/organization_store.h"
#include "server/store/users.h"

namespace keywarden::server {

void AddInvitationRoutes(http::Router& router, OrganizationRoutesContext& context);

namespace {

using organizations::Member;
using organizations::MemberRole;
using organizations::MemberStatus;
using organizations::MemberType;
using organizations::internal::Answer;
using organizations::internal::AnswerEmpty;
using organizations::internal::CallerMembership;
using organizations::internal::Require;

// One member operation (revoke, restore, remove): refuses with the reference's message, or
// changes `target` in the session and names the event to log.
using MemberOperation = std::function<Result<events::EventType>(sql::Session&, const Member& caller, Member& target)>;

Status RefuseLastOwner(sql::Session& session, const Member& target) {
  if (target.type != MemberType::kOwner || target.status != MemberStatus::kConfirmed) return OkStatus();
  KW_ASSIGN_OR_RETURN(std::int64_t owners, organizations::CountConfirmedOwners(session, target.organization_id));
  if (owners <= 1) return InvalidArgumentError("Organization must have at least one confirmed owner.");
  return OkStatus();
}

// The checks revoke, restore and remove share: not oneself, owners only by owners, admins not by
// custom members.
Status CheckMayActOn(const Member& caller, const Member& target, std::string_view verb) {
  if (caller.id == target.id) return InvalidArgumentError("You cannot " + std::string(verb) + " yourself.");
  const MemberRole role = caller.role();
  if (target.type == MemberType::kOwner && !role.IsOwner()) {
    return InvalidArgumentError("Only owners can " + std::string(verb) + " other owners.");
  }
  if (target.type == MemberType::kAdmin && !role.IsAdmin()) {
    return InvalidArgumentError("Custom users can not " + std::string(verb) + " admins.");
  }
  return OkStatus();
}

Status TouchMember(sql::Session& session, const Member& member, TimeMs now) {
  if (member.user_id.empty()) return OkStatus();
  return store::TouchAccountRevision(session, member.user_id, now);
}

MemberOperation Revoke(TimeMs now) {
  return [now](sql::Session& session, const Member& caller, Member& target) -> Result<events::EventType> {
    KW_RETURN_IF_ERROR(CheckMayActOn(caller, target, "revoke"));
    if (target.status == MemberStatus::kRevoked) return InvalidArgumentError("Already revoked.");
    KW_RETURN_IF_ERROR(RefuseLastOwner(session, target));
    target.status = MemberStatus::kRevoked;
    target.revision_date = now;
    KW_RETURN_IF_ERROR(organizations::UpdateMember(session, target));
    KW_RETURN_IF_ERROR(TouchMember(session, target, now));
    return events::EventType::kMemberRevoked;
  };
}

MemberOperation Restore(TimeMs now) {
  return [now](sql::Session& session, const Member& caller, Member& target) -> Result<events::EventType> {
    KW_RETURN_IF_ERROR(CheckMayActOn(caller, target, "restore"));
    if (target.status != MemberStatus::kRevoked) return InvalidArgumentError("Already active.");
    const MemberStatus restored = target.RestoredStatus();
    if (restored != MemberStatus::kInvited) {
      std::optional<store::User> account;
      KW_ASSIGN_OR_RETURN(account, store::FindUserById(session, target.user_id));
      KW_RETURN_IF_ERROR(organizations::internal::CheckMayJoin(session, target, target.user_id,
                                                               account ? account->email : target.email,
                                                               organizations::internal::JoinStep::kRestore));
    }
    target.status = restored;
    target.revision_date = now;
    KW_RETURN_IF_ERROR(organizations::UpdateMember(session, target));
    KW_RETURN_IF_ERROR(TouchMember(session, target, now));
    return events::EventType::kMemberRestored;
  };
}

MemberOperation Remove(TimeMs now) {
  return [now](sql::Session& session, const Member& caller, Member& target) -> Result<events::EventType> {
    KW_RETURN_IF_ERROR(CheckMayActOn(caller, target, "remove"));
    KW_RETURN_IF_ERROR(RefuseLastOwner(session, target));
    KW_RETURN_IF_ERROR(organizations::DeleteMember(session, target.organization_id, target.id).status());
    KW_RETURN_IF_ERROR(TouchMember(session, target, now));
    return events::EventType::kMemberRemoved;
  };
}

struct Done {
  std::string member_id;
  events::EventType type;
};

void LogAll(OrganizationRoutesContext& c, const std::vector<Done>& done, std::string_view organization_id,
            const store::User& actor, const http::HttpRequest& request, TimeMs now) {
  for (const Done& d : done) {
    events::Event event = organizations::internal::OrganizationEvent(d.type, organization_id, actor.id, request, now);
    event.organization_user_id = d.member_id;
    c.accounts.api.events.Record(std::move(event));
  }
}

// PUT .../users/{id}/revoke and the like: one member, refusals as 400s.
http::HttpResponse RunOne(OrganizationRoutesContext& c, const http::HttpRequest& request, const store::User& user,
                          const std::function<MemberOperation(TimeMs)>& operation) {
  const auto organization_id = api::ParseGuid(request.path_param("orgId"));
  const auto id = api::ParseGuid(request.path_param("id"));
  if (!organization_id || !id) return api::NotFound();
  const TimeMs now = api::NowMs(c.accounts.api.clock);
  std::vector<Done> done;
  const Status outcome = c.accounts.api.database.Transact([&](sql::Session& session) -> Status {
    done.clear();
    KW_ASSIGN_OR_RETURN(Member caller, CallerMembership(session, *organization_id, user.id));
    KW_RETURN_IF_ERROR(Require(caller.role().ManagesUsers()));
    KW_ASSIGN_OR_RETURN(std::optional<Member> target, organizations::FindMember(session, *organization_id, *id));
    if (!target) return NotFoundError("User not found.");
    KW_ASSIGN_OR_RETURN(events::EventType type, operation(now)(session, caller, *target));
    done.push_back({target->id, type});
    return OkStatus();
  });
  if (outcome.ok()) LogAll(c, done, *organization_id, user, request, now);
  return AnswerEmpty(outcome);
}

// The bulk forms: every id must be a member of the organisation, else nothing changes; each
// member's own refusal is its entry's error, and the others proceed.
http::HttpResponse RunMany(OrganizationRoutesContext& c, const http::HttpRequest& request, const store::User& user,
                           const std::function<MemberOperation(TimeMs)>& operation) {
  const auto organization_id = api::ParseGuid(request.path_param("orgId"));
  if (!organization_id) return api::NotFound();
  auto body = http::ParseJsonObject(request.body);
  if (!body.ok()) return api::BadRequest(body.status().message());
  auto ids = organizations::internal::ParseIds(*body);
  if (!ids.ok()) return api::RequestErrorResponse(ids.status());
  const TimeMs now = api::NowMs(c.accounts.api.clock);
  std::vector<Done> done;
  nlohmann::json results = nlohmann::json::array();
  const Status outcome = c.accounts.api.database.Transact([&](sql::Session& session) -> Status {
    done.clear();
    results = nlohmann::json::array();
    KW_ASSIGN_OR_RETURN(Member caller, CallerMembership(session, *organization_id, user.id));
    KW_RETURN_IF_ERROR(Require(caller.role().ManagesUsers()));
    std::vector<Member> targets;
    for (const std::string& id : *ids) {
      KW_ASSIGN_OR_RETURN(std::optional<Member> target, organizations::FindMember(session, *organization_id, id));
      if (!target) return InvalidArgumentError("Users invalid.");
      targets.push_back(*std::move(target));
    }
    const MemberOperation apply = operation(now);
    for (Member& target : targets) {
      Result<events::EventType> applied = apply(session, caller, target);
      if (!applied.ok() && applied.status().code() != ErrorCode::kInvalidArgument) return applied.status();
      results.push_back({{"id", target.id},
                         {"error", applied.ok() ? "" : applied.status().message()},
                         {"object", "OrganizationBulkConfirmResponseModel"}});
      if (applied.ok()) done.push_back({target.id, *applied});
    }
    return OkStatus();
  });
  if (outcome.ok()) LogAll(c, done, *organization_id, user, request, now);
  return Answer(outcome, organizations::ListJson(std::move(results)));
}

// {type, permissions, accessSecretsManager}: the member edit's body.
struct MemberEdit {
  collections::MemberAccessWrite access;
  MemberType type = MemberType::kUser;
  organizations::MemberPermissions permissions;
  bool access_secrets_manager = false;
};

Result<MemberEdit> ParseMemberEdit(const nlohmann::json& body) {
  MemberEdit edit;
  const nlohmann::json* type = http::FindField(body, "type");
  if (type == nullptr || !type->is_number_integer()) return api::FieldErrorStatus("Type", "is required.");
  const auto member_type = organizations::MemberTypeFromInt(type->get<long long>());
  if (!member_type) return api::FieldErrorStatus("Type", "is not a member type (0, 1, 2 or 4).");
  edit.type = *member_type;
  if (const nlohmann::json* permissions = http::FindField(body, "permissions")) {
    KW_ASSIGN_OR_RETURN(edit.permissions, organizations::ParsePermissions(*permissions));
  }
  if (edit.type != MemberType::kCustom) edit.permissions = {};
  if (const nlohmann::json* sm = http::FindField(body, "accessSecretsManager"); sm && sm->is_boolean()) {
    edit.access_secrets_manager = sm->get<bool>();
  }
  KW_ASSIGN_OR_RETURN(edit.access, collections::ParseMemberAccessRequest(body));
  return edit;
}

}  // namespace

void AddMemberRoutes(http::Router& router, OrganizationRoutesContext& context) {
  OrganizationRoutesContext* c = &context;
  const api::UserRoutes add(router, context.accounts.api);
  sql::Database& database = context.accounts.api.database;

  add("GET", "/api/organizations/{orgId}/users", [&database](const http::HttpRequest& request, store::User& user) {
    const auto organization_id = api::ParseGuid(request.path_param("orgId"));
    if (!organization_id) return api::NotFound();
    nlohmann::json data = nlohmann::json::array();
    const Status read = database.Read([&](sql::Session& session) -> Status {
      data = nlohmann::json::array();
      KW_ASSIGN_OR_RETURN(Member caller, CallerMembership(session, *organization_id, user.id));
      KW_RETURN_IF_ERROR(Require(caller.role().ManagesUsers() || caller.role().ManagesResetPassword()));
      KW_ASSIGN_OR_RETURN(auto entries, organizations::ListMemberEntries(session, *organization_id));
      for (const auto& entry : entries) {
        data.push_back(organizations::MemberJson(entry, organizations::MemberObject::kUserDetails,
                                                 nlohmann::json::array(), nlohmann::json::array()));
      }
      return OkStatus();
    });
    return Answer(read, organizations::ListJson(std::move(data)));
  });

  add("GET", "/api/organizations/{orgId}/users/{id}", [&database](const http::HttpRequest& request, store::User& user) {
    const auto organization_id = api::ParseGuid(request.path_param("orgId"));
    const auto id = api::ParseGuid(request.path_param("id"));
    if (!organization_id || !id) return api::NotFound();
    nlohmann::json body;
    const Status read = database.Read([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(Member caller, CallerMembership(session, *organization_id, user.id));
      KW_RETURN_IF_ERROR(Require(caller.role().ManagesUsers()));
      KW_ASSIGN_OR_RETURN(auto entry, organizations::FindMemberEntry(session, *organization_id, *id));
      if (!entry) return NotFoundError("member");
      KW_ASSIGN_OR_RETURN(std::vector<collections::AccessGrant> grants,
                          collections::ListGrantsOfMember(session, entry->member.id));
      KW_ASSIGN_OR_RETURN(std::vector<std::string> groups, collections::ListGroupsOfMember(session, entry->member.id));
      nlohmann::json granted = nlohmann::json::array();
      for (const collections::AccessGrant& grant : grants) granted.push_back(collections::SelectionJson(grant));
      body = organizations::MemberJson(*entry, organizations::MemberObject::kDetails, std::move(granted), groups);
      return OkStatus();
    });
    return Answer(read, body);
  });

  const auto update = [c](const http::HttpRequest& request, store::User& user) {
    const auto organization_id = api::ParseGuid(request.path_param("orgId"));
    const auto id = api::ParseGuid(request.path_param("id"));
    if (!organization_id || !id) return api::NotFound();
    auto body = http::ParseJsonObject(request.body);
    if (!body.ok()) return api::BadRequest(body.status().message());
    auto edit = ParseMemberEdit(*body);
    if (!edit.ok()) return api::RequestErrorResponse(edit.status());
    const TimeMs now = api::NowMs(c->accounts.api.clock);
    const Status saved = c->accounts.api.database.Transact([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(Member caller, CallerMembership(session, *organization_id, user.id));
      KW_RETURN_IF_ERROR(Require(caller.role().ManagesUsers()));
      KW_ASSIGN_OR_RETURN(std::optional<Member> target, organizations::FindMember(session, *organization_id, *id));
      if (!target) return NotFoundError("member");
      KW_RETURN_IF_ERROR(organizations::CheckMayAssign(caller.role(), target->type, edit->type, edit->permissions));
      if (target->type == MemberType::kOwner && edit->type != MemberType::kOwner) {
        KW_RETURN_IF_ERROR(RefuseLastOwner(session, *target));
      }
      target->type = edit->type;
      target->permissions = edit->permissions;
      target->access_secrets_manager = edit->access_secrets_manager;
      target->revision_date = now;
      KW_RETURN_IF_ERROR(organizations::UpdateMember(session, *target));
      if (edit->access.collections || edit->access.groups) {
        std::vector<collections::AccessGrant> grants;
        if (edit->access.collections) {
          grants = *edit->access.collections;
        } else {
          KW_ASSIGN_OR_RETURN(grants, collections::ListGrantsOfMember(session, target->id));
        }
        KW_RETURN_IF_ERROR(
            collections::SetMemberAccess(session, *organization_id, target->id, grants, edit->access.groups));
      }
      return TouchMember(session, *target, now);
    });
    if (saved.ok()) {
      LogAll(*c, {{*id, events::EventType::kMemberUpdated}}, *organization_id, user, request, now);
    }
    return AnswerEmpty(saved);
  };
  add("PUT", "/api/organizations/{orgId}/users/{id}", update);
  add("POST", "/api/organizations/{orgId}/users/{id}", update);

  for (const char* method : {"PUT", "PATCH"}) {
    add(method, "/api/organizations/{orgId}/users/{id}/revoke",
        [c](const http::HttpRequest& request, store::User& user) { return RunOne(*c, request, user, Revoke); });
    add(method, "/api/organizations/{orgId}/users/revoke",
        [c](const http::HttpRequest& request, store::User& user) { return RunMany(*c, request, user, Revoke); });
    add(method, "/api/organizations/{orgId}/users/{id}/restore",
        [c](const http::HttpRequest& request, store::User& user) { return RunOne(*c, request, user, Restore); });
    add(method, "/api/organizations/{orgId}/users/restore",
        [c](const http::HttpRequest& request, store::User& user) { return RunMany(*c, request, user, Restore); });
  }
  const auto remove_one = [c](const http::HttpRequest& request, store::User& user) {
    return RunOne(*c, request, user, Remove);
  };
  add("DELETE", "/api/organizations/{orgId}/users/{id}", remove_one);
  add("POST", "/api/organizations/{orgId}/users/{id}/remove", remove_one);
  const auto remove_many = [c](const http::HttpRequest& request, store::User& user) {
    return RunMany(*c, request, user, Remove);
  };
  add("DELETE", "/api/organizations/{orgId}/users", remove_many);
  add("POST", "/api/organizations/{orgId}/users/remove", remove_many);

  add("POST", "/api/organizations/{orgId}/users/public-keys",
      [&database](const http::HttpRequest& request, store::User& user) {
        const auto organization_id = api::ParseGuid(request.path_param("orgId"));
        if (!organization_id) return api::NotFound();
        auto body = http::ParseJsonObject(request.body);
        if (!body.ok()) return api::BadRequest(body.status().message());
        auto ids = organizations::internal::ParseIds(*body);
        if (!ids.ok()) return api::RequestErrorResponse(ids.status());
        nlohmann::json data = nlohmann::json::array();
        const Status read = database.Read([&](sql::Session& session) -> Status {
          data = nlohmann::json::array();
          KW_ASSIGN_OR_RETURN(Member caller, CallerMembership(session, *organization_id, user.id));
          KW_RETURN_IF_ERROR(Require(caller.role().ManagesUsers()));
          for (const std::string& id : *ids) {
            KW_ASSIGN_OR_RETURN(std::optional<Member> member, organizations::FindMember(session, *organization_id, id));
            if (!member) return InvalidArgumentError("Users invalid.");
            if (member->user_id.empty()) continue;
            KW_ASSIGN_OR_RETURN(std::optional<store::User> account, store::FindUserById(session, member->user_id));
            if (!account || account->public_key.empty()) continue;
            data.push_back({{"id", member->id},
                            {"userId", member->user_id},
                            {"key", account->public_key},
                            {"object", "organizationUserPublicKeyResponseModel"}});
          }
          return OkStatus();
        });
        return Answer(read, organizations::ListJson(std::move(data)));
      });

  add("GET", "/api/users/{id}/public-key", [&database](const http::HttpRequest& request, store::User&) {
    const auto id = api::ParseGuid(request.path_param("id"));
    if (!id) return api::NotFound();
    nlohmann::json body;
    const Status read = database.Read([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(std::optional<store::User> account, store::FindUserById(session, *id));
      if (!account || account->public_key.empty()) return NotFoundError("public key");
      body = {{"userId", account->id}, {"publicKey", account->public_key}, {"object", "userKey"}};
      return OkStatus();
    });
    return Answer(read, body);
  });

  AddInvitationRoutes(router, context);
}

}  // namespace keywarden::server
