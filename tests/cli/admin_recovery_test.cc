// The account recovery verbs' local parts: their grammar, where new passwords may come from, the
// KDF settings the server's details carry, and the refusals that happen before any request.
// (Against a server: e2e/admin_recovery_test.cc.)
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <string>
#include <vector>

#include "cli/admin/admin_command.h"
#include "cli/admin/credentials.h"
#include "support/temp_dir.h"

namespace keywarden::cli::admin {
namespace {

// Parses `args` (after "keywarden") as the real command line does; the selected verb's name, or
// the parser's complaint.
std::string Parse(std::vector<std::string> args, SelectedVerb* selected_out = nullptr) {
  CLI::App root("keywarden");
  root.require_subcommand(1);
  SelectedVerb selected;
  AddAdminCommand(root, selected);
  std::reverse(args.begin(), args.end());
  try {
    root.parse(args);
  } catch (const CLI::ParseError& e) {
    return std::string("error: ") + e.what();
  }
  if (selected_out != nullptr) *selected_out = selected;
  return selected.name;
}

TEST(AdminRecoveryGrammarTest, VerbsAndTheirRequiredOptions) {
  EXPECT_EQ(Parse({"admin", "recover-account", "--organization", "Acme", "--member", "m@example.com", "--new-password",
                   "@new.txt"}),
            "admin recover-account");
  EXPECT_EQ(Parse({"admin", "recover-account", "--organization", "Acme", "--member", "m@example.com", "--new-password",
                   "-", "--reset-two-factor", "--password-file", "admin.txt"}),
            "admin recover-account");
  EXPECT_TRUE(Parse({"admin", "recover-account", "--organization", "Acme", "--member", "m@example.com"})
                  .starts_with("error: --new-password is required"));
  EXPECT_TRUE(Parse({"admin", "recover-account", "--organization", "Acme", "--new-password", "@f"})
                  .starts_with("error: --member is required"));

  EXPECT_EQ(Parse({"admin", "account-recovery", "enrol", "--organization", "Acme"}), "admin account-recovery enrol");
  EXPECT_EQ(Parse({"admin", "account-recovery", "enroll", "--organization", "Acme"}), "admin account-recovery enrol");
  EXPECT_EQ(Parse({"admin", "account-recovery", "withdraw", "--organization", "Acme"}),
            "admin account-recovery withdraw");
  EXPECT_TRUE(Parse({"admin", "account-recovery", "withdraw"}).starts_with("error: --organization is required"));
  // Withdrawing needs no password, so it takes none.
  EXPECT_TRUE(Parse({"admin", "account-recovery", "withdraw", "--organization", "Acme", "--password-file", "f"})
                  .starts_with("error: "));
  EXPECT_TRUE(Parse({"admin", "account-recovery"}).starts_with("error: "));

  EXPECT_EQ(Parse({"admin", "update-temp-password", "--new-password", "@new.txt", "--hint", "the usual"}),
            "admin update-temp-password");
  EXPECT_TRUE(Parse({"admin", "update-temp-password"}).starts_with("error: --new-password is required"));
}

TEST(AdminRecoveryInputTest, NewPasswordsComeFromAFileOrStandardInputOnly) {
  testing::TempDir dir;
  const std::string file = dir.Write("new.txt", "Temporary Password 1!\n");

  const auto literal = ReadNewPassword("--new-password", "Temporary Password 1!", "");
  ASSERT_FALSE(literal.ok());
  EXPECT_EQ(literal.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(literal.status().message().find("never the password itself"), std::string::npos);
  EXPECT_EQ(literal.status().message().find("Temporary"), std::string::npos) << "the password is echoed";

  const auto from_file = ReadNewPassword("--new-password", "@" + file, "admin.txt");
  ASSERT_TRUE(from_file.ok()) << from_file.status().message();
  EXPECT_EQ(from_file->view(), "Temporary Password 1!");

  const auto both_stdin = ReadNewPassword("--new-password", "-", "-");
  ASSERT_FALSE(both_stdin.ok());
  EXPECT_NE(both_stdin.status().message().find("cannot both read standard input"), std::string::npos);

  EXPECT_FALSE(ReadNewPassword("--new-password", "", "").ok());
  EXPECT_FALSE(ReadNewPassword("--new-password", "@" + dir.Write("empty.txt", "\n"), "").ok());
  const auto missing = ReadNewPassword("--new-password", "@" + dir.File("absent.txt"), "");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kInvalidArgument);
}

TEST(AdminRecoveryInputTest, ALiteralNewPasswordIsRefusedBeforeAnyRequest) {
  testing::TempDir dir;
  SelectedVerb selected;
  // No session file exists: the verb must stop at the argument, exit 2, before opening one.
  ASSERT_EQ(Parse({"admin", "recover-account", "--organization", "Acme", "--member", "m@example.com", "--new-password",
                   "Temporary Password 1!", "--session-file", dir.File("none.json")},
                  &selected),
            "admin recover-account");
  ASSERT_TRUE(selected.run_process);
  EXPECT_EQ(selected.run_process(), kExitUsage);

  ASSERT_EQ(Parse({"admin", "update-temp-password", "--new-password", "-", "--password-file", "-", "--session-file",
                   dir.File("none.json")},
                  &selected),
            "admin update-temp-password");
  EXPECT_EQ(selected.run_process(), kExitUsage);

  // A hint longer than the clients allow, or equal to the password.
  const std::string file = dir.Write("new.txt", "Temporary Password 1!\n");
  ASSERT_EQ(Parse({"admin", "update-temp-password", "--new-password", "@" + file, "--hint", std::string(51, 'h'),
                   "--session-file", dir.File("none.json")},
                  &selected),
            "admin update-temp-password");
  EXPECT_EQ(selected.run_process(), kExitUsage);
  ASSERT_EQ(Parse({"admin", "update-temp-password", "--new-password", "@" + file, "--hint", "Temporary Password 1!",
                   "--session-file", dir.File("none.json")},
                  &selected),
            "admin update-temp-password");
  EXPECT_EQ(selected.run_process(), kExitUsage);
}

TEST(AdminRecoveryKdfTest, TheMembersSettingsAsTheDetailsGiveThem) {
  // An old account's PBKDF2 at 100,000 iterations: below what a server accepts for new settings,
  // still what the member derives with, so a recovery keeps it.
  const auto legacy = KdfFromFields(nlohmann::json{{"kdf", 0}, {"kdfIterations", 100000}}, "kdf", "kdfIterations",
                                    "kdfMemory", "kdfParallelism");
  ASSERT_TRUE(legacy.ok()) << legacy.status().message();
  EXPECT_EQ(*legacy, KdfConfig::Pbkdf2(100000));
  EXPECT_EQ(DescribeKdf(*legacy), "PBKDF2-SHA256, 100000 iterations");

  const auto argon =
      KdfFromFields(nlohmann::json{{"kdf", 1}, {"kdfIterations", 3}, {"kdfMemory", 64}, {"kdfParallelism", 4}}, "kdf",
                    "kdfIterations", "kdfMemory", "kdfParallelism");
  ASSERT_TRUE(argon.ok()) << argon.status().message();
  EXPECT_EQ(*argon, KdfConfig::Argon2id(3, 64, 4));
  EXPECT_EQ(DescribeKdf(*argon), "Argon2id, 3 iterations, 64 MiB, 4 lanes");

  const auto refused = [](const nlohmann::json& details) {
    const auto kdf = KdfFromFields(details, "kdf", "kdfIterations", "kdfMemory", "kdfParallelism");
    return !kdf.ok() && kdf.status().code() == ErrorCode::kUnavailable;
  };
  EXPECT_TRUE(refused({{"kdf", 0}, {"kdfIterations", 1000}}));  // below any client
  EXPECT_TRUE(refused({{"kdf", 0}}));
  EXPECT_TRUE(refused({{"kdf", 1}, {"kdfIterations", 3}}));  // Argon2id without memory or lanes
  EXPECT_TRUE(refused({{"kdf", 1}, {"kdfIterations", 3}, {"kdfMemory", -1}, {"kdfParallelism", 4}}));
  EXPECT_TRUE(refused({{"kdf", 7}, {"kdfIterations", 600000}}));
  EXPECT_TRUE(refused({{"kdf", 0}, {"kdfIterations", 5000000000LL}}));
}

}  // namespace
}  // namespace keywarden::cli::admin
