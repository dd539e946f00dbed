// How the command line turns its arguments into bytes.
//
// Every flag value can be given three ways, so secrets stay out of process lists:
//   VALUE   the value itself
//   @PATH   the contents of the file PATH
//   -       standard input (at most one argument per invocation)
// File and stdin contents lose one trailing newline ("\n" or "\r\n"), so `echo` and editors
// do not change the value. Binary values (keys, key material) are standard base64.
//
// The decoding functions below are pure (they take already-read text) so that a fuzz target
// can reach them; ArgumentReader does the reading.
#ifndef KEYWARDEN_CLI_COMMON_INPUT_H_
#define KEYWARDEN_CLI_COMMON_INPUT_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "keywarden/crypto/kdf.h"
#include "keywarden/crypto/secure_buffer.h"
#include "keywarden/status.h"

namespace keywarden::cli {

// Where an argument's value comes from.
enum class ArgumentSource { kLiteral, kFile, kStdin };

ArgumentSource ClassifyArgument(std::string_view raw);

// `content` without one trailing "\n" or "\r\n".
std::string_view StripTrailingNewline(std::string_view content);

// Base64 text of a binary value, decoded into secure memory. `flag` names the argument in the
// error message ("--key: invalid base64"); the text itself is never echoed.
Result<SecureBuffer> DecodeSecretArgument(std::string_view text, std::string_view flag);

// Which KDF ranges a spec must satisfy: the client minimums (deriving for an existing account)
// or the server ranges (choosing new settings).
enum class KdfPolicy { kClient, kServer };

// "pbkdf2:ITER" or "argon2id:ITER,MIB,PAR", parsed and range-checked under `policy`.
Result<KdfConfig> ParseKdfArgument(std::string_view text, KdfPolicy policy);

// Files and stdin larger than this are refused: no value the CLI takes comes close.
inline constexpr std::size_t kMaxInputBytes = 16 * 1024 * 1024;

// Resolves the raw flag values of one invocation, reading @files and stdin as needed.
// Contents are held in SecureBuffers; nothing read is kept in ordinary strings.
class ArgumentReader {
 public:
  // `values` maps a flag ("--key") to its raw text as given on the command line.
  // `stdin_fd` is where "-" reads from (tests and fuzzers may pass a pipe).
  explicit ArgumentReader(std::map<std::string, std::string, std::less<>> values, int stdin_fd = 0);
  ~ArgumentReader();

  ArgumentReader(const ArgumentReader&) = delete;
  ArgumentReader& operator=(const ArgumentReader&) = delete;

  bool Has(std::string_view flag) const;

  // The value as text (a password, an email, an EncString).
  Result<SecureBuffer> Text(std::string_view flag);
  // The value base64-decoded.
  Result<SecureBuffer> Bytes(std::string_view flag);

 private:
  Result<SecureBuffer> Read(std::string_view flag, std::string_view raw);

  std::map<std::string, std::string, std::less<>> values_;
  int stdin_fd_;
  bool stdin_used_ = false;
};

}  // namespace keywarden::cli

#endif  // KEYWARDEN_CLI_COMMON_INPUT_H_
