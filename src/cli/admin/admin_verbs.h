// The verb groups of `keywarden admin`, one file each; admin_command.cc assembles them.
#ifndef KEYWARDEN_CLI_ADMIN_ADMIN_VERBS_H_
#define KEYWARDEN_CLI_ADMIN_ADMIN_VERBS_H_

#include "cli/admin/verb.h"

namespace keywarden::cli::admin {

void AddLoginVerbs(CLI::App& admin, VerbAdder& verbs);              // login, logout
void AddOrganizationVerbs(CLI::App& group, VerbAdder& verbs);       // organization create, list
void AddMemberVerbs(CLI::App& group, VerbAdder& verbs);             // member invite, list, confirm, set-type, ...
void AddPolicyVerbs(CLI::App& group, VerbAdder& verbs);             // policy set, list
void AddEventVerbs(CLI::App& admin, VerbAdder& verbs);              // events
void AddRecoverAccountVerb(CLI::App& admin, VerbAdder& verbs);      // recover-account
void AddAccountRecoveryVerbs(CLI::App& group, VerbAdder& verbs);    // account-recovery enrol, withdraw
void AddUpdateTempPasswordVerb(CLI::App& admin, VerbAdder& verbs);  // update-temp-password
void AddSsoVerbs(CLI::App& group, VerbAdder& verbs);                // sso show, set
void AddRotateUserKeyVerb(CLI::App& admin, VerbAdder& verbs);       // rotate-user-key

}  // namespace keywarden::cli::admin

#endif  // KEYWARDEN_CLI_ADMIN_ADMIN_VERBS_H_
