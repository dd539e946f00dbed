// The CLI's failure contract: exit 2 for bad usage or malformed input, exit 1 for a failed
// operation, nothing on stdout, exactly one line on stderr, and no key material in it.
// Also the @file and - (stdin) ways of passing values.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "e2e/cli_runner.h"
#include "keywarden/crypto/encoding.h"

namespace keywarden::testing {
namespace {

const std::string kZeroMasterKey = std::string(43, 'A') + "=";

struct Fixture {
  std::string key;  // a fresh 64-byte key, base64
  std::string enc;  // "secret message" under it
};

Fixture MakeCiphertext() {
  Fixture f;
  f.key = RunOk({"crypto", "make-user-key", "--master-key", kZeroMasterKey})["user_key"];
  f.enc = RunOk({"crypto", "encrypt", "--key", f.key, "--text", "secret message"})["enc"];
  return f;
}

// The failure contract, plus: none of `secrets` appears on stderr.
void ExpectFailure(const CliResult& r, int exit_code, std::string_view stderr_has,
                   const std::vector<std::string>& secrets = {}) {
  EXPECT_EQ(r.exit_code, exit_code) << "stderr: " << r.err;
  EXPECT_EQ(r.out, "");
  ASSERT_FALSE(r.err.empty());
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "stderr is not exactly one line: " << r.err;
  EXPECT_EQ(r.err.rfind("keywarden: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(stderr_has), std::string::npos) << r.err;
  for (const std::string& secret : secrets) {
    EXPECT_EQ(r.err.find(secret), std::string::npos) << "stderr repeats an input: " << r.err;
  }
}

// ---- Exit 2: usage and malformed input. ----

TEST(CliUsage, MissingRequiredFlag) {
  ExpectFailure(RunCli({"crypto", "decrypt", "--key", kZeroMasterKey}), 2, "--enc");
}

TEST(CliUsage, NoCommandOrVerb) {
  ExpectFailure(RunCli({}), 2, "usage");
  ExpectFailure(RunCli({"crypto"}), 2, "usage");
}

TEST(CliUsage, UnknownVerbAndCommand) {
  ExpectFailure(RunCli({"crypto", "frobnicate"}), 2, "unknown command 'frobnicate'");
  ExpectFailure(RunCli({"frobnicate"}), 2, "unknown command 'frobnicate'");
}

TEST(CliUsage, UnknownFlagIsNamedButItsValueIsNot) {
  const Fixture f = MakeCiphertext();
  ExpectFailure(RunCli({"crypto", "decrypt", "--key", f.key, "--enc", f.enc, "--keyy=" + f.key}), 2, "--keyy", {f.key});
  ExpectFailure(RunCli({"crypto", "--key=" + f.key}), 2, "--key", {f.key});
}

TEST(CliUsage, StrayValueIsNotEchoed) {
  const Fixture f = MakeCiphertext();
  ExpectFailure(RunCli({"crypto", "decrypt", "--key", f.key, "--enc", f.enc, f.key}), 2, "unexpected", {f.key});
}

TEST(CliUsage, BadBase64) {
  ExpectFailure(RunCli({"crypto", "make-user-key", "--master-key", "not base64!"}), 2, "--master-key: invalid base64",
                {"not base64!"});
  ExpectFailure(RunCli({"crypto", "encrypt", "--key", kZeroMasterKey, "--data", "AAA"}), 2, "--data");
}

TEST(CliUsage, KeyOfTheWrongLength) {
  ExpectFailure(RunCli({"crypto", "encrypt", "--key", "AAAA", "--text", "x"}), 2, "--key");
}

TEST(CliUsage, MalformedEncString) {
  const Fixture f = MakeCiphertext();
  ExpectFailure(RunCli({"crypto", "decrypt", "--key", f.key, "--enc", "2.only-one-part"}), 2, "--enc", {f.key});
}

TEST(CliUsage, BadKdfSpec) {
  for (const char* spec : {"pbkdf2:abc", "scrypt:5", "argon2id:3,64", ""}) {
    ExpectFailure(RunCli({"crypto", "master-key", "--email", "a@example.com", "--password", "pw", "--kdf", spec}), 2,
                  "--kdf");
  }
}

TEST(CliUsage, KdfBelowTheClientMinimum) {
  for (const char* spec : {"pbkdf2:4999", "argon2id:1,16,1", "argon2id:2,15,1"}) {
    ExpectFailure(RunCli({"crypto", "master-key", "--email", "a@example.com", "--password", "pw", "--kdf", spec}), 2,
                  "out_of_range");
  }
}

TEST(CliUsage, RecoveryNeedsClientKdfRanges) {
  // Everything else is valid. A recovery keeps the member's KDF, so legacy settings down to the
  // clients' minimum are accepted, but 4,999 PBKDF2 iterations are below what any client uses.
  const std::string org_key = RunOk({"crypto", "make-user-key", "--master-key", kZeroMasterKey})["user_key"];
  const auto org_pair = RunOk({"crypto", "rsa-generate"});
  const std::string org_private =
      RunOk({"crypto", "wrap-private-key", "--key", org_key, "--private-key", org_pair["private_key"]})["enc"];
  const std::string reset = RunOk({"crypto", "recovery-enroll", "--user-key", org_key, "--org-public-key",
                                   org_pair["public_key"]})["reset_password_key"];
  ExpectFailure(RunCli({"crypto", "recovery-recover", "--org-key", org_key, "--org-encrypted-private-key", org_private,
                        "--reset-password-key", reset, "--new-password", "pw", "--email", "a@example.com", "--kdf",
                        "pbkdf2:4999"}),
                2, "out_of_range", {org_key});
}

TEST(CliUsage, NonexistentFile) {
  ExpectFailure(RunCli({"crypto", "make-user-key", "--master-key", "@/nonexistent/keywarden-key"}), 2,
                "--master-key: cannot read the file named after its '@'", {"/nonexistent/keywarden-key"});
}

// A password that happens to begin with '@' is taken for a file name; the error must not repeat it.
TEST(CliUsage, ASecretThatLooksLikeAFileNameIsNeverRepeated) {
  ExpectFailure(RunCli({"crypto", "master-key", "--email", "a@example.com", "--password", "@Tr0ub4dor&3", "--kdf",
                        "pbkdf2:600000"}),
                2, "--password: cannot read the file named after its '@'", {"Tr0ub4dor"});
}

TEST(CliUsage, EncryptNeedsExactlyOneOfTextAndData) {
  const Fixture f = MakeCiphertext();
  ExpectFailure(RunCli({"crypto", "encrypt", "--key", f.key}), 2, "--text", {f.key});
  ExpectFailure(RunCli({"crypto", "encrypt", "--key", f.key, "--text", "a", "--data", "AA=="}), 2, "--text", {f.key});
}

TEST(CliUsage, OnlyOneArgumentMayReadStdin) {
  const Fixture f = MakeCiphertext();
  ExpectFailure(RunCli({"crypto", "decrypt", "--key", "-", "--enc", "-"}, f.key + "\n"), 2, "standard input", {f.key});
}

// ---- Exit 1: the operation failed. ----

TEST(CliFailure, DecryptWithTheWrongKey) {
  const Fixture f = MakeCiphertext();
  const Fixture other = MakeCiphertext();
  ExpectFailure(RunCli({"crypto", "decrypt", "--key", other.key, "--enc", f.enc}), 1,
                "keywarden: decrypt: authentication_failed:", {other.key, f.key});
}

TEST(CliFailure, TamperedCiphertext) {
  const Fixture f = MakeCiphertext();
  // Flip the first character of the ciphertext part: still valid base64 of the same length.
  std::string tampered = f.enc;
  const std::size_t ct = tampered.find('|') + 1;
  tampered[ct] = tampered[ct] == 'A' ? 'B' : 'A';
  ExpectFailure(RunCli({"crypto", "decrypt", "--key", f.key, "--enc", tampered}), 1, "authentication_failed", {f.key});
}

TEST(CliFailure, UnwrapUserKeyWithTheWrongMasterKey) {
  const std::string enc = RunOk({"crypto", "make-user-key", "--master-key", kZeroMasterKey})["encrypted_user_key"];
  const std::string wrong = "B" + std::string(42, 'A') + "=";
  ExpectFailure(RunCli({"crypto", "unwrap-user-key", "--master-key", wrong, "--enc", enc}), 1, "unwrap-user-key",
                {wrong});
}

TEST(CliFailure, DecapsulateWithTheWrongPrivateKey) {
  const auto a = RunOk({"crypto", "rsa-generate"});
  const auto b = RunOk({"crypto", "rsa-generate"});
  const std::string enc =
      RunOk({"crypto", "encapsulate", "--public-key", a["public_key"], "--key", kZeroMasterKey})["enc"];
  ExpectFailure(RunCli({"crypto", "decapsulate", "--private-key", b["private_key"], "--enc", enc}), 1, "decapsulate",
                {b["private_key"]});
}

// ---- @file and stdin. ----

TEST(CliInput, FileAndStdinGiveTheSameValueAsTheArgument) {
  const Fixture f = MakeCiphertext();
  const auto direct = RunOk({"crypto", "decrypt", "--key", f.key, "--enc", f.enc});
  EXPECT_EQ(direct["text"], "secret message");

  const TempFile key_file(f.key + "\n");  // the trailing newline is not part of the value
  EXPECT_EQ(RunOk({"crypto", "decrypt", "--key", key_file.arg(), "--enc", f.enc}), direct);
  EXPECT_EQ(RunOk({"crypto", "decrypt", "--key", "-", "--enc", f.enc}, f.key + "\r\n"), direct);
  const TempFile enc_file(f.enc);  // no trailing newline at all
  EXPECT_EQ(RunOk({"crypto", "decrypt", "--key", "-", "--enc", enc_file.arg()}, f.key), direct);
}

TEST(CliInput, TextFromStdinKeepsAllButOneTrailingNewline) {
  const Fixture f = MakeCiphertext();
  const std::string enc = RunOk({"crypto", "encrypt", "--key", f.key, "--text", "-"}, "two lines\n\n")["enc"];
  EXPECT_EQ(RunOk({"crypto", "decrypt", "--key", f.key, "--enc", enc})["text"], "two lines\n");
}

TEST(CliInput, PasswordFromAFile) {
  const TempFile password("correct horse\n");
  const auto from_file =
      RunOk({"crypto", "master-key", "--email", "a@example.com", "--password", password.arg(), "--kdf", "pbkdf2:5000"});
  const auto literal = RunOk(
      {"crypto", "master-key", "--email", "a@example.com", "--password", "correct horse", "--kdf", "pbkdf2:5000"});
  EXPECT_EQ(from_file, literal);
}

}  // namespace
}  // namespace keywarden::testing
