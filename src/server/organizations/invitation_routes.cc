// Invitations and confirmation (docs core.md 7.2, 7.4):
//   POST /api/organizations/{orgId}/users/invite            {emails, type, permissions, collections, groups}
//   POST /api/organizations/{orgId}/users/{id}/reinvite, POST .../users/reinvite {ids}
//   POST /api/organizations/{orgId}/users/{id}/accept       {token, resetPasswordKey}: the invited account
//   POST /api/organizations/{orgId}/users/{id}/confirm      {key}: what `bw confirm org-member` sends
//   POST /api/organizations/{orgId}/users/confirm           {keys: [{id, key}]}
//   GET  /api/organizations/{orgId}/policies/token?email=&token=&organizationUserId=
//        anonymous: the enabled policies, for the web vault to apply before the invited person
//        has an account or accepts (automatic enrolment, master password requirements)
//
// The invitation token is 32 random bytes mailed in the accept link; the member's row holds its
// SHA-256 and expiry (5 days, as the reference), so a token opens exactly one invitation, once,
// and a reinvitation replaces it. Without mail there is no way to deliver a token: an address
// that already has an account is accepted at once (as Vaultwarden does), and an administrator
// confirms it as usual.
#include <cctype>
#include <chrono>
#include <utility>

#include "auth/user_id.h"
#include "base/iso_date.h"
#include "http/json.h"
#include "keywarden/crypto/encoding.h"
#include "net/percent_encoding.h"
#include "server/accounts/account_fields.h"
#include "server/api/error_response.h"
#include "server/api/field_error.h"
#include "server/api/ids.h"
#include "server/collections/access_request.h"
#include "server/collections/member_access.h"
#include "server/identity/form.h"
#include "server/mail/templates.h"
#include "server/notifications/push_outbox.h"
#include "server/organizations/account_recovery.h"
#include "server/organizations/internal/member_checks.h"
#include "server/organizations/internal/route_support.h"
#include "server/organizations/organization_json.h"
#include "server/organizations/organization_routes.h"
#include "server/organizations/organization_store.h"
#include "server/organizations/policy_json.h"
#include "server/organizations/policy_store.h"
#include "server/store/users.h"
#include "server/two_factor/codes.h"
#include "telemetry/log.h"

