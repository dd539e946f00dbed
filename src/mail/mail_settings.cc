#include "mail/mail_settings.h"

#include <array>

#include "config/values.h"
#include "mail/message.h"
#include "net/loopback.h"
#include "net/url.h"

namespace keywarden::mail {
namespace {

using config::RawValue;
using config::SettingRow;
using R = RawValue;
using S = MailSettings;

constexpr std::uint32_t kMaxTimeoutSeconds = 600;

// Empty is allowed: it is how mail stays off.
Status ApplyHost(const RawValue& raw, MailSettings& settings) {
  KW_ASSIGN_OR_RETURN(std::string host, config::AsString(raw));
  if (!host.empty() && !net::IsValidHost(host)) {
    return InvalidArgumentError(raw.origin + " must be a host name or IP address");
  }
  settings.host = std::move(host);
  return OkStatus();
}

Status ApplySecurity(const RawValue& raw, MailSettings& settings) {
  KW_ASSIGN_OR_RETURN(std::string name, config::AsName(raw));
  for (auto security : {S::Security::kStartTls, S::Security::kTls, S::Security::kNone}) {
    if (name == SecurityName(security)) {
      settings.security = security;
      return OkStatus();
    }
  }
  return InvalidArgumentError(raw.origin + " must be \"starttls\", \"tls\" or \"none\"");
}

// The display name goes into a header: a line break there would start a header of its own.
Status ApplyFromName(const RawValue& raw, MailSettings& settings) {
  KW_ASSIGN_OR_RETURN(std::string name, config::AsString(raw));
  if (!IsValidHeaderText(name)) {
    return InvalidArgumentError(raw.origin + " must be UTF-8 text without line breaks or control characters");
  }
  settings.from_name = std::move(name);
  return OkStatus();
}

constexpr std::array<SettingRow<S>, 10> kMail = {{
    {"mail.host", ApplyHost, "SMTP server's host name or IP address; not set = no mail"},
    {"mail.port", [](const R& r, S& s) { return config::SetInteger(r, 1, 65535, s.port); },
     "SMTP server's port (587 for starttls, 465 for tls)"},
    {"mail.security", ApplySecurity, "starttls, tls or none"},
    {"mail.username", [](const R& r, S& s) { return config::SetString(r, s.username); },
     "login name; not set = no login"},
    {"mail.password", [](const R& r, S& s) { return config::SetString(r, s.password); }, "login password", true},
    {"mail.from", [](const R& r, S& s) { return config::SetString(r, s.from_address); },
     "sender address of every message"},
    {"mail.from_name", ApplyFromName, "sender's display name"},
    {"mail.ca_file", [](const R& r, S& s) { return config::SetPath(r, s.ca_file); },
     "PEM trust anchors for the SMTP server's certificate; not set = the system's"},
    {"mail.timeout_seconds",
     [](const R& r, S& s) { return config::SetInteger(r, 1, kMaxTimeoutSeconds, s.timeout_seconds); },
     "time to connect, and to deliver one message"},
    {"mail.allow_plaintext", [](const R& r, S& s) { return config::SetBool(r, s.allow_plaintext); },
     "allow security = none to a host that is not loopback"},
}};

}  // namespace

std::string_view SecurityName(MailSettings::Security security) {
  switch (security) {
    case MailSettings::Security::kNone: return "none";
    case MailSettings::Security::kStartTls: return "starttls";
    case MailSettings::Security::kTls: return "tls";
  }
  return "starttls";
}

std::span<const SettingRow<MailSettings>> MailRows() { return kMail; }

Status CheckMail(const MailSettings& settings) {
  if (!settings.enabled()) return OkStatus();
  if (settings.from_address.empty()) return InvalidArgumentError("mail.from is required when mail.host is set");
  if (!IsValidAddress(settings.from_address)) {
    return InvalidArgumentError("mail.from must be an e-mail address (local@domain)");
  }
  if (!IsValidHeaderText(settings.from_name)) {
    return InvalidArgumentError("mail.from_name must be UTF-8 text without line breaks or control characters");
  }
  if (settings.username.empty() != settings.password.empty()) {
    return InvalidArgumentError(settings.username.empty() ? "mail.password is set but mail.username is not"
                                                          : "mail.username is set but mail.password is not");
  }
  if (settings.security == MailSettings::Security::kNone) {
    if (!net::IsLoopbackHost(settings.host) && !settings.allow_plaintext) {
      return InvalidArgumentError(
          "mail.security = \"none\" sends the password and every message unencrypted: it is allowed only to a "
          "loopback mail.host, unless mail.allow_plaintext = true");
    }
    if (!settings.ca_file.empty()) {
      return InvalidArgumentError("mail.ca_file is set but mail.security is \"none\": use \"starttls\" or \"tls\"");
    }
  }
  return OkStatus();
}

}  // namespace keywarden::mail
