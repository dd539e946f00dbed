#include "cli/crypto/crypto_command.h"

#include <CLI/CLI.hpp>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/common/input.h"
#include "cli/common/output.h"
#include "keywarden/crypto/asymmetric_enc_string.h"
#include "keywarden/crypto/enc_string.h"
#include "keywarden/crypto/encoding.h"
#include "keywarden/crypto/fingerprint.h"
#include "keywarden/crypto/kdf.h"
#include "keywarden/crypto/master_key.h"
#include "keywarden/crypto/rsa.h"
#include "keywarden/crypto/symmetric_key.h"
#include "keywarden/keys/account.h"
#include "keywarden/keys/account_recovery.h"
#include "keywarden/keys/trusted_device.h"

namespace keywarden::cli {
namespace {

// ---- Typed arguments. Errors name the flag, never the value. ----

template <typename T>
Result<T> ForFlag(std::string_view flag, Result<T> result) {
  if (!result.ok()) return result.status().WithContext(flag);
  return result;
}

Result<SymmetricKey> KeyArg(ArgumentReader& args, std::string_view flag) {
  KW_ASSIGN_OR_RETURN(SecureBuffer bytes, args.Bytes(flag));
  return ForFlag(flag, SymmetricKey::FromBytes(std::move(bytes)));
}

Result<MasterKey> MasterKeyArg(ArgumentReader& args, std::string_view flag) {
  KW_ASSIGN_OR_RETURN(SecureBuffer bytes, args.Bytes(flag));
  return ForFlag(flag, MasterKey::FromBytes(std::move(bytes)));
}

Result<EncString> EncStringArg(ArgumentReader& args, std::string_view flag) {
  KW_ASSIGN_OR_RETURN(SecureBuffer text, args.Text(flag));
  return ForFlag(flag, EncString::Parse(text.view()));
}

Result<AsymmetricEncString> AsymmetricEncStringArg(ArgumentReader& args, std::string_view flag) {
  KW_ASSIGN_OR_RETURN(SecureBuffer text, args.Text(flag));
  return ForFlag(flag, AsymmetricEncString::Parse(text.view()));
}

Result<RsaPublicKey> PublicKeyArg(ArgumentReader& args, std::string_view flag) {
  KW_ASSIGN_OR_RETURN(SecureBuffer der, args.Bytes(flag));
  return ForFlag(flag, RsaPublicKey::FromSpkiDer(der.span()));
}

Result<RsaPrivateKey> PrivateKeyArg(ArgumentReader& args, std::string_view flag) {
  KW_ASSIGN_OR_RETURN(SecureBuffer der, args.Bytes(flag));
  return ForFlag(flag, RsaPrivateKey::FromPkcs8Der(der.span()));
}

Result<KdfConfig> KdfArg(ArgumentReader& args, std::string_view flag, KdfPolicy policy) {
  KW_ASSIGN_OR_RETURN(SecureBuffer text, args.Text(flag));
  return ForFlag(flag, ParseKdfArgument(text.view(), policy));
}

void AddSecret(JsonOutput& out, std::string_view field, const SecureBuffer& secret) {
  out.Add(field, Base64EncodeSecret(secret));
}

// ---- Verbs. Each reads its flags, calls the library, and fills `out`. ----

Status MasterKeyVerb(ArgumentReader& args, JsonOutput& out) {
  KW_ASSIGN_OR_RETURN(SecureBuffer email, args.Text("--email"));
  KW_ASSIGN_OR_RETURN(SecureBuffer password, args.Text("--password"));
  // The client minimums: an existing account may predate the server's current range.
  KW_ASSIGN_OR_RETURN(KdfConfig kdf, KdfArg(args, "--kdf", KdfPolicy::kClient));
  KW_ASSIGN_OR_RETURN(MasterKey master_key, MasterKey::Derive(password.view(), email.view(), kdf));
  AddSecret(out, "master_key", master_key.bytes());
  KW_ASSIGN_OR_RETURN(std::string server_hash, master_key.ServerHash(password.view()));
  out.Add("server_hash", std::move(server_hash));
  KW_ASSIGN_OR_RETURN(std::string local_hash, master_key.LocalHash(password.view()));
  out.Add("local_hash", std::move(local_hash));
  KW_ASSIGN_OR_RETURN(SymmetricKey stretched, master_key.Stretch());
  AddSecret(out, "stretched_key", stretched.bytes());
  return OkStatus();
}

Status MakeUserKeyVerb(ArgumentReader& args, JsonOutput& out) {
  KW_ASSIGN_OR_RETURN(MasterKey master_key, MasterKeyArg(args, "--master-key"));
  KW_ASSIGN_OR_RETURN(SymmetricKey user_key, SymmetricKey::Generate());
  KW_ASSIGN_OR_RETURN(EncString encrypted, master_key.EncryptUserKey(user_key));
  AddSecret(out, "user_key", user_key.bytes());
  out.Add("encrypted_user_key", encrypted.ToString());
  return OkStatus();
}

Status UnwrapUserKeyVerb(ArgumentReader& args, JsonOutput& out) {
  KW_ASSIGN_OR_RETURN(MasterKey master_key, MasterKeyArg(args, "--master-key"));
  KW_ASSIGN_OR_RETURN(EncString encrypted, EncStringArg(args, "--enc"));
  KW_ASSIGN_OR_RETURN(SymmetricKey user_key, master_key.DecryptUserKey(encrypted));
  AddSecret(out, "user_key", user_key.bytes());
  return OkStatus();
}

Status EncryptVerb(ArgumentReader& args, JsonOutput& out) {
  if (args.Has("--text") == args.Has("--data")) return InvalidArgumentError("give exactly one of --text or --data");
  KW_ASSIGN_OR_RETURN(SymmetricKey key, KeyArg(args, "--key"));
  KW_ASSIGN_OR_RETURN(SecureBuffer plaintext, args.Has("--text") ? args.Text("--text") : args.Bytes("--data"));
  KW_ASSIGN_OR_RETURN(EncString encrypted, EncString::Encrypt(key, plaintext));
  out.Add("enc", encrypted.ToString());
  return OkStatus();
}

Status DecryptVerb(ArgumentReader& args, JsonOutput& out) {
  KW_ASSIGN_OR_RETURN(SymmetricKey key, KeyArg(args, "--key"));
  KW_ASSIGN_OR_RETURN(EncString encrypted, EncStringArg(args, "--enc"));
  KW_ASSIGN_OR_RETURN(SecureBuffer plaintext, encrypted.Decrypt(key));
  AddSecret(out, "data", plaintext);
  if (IsValidUtf8(plaintext.view())) out.Add("text", std::string(plaintext.view()));
  return OkStatus();
}

Status RsaGenerateVerb(ArgumentReader&, JsonOutput& out) {
  KW_ASSIGN_OR_RETURN(RsaPrivateKey private_key, RsaPrivateKey::Generate());
  KW_ASSIGN_OR_RETURN(SecureBuffer pkcs8, private_key.ToPkcs8Der());
  out.Add("public_key", private_key.PublicKey().ToBase64());
  AddSecret(out, "private_key", pkcs8);
  return OkStatus();
}

Status EncapsulateVerb(ArgumentReader& args, JsonOutput& out) {
  KW_ASSIGN_OR_RETURN(RsaPublicKey public_key, PublicKeyArg(args, "--public-key"));
  KW_ASSIGN_OR_RETURN(SecureBuffer key, args.Bytes("--key"));
  KW_ASSIGN_OR_RETURN(AsymmetricEncString encapsulated, AsymmetricEncString::Encapsulate(public_key, key.span()));
  out.Add("enc", encapsulated.ToString());
  return OkStatus();
}

Status DecapsulateVerb(ArgumentReader& args, JsonOutput& out) {
  KW_ASSIGN_OR_RETURN(RsaPrivateKey private_key, PrivateKeyArg(args, "--private-key"));
  KW_ASSIGN_OR_RETURN(AsymmetricEncString encapsulated, AsymmetricEncStringArg(args, "--enc"));
  KW_ASSIGN_OR_RETURN(SecureBuffer key, encapsulated.Decapsulate(private_key));
  AddSecret(out, "key", key);
  return OkStatus();
}

Status WrapPrivateKeyVerb(ArgumentReader& args, JsonOutput& out) {
  KW_ASSIGN_OR_RETURN(SymmetricKey key, KeyArg(args, "--key"));
  KW_ASSIGN_OR_RETURN(RsaPrivateKey private_key, PrivateKeyArg(args, "--private-key"));
  KW_ASSIGN_OR_RETURN(EncString encrypted, EncryptPrivateKey(key, private_key));
  out.Add("enc", encrypted.ToString());
  return OkStatus();
}

Status UnwrapPrivateKeyVerb(ArgumentReader& args, JsonOutput& out) {
  KW_ASSIGN_OR_RETURN(SymmetricKey key, KeyArg(args, "--key"));
  KW_ASSIGN_OR_RETURN(EncString encrypted, EncStringArg(args, "--enc"));
  KW_ASSIGN_OR_RETURN(RsaPrivateKey private_key, DecryptPrivateKey(key, encrypted));
  KW_ASSIGN_OR_RETURN(SecureBuffer pkcs8, private_key.ToPkcs8Der());
  AddSecret(out, "private_key", pkcs8);
  out.Add("public_key", private_key.PublicKey().ToBase64());
  return OkStatus();
}

Status TrustDeviceVerb(ArgumentReader& args, JsonOutput& out) {
  KW_ASSIGN_OR_RETURN(SymmetricKey user_key, KeyArg(args, "--user-key"));
  KW_ASSIGN_OR_RETURN(NewTrustedDevice device, TrustDevice(user_key));
  AddSecret(out, "device_key", device.device_key.bytes());
  out.Add("encrypted_user_key", device.stored.encrypted_user_key.ToString());
  out.Add("encrypted_public_key", device.stored.encrypted_public_key.ToString());
  out.Add("encrypted_private_key", device.stored.encrypted_private_key.ToString());
  return OkStatus();
}

Status DeviceUnlockVerb(ArgumentReader& args, JsonOutput& out) {
  KW_ASSIGN_OR_RETURN(SymmetricKey device_key, KeyArg(args, "--device-key"));
  KW_ASSIGN_OR_RETURN(EncString encrypted_private_key, EncStringArg(args, "--encrypted-private-key"));
  KW_ASSIGN_OR_RETURN(AsymmetricEncString encrypted_user_key, AsymmetricEncStringArg(args, "--encrypted-user-key"));
  KW_ASSIGN_OR_RETURN(SymmetricKey user_key,
                      UnlockTrustedDevice(device_key, encrypted_private_key, encrypted_user_key));
  AddSecret(out, "user_key", user_key.bytes());
  return OkStatus();
}

Status RecoveryEnrollVerb(ArgumentReader& args, JsonOutput& out) {
  KW_ASSIGN_OR_RETURN(SymmetricKey user_key, KeyArg(args, "--user-key"));
  KW_ASSIGN_OR_RETURN(RsaPublicKey org_public_key, PublicKeyArg(args, "--org-public-key"));
  KW_ASSIGN_OR_RETURN(AsymmetricEncString reset_password_key, EnrollAccountRecovery(user_key, org_public_key));
  out.Add("reset_password_key", reset_password_key.ToString());
  return OkStatus();
}

Status RecoveryRecoverVerb(ArgumentReader& args, JsonOutput& out) {
  KW_ASSIGN_OR_RETURN(SymmetricKey org_key, KeyArg(args, "--org-key"));
  KW_ASSIGN_OR_RETURN(EncString org_private_key, EncStringArg(args, "--org-encrypted-private-key"));
  KW_ASSIGN_OR_RETURN(AsymmetricEncString reset_password_key, AsymmetricEncStringArg(args, "--reset-password-key"));
  KW_ASSIGN_OR_RETURN(SecureBuffer new_password, args.Text("--new-password"));
  KW_ASSIGN_OR_RETURN(SecureBuffer email, args.Text("--email"));
  // The member's own settings, which a recovery keeps: old accounts sit below the server's
  // minimum for new settings.
  KW_ASSIGN_OR_RETURN(KdfConfig kdf, KdfArg(args, "--kdf", KdfPolicy::kClient));
  const RecoveryRequest request{org_key, org_private_key, reset_password_key, new_password.view(), email.view(), kdf};
  KW_ASSIGN_OR_RETURN(RecoveredAccount recovered, RecoverAccount(request));
  AddSecret(out, "user_key", recovered.user_key.bytes());
  out.Add("encrypted_user_key", recovered.encrypted_user_key.ToString());
  out.Add("server_hash", std::move(recovered.server_hash));
  out.Add("reset_password_key", recovered.reset_password_key.ToString());
  return OkStatus();
}

Status FingerprintVerb(ArgumentReader& args, JsonOutput& out) {
  KW_ASSIGN_OR_RETURN(SecureBuffer email, args.Text("--email"));
  KW_ASSIGN_OR_RETURN(RsaPublicKey public_key, PublicKeyArg(args, "--public-key"));
  KW_ASSIGN_OR_RETURN(std::string phrase, FingerprintPhrase(email.view(), public_key));
  out.Add("phrase", std::move(phrase));
  return OkStatus();
}

// ---- The verb table. ----

struct Flag {
  const char* name;
  const char* type;  // shown in --help
  const char* help;
  bool required = true;
};

struct Verb {
  const char* name;
  const char* help;
  std::vector<Flag> flags;
  Status (*run)(ArgumentReader&, JsonOutput&);
};

const std::vector<Verb>& Verbs() {
  static const std::vector<Verb> verbs = {
      {"master-key",
       "Derive the master key, password hashes and stretched key",
       {{"--email", "EMAIL", "account email (the KDF salt)"},
        {"--password", "PASSWORD", "master password"},
        {"--kdf", "SPEC", "pbkdf2:ITER or argon2id:ITER,MIB,PAR"}},
       MasterKeyVerb},
      {"make-user-key",
       "Generate a user key and wrap it under a master key",
       {{"--master-key", "B64", "32-byte master key"}},
       MakeUserKeyVerb},
      {"unwrap-user-key",
       "Unwrap a user key (type 2 under the stretched key, or legacy type 0)",
       {{"--master-key", "B64", "32-byte master key"}, {"--enc", "ENCSTRING", "encrypted user key"}},
       UnwrapUserKeyVerb},
      {"encrypt",
       "Encrypt text or data as a type 2 EncString",
       {{"--key", "B64", "64-byte symmetric key"},
        {"--text", "TEXT", "plaintext (UTF-8)", false},
        {"--data", "B64", "plaintext bytes", false}},
       EncryptVerb},
      {"decrypt",
       "Decrypt an EncString",
       {{"--key", "B64", "symmetric key"}, {"--enc", "ENCSTRING", "the EncString"}},
       DecryptVerb},
      {"rsa-generate", "Generate an RSA-2048 key pair", {}, RsaGenerateVerb},
      {"encapsulate",
       "Encapsulate a key to a public key (type 4)",
       {{"--public-key", "B64", "SPKI DER"}, {"--key", "B64", "key bytes"}},
       EncapsulateVerb},
      {"decapsulate",
       "Decapsulate a key with a private key (types 3 to 6)",
       {{"--private-key", "B64", "PKCS#8 DER"}, {"--enc", "ENCSTRING", "asymmetric EncString"}},
       DecapsulateVerb},
      {"wrap-private-key",
       "Encrypt a private key under a symmetric key",
       {{"--key", "B64", "64-byte symmetric key"}, {"--private-key", "B64", "PKCS#8 DER"}},
       WrapPrivateKeyVerb},
      {"unwrap-private-key",
       "Decrypt a private key and derive its public key",
       {{"--key", "B64", "64-byte symmetric key"}, {"--enc", "ENCSTRING", "encrypted private key"}},
       UnwrapPrivateKeyVerb},
      {"trust-device",
       "Make a trusted device's keys for a user key",
       {{"--user-key", "B64", "64-byte user key"}},
       TrustDeviceVerb},
      {"device-unlock",
       "Unlock the user key on a trusted device",
       {{"--device-key", "B64", "64-byte device key"},
        {"--encrypted-private-key", "ENCSTRING", "device private key under the device key"},
        {"--encrypted-user-key", "ENCSTRING", "user key encapsulated to the device"}},
       DeviceUnlockVerb},
      {"recovery-enroll",
       "Enroll a user key in account recovery",
       {{"--user-key", "B64", "64-byte user key"}, {"--org-public-key", "B64", "organisation SPKI DER"}},
       RecoveryEnrollVerb},
      {"recovery-recover",
       "Recover an account with a new master password (admin side)",
       {{"--org-key", "B64", "64-byte organisation key"},
        {"--org-encrypted-private-key", "ENCSTRING", "organisation private key under the org key"},
        {"--reset-password-key", "ENCSTRING", "the member's reset password key"},
        {"--new-password", "PASSWORD", "new master password"},
        {"--email", "EMAIL", "account email"},
        {"--kdf", "SPEC", "new KDF settings (server ranges)"}},
       RecoveryRecoverVerb},
      {"fingerprint",
       "Fingerprint phrase of a public key",
       {{"--email", "EMAIL", "the fingerprint material (email or user id)"}, {"--public-key", "B64", "SPKI DER"}},
       FingerprintVerb},
  };
  return verbs;
}

void AddVerb(CLI::App& crypto, const Verb& verb, SelectedVerb& selected) {
  CLI::App* sub = crypto.add_subcommand(verb.name, verb.help);
  // The parser writes each flag's raw text here; std::map keeps the references stable.
  auto raw = std::make_shared<std::map<std::string, std::string>>();
  for (const Flag& flag : verb.flags) {
    CLI::Option* option = sub->add_option(flag.name, (*raw)[flag.name], flag.help)->type_name(flag.type);
    if (flag.required) option->required();
  }
  sub->callback([sub, raw, &verb, &selected] {
    std::map<std::string, std::string, std::less<>> given;
    for (auto& [name, value] : *raw) {
      if (sub->count(name) > 0) given.emplace(name, value);
      WipeString(value);
    }
    auto reader = std::make_shared<ArgumentReader>(std::move(given));
    selected.name = verb.name;
    selected.run = [reader, run = verb.run](JsonOutput& out) { return run(*reader, out); };
  });
}

}  // namespace

void AddCryptoCommand(CLI::App& root, SelectedVerb& selected) {
  CLI::App* crypto = root.add_subcommand("crypto", "Key-management primitives, one JSON object per call");
  crypto->require_subcommand(1);
  crypto->footer(
      "Binary values are standard base64. Any value may be given as @FILE (read from a file) or - (read from "
      "stdin, one argument only); one trailing newline is removed. Exit status: 0 success, 1 crypto failure, "
      "2 bad usage or malformed input.");
  for (const Verb& verb : Verbs()) AddVerb(*crypto, verb, selected);
}

}  // namespace keywarden::cli
