// Account recovery, the administrator's side and its effect on the member (docs
// member-decryption.md 4.3-4.4):
//   GET  /api/organizations/{orgId}/users/{id}/reset-password-details     what the administrator's
//        client needs to recover the member: the member's KDF and salt, their enrolment, and the
//        organisation's private key (under the organisation key)
//   POST /api/organizations/{orgId}/users/account-recovery-details        {ids}: the same, for each
//        member the caller may recover (the others are left out)
//   PUT  /api/organizations/{orgId}/users/{id}/recover-account            a new master password
//        (and/or two-step login off); PUT .../{id}/reset-password is the older path
//   PUT  /api/accounts/update-temp-password                               the member replaces the
//        temporary password
// Only those who manage account recovery see anything (404 otherwise); who may recover whom is
// organizations::MayRecover. The server checks and stores what the administrator's client sent;
// it never sees a password or a key in the clear.
#include <optional>
#include <string>
#include <vector>

#include "http/json.h"
#include "server/accounts/account_fields.h"
#include "server/accounts/account_routes.h"
#include "server/api/error_response.h"
#include "server/api/field_error.h"
#include "server/api/ids.h"
#include "server/events/user_events.h"
#include "server/mail/templates.h"
#include "server/notifications/push_outbox.h"
#include "server/organizations/account_recovery.h"
#include "server/organizations/internal/route_support.h"
#include "server/organizations/organization_json.h"
#include "server/organizations/organization_routes.h"
#include "server/organizations/organization_store.h"
#include "server/organizations/policy_store.h"
#include "server/store/users.h"
#include "server/two_factor/two_factor_login.h"
#include "telemetry/log.h"

