// `keywarden connector backup` and `restore`: copies of the connector's SQLite database.
//
// backup --to FILE [--force] [--config FILE]
//   Copies a consistent snapshot of the configured SQLite database to FILE (mode 0600) while the
//   connector keeps serving; FILE appears complete or not at all, and is never overwritten
//   without --force. The database is only read (never migrated). PostgreSQL and MariaDB have
//   their own tools (pg_dump, mariadb-dump): the verb says so and exits 2.
//   Prints {"backup", "database", "schema_version", "user_keys", "data_key_versions"}.
//
// restore --from FILE [--force] [--config FILE]
//   Puts a backup in place of the configured SQLite database, with the connector stopped. FILE
//   must be a Keywarden database this build understands (an older schema is migrated on the
//   copy), and the configured RSA key must open its data keys and every stored key; only then
//   is the copy renamed into place. An existing database is replaced only with --force, never
//   while a process has it open, and is kept beside it as PATH.pre-restore-<UTC time>.
//   Prints {"restored", "from", "backup_schema_version", "schema_version", "user_keys",
//   "previous"} ("previous" only when a database was replaced).
//
// Configuration is found as `serve` finds it: --config, else $KEYWARDEN_CONFIG, then the
// KEYWARDEN_* and keyConnectorSettings__* variables.
#ifndef KEYWARDEN_CLI_CONNECTOR_BACKUP_H_
#define KEYWARDEN_CLI_CONNECTOR_BACKUP_H_

#include "cli/app.h"

namespace CLI {
class App;
}  // namespace CLI

namespace keywarden::cli {

void AddBackupVerb(CLI::App& connector, SelectedVerb& selected);
void AddRestoreVerb(CLI::App& connector, SelectedVerb& selected);

}  // namespace keywarden::cli

#endif  // KEYWARDEN_CLI_CONNECTOR_BACKUP_H_
