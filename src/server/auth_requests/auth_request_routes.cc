#include "server/auth_requests/auth_request_routes.h"

#include <charconv>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "auth/user_id.h"
#include "http/json.h"
#include "server/api/error_response.h"
#include "server/api/field_error.h"
#include "server/api/ids.h"
#include "server/auth_requests/auth_request_answer.h"
#include "server/auth_requests/auth_request_bodies.h"
#include "server/auth_requests/auth_request_json.h"
#include "server/auth_requests/auth_request_rules.h"
#include "server/auth_requests/auth_request_store.h"
#include "server/events/user_events.h"
#include "server/identity/form.h"
#include "server/mail/templates.h"
#include "server/notifications/push_outbox.h"
#include "server/organizations/member_store.h"
#include "server/organizations/organization_store.h"
#include "server/store/devices.h"
#include "server/store/users.h"
#include "telemetry/log.h"

namespace keywarden::server::auth_requests {
namespace {

constexpr std::string_view kNoDeviceType = "Device type not provided.";
constexpr std::string_view kNotFound = "User or known device not found.";
constexpr std::string_view kAuthenticationNeeded = "You must be authenticated to create a request of that type.";
constexpr std::string_view kExpectedAdminApproval = "Invalid AuthRequestType. Expected AdminApproval.";
constexpr std::string_view kNoOrganizations = "User does not belong to any organizations.";
constexpr std::string_view kNotNewest =
    "This request is no longer valid. Make sure to approve the most recent request.";
constexpr std::string_view kInvalidDevice = "Invalid device.";

std::optional<int> DeviceTypeHeader(const http::HttpRequest& request) {
  const std::string_view text = request.header("Device-Type");
  int type = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), type);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || type < 0) return std::nullopt;
  return type;
}

// The body of a create request, or the answer refusing it.
std::variant<CreateAuthRequestBody, http::HttpResponse> ReadCreateBody(const http::HttpRequest& request) {
  auto body = http::ParseJsonObject(request.body);
  if (!body.ok()) return api::BadRequest(body.status().message());
  auto create = ParseCreateAuthRequest(*body);
  if (!create.ok()) return api::RequestErrorResponse(create.status());
  return *std::move(create);
}

AuthRequest NewRequest(const CreateAuthRequestBody& body, const store::User& user, int device_type,
                       const http::HttpRequest& request, TimeMs now) {
  AuthRequest r;
  r.user_id = user.id;
  r.type = body.type;
  r.request_device_identifier = body.device_identifier;
  r.request_device_type = device_type;
  r.request_ip_address = request.client_address.substr(0, 50);
  r.access_code = body.access_code;
  r.public_key = body.public_key;
  r.creation_date = now;
  return r;
}

// kInvalidArgument kNotFound unless `email` is an account that has logged in from `identifier`
// (the reference's KnownDevicesOnly, its default).
Result<store::User> KnownUserAndDevice(sql::Session& session, const std::string& email, const std::string& identifier) {
  KW_ASSIGN_OR_RETURN(std::optional<store::User> user, store::FindUserByEmail(session, email));
  if (!user) return InvalidArgumentError(std::string(kNotFound));
  KW_ASSIGN_OR_RETURN(std::optional<store::Device> device,
                      store::FindDeviceByIdentifier(session, user->id, identifier));
  if (!device || device->identifier != identifier) return InvalidArgumentError(std::string(kNotFound));
  return *std::move(user);
}

// Who approves device requests in the organisation: owners, admins and custom members who manage
// account recovery (the reference's GetAdminAndAccountRecoveryEmailsAsync), by address.
Result<std::vector<std::string>> ApproverEmails(sql::Session& session, std::string_view organization_id) {
  KW_ASSIGN_OR_RETURN(std::vector<organizations::Member> members, organizations::ListMembers(session, organization_id));
  std::vector<std::string> emails;
  for (const organizations::Member& member : members) {
    if (!member.role().ManagesResetPassword() || member.user_id.empty()) continue;
    KW_ASSIGN_OR_RETURN(std::optional<store::User> account, store::FindUserById(session, member.user_id));
    if (account) emails.push_back(account->email);
  }
  return emails;
}

// The account a valid bearer token on an anonymous request names, if there is one. Like the
// reference (AllowAnonymous with CurrentContext.UserId), a missing or refused token leaves the
// request anonymous rather than failing it.
std::optional<std::string> OptionalCaller(api::ApiContext& api, const http::HttpRequest& request) {
  const std::string_view authorization = request.header("Authorization");
  if (authorization.empty()) return std::nullopt;
  auto principal = api.verifier.Verify(authorization, api.clock.Now());
  if (!principal.ok()) return std::nullopt;
  return principal->user_id;
}

struct ApprovalMail {
  std::string to;
  std::string organization_name;
};

}  // namespace

