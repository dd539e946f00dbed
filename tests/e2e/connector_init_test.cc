// `keywarden connector init`, run as a process; the files it writes are checked with the
// `openssl` command line, which is how an operator would inspect them.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "e2e/cli_runner.h"
#include "support/temp_dir.h"

namespace keywarden::testing {
namespace {

namespace fs = std::filesystem;

using keywarden::testing::TempDir;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

// The first whitespace-separated word `command` prints on stdout.
std::string Shell(const std::string& command) {
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return "";
  std::string out;
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
  ::pclose(pipe);
  return out.substr(0, out.find_first_of(" \n"));
}

// SHA-256 of the key's public half as SPKI DER, computed by the openssl command line.
// `password_file` is empty for an unencrypted PEM key.
std::string OpensslFingerprint(const std::string& key_file, bool pkcs12, const std::string& password_file = "") {
  const std::string passin = password_file.empty() ? "" : " -passin 'file:" + password_file + "'";
  const std::string extract =
      pkcs12 ? "openssl pkcs12 -in '" + key_file + "' -nocerts -nodes" + passin + " 2>/dev/null | " : "";
  const std::string pkey = pkcs12 ? "openssl pkey" : "openssl pkey -in '" + key_file + "'" + passin;
  return Shell(extract + pkey + " -pubout -outform DER 2>/dev/null | sha256sum");
}

unsigned Mode(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

void ExpectFingerprint(const nlohmann::json& out, const std::string& expected) {
  ASSERT_TRUE(out.contains("fingerprint"));
  const std::string fingerprint = out["fingerprint"];
  EXPECT_EQ(fingerprint.size(), 64u);
  EXPECT_EQ(fingerprint.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(fingerprint, expected);
}

// One line on stderr, nothing on stdout.
void ExpectFailure(const CliResult& r, int exit_code, std::string_view fragment) {
  EXPECT_EQ(r.exit_code, exit_code) << r.err;
  EXPECT_EQ(r.out, "");
  ASSERT_FALSE(r.err.empty());
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
  EXPECT_NE(r.err.find(fragment), std::string::npos) << r.err;
}

TEST(CliConnectorInit, CreatesAPlainPemKey) {
  TempDir dir;
  const std::string path = dir.File("key.pem");
  const auto out = RunOk({"connector", "init", "--key-file", path});
  EXPECT_EQ(out.size(), 3u);
  EXPECT_EQ(out["key_file"], path);
  EXPECT_EQ(out["format"], "pem");
  ExpectFingerprint(out, OpensslFingerprint(path, false));
  EXPECT_EQ(Mode(path), 0600u);
  EXPECT_NE(ReadFile(path).find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
}

TEST(CliConnectorInit, EncryptsAPemKeyWithAPasswordFromStdin) {
  TempDir dir;
  const std::string path = dir.File("key.pem");
  const std::string password_file = dir.File("password");
  WriteFile(password_file, "pem password");
  const auto out = RunOk({"connector", "init", "--key-file", path, "--password", "-"}, "pem password\n");
  EXPECT_EQ(out["format"], "pem");
  EXPECT_NE(ReadFile(path).find("-----BEGIN ENCRYPTED PRIVATE KEY-----"), std::string::npos);
  ExpectFingerprint(out, OpensslFingerprint(path, false, password_file));
  EXPECT_EQ(Mode(path), 0600u);
}

TEST(CliConnectorInit, CreatesPkcs12ForAPfxPath) {
  TempDir dir;
  const std::string path = dir.File("key.pfx");
  const std::string password_file = dir.File("password");
  WriteFile(password_file, "pfx password\n");
  const auto out = RunOk({"connector", "init", "--key-file", path, "--password", "@" + password_file});
  EXPECT_EQ(out["key_file"], path);
  EXPECT_EQ(out["format"], "pkcs12");
  // openssl's file: reads the first line without its newline, as the CLI's @FILE does.
  ExpectFingerprint(out, OpensslFingerprint(path, true, password_file));
  EXPECT_EQ(Mode(path), 0600u);
  // The reference loads the file as a certificate: it holds one.
  const std::string subject =
      Shell("openssl pkcs12 -in '" + path + "' -nokeys -passin 'file:" + password_file +
            "' 2>/dev/null | openssl x509 -noout -subject -nameopt sep_multiline 2>/dev/null | tr -d ' ' | tail -1");
  EXPECT_EQ(subject, "CN=KeywardenKeyConnector");
}

TEST(CliConnectorInit, FormatFlagOverridesTheName) {
  TempDir dir;
  const std::string path = dir.File("key.bin");
  const auto out = RunOk({"connector", "init", "--key-file", path, "--format", "pkcs12", "--password", "pw"});
  EXPECT_EQ(out["format"], "pkcs12");
  const std::string password_file = dir.File("password");
  WriteFile(password_file, "pw");
  ExpectFingerprint(out, OpensslFingerprint(path, true, password_file));
}

TEST(CliConnectorInit, RefusesToOverwrite) {
  TempDir dir;
  const std::string path = dir.File("key.pem");
  RunOk({"connector", "init", "--key-file", path});
  const std::string before = ReadFile(path);
  ExpectFailure(RunCli({"connector", "init", "--key-file", path}), 1, path + " exists; refusing to overwrite");
  EXPECT_EQ(ReadFile(path), before);
}

TEST(CliConnectorInit, BadUsageCreatesNothing) {
  TempDir dir;
  const std::string pfx = dir.File("key.pfx");
  ExpectFailure(RunCli({"connector", "init", "--key-file", pfx}), 2, "--password is required");
  ExpectFailure(RunCli({"connector", "init", "--key-file", pfx, "--format", "der", "--password", "pw"}), 2, "--format");
  ExpectFailure(RunCli({"connector", "init", "--key-file", pfx, "--password", ""}), 2, "empty");
  EXPECT_FALSE(fs::exists(pfx));
  ExpectFailure(RunCli({"connector", "init"}), 2, "--key-file");
  ExpectFailure(RunCli({"connector", "init", "--key-file", dir.File("no/such/dir/key.pem")}), 1, "cannot create");
  ExpectFailure(RunCli({"connector"}), 2, "a command is required");
}

}  // namespace
}  // namespace keywarden::testing
