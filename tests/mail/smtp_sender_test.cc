// SMTP through libcurl against a real server (aiosmtpd, support/smtp_server.h) in each mode: what
// arrives, and what is refused — untrusted certificates, wrong passwords, a missing STARTTLS,
// refused recipients, injected headers, a server that never answers.
#include "mail/smtp_sender.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "mail/mail_settings.h"
#include "support/smtp_server.h"

namespace keywarden::mail {
namespace {

using keywarden::testing::ReceivedMail;
using keywarden::testing::SilentListener;
using keywarden::testing::SmtpServer;
using keywarden::testing::SmtpServerOptions;
using Mode = SmtpServerOptions::Mode;
using Security = MailSettings::Security;

constexpr auto kDeadline = std::chrono::seconds(20);

SmtpServerOptions ServerOptions(Mode mode) {
  SmtpServerOptions options;
  options.mode = mode;
  return options;
}

Security SecurityFor(Mode mode) {
  switch (mode) {
    case Mode::kPlain: return Security::kNone;
    case Mode::kStartTls: return Security::kStartTls;
    case Mode::kTls: return Security::kTls;
  }
  return Security::kStartTls;
}

// Settings that reach `server` as it is meant to be reached, trusting its certificate.
MailSettings SettingsFor(const SmtpServer& server, Security security) {
  MailSettings settings;
  settings.host = "localhost";
  settings.port = server.port();
  settings.security = security;
  settings.from_address = "noreply@keywarden.test";
  settings.from_name = "Keywarden";
  if (security != Security::kNone) settings.ca_file = server.cert_file();
  settings.timeout_seconds = 10;
  return settings;
}

std::unique_ptr<MailSender> Open(const MailSettings& settings) {
  auto sender = OpenSmtpSender(settings);
  EXPECT_TRUE(sender.ok()) << sender.status().ToString();
  return sender.ok() ? std::move(sender).value() : nullptr;
}

// Text with what SMTP transparency and quoted-printable must both carry: lines that are only a
// dot or start with one, '=' signs, trailing spaces, a long line, and non-ASCII.
Message RichMessage() {
  Message message;
  message.to = "alice@example.com";
  message.subject = "Ihr Anmeldecode f\xC3\xBCr Keywarden \xE2\x80\x94 \xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E";
  message.text = "Hello Alice,\n.\n..leading dots\nmath: 1+1=2 \n" + std::string(150, 'w') +
                 "\nUnicode: \xC3\xA9\xC3\xA8 \xF0\x9F\x94\x91\nbye\n";
  message.html = "<p>Hello <b>Alice</b> &amp; \xC3\xA9</p>\n<p>" + std::string(120, 'h') + "</p>\n";
  return message;
}

void ExpectIntact(const ReceivedMail& mail, const Message& sent, const MailSettings& settings) {
  EXPECT_TRUE(mail.defects.empty()) << "the parser found defects, the first: " << mail.defects.front();
  EXPECT_EQ(mail.mail_from, settings.from_address);
  ASSERT_EQ(mail.recipients.size(), 1u);
  EXPECT_EQ(mail.recipients[0], sent.to);
  EXPECT_EQ(mail.to, sent.to);
  EXPECT_EQ(mail.subject, sent.subject);
  EXPECT_EQ(mail.from_address, settings.from_address);
  EXPECT_EQ(mail.from_name, settings.from_name);
  ASSERT_TRUE(mail.text.has_value());
  EXPECT_EQ(*mail.text, sent.text);
  if (sent.html.empty()) {
    EXPECT_FALSE(mail.html.has_value());
  } else {
    ASSERT_TRUE(mail.html.has_value());
    EXPECT_EQ(*mail.html, sent.html);
    EXPECT_EQ(mail.content_type, "multipart/alternative");
  }
}

class SmtpModeTest : public ::testing::TestWithParam<Mode> {};

TEST_P(SmtpModeTest, MessageArrivesIntact) {
  KW_SMTP_SERVER_OR_SKIP(server, ServerOptions(GetParam()));
  const MailSettings settings = SettingsFor(*server, SecurityFor(GetParam()));
  auto sender = Open(settings);
  ASSERT_NE(sender, nullptr);
  const Message message = RichMessage();
  const Status sent = sender->Send(message);
  ASSERT_TRUE(sent.ok()) << sent.ToString();
  auto mails = server->WaitForMessages(1, kDeadline);
  ASSERT_TRUE(mails.ok()) << mails.status().ToString();
  ASSERT_EQ(mails->size(), 1u);
  ExpectIntact(mails->front(), message, settings);
}

TEST_P(SmtpModeTest, PlainTextOnlyArrivesIntact) {
  KW_SMTP_SERVER_OR_SKIP(server, ServerOptions(GetParam()));
  const MailSettings settings = SettingsFor(*server, SecurityFor(GetParam()));
  auto sender = Open(settings);
  ASSERT_NE(sender, nullptr);
  Message message = RichMessage();
  message.html.clear();
  ASSERT_TRUE(sender->Send(message).ok());
  auto mails = server->WaitForMessages(1, kDeadline);
  ASSERT_TRUE(mails.ok()) << mails.status().ToString();
  ExpectIntact(mails->front(), message, settings);
  EXPECT_EQ(mails->front().content_type, "text/plain");
}

std::string ModeName(const ::testing::TestParamInfo<Mode>& mode) {
  switch (mode.param) {
    case Mode::kPlain: return "Plain";
    case Mode::kStartTls: return "StartTls";
    case Mode::kTls: return "ImplicitTls";
  }
  return "Unknown";
}

INSTANTIATE_TEST_SUITE_P(Modes, SmtpModeTest, ::testing::Values(Mode::kPlain, Mode::kStartTls, Mode::kTls), ModeName);

class SmtpTlsTest : public ::testing::TestWithParam<Mode> {};

TEST_P(SmtpTlsTest, UntrustedCertificateIsRefusedUnlessCaFileNamesIt) {
  KW_SMTP_SERVER_OR_SKIP(server, ServerOptions(GetParam()));
  MailSettings settings = SettingsFor(*server, SecurityFor(GetParam()));
  settings.ca_file.clear();  // the system's store, which does not know the test certificate
  auto untrusting = Open(settings);
  ASSERT_NE(untrusting, nullptr);
  const Status refused = untrusting->Send(RichMessage());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.code(), ErrorCode::kUnavailable);
  EXPECT_NE(refused.message().find("certificate"), std::string::npos) << refused.message();
  EXPECT_NE(refused.message().find("localhost:" + std::to_string(server->port())), std::string::npos)
      << refused.message();