void AddAuthRequestRoutes(http::Router& router, OrganizationRoutesContext& context) {
  OrganizationRoutesContext* c = &context;
  api::ApiContext* api = &context.accounts.api;
  const std::string origin = OriginOf(context.accounts.public_url);
  const api::UserRoutes add(router, *api);

  router.Add(
      "POST", "/api/auth-requests",
      [api, origin](const http::HttpRequest& request) {
        auto read = ReadCreateBody(request);
        if (auto* refused = std::get_if<http::HttpResponse>(&read)) return *refused;
        const CreateAuthRequestBody& body = std::get<CreateAuthRequestBody>(read);
        if (body.type == AuthRequestType::kAdminApproval) return api::BadRequest(kAuthenticationNeeded);
        const std::optional<int> device_type = DeviceTypeHeader(request);
        if (!device_type) return api::BadRequest(kNoDeviceType);
        const TimeMs now = api::NowMs(api->clock);
        const std::optional<std::string> caller = OptionalCaller(*api, request);
        AuthRequest created;
        const Status saved = api->database.Transact([&](sql::Session& session) -> Status {
          KW_ASSIGN_OR_RETURN(store::User user, KnownUserAndDevice(session, body.email, body.device_identifier));
          // A signed-in caller asks only for its own account (the same answer, so as not to tell
          // which accounts exist).
          if (caller && *caller != user.id) return InvalidArgumentError(std::string(kNotFound));
          created = NewRequest(body, user, *device_type, request, now);
          KW_ASSIGN_OR_RETURN(created.id, auth::NewGuid());
          KW_RETURN_IF_ERROR(InsertAuthRequest(session, created));
          return notifications::QueueAuthRequest(session, user.id, created.id, now);
        });
        if (!saved.ok()) return api::FromStatus(saved);
        telemetry::AuditEvent("auth_request", created.user_id, request.client_address, created.id);
        return http::JsonResponse(200, AuthRequestJson(created, origin));
      },
      http::Execution::kBlocking);

  add("POST", "/api/auth-requests/admin-request",
      [c, api, origin](const http::HttpRequest& request, store::User& user) {
        auto read = ReadCreateBody(request);
        if (auto* refused = std::get_if<http::HttpResponse>(&read)) return *refused;
        const CreateAuthRequestBody& body = std::get<CreateAuthRequestBody>(read);
        if (body.type != AuthRequestType::kAdminApproval) return api::BadRequest(kExpectedAdminApproval);
        const std::optional<int> device_type = DeviceTypeHeader(request);
        if (!device_type) return api::BadRequest(kNoDeviceType);
        const TimeMs now = api::NowMs(api->clock);
        std::optional<AuthRequest> first;
        std::vector<ApprovalMail> mails;
        const Status saved = api->database.Transact([&](sql::Session& session) -> Status {
          first.reset();
          mails.clear();
          KW_ASSIGN_OR_RETURN(store::User account, KnownUserAndDevice(session, body.email, body.device_identifier));
          if (account.id != user.id) return InvalidArgumentError(std::string(kNotFound));
          KW_ASSIGN_OR_RETURN(std::vector<organizations::Member> memberships,
                              organizations::ListMembershipsOf(session, user.id));
          for (const organizations::Member& membership : memberships) {
            // A revoked member has no access to the organisation, so none to ask for.
            if (membership.status == organizations::MemberStatus::kRevoked) continue;
            AuthRequest created = NewRequest(body, user, *device_type, request, now);
            created.organization_id = membership.organization_id;
            KW_ASSIGN_OR_RETURN(created.id, auth::NewGuid());
            KW_RETURN_IF_ERROR(InsertAuthRequest(session, created));
            if (!first) first = created;
            KW_ASSIGN_OR_RETURN(std::optional<organizations::Organization> organization,
                                organizations::FindOrganization(session, membership.organization_id));
            KW_ASSIGN_OR_RETURN(std::vector<std::string> approvers,
                                ApproverEmails(session, membership.organization_id));
            for (std::string& approver : approvers) {
              mails.push_back({std::move(approver), organization ? organization->name : std::string()});
            }
          }
          if (!first) return InvalidArgumentError(std::string(kNoOrganizations));
          return OkStatus();
        });
        if (!saved.ok()) return api::FromStatus(saved);
        events::LogUserEvent(*api, request, user.id, events::EventType::kUserRequestedDeviceApproval);
        if (c->send_mail) {
          for (const ApprovalMail& mail : mails) {
            const Status queued =
                c->send_mail(mail::DeviceApprovalRequestedMessage(mail.to, mail.organization_name, user.email));
            if (!queued.ok()) telemetry::LogWarning("device approval request mail not queued: " + queued.message());
          }
        }
        telemetry::AuditEvent("admin_auth_request", user.id, request.client_address, first->id);
        return http::JsonResponse(200, AuthRequestJson(*first, origin));
      });

  add("GET", "/api/auth-requests", [api, origin](const http::HttpRequest&, store::User& user) {
    std::vector<AuthRequest> requests;
    const Status read = api->database.Read([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(requests, ListAuthRequestsOf(session, user.id));
      return OkStatus();
    });
    if (!read.ok()) return api::FromStatus(read);
    nlohmann::json items = nlohmann::json::array();
    for (const AuthRequest& r : requests) items.push_back(AuthRequestJson(r, origin));
    return http::JsonResponse(200, ListJson(std::move(items)));
  });

  add("GET", "/api/auth-requests/pending", [api, origin](const http::HttpRequest&, store::User& user) {
    const TimeMs now = api::NowMs(api->clock);
    nlohmann::json items = nlohmann::json::array();
    const Status read = api->database.Read([&](sql::Session& session) -> Status {
      items = nlohmann::json::array();
      KW_ASSIGN_OR_RETURN(std::vector<AuthRequest> requests, ListAuthRequestsOf(session, user.id));
      for (const AuthRequest& r : PendingDeviceRequests(requests, now)) {
        KW_ASSIGN_OR_RETURN(std::optional<store::Device> device,
                            store::FindDeviceByIdentifier(session, user.id, r.request_device_identifier));
        items.push_back(PendingAuthRequestJson(r, origin, device ? device->id : std::string()));
      }
      return OkStatus();
    });
    if (!read.ok()) return api::FromStatus(read);
    return http::JsonResponse(200, ListJson(std::move(items)));
  });

  add("GET", "/api/auth-requests/{id}", [api, origin](const http::HttpRequest& request, store::User& user) {
    const auto id = api::ParseGuid(request.path_param("id"));
    if (!id) return api::NotFound();
    std::optional<AuthRequest> found;
    const Status read = api->database.Read([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(found, FindAuthRequest(session, *id));
      return OkStatus();
    });
    if (!read.ok()) return api::FromStatus(read);
    if (!found || found->user_id != user.id) return api::NotFound();
    return http::JsonResponse(200, AuthRequestJson(*found, origin));
  });

  router.Add(
      "GET", "/api/auth-requests/{id}/response",
      [api, origin](const http::HttpRequest& request) {
        const auto id = api::ParseGuid(request.path_param("id"));
        auto query = Form::Parse(request.query);
        if (!id || !query.ok()) return api::NotFound();
        std::optional<AuthRequest> found;
        const Status read = api->database.Read([&](sql::Session& session) -> Status {
          KW_ASSIGN_OR_RETURN(found, FindAuthRequest(session, *id));
          return OkStatus();
        });
        if (!read.ok()) return api::FromStatus(read);
        if (!found || !MatchesAccessCode(*found, query->Get("code")) || !IsReadable(*found, api::NowMs(api->clock))) {
          return api::NotFound();
        }
        return http::JsonResponse(200, AuthRequestJson(*found, origin));
      },
      http::Execution::kBlocking);

  add("PUT", "/api/auth-requests/{id}", [api, origin](const http::HttpRequest& request, store::User& user) {
    const auto id = api::ParseGuid(request.path_param("id"));
    if (!id) return api::NotFound();
    auto body = http::ParseJsonObject(request.body);
    if (!body.ok()) return api::BadRequest(body.status().message());
    auto parsed = ParseAnswerAuthRequest(*body);
    if (!parsed.ok()) return api::RequestErrorResponse(parsed.status());
    const TimeMs now = api::NowMs(api->clock);
    AuthRequest answered;
    std::string organization_user_id;
    const Status saved = api->database.Transact([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(std::optional<AuthRequest> found, FindAuthRequest(session, *id));
      if (!found || found->user_id != user.id) return NotFoundError("auth request");
      if (parsed->approved) {
        // Only the newest pending request of a device can be approved: an older one may be an
        // attacker's, made to look like the one the user expects.
        KW_ASSIGN_OR_RETURN(std::vector<AuthRequest> requests, ListAuthRequestsOf(session, user.id));
        bool newest = false;
        for (const AuthRequest& pending : PendingDeviceRequests(requests, now)) {
          if (pending.request_device_identifier == found->request_device_identifier) newest = pending.id == found->id;
        }
        if (!newest) return InvalidArgumentError(std::string(kNotNewest));
      }
      Answer answer{parsed->approved, parsed->key, parsed->master_password_hash, {}};
      if (found->type != AuthRequestType::kAdminApproval && !found->answered() && IsAnswerable(*found, now)) {
        KW_ASSIGN_OR_RETURN(std::optional<store::Device> device,
                            store::FindDeviceByIdentifier(session, user.id, parsed->device_identifier));
        if (!device || device->identifier != parsed->device_identifier) {
          return InvalidArgumentError(std::string(kInvalidDevice));
        }
        answer.response_device_id = device->id;
      }
      KW_RETURN_IF_ERROR(RecordAnswer(session, *found, answer, now));
      answered = *std::move(found);
      if (!answered.organization_id.empty()) {
        KW_ASSIGN_OR_RETURN(std::optional<organizations::Member> member,
                            organizations::FindMembershipOf(session, answered.organization_id, user.id));
        if (member) organization_user_id = member->id;
      }
      return OkStatus();
    });
    if (!saved.ok()) return api::FromStatus(saved);
    LogAnswerEvent(*api, request, answered, organization_user_id, user.id, now);
    telemetry::AuditEvent(answered.approved == true ? "approve_auth_request" : "deny_auth_request", user.id,
                          request.client_address, answered.id);
    return http::JsonResponse(200, AuthRequestJson(answered, origin));
  });
}

}  // namespace keywarden::server::auth_requests
