// The member's side of account recovery (member-decryption.md 4.2, 4.4), what the web vault does
// for them:
//   account-recovery enrol     the caller's user key encapsulated to the organisation's public key,
//                              PUT .../users/{userId}/reset-password-enrollment with the caller's
//                              master password hash (the server checks it)
//   account-recovery withdraw  the same route with no key (refused while automatic enrolment is on)
//   update-temp-password       after an administrator's recovery: the user key, unlocked with the
//                              temporary password, wrapped under the new one with the account's
//                              own KDF settings; PUT /api/accounts/update-temp-password
// Bitwarden's CLI does none of this (it logs out with a message pointing to the web vault).
#include <CLI/CLI.hpp>
#include <memory>

#include "cli/admin/admin_verbs.h"
#include "cli/admin/credentials.h"
#include "cli/admin/lookup.h"
#include "cli/admin/password_policy.h"
#include "http/json.h"
#include "keywarden/crypto/encoding.h"
#include "keywarden/crypto/fingerprint.h"
#include "keywarden/crypto/master_key.h"
#include "keywarden/keys/account_recovery.h"

namespace keywarden::cli::admin {
namespace {

// The clients' limit on a master password hint.
constexpr std::size_t kMaxHintLength = 50;

struct EnrolmentOptions {
  std::string organization;
  std::string expect_fingerprint;
};

struct TempPasswordOptions {
  std::string new_password;
  std::string hint;
};

std::string EnrolmentPath(const std::string& organization_id, const Session& session) {
  return "/api/organizations/" + organization_id + "/users/" + session.user_id + "/reset-password-enrollment";
}

Result<Report> Enrol(const CommonOptions& common, const EnrolmentOptions& options) {
  KW_ASSIGN_OR_RETURN(AdminClient client, AdminClient::Open(common.session_file, common.server));
  if (client.session().user_id.empty()) return InvalidArgumentError("the session names no account: log in again");
  KW_ASSIGN_OR_RETURN(OrganizationRef organization, ResolveOrganization(client, options.organization));
  KW_ASSIGN_OR_RETURN(nlohmann::json key, client.Get("/api/organizations/" + organization.id + "/public-key"));
  KW_ASSIGN_OR_RETURN(RsaPublicKey organization_key, RsaPublicKey::FromBase64(Field(key, "publicKey")));
  // What the enrolment trusts: whoever holds this key's private half can reset the password. The
  // phrase lets the member compare it with what an administrator sees, before anything is sent.
  KW_ASSIGN_OR_RETURN(std::string fingerprint, FingerprintPhrase(organization.id, organization_key));
  if (!options.expect_fingerprint.empty() && options.expect_fingerprint != fingerprint) {
    return AuthenticationError("the organization's key has the fingerprint " + fingerprint +
                               ", not the one expected: not enrolled");
  }
  KW_ASSIGN_OR_RETURN(UnlockedAccount account, UnlockAccount(client, common.password_file));
  KW_ASSIGN_OR_RETURN(AsymmetricEncString enrolment, EnrollAccountRecovery(account.user_key, organization_key));
  KW_RETURN_IF_ERROR(client
                         .Put(EnrolmentPath(organization.id, client.session()),
                              {{"resetPasswordKey", enrolment.ToString()},
                               {"masterPasswordHash", std::string(account.password_hash.view())}})
                         .status());
  Report report;
  report.json = {{"organization", organization.name},       {"organization_id", organization.id},
                 {"member", client.session().email},        {"account_recovery", "enrolled"},
                 {"organization_fingerprint", fingerprint}, {"events", "1506 enrolled in account recovery"}};
  return report;
}

Result<Report> Withdraw(const CommonOptions& common, const EnrolmentOptions& options) {
  KW_ASSIGN_OR_RETURN(AdminClient client, AdminClient::Open(common.session_file, common.server));
  if (client.session().user_id.empty()) return InvalidArgumentError("the session names no account: log in again");
  KW_ASSIGN_OR_RETURN(OrganizationRef organization, ResolveOrganization(client, options.organization));
  // As the web vault withdraws: no key and no password (the reference checks the password only
  // when a key is given; the web vault sends this placeholder).
  KW_RETURN_IF_ERROR(client
                         .Put(EnrolmentPath(organization.id, client.session()),
                              {{"resetPasswordKey", nullptr}, {"masterPasswordHash", "ignored"}})
                         .status());
  Report report;
  report.json = {{"organization", organization.name},
                 {"organization_id", organization.id},
                 {"member", client.session().email},
                 {"account_recovery", "withdrawn"},
                 {"events", "1507 withdrew from account recovery"}};
  return report;
}

Result<Report> UpdateTempPassword(const CommonOptions& common, const TempPasswordOptions& options) {
  KW_ASSIGN_OR_RETURN(SecureBuffer new_password,
                      ReadNewPassword("--new-password", options.new_password, common.password_file));
  if (options.hint.size() > kMaxHintLength) {
    return InvalidArgumentError("--hint: at most " + std::to_string(kMaxHintLength) + " characters");
  }
  if (!options.hint.empty() && options.hint == new_password.view()) {
    return InvalidArgumentError("--hint: the hint cannot be the password itself");
  }
  KW_ASSIGN_OR_RETURN(AdminClient client, AdminClient::Open(common.session_file, common.server));
  const Session& session = client.session();
  KW_ASSIGN_OR_RETURN(UnlockedAccount account, UnlockAccount(client, common.password_file));

  // The requirements of every organisation whose policies apply to the account, as its sync lists
  // them (what the web vault enforces on this page).
  const nlohmann::json* policies = http::FindField(account.sync, "policies");
  KW_RETURN_IF_ERROR(CheckNewMasterPassword(new_password.view(), session.email,
                                            policies ? CombineMasterPasswordPolicies(*policies) : std::nullopt));

  const std::string salt = session.salt.empty() ? NormalizeEmail(session.email) : session.salt;
  KW_ASSIGN_OR_RETURN(MasterKey master_key, MasterKey::Derive(new_password.view(), salt, *session.kdf));
  KW_ASSIGN_OR_RETURN(EncString wrapped, master_key.EncryptUserKey(account.user_key));
  KW_ASSIGN_OR_RETURN(std::string hash, master_key.ServerHash(new_password.view()));
  nlohmann::json body = {
      {"newMasterPasswordHash", hash},
      {"key", wrapped.ToString()},
      {"masterPasswordHint", options.hint.empty() ? nlohmann::json() : nlohmann::json(options.hint)}};
  WipeString(hash);
  const Status sent = client.Put("/api/accounts/update-temp-password", body).status();
  WipeString(body["newMasterPasswordHash"].get_ref<std::string&>());
  KW_RETURN_IF_ERROR(sent);

  Report report;
  report.json = {{"member", session.email},
                 {"master_password", "updated"},
                 {"kdf", DescribeKdf(*session.kdf) + " (kept)"},
                 {"sessions", "ended: log in again with the new password (keywarden admin login, bw login)"},
                 {"events", "1008 temporary password updated"}};
  return report;
}

}  // namespace

void AddAccountRecoveryVerbs(CLI::App& group, VerbAdder& verbs) {
  auto enrol = std::make_shared<EnrolmentOptions>();
  CLI::App* verb = verbs.Add(
      group, "enrol", "Let the organisation's administrators reset your master password (needs your master password)",
      [enrol](const CommonOptions& common) { return Enrol(common, *enrol); }, NeedsPassword::kYes);
  verb->alias("enroll");
  verb->add_option("--organization", enrol->organization, "the organisation's name or id")->required();
  verb->add_option("--expect-fingerprint", enrol->expect_fingerprint,
                   "refuse unless the organisation key's fingerprint phrase is this one");

  auto withdraw = std::make_shared<EnrolmentOptions>();
  verb = verbs.Add(group, "withdraw", "Withdraw from the organisation's account recovery",
                   [withdraw](const CommonOptions& common) { return Withdraw(common, *withdraw); });
  verb->add_option("--organization", withdraw->organization, "the organisation's name or id")->required();
}

void AddUpdateTempPasswordVerb(CLI::App& admin, VerbAdder& verbs) {
  auto options = std::make_shared<TempPasswordOptions>();
  CLI::App* verb = verbs.Add(
      admin, "update-temp-password",
      "Replace the temporary master password an administrator set (log in with it first; --password-file is it)",
      [options](const CommonOptions& common) { return UpdateTempPassword(common, *options); }, NeedsPassword::kYes);
  verb->add_option("--new-password", options->new_password, "the new master password: @FILE, or - for standard input")
      ->required()
      ->type_name("@FILE|-");
  verb->add_option("--hint", options->hint, "a master password hint (at most 50 characters)");
}

}  // namespace keywarden::cli::admin
