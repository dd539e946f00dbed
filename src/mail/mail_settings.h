// MailSettings: the [mail] section, how a service reaches its SMTP server.
//
// A service that sends mail holds a MailSettings in its config struct and adds MailRows() to its
// setting table (config/settings.h), then calls CheckMail after Apply. Without mail.host, mail is
// not configured: features that need it say so (mail/mail_sender.h, MailNotConfigured) instead of
// failing later.
#ifndef KEYWARDEN_MAIL_MAIL_SETTINGS_H_
#define KEYWARDEN_MAIL_MAIL_SETTINGS_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "config/settings.h"
#include "keywarden/status.h"

namespace keywarden::mail {

struct MailSettings {
  // How the connection is protected. kStartTls and kTls always verify the server's certificate
  // and name; kStartTls never falls back to plain text when the server offers no STARTTLS.
  enum class Security {
    kNone,      // plain SMTP: loopback hosts only, unless allow_plaintext
    kStartTls,  // SMTP, then STARTTLS before anything else is sent (usually port 587)
    kTls,       // TLS from the first byte, "SMTPS" (usually port 465)
  };

  std::string host;  // empty: mail is not configured
  std::uint16_t port = 587;
  Security security = Security::kStartTls;
  std::string username;  // empty: no login; set together with password
  std::string password;  // secret: never printed, never in a message or a log line
  std::string from_address;
  std::string from_name = "Keywarden";
  std::string ca_file;                 // PEM trust anchors for the server's certificate; empty: the system's store
  std::uint32_t timeout_seconds = 30;  // to connect, and for the whole of one message's delivery
  bool allow_plaintext = false;        // security "none" to a host that is not loopback

  bool enabled() const { return !host.empty(); }
};

// "none", "starttls", "tls": the values of mail.security.
std::string_view SecurityName(MailSettings::Security security);

// The rows of [mail]: mail.host, mail.port (587), mail.security ("starttls", "tls" or "none"),
// mail.username, mail.password (secret), mail.from, mail.from_name ("Keywarden"),
// mail.ca_file, mail.timeout_seconds (30), mail.allow_plaintext (false).
std::span<const config::SettingRow<MailSettings>> MailRows();

// Checks across the section, after Apply; OK when mail is not configured at all. With a host:
// mail.from is required and must be an address (mail/message.h, IsValidAddress); username and
// password come together; "none" only to a loopback host (net/loopback.h) unless
// mail.allow_plaintext, which would otherwise send the password and every code in the clear;
// no mail.ca_file with "none". kInvalidArgument naming the settings, never a value.
Status CheckMail(const MailSettings& settings);

}  // namespace keywarden::mail

#endif  // KEYWARDEN_MAIL_MAIL_SETTINGS_H_
