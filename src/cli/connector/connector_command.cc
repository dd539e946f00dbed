#include "cli/connector/connector_command.h"

#include <CLI/CLI.hpp>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "cli/common/health_probe.h"
#include "cli/common/input.h"
#include "cli/common/output.h"
#include "cli/connector/backup.h"
#include "cli/connector/load_config.h"
#include "cli/connector/rotate.h"
#include "cli/connector/serve.h"
#include "cli/connector/transfer.h"
#include "connector/config/connector_config.h"
#include "custody/file/file_rsa_key_provider.h"
#include "custody/pkcs11/pkcs11_key_generation.h"
#include "custody/pkcs11/pkcs11_module.h"
#include "keywarden/crypto/encoding.h"

namespace keywarden::cli {
namespace {

using custody::KeyFileFormat;

// ---- init ----

struct InitOptions {
  std::string key_file;
  std::string format;
  std::string password;  // raw flag text (a literal, @FILE or -); wiped once handed over
  bool pkcs11 = false;
  std::string config_file;
};

// The --format flag, else the file name: .pfx and .p12 are PKCS#12, as the reference's key.pfx.
Result<KeyFileFormat> ChooseFormat(std::string_view flag, std::string_view path) {
  if (flag == "pem") return KeyFileFormat::kPemPkcs8;
  if (flag == "pkcs12") return KeyFileFormat::kPkcs12;
  if (!flag.empty()) return InvalidArgumentError("--format: expected pem or pkcs12");
  const bool pkcs12 = path.ends_with(".pfx") || path.ends_with(".p12");
  return pkcs12 ? KeyFileFormat::kPkcs12 : KeyFileFormat::kPemPkcs8;
}

Status InitVerb(ArgumentReader& args, const std::string& key_file, std::string_view format_flag, JsonOutput& out) {
  if (key_file.empty()) return InvalidArgumentError("--key-file: the path is empty");
  // Checked before anything is created: the path is echoed in the JSON, which must be UTF-8.
  if (!IsValidUtf8(key_file)) return InvalidArgumentError("--key-file: the path is not valid UTF-8");
  KW_ASSIGN_OR_RETURN(KeyFileFormat format, ChooseFormat(format_flag, key_file));
  std::unique_ptr<SecureBuffer> password;
  if (args.Has("--password")) {
    KW_ASSIGN_OR_RETURN(SecureBuffer text, args.Text("--password"));
    password = std::make_unique<SecureBuffer>(std::move(text));
  } else if (format == KeyFileFormat::kPkcs12) {
    return InvalidArgumentError("--password is required for a pkcs12 key file");
  }
  KW_ASSIGN_OR_RETURN(std::string fingerprint, custody::CreateKeyFile(key_file, format, password.get()));
  out.Add("key_file", key_file);
  out.Add("format", std::string(custody::KeyFileFormatName(format)));
  out.Add("fingerprint", std::move(fingerprint));
  return OkStatus();
}

// init --pkcs11: the token, key label and id, PIN and module come from the configuration, as for
// `serve`, so that the key is made exactly where the service will look for it.
Status InitPkcs11Verb(const std::string& config_file, JsonOutput& out) {
  auto config = LoadCliConnectorConfig(config_file);
  if (!config.ok()) return config.status().WithContext("configuration");
  if (config->rsa_key.provider != custody::RsaKeySettings::Provider::kPkcs11) {
    return InvalidArgumentError("--pkcs11 needs rsa_key.provider = \"pkcs11\" and its settings in the configuration");
  }
  KW_ASSIGN_OR_RETURN(custody::Pkcs11KeyPairInfo key, custody::CreatePkcs11KeyPair(config->rsa_key.pkcs11));
  // Token and key names come from the token and configuration; only valid UTF-8 can be printed.
  for (const std::string* text : {&key.token_label, &key.token_serial, &key.key_label}) {
    if (!IsValidUtf8(*text)) return InternalError("the token reports a name that is not valid UTF-8");
  }
  out.Add("token_label", key.token_label);
  out.Add("token_serial", key.token_serial);
  if (!key.key_label.empty()) out.Add("key_label", key.key_label);
  out.Add("key_id", custody::Pkcs11IdHex(key.key_id));
  out.Add("fingerprint", std::move(key.fingerprint));
  return OkStatus();
}

void AddInitVerb(CLI::App& connector, SelectedVerb& selected) {
  CLI::App* sub = connector.add_subcommand(
      "init", "Create the RSA key that wraps the data key: a key file (mode 0600), or a key pair on an HSM");
  auto options = std::make_shared<InitOptions>();
  CLI::Option* key_file =
      sub->add_option("--key-file", options->key_file, "the new key file; never overwritten")->type_name("PATH");
  CLI::Option* format =
      sub->add_option("--format", options->format, "pem or pkcs12 (default: pkcs12 for .pfx/.p12, else pem)")
          ->type_name("FORMAT");
  CLI::Option* password =
      sub->add_option("--password", options->password, "key file password (pkcs12: required; pem: encrypts the key)")
          ->type_name("PASSWORD");
  CLI::Option* pkcs11 = sub->add_flag(
      "--pkcs11", options->pkcs11,
      "generate a non-extractable RSA-2048 key pair on the configured PKCS#11 token, under its label and id");
  CLI::Option* config = sub->add_option("--config", options->config_file,
                                        "with --pkcs11: TOML configuration file (default: $KEYWARDEN_CONFIG)")
                            ->type_name("FILE");
  key_file->excludes(pkcs11);
  format->excludes(pkcs11);
  password->excludes(pkcs11);
  config->needs(pkcs11);
  sub->callback([sub, options, &selected] {
    if (options->pkcs11) {
      selected.name = "connector init";
      selected.run = [options](JsonOutput& out) { return InitPkcs11Verb(options->config_file, out); };
      return;
    }
    if (sub->count("--key-file") == 0) throw CLI::RequiredError("--key-file or --pkcs11");
    std::map<std::string, std::string, std::less<>> secrets;
    if (sub->count("--password") > 0) secrets.emplace("--password", options->password);
    WipeString(options->password);
    auto reader = std::make_shared<ArgumentReader>(std::move(secrets));
    selected.name = "connector init";
    selected.run = [reader, options](JsonOutput& out) {
      return InitVerb(*reader, options->key_file, options->format, out);
    };
  });
}

}  // namespace

void AddConnectorCommand(CLI::App& root, SelectedVerb& selected) {
  CLI::App* connector = root.add_subcommand("connector", "The Key Connector: set up, check and serve");
  connector->require_subcommand(1);
  connector->footer(
      "Secrets may be given as @FILE (read from a file) or - (read from stdin); one trailing newline is removed. "
      "Exit status: 0 success, 1 failure, 2 bad usage.");
  // One function per verb.
  AddInitVerb(*connector, selected);
  AddServeVerb(*connector, selected);
  AddCheckVerb(*connector, selected);
  AddRotateDataKeyVerb(*connector, selected);
  AddRotateRsaKeyVerb(*connector, selected);
  AddHealthVerb(*connector, selected, "connector", [](const std::string& file) -> Result<std::string> {
    KW_ASSIGN_OR_RETURN(const connector::ConnectorConfig config, LoadCliConnectorConfig(file));
    return LocalHealthUrl(config.listen, config.tls.enabled(), "the connector");
  });
  AddBackupVerb(*connector, selected);
  AddRestoreVerb(*connector, selected);
  AddTransferVerb(*connector, selected);
  AddImportReferenceVerb(*connector, selected);
}

}  // namespace keywarden::cli
