// admin recover-account: what the web admin console's "Recover account" does (member-decryption.md
// 4.3), with the keys handled here:
//   1. the new password, checked against the organisation's master password requirements policy
//      (the server sees only its hash and cannot); a refusal sends nothing;
//   2. GET .../users/{id}/reset-password-details: the member's KDF settings and salt, their user
//      key encapsulated to the organisation (the enrolment), the organisation's private key under
//      the organisation key;
//   3. the organisation key from the administrator's sync, opened with their private key;
//   4. RecoverAccount: the organisation's private key opens the enrolment; the member's user key
//      is wrapped under the master key of the new password with the member's own KDF settings
//      (a recovery never changes them) and the new password's hash is made;
//   5. PUT .../users/{id}/recover-account {resetMasterPassword, resetTwoFactor,
//      newMasterPasswordHash, key}.
// The library also makes a fresh enrolment. No administrator route stores one, and none is
// needed: the user key is unchanged, so the member's enrolment stays valid. It is opened here
// with the organisation's private key as a check that the keys hang together, and not sent.
#include <CLI/CLI.hpp>
#include <memory>

#include "cli/admin/admin_verbs.h"
#include "cli/admin/credentials.h"
#include "cli/admin/lookup.h"
#include "cli/admin/password_policy.h"
#include "http/json.h"
#include "keywarden/crypto/encoding.h"
#include "keywarden/keys/account_recovery.h"
#include "keywarden/keys/organization.h"

