// Message: one e-mail to one recipient, and its rendering as RFC 5322 text for SMTP.
//
// Messages carry codes and links that let their reader into an account, so nothing here logs
// them, and errors name the field that is wrong, never its content.
#ifndef KEYWARDEN_MAIL_MESSAGE_H_
#define KEYWARDEN_MAIL_MESSAGE_H_

#include <string>
#include <string_view>

#include "base/time.h"
#include "keywarden/status.h"

namespace keywarden::mail {

struct Message {
  std::string to;       // one address, "local@domain" (IsValidAddress)
  std::string subject;  // UTF-8, one line
  std::string text;     // UTF-8 plain text, required; any of LF, CRLF or CR ends a line
  std::string html;     // UTF-8 HTML alternative; empty: plain text only
};

// Who a message is from: mail.from and mail.from_name.
struct Mailbox {
  std::string address;
  std::string name;  // display name, UTF-8; may be empty
};

// Whether `address` is one we send to: ASCII "local@domain" of at most 254 characters, the local
// part a dot-atom (letters, digits, !#$%&'*+-/=?^_`{|}~ and single inner dots) of at most 64,
// the domain host-name labels (letters, digits, inner hyphens) of at most 63 each. Quoted local
// parts, address literals, comments and internationalised addresses are refused: nothing a
// client registers with needs them, and each is a way to smuggle syntax into a header or an
// SMTP command.
bool IsValidAddress(std::string_view address);

// Whether `text` may go into a header: valid UTF-8 without control characters (no CR or LF,
// which would end the header and start another one).
bool IsValidHeaderText(std::string_view text);

// Checks `message` as RenderMessage will: kInvalidArgument naming the field ("the recipient
// address is not valid", "the subject contains a line break or control character", "the plain
// text is not valid UTF-8", "the message has no plain text"). A queue checks before it accepts.
Status CheckMessage(const Message& message);

// The message as SMTP's DATA carries it, CRLF line endings throughout: Date (`date`, UTC), From
// ("name" <address>), To, Subject (RFC 2047 base64 encoded-words when not plain ASCII or too long
// for one line), a random Message-ID at the sender's domain, MIME-Version, Auto-Submitted
// (RFC 3834: automatic mail, no auto-replies), then the text (and, when `html` is set, a
// multipart/alternative of text then HTML), as UTF-8 in quoted-printable. Dot-stuffing is the
// SMTP client's business, not this function's.
//
// kInvalidArgument as CheckMessage, or when `from` is not a valid address or its name is not
// valid header text; kInternal when the system's random source fails.
Result<std::string> RenderMessage(const Message& message, const Mailbox& from, TimePoint date);

}  // namespace keywarden::mail

#endif  // KEYWARDEN_MAIL_MESSAGE_H_
