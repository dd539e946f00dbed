// MailSender: delivers one message now, and waits for the answer.
//
// Request handlers never call Send themselves: they hand messages to a MailQueue
// (mail/mail_queue.h), whose thread does, so that a slow or absent mail server never holds up
// a request. The SMTP implementation is mail/smtp_sender.h.
#ifndef KEYWARDEN_MAIL_MAIL_SENDER_H_
#define KEYWARDEN_MAIL_MAIL_SENDER_H_

#include "keywarden/status.h"
#include "mail/message.h"

namespace keywarden::mail {

class MailSender {
 public:
  virtual ~MailSender();

  // Delivers `message` to the server, which has taken responsibility for it on OK. Errors are
  // one line that names the server and never a password or the message's content:
  //   kInvalidArgument      the message is malformed (CheckMessage), or the server refused it
  //                         for good (a recipient or sender it will not take): do not retry;
  //   kUnavailable          no connection, a timeout, a TLS failure, or a temporary refusal:
  //                         the same message may go through later;
  //   kAuthenticationFailed the server refused the login, or wants one and none is set: fix the
  //                         settings.
  // Safe to call from several threads at once.
  virtual Status Send(const Message& message) = 0;
};

// What a feature that needs mail answers when mail is not configured (no mail.host):
// kUnsupported, "mail is not configured on this server (mail.host)".
Status MailNotConfigured();

}  // namespace keywarden::mail

#endif  // KEYWARDEN_MAIL_MAIL_SENDER_H_
