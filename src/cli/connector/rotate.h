// `keywarden connector rotate-data-key` and `keywarden connector rotate-rsa-key`: key rotation
// while the connectors keep serving.
//
// rotate-data-key [--config FILE] [--batch N] [--pause-ms MS] [--quiet] [--new-version]
//   Adds a data key version and re-seals every stored key under it, N rows per transaction
//   (default 2000), resuming a rotation that was cut short (connector/data_key_rotation.h). When
//   every key is already under a version made less than an hour ago (a run killed after re-sealing,
//   or a finished one) it finishes that rotation instead, and says so on stderr; --new-version
//   adds a version even then.
//   Progress goes to stderr: a bar on a terminal, a line a second otherwise, nothing with
//   --quiet. --pause-ms waits between batches to leave the database to the service.
//   Prints {"data_key_version", "data_key_versions", "created_version", "resumed", "resealed",
//   "already_current", "rewritten_meanwhile", "failed", "failed_user_ids", "verified", "passes",
//   "seconds"}.
//
// rotate-rsa-key [--config FILE] --to NEWCONFIG [--keep-old]
//   Wraps every data key version with the RSA key that NEWCONFIG's [rsa_key] section names (a
//   key file or PKCS#11), verifies the new wrappings, then deletes the current key's wrappings
//   (not with --keep-old) (connector/rsa_key_rotation.h). NEWCONFIG is the configuration the
//   connectors run with afterwards: it must name the same database, and it is read alone (the
//   environment describes the running connector, so it applies to --config only).
//   Prints {"old_fingerprint", "new_fingerprint", "data_key_versions", "wrapped",
//   "already_wrapped", "retired", "kept_old"}.
//
// --config FILE defaults to $KEYWARDEN_CONFIG, and the environment applies as for `serve`.
// Exit status: 0 done; 1 the rotation failed, or rows failed to open (the summary still
// prints); 2 bad usage or configuration; 3 an RSA key cannot be loaded; 4 the database or its
// data keys cannot be opened. Errors are one line on stderr.
#ifndef KEYWARDEN_CLI_CONNECTOR_ROTATE_H_
#define KEYWARDEN_CLI_CONNECTOR_ROTATE_H_

#include "cli/app.h"

namespace CLI {
class App;
}  // namespace CLI

namespace keywarden::cli {

void AddRotateDataKeyVerb(CLI::App& connector, SelectedVerb& selected);
void AddRotateRsaKeyVerb(CLI::App& connector, SelectedVerb& selected);

}  // namespace keywarden::cli

#endif  // KEYWARDEN_CLI_CONNECTOR_ROTATE_H_
