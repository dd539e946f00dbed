#include "mail/mail_sender.h"

namespace keywarden::mail {

MailSender::~MailSender() = default;

Status MailNotConfigured() { return UnsupportedError("mail is not configured on this server (mail.host)"); }

}  // namespace keywarden::mail
