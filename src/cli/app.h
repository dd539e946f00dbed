// The `keywarden` command line: subcommands over libkeywarden.
#ifndef KEYWARDEN_CLI_APP_H_
#define KEYWARDEN_CLI_APP_H_

namespace keywarden::cli {

// Exit codes shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitCryptoFailure = 1;  // the input was well-formed but the operation failed
inline constexpr int kExitUsage = 2;          // bad usage or malformed input

int Run(int argc, char** argv);

}  // namespace keywarden::cli

#endif  // KEYWARDEN_CLI_APP_H_
