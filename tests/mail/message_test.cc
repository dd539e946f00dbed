// Rendering a message: headers, encodings, line ends, and the checks that keep a value from
// becoming a header of its own. That a real parser decodes the result back is in
// smtp_sender_test.cc, through a real server.
#include "mail/message.h"

#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <string>
#include <vector>

namespace keywarden::mail {
namespace {

const Mailbox kFrom{"noreply@vault.example.com", "Keywarden"};

Message Simple() { return Message{"alice@example.com", "Hello", "Line one\nLine two\n", ""}; }

TimePoint Date(int year, int month, int day, int hour, int minute, int second) {
  using namespace std::chrono;
  return sys_days{std::chrono::year{year} / month / day} + hours{hour} + minutes{minute} + seconds{second};
}

std::string Render(const Message& message) {
  auto rendered = RenderMessage(message, kFrom, Date(2026, 3, 5, 14, 7, 9));
  EXPECT_TRUE(rendered.ok()) << rendered.status().ToString();
  return rendered.ok() ? *rendered : std::string();
}

std::vector<std::string> Lines(const std::string& data) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t end; (end = data.find("\r\n", start)) != std::string::npos; start = end + 2) {
    lines.push_back(data.substr(start, end - start));
  }
  if (start < data.size()) lines.push_back(data.substr(start));
  return lines;
}

// The value of header `name` in the header block, unfolded.
std::string Header(const std::string& data, const std::string& name) {
  const std::string head = data.substr(0, data.find("\r\n\r\n"));
  std::string value;
  bool in = false;
  for (const std::string& line : Lines(head)) {
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      if (in) value += line;
      continue;
    }
    in = line.rfind(name + ": ", 0) == 0;
    if (in) value = line.substr(name.size() + 2);
  }
  return value;
}

TEST(MessageTest, EveryLineEndsWithCrlf) {
  const std::string data = Render(Simple());
  ASSERT_GE(data.size(), 2u);
  EXPECT_EQ(data.substr(data.size() - 2), "\r\n");
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (data[i] == '\n') {
      ASSERT_GT(i, 0u);
      EXPECT_EQ(data[i - 1], '\r') << "bare LF at " << i;
    }
    if (data[i] == '\r') {
      ASSERT_LT(i + 1, data.size());
      EXPECT_EQ(data[i + 1], '\n') << "bare CR at " << i;
    }
  }
}

