// The mail queue over the real SMTP sender and server: it delivers in the background, retries
// while the server is away, drops (and counts) when full, and never holds up the caller.
#include "mail/mail_queue.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "mail/smtp_sender.h"
#include "support/smtp_server.h"
#include "support/wait.h"

namespace keywarden::mail {
namespace {

using keywarden::testing::SilentListener;
using keywarden::testing::SmtpServer;
using keywarden::testing::SmtpServerOptions;
using namespace std::chrono_literals;

constexpr auto kDeadline = 20s;

MailSettings PlainSettings(std::uint16_t port, std::uint32_t timeout_seconds = 10) {
  MailSettings settings;
  settings.host = "127.0.0.1";
  settings.port = port;
  settings.security = MailSettings::Security::kNone;
  settings.from_address = "noreply@keywarden.test";
  settings.timeout_seconds = timeout_seconds;
  return settings;
}

std::unique_ptr<MailSender> Sender(const MailSettings& settings) {
  auto sender = OpenSmtpSender(settings);
  EXPECT_TRUE(sender.ok()) << sender.status().ToString();
  return sender.ok() ? std::move(sender).value() : nullptr;
}

Message Numbered(int n) {
  return Message{"user" + std::to_string(n) + "@example.com", "Message " + std::to_string(n),
                 "Your code is " + std::to_string(100000 + n) + "\n", ""};
}

TEST(MailQueueTest, DeliversInTheBackgroundInOrder) {
  KW_SMTP_SERVER_OR_SKIP(server, SmtpServerOptions{});
  MailQueue queue(Sender(PlainSettings(server->port())));
  for (int i = 1; i <= 5; ++i) ASSERT_TRUE(queue.Enqueue(Numbered(i)).ok());
  ASSERT_TRUE(queue.Flush(kDeadline));
  EXPECT_EQ(queue.sent(), 5u);
  EXPECT_EQ(queue.failed(), 0u);
  EXPECT_EQ(queue.dropped(), 0u);
  auto mails = server->WaitForMessages(5, kDeadline);
  ASSERT_TRUE(mails.ok()) << mails.status().ToString();
  ASSERT_EQ(mails->size(), 5u);
  for (int i = 1; i <= 5; ++i) {
    EXPECT_EQ(mails->at(i - 1).recipients, std::vector<std::string>{Numbered(i).to});
    EXPECT_EQ(mails->at(i - 1).subject, Numbered(i).subject);
  }
}

TEST(MailQueueTest, RetriesUntilTheServerIsBack) {
  KW_SMTP_SERVER_OR_SKIP(server, SmtpServerOptions{});
  ASSERT_TRUE(server->Stop().ok());
  MailQueueOptions options;
  options.attempts = 100;
  options.first_retry_delay = 50ms;
  options.max_retry_delay = 200ms;
  MailQueue queue(Sender(PlainSettings(server->port())), options);
  ASSERT_TRUE(queue.Enqueue(Numbered(1)).ok());
  KW_ASSERT_EVENTUALLY(queue.retried() >= 2, kDeadline) << "no retries while the server was down";
  EXPECT_EQ(queue.sent(), 0u);

  ASSERT_TRUE(server->Start().ok());
  ASSERT_TRUE(queue.Flush(kDeadline));
  EXPECT_EQ(queue.sent(), 1u);
  EXPECT_EQ(queue.failed(), 0u);
  auto mails = server->WaitForMessages(1, kDeadline);
  ASSERT_TRUE(mails.ok()) << mails.status().ToString();
  EXPECT_EQ(mails->front().recipients, std::vector<std::string>{Numbered(1).to});
}

TEST(MailQueueTest, GivesUpAfterItsAttempts) {
  KW_SMTP_SERVER_OR_SKIP(server, SmtpServerOptions{});
  ASSERT_TRUE(server->Stop().ok());
  MailQueueOptions options;
  options.attempts = 3;
  options.first_retry_delay = 10ms;
  MailQueue queue(Sender(PlainSettings(server->port())), options);
  ASSERT_TRUE(queue.Enqueue(Numbered(1)).ok());
  ASSERT_TRUE(queue.Flush(kDeadline));
  EXPECT_EQ(queue.failed(), 1u);
  EXPECT_EQ(queue.retried(), 2u);
  EXPECT_EQ(queue.sent(), 0u);
}

TEST(MailQueueTest, RefusalForGoodIsNotRetried) {
  SmtpServerOptions server_options;
  server_options.refused_recipients = {"nobody@example.com"};
  KW_SMTP_SERVER_OR_SKIP(server, server_options);
  MailQueueOptions options;
  options.first_retry_delay = 10ms;
  MailQueue queue(Sender(PlainSettings(server->port())), options);
  Message message = Numbered(1);
  message.to = "nobody@example.com";
  ASSERT_TRUE(queue.Enqueue(message).ok());
  ASSERT_TRUE(queue.Enqueue(Numbered(2)).ok());
  ASSERT_TRUE(queue.Flush(kDeadline));
  EXPECT_EQ(queue.failed(), 1u);
  EXPECT_EQ(queue.retried(), 0u);
  EXPECT_EQ(queue.sent(), 1u);
}

TEST(MailQueueTest, DropsAndCountsWhenFullWithoutWaiting) {
  SilentListener silent;  // holds the first message until its timeout
  ASSERT_NE(silent.port(), 0);
  MailQueueOptions options;
  options.capacity = 2;
  options.attempts = 1;
  MailQueue queue(Sender(PlainSettings(silent.port(), 2)), options);
  ASSERT_TRUE(queue.Enqueue(Numbered(1)).ok());
  KW_ASSERT_EVENTUALLY(silent.connections() >= 1, kDeadline) << "the first message never left the queue";

  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(queue.Enqueue(Numbered(2)).ok());
  EXPECT_TRUE(queue.Enqueue(Numbered(3)).ok());
  const Status full = queue.Enqueue(Numbered(4));
  const Status still_full = queue.Enqueue(Numbered(5));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms) << "Enqueue waited on SMTP";
  EXPECT_EQ(full.code(), ErrorCode::kUnavailable);
  EXPECT_EQ(still_full.code(), ErrorCode::kUnavailable);
  EXPECT_EQ(queue.dropped(), 2u);
  EXPECT_EQ(queue.sent(), 0u);
}

TEST(MailQueueTest, DestructionDoesNotWaitForWhatIsQueued) {
  SilentListener silent;
  ASSERT_NE(silent.port(), 0);
  MailQueueOptions options;
  options.attempts = 1;
  auto queue = std::make_unique<MailQueue>(Sender(PlainSettings(silent.port(), 1)), options);
  ASSERT_TRUE(queue->Enqueue(Numbered(1)).ok());
  KW_ASSERT_EVENTUALLY(silent.connections() >= 1, kDeadline);
  for (int i = 2; i <= 4; ++i) ASSERT_TRUE(queue->Enqueue(Numbered(i)).ok());
  EXPECT_FALSE(queue->Flush(10ms));
  const auto start = std::chrono::steady_clock::now();
  queue.reset();  // waits for the send in progress (1 s timeout) only
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s) << "destruction tried the queued messages too";
  EXPECT_EQ(silent.connections(), 1) << "a queued message was tried after the queue was told to stop";
}

TEST(MailQueueTest, MalformedMessageIsRefusedAtOnce) {
  SilentListener silent;
  MailQueue queue(Sender(PlainSettings(silent.port())));
  Message message = Numbered(1);
  message.subject = "Hi\r\nBcc: eve@evil.example";
  EXPECT_EQ(queue.Enqueue(message).code(), ErrorCode::kInvalidArgument);
  message = Numbered(1);
  message.to = "not an address";
  EXPECT_EQ(queue.Enqueue(message).code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(queue.Flush(1s));
  EXPECT_EQ(silent.connections(), 0);
  EXPECT_EQ(queue.dropped(), 0u);
}

}  // namespace
}  // namespace keywarden::mail
