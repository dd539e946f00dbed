// `keywarden connector transfer` and `keywarden connector import-reference`: moving user keys into
// a Keywarden database (connector/key_transfer.h does the copying).
//
// transfer --from CONFIG --to CONFIG [--skip-unreadable] [--overwrite] [--batch N]
//   Every user key of the deployment CONFIG (a TOML file, as for `serve`) --from describes into the
//   one --to describes: any database and RSA key provider to any other. Each TOML file is read on
//   its own: the environment's KEYWARDEN_* and keyConnectorSettings__* variables are not applied,
//   so that they cannot bleed into both sides (give secrets with their *_file settings).
//   --from and --to naming the same database is refused.
//
// import-reference --from SETTINGS [--config FILE] [--skip-unreadable] [--overwrite] [--batch N]
//   Every user key of the reference Key Connector whose settings file (keyConnectorSettings__...
//   lines, connector/reference_settings.h) is SETTINGS into the Keywarden database the
//   configuration names, loaded exactly as `serve` loads it (FILE or $KEYWARDEN_CONFIG, then the
//   environment).
//
// Both verify every written row, can be run again after an interruption (rows already there count
// as already present) and print one JSON object:
//   {"transferred", "already_present", "replaced", "skipped", "skipped_ids": [...], "verified"}
// and for import-reference also "data_keys" and "opened_with_other_data_key".
// A row that cannot be read stops the run with its id (exit 1), unless --skip-unreadable: then it
// is listed in skipped_ids. A destination row holding a different key stops the run too, unless
// --overwrite. Exit 0 success, 1 failure, 2 bad usage or configuration; one line on stderr.
// --batch: rows per transaction, 1 to 10000 (default 500).
#ifndef KEYWARDEN_CLI_CONNECTOR_TRANSFER_H_
#define KEYWARDEN_CLI_CONNECTOR_TRANSFER_H_

#include "cli/app.h"

namespace CLI {
class App;
}  // namespace CLI

namespace keywarden::cli {

void AddTransferVerb(CLI::App& connector, SelectedVerb& selected);
void AddImportReferenceVerb(CLI::App& connector, SelectedVerb& selected);

}  // namespace keywarden::cli

#endif  // KEYWARDEN_CLI_CONNECTOR_TRANSFER_H_
