// The reference Key Connector's settings, as `connector import-reference` reads them.
//
// An existing deployment already writes them down in the reference's own names, as a file of
// `keyConnectorSettings__...=VALUE` lines (the environment file its container runs with, such as
// bwdata/env/key-connector.override.env), so that file is what the import takes:
//   - one NAME=VALUE per line; the value is everything after the first '=', kept as written
//     (no quotes are removed, as with `docker run --env-file`); a trailing '\r' is dropped;
//   - blank lines and lines starting with '#' are skipped;
//   - names ignore case, as in .NET; a name given twice is an error.
// Of those, the import uses the database (`database__provider`, `__jsonFilePath`,
// `__sqliteConnectionString`, `__postgreSqlConnectionString`, `__mySqlConnectionString`) and the RSA key (`rsaKey__*`,
// `certificate__*`, read exactly as the connector reads them); every other line is ignored. Defaults are the
// reference's: the JSON file /etc/bitwarden/data.json and the key /etc/bitwarden/key.pfx. Relative paths are taken from
// the current directory.
#ifndef KEYWARDEN_CONNECTOR_REFERENCE_REFERENCE_SETTINGS_H_
#define KEYWARDEN_CONNECTOR_REFERENCE_REFERENCE_SETTINGS_H_

#include <string>
#include <utility>
#include <vector>

#include "connector/config/connector_config.h"
#include "keywarden/status.h"

namespace keywarden::connector {

// The lines of a settings file. Values may be passwords: they are wiped when this goes.
struct SettingsFile {
  SettingsFile() = default;
  SettingsFile(SettingsFile&&) = default;
  SettingsFile& operator=(SettingsFile&&) = default;
  ~SettingsFile();

  std::vector<std::pair<std::string, std::string>> entries;  // in file order
};

// kInvalidArgument naming the file and line (never a value) for a line without '=' or with an
// empty name; kUnavailable when the file cannot be read.
Result<SettingsFile> ReadSettingsFile(const std::string& path);

struct ReferenceSettings {
  ReferenceSettings() = default;
  ReferenceSettings(ReferenceSettings&&) = default;
  ReferenceSettings& operator=(ReferenceSettings&&) = default;
  ~ReferenceSettings();  // wipes the connection string

  std::string database_provider = "json";  // lower case: json, sqlite, postgresql or mysql
  std::string json_file_path = "/etc/bitwarden/data.json";
  std::string sqlite_path;  // from "Data Source=PATH"
  // postgresql and mysql: the reference's connection string (checked by the store's parser).
  // Secret: it holds the database password.
  std::string connection_string;
  custody::RsaKeySettings rsa_key;
};

// kUnsupported for a database the import cannot read (sqlserver, mongo) or a key provider this
// build lacks; kInvalidArgument for an unknown provider, a missing or malformed connection string
// (named, never shown), or a name given twice.
Result<ReferenceSettings> LoadReferenceSettings(const SettingsFile& file);

}  // namespace keywarden::connector

#endif  // KEYWARDEN_CONNECTOR_REFERENCE_REFERENCE_SETTINGS_H_
