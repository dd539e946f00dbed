// The server's messages: what each carries, that every inserted value is escaped in the HTML and
// kept on its line in the text, and that each arrives intact through a real SMTP server.
#include "server/mail/templates.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "mail/smtp_sender.h"
#include "server/mail/escape.h"
#include "support/smtp_server.h"

namespace keywarden::server::mail {
namespace {

using ::keywarden::mail::CheckMessage;
using ::keywarden::mail::Message;

// A value that is markup, and one that tries to start lines of its own in the text.
constexpr std::string_view kMarkup = "<script>alert(\"x\")</script> & 'co'";
constexpr std::string_view kLines = "Phone\r\nYour code is 999999\nClick http://evil.example";

TimePoint At(int year, int month, int day, int hour, int minute) {
  using namespace std::chrono;
  return sys_days{std::chrono::year{year} / month / day} + hours{hour} + minutes{minute} + seconds{42};
}

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// No line of `text` starts with `start` (after spaces).
bool NoLineStartsWith(const std::string& text, std::string_view start) {
  std::size_t at = 0;
  while (at <= text.size()) {
    std::size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + at, end - at);
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    if (line.substr(0, start.size()) == start) return false;
    at = end + 1;
  }
  return true;
}

void ExpectWellFormed(const Message& message) {
  EXPECT_TRUE(CheckMessage(message).ok()) << CheckMessage(message).ToString();
  EXPECT_FALSE(message.subject.empty());
  EXPECT_FALSE(message.html.empty());
  EXPECT_TRUE(Contains(message.html, "<!DOCTYPE html>"));
  EXPECT_FALSE(Contains(message.html, "<script")) << message.html;
}

TEST(MailTemplatesTest, VerifyEmailCarriesTheLink) {
  const std::string link = "https://vault.example.com/#/verify-email?userId=42&token=abc\"def";
  const Message message = VerifyEmailMessage("alice@example.com", link);
  ExpectWellFormed(message);
  EXPECT_EQ(message.to, "alice@example.com");
  EXPECT_TRUE(Contains(message.text, link));
  EXPECT_TRUE(Contains(message.html, "href=\"" + EscapeHtml(link) + "\"")) << message.html;
  EXPECT_TRUE(Contains(EscapeHtml(link), "&amp;token=abc&quot;def"));
  EXPECT_FALSE(Contains(message.subject, "token"));
}

TEST(MailTemplatesTest, NewDeviceLoginSaysWhatWhenAndWhere) {
  const NewDeviceLogin login{"Firefox Extension", "Alice's laptop", At(2026, 3, 5, 14, 7), "203.0.113.9"};
  const Message message = NewDeviceLoginMessage("alice@example.com", login);
  ExpectWellFormed(message);
  for (std::string_view value : {"Firefox Extension", "Alice's laptop", "2026-03-05 14:07 UTC", "203.0.113.9"}) {
    EXPECT_TRUE(Contains(message.text, value)) << value;
    EXPECT_TRUE(Contains(message.html, EscapeHtml(value))) << value;
  }
  EXPECT_TRUE(Contains(message.html, "Alice&#39;s laptop"));
}

TEST(MailTemplatesTest, NewDeviceLoginEscapesWhatTheClientChose) {
  const NewDeviceLogin login{std::string(kMarkup), std::string(kLines), At(2026, 1, 1, 0, 0), "::1"};
  const Message message = NewDeviceLoginMessage("alice@example.com", login);
  ExpectWellFormed(message);
  EXPECT_TRUE(Contains(message.html, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;"));
  EXPECT_TRUE(NoLineStartsWith(message.text, "Your code is")) << message.text;
  EXPECT_TRUE(NoLineStartsWith(message.text, "Click")) << message.text;
  EXPECT_TRUE(Contains(message.text, "Phone  Your code is 999999 Click http://evil.example"));
}

TEST(MailTemplatesTest, TwoStepCodeAndItsLifetime) {
  const Message message = TwoStepLoginCodeMessage("alice@example.com", "042917", 15);
  ExpectWellFormed(message);
  EXPECT_TRUE(Contains(message.text, "042917"));
  EXPECT_TRUE(Contains(message.html, "042917"));
  EXPECT_TRUE(Contains(message.text, "15 minutes"));
  EXPECT_TRUE(Contains(message.html, "15 minutes"));
  EXPECT_FALSE(Contains(message.subject, "042917")) << "a code in the subject shows on lock screens";
  EXPECT_TRUE(Contains(TwoStepLoginCodeMessage("a@example.com", "1", 1).text, "1 minute."));
}

TEST(MailTemplatesTest, InvitationNamesTheOrganisationSafely) {
  const std::string link = "https://vault.example.com/#/accept-organization?organizationId=7&token=t";
  Message message = OrganizationInvitationMessage("bob@example.com", "Acme Research", link);
  ExpectWellFormed(message);
  EXPECT_EQ(message.subject, "Join Acme Research on Keywarden");
  EXPECT_TRUE(Contains(message.text, "Acme Research"));
  EXPECT_TRUE(Contains(message.text, link));
  EXPECT_TRUE(Contains(message.html, "href=\"" + EscapeHtml(link) + "\""));

  message = OrganizationInvitationMessage("bob@example.com", std::string(kMarkup) + std::string(kLines), link);
  ExpectWellFormed(message);  // the subject has no line break left: CheckMessage passes
  EXPECT_TRUE(Contains(message.html, "&lt;script&gt;"));
  EXPECT_TRUE(NoLineStartsWith(message.text, "Your code is")) << message.text;
}

TEST(MailTemplatesTest, EmailChangeCode) {
  const Message message = EmailChangeCodeMessage("new@example.com", "739104", 60);
  ExpectWellFormed(message);
  EXPECT_EQ(message.to, "new@example.com");
  EXPECT_TRUE(Contains(message.text, "739104"));
  EXPECT_TRUE(Contains(message.html, "739104"));
  EXPECT_TRUE(Contains(message.text, "60 minutes"));
  EXPECT_FALSE(Contains(message.subject, "739104"));
}

TEST(MailTemplatesTest, VerificationCode) {
  const Message message = VerificationCodeMessage("member@example.com", "204816", 5);
  ExpectWellFormed(message);
  EXPECT_EQ(message.to, "member@example.com");
  EXPECT_TRUE(Contains(message.text, "204816"));
  EXPECT_TRUE(Contains(message.html, "204816"));
  EXPECT_TRUE(Contains(message.text, "5 minutes"));
  EXPECT_FALSE(Contains(message.subject, "204816"));
}

TEST(MailEscapeTest, HtmlAndPlainValues) {
  EXPECT_EQ(EscapeHtml("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
  EXPECT_EQ(EscapeHtml("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(PlainValue("one\ntwo\r\nthree\tfour\x1B[31m"), "one two  three four [31m");
  EXPECT_EQ(PlainValue("line\xE2\x80\xA8sep\xC2\x85nel"), "line sep nel");  // U+2028 and NEL
  EXPECT_EQ(PlainValue("bad \xC3 byte \xC0\xAF"), "bad \xEF\xBF\xBD byte \xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(PlainValue("\xF0\x9F\x94\x91"), "\xF0\x9F\x94\x91");
}

// Each message through a real server: Python's parser decodes it without a defect, and the text
// and HTML come back as they were made.
TEST(MailTemplatesTest, EveryMessageArrivesIntact) {
  KW_SMTP_SERVER_OR_SKIP(server, ::keywarden::testing::SmtpServerOptions{});
  ::keywarden::mail::MailSettings settings;
  settings.host = "127.0.0.1";
  settings.port = server->port();
  settings.security = ::keywarden::mail::MailSettings::Security::kNone;
  settings.from_address = "noreply@keywarden.test";
  auto sender = ::keywarden::mail::OpenSmtpSender(settings);
  ASSERT_TRUE(sender.ok()) << sender.status().ToString();

  const std::vector<Message> messages = {
      VerifyEmailMessage("a@example.com", "https://vault.example.com/#/verify?t=1&u=2"),
      NewDeviceLoginMessage("a@example.com", {"Android", std::string(kMarkup), At(2026, 5, 1, 9, 30), "198.51.100.7"}),
      TwoStepLoginCodeMessage("a@example.com", "123456", 10),
      OrganizationInvitationMessage("b@example.com",
                                    "\xC3\x89quipe s\xC3\xA9"
                                    "curit\xC3\xA9",
                                    "https://x.example/#/a"),
      EmailChangeCodeMessage("c@example.com", "654321", 30),
      VerificationCodeMessage("d@example.com", "123456", 5),
  };
  for (const Message& message : messages) ASSERT_TRUE((*sender)->Send(message).ok()) << message.subject;
  auto mails = server->WaitForMessages(messages.size(), std::chrono::seconds(20));
  ASSERT_TRUE(mails.ok()) << mails.status().ToString();
  ASSERT_EQ(mails->size(), messages.size());
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const auto& mail = mails->at(i);
    EXPECT_TRUE(mail.defects.empty()) << messages[i].subject << ": " << mail.defects.front();
    EXPECT_EQ(mail.subject, messages[i].subject);
    ASSERT_TRUE(mail.text.has_value() && mail.html.has_value()) << messages[i].subject;
    EXPECT_EQ(*mail.text, messages[i].text);
    EXPECT_EQ(*mail.html, messages[i].html);
  }
}

}  // namespace
}  // namespace keywarden::server::mail
