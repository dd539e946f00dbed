// `keywarden crypto <verb>`: one library operation per verb, printing one JSON object.
//
// Verbs (binary values are standard base64; every value may also be @FILE or - for stdin):
//   master-key          --email --password --kdf      master_key server_hash local_hash stretched_key
//   make-user-key       --master-key                  user_key encrypted_user_key
//   unwrap-user-key     --master-key --enc            user_key
//   encrypt             --key (--text | --data)       enc
//   decrypt             --key --enc                   data [text]
//   rsa-generate                                      public_key private_key
//   encapsulate         --public-key --key            enc
//   decapsulate         --private-key --enc           key
//   wrap-private-key    --key --private-key           enc
//   unwrap-private-key  --key --enc                   private_key public_key
//   trust-device        --user-key                    device_key encrypted_user_key
//                                                     encrypted_public_key encrypted_private_key
//   device-unlock       --device-key --encrypted-private-key --encrypted-user-key   user_key
//   recovery-enroll     --user-key --org-public-key   reset_password_key
//   recovery-recover    --org-key --org-encrypted-private-key --reset-password-key
//                       --new-password --email --kdf  user_key encrypted_user_key server_hash
//                                                     reset_password_key
//   fingerprint         --email --public-key          phrase
#ifndef KEYWARDEN_CLI_CRYPTO_CRYPTO_COMMAND_H_
#define KEYWARDEN_CLI_CRYPTO_CRYPTO_COMMAND_H_

#include "cli/app.h"

namespace CLI {
class App;
}  // namespace CLI

namespace keywarden::cli {

// Adds `crypto` and its verbs under `root`; the chosen verb is recorded in `selected`,
// which must outlive parsing.
void AddCryptoCommand(CLI::App& root, SelectedVerb& selected);

}  // namespace keywarden::cli

#endif  // KEYWARDEN_CLI_CRYPTO_CRYPTO_COMMAND_H_