  settings.ca_file = server->cert_file();
  auto trusting = Open(settings);
  ASSERT_NE(trusting, nullptr);
  const Status sent = trusting->Send(RichMessage());
  EXPECT_TRUE(sent.ok()) << sent.ToString();
  auto mails = server->WaitForMessages(1, kDeadline);
  ASSERT_TRUE(mails.ok()) << mails.status().ToString();
  EXPECT_EQ(mails->size(), 1u) << "the refused attempt delivered something";
}

TEST_P(SmtpTlsTest, CertificateForAnotherNameIsRefused) {
  KW_SMTP_SERVER_OR_SKIP(server, ServerOptions(GetParam()));
  MailSettings settings = SettingsFor(*server, SecurityFor(GetParam()));
  settings.host = "127.0.0.1";  // trusted certificate, but it names "localhost"
  auto sender = Open(settings);
  ASSERT_NE(sender, nullptr);
  const Status refused = sender->Send(RichMessage());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.code(), ErrorCode::kUnavailable) << refused.ToString();
  EXPECT_TRUE(server->Received().empty());
}

INSTANTIATE_TEST_SUITE_P(Modes, SmtpTlsTest, ::testing::Values(Mode::kStartTls, Mode::kTls), ModeName);

TEST(SmtpSenderTest, LogsInWithUsernameAndPassword) {
  SmtpServerOptions options = ServerOptions(Mode::kStartTls);
  options.username = "keywarden";
  options.password = "correct horse battery";
  KW_SMTP_SERVER_OR_SKIP(server, options);
  MailSettings settings = SettingsFor(*server, Security::kStartTls);
  settings.username = options.username;
  settings.password = options.password;
  auto sender = Open(settings);
  ASSERT_NE(sender, nullptr);
  const Status sent = sender->Send(RichMessage());
  ASSERT_TRUE(sent.ok()) << sent.ToString();
  auto mails = server->WaitForMessages(1, kDeadline);
  ASSERT_TRUE(mails.ok()) << mails.status().ToString();
  EXPECT_TRUE(mails->front().authenticated);
}

