// Test support: the unmodified official Bitwarden CLI (npm @bitwarden/cli, installed by
// scripts/setup under tests/official_cli), run against a Keywarden server over TLS, with a
// profile folder of its own and a deadline on every command.
#ifndef KEYWARDEN_TESTS_E2E_OFFICIAL_CLI_H_
#define KEYWARDEN_TESTS_E2E_OFFICIAL_CLI_H_

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "e2e/child_process.h"
#include "support/temp_dir.h"

namespace keywarden::testing {

inline std::string OfficialCliPath() { return std::string(KEYWARDEN_OFFICIAL_CLI_DIR) + "/node_modules/.bin/bw"; }
inline bool OfficialCliInstalled() { return std::filesystem::exists(OfficialCliPath()); }

class OfficialCli {
 public:
  // `ca_file`: the certificate the server's TLS chains to (NODE_EXTRA_CA_CERTS).
  explicit OfficialCli(std::string ca_file) : ca_file_(std::move(ca_file)) {}

  // The CLI's environment: its own state folder, the server's CA, no prompts; plus `extra`
  // ("NAME=value": BW_SESSION, BW_CLIENTID, ...).
  std::vector<std::string> Environment(const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> env = {
        "PATH=" + std::string(std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin"),
        "HOME=" + home_.path().string(),
        "BITWARDENCLI_APPDATA_DIR=" + home_.File("bw"),
        "NODE_EXTRA_CA_CERTS=" + ca_file_,
        "BW_NOINTERACTION=true",
        "BW_NOCOLOR=true",
    };
    env.insert(env.end(), extra.begin(), extra.end());
    return env;
  }

  // Runs `bw args...` in Environment(extra_env).
  CliResult Run(const std::vector<std::string>& args, const std::vector<std::string>& extra_env = {}) const {
    const std::vector<std::string> env = Environment(extra_env);
    ChildProcess child;
    CliResult result;
    if (!child.Spawn(args, env, -1, OfficialCliPath())) {
      ADD_FAILURE() << "cannot start " << OfficialCliPath();
      return result;
    }
    const std::optional<int> code = child.WaitExit(std::chrono::seconds(90));
    EXPECT_TRUE(code.has_value()) << "bw " << (args.empty() ? "" : args[0]) << " still running after 90 s";
    result.exit_code = code.value_or(-1);
    result.out = child.out();
    result.err = child.err();
    return result;
  }

  // Where the CLI keeps its state, tokens included (it has no secure storage on Linux).
  std::string data_file() const { return home_.File("bw") + "/data.json"; }

 private:
  std::string ca_file_;
  TempDir home_;
};

}  // namespace keywarden::testing

#endif  // KEYWARDEN_TESTS_E2E_OFFICIAL_CLI_H_