namespace keywarden::cli::admin {
namespace {

struct RecoverOptions {
  std::string organization;
  std::string member;
  std::string new_password;
  bool reset_two_factor = false;
};

Status Refused(std::string message) { return Status(ErrorCode::kConflict, std::move(message)); }

bool Flag(const nlohmann::json& object, std::string_view name) {
  const nlohmann::json* field = http::FindField(object, name);
  return field != nullptr && field->is_boolean() && field->get<bool>();
}

// The organisation's enabled master password requirements, readable by every member (the
// reference's GET .../policies/master-password answers 404 when the policy is off).
Result<std::optional<MasterPasswordPolicy>> OrganizationPasswordPolicy(AdminClient& client,
                                                                       const std::string& organization_id) {
  auto policy = client.Get("/api/organizations/" + organization_id + "/policies/master-password");
  if (!policy.ok()) {
    if (policy.status().code() == ErrorCode::kNotFound) return std::optional<MasterPasswordPolicy>();
    return policy.status();
  }
  return CombineMasterPasswordPolicies(nlohmann::json::array({*policy}));
}

Result<Report> Recover(const CommonOptions& common, const RecoverOptions& options) {
  KW_ASSIGN_OR_RETURN(SecureBuffer new_password,
                      ReadNewPassword("--new-password", options.new_password, common.password_file));
  KW_ASSIGN_OR_RETURN(AdminClient client, AdminClient::Open(common.session_file, common.server));
  KW_ASSIGN_OR_RETURN(OrganizationRef organization, ResolveOrganization(client, options.organization));
  KW_ASSIGN_OR_RETURN(nlohmann::json member, ResolveMember(client, organization.id, options.member));
  const std::string email = Field(member, "email");
  if (!Flag(member, "resetPasswordEnrolled")) {
    return Refused(email + " has not enrolled in account recovery: there is no key to recover with");
  }
  if (Flag(member, "usesKeyConnector")) {
    return Refused(email + " unlocks with Key Connector and has no master password to reset");
  }
  KW_ASSIGN_OR_RETURN(std::optional<MasterPasswordPolicy> policy, OrganizationPasswordPolicy(client, organization.id));
  KW_RETURN_IF_ERROR(CheckNewMasterPassword(new_password.view(), email, policy));

  const std::string member_path = "/api/organizations/" + organization.id + "/users/" + Field(member, "id");
  KW_ASSIGN_OR_RETURN(nlohmann::json details, client.Get(member_path + "/reset-password-details"));
  KW_ASSIGN_OR_RETURN(KdfConfig kdf, KdfFromFields(details, "kdf", "kdfIterations", "kdfMemory", "kdfParallelism"));
  std::string salt = Field(details, "masterPasswordSalt");
  if (salt.empty()) salt = NormalizeEmail(email);  // servers that predate the field: the e-mail is the salt
  const std::string enrolment = Field(details, "resetPasswordKey");
  if (enrolment.empty()) return Refused(email + " has not enrolled in account recovery");
  KW_ASSIGN_OR_RETURN(AsymmetricEncString reset_password_key, AsymmetricEncString::Parse(enrolment));
  KW_ASSIGN_OR_RETURN(EncString organization_private_key, EncString::Parse(Field(details, "encryptedPrivateKey")));

  KW_ASSIGN_OR_RETURN(UnlockedAccount account, UnlockAccount(client, common.password_file));
  KW_ASSIGN_OR_RETURN(SymmetricKey organization_key, OrganizationKeyOf(account, organization.id));
  auto recovered = RecoverAccount(RecoveryRequest{.org_key = organization_key,
                                                  .org_encrypted_private_key = organization_private_key,
                                                  .reset_password_key = reset_password_key,
                                                  .new_password = new_password.view(),
                                                  .email = salt,
                                                  .kdf = kdf});
  if (!recovered.ok()) {
    return Status(recovered.status().code(),
                  "the organization's keys do not open " + email + "'s enrolment: " + recovered.status().message());
  }
  KW_ASSIGN_OR_RETURN(RsaPrivateKey opened_private_key,
                      OpenOrganizationPrivateKey(organization_key, organization_private_key));
  KW_ASSIGN_OR_RETURN(SecureBuffer reenrolled, recovered->reset_password_key.Decapsulate(opened_private_key));
  if (!reenrolled.Equals(recovered->user_key.bytes().span())) {
    return InternalError("the fresh enrolment does not open to the member's user key: nothing was sent");
  }

  nlohmann::json body = {{"resetMasterPassword", true},
                         {"resetTwoFactor", options.reset_two_factor},
                         {"newMasterPasswordHash", recovered->server_hash},
                         {"key", recovered->encrypted_user_key.ToString()}};
  WipeString(recovered->server_hash);
  const Status sent = client.Put(member_path + "/recover-account", body).status();
  WipeString(body["newMasterPasswordHash"].get_ref<std::string&>());
  KW_RETURN_IF_ERROR(sent);

  Report report;
  report.json = {{"organization", organization.name},
                 {"organization_id", organization.id},
                 {"member", email},
                 {"member_id", Field(member, "id")},
                 {"master_password", "reset (the member must replace it at their next login)"},
                 {"two_step_login", options.reset_two_factor ? "reset" : "unchanged"},
                 {"kdf", DescribeKdf(kdf) + " (kept)"},
                 {"enrolment", "unchanged (same user key)"},
                 {"sessions", "ended (every device of the member must log in again)"},
                 {"events", options.reset_two_factor ? "1508 master password reset, 1519 two-step login reset"
                                                     : "1508 master password reset"}};
  return report;
}

}  // namespace

void AddRecoverAccountVerb(CLI::App& admin, VerbAdder& verbs) {
  auto options = std::make_shared<RecoverOptions>();
  CLI::App* verb = verbs.Add(
      admin, "recover-account",
      "Reset an enrolled member's master password (account recovery; needs your master password)",
      [options](const CommonOptions& common) { return Recover(common, *options); }, NeedsPassword::kYes);
  verb->add_option("--organization", options->organization, "the organisation's name or id")->required();
  verb->add_option("--member", options->member, "the member's e-mail, member id or user id")->required();
  verb->add_option("--new-password", options->new_password,
                   "the member's temporary master password: @FILE, or - for standard input")
      ->required()
      ->type_name("@FILE|-");
  verb->add_flag("--reset-two-factor", options->reset_two_factor, "also turn off the member's two-step login");
}

}  // namespace keywarden::cli::admin
