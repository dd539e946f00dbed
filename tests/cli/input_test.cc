// The argument decoding the CLI applies before any library call.
#include "cli/common/input.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "e2e/cli_runner.h"

namespace keywarden::cli {
namespace {

using testing::TempFile;

TEST(CliInputDecoding, ClassifiesArguments) {
  EXPECT_EQ(ClassifyArgument("-"), ArgumentSource::kStdin);
  EXPECT_EQ(ClassifyArgument("@/tmp/x"), ArgumentSource::kFile);
  EXPECT_EQ(ClassifyArgument("@"), ArgumentSource::kFile);
  EXPECT_EQ(ClassifyArgument("--"), ArgumentSource::kLiteral);
  EXPECT_EQ(ClassifyArgument("a@b"), ArgumentSource::kLiteral);
  EXPECT_EQ(ClassifyArgument(""), ArgumentSource::kLiteral);
}

TEST(CliInputDecoding, StripsExactlyOneTrailingNewline) {
  EXPECT_EQ(StripTrailingNewline("abc\n"), "abc");
  EXPECT_EQ(StripTrailingNewline("abc\r\n"), "abc");
  EXPECT_EQ(StripTrailingNewline("abc\n\n"), "abc\n");
  EXPECT_EQ(StripTrailingNewline("abc\r"), "abc\r");
  EXPECT_EQ(StripTrailingNewline("abc"), "abc");
  EXPECT_EQ(StripTrailingNewline("\n"), "");
  EXPECT_EQ(StripTrailingNewline(""), "");
}

TEST(CliInputDecoding, DecodesBase64Secrets) {
  auto decoded = DecodeSecretArgument("AAEC/w==", "--key");
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->Equals(std::vector<std::uint8_t>{0, 1, 2, 255}));
  auto empty = DecodeSecretArgument("", "--data");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(CliInputDecoding, BadBase64NamesTheFlagNotTheValue) {
  for (const char* bad : {"AAEC/w=", "AAEC /w==", "AAEC-w==", "secretvalue!"}) {
    auto decoded = DecodeSecretArgument(bad, "--key");
    ASSERT_FALSE(decoded.ok()) << bad;
    EXPECT_EQ(decoded.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(decoded.status().message().rfind("--key: ", 0), 0u);
    EXPECT_EQ(decoded.status().message().find(bad), std::string::npos);
  }
}

TEST(CliInputDecoding, KdfPolicies) {
  auto pbkdf2 = ParseKdfArgument("pbkdf2:600000", KdfPolicy::kServer);
  ASSERT_TRUE(pbkdf2.ok());
  EXPECT_EQ(*pbkdf2, KdfConfig::Pbkdf2(600000));
  // An old account's setting: derivable, not choosable.
  EXPECT_TRUE(ParseKdfArgument("pbkdf2:100000", KdfPolicy::kClient).ok());
  EXPECT_EQ(ParseKdfArgument("pbkdf2:100000", KdfPolicy::kServer).status().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(ParseKdfArgument("pbkdf2:4999", KdfPolicy::kClient).status().code(), ErrorCode::kOutOfRange);
  auto argon = ParseKdfArgument("argon2id:3,64,4", KdfPolicy::kServer);
  ASSERT_TRUE(argon.ok());
  EXPECT_EQ(*argon, KdfConfig::Argon2id(3, 64, 4));
  EXPECT_FALSE(ParseKdfArgument("argon2id:3,64", KdfPolicy::kClient).ok());
  EXPECT_FALSE(ParseKdfArgument("scrypt:1", KdfPolicy::kClient).ok());
}

TEST(CliArgumentReader, LiteralFileAndStdin) {
  const TempFile file("from file\n");
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  ASSERT_EQ(::write(pipe_fds[1], "from stdin\r\n", 12), 12);
  ::close(pipe_fds[1]);

  ArgumentReader reader({{"--a", "literal\n"}, {"--b", file.arg()}, {"--c", "-"}, {"--d", "AQID"}}, pipe_fds[0]);
  EXPECT_TRUE(reader.Has("--a"));
  EXPECT_FALSE(reader.Has("--z"));
  EXPECT_EQ(reader.Text("--a")->view(), "literal\n");  // literals are taken as they are
  EXPECT_EQ(reader.Text("--b")->view(), "from file");
  EXPECT_EQ(reader.Text("--c")->view(), "from stdin");
  EXPECT_TRUE(reader.Bytes("--d")->Equals(std::vector<std::uint8_t>{1, 2, 3}));
  EXPECT_EQ(reader.Text("--z").status().code(), ErrorCode::kInvalidArgument);
  ::close(pipe_fds[0]);
}

TEST(CliArgumentReader, StdinOnlyOnce) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  ::close(pipe_fds[1]);
  ArgumentReader reader({{"--a", "-"}, {"--b", "-"}}, pipe_fds[0]);
  EXPECT_TRUE(reader.Text("--a").ok());
  auto second = reader.Text("--b");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(second.status().message().find("standard input"), std::string::npos);
  ::close(pipe_fds[0]);
}

TEST(CliArgumentReader, UnreadableFiles) {
  ArgumentReader reader({{"--a", "@/nonexistent/file"}, {"--b", "@/"}, {"--c", "@"}});
  for (const char* flag : {"--a", "--b", "--c"}) {
    auto value = reader.Text(flag);
    ASSERT_FALSE(value.ok()) << flag;
    EXPECT_EQ(value.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(value.status().message().find(std::string(flag) + ": cannot read the file named after its '@'"),
              std::string::npos)
        << value.status().message();
  }
}

TEST(CliArgumentReader, BytesReportsBadBase64FromAFile) {
  const TempFile file("not*base64\n");
  ArgumentReader reader({{"--key", file.arg()}});
  auto value = reader.Bytes("--key");
  ASSERT_FALSE(value.ok());
  EXPECT_EQ(value.status().message(), "--key: invalid base64");
}

}  // namespace
}  // namespace keywarden::cli
