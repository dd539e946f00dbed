// `keywarden admin`: administering organisations on a Keywarden (or any Bitwarden-compatible)
// server through its public HTTP API, for what the official CLI cannot do: create an
// organisation, invite, confirm and manage members, set policies, read the event log, recover a
// member's account; and, for a member, what only the web vault does: enrol in account recovery,
// replace the temporary password an administrator set.
//
//   login --server URL (--email E [--password-file F] | --api-key) [--ca-file F]   logout
//   organization create --name N [--billing-email E] [--collection-name C]     organization list
//   member invite|list|confirm|set-type|revoke|restore|remove --organization ORG ...
//   policy set --organization ORG --type T --enabled true|false [--data JSON]    policy list
//   events --organization ORG [--member M] [--start ISO] [--end ISO]
//   recover-account --organization ORG --member M --new-password @FILE|- [--reset-two-factor]
//   account-recovery enrol|withdraw --organization ORG
//   update-temp-password --new-password @FILE|- [--hint TEXT]
//
// All cryptography happens here, with libkeywarden: the server receives keys only encrypted
// (an organisation key encapsulated to members' public keys, its private key under it). The
// session file holds tokens, never a key; verbs that need keys ask for the password each time.
// New passwords come from a file or standard input only, never from the command line.
#ifndef KEYWARDEN_CLI_ADMIN_ADMIN_COMMAND_H_
#define KEYWARDEN_CLI_ADMIN_ADMIN_COMMAND_H_

#include "cli/app.h"

namespace CLI {
class App;
}  // namespace CLI

namespace keywarden::cli {

void AddAdminCommand(CLI::App& root, SelectedVerb& selected);

}  // namespace keywarden::cli

#endif  // KEYWARDEN_CLI_ADMIN_ADMIN_COMMAND_H_
