#include "cli/admin/admin_command.h"

#include <CLI/CLI.hpp>

#include "cli/admin/admin_verbs.h"

namespace keywarden::cli {

void AddAdminCommand(CLI::App& root, SelectedVerb& selected) {
  CLI::App* admin = root.add_subcommand("admin", "Administer organisations on a server through its API");
  admin->require_subcommand(1);
  admin::VerbAdder verbs(selected);
  admin::AddLoginVerbs(*admin, verbs);

  CLI::App* organization = admin->add_subcommand("organization", "Create and list organisations");
  organization->require_subcommand(1);
  admin::AddOrganizationVerbs(*organization, verbs);

  CLI::App* member = admin->add_subcommand("member", "Invite, confirm and manage an organisation's members");
  member->require_subcommand(1);
  admin::AddMemberVerbs(*member, verbs);

  CLI::App* policy = admin->add_subcommand("policy", "Set and list an organisation's policies");
  policy->require_subcommand(1);
  admin::AddPolicyVerbs(*policy, verbs);

  CLI::App* sso = admin->add_subcommand("sso", "Show and set an organisation's single sign-on and member decryption");
  sso->require_subcommand(1);
  admin::AddSsoVerbs(*sso, verbs);

  admin::AddEventVerbs(*admin, verbs);
  admin::AddRecoverAccountVerb(*admin, verbs);

  CLI::App* recovery =
      admin->add_subcommand("account-recovery", "Enrol in or withdraw from an organisation's account recovery");
  recovery->require_subcommand(1);
  admin::AddAccountRecoveryVerbs(*recovery, verbs);

  admin::AddUpdateTempPasswordVerb(*admin, verbs);
  admin::AddRotateUserKeyVerb(*admin, verbs);
}

}  // namespace keywarden::cli