TEST(SmtpSenderTest, WrongPasswordIsRefusedWithoutSayingIt) {
  SmtpServerOptions options = ServerOptions(Mode::kTls);
  options.username = "keywarden";
  options.password = "correct horse battery";
  KW_SMTP_SERVER_OR_SKIP(server, options);
  MailSettings settings = SettingsFor(*server, Security::kTls);
  settings.username = options.username;
  settings.password = "wrong-password-Zq7";
  auto sender = Open(settings);
  ASSERT_NE(sender, nullptr);
  const Status refused = sender->Send(RichMessage());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.code(), ErrorCode::kAuthenticationFailed) << refused.ToString();
  EXPECT_EQ(refused.message().find(settings.password), std::string::npos) << refused.message();
  EXPECT_EQ(refused.message().find('\n'), std::string::npos) << "not one line: " << refused.message();
  EXPECT_NE(refused.message().find("localhost:" + std::to_string(server->port())), std::string::npos)
      << refused.message();
  EXPECT_TRUE(server->Received().empty());
}

TEST(SmtpSenderTest, NoLoginWhereOneIsRequiredIsRefused) {
  SmtpServerOptions options = ServerOptions(Mode::kStartTls);
  options.username = "keywarden";
  options.password = "correct horse battery";
  KW_SMTP_SERVER_OR_SKIP(server, options);
  auto sender = Open(SettingsFor(*server, Security::kStartTls));
  ASSERT_NE(sender, nullptr);
  const Status refused = sender->Send(RichMessage());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.code(), ErrorCode::kAuthenticationFailed) << refused.ToString();
  EXPECT_NE(refused.message().find("requires a login"), std::string::npos) << refused.message();
  EXPECT_TRUE(server->Received().empty());
}

TEST(SmtpSenderTest, StartTlsRequiredButNotOfferedIsRefused) {
  KW_SMTP_SERVER_OR_SKIP(server, ServerOptions(Mode::kPlain));
  MailSettings settings = SettingsFor(*server, Security::kStartTls);
  settings.ca_file.clear();
  settings.username = "keywarden";  // a login would go in plain text if the client fell back
  settings.password = "never-sent-in-clear";
  auto sender = Open(settings);
  ASSERT_NE(sender, nullptr);
  const Status refused = sender->Send(RichMessage());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.code(), ErrorCode::kUnavailable);
  EXPECT_NE(refused.message().find("STARTTLS"), std::string::npos) << refused.message();
  EXPECT_TRUE(server->Received().empty()) << "the message went out in plain text";
}

TEST(SmtpSenderTest, RefusedRecipientIsInvalidArgument) {
  SmtpServerOptions options = ServerOptions(Mode::kPlain);
  options.refused_recipients = {"nobody@example.com"};
  KW_SMTP_SERVER_OR_SKIP(server, options);
  auto sender = Open(SettingsFor(*server, Security::kNone));
  ASSERT_NE(sender, nullptr);
  Message message = RichMessage();
  message.to = "nobody@example.com";
  const Status refused = sender->Send(message);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.code(), ErrorCode::kInvalidArgument) << refused.ToString();
  EXPECT_NE(refused.message().find("recipient"), std::string::npos) << refused.message();
  EXPECT_NE(refused.message().find("550"), std::string::npos) << refused.message();

  message.to = "alice@example.com";
  EXPECT_TRUE(sender->Send(message).ok()) << "the next message is not affected";
  auto mails = server->WaitForMessages(1, kDeadline);
  ASSERT_TRUE(mails.ok()) << mails.status().ToString();
  EXPECT_EQ(mails->front().recipients, std::vector<std::string>{"alice@example.com"});
}

