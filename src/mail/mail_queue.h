// MailQueue: sends mail on a thread of its own, so that request handlers never wait on SMTP.
//
// A handler calls Enqueue and carries on; the queue's thread hands each message to the sender
// in order. A send that fails with kUnavailable (no connection, a timeout, a temporary refusal)
// is tried again after a delay that doubles each time, up to `attempts` tries; any other failure
// is final at once. A message still waiting behind a retried one waits with it: the server that
// is down for one is down for all.
//
// Mail is best effort: the queue is bounded and lives in memory. When it is full, a new message
// is dropped and counted (the server is down or overwhelmed: a login code that arrives in ten
// minutes is no use anyway); messages still queued when the queue is destroyed are dropped and
// counted too. Every message that could not be sent, and the first drop after a quiet spell, is
// one log line (telemetry/log.h) with the reason and never the message's content, which may hold
// a code or a link that opens an account.
//
// Thread-safe: every method may be called from any thread.
#ifndef KEYWARDEN_MAIL_MAIL_QUEUE_H_
#define KEYWARDEN_MAIL_MAIL_QUEUE_H_

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <thread>

#include "base/mutex.h"
#include "keywarden/status.h"
#include "mail/mail_sender.h"
#include "mail/message.h"
#include "telemetry/log_limiter.h"

namespace keywarden::mail {

struct MailQueueOptions {
  std::size_t capacity = 1000;  // messages waiting at most, besides the one being sent
  int attempts = 4;             // tries per message while the server is unavailable, the first included
  std::chrono::milliseconds first_retry_delay{2000};  // before the second try; doubled for each next one
  std::chrono::milliseconds max_retry_delay{60000};
};

class MailQueue {
 public:
  // Starts the thread; `sender` is used only from it.
  explicit MailQueue(std::unique_ptr<MailSender> sender, MailQueueOptions options = {});
  // Stops the thread: a send in progress finishes (within the sender's own timeout), a retry
  // waiting for its delay and the messages behind it are dropped and counted.
  ~MailQueue();
  MailQueue(const MailQueue&) = delete;
  MailQueue& operator=(const MailQueue&) = delete;

  // Queues `message` and returns at once. kInvalidArgument (CheckMessage's reason) for a message
  // that could never be sent; kUnavailable, counted in dropped(), when the queue is full.
  Status Enqueue(Message message);

  // Waits until every message queued so far has been sent or has failed, at most `timeout`; true
  // when it was. For tests, and for a shutdown that gives mail a moment before it goes.
  bool Flush(std::chrono::milliseconds timeout);

  std::uint64_t sent() const;     // delivered to the server
  std::uint64_t failed() const;   // given up on after their tries, or refused for good
  std::uint64_t dropped() const;  // never tried to the end: the queue was full, or destroyed
  std::uint64_t retried() const;  // tries that failed as kUnavailable and were repeated

 private:
  void Run();
  // Sends `message`, trying again while the server is unavailable; false when the queue stopped
  // during a delay (the message is then dropped).
  bool Deliver(const Message& message);

  const std::unique_ptr<MailSender> sender_;
  const MailQueueOptions options_;
  telemetry::LogLimiter drop_log_;

  mutable Mutex mu_;
  std::condition_variable wake_;  // the thread: a message arrived, or stop
  std::condition_variable idle_;  // Flush: the queue became empty and nothing is in flight
  std::deque<Message> queue_ KW_GUARDED_BY(mu_);
  bool busy_ KW_GUARDED_BY(mu_) = false;  // a message is out of queue_ and being delivered
  bool stop_ KW_GUARDED_BY(mu_) = false;
  std::uint64_t sent_ KW_GUARDED_BY(mu_) = 0;
  std::uint64_t failed_ KW_GUARDED_BY(mu_) = 0;
  std::uint64_t dropped_ KW_GUARDED_BY(mu_) = 0;
  std::uint64_t retried_ KW_GUARDED_BY(mu_) = 0;

  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace keywarden::mail

#endif  // KEYWARDEN_MAIL_MAIL_QUEUE_H_