TEST(MessageTest, HasTheHeadersAReaderNeeds) {
  const std::string data = Render(Simple());
  EXPECT_EQ(Header(data, "Date"), "Thu, 05 Mar 2026 14:07:09 +0000");
  EXPECT_EQ(Header(data, "From"), "\"Keywarden\" <noreply@vault.example.com>");
  EXPECT_EQ(Header(data, "To"), "alice@example.com");
  EXPECT_EQ(Header(data, "Subject"), "Hello");
  EXPECT_EQ(Header(data, "MIME-Version"), "1.0");
  EXPECT_EQ(Header(data, "Auto-Submitted"), "auto-generated");
  EXPECT_EQ(Header(data, "Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(Header(data, "Content-Transfer-Encoding"), "quoted-printable");
  const std::string id = Header(data, "Message-ID");
  EXPECT_EQ(id.front(), '<');
  EXPECT_NE(id.find("@vault.example.com>"), std::string::npos) << id;
}

TEST(MessageTest, MessageIdsDiffer) {
  EXPECT_NE(Header(Render(Simple()), "Message-ID"), Header(Render(Simple()), "Message-ID"));
}

TEST(MessageTest, LinesOfTextStayLinesAndLongOnesAreSoftBroken) {
  Message message = Simple();
  message.text = std::string(200, 'x') + "\r\nend = here \nlast";
  const std::string data = Render(message);
  const std::string body = data.substr(data.find("\r\n\r\n") + 4);
  for (const std::string& line : Lines(body)) EXPECT_LE(line.size(), 76u) << line;
  EXPECT_NE(body.find("end =3D here=20\r\n"), std::string::npos) << body;  // '=' and a trailing space encoded
  EXPECT_NE(body.find("last\r\n"), std::string::npos) << body;
  EXPECT_NE(body.find("=\r\n"), std::string::npos) << "no soft line break in " << body;
}

TEST(MessageTest, NonAsciiSubjectAndNameAreEncodedWords) {
  Message message = Simple();
  message.subject = "Code de connexion \xC3\xA0 usage unique \xE2\x80\x94 \xF0\x9F\x94\x91";
  auto rendered = RenderMessage(message, Mailbox{"noreply@example.com", "K\xC3\xA9ywarden"}, Date(2026, 1, 1, 0, 0, 0));
  ASSERT_TRUE(rendered.ok()) << rendered.status().ToString();
  const std::string subject = Header(*rendered, "Subject");
  EXPECT_EQ(subject.rfind("=?UTF-8?B?", 0), 0u) << subject;
  EXPECT_EQ(Header(*rendered, "From").rfind("=?UTF-8?B?", 0), 0u);
  for (const std::string& line : Lines(rendered->substr(0, rendered->find("\r\n\r\n")))) {
    EXPECT_LE(line.size(), 78u) << line;
    for (char c : line) EXPECT_TRUE(c >= ' ' && c <= '~') << "not ASCII in header line " << line;
  }
}

TEST(MessageTest, AsciiThatLooksEncodedIsEncoded) {
  Message message = Simple();
  message.subject = "=?UTF-8?B?aGk=?=";
  EXPECT_EQ(Header(Render(message), "Subject").rfind("=?UTF-8?B?", 0), 0u);
  EXPECT_NE(Header(Render(message), "Subject"), message.subject);
}

TEST(MessageTest, HtmlMakesMultipartAlternative) {
  Message message = Simple();
  message.html = "<p>Hello</p>";
  const std::string data = Render(message);
  const std::string type = Header(data, "Content-Type");
  ASSERT_EQ(type.rfind("multipart/alternative; boundary=\"", 0), 0u) << type;
  const std::string boundary = type.substr(type.find('"') + 1, type.rfind('"') - type.find('"') - 1);
  const std::size_t text_at = data.find("--" + boundary + "\r\nContent-Type: text/plain; charset=utf-8");
  const std::size_t html_at = data.find("--" + boundary + "\r\nContent-Type: text/html; charset=utf-8");
  ASSERT_NE(text_at, std::string::npos);
  ASSERT_NE(html_at, std::string::npos);
  EXPECT_LT(text_at, html_at);  // the preferred alternative comes last
  EXPECT_NE(data.find("--" + boundary + "--\r\n"), std::string::npos);
}

TEST(MessageTest, HeaderInjectionIsRefused) {
  const std::vector<Message> bad = {
      {"alice@example.com\r\nBcc: eve@example.com", "Hi", "text", ""},
      {"alice@example.com", "Hi\r\nBcc: eve@example.com", "text", ""},
      {"alice@example.com", "Hi\nBcc: eve@example.com", "text", ""},
      {"alice@example.com", "Hi\rthere", "text", ""},
  };
  for (const Message& message : bad) {
    auto rendered = RenderMessage(message, kFrom, std::chrono::system_clock::now());
    ASSERT_FALSE(rendered.ok());
    EXPECT_EQ(rendered.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(rendered.status().message().find("eve@"), std::string::npos) << "the error repeats the value";
    EXPECT_EQ(CheckMessage(message).code(), ErrorCode::kInvalidArgument);
  }
  auto bad_name = RenderMessage(Simple(), Mailbox{"noreply@example.com", "Keywarden\r\nBcc: eve@example.com"},
                                std::chrono::system_clock::now());
  EXPECT_EQ(bad_name.status().code(), ErrorCode::kInvalidArgument);
  auto bad_from =
      RenderMessage(Simple(), Mailbox{"noreply@example.com\r\nBcc: x@y.z", "K"}, std::chrono::system_clock::now());
  EXPECT_EQ(bad_from.status().code(), ErrorCode::kInvalidArgument);
}

TEST(MessageTest, InvalidUtf8AndEmptyTextAreRefused) {
  Message message = Simple();
  message.subject = "bad \xC3";
  EXPECT_EQ(CheckMessage(message).code(), ErrorCode::kInvalidArgument);
  message = Simple();
  message.text = "overlong \xC0\xAF";
  EXPECT_EQ(CheckMessage(message).code(), ErrorCode::kInvalidArgument);
  message = Simple();
  message.html = "surrogate \xED\xA0\x80";
  EXPECT_EQ(CheckMessage(message).code(), ErrorCode::kInvalidArgument);
  message = Simple();
  message.text.clear();
  EXPECT_EQ(CheckMessage(message).code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(CheckMessage(Simple()).ok());
}

TEST(MessageTest, AddressRules) {
  for (const char* good :
       {"a@b", "alice@example.com", "first.last+tag@sub.example.co.uk", "x_y-z@a-b.example", "o'neil@example.com"}) {
    EXPECT_TRUE(IsValidAddress(good)) << good;
  }
  for (const char* bad : {"", "alice", "@example.com", "alice@", "alice@@example.com", ".a@example.com",
                          "a.@example.com", "a..b@example.com", "a b@example.com", "\"a\"@example.com", "a@[127.0.0.1]",
                          "a@-example.com", "a@example..com", "a@exa_mple.com", "<a@example.com>", "a@example.com\r\n",
                          "\xC3\xA9@example.com", "a@example.com,b@example.com"}) {
    EXPECT_FALSE(IsValidAddress(bad)) << bad;
  }
  EXPECT_FALSE(IsValidAddress(std::string(65, 'a') + "@example.com"));
  EXPECT_TRUE(IsValidAddress(std::string(64, 'a') + "@example.com"));
}

}  // namespace
}  // namespace keywarden::mail