TEST(SmtpSenderTest, HeaderInjectionIsRefusedBeforeAnythingIsSent) {
  KW_SMTP_SERVER_OR_SKIP(server, ServerOptions(Mode::kPlain));
  auto sender = Open(SettingsFor(*server, Security::kNone));
  ASSERT_NE(sender, nullptr);
  Message message = RichMessage();
  message.subject = "Your code\r\nBcc: eve@evil.example";
  Status refused = sender->Send(message);
  EXPECT_EQ(refused.code(), ErrorCode::kInvalidArgument) << refused.ToString();
  message = RichMessage();
  message.to = "alice@example.com>\r\nRCPT TO:<eve@evil.example";
  refused = sender->Send(message);
  EXPECT_EQ(refused.code(), ErrorCode::kInvalidArgument) << refused.ToString();

  ASSERT_TRUE(sender->Send(RichMessage()).ok());  // a good one after them: the only one to arrive
  auto mails = server->WaitForMessages(1, kDeadline);
  ASSERT_TRUE(mails.ok()) << mails.status().ToString();
  ASSERT_EQ(mails->size(), 1u);
  EXPECT_EQ(mails->front().recipients, std::vector<std::string>{"alice@example.com"});
  EXPECT_EQ(mails->front().data.find("evil.example"), std::string::npos);
}

TEST(SmtpSenderTest, LongNonAsciiSubjectAndNameRoundTrip) {
  KW_SMTP_SERVER_OR_SKIP(server, ServerOptions(Mode::kStartTls));
  MailSettings settings = SettingsFor(*server, Security::kStartTls);
  settings.from_name = "Coffre-fort \xC3\xA0 cl\xC3\xA9s \"Keywarden\"";
  auto sender = Open(settings);
  ASSERT_NE(sender, nullptr);
  Message message = RichMessage();
  message.subject.clear();
  for (int i = 0; i < 12; ++i) message.subject += "\xC3\xA9t\xC3\xA9 \xF0\x9F\x94\x91 \xE4\xB8\xAD\xE6\x96\x87 ";
  message.subject += "end";
  ASSERT_TRUE(sender->Send(message).ok());
  auto mails = server->WaitForMessages(1, kDeadline);
  ASSERT_TRUE(mails.ok()) << mails.status().ToString();
  ExpectIntact(mails->front(), message, settings);
}

TEST(SmtpSenderTest, ServerThatNeverAnswersTimesOutWithinTheDeadline) {
  SilentListener silent;
  ASSERT_NE(silent.port(), 0);
  MailSettings settings;
  settings.host = "127.0.0.1";
  settings.port = silent.port();
  settings.security = Security::kStartTls;
  settings.from_address = "noreply@keywarden.test";
  settings.timeout_seconds = 1;
  auto sender = Open(settings);
  ASSERT_NE(sender, nullptr);
  const auto start = std::chrono::steady_clock::now();
  const Status status = sender->Send(RichMessage());
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), ErrorCode::kUnavailable);
  EXPECT_GE(silent.connections(), 1) << "it never connected, so it did not wait for a greeting";
  EXPECT_GE(elapsed, std::chrono::milliseconds(900));
  EXPECT_LT(elapsed, std::chrono::seconds(3)) << "the 1 s deadline was not kept";
  EXPECT_NE(status.message().find("127.0.0.1:" + std::to_string(silent.port())), std::string::npos) << status.message();
}

TEST(SmtpSenderTest, NoServerIsUnavailable) {
  KW_SMTP_SERVER_OR_SKIP(server, ServerOptions(Mode::kPlain));
  ASSERT_TRUE(server->Stop().ok());
  auto sender = Open(SettingsFor(*server, Security::kNone));
  ASSERT_NE(sender, nullptr);
  const Status status = sender->Send(RichMessage());
  EXPECT_EQ(status.code(), ErrorCode::kUnavailable) << status.ToString();
}

}  // namespace
}  // namespace keywarden::mail
