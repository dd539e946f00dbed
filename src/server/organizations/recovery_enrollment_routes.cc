// Account recovery, the member's side of enrolment (docs member-decryption.md 4.1-4.2):
//   PUT /api/organizations/{orgId}/users/{userId}/reset-password-enrollment
//       {resetPasswordKey, masterPasswordHash}: the caller (whose *account* id is {userId}) enrols
//       with their user key encapsulated to the organisation's public key, after their password;
//       a null key withdraws, unless the policy enrols automatically.
//   GET /api/organizations/{identifier}/auto-enroll-status
//       whether the organisation named by its single sign-on identifier enrols its members
//       automatically; for its members only.
// Automatic enrolment at acceptance is in invitation_routes.cc.
#include <optional>
#include <string>

#include "http/json.h"
#include "server/accounts/account_fields.h"
#include "server/accounts/secret_verification.h"
#include "server/api/error_response.h"
#include "server/api/field_error.h"
#include "server/api/ids.h"
#include "server/organizations/account_recovery.h"
#include "server/organizations/internal/member_checks.h"
#include "server/organizations/internal/route_support.h"
#include "server/organizations/organization_routes.h"
#include "server/organizations/organization_store.h"
#include "server/sso/sso_config_store.h"
#include "server/store/users.h"
#include "telemetry/log.h"

namespace keywarden::server {
namespace {

using organizations::Member;
using organizations::MemberStatus;
using organizations::internal::AnswerEmpty;

// Enrols `member` (the caller's membership) with `key`, or withdraws them when `key` is empty,
// with the reference's refusals.
Status Enrol(sql::Session& session, Member& member, const store::User& caller, const std::string& key, TimeMs now) {
  KW_ASSIGN_OR_RETURN(std::optional<organizations::Organization> organization,
                      organizations::FindOrganization(session, member.organization_id));
  if (!organization) return InvalidArgumentError("Organization does not allow password reset enrollment.");
  KW_ASSIGN_OR_RETURN(const organizations::RecoveryPolicy policy,
                      organizations::ReadRecoveryPolicy(session, member.organization_id));
  if (!policy.enabled) return InvalidArgumentError("Organization does not have the password reset policy enabled.");
  if (key.empty() && policy.auto_enroll) {
    return InvalidArgumentError("Due to an Enterprise policy, you are not allowed to withdraw from account recovery.");
  }
  member.reset_password_key = key;
  // A member provisioned by single sign-on enrols before anyone accepted for them: enrolling
  // accepts, with every check acceptance makes.
  if (member.status == MemberStatus::kInvited) {
    KW_RETURN_IF_ERROR(organizations::internal::CheckMayJoin(session, member, caller.id, caller.email,
                                                             organizations::internal::JoinStep::kAccept));
    member.status = MemberStatus::kAccepted;
    member.email.clear();
  }
  member.revision_date = now;
  KW_RETURN_IF_ERROR(organizations::UpdateMember(session, member));
  return store::TouchAccountRevision(session, caller.id, now);
}

}  // namespace

void AddRecoveryEnrollmentRoutes(http::Router& router, OrganizationRoutesContext& context) {
  OrganizationRoutesContext* c = &context;
  const api::UserRoutes add(router, context.accounts.api);

  add("PUT", "/api/organizations/{orgId}/users/{userId}/reset-password-enrollment",
      [c](const http::HttpRequest& request, store::User& user) {
        const auto organization_id = api::ParseGuid(request.path_param("orgId"));
        const auto user_id = api::ParseGuid(request.path_param("userId"));
        if (!organization_id || !user_id) return api::NotFound();
        auto body = http::ParseJsonObject(request.body);
        if (!body.ok()) return api::BadRequest(body.status().message());
        // Null, empty or blank withdraws (the reference's IsValidResetPasswordKey; the current
        // web vault withdraws with "").
        std::string key;
        if (const nlohmann::json* value = http::FindField(*body, "resetPasswordKey");
            value != nullptr && !value->is_null() &&
            !(value->is_string() && value->get<std::string>().find_first_not_of(" \t\r\n") == std::string::npos)) {
          if (Status checked = CheckAsymmetricEncString(*value, "ResetPasswordKey"); !checked.ok()) {
            return api::RequestErrorResponse(checked);
          }
          key = value->get<std::string>();
        }
        // Enrolling hands the organisation a way into the vault: the password (or a code) first.
        // Withdrawing takes that away and needs none, as in the reference. Members of an
        // organisation that uses trusted devices enrol as they first log in, before they have
        // any password.
        bool trusted_devices = false;
        if (!key.empty()) {
          const Status read = c->accounts.api.database.Read([&](sql::Session& session) -> Status {
            KW_ASSIGN_OR_RETURN(std::optional<sso::SsoConfig> config, sso::FindSsoConfig(session, *organization_id));
            trusted_devices =
                config && config->enabled &&
                config->data.member_decryption_type == sso::MemberDecryptionType::kTrustedDeviceEncryption;
            return OkStatus();
          });
          if (!read.ok()) return api::FromStatus(read);
        }
        if (!key.empty() && !trusted_devices) {
          if (auto refused = RefuseUnverified(c->accounts, user, *body, "Incorrect password")) return *refused;
        }
        const TimeMs now = api::NowMs(c->accounts.api.clock);
        std::string member_id;
        const Status enrolled = c->accounts.api.database.Transact([&](sql::Session& session) -> Status {
          KW_ASSIGN_OR_RETURN(std::optional<Member> member,
                              organizations::FindMembershipOf(session, *organization_id, user.id));
          if (!member || *user_id != user.id) return InvalidArgumentError("User not valid.");
          member_id = member->id;
          return Enrol(session, *member, user, key, now);
        });
        if (enrolled.ok()) {
          events::Event event =
              organizations::internal::OrganizationEvent(key.empty() ? events::EventType::kMemberResetPasswordWithdraw
                                                                     : events::EventType::kMemberResetPasswordEnroll,
                                                         *organization_id, user.id, request, now);
          event.organization_user_id = member_id;
          event.user_id = user.id;
          c->accounts.api.events.Record(std::move(event));
          telemetry::AuditEvent(key.empty() ? "recovery_withdraw" : "recovery_enrol", user.id, request.client_address,
                                *organization_id);
        }
        return AnswerEmpty(enrolled);
      });

  add("GET", "/api/organizations/{identifier}/auto-enroll-status",
      [c](const http::HttpRequest& request, store::User& user) {
        nlohmann::json status;
        const Status read = c->accounts.api.database.Read([&](sql::Session& session) -> Status {
          KW_ASSIGN_OR_RETURN(std::optional<organizations::Organization> organization,
                              organizations::FindOrganizationByIdentifier(session, request.path_param("identifier")));
          if (!organization) return NotFoundError("organization");
          KW_ASSIGN_OR_RETURN(std::optional<Member> member,
                              organizations::FindMembershipOf(session, organization->id, user.id));
          if (!member) return NotFoundError("organization");
          KW_ASSIGN_OR_RETURN(const organizations::RecoveryPolicy policy,
                              organizations::ReadRecoveryPolicy(session, organization->id));
          status = {{"object", "organizationAutoEnrollStatus"},
                    {"id", organization->id},
                    {"resetPasswordEnabled", policy.enabled && policy.auto_enroll}};
          return OkStatus();
        });
        return organizations::internal::Answer(read, status);
      });
}

}  // namespace keywarden::server