namespace keywarden::server {
namespace {

using organizations::Member;
using organizations::MemberStatus;
using organizations::internal::Answer;
using organizations::internal::AnswerEmpty;
using organizations::internal::CallerMembership;
using organizations::internal::Require;

constexpr char kNotPermitted[] = "You are not permitted to recover this user's account.";

nlohmann::json DetailsJson(const Member& member, const store::User& account,
                           const organizations::Organization& organization) {
  const bool argon2 = account.kdf.type == 1;
  return {{"object", "organizationUserResetPasswordDetails"},
          {"organizationUserId", member.id},
          {"kdf", account.kdf.type},
          {"kdfIterations", account.kdf.iterations},
          {"kdfMemory", argon2 && account.kdf.memory ? nlohmann::json(*account.kdf.memory) : nlohmann::json()},
          {"kdfParallelism",
           argon2 && account.kdf.parallelism ? nlohmann::json(*account.kdf.parallelism) : nlohmann::json()},
          {"masterPasswordSalt", account.salt},
          {"resetPasswordKey", http::NullIfEmpty(member.reset_password_key)},
          {"encryptedPrivateKey", organization.private_key}};
}

// The details of member `id` if `caller` may recover them; nullopt otherwise (the single route
// answers 404, the bulk one leaves the member out).
Result<std::optional<nlohmann::json>> DetailsIfRecoverable(sql::Session& session, const Member& caller,
                                                           const organizations::Organization& organization,
                                                           const std::string& id) {
  KW_ASSIGN_OR_RETURN(std::optional<Member> member, organizations::FindMember(session, organization.id, id));
  if (!member || member->user_id.empty() || !organizations::MayRecover(caller.role(), member->type)) {
    return std::optional<nlohmann::json>();
  }
  KW_ASSIGN_OR_RETURN(std::optional<store::User> account, store::FindUserById(session, member->user_id));
  if (!account) return std::optional<nlohmann::json>();
  return std::optional<nlohmann::json>(DetailsJson(*member, *account, organization));
}

// The caller's membership and the organisation, when the caller manages account recovery in it.
struct RecoveryScope {
  Member caller;
  organizations::Organization organization;
};
Result<RecoveryScope> ReadScope(sql::Session& session, std::string_view organization_id, const store::User& user) {
  KW_ASSIGN_OR_RETURN(Member caller, CallerMembership(session, organization_id, user.id));
  KW_RETURN_IF_ERROR(Require(organizations::ManagesAccountRecovery(caller.role())));
  KW_ASSIGN_OR_RETURN(std::optional<organizations::Organization> organization,
                      organizations::FindOrganization(session, organization_id));
  if (!organization) return NotFoundError("organization");
  return RecoveryScope{std::move(caller), *std::move(organization)};
}

struct RecoveryRequest {
  bool reset_master_password = false;
  bool reset_two_factor = false;
};
Result<RecoveryRequest> ParseRecoveryFlags(const nlohmann::json& body) {
  RecoveryRequest request;
  for (const auto& [name, field, flag] :
       {std::tuple{"resetMasterPassword", "ResetMasterPassword", &request.reset_master_password},
        std::tuple{"resetTwoFactor", "ResetTwoFactor", &request.reset_two_factor}}) {
    const nlohmann::json* value = http::FindField(body, name);
    if (value == nullptr || value->is_null()) continue;
    if (!value->is_boolean()) return api::FieldErrorStatus(field, "must be true or false.");
    *flag = value->get<bool>();
  }
  return request;
}

// With two-step login off, the member no longer meets the two-step login policy of the
// organisations that bind them: they are revoked there, as when the policy is turned on.
// Returns (organisation, member) of each revocation, for the events.
Result<std::vector<std::pair<std::string, std::string>>> RevokeWhereTwoStepLoginIsRequired(sql::Session& session,
                                                                                           std::string_view user_id,
                                                                                           TimeMs now) {
  std::vector<std::pair<std::string, std::string>> revoked;
  KW_ASSIGN_OR_RETURN(std::vector<organizations::MemberPolicy> policies,
                      organizations::ListEnabledPoliciesOf(
                          session, user_id, static_cast<int>(organizations::PolicyType::kTwoFactorAuthentication)));
  for (const organizations::MemberPolicy& policy : policies) {
    if (!organizations::BindsMember({policy})) continue;
    KW_ASSIGN_OR_RETURN(std::optional<Member> member,
                        organizations::FindMembershipOf(session, policy.policy.organization_id, user_id));
    if (!member) continue;
    member->status = MemberStatus::kRevoked;
    member->revision_date = now;
    KW_RETURN_IF_ERROR(organizations::UpdateMember(session, *member));
    revoked.emplace_back(member->organization_id, member->id);
  }
  return revoked;
}

}  // namespace

void AddRecoveryRoutes(http::Router& router, OrganizationRoutesContext& context) {
  OrganizationRoutesContext* c = &context;
  const api::UserRoutes add(router, context.accounts.api);

  add("GET", "/api/organizations/{orgId}/users/{id}/reset-password-details",
      [c](const http::HttpRequest& request, store::User& user) {
        const auto organization_id = api::ParseGuid(request.path_param("orgId"));
        const auto id = api::ParseGuid(request.path_param("id"));
        if (!organization_id || !id) return api::NotFound();
        nlohmann::json details;
        const Status read = c->accounts.api.database.Read([&](sql::Session& session) -> Status {
          KW_ASSIGN_OR_RETURN(RecoveryScope scope, ReadScope(session, *organization_id, user));
          KW_ASSIGN_OR_RETURN(std::optional<nlohmann::json> found,
                              DetailsIfRecoverable(session, scope.caller, scope.organization, *id));
          if (!found) return NotFoundError("member");
          details = *std::move(found);
          return OkStatus();
        });
        return Answer(read, details);
      });

  add("POST", "/api/organizations/{orgId}/users/account-recovery-details",
      [c](const http::HttpRequest& request, store::User& user) {
        const auto organization_id = api::ParseGuid(request.path_param("orgId"));
        if (!organization_id) return api::NotFound();
        auto body = http::ParseJsonObject(request.body);
        if (!body.ok()) return api::BadRequest(body.status().message());
        auto ids = organizations::internal::ParseIds(*body);
        if (!ids.ok()) return api::RequestErrorResponse(ids.status());
        if (ids->empty()) return api::RequestErrorResponse(api::FieldErrorStatus("Ids", "is required."));
        nlohmann::json list = nlohmann::json::array();
        const Status read = c->accounts.api.database.Read([&](sql::Session& session) -> Status {
          KW_ASSIGN_OR_RETURN(RecoveryScope scope, ReadScope(session, *organization_id, user));
          for (const std::string& id : *ids) {
            KW_ASSIGN_OR_RETURN(std::optional<nlohmann::json> found,
                                DetailsIfRecoverable(session, scope.caller, scope.organization, id));
            if (found) list.push_back(*std::move(found));
          }
          return OkStatus();
        });
        return Answer(read, organizations::ListJson(std::move(list)));
      });

  const auto recover = [c](const http::HttpRequest& request, store::User& user) {
    const auto organization_id = api::ParseGuid(request.path_param("orgId"));
    const auto id = api::ParseGuid(request.path_param("id"));
    if (!organization_id || !id) return api::NotFound();
    auto body = http::ParseJsonObject(request.body);
    if (!body.ok()) return api::BadRequest(body.status().message());
    auto flags = ParseRecoveryFlags(*body);
    if (!flags.ok()) return api::RequestErrorResponse(flags.status());

    // Who asks, about whom, under which policy: read first, then checked in the reference's order.
    std::optional<Member> target;
    std::optional<store::User> account;
    organizations::RecoveryPolicy policy;
    organizations::Organization organization;
    const Status read = c->accounts.api.database.Read([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(RecoveryScope scope, ReadScope(session, *organization_id, user));
      organization = std::move(scope.organization);
      KW_ASSIGN_OR_RETURN(target, organizations::FindMember(session, *organization_id, *id));
      if (!target) return NotFoundError("member");
      if (!organizations::MayRecover(scope.caller.role(), target->type)) return InvalidArgumentError(kNotPermitted);
      KW_ASSIGN_OR_RETURN(policy, organizations::ReadRecoveryPolicy(session, *organization_id));
      if (!target->user_id.empty()) {
        KW_ASSIGN_OR_RETURN(account, store::FindUserById(session, target->user_id));
      }
      return OkStatus();
    });
    if (!read.ok()) return api::FromStatus(read);
    if (!flags->reset_master_password && !flags->reset_two_factor) {
      return api::BadRequest("At least one recovery action must be requested.");
    }
    std::optional<NewMasterPassword> password;
    if (flags->reset_master_password) {
      // The fields' presence first, as the reference; their agreement with the account below.
      const bool legacy = http::FindField(*body, "newMasterPasswordHash") && http::FindField(*body, "key");
      const bool current = http::FindField(*body, "authenticationData") && http::FindField(*body, "unlockData");
      if (!legacy && !current) {
        return api::BadRequest("Master password hash and key are required when resetting master password.");
      }
    }
    if (!policy.enabled) return api::BadRequest("Organization does not have the password reset policy enabled.");
    if (!organizations::IsRecoverable(*target) || !account) return api::BadRequest("Organization User not valid.");
    if (flags->reset_master_password) {
      if (account->uses_key_connector) return api::BadRequest("Cannot reset password of a user with Key Connector.");
      auto parsed = ParseNewMasterPassword(*body, *account);
      if (parsed.status().code() == ErrorCode::kNotFound) {
        return api::BadRequest("Master password hash and key are required when resetting master password.");
      }
      if (!parsed.ok()) return api::RequestErrorResponse(parsed.status());
      password = *std::move(parsed);
    }

    const TimeMs now = api::NowMs(c->accounts.api.clock);
    if (password) {
      auto hashed = HashMasterPassword(c->accounts, password->hash);
      if (!hashed.ok()) return api::FromStatus(hashed.status());
      account->password_hash = *std::move(hashed);
      account->user_key = password->key;
      account->force_password_reset = true;
    }
    std::vector<std::pair<std::string, std::string>> revoked;
    const Status saved = SaveAccount(c->accounts, *account, password.has_value(), [&](sql::Session& session) -> Status {
      if (flags->reset_two_factor) {
        KW_RETURN_IF_ERROR(DisableAllProviders(session, account->id));
        KW_ASSIGN_OR_RETURN(revoked, RevokeWhereTwoStepLoginIsRequired(session, account->id, now));
      }
      return notifications::QueueLogOut(session, account->id, now);
    });
    if (!saved.ok()) return api::FromStatus(saved);

    if (c->send_mail) {
      ::keywarden::mail::Message message = mail::AccountRecoveredMessage(
          account->email, organization.name, flags->reset_master_password, flags->reset_two_factor);
      if (Status queued = c->send_mail(message); !queued.ok()) {
        telemetry::LogWarning("account recovery mail not queued: " + queued.message());
      }
    }
    const auto log = [&](events::EventType type, const std::string& in_organization, const std::string& member) {
      events::Event event = organizations::internal::OrganizationEvent(type, in_organization, user.id, request, now);
      event.organization_user_id = member;
      event.user_id = account->id;
      c->accounts.api.events.Record(std::move(event));
    };
    if (flags->reset_master_password) log(events::EventType::kMemberAdminResetPassword, *organization_id, *id);
    if (flags->reset_two_factor) log(events::EventType::kMemberAdminResetTwoFactor, *organization_id, *id);
    for (const auto& [revoked_in, member] : revoked) {
      log(events::EventType::kMemberRevokedForTwoStepLoginPolicy, revoked_in, member);
    }
    telemetry::AuditEvent("recover_account", user.id, request.client_address, account->id);
    return AnswerEmpty(OkStatus());
  };
  add("PUT", "/api/organizations/{orgId}/users/{id}/recover-account", recover);
  add("PUT", "/api/organizations/{orgId}/users/{id}/reset-password", recover);

  add("PUT", "/api/accounts/update-temp-password", [c](const http::HttpRequest& request, store::User& user) {
    auto body = http::ParseJsonObject(request.body);
    if (!body.ok()) return api::BadRequest(body.status().message());
    if (!user.force_password_reset) return api::BadRequest("User does not have a temporary password to update.");
    auto password = ParseNewMasterPassword(*body, user);
    if (password.status().code() == ErrorCode::kNotFound) {
      return api::InvalidField("NewMasterPasswordHash", "is required.");
    }
    if (!password.ok()) return api::RequestErrorResponse(password.status());
    std::string hint;
    if (const nlohmann::json* value = http::FindField(*body, "masterPasswordHint");
        value != nullptr && !value->is_null()) {
      if (!value->is_string() || value->get<std::string>().size() > 50) {
        return api::InvalidField("MasterPasswordHint", "must be a string of at most 50 characters.");
      }
      hint = value->get<std::string>();
    }
    auto hashed = HashMasterPassword(c->accounts, password->hash);
    if (!hashed.ok()) return api::FromStatus(hashed.status());
    user.password_hash = *std::move(hashed);
    user.user_key = password->key;
    user.password_hint = hint;
    user.force_password_reset = false;
    const TimeMs now = api::NowMs(c->accounts.api.clock);
    const Status saved = SaveAccount(c->accounts, user, true, [&](sql::Session& session) {
      return notifications::QueueLogOut(session, user.id, now);
    });
    if (!saved.ok()) return api::FromStatus(saved);
    if (c->send_mail) {
      if (Status queued = c->send_mail(mail::TemporaryPasswordReplacedMessage(user.email)); !queued.ok()) {
        telemetry::LogWarning("password change mail not queued: " + queued.message());
      }
    }
    events::LogUserEvent(c->accounts.api, request, user.id, events::EventType::kUserUpdatedTempPassword);
    telemetry::AuditEvent("update_temp_password", user.id, request.client_address, "ok");
    return AnswerEmpty(OkStatus());
  });
}

}  // namespace keywarden::server
