// The MailSender that speaks SMTP, through libcurl (mail/mail_settings.h says how it connects).
//
// Each Send opens its own connection, delivers one message and closes: mail is rare (a login
// code, a verification link), so a kept-open connection would mostly be one the server has
// already dropped. One message's whole delivery (connection, TLS, login, data) must be done
// within mail.timeout_seconds, or the send fails as kUnavailable.
//
// Security: "starttls" insists on STARTTLS before the login and the message (a server that does
// not offer it is refused, never used in plain text); "tls" speaks TLS from the first byte. In
// both, TLS 1.2 or later, and the server's certificate must chain to mail.ca_file (when set,
// only to it) or the system's store and name mail.host. "none" is plain SMTP.
#ifndef KEYWARDEN_MAIL_SMTP_SENDER_H_
#define KEYWARDEN_MAIL_SMTP_SENDER_H_

#include <memory>

#include "keywarden/status.h"
#include "mail/mail_sender.h"
#include "mail/mail_settings.h"

namespace keywarden::mail {

// A sender for `settings`; connects only when it sends. MailNotConfigured() when mail.host is
// not set; CheckMail's errors; kInvalidArgument when mail.ca_file cannot be read; kUnsupported
// when this libcurl lacks SMTP or TLS. The password is held in locked memory (SecureBuffer) and
// wiped with the sender; libcurl's own copy during a send is freed, not wiped, by libcurl.
Result<std::unique_ptr<MailSender>> OpenSmtpSender(const MailSettings& settings);

}  // namespace keywarden::mail

#endif  // KEYWARDEN_MAIL_SMTP_SENDER_H_
