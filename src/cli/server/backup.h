// `keywarden server backup` and `restore`: copies of the server's SQLite database.
//
// backup --out FILE [--force] [--config FILE]            (--to is the same flag, as the connector's)
//   Copies a consistent snapshot of the configured SQLite database to FILE (mode 0600) while the
//   server keeps serving; FILE appears complete or not at all, and is never overwritten without
//   --force. The database is only read (never migrated). Prints {"backup", "database",
//   "schema_version", "users", "ciphers", "folders"}.
//
// restore --from FILE [--force] [--config FILE]
//   Puts a backup in place of the configured SQLite database, with the server stopped. FILE must
//   be a server database this build understands (an older schema is migrated on the copy before
//   anything changes); an existing database is replaced only with --force, never while a process
//   has it open, and is kept beside it as PATH.pre-restore-<UTC time>. Prints {"restored",
//   "from", "backup_schema_version", "schema_version", "users", "ciphers", "folders",
//   "previous"} ("previous" only when a database was replaced).
//
// PostgreSQL: both exit 2 naming pg_dump or pg_restore (docs/server-configuration.md). The
// configuration is found as `serve` finds it: --config, else $KEYWARDEN_CONFIG, then KEYWARDEN_*.
#ifndef KEYWARDEN_CLI_SERVER_BACKUP_H_
#define KEYWARDEN_CLI_SERVER_BACKUP_H_

#include "cli/app.h"

namespace CLI {
class App;
}  // namespace CLI

namespace keywarden::cli {

void AddServerBackupVerbs(CLI::App& server, SelectedVerb& selected);

}  // namespace keywarden::cli

#endif  // KEYWARDEN_CLI_SERVER_BACKUP_H_
