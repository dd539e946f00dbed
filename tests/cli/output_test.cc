// JSON output, the error line, and the exit-code mapping.
#include "cli/common/output.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "cli/app.h"

namespace keywarden::cli {
namespace {

// Runs `write` with a pipe's write end and returns what it wrote.
template <typename Fn>
std::string Capture(Fn write) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  write(fds[1]);
  ::close(fds[1]);
  std::string out;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buffer, sizeof buffer)) > 0) out.append(buffer, static_cast<std::size_t>(n));
  ::close(fds[0]);
  return out;
}

TEST(CliOutput, PrintsOneObjectInInsertionOrder) {
  JsonOutput out;
  out.Add("zeta", "1");
  out.AddBase64("alpha", std::vector<std::uint8_t>{0xff, 0x00});
  out.Add("text", "quote \" backslash \\ newline \n control \x01 é");
  std::string printed = Capture([&](int fd) { EXPECT_TRUE(out.Print(fd).ok()); });
  ASSERT_FALSE(printed.empty());
  EXPECT_EQ(printed.back(), '\n');
  EXPECT_EQ(printed.find('\n'), printed.size() - 1);
  EXPECT_EQ(printed.find("{\"zeta\":\"1\",\"alpha\":\"/wA=\""), 0u);
  const auto parsed = nlohmann::json::parse(printed);
  EXPECT_EQ(parsed["text"], "quote \" backslash \\ newline \n control \x01 é");
}

TEST(CliOutput, WorstCaseEscapingFits) {
  JsonOutput out;
  out.Add("k", std::string(1000, '\x01'));  // each byte becomes \u0001
  std::string printed = Capture([&](int fd) { EXPECT_TRUE(out.Print(fd).ok()); });
  EXPECT_EQ(nlohmann::json::parse(printed)["k"].get<std::string>(), std::string(1000, '\x01'));
}

TEST(CliOutput, EmptyObject) {
  JsonOutput out;
  EXPECT_EQ(Capture([&](int fd) { EXPECT_TRUE(out.Print(fd).ok()); }), "{}\n");
}

TEST(CliOutput, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x94\x91"));
  EXPECT_TRUE(IsValidUtf8("\xf4\x8f\xbf\xbf"));   // U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xc3\x28"));          // bad continuation
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xe0\x80\xaf"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\x80"));
}

TEST(CliOutput, ErrorLineIsOneLine) {
  const std::string line =
      Capture([](int fd) { PrintErrorLine(fd, "decrypt", AuthenticationError("decryption failed\nsecond line")); });
  EXPECT_EQ(line, "keywarden: decrypt: authentication_failed: decryption failed second line\n");
  EXPECT_EQ(Capture([](int fd) { PrintUsageLine(fd, "--key is required"); }), "keywarden: usage: --key is required\n");
}

TEST(CliOutput, ExitCodes) {
  EXPECT_EQ(ExitCodeFor(ErrorCode::kOk), kExitOk);
  EXPECT_EQ(ExitCodeFor(ErrorCode::kInvalidArgument), kExitUsage);
  EXPECT_EQ(ExitCodeFor(ErrorCode::kUnsupported), kExitUsage);
  EXPECT_EQ(ExitCodeFor(ErrorCode::kOutOfRange), kExitUsage);
  EXPECT_EQ(ExitCodeFor(ErrorCode::kAuthenticationFailed), kExitFailure);
  EXPECT_EQ(ExitCodeFor(ErrorCode::kWrongKey), kExitFailure);
  EXPECT_EQ(ExitCodeFor(ErrorCode::kInternal), kExitFailure);
}

}  // namespace
}  // namespace keywarden::cli