namespace keywarden::server {
namespace {

using organizations::Member;
using organizations::MemberStatus;
using organizations::MemberType;
using organizations::Organization;
using organizations::internal::Answer;
using organizations::internal::AnswerEmpty;
using organizations::internal::CallerMembership;
using organizations::internal::Require;

constexpr TimeMs kInvitationLifetime = TimeMs{5} * 24 * 3600 * 1000;
constexpr std::size_t kMaxInvitedAtOnce = 20;

// The web vault's accept page, with what it reads from the query.
std::string AcceptLink(const OrganizationRoutesContext& c, const Organization& organization, const Member& member,
                       std::string_view token, bool has_account) {
  return c.accounts.public_url + "/#/accept-organization?organizationId=" + organization.id +
         "&organizationUserId=" + member.id + "&email=" + net::PercentEncode(member.email) +
         "&organizationName=" + net::PercentEncode(organization.name) + "&token=" + std::string(token) +
         "&initOrganization=false&orgUserHasExistingUser=" + (has_account ? "true" : "false");
}

// Issues a new invitation token for `member` (kept as a hash on the row) and returns the text.
Result<std::string> NewInvitationToken(Member& member, TimeMs now) {
  KW_ASSIGN_OR_RETURN(std::string token, two_factor::NewOpaqueToken());
  KW_ASSIGN_OR_RETURN(two_factor::TokenDigest digest, two_factor::TokenHash(token));
  member.invite_token_hash.assign(digest.begin(), digest.end());
  member.invite_expiration = now + kInvitationLifetime;
  return token;
}

// What to do after the transaction: mails to queue (each with its token, wiped once queued).
struct PendingMail {
  ::keywarden::mail::Message message;
};

void SendAll(OrganizationRoutesContext& c, std::vector<PendingMail>& mails) {
  for (PendingMail& mail : mails) {
    const Status queued = c.send_mail(mail.message);
    if (!queued.ok()) telemetry::LogWarning("invitation not queued: " + queued.message());
    WipeString(mail.message.text);
    WipeString(mail.message.html);
  }
  mails.clear();
}

struct InviteRequest {
  collections::MemberAccessWrite access;
  std::vector<std::string> emails;
  MemberType type = MemberType::kUser;
  organizations::MemberPermissions permissions;
  bool access_secrets_manager = false;
};

Result<InviteRequest> ParseInvite(const nlohmann::json& body) {
  InviteRequest out;
  const nlohmann::json* emails = http::FindField(body, "emails");
  if (emails == nullptr || !emails->is_array() || emails->empty()) {
    return api::FieldErrorStatus("Emails", "is required.");
  }
  if (emails->size() > kMaxInvitedAtOnce) {
    return api::FieldErrorStatus("Emails", "may hold at most 20 addresses at a time.");
  }
  for (const nlohmann::json& email : *emails) {
    if (!email.is_string()) return api::FieldErrorStatus("Emails", "must hold e-mail addresses.");
    std::string normalised = NormaliseEmail(email.get<std::string>());
    if (!LooksLikeEmail(normalised)) {
      return api::FieldErrorStatus("Emails", "holds an invalid e-mail address.");
    }
    if (std::find(out.emails.begin(), out.emails.end(), normalised) == out.emails.end()) {
      out.emails.push_back(std::move(normalised));
    }
  }
  const nlohmann::json* type = http::FindField(body, "type");
  if (type == nullptr || !type->is_number_integer()) return api::FieldErrorStatus("Type", "is required.");
  const auto member_type = organizations::MemberTypeFromInt(type->get<long long>());
  if (!member_type) return api::FieldErrorStatus("Type", "is not a member type (0, 1, 2 or 4).");
  out.type = *member_type;
  if (const nlohmann::json* permissions = http::FindField(body, "permissions");
      permissions && out.type == MemberType::kCustom) {
    KW_ASSIGN_OR_RETURN(out.permissions, organizations::ParsePermissions(*permissions));
  }
  if (const nlohmann::json* sm = http::FindField(body, "accessSecretsManager"); sm && sm->is_boolean()) {
    out.access_secrets_manager = sm->get<bool>();
  }
  KW_ASSIGN_OR_RETURN(out.access, collections::ParseMemberAccessRequest(body));
  return out;
}

void LogMember(OrganizationRoutesContext& c, events::EventType type, const std::string& organization_id,
               const std::string& member_id, const store::User& actor, const http::HttpRequest& request, TimeMs now) {
  events::Event event = organizations::internal::OrganizationEvent(type, organization_id, actor.id, request, now);
  event.organization_user_id = member_id;
  c.accounts.api.events.Record(std::move(event));
}

// Confirms `member` with `key` (the organisation key encapsulated to them). The reference's
// refusals as kInvalidArgument.
Status Confirm(sql::Session& session, Member& member, const std::string& key, TimeMs now) {
  if (member.status != MemberStatus::kAccepted || member.user_id.empty())
    return InvalidArgumentError("User not valid.");
  KW_ASSIGN_OR_RETURN(std::optional<store::User> account, store::FindUserById(session, member.user_id));
  if (!account) return InvalidArgumentError("User not valid.");
  KW_RETURN_IF_ERROR(organizations::internal::CheckMayJoin(session, member, member.user_id, account->email,
                                                           organizations::internal::JoinStep::kConfirm));
  member.status = MemberStatus::kConfirmed;
  member.member_key = key;
  member.revision_date = now;
  KW_RETURN_IF_ERROR(organizations::UpdateMember(session, member));
  KW_RETURN_IF_ERROR(store::TouchAccountRevision(session, member.user_id, now));
  // The member's clients now hold a new organisation key: SyncOrgKeys makes them fetch it.
  return notifications::Queue(session, member.user_id, notifications::PushType::kSyncOrgKeys,
                              {{"UserId", member.user_id}, {"Date", FormatIsoDate(now)}}, "", now);
}

Result<std::string> ReadKey(const nlohmann::json& body, std::string_view field) {
  const nlohmann::json* key = http::FindField(body, "key");
  if (key == nullptr || key->is_null()) return api::FieldErrorStatus(field, "is required.");
  KW_RETURN_IF_ERROR(CheckAsymmetricEncString(*key, field));
  return key->get<std::string>();
}

}  // namespace

void AddInvitationRoutes(http::Router& router, OrganizationRoutesContext& context) {
  OrganizationRoutesContext* c = &context;
  const api::UserRoutes add(router, context.accounts.api);

  add("POST", "/api/organizations/{orgId}/users/invite", [c](const http::HttpRequest& request, store::User& user) {
    const auto organization_id = api::ParseGuid(request.path_param("orgId"));
    if (!organization_id) return api::NotFound();
    auto body = http::ParseJsonObject(request.body);
    if (!body.ok()) return api::BadRequest(body.status().message());
    auto invite = ParseInvite(*body);
    if (!invite.ok()) return api::RequestErrorResponse(invite.status());
    const TimeMs now = api::NowMs(c->accounts.api.clock);
    std::vector<PendingMail> mails;
    std::vector<std::string> invited;
    const Status saved = c->accounts.api.database.Transact([&](sql::Session& session) -> Status {
      mails.clear();
      invited.clear();
      KW_ASSIGN_OR_RETURN(Member caller, CallerMembership(session, *organization_id, user.id));
      KW_RETURN_IF_ERROR(Require(caller.role().ManagesUsers()));
      KW_RETURN_IF_ERROR(organizations::CheckMayAssign(caller.role(), invite->type, invite->type, invite->permissions));
      KW_ASSIGN_OR_RETURN(std::optional<Organization> organization,
                          organizations::FindOrganization(session, *organization_id));
      if (!organization) return NotFoundError("organization");
      for (const std::string& email : invite->emails) {
        // Already a member (invited, or by the account of that address): skipped, as the reference.
        KW_ASSIGN_OR_RETURN(std::optional<Member> pending,
                            organizations::FindInvitation(session, *organization_id, email));
        if (pending) continue;
        KW_ASSIGN_OR_RETURN(std::optional<store::User> account, store::FindUserByEmail(session, email));
        if (account) {
          KW_ASSIGN_OR_RETURN(std::optional<Member> existing,
                              organizations::FindMembershipOf(session, *organization_id, account->id));
          if (existing) continue;
        }
        Member member;
        KW_ASSIGN_OR_RETURN(member.id, auth::NewGuid());
        member.organization_id = *organization_id;
        member.email = email;
        member.type = invite->type;
        member.status = MemberStatus::kInvited;
        member.permissions = invite->permissions;
        member.access_secrets_manager = invite->access_secrets_manager;
        member.creation_date = member.revision_date = now;
        if (c->send_mail) {
          KW_ASSIGN_OR_RETURN(std::string token, NewInvitationToken(member, now));
          mails.push_back({mail::OrganizationInvitationMessage(
              email, organization->name, AcceptLink(*c, *organization, member, token, account.has_value()))});
          WipeString(token);
        } else if (account) {
          member.status = MemberStatus::kAccepted;
          member.user_id = account->id;
          member.email.clear();
          KW_RETURN_IF_ERROR(store::TouchAccountRevision(session, account->id, now));
        }
        KW_RETURN_IF_ERROR(organizations::InsertMember(session, member));
        KW_RETURN_IF_ERROR(collections::SetMemberAccess(
            session, *organization_id, member.id,
            invite->access.collections.value_or(std::vector<collections::AccessGrant>{}), invite->access.groups));
        invited.push_back(member.id);
      }
      return OkStatus();
    });
    if (!saved.ok()) return api::FromStatus(saved);
    SendAll(*c, mails);
    for (const std::string& id : invited)
      LogMember(*c, events::EventType::kMemberInvited, *organization_id, id, user, request, now);
    return AnswerEmpty(OkStatus());
  });

  // Reinvitation: a new token (the old one stops working) for members still invited.
  const auto reinvite = [c](const http::HttpRequest& request, const store::User& user, std::vector<std::string> ids,
                            bool bulk) {
    const auto organization_id = api::ParseGuid(request.path_param("orgId"));
    if (!organization_id) return api::NotFound();
    if (!c->send_mail) return api::BadRequest("Mail is not configured on this server: invitations cannot be sent.");
    const TimeMs now = api::NowMs(c->accounts.api.clock);
    std::vector<PendingMail> mails;
    nlohmann::json results = nlohmann::json::array();
    const Status saved = c->accounts.api.database.Transact([&](sql::Session& session) -> Status {
      mails.clear();
      results = nlohmann::json::array();
      KW_ASSIGN_OR_RETURN(Member caller, CallerMembership(session, *organization_id, user.id));
      KW_RETURN_IF_ERROR(Require(caller.role().ManagesUsers()));
      KW_ASSIGN_OR_RETURN(std::optional<Organization> organization,
                          organizations::FindOrganization(session, *organization_id));
      if (!organization) return NotFoundError("organization");
      std::vector<Member> members;
      for (const std::string& id : ids) {
        KW_ASSIGN_OR_RETURN(std::optional<Member> member, organizations::FindMember(session, *organization_id, id));
        if (!member) return bulk ? InvalidArgumentError("Users invalid.") : NotFoundError("member");
        members.push_back(*std::move(member));
      }
      for (Member& member : members) {
        std::string error;
        if (member.status != MemberStatus::kInvited) {
          if (!bulk) return InvalidArgumentError("User invalid.");
          error = "User invalid.";
        } else {
          KW_ASSIGN_OR_RETURN(std::string token, NewInvitationToken(member, now));
          member.revision_date = now;
          KW_RETURN_IF_ERROR(organizations::UpdateMember(session, member));
          KW_ASSIGN_OR_RETURN(std::optional<store::User> account, store::FindUserByEmail(session, member.email));
          mails.push_back({mail::OrganizationInvitationMessage(
              member.email, organization->name, AcceptLink(*c, *organization, member, token, account.has_value()))});
          WipeString(token);
        }
        results.push_back({{"id", member.id}, {"error", error}, {"object", "OrganizationBulkConfirmResponseModel"}});
      }
      return OkStatus();
    });
    if (saved.ok()) SendAll(*c, mails);
    if (!bulk) return AnswerEmpty(saved);
    return Answer(saved, organizations::ListJson(std::move(results)));
  };
  add("POST", "/api/organizations/{orgId}/users/{id}/reinvite",
      [reinvite](const http::HttpRequest& request, store::User& user) {
        const auto id = api::ParseGuid(request.path_param("id"));
        if (!id) return api::NotFound();
        return reinvite(request, user, {*id}, false);
      });
  add("POST", "/api/organizations/{orgId}/users/reinvite",
      [reinvite](const http::HttpRequest& request, store::User& user) {
        auto body = http::ParseJsonObject(request.body);
        if (!body.ok()) return api::BadRequest(body.status().message());
        auto ids = organizations::internal::ParseIds(*body);
        if (!ids.ok()) return api::RequestErrorResponse(ids.status());
        return reinvite(request, user, *std::move(ids), true);
      });

  // No session yet: the invitation's token, with its address and member, is the credential.
  router.Add(
      "GET", "/api/organizations/{orgId}/policies/token",
      [c](const http::HttpRequest& request) {
        const auto organization_id = api::ParseGuid(request.path_param("orgId"));
        auto query = Form::Parse(request.query);
        if (!organization_id || !query.ok()) return api::NotFound();
        const auto member_id = api::ParseGuid(query->Get("organizationUserId"));
        auto digest = two_factor::TokenHash(std::string(query->Get("token")));
        if (!member_id || !digest.ok()) return api::NotFound();
        const std::string email = NormaliseEmail(query->Get("email"));
        const TimeMs now = api::NowMs(c->accounts.api.clock);
        nlohmann::json data = nlohmann::json::array();
        const Status read = c->accounts.api.database.Read([&](sql::Session& session) -> Status {
          KW_ASSIGN_OR_RETURN(std::optional<Member> member,
                              organizations::FindMember(session, *organization_id, *member_id));
          const bool valid = member && two_factor::SameHash(member->invite_token_hash, *digest) &&
                             member->invite_expiration.value_or(0) >= now && !member->email.empty() &&
                             member->email == email;
          if (!valid) return NotFoundError("invitation");
          KW_ASSIGN_OR_RETURN(std::vector<organizations::Policy> policies,
                              organizations::ListPolicies(session, *organization_id));
          for (const organizations::Policy& policy : policies) {
            if (policy.enabled) data.push_back(organizations::PolicyJson(policy));
          }
          return OkStatus();
        });
        return Answer(read, organizations::ListJson(std::move(data)));
      },
      http::Execution::kBlocking);

  add("POST", "/api/organizations/{orgId}/users/{id}/accept", [c](const http::HttpRequest& request, store::User& user) {
    const auto organization_id = api::ParseGuid(request.path_param("orgId"));
    const auto id = api::ParseGuid(request.path_param("id"));
    if (!organization_id || !id) return api::NotFound();
    auto body = http::ParseJsonObject(request.body);
    if (!body.ok()) return api::BadRequest(body.status().message());
    const nlohmann::json* token = http::FindField(*body, "token");
    if (token == nullptr || !token->is_string() || token->get<std::string>().empty()) {
      return api::RequestErrorResponse(api::FieldErrorStatus("Token", "is required."));
    }
    std::string reset_password_key;
    if (const nlohmann::json* key = http::FindField(*body, "resetPasswordKey"); key && !key->is_null()) {
      if (Status checked = CheckAsymmetricEncString(*key, "ResetPasswordKey"); !checked.ok()) {
        return api::RequestErrorResponse(checked);
      }
      reset_password_key = key->get<std::string>();
    }
    auto digest = two_factor::TokenHash(token->get<std::string>());
    if (!digest.ok()) return api::FromStatus(digest.status());
    const TimeMs now = api::NowMs(c->accounts.api.clock);
    bool enrolled = false;
    const Status accepted = c->accounts.api.database.Transact([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(std::optional<Member> member, organizations::FindMember(session, *organization_id, *id));
      if (!member) return InvalidArgumentError("User invalid.");
      if (!two_factor::SameHash(member->invite_token_hash, *digest)) return InvalidArgumentError("Invalid token.");
      if (member->invite_expiration.value_or(0) < now) return InvalidArgumentError("Expired token.");
      KW_ASSIGN_OR_RETURN(std::optional<Member> existing,
                          organizations::FindMembershipOf(session, *organization_id, user.id));
      if (existing) {
        if (existing->id == member->id && member->status == MemberStatus::kAccepted) {
          return InvalidArgumentError(
              "Invitation already accepted. You will receive an email when your organization membership is "
              "confirmed.");
        }
        return InvalidArgumentError("You are already part of this organization.");
      }
      if (member->email.empty() || member->email != user.email) {
        return InvalidArgumentError("User email does not match invite.");
      }
      KW_ASSIGN_OR_RETURN(std::optional<Organization> organization,
                          organizations::FindOrganization(session, *organization_id));
      if (!organization) return InvalidArgumentError("Organization invalid.");
      if (member->status == MemberStatus::kRevoked) {
        return InvalidArgumentError("Your access to the " + organization->name + " vault has been revoked.");
      }
      if (member->status != MemberStatus::kInvited) return InvalidArgumentError("Already accepted.");
      KW_RETURN_IF_ERROR(organizations::internal::CheckMayJoin(session, *member, user.id, user.email,
                                                               organizations::internal::JoinStep::kAccept));
      KW_ASSIGN_OR_RETURN(const organizations::RecoveryPolicy recovery,
                          organizations::ReadRecoveryPolicy(session, *organization_id));
      const bool auto_enrol = recovery.auto_enroll;
      if (auto_enrol && reset_password_key.empty()) {
        return InvalidArgumentError("Master Password reset is required, but not provided.");
      }
      if (auto_enrol) {
        member->reset_password_key = reset_password_key;
        enrolled = true;
      }
      member->status = MemberStatus::kAccepted;
      member->user_id = user.id;
      member->email.clear();
      member->invite_token_hash.clear();
      member->invite_expiration.reset();
      member->revision_date = now;
      KW_RETURN_IF_ERROR(organizations::UpdateMember(session, *member));
      return store::TouchAccountRevision(session, user.id, now);
    });
    if (accepted.ok() && enrolled) {
      events::Event event = organizations::internal::OrganizationEvent(events::EventType::kMemberResetPasswordEnroll,
                                                                       *organization_id, user.id, request, now);
      event.organization_user_id = *id;
      event.user_id = user.id;
      c->accounts.api.events.Record(std::move(event));
    }
    return AnswerEmpty(accepted);
  });

  add("POST", "/api/organizations/{orgId}/users/{id}/confirm",
      [c](const http::HttpRequest& request, store::User& user) {
        const auto organization_id = api::ParseGuid(request.path_param("orgId"));
        const auto id = api::ParseGuid(request.path_param("id"));
        if (!organization_id || !id) return api::NotFound();
        auto body = http::ParseJsonObject(request.body);
        if (!body.ok()) return api::BadRequest(body.status().message());
        auto key = ReadKey(*body, "Key");
        if (!key.ok()) return api::RequestErrorResponse(key.status());
        const TimeMs now = api::NowMs(c->accounts.api.clock);
        const Status confirmed = c->accounts.api.database.Transact([&](sql::Session& session) -> Status {
          KW_ASSIGN_OR_RETURN(Member caller, CallerMembership(session, *organization_id, user.id));
          KW_RETURN_IF_ERROR(Require(caller.role().ManagesUsers()));
          KW_ASSIGN_OR_RETURN(std::optional<Member> member, organizations::FindMember(session, *organization_id, *id));
          if (!member) return InvalidArgumentError("User not valid.");
          return Confirm(session, *member, *key, now);
        });
        if (confirmed.ok())
          LogMember(*c, events::EventType::kMemberConfirmed, *organization_id, *id, user, request, now);
        return AnswerEmpty(confirmed);
      });

  add("POST", "/api/organizations/{orgId}/users/confirm", [c](const http::HttpRequest& request, store::User& user) {
    const auto organization_id = api::ParseGuid(request.path_param("orgId"));
    if (!organization_id) return api::NotFound();
    auto body = http::ParseJsonObject(request.body);
    if (!body.ok()) return api::BadRequest(body.status().message());
    const nlohmann::json* keys = http::FindField(*body, "keys");
    if (keys == nullptr || !keys->is_array() || keys->empty() || keys->size() > 500) {
      return api::RequestErrorResponse(api::FieldErrorStatus("Keys", "is required (at most 500)."));
    }
    std::vector<std::pair<std::string, std::string>> wanted;  // member id, key
    for (const nlohmann::json& entry : *keys) {
      const nlohmann::json* entry_id = entry.is_object() ? http::FindField(entry, "id") : nullptr;
      const auto guid = entry_id && entry_id->is_string() ? api::ParseGuid(entry_id->get<std::string>()) : std::nullopt;
      if (!guid) return api::RequestErrorResponse(api::FieldErrorStatus("Keys", "must hold {id, key} pairs."));
      auto key = ReadKey(entry, "Keys.Key");
      if (!key.ok()) return api::RequestErrorResponse(key.status());
      wanted.emplace_back(*guid, *std::move(key));
    }
    const TimeMs now = api::NowMs(c->accounts.api.clock);
    nlohmann::json results = nlohmann::json::array();
    std::vector<std::string> done;
    const Status outcome = c->accounts.api.database.Transact([&](sql::Session& session) -> Status {
      results = nlohmann::json::array();
      done.clear();
      KW_ASSIGN_OR_RETURN(Member caller, CallerMembership(session, *organization_id, user.id));
      KW_RETURN_IF_ERROR(Require(caller.role().ManagesUsers()));
      std::vector<Member> members;
      for (const auto& [member_id, key] : wanted) {
        KW_ASSIGN_OR_RETURN(std::optional<Member> member,
                            organizations::FindMember(session, *organization_id, member_id));
        if (!member) return InvalidArgumentError("Users invalid.");
        members.push_back(*std::move(member));
      }
      for (std::size_t i = 0; i < members.size(); ++i) {
        const Status one = Confirm(session, members[i], wanted[i].second, now);
        if (!one.ok() && one.code() != ErrorCode::kInvalidArgument) return one;
        results.push_back({{"id", members[i].id},
                           {"error", one.ok() ? "" : one.message()},
                           {"object", "OrganizationBulkConfirmResponseModel"}});
        if (one.ok()) done.push_back(members[i].id);
      }
      return OkStatus();
    });
    if (outcome.ok()) {
      for (const std::string& id : done)
        LogMember(*c, events::EventType::kMemberConfirmed, *organization_id, id, user, request, now);
    }
    return Answer(outcome, organizations::ListJson(std::move(results)));
  });
}

}  // namespace keywarden::server
