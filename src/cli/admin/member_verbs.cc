// admin member: invite, list, confirm, set-type, revoke, restore, remove. Confirmation is what
// `bw confirm org-member` does (core.md 7.2), with the member's fingerprint phrase shown (and,
// with --expect-fingerprint, checked before the organisation key is shared).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <memory>
#include <vector>

#include "cli/admin/admin_verbs.h"
#include "cli/admin/credentials.h"
#include "cli/admin/lookup.h"
#include "http/json.h"
#include "keywarden/crypto/enc_string.h"
#include "keywarden/crypto/fingerprint.h"
#include "keywarden/keys/organization.h"

namespace keywarden::cli::admin {
namespace {

struct MemberOptions {
  std::string organization;
  std::string member;
  std::vector<std::string> emails;
  std::string type;
  std::vector<std::string> permissions;
  std::string expect_fingerprint;
};

// The server would refuse it too; saying so here names the reason plainly.
Status Refused(std::string message) { return Status(ErrorCode::kConflict, std::move(message)); }

nlohmann::ordered_json MemberRow(const nlohmann::json& member) {
  return {{"id", Field(member, "id")},
          {"email", Field(member, "email")},
          {"name", Field(member, "name")},
          {"type", MemberTypeName(static_cast<int>(IntField(member, "type", -9)))},
          {"status", MemberStatusName(static_cast<int>(IntField(member, "status", -9)))},
          {"user_id", Field(member, "userId")}};
}

const std::vector<std::pair<std::string, std::string>> kMemberColumns = {
    {"id", "ID"}, {"email", "EMAIL"}, {"name", "NAME"}, {"type", "TYPE"}, {"status", "STATUS"}};

Result<nlohmann::json> Members(AdminClient& client, const std::string& organization_id) {
  KW_ASSIGN_OR_RETURN(nlohmann::json list, client.Get("/api/organizations/" + organization_id + "/users?"));
  const nlohmann::json* data = http::FindField(list, "data");
  return data != nullptr && data->is_array() ? *data : nlohmann::json::array();
}

// --type and --permission as the API's type number and permissions object (null unless custom).
Result<std::pair<int, nlohmann::json>> TypeAndPermissions(const MemberOptions& options) {
  if (options.type.empty()) return InvalidArgumentError("--type is required (owner, admin, user or custom)");
  KW_ASSIGN_OR_RETURN(int type, ParseMemberType(options.type));
  if (type != 4 && !options.permissions.empty()) {
    return InvalidArgumentError("--permission applies only to --type custom");
  }
  nlohmann::json permissions = nullptr;
  if (type == 4) {
    KW_ASSIGN_OR_RETURN(permissions, ParsePermissions(options.permissions));
  }
  return std::make_pair(type, std::move(permissions));
}

Result<Report> Invite(const CommonOptions& common, const MemberOptions& options) {
  if (options.emails.empty()) return InvalidArgumentError("--email is required");
  KW_ASSIGN_OR_RETURN(auto type, TypeAndPermissions(options));
  KW_ASSIGN_OR_RETURN(AdminClient client, AdminClient::Open(common.session_file, common.server));
  KW_ASSIGN_OR_RETURN(OrganizationRef organization, ResolveOrganization(client, options.organization));
  nlohmann::json emails = nlohmann::json::array();
  for (const std::string& email : options.emails) emails.push_back(NormalizeEmail(email));
  KW_RETURN_IF_ERROR(
      client
          .Post("/api/organizations/" + organization.id + "/users/invite", {{"emails", emails},
                                                                            {"type", type.first},
                                                                            {"permissions", type.second},
                                                                            {"collections", nlohmann::json::array()},
                                                                            {"groups", nlohmann::json::array()},
                                                                            {"accessSecretsManager", false}})
          .status());
  // The invited members as the server now lists them (an existing account shows as accepted
  // at once on a server without mail).
  KW_ASSIGN_OR_RETURN(nlohmann::json members, Members(client, organization.id));
  Report report;
  report.list_field = "members";
  report.columns = kMemberColumns;
  report.json["organization_id"] = organization.id;
  report.json["members"] = nlohmann::ordered_json::array();
  for (const nlohmann::json& member : members) {
    const std::string email = NormalizeEmail(Field(member, "email"));
    if (std::find(emails.begin(), emails.end(), email) != emails.end()) {
      report.json["members"].push_back(MemberRow(member));
    }
  }
  return report;
}

Result<Report> List(const CommonOptions& common, const MemberOptions& options) {
  KW_ASSIGN_OR_RETURN(AdminClient client, AdminClient::Open(common.session_file, common.server));
  KW_ASSIGN_OR_RETURN(OrganizationRef organization, ResolveOrganization(client, options.organization));
  KW_ASSIGN_OR_RETURN(nlohmann::json members, Members(client, organization.id));
  Report report;
  report.list_field = "members";
  report.columns = kMemberColumns;
  report.json["organization_id"] = organization.id;
  report.json["members"] = nlohmann::ordered_json::array();
  for (const nlohmann::json& member : members) report.json["members"].push_back(MemberRow(member));
  return report;
}

Result<Report> Confirm(const CommonOptions& common, const MemberOptions& options) {
  KW_ASSIGN_OR_RETURN(AdminClient client, AdminClient::Open(common.session_file, common.server));
  KW_ASSIGN_OR_RETURN(OrganizationRef organization, ResolveOrganization(client, options.organization));
  KW_ASSIGN_OR_RETURN(nlohmann::json member, ResolveMember(client, organization.id, options.member));
  switch (IntField(member, "status", -9)) {
    case 1: break;
    case 0: return Refused("the member must accept the invitation before being confirmed");
    case 2: return Refused("the member is already confirmed");
    case -1: return Refused("the member is revoked and cannot be confirmed (restore them first)");
    default: return Refused("the member cannot be confirmed in its present state");
  }
  const std::string user_id = Field(member, "userId");
  if (user_id.empty()) return Refused("the member has no account yet");
  KW_ASSIGN_OR_RETURN(UnlockedAccount account, UnlockAccount(client, common.password_file));
  KW_ASSIGN_OR_RETURN(SymmetricKey organization_key, OrganizationKeyOf(account, organization.id));
  KW_ASSIGN_OR_RETURN(nlohmann::json public_key, client.Get("/api/users/" + user_id + "/public-key"));
  KW_ASSIGN_OR_RETURN(RsaPublicKey member_key, RsaPublicKey::FromBase64(Field(public_key, "publicKey")));
  KW_ASSIGN_OR_RETURN(std::string fingerprint, FingerprintPhrase(user_id, member_key));
  if (!options.expect_fingerprint.empty() && options.expect_fingerprint != fingerprint) {
    return AuthenticationError("the member's fingerprint is " + fingerprint +
                               ", not the one expected: not confirmed (the public key may not be theirs)");
  }
  KW_ASSIGN_OR_RETURN(AsymmetricEncString shared, ShareOrganizationKey(organization_key, member_key));
  KW_ASSIGN_OR_RETURN(EncString my_items, EncString::EncryptText(organization_key, "My Items"));
  KW_RETURN_IF_ERROR(client
                         .Post("/api/organizations/" + organization.id + "/users/" + Field(member, "id") + "/confirm",
                               {{"key", shared.ToString()}, {"defaultUserCollectionName", my_items.ToString()}})
                         .status());
  Report report;
  report.json = {{"id", Field(member, "id")},
                 {"email", Field(member, "email")},
                 {"status", "confirmed"},
                 {"fingerprint", fingerprint}};
  return report;
}

Result<Report> SetType(const CommonOptions& common, const MemberOptions& options) {
  KW_ASSIGN_OR_RETURN(auto type, TypeAndPermissions(options));
  KW_ASSIGN_OR_RETURN(AdminClient client, AdminClient::Open(common.session_file, common.server));
  KW_ASSIGN_OR_RETURN(OrganizationRef organization, ResolveOrganization(client, options.organization));
  KW_ASSIGN_OR_RETURN(nlohmann::json member, ResolveMember(client, organization.id, options.member));
  const std::string path = "/api/organizations/" + organization.id + "/users/" + Field(member, "id");
  KW_ASSIGN_OR_RETURN(nlohmann::json details, client.Get(path + "?"));
  const nlohmann::json* secrets = http::FindField(details, "accessSecretsManager");
  // Collections and groups are left out: the reference leaves them as they are when absent.
  KW_RETURN_IF_ERROR(client
                         .Put(path, {{"type", type.first},
                                     {"permissions", type.second},
                                     {"accessSecretsManager", secrets != nullptr && secrets->is_boolean() && *secrets}})
                         .status());
  KW_ASSIGN_OR_RETURN(nlohmann::json updated, client.Get(path + "?"));
  Report report;
  report.json = MemberRow(updated);
  if (!type.second.is_null()) report.json["permissions"] = type.second;
  return report;
}

// revoke, restore, remove: one call on the member, then the member's state as the server shows it.
VerbFunction MemberAction(std::shared_ptr<MemberOptions> options, std::string method, std::string suffix,
                          std::string done) {
  return [options, method, suffix, done](const CommonOptions& common) -> Result<Report> {
    KW_ASSIGN_OR_RETURN(AdminClient client, AdminClient::Open(common.session_file, common.server));
    KW_ASSIGN_OR_RETURN(OrganizationRef organization, ResolveOrganization(client, options->organization));
    KW_ASSIGN_OR_RETURN(nlohmann::json member, ResolveMember(client, organization.id, options->member));
    const std::string path = "/api/organizations/" + organization.id + "/users/" + Field(member, "id");
    KW_RETURN_IF_ERROR(client.Call(method, path + suffix, nullptr).status());
    Report report;
    if (suffix.empty()) {
      report.json = {{"id", Field(member, "id")}, {"email", Field(member, "email")}, {"status", done}};
      return report;
    }
    KW_ASSIGN_OR_RETURN(nlohmann::json updated, client.Get(path + "?"));
    report.json = MemberRow(updated);
    if (Field(updated, "email").empty()) report.json["email"] = Field(member, "email");
    return report;
  };
}

void OrganizationAndMember(CLI::App* verb, MemberOptions& options) {
  verb->add_option("--organization", options.organization, "the organisation's name or id")->required();
  verb->add_option("--member", options.member, "the member's e-mail, member id or user id")->required();
}

void TypeOptions(CLI::App* verb, MemberOptions& options) {
  verb->add_option("--type", options.type, "owner, admin, user or custom")->required();
  verb->add_option("--permission", options.permissions,
                   "a custom member's permission (repeatable): manageUsers, managePolicies, accessEventLogs, ...");
}

}  // namespace

void AddMemberVerbs(CLI::App& group, VerbAdder& verbs) {
  auto invite = std::make_shared<MemberOptions>();
  CLI::App* verb = verbs.Add(group, "invite", "Invite people by e-mail",
                             [invite](const CommonOptions& common) { return Invite(common, *invite); });
  verb->add_option("--organization", invite->organization, "the organisation's name or id")->required();
  verb->add_option("--email", invite->emails, "the e-mail to invite (repeatable)")->required();
  TypeOptions(verb, *invite);

  auto list = std::make_shared<MemberOptions>();
  verb = verbs.Add(group, "list", "The organisation's members",
                   [list](const CommonOptions& common) { return List(common, *list); });
  verb->add_option("--organization", list->organization, "the organisation's name or id")->required();

  auto confirm = std::make_shared<MemberOptions>();
  verb = verbs.Add(
      group, "confirm", "Share the organisation key with an accepted member (needs the master password)",
      [confirm](const CommonOptions& common) { return Confirm(common, *confirm); }, NeedsPassword::kYes);
  OrganizationAndMember(verb, *confirm);
  verb->add_option("--expect-fingerprint", confirm->expect_fingerprint,
                   "refuse unless the member's fingerprint phrase is this one");

  auto set_type = std::make_shared<MemberOptions>();
  verb = verbs.Add(group, "set-type", "Change a member's type and custom permissions",
                   [set_type](const CommonOptions& common) { return SetType(common, *set_type); });
  OrganizationAndMember(verb, *set_type);
  TypeOptions(verb, *set_type);

  auto revoke = std::make_shared<MemberOptions>();
  verb = verbs.Add(group, "revoke", "Revoke a member's access (kept, restorable)",
                   MemberAction(revoke, "PUT", "/revoke", "revoked"));
  OrganizationAndMember(verb, *revoke);

  auto restore = std::make_shared<MemberOptions>();
  verb = verbs.Add(group, "restore", "Restore a revoked member", MemberAction(restore, "PUT", "/restore", "restored"));
  OrganizationAndMember(verb, *restore);

  auto remove = std::make_shared<MemberOptions>();
  verb = verbs.Add(group, "remove", "Remove a member from the organisation",
                   MemberAction(remove, "DELETE", "", "removed"));
  OrganizationAndMember(verb, *remove);
}

}  // namespace keywarden::cli::admin
